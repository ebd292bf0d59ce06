// A dataset the student brings (loaders.h, load_upload_bytes): an image-folder tree in any of its
// layouts, every image fitted to one input size. Unlike load_image_folder (a prepared dataset:
// one image size, both splits given), an upload is whatever a phone or a folder of downloads
// holds: images of any size and mode, perhaps no test split, perhaps one top-level folder.
//
// [SECTION] Layout      which folder holds the classes, which files are images of which class
// [SECTION] Decoding    each image decoded, cropped and resized; the test split when none is given
#include <cstring>
#include <map>
#include <set>

#include "core/error.h"
#include "data/image.h"
#include "data/loader_formats.h"
#include "data/split.h"

namespace cnnlab {
namespace loading {

namespace {

// ---- [SECTION] Layout -------------------------------------------------------------------------

bool upload_is_image_name(const std::string& file) {
  const std::string l = lower(file);
  for (const char* ext : {".png", ".jpg", ".jpeg"}) {
    const size_t n = std::strlen(ext);
    if (l.size() > n && l.compare(l.size() - n, n, ext) == 0) return true;
  }
  return false;
}

// What archivers and file browsers leave behind, never part of a dataset.
bool upload_is_litter(const std::string& rel) {
  const std::vector<std::string> parts = split_components(rel);
  if (parts[0] == "__MACOSX") return true;
  const std::string base = lower(parts.back());
  return base == "thumbs.db" || base == "desktop.ini";
}

struct UploadFile {
  const TreeFile* file;
  int split;          // 0 train, 1 test
  std::string klass;  // its class folder's name
};

// The folder the dataset starts at: the top, or the single folder that holds everything (again,
// while there is only one), as "zip -r pets.zip pets/" makes it.
std::string upload_root(const std::vector<const TreeFile*>& files,
                        const std::vector<std::string>& folders) {
  std::string root;
  for (;;) {
    const std::string prefix = root.empty() ? "" : root + "/";
    std::string only;
    bool single = true;
    for (const TreeFile* f : files) {
      const std::vector<std::string> parts = split_components(f->rel.substr(prefix.size()));
      // A file right at this level: the classes (or train/) start here.
      if (parts.size() < 3) return root;
      if (only.empty()) only = parts[0];
      if (parts[0] != only) single = false;
    }
    // An empty folder beside the one that holds the files is a class too (then refused).
    for (const std::string& d : folders) {
      if (d.compare(0, prefix.size(), prefix) != 0 || d.size() <= prefix.size()) continue;
      const std::string first = split_components(d.substr(prefix.size()))[0];
      if (!only.empty() && first != only) single = false;
    }
    if (!single || only.empty() || only == "train" || only == "test") return root;
    root = join(root, only);
  }
}

}  // namespace

// ---- [SECTION] Decoding -----------------------------------------------------------------------

DataSource load_image_upload(FileTree& tree, const UploadInput& input, const UploadProgress& progress) {
  input.validate(tree.location);
  // A classes.txt beside the class folders (an archive made for `cnnlab`) is left aside: an
  // upload's classes are its folders, in name order.
  std::vector<const TreeFile*> files;
  for (const TreeFile& f : tree.files) {
    if (!upload_is_litter(f.rel) && base_name(f.rel) != "classes.txt") files.push_back(&f);
  }
  std::vector<std::string> folders;
  for (const std::string& d : tree.folders) {
    if (!upload_is_litter(d)) folders.push_back(d);
  }
  const char* kLayout =
      "expected <class>/<image> or train/<class>/<image> (and test/<class>/<image>)";
  require(!files.empty(), tree.location, std::string("no images in the archive: ") + kLayout);
  const std::string root = upload_root(files, folders);
  const std::string prefix = root.empty() ? "" : root + "/";
  // train/ at the root: the splits as given; otherwise every folder is a class.
  bool given_splits = false;
  for (const TreeFile* f : files) {
    if (f->rel.compare(0, prefix.size() + 6, prefix + "train/") == 0) given_splits = true;
  }
  std::vector<UploadFile> images;
  std::set<std::string> classes;
  for (const TreeFile* f : files) {
    const std::vector<std::string> parts = split_components(f->rel.substr(prefix.size()));
    int split = 0;
    size_t at = 0;  // the class folder's component
    if (given_splits) {
      require(parts[0] == "train" || parts[0] == "test", f->where,
              "is outside train/ and test/ (" + std::string(kLayout) + ")");
      split = parts[0] == "test" ? 1 : 0;
      at = 1;
    }
    require(parts.size() >= at + 2, f->where,
            std::string("is not inside a class folder (") + kLayout + ")");
    require(parts.size() == at + 2, f->where,
            std::string("is in a folder inside a class folder (") + kLayout + ")");
    require(upload_is_image_name(parts[at + 1]), f->where,
            "is not an image: a class folder may hold only .png, .jpg or .jpeg files");
    if (split == 0) classes.insert(parts[at]);
    images.push_back({f, split, parts[at]});
  }
  // Class folders without any image (an empty folder is listed by the archive, not by a file).
  for (const std::string& d : folders) {
    if (d.compare(0, prefix.size(), prefix) != 0 || d.size() <= prefix.size()) continue;
    const std::vector<std::string> parts = split_components(d.substr(prefix.size()));
    const size_t depth = given_splits ? 2 : 1;
    if (parts.size() != depth || (given_splits && parts[0] != "train")) continue;
    require(classes.count(parts.back()) != 0, d + "/ (in " + tree.location + ")",
            "class folder '" + parts.back() + "' has no images");
  }
  const std::string root_where = root.empty() ? tree.location : root + "/ (in " + tree.location + ")";
  require(!classes.empty(), root_where,
          std::string("no training images: ") + kLayout);
  require(classes.size() >= 2, root_where,
          "only one class ('" + *classes.begin() +
              "'): a classifier needs at least 2 class folders, one per kind of image");
  require(classes.size() <= kMaxUploadClasses, root_where,
          std::to_string(classes.size()) + " class folders, more than the " +
              std::to_string(kMaxUploadClasses) + " an uploaded dataset may have");
  std::map<std::string, uint8_t> label_of;
  std::vector<std::string> class_names(classes.begin(), classes.end());
  for (size_t i = 0; i < class_names.size(); ++i) label_of[class_names[i]] = static_cast<uint8_t>(i);
  for (const UploadFile& image : images) {
    require(label_of.count(image.klass) != 0, image.file->where,
            "class folder 'test/" + image.klass + "' has no training images in train/" +
                image.klass + "/");
  }

  // Every image decoded, cropped and resized; each file's problem names it. One pass, one image
  // in memory at a time beside the dataset (the worker's heap never shrinks).
  Dataset all[2];
  for (Dataset& d : all) {
    d.name = root.empty() ? tree.name : base_name(root);
    d.class_names = class_names;
    d.channels = input.channels;
    d.height = input.height;
    d.width = input.width;
  }
  size_t count[2] = {0, 0};
  for (const UploadFile& image : images) ++count[image.split];
  for (int s = 0; s < 2; ++s) {
    all[s].pixels.reserve(count[s] * all[s].image_bytes());
    all[s].labels.reserve(count[s]);
  }
  // Progress after the first image, about every 2 % and after the last (UploadProgress).
  const size_t total = images.size();
  const size_t progress_every = std::max<size_t>(1, total / 50);
  size_t images_done = 0;
  for (const UploadFile& image : images) {
    const TreeFile& f = *image.file;
    require(f.size > 0, f.where, "empty file, not an image");
    require(f.size <= kMaxImageFileBytes, f.where,
            "image file is " + std::to_string(f.size) + " bytes, larger than the 20 MB limit (" +
                std::to_string(kMaxImageFileBytes) + " bytes)");
    const Image decoded = decode_image(f.data, f.size, f.where);
    const Image fitted = fit_image_to_input(decoded, input.channels, input.height, input.width);
    Dataset& d = all[image.split];
    d.pixels.insert(d.pixels.end(), fitted.pixels.begin(), fitted.pixels.end());
    d.labels.push_back(label_of[image.klass]);
    ++images_done;
    if (progress && (images_done == 1 || images_done % progress_every == 0 || images_done == total))
      progress(images_done, total);
  }
  DataSource src;
  if (count[1] > 0) {
    src.train = std::move(all[0]);
    src.test = std::move(all[1]);
  } else {
    // No test/: kUploadTestFraction of each class set aside, the same on every load.
    const Split split = stratified_split(all[0], kUploadTestFraction, kUploadSplitSeed);
    require(!split.val.empty(), root_where,
            "too few images to set a test split aside (" + std::to_string(all[0].size()) +
                "): give each class at least 3 images, or add test/<class>/ folders");
    src.train = select(all[0], split.train);
    src.test = select(all[0], split.val);
  }
  src.train.validate(root_where);
  src.test.validate(root_where);
  src.origin = tree.location + " (" + input.label() + ")";
  return src;
}

}  // namespace loading
}  // namespace cnnlab
