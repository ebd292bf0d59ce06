// encode_jpeg, encode_png (data/image.h): stb_image_write's encoders (Debian's libstb-dev), compiled here
// with internal linkage (tests and the app's screenshot code compile their own copies). Its bit
// writer shifts negative ints left (defined in C++20, intended by stb): under the sanitizers this
// file is built without the shift-base check (CMakeLists.txt).
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "data/image.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace cnnlab {

namespace {

// stb_image_write takes interleaved pixels (H, W, C); ours are planes (C, H, W).
std::vector<uint8_t> interleave(const uint8_t* planes, int channels, int height, int width) {
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  std::vector<uint8_t> interleaved(plane * static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < plane; ++i)
      interleaved[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] =
          planes[static_cast<size_t>(c) * plane + i];
  return interleaved;
}

void append_bytes(void* context, void* data, int size) {
  auto* bytes = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  bytes->insert(bytes->end(), p, p + size);
}

}  // namespace

std::vector<uint8_t> encode_jpeg(const uint8_t* planes, int channels, int height, int width,
                                 int quality) {
  require(channels == 1 || channels == 3, "jpeg", "channels must be 1 or 3");
  require(quality >= 1 && quality <= 100, "jpeg", "quality must be 1..100");
  const std::vector<uint8_t> interleaved = interleave(planes, channels, height, width);
  std::vector<uint8_t> out;
  require(stbi_write_jpg_to_func(append_bytes, &out, width, height, channels, interleaved.data(),
                                 quality) != 0,
          "jpeg", "stb_image_write could not encode the image");
  return out;
}

std::vector<uint8_t> encode_png(const uint8_t* planes, int channels, int height, int width) {
  require(channels == 1 || channels == 3, "png", "channels must be 1 or 3");
  require(height >= 1 && width >= 1, "png", "the image must be at least 1x1");
  const std::vector<uint8_t> interleaved = interleave(planes, channels, height, width);
  std::vector<uint8_t> out;
  require(stbi_write_png_to_func(append_bytes, &out, width, height, channels, interleaved.data(),
                                 width * channels) != 0,
          "png", "stb_image_write could not encode the image");
  return out;
}

}  // namespace cnnlab
