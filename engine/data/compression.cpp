// Raw DEFLATE via stb_image's zlib decoder, and gzip framing with its trailer checks.
#include "data/compression.h"

#include <array>
#include <climits>
#include <cstring>

#include "core/error.h"
#include "core/io.h"

#define STBI_NO_STDIO
#include <stb_image.h>

namespace cnnlab {

namespace {

// stb_image 2.27's decoder reports "unexpected end" when the last Huffman codes sit in the final
// bytes of its input (it refills 16+ bits ahead), so it must be given some readable bytes after
// the stream: `slack` of them (>= 8). Size and CRC checks catch a stream that is really short.
std::vector<uint8_t> inflate_with_slack(const uint8_t* data, size_t size, size_t slack,
                                        size_t expected_size, const std::string& where) {
  require(size + slack <= static_cast<size_t>(INT_MAX) &&
              expected_size <= static_cast<size_t>(INT_MAX),
          where, "compressed data larger than 2 GB is not supported");
  std::vector<uint8_t> out(expected_size);
  char empty = 0;
  char* dst = expected_size ? reinterpret_cast<char*>(out.data()) : &empty;
  const int produced = stbi_zlib_decode_noheader_buffer(
      dst, static_cast<int>(expected_size), reinterpret_cast<const char*>(data),
      static_cast<int>(size + slack));
  if (produced < 0) {
    throw Error(where, "corrupt compressed data (DEFLATE stream does not decode to the expected " +
                           std::to_string(expected_size) + " bytes)");
  }
  if (static_cast<size_t>(produced) != expected_size) {
    throw Error(where, "compressed data decodes to " + std::to_string(produced) +
                           " bytes, expected " + std::to_string(expected_size) +
                           " (truncated or corrupt)");
  }
  return out;
}

constexpr size_t kSlack = 8;

}  // namespace

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t expected_size,
                                 const std::string& where) {
  std::vector<uint8_t> padded(size + kSlack, 0);
  if (size) std::memcpy(padded.data(), data, size);
  return inflate_with_slack(padded.data(), size, kSlack, expected_size, where);
}

bool is_gzip(const uint8_t* data, size_t size) {
  return size >= 2 && data[0] == 0x1F && data[1] == 0x8B;
}

std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, const std::string& where) {
  require(is_gzip(data, size), where, "not a gzip file (bad magic)");
  require(size >= 18, where, "truncated gzip file (" + std::to_string(size) + " bytes)");
  require(data[2] == 8, where, "unsupported gzip compression method " + std::to_string(data[2]));
  const uint8_t flags = data[3];
  require((flags & 0xE0) == 0, where, "corrupt gzip header (reserved flag bits set)");
  size_t pos = 10;
  const size_t body_end = size - 8;  // the trailer: CRC-32, then size mod 2^32
  auto need = [&](size_t n) {
    require(pos + n <= body_end, where, "truncated gzip header");
  };
  if (flags & 0x04) {  // FEXTRA
    need(2);
    const size_t xlen = static_cast<size_t>(data[pos]) | static_cast<size_t>(data[pos + 1]) << 8;
    pos += 2;
    need(xlen);
    pos += xlen;
  }
  for (uint8_t bit : {uint8_t{0x08}, uint8_t{0x10}}) {  // FNAME, FCOMMENT: zero-terminated
    if (flags & bit) {
      while (true) {
        need(1);
        if (data[pos++] == 0) break;
      }
    }
  }
  if (flags & 0x02) {  // FHCRC
    need(2);
    pos += 2;
  }
  const uint32_t stored_crc = load_le32(data + body_end);
  const uint32_t stored_size = load_le32(data + body_end + 4);
  // DEFLATE cannot expand more than ~1032:1; a larger claim means a corrupt or truncated file.
  const size_t compressed = body_end - pos;
  require(static_cast<double>(stored_size) <= 1032.0 * static_cast<double>(compressed) + 1024.0,
          where, "truncated or corrupt gzip file (size trailer " + std::to_string(stored_size) +
                     " bytes is impossible for " + std::to_string(compressed) +
                     " compressed bytes)");
  std::vector<uint8_t> out;
  try {
    out = inflate_with_slack(data + pos, compressed, kSlack, stored_size, where);  // the trailer
  } catch (const Error&) {
    throw Error(where, "truncated or corrupt gzip file (data does not decode to the " +
                           std::to_string(stored_size) + " bytes its trailer records)");
  }
  const uint32_t actual_crc = crc32(out.data(), out.size());
  require(actual_crc == stored_crc, where,
          "gzip CRC-32 mismatch (corrupt file): stored " + std::to_string(stored_crc) +
              ", computed " + std::to_string(actual_crc));
  return out;
}

}  // namespace cnnlab
