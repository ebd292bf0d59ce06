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
#include <stb_image.h>
