// Tar listing (see tar.h). Header layout (512-byte blocks): name[100] @0, size[12] @124,
// chksum[8] @148, typeflag @156, magic[6] @257 ("ustar\0" POSIX, "ustar " GNU), prefix[155] @345.
#include "data/tar.h"

#include <cstring>

#include "core/error.h"

namespace cnnlab {

namespace {

constexpr size_t kBlock = 512;

std::string field_string(const uint8_t* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != 0) ++len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

// Octal (space/NUL padded) or GNU base-256 (top bit of the first byte set). -1 when malformed.
long long parse_number(const uint8_t* p, size_t n) {
  if (p[0] & 0x80) {
    unsigned long long v = p[0] & 0x3F;
    for (size_t i = 1; i < n; ++i) {
      if (v >> 55) return -1;
      v = (v << 8) | p[i];
    }
    return static_cast<long long>(v);
  }
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  long long v = 0;
  bool any = false;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v >> 60) return -1;
    v = v * 8 + (p[i] - '0');
    any = true;
  }
  for (; i < n; ++i) {
    if (p[i] != ' ' && p[i] != 0) return -1;
  }
  return any ? v : 0;
}

bool checksum_ok(const uint8_t* h) {
  const long long stored = parse_number(h + 148, 8);
  if (stored < 0) return false;
  long long unsigned_sum = 0, signed_sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    const bool in_field = i >= 148 && i < 156;
    unsigned_sum += in_field ? ' ' : h[i];
    signed_sum += in_field ? ' ' : static_cast<signed char>(h[i]);
  }
  return stored == unsigned_sum || stored == signed_sum;
}

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i]) return false;
  }
  return true;
}

std::string clean_path(std::string p) {
  while (p.size() >= 2 && p[0] == '.' && p[1] == '/') p.erase(0, 2);
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  return p;
}

// The "path" record of a pax extended header ("<len> path=<value>\n" records), or "".
std::string pax_path(const uint8_t* p, size_t n, const std::string& where) {
  size_t pos = 0;
  std::string path;
  while (pos < n) {
    size_t len = 0, i = pos;
    while (i < n && p[i] >= '0' && p[i] <= '9') len = len * 10 + (p[i++] - '0');
    require(i < n && p[i] == ' ' && len > 0 && pos + len <= n, where,
            "corrupt pax extended header");
    const std::string record(reinterpret_cast<const char*>(p + i + 1), pos + len - (i + 1));
    if (record.compare(0, 5, "path=") == 0) {
      path = record.substr(5);
      if (!path.empty() && path.back() == '\n') path.pop_back();
    }
    pos += len;
  }
  return path;
}

}  // namespace

bool looks_like_tar(const uint8_t* data, size_t size) {
  return size >= kBlock && !all_zero(data, kBlock) && checksum_ok(data);
}

std::vector<TarEntry> list_tar(const uint8_t* data, size_t size, const std::string& where,
                               std::vector<std::string>* directories) {
  std::vector<TarEntry> entries;
  std::string long_name;  // from a GNU 'L' or pax 'x' header, applies to the next entry
  size_t pos = 0;
  while (pos + kBlock <= size) {
    const uint8_t* h = data + pos;
    if (all_zero(h, kBlock)) break;  // end-of-archive marker
    require(checksum_ok(h), where,
            "corrupt tar header at offset " + std::to_string(pos) + " (checksum mismatch)");
    const long long file_size = parse_number(h + 124, 12);
    require(file_size >= 0, where, "corrupt tar header at offset " + std::to_string(pos) +
                                       " (bad size field)");
    const size_t body = pos + kBlock;
    const size_t n = static_cast<size_t>(file_size);
    std::string name = field_string(h, 100);
    if (std::memcmp(h + 257, "ustar\0", 6) == 0) {  // POSIX: prefix + "/" + name
      const std::string prefix = field_string(h + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    require(n <= size - body, where,
            "truncated tar archive: '" + (long_name.empty() ? name : long_name) + "' needs " +
                std::to_string(n) + " bytes but only " + std::to_string(size - body) +
                " remain");
    const char type = static_cast<char>(h[156]);
    if (type == 'L') {
      long_name = field_string(data + body, n);
    } else if (type == 'x') {
      const std::string p = pax_path(data + body, n, where);
      if (!p.empty()) long_name = p;
    } else if (type == 'g' || type == 'K') {
      // global pax header, long link name: nothing we need
    } else {
      if (type == '0' || type == '\0' || type == '7') {
        entries.push_back({clean_path(long_name.empty() ? name : long_name), body, n});
      } else if (type == '5' && directories) {
        std::string dir = clean_path(long_name.empty() ? name : long_name);
        while (!dir.empty() && dir.back() == '/') dir.pop_back();
        if (!dir.empty() && dir != ".") directories->push_back(dir);
      }
      long_name.clear();
    }
    pos = body + (n + kBlock - 1) / kBlock * kBlock;
  }
  require(pos + kBlock <= size || pos >= size, where, "truncated tar archive (partial block)");
  return entries;
}

}  // namespace cnnlab
