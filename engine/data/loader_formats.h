// The loaders' shared parts, internal to engine/data: a dataset folder or archive seen as one
// sorted list of files (FileTree), path helpers, and one loader per format. The public entry
// points (format detection, packs, tar/gzip) are in loaders.h / loaders.cpp.
//
// [SECTION] File tree    loader_tree.cpp
// [SECTION] Helpers      loader_tree.cpp
// [SECTION] Formats      loader_cifar10.cpp, loader_idx.cpp, loader_image_folder.cpp
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/io.h"
#include "data/dataset.h"
#include "data/loaders.h"

namespace cnnlab {
namespace loading {

// ---- [SECTION] File tree ----------------------------------------------------------------------

struct TreeFile {
  std::string rel;    // "cifar10/train/cat/0003.jpg", '/'-separated
  std::string where;  // for messages: the disk path, or "entry (in archive)"
  std::string disk;   // disk path when the bytes are still on disk, else ""
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct FileTree {
  std::string location;  // the folder or archive path
  std::string name;      // folder name or archive name without extension
  bool archive = false;
  std::vector<TreeFile> files;  // sorted by rel
  std::vector<std::string> folders;  // folders seen as such (rel, sorted; tar folder entries,
                                     // a folder's subfolders): an empty one holds no file
  std::vector<std::vector<uint8_t>> storage;  // bytes read from disk on demand

  const TreeFile* find(const std::string& rel) const {
    auto it = std::lower_bound(files.begin(), files.end(), rel,
                               [](const TreeFile& f, const std::string& r) { return f.rel < r; });
    return it != files.end() && it->rel == rel ? &*it : nullptr;
  }
  // The bytes of f (reads them from disk the first time; not thread-safe).
  std::pair<const uint8_t*, size_t> bytes(const TreeFile& f) {
    if (f.data || f.disk.empty()) return {f.data, f.size};
    storage.push_back(read_file_bytes(f.disk));
    TreeFile& mut = const_cast<TreeFile&>(f);
    mut.data = storage.back().data();
    mut.size = storage.back().size();
    mut.disk.clear();
    return {f.data, f.size};
  }
};

// The regular files below a folder (hidden ones skipped), sorted; bytes read on demand.
FileTree tree_of_directory(const std::string& path);
// The files of a tar archive in memory (which must outlive the tree); hidden ones skipped,
// sorted; a path stored twice keeps its later copy.
FileTree tree_of_tar(const uint8_t* tar, size_t size, const std::string& where);

// ---- [SECTION] Helpers ------------------------------------------------------------------------
// '/'-separated relative paths: "a/b/c.png" -> base "c.png", dir "a/b"; join skips empty parts.
std::string base_name(const std::string& rel);
std::string dir_name(const std::string& rel);
std::string join(const std::string& dir, const std::string& name);
std::vector<std::string> split_components(const std::string& rel);
// "cifar10" for "data/cifar10", "data/cifar10/" and "data/cifar10/.".
std::string folder_name(const std::string& path);
std::string lower(std::string s);
// Lines of a small text file, trimmed, empty lines dropped.
std::vector<std::string> text_lines(const uint8_t* data, size_t size);
void require_not_empty(const DataSource& src, const std::string& where, const std::string& hint);

// ---- [SECTION] Formats ------------------------------------------------------------------------
// Each loads both splits from the folder `dir` (relative to the tree; "" for its top).
DataSource load_cifar_binary(FileTree& tree, const std::string& dir);
DataSource load_idx(FileTree& tree, const std::string& dir);
DataSource load_image_folder(FileTree& tree, const std::string& root);
// The root folder (relative path, "" for the top) holding train/<class>/<file>; false if none.
bool find_image_folder_root(const FileTree& tree, std::string& root);
// A dataset the student brought (loader_upload.cpp; see loaders.h, load_upload_bytes): the
// image-folder tree in any of its layouts, every image centre-cropped and resized to the input.
DataSource load_image_upload(FileTree& tree, const UploadInput& input,
                             const UploadProgress& progress = nullptr);

}  // namespace loading
}  // namespace cnnlab
