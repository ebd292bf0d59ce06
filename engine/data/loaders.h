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
#include <string>

#include "data/dataset.h"

namespace cnnlab {

DataSource load_data(const std::string& path);

// The same for a file already in memory (a pack, a .tar/.tar.gz); `where` names it in errors.
DataSource load_data_bytes(const uint8_t* bytes, size_t size, const std::string& where);

// The ten Fashion-MNIST class names in label order ("T-shirt/top" ... "Ankle boot").
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace cnnlab
