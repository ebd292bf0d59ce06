// Files, CRC-32 (slicing-by-8 tables built at compile time); see io.h.
#include "core/io.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace cnnlab {

namespace fs = std::filesystem;

// ---- [SECTION] Files ---------------------------------------------------------------------------

namespace {

// The file opened for reading, after the checks every reader makes.
std::FILE* open_for_reading(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  require(!ec && fs::exists(st), path, "no such file or directory");
  require(!fs::is_directory(st), path, "is a directory, expected a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  return f;
}

}  // namespace

uint64_t file_size_of(const std::string& path) {
  std::fclose(open_for_reading(path));
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  require(!ec, path, "cannot read its size: " + ec.message());
  return static_cast<uint64_t>(size);
}

void for_each_file_chunk(const std::string& path,
                         const std::function<void(const uint8_t*, size_t)>& fn) {
  std::FILE* f = open_for_reading(path);
  std::vector<uint8_t> buffer(size_t(1) << 20);
  try {
    while (true) {
      const size_t got = std::fread(buffer.data(), 1, buffer.size(), f);
      if (got > 0) fn(buffer.data(), got);
      if (got < buffer.size()) break;
    }
  } catch (...) {
    std::fclose(f);
    throw;
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  require(!failed, path, "read error");
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::vector<uint8_t> bytes;
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > 0) bytes.reserve(static_cast<size_t>(size));
  for_each_file_chunk(path, [&](const uint8_t* b, size_t n) { bytes.insert(bytes.end(), b, b + n); });
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

// ---- [SECTION] CRC-32 --------------------------------------------------------------------------
namespace {

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  }
  return t;
}

constexpr CrcTables kCrcTables = make_crc_tables();

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size, uint32_t seed) {
  // Raw rows: every index is masked to 0..255, and std::array's checked operator[] (on in the
  // sanitizer builds) compared each one, most of the checksum's time there.
  const uint32_t* t[8];
  for (size_t s = 0; s < 8; ++s) t[s] = kCrcTables[s].data();
  uint32_t c = ~seed;
  while (size >= 8) {
    const uint32_t lo = c ^ load_le32(data);
    const uint32_t hi = load_le32(data + 4);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    data += 8;
    size -= 8;
  }
  while (size--) c = t[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
  return ~c;
}

}  // namespace cnnlab
