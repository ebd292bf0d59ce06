// Single images for `cnnlab predict` and the browser's photo upload: PNG/JPEG decoding
// (stb_image), centre crop, resizing with proper filtering, RGB <-> gray. Pixels are uint8
// planes (C, H, W), the layout of Dataset images.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

struct Image {
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // (C, H, W)
};

// Limits for untrusted uploads; larger inputs are refused with a clear Error.
constexpr size_t kMaxImageFileBytes = 20u * 1024u * 1024u;  // 20 MB
constexpr int kMaxImageSide = 8000;                          // pixels

// Width, height and components (1..4) of a PNG or JPEG from its header, as stb_image reads them,
// after checking what stb_image does not (every JPEG Huffman table within JPEG's 256 codes, every
// PNG chunk within the file, so a claimed length is never reserved).
// False with *problem set ("bad DHT header", ...) when the header is unreadable.
bool read_image_info(const uint8_t* bytes, size_t size, int* width, int* height, int* components,
                     std::string* problem);
// Decodes a PNG or JPEG. Gray (and gray+alpha) gives 1 channel, colour gives 3; alpha is
// composited over white (what a transparent picture looks like on a page). Throws
// Error(where, ...) when the bytes are not a PNG/JPEG, are corrupt, or exceed the limits.
Image decode_image(const uint8_t* bytes, size_t size, const std::string& where);
// Encodes uint8 planes (C, H, W), C = 1 or 3, as a baseline JPEG (stb_image_write) at quality
// 1..100 (at 90 and below the two colour planes are stored at half resolution, 4:2:0). The
// header up to the scan (tables, size) depends only on C, H, W and the quality.
std::vector<uint8_t> encode_jpeg(const uint8_t* planes, int channels, int height, int width,
                                 int quality);
// Encodes uint8 planes (C, H, W), C = 1 or 3, as a PNG (lossless; stb_image_write).
std::vector<uint8_t> encode_png(const uint8_t* planes, int channels, int height, int width);
Image load_image(const std::string& path);
// Peak signal-to-noise ratio of n uint8 values against the originals, in dB: 10 log10(255^2 /
// mean squared error); infinite when they are equal.
double pixel_psnr(const uint8_t* decoded, const uint8_t* original, size_t n);

// The central square (side min(H, W); the extra row/column goes to the bottom/right).
Image center_crop_square(const Image& image);
// To height x width. Per axis: area averaging when shrinking (every source pixel counts, no
// aliasing), bilinear (pixel centres, edge clamped) when enlarging. Sizes must be >= 1.
Image resize_image(const Image& image, int height, int width);
// A photo as a model takes it: channels converted (convert_channels), the central region with the
// target's aspect ratio cropped (a square for 32x32; the extra row/column goes to the
// bottom/right), then resized to height x width (resize_image: area averaging when shrinking, so
// a 4000 px photo does not alias). What the lab's "classify your own photo" feeds the model.
Image fit_image_to_input(const Image& image, int channels, int height, int width);
// 3 -> 1: luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601); 1 -> 3: gray copied to R, G, B.
Image convert_channels(const Image& image, int channels);

}  // namespace cnnlab
