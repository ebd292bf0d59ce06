// load_data: one entry point that recognises the format of a path and loads both splits.
//   - CIFAR-10 binary: folder cifar-10-batches-bin/ (data_batch_1..5.bin, test_batch.bin, records
//     of 1 label byte + 3,072 pixel bytes, planes R, G, B; batches.meta.txt with the class names)
//     or the official archive cifar-10-binary.tar.gz. Name "cifar10".
//   - Image folder: root/train/<class>/*.png|jpg|jpeg and root/test/<class>/..., optional
//     root/classes.txt (one name a line, label order; otherwise sorted folder names), as a folder
//     or a .tar/.tar.gz whose files sit under root/ (e.g. cifar10/). Name: the root folder's name.
//     Images must all have one size; gray images give 1 channel unless any image has colour.
//     Files and folders whose names start with '.' are ignored.
//   - IDX: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
//     t10k-labels-idx1-ubyte (each optionally .gz; '.' instead of '-' before "idx" accepted).
//     Fashion-MNIST (recognised by its folder name or its label sequence) is named
//     "fashion-mnist" with its ten class names; MNIST "mnist" with digits; else the folder name.
//   - Pack file (pack.h).
// Every problem is a cnnlab::Error naming the file (inside an archive: "entry (in archive)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "data/dataset.h"

namespace cnnlab {

DataSource load_data(const std::string& path);

// The same for a file already in memory (a pack, a .tar/.tar.gz); `where` names it in errors.
DataSource load_data_bytes(const uint8_t* bytes, size_t size, const std::string& where);

// ---- A dataset the student brings (the page's "Load dataset", api.loadDataset) ---------------
// An archive of an image folder (.tar, .tar.gz; the page turns a .zip into a tar first, see
// web/page/zip-archive.js) in any of these layouts, with or without one top-level folder (as
// archivers make them; several nested single folders are looked through):
//   train/<class>/<image> [+ test/<class>/<image>]   the test split as given
//   <class>/<image>                                  a stratified test split is set aside
//                                                    (kUploadTestFraction of each class)
// PNG or JPEG images of any sizes and modes: each is centre-cropped to the input's aspect and
// resized (fit_image_to_input), grey or colour converted to the input's channels. Hidden files
// and folders ('.'), __MACOSX/ (macOS archivers), Thumbs.db, desktop.ini and classes.txt (the
// classes are the folders, in name order) are skipped; any
// other file outside a class folder, or not a .png/.jpg/.jpeg, is refused naming it. A pack is
// taken as it is (already a dataset, of its own shape).
struct UploadInput {
  int channels = 3, height = 32, width = 32;  // 32x32 colour (CIFAR-10's), or 28x28 grey
  // "32x32 colour" / "28x28 grey"
  std::string label() const;
  // Throws Error(where, ...) unless channels is 1 or 3 and each side 8..256.
  void validate(const std::string& where) const;
};

// The limits on what an upload may hold (docs/limits.md), each checked before the memory it
// would take is given: the archive file itself, the bytes its files expand to (a .tar.gz's
// size trailer, read before inflating; a .zip's declared sizes, read by the page before
// inflating), its files, and its classes.
constexpr uint64_t kMaxUploadArchiveBytes = 500ull * 1024 * 1024;   // 524,288,000
constexpr uint64_t kMaxUploadExpandedBytes = 500ull * 1024 * 1024;  // 524,288,000
constexpr size_t kMaxUploadFiles = 200000;
constexpr size_t kMaxUploadClasses = 100;
constexpr float kUploadTestFraction = 0.2f;
constexpr uint64_t kUploadSplitSeed = 20240611;  // the same test split on every load

// Throws Error(where, ...) naming the limit when an archive of `files` files expanding to
// `expanded_bytes` is past kMaxUploadFiles / kMaxUploadExpandedBytes.
void check_upload_archive(uint64_t files, uint64_t expanded_bytes, const std::string& where);

// How far an upload's decoding is: `decoded` of `total` images (called after the first image,
// then about every 2 % of them, and after the last; never for a pack, which holds no encoded
// images). The page's progress bar while a big archive is read.
using UploadProgress = std::function<void(size_t decoded, size_t total)>;

// Reads an upload (a .tar, .tar.gz or pack in memory; `name` is the file's name, used in every
// message and as the dataset's name). Everything is checked before anything is returned, so a
// refusal leaves the caller's dataset as it was. Throws Error naming the file (inside an
// archive: "entry (in name)") and the reason. progress (optional) hears of every step of the
// decoding.
DataSource load_upload_bytes(const uint8_t* bytes, size_t size, const std::string& name,
                             const UploadInput& input, const UploadProgress& progress = nullptr);

// The ten Fashion-MNIST class names in label order ("T-shirt/top" ... "Ankle boot").
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace cnnlab
