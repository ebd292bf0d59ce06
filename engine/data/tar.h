// A minimal in-memory tar reader (POSIX ustar, GNU long names 'L', pax 'path' records): lists
// the regular files of an archive already in memory (after gunzip). Enough for dataset archives;
// links, devices and sparse files are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

struct TarEntry {
  std::string path;   // "cifar10/train/cat/0003.jpg" (no leading "./")
  size_t offset = 0;  // of the file's bytes within the archive
  size_t size = 0;
};

// True when the first 512 bytes are a tar header with a valid checksum.
bool looks_like_tar(const uint8_t* data, size_t size);

// Regular files in archive order. Throws Error(where, ...) on a corrupt header (bad checksum,
// bad size field) or a truncated archive. directories, when given, receives the paths of the
// archive's folder entries (type '5', without the trailing '/'): an empty folder has no file to
// show it (uploads name an empty class folder).
std::vector<TarEntry> list_tar(const uint8_t* data, size_t size, const std::string& where,
                               std::vector<std::string>* directories = nullptr);

}  // namespace cnnlab
