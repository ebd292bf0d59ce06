// Compression primitives shared by the data loaders (gzip archives) and the .npz reader (zip
// entries): raw DEFLATE inflate (stb_image's zlib decoder, so no extra dependency), gzip
// decoding with header parsing and CRC/size trailer checks (CRC-32 itself is in core/io.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

// Inflates a raw DEFLATE stream (RFC 1951, no zlib or gzip header) whose decompressed size is
// known exactly (zip entries store it). Throws Error(where, ...) when the stream is corrupt or
// does not decompress to exactly expected_size bytes. Sizes are limited to 2 GB - 1. A stream
// cut short can occasionally still decode to the right size, so zip readers should also
// compare crc32() of the output with the entry's stored CRC.
std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t expected_size,
                                 const std::string& where);

// True when the bytes start with the gzip magic (1f 8b).
bool is_gzip(const uint8_t* data, size_t size);

// Decodes a single-member gzip file (RFC 1952): parses the header (FEXTRA, FNAME, FCOMMENT,
// FHCRC), inflates, and checks the CRC-32 and size trailer. Throws Error(where, ...) on a bad
// magic, truncation, corrupt data or a trailer mismatch.
std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, const std::string& where);

}  // namespace cnnlab
