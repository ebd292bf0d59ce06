// Whole-file reading and atomic writing with errors that name the file. Atomic: the bytes go to
// a temporary file beside the target, which is renamed over it only once everything is written,
// so a failure (full disk, bad input found midway) never leaves a partial file behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cnnlab {

// The whole file. Throws Error(path, ...) when it is missing, a directory or unreadable.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Writes the concatenation of `pieces` (pointer, size) to `path` atomically (temp + rename).
// Throws Error(path, ...) on failure, after removing the temporary file.
void write_file_atomic(const std::string& path,
                       const std::vector<std::pair<const uint8_t*, size_t>>& pieces);

}  // namespace cnnlab
