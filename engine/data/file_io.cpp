// File reading and atomic writing (see file_io.h).
#include "data/file_io.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace cnnlab {

namespace fs = std::filesystem;

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  require(!ec && fs::exists(st), path, "no such file or directory");
  require(!fs::is_directory(st), path, "is a directory, expected a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes;
  const uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > 0) bytes.reserve(static_cast<size_t>(size));
  uint8_t buffer[1 << 16];
  while (true) {
    const size_t got = std::fread(buffer, 1, sizeof buffer, f);
    bytes.insert(bytes.end(), buffer, buffer + got);
    if (got < sizeof buffer) break;
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  require(!failed, path, "read error");
  return bytes;
}

void write_file_atomic(const std::string& path,
                       const std::vector<std::pair<const uint8_t*, size_t>>& pieces) {
  // Unique enough among concurrent writers of the same target: time in nanoseconds.
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string temp = path + ".tmp" + std::to_string(static_cast<long long>(stamp));
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (!f) throw Error(path, std::string("cannot create file: ") + std::strerror(errno));
  bool ok = true;
  for (const auto& piece : pieces) {
    if (piece.second && std::fwrite(piece.first, 1, piece.second, f) != piece.second) {
      ok = false;
      break;
    }
  }
  const int saved_errno = errno;
  ok = (std::fclose(f) == 0) && ok;
  std::error_code ec;
  if (!ok) {
    fs::remove(temp, ec);
    throw Error(path, std::string("write failed: ") + std::strerror(saved_errno));
  }
  fs::rename(temp, path, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(temp, ec);
    throw Error(path, "cannot replace the file: " + reason);
  }
}

}  // namespace cnnlab
