// encode_jpeg (data/image.h): stb_image_write's JPEG encoder (Debian's libstb-dev), compiled here
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

std::vector<uint8_t> encode_jpeg(const uint8_t* planes, int channels, int height, int width,
                                 int quality) {
  require(channels == 1 || channels == 3, "jpeg", "channels must be 1 or 3");
  require(quality >= 1 && quality <= 100, "jpeg", "quality must be 1..100");
  // stb_image_write takes interleaved pixels (H, W, C).
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  std::vector<uint8_t> interleaved(plane * static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < plane; ++i)
      interleaved[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] =
          planes[static_cast<size_t>(c) * plane + i];
  std::vector<uint8_t> out;
  auto append = [](void* context, void* data, int size) {
    auto* bytes = static_cast<std::vector<uint8_t>*>(context);
    const auto* p = static_cast<const uint8_t*>(data);
    bytes->insert(bytes->end(), p, p + size);
  };
  require(stbi_write_jpg_to_func(append, &out, width, height, channels, interleaved.data(),
                                 quality) != 0,
          "jpeg", "stb_image_write could not encode the image");
  return out;
}

}  // namespace cnnlab
