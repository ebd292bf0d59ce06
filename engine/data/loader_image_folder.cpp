// Image folders: root/train/<class>/*.png|jpg|jpeg and root/test/<class>/..., optional
// classes.txt; headers and pixels decoded in parallel with stb_image (see loaders.h).
#include "data/loader_formats.h"

#include <cstring>
#include <map>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/thread_pool.h"
#include "data/image.h"

#define STBI_NO_STDIO
#include <stb_image.h>

namespace cnnlab {
namespace loading {

namespace {

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

}  // namespace

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
    if (f.size > kMaxImageFileBytes)
      return "image file is " + std::to_string(f.size) + " bytes, larger than the 20 MB limit (" +
             std::to_string(kMaxImageFileBytes) + " bytes)";
    std::string problem;
    if (!read_image_info(f.data, f.size, &item.width, &item.height, &item.comp, &problem)) {
      return "not a readable PNG or JPEG image (" + problem + ")";
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

}  // namespace loading
}  // namespace cnnlab
