// The one translation unit that compiles stb_image (Debian's libstb-dev header). Restricted to
// PNG and JPEG (the PNG decoder brings the zlib inflate that compression.cpp uses) and to
// in-memory decoding: the engine reads files itself so errors name the file.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
// Photos larger than this are refused before any decoding (decode_image also checks).
#define STBI_MAX_DIMENSIONS 16384
// Every buffer stb_image allocates starts zeroed. A corrupt JPEG can leave parts of stb_image's
// state or output unwritten (a Huffman table no DHT defined, blocks no scan reached), which it
// then reads back: with a plain malloc that is whatever the allocator held, so the same bytes
// decoded to different pixels on each read (found by fuzz_pack: a pack read whole and in pieces
// disagreed). Zeroed, a corrupt image decodes the same way every time. (realloc only grows
// buffers stb_image writes before it reads them.)
#include <cstdlib>
#define STBI_MALLOC(size) std::calloc(1, size)
#define STBI_REALLOC(pointer, size) std::realloc(pointer, size)
#define STBI_FREE(pointer) std::free(pointer)
#include <stb_image.h>
