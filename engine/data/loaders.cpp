// Dataset loaders (see loaders.h).
//
// [SECTION] index
//   File tree      a folder or an archive seen as one sorted list of (relative path, bytes)
//   CIFAR-10       binary batches
//   IDX            (Fashion-)MNIST style files
//   Image folder   train/<class>/*, decoded in parallel with stb_image
//   Entry points   format detection: load_data, load_data_bytes
#include "data/loaders.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/io.h"
#include "core/thread_pool.h"
#include "data/compression.h"
#include "data/image.h"
#include "data/pack.h"
#include "data/tar.h"

#define STBI_NO_STDIO
#include <stb_image.h>

namespace cnnlab {

namespace fs = std::filesystem;

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                 "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

namespace {

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

bool hidden_component(const std::string& rel) {
  size_t start = 0;
  while (start < rel.size()) {
    if (rel[start] == '.') return true;
    const size_t slash = rel.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

std::string base_name(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string dir_name(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : name.empty() ? dir : dir + "/" + name;
}

// "cifar10" for "data/cifar10", "data/cifar10/" and "data/cifar10/.".
std::string folder_name(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split_components(const std::string& rel) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = rel.find('/', start);
    parts.push_back(rel.substr(start, slash == std::string::npos ? std::string::npos
                                                                 : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

FileTree tree_of_directory(const std::string& path) {
  FileTree tree;
  tree.location = path;
  tree.name = folder_name(path);
  std::error_code ec;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  require(!ec, path, "cannot list folder: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    require(!ec, path, "cannot list folder: " + ec.message());
    const fs::path rel_path = it->path().lexically_relative(path);
    const std::string rel = rel_path.generic_string();
    if (hidden_component(rel)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    TreeFile f;
    f.rel = rel;
    f.where = it->path().string();
    f.disk = f.where;
    tree.files.push_back(std::move(f));
  }
  std::sort(tree.files.begin(), tree.files.end(),
            [](const TreeFile& a, const TreeFile& b) { return a.rel < b.rel; });
  return tree;
}

std::string archive_stem(const std::string& where) {
  std::string name = fs::path(where).filename().string();
  for (const char* ext : {".tar.gz", ".tgz", ".tar"}) {
    const std::string e = ext;
    if (name.size() > e.size() && lower(name.substr(name.size() - e.size())) == e) {
      return name.substr(0, name.size() - e.size());
    }
  }
  return name;
}

FileTree tree_of_tar(const uint8_t* tar, size_t size, const std::string& where) {
  FileTree tree;
  tree.location = where;
  tree.name = archive_stem(where);
  tree.archive = true;
  for (const TarEntry& e : list_tar(tar, size, where)) {
    if (e.path.empty() || hidden_component(e.path)) continue;
    TreeFile f;
    f.rel = e.path;
    f.where = e.path + " (in " + where + ")";
    f.data = tar + e.offset;
    f.size = e.size;
    tree.files.push_back(std::move(f));
  }
  std::stable_sort(tree.files.begin(), tree.files.end(),
                   [](const TreeFile& a, const TreeFile& b) { return a.rel < b.rel; });
  // A path stored twice (appended archives): the later copy wins, as with `tar x`.
  std::vector<TreeFile> unique;
  for (TreeFile& f : tree.files) {
    if (!unique.empty() && unique.back().rel == f.rel) {
      unique.back() = std::move(f);
    } else {
      unique.push_back(std::move(f));
    }
  }
  tree.files = std::move(unique);
  return tree;
}

// Lines of a small text file, trimmed, empty lines dropped.
std::vector<std::string> text_lines(const uint8_t* data, size_t size) {
  std::vector<std::string> lines;
  std::string line;
  auto flush = [&] {
    const size_t a = line.find_first_not_of(" \t\r");
    if (a != std::string::npos) {
      const size_t b = line.find_last_not_of(" \t\r");
      lines.push_back(line.substr(a, b - a + 1));
    }
    line.clear();
  };
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      flush();
    } else {
      line.push_back(static_cast<char>(data[i]));
    }
  }
  flush();
  return lines;
}

void require_not_empty(const DataSource& src, const std::string& where, const std::string& hint) {
  require(src.train.size() > 0, where, "empty dataset: no training images (" + hint + ")");
  require(src.test.size() > 0, where, "empty dataset: no test images (" + hint + ")");
}

// ---- [SECTION] CIFAR-10 -----------------------------------------------------------------------

constexpr size_t kCifarRecord = 1 + 3 * 32 * 32;

void append_cifar_batch(Dataset& d, const uint8_t* data, size_t size, const std::string& where) {
  require(size > 0, where, "empty CIFAR-10 batch file");
  require(size % kCifarRecord == 0, where,
          "size " + std::to_string(size) + " bytes is not a whole number of 3,073-byte records "
          "(1 label + 3,072 pixels): truncated or not a CIFAR-10 batch");
  const size_t n = size / kCifarRecord;
  const size_t old = d.labels.size();
  d.labels.resize(old + n);
  d.pixels.resize((old + n) * (kCifarRecord - 1));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = data + i * kCifarRecord;
    require(rec[0] < 10, where,
            "record " + std::to_string(i) + " has label " + std::to_string(rec[0]) +
                " (CIFAR-10 labels are 0..9)");
    d.labels[old + i] = rec[0];
    std::memcpy(d.pixels.data() + (old + i) * (kCifarRecord - 1), rec + 1, kCifarRecord - 1);
  }
}

DataSource load_cifar_binary(FileTree& tree, const std::string& dir) {
  const std::string folder_where =
      tree.archive ? (dir.empty() ? tree.location : dir + " (in " + tree.location + ")")
                   : join(tree.location, dir);
  DataSource src;
  std::vector<std::string> names = cifar10_class_names();
  if (const TreeFile* meta = tree.find(join(dir, "batches.meta.txt"))) {
    auto b = tree.bytes(*meta);
    names = text_lines(b.first, b.second);
    require(names.size() == 10, meta->where,
            "expected the 10 CIFAR-10 class names, one a line, found " +
                std::to_string(names.size()));
  }
  for (Dataset* d : {&src.train, &src.test}) {
    d->name = "cifar10";
    d->class_names = names;
    d->channels = 3;
    d->height = d->width = 32;
  }
  for (int b = 1; b <= 5; ++b) {
    const std::string file = "data_batch_" + std::to_string(b) + ".bin";
    const TreeFile* f = tree.find(join(dir, file));
    require(f != nullptr, folder_where, "CIFAR-10 binary folder is missing " + file);
    auto bytes = tree.bytes(*f);
    append_cifar_batch(src.train, bytes.first, bytes.second, f->where);
  }
  const TreeFile* test = tree.find(join(dir, "test_batch.bin"));
  require(test != nullptr, folder_where, "CIFAR-10 binary folder is missing test_batch.bin");
  auto bytes = tree.bytes(*test);
  append_cifar_batch(src.test, bytes.first, bytes.second, test->where);
  src.train.validate(folder_where);
  src.origin = tree.location + (tree.archive ? " (CIFAR-10 binary archive)" : " (CIFAR-10 binary folder)");
  return src;
}

// ---- [SECTION] IDX ----------------------------------------------------------------------------

// The IDX file with stem `stem` ("train-images" + "-idx3-ubyte") in dir, plain or .gz.
const TreeFile* find_idx(const FileTree& tree, const std::string& dir,
                         const std::vector<std::string>& prefixes, const std::string& kind) {
  for (const std::string& prefix : prefixes) {
    for (const char* sep : {"-", "."}) {
      for (const char* gz : {"", ".gz"}) {
        if (const TreeFile* f = tree.find(join(dir, prefix + sep + kind + gz))) return f;
      }
    }
  }
  return nullptr;
}

// Decompressed (if gzip) contents of an IDX file, its dimensions checked.
std::vector<uint8_t> idx_contents(FileTree& tree, const TreeFile& f, int want_dims,
                                  std::vector<uint32_t>& dims) {
  auto raw = tree.bytes(f);
  std::vector<uint8_t> bytes = is_gzip(raw.first, raw.second)
                                   ? gunzip(raw.first, raw.second, f.where)
                                   : std::vector<uint8_t>(raw.first, raw.first + raw.second);
  require(bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0, f.where,
          "not an IDX file (bad magic)");
  require(bytes[2] == 0x08, f.where, "IDX element type " + std::to_string(bytes[2]) +
                                         " is not unsigned byte (0x08)");
  require(bytes[3] == want_dims, f.where,
          "IDX file has " + std::to_string(bytes[3]) + " dimensions, expected " +
              std::to_string(want_dims));
  const size_t header = 4 + 4 * static_cast<size_t>(want_dims);
  require(bytes.size() >= header, f.where, "truncated IDX header");
  dims.clear();
  uint64_t count = 1;
  for (int i = 0; i < want_dims; ++i) {
    dims.push_back(load_be32(bytes.data() + 4 + 4 * i));
    count *= dims.back();
    require(count < (uint64_t{1} << 34), f.where, "IDX dimensions are implausibly large");
  }
  require(bytes.size() - header == count, f.where,
          "IDX data holds " + std::to_string(bytes.size() - header) + " bytes, its header says " +
              std::to_string(count) + " (truncated or corrupt)");
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  return bytes;
}

void load_idx_split(FileTree& tree, const TreeFile& images_file, const TreeFile& labels_file,
                    Dataset& d) {
  std::vector<uint32_t> idims, ldims;
  d.pixels = idx_contents(tree, images_file, 3, idims);
  d.labels = idx_contents(tree, labels_file, 1, ldims);
  require(idims[0] == ldims[0], labels_file.where,
          std::to_string(ldims[0]) + " labels for " + std::to_string(idims[0]) + " images in " +
              images_file.where);
  require(idims[1] > 0 && idims[2] > 0 && idims[1] <= 4096 && idims[2] <= 4096,
          images_file.where, "image size out of range");
  d.channels = 1;
  d.height = static_cast<int>(idims[1]);
  d.width = static_cast<int>(idims[2]);
}

DataSource load_idx(FileTree& tree, const std::string& dir) {
  const std::string folder_where = tree.archive ? tree.location : join(tree.location, dir);
  const TreeFile* files[4] = {
      find_idx(tree, dir, {"train"}, "images-idx3-ubyte"),
      find_idx(tree, dir, {"train"}, "labels-idx1-ubyte"),
      find_idx(tree, dir, {"t10k", "test"}, "images-idx3-ubyte"),
      find_idx(tree, dir, {"t10k", "test"}, "labels-idx1-ubyte")};
  const char* names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < 4; ++i) {
    require(files[i] != nullptr, folder_where,
            std::string("IDX folder is missing ") + names[i] + "[.gz]");
  }
  DataSource src;
  load_idx_split(tree, *files[0], *files[1], src.train);
  load_idx_split(tree, *files[2], *files[3], src.test);
  require(src.test.height == src.train.height && src.test.width == src.train.width,
          files[2]->where, "test images are " + std::to_string(src.test.width) + "x" +
                               std::to_string(src.test.height) + " but training images are " +
                               std::to_string(src.train.width) + "x" +
                               std::to_string(src.train.height));
  int max_label = 0;
  for (const Dataset* d : {&src.train, &src.test}) {
    for (uint8_t l : d->labels) max_label = std::max<int>(max_label, l);
  }
  // Fashion-MNIST and MNIST share file names and shapes; their first training labels differ.
  static const uint8_t kFashionStart[8] = {9, 0, 0, 3, 0, 2, 7, 2};
  static const uint8_t kMnistStart[8] = {5, 0, 4, 1, 9, 2, 1, 3};
  const bool full = src.train.size() == 60000 && src.test.size() == 10000;
  const bool starts_fashion =
      src.train.size() >= 8 && std::memcmp(src.train.labels.data(), kFashionStart, 8) == 0;
  const bool starts_mnist =
      src.train.size() >= 8 && std::memcmp(src.train.labels.data(), kMnistStart, 8) == 0;
  const std::string folder =
      tree.archive ? tree.name : folder_name(folder_where);
  std::string name = folder.empty() ? "idx" : folder;
  std::vector<std::string> classes;
  const bool is28 = src.train.height == 28 && src.train.width == 28 && max_label < 10;
  if (is28 && ((full && starts_fashion) || lower(folder_where).find("fashion") != std::string::npos)) {
    name = "fashion-mnist";
    classes = fashion_mnist_class_names();
  } else if (is28 && full && starts_mnist) {
    name = "mnist";
    for (int i = 0; i < 10; ++i) classes.push_back(std::to_string(i));
  } else {
    for (int i = 0; i <= max_label; ++i) classes.push_back(std::to_string(i));
  }
  for (Dataset* d : {&src.train, &src.test}) {
    d->name = name;
    d->class_names = classes;
  }
  src.origin = tree.location + " (IDX files)";
  require_not_empty(src, folder_where, "the IDX files hold no images");
  return src;
}

// ---- [SECTION] Image folder -------------------------------------------------------------------

bool has_image_extension(const std::string& file) {
  const std::string l = lower(file);
  for (const char* ext : {".png", ".jpg", ".jpeg"}) {
    const size_t n = std::strlen(ext);
    if (l.size() > n && l.compare(l.size() - n, n, ext) == 0) return true;
  }
  return false;
}

struct FolderImage {
  const TreeFile* file;
  uint8_t label;
  int width = 0, height = 0, comp = 0;
};

struct IndexedError {
  size_t index = SIZE_MAX;
  std::string where, what;
};

// Runs fn(i) for i in [0, n) on a few threads; fn returns "" or an error message for item i.
// Throws the error of the lowest failing index (so the message does not depend on timing).
template <typename F>
void parallel_items(size_t n, const std::vector<FolderImage>& items, F&& fn) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  ThreadPool pool(static_cast<int>(std::min(4u, hw)));
  const int tasks = static_cast<int>(std::min<size_t>(n, 64));
  std::vector<IndexedError> errors(static_cast<size_t>(std::max(tasks, 1)));
  pool.parallel_for(tasks, [&](int t) {
    const size_t begin = n * static_cast<size_t>(t) / static_cast<size_t>(tasks);
    const size_t end = n * static_cast<size_t>(t + 1) / static_cast<size_t>(tasks);
    for (size_t i = begin; i < end; ++i) {
      std::string what;
      try {
        what = fn(i);
      } catch (const Error& e) {
        what = e.problem();
      } catch (const std::exception& e) {
        what = e.what();
      }
      if (!what.empty()) {
        errors[static_cast<size_t>(t)] = {i, items[i].file->where, what};
        return;
      }
    }
  });
  const IndexedError* first = nullptr;
  for (const IndexedError& e : errors) {
    if (e.index != SIZE_MAX && (!first || e.index < first->index)) first = &e;
  }
  if (first) throw Error(first->where, first->what);
}

// The root folder (relative path, "" for the top) holding train/<class>/<file>; false if none.
bool find_image_folder_root(const FileTree& tree, std::string& root) {
  bool found = false;
  size_t best_depth = SIZE_MAX;
  for (const TreeFile& f : tree.files) {
    const std::vector<std::string> parts = split_components(f.rel);
    if (parts.size() < 3 || parts[parts.size() - 3] != "train") continue;
    if (parts.size() - 3 < best_depth) {
      best_depth = parts.size() - 3;
      root.clear();
      for (size_t i = 0; i + 3 < parts.size(); ++i) root = join(root, parts[i]);
      found = true;
    }
  }
  return found;
}

DataSource load_image_folder(FileTree& tree, const std::string& root) {
  const std::string root_where =
      tree.archive ? (root.empty() ? tree.location : root + "/ (in " + tree.location + ")")
                   : join(tree.location, root);
  // Class names: classes.txt, else the sorted names of train/'s class folders.
  std::vector<std::string> classes;
  const TreeFile* classes_txt = tree.find(join(root, "classes.txt"));
  const std::string prefix = root.empty() ? "" : root + "/";
  std::vector<std::pair<const TreeFile*, std::vector<std::string>>> split_files[2];
  std::set<std::string> train_folders;
  for (const TreeFile& f : tree.files) {
    if (f.rel.compare(0, prefix.size(), prefix) != 0) continue;
    std::vector<std::string> parts = split_components(f.rel.substr(prefix.size()));
    const int split = parts[0] == "train" ? 0 : parts[0] == "test" ? 1 : -1;
    if (split < 0) continue;
    require(parts.size() == 3, f.where,
            parts.size() < 3 ? "file is not inside a class folder (expected " + parts[0] +
                                   "/<class>/<image>)"
                             : "nested folder inside a class folder (expected " + parts[0] +
                                   "/<class>/<image>)");
    require(has_image_extension(parts[2]), f.where,
            "not an image (a class folder may hold only .png, .jpg or .jpeg files)");
    if (split == 0) train_folders.insert(parts[1]);
    split_files[split].push_back({&f, parts});
  }
  if (classes_txt) {
    auto b = tree.bytes(*classes_txt);
    classes = text_lines(b.first, b.second);
    require(!classes.empty(), classes_txt->where, "no class names");
    require(classes.size() <= 256, classes_txt->where, "more than 256 classes");
    std::set<std::string> unique(classes.begin(), classes.end());
    require(unique.size() == classes.size(), classes_txt->where, "a class name appears twice");
  } else {
    classes.assign(train_folders.begin(), train_folders.end());
    require(classes.size() <= 256, root_where, "more than 256 class folders in train/");
  }
  std::map<std::string, uint8_t> label_of;
  for (size_t i = 0; i < classes.size(); ++i) label_of[classes[i]] = static_cast<uint8_t>(i);
  require(!split_files[0].empty(), root_where,
          "empty dataset: no training images (expected train/<class>/*.png|jpg)");
  require(!split_files[1].empty(), root_where,
          "empty dataset: no test images (expected test/<class>/*.png|jpg)");
  std::vector<FolderImage> items;
  size_t train_count = 0;
  for (int split = 0; split < 2; ++split) {
    for (const auto& entry : split_files[split]) {
      auto it = label_of.find(entry.second[1]);
      require(it != label_of.end(), entry.first->where,
              "class folder '" + entry.second[1] + "' is not " +
                  (classes_txt ? "listed in classes.txt" : "among the training classes"));
      items.push_back({entry.first, it->second});
    }
    if (split == 0) train_count = items.size();
  }
  if (classes_txt) {
    for (const std::string& c : classes) {
      require(train_folders.count(c) != 0, classes_txt->where,
              "class '" + c + "' has no images in train/" + c + "/");
    }
  }
  // Bytes into memory first (disk trees), then headers, then pixels; both passes in parallel.
  for (FolderImage& item : items) tree.bytes(*item.file);
  parallel_items(items.size(), items, [&](size_t i) -> std::string {
    FolderImage& item = items[i];
    const TreeFile& f = *item.file;
    if (f.size == 0) return "empty file, not an image";
    if (f.size > kMaxImageFileBytes) return "image file larger than 20 MB";
    if (!stbi_info_from_memory(f.data, static_cast<int>(f.size), &item.width, &item.height,
                               &item.comp)) {
      return std::string("not a readable PNG or JPEG image (") + stbi_failure_reason() + ")";
    }
    return "";
  });
  const int width = items[0].width, height = items[0].height;
  int channels = 1;
  for (size_t i = 0; i < items.size(); ++i) {
    const FolderImage& item = items[i];
    require(item.width == width && item.height == height, item.file->where,
            std::to_string(item.width) + "x" + std::to_string(item.height) +
                " but the other images are " + std::to_string(width) + "x" +
                std::to_string(height));
    if (item.comp >= 3) channels = 3;
  }
  DataSource src;
  Dataset* splits[2] = {&src.train, &src.test};
  for (int s = 0; s < 2; ++s) {
    Dataset& d = *splits[s];
    d.name = root.empty() ? tree.name : base_name(root);
    d.class_names = classes;
    d.channels = channels;
    d.height = height;
    d.width = width;
    const size_t n = s == 0 ? train_count : items.size() - train_count;
    d.pixels.resize(n * d.image_bytes());
    d.labels.resize(n);
  }
  parallel_items(items.size(), items, [&](size_t i) -> std::string {
    const FolderImage& item = items[i];
    Image img = decode_image(item.file->data, item.file->size, item.file->where);
    if (img.width != width || img.height != height) return "image size changed while decoding";
    if (img.channels != channels) img = convert_channels(img, channels);
    Dataset& d = i < train_count ? src.train : src.test;
    const size_t k = i < train_count ? i : i - train_count;
    std::memcpy(d.pixels.data() + k * d.image_bytes(), img.pixels.data(), d.image_bytes());
    d.labels[k] = item.label;
    return "";
  });
  src.train.validate(root_where);
  src.origin = tree.location + (tree.archive ? " (image folder archive)" : " (image folder)");
  return src;
}

// ---- [SECTION] Entry points -------------------------------------------------------------------

const char* kFormats =
    "expected a CIFAR-10 binary folder or archive (data_batch_1.bin ...), an image folder or its "
    ".tar.gz (train/<class>/*.png|jpg), an IDX folder (train-images-idx3-ubyte ...) or a pack "
    "file";

DataSource load_tree(FileTree& tree) {
  // CIFAR-10 binary: the shallowest data_batch_1.bin.
  const TreeFile* cifar = nullptr;
  const TreeFile* idx = nullptr;
  for (const TreeFile& f : tree.files) {
    const std::string base = base_name(f.rel);
    const size_t depth = std::count(f.rel.begin(), f.rel.end(), '/');
    if (base == "data_batch_1.bin" &&
        (!cifar || depth < static_cast<size_t>(std::count(cifar->rel.begin(), cifar->rel.end(), '/')))) {
      cifar = &f;
    }
    if ((base.rfind("train-images-idx3-ubyte", 0) == 0 ||
         base.rfind("train-images.idx3-ubyte", 0) == 0) &&
        (!idx || depth < static_cast<size_t>(std::count(idx->rel.begin(), idx->rel.end(), '/')))) {
      idx = &f;
    }
  }
  if (cifar) return load_cifar_binary(tree, dir_name(cifar->rel));
  std::string root;
  if (find_image_folder_root(tree, root)) return load_image_folder(tree, root);
  if (idx) return load_idx(tree, dir_name(idx->rel));
  throw Error(tree.location, std::string("unknown dataset format: ") + kFormats);
}

DataSource load_archive_bytes(const uint8_t* tar, size_t size, const std::string& where) {
  FileTree tree = tree_of_tar(tar, size, where);
  require(!tree.files.empty(), where, "empty archive");
  return load_tree(tree);
}

}  // namespace

DataSource load_data_bytes(const uint8_t* bytes, size_t size, const std::string& where) {
  require(size > 0, where, "empty file");
  if (is_pack(bytes, size)) return read_pack_bytes(bytes, size, where);
  if (is_gzip(bytes, size)) {
    const std::vector<uint8_t> tar = gunzip(bytes, size, where);
    require(looks_like_tar(tar.data(), tar.size()), where,
            std::string("a gzip file that does not hold a tar archive: ") + kFormats);
    return load_archive_bytes(tar.data(), tar.size(), where);
  }
  if (looks_like_tar(bytes, size)) return load_archive_bytes(bytes, size, where);
  throw Error(where, std::string("unknown dataset format: ") + kFormats);
}

DataSource load_data(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  require(!ec && fs::exists(st), path, "no such file or directory");
  if (fs::is_directory(st)) {
    FileTree tree = tree_of_directory(path);
    require(!tree.files.empty(), path, std::string("empty folder: ") + kFormats);
    return load_tree(tree);
  }
  std::vector<uint8_t> bytes = read_file_bytes(path);
  if (is_gzip(bytes.data(), bytes.size())) {
    std::vector<uint8_t> tar = gunzip(bytes.data(), bytes.size(), path);
    std::vector<uint8_t>().swap(bytes);  // free the compressed copy before decoding
    require(looks_like_tar(tar.data(), tar.size()), path,
            std::string("a gzip file that does not hold a tar archive: ") + kFormats);
    return load_archive_bytes(tar.data(), tar.size(), path);
  }
  return load_data_bytes(bytes.data(), bytes.size(), path);
}

}  // namespace cnnlab
