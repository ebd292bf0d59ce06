// Image decoding (stb_image, compiled in stb_image_impl.cpp), crop, resize, channel conversion.
#include "data/image.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/io.h"

#define STBI_NO_STDIO
#include <stb_image.h>

namespace cnnlab {

namespace {

bool is_png_or_jpeg(const uint8_t* b, size_t n) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (n >= 8 && std::memcmp(b, png, 8) == 0) return true;
  return n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

// stb_image (Debian's 2022-09 copy) trusts a JPEG's Huffman tables in two ways that a corrupt
// file breaks, so every DHT table and every scan of the file are checked here first:
// - it builds a table from its 16 code-length counts without checking that they add up to at
//   most 256 symbols (JPEG's own limit, and the size of its arrays): a corrupt DHT segment
//   writes past them;
// - it decodes a scan with whatever table its header names, defined or not: an undefined one is
//   uninitialised memory (an assertion in a debug build, different pixels on each read in a
//   release one).
// Marker layout: ITU T.81 B.1.1; DHT B.2.4.2; SOF B.2.2; SOS B.2.3. Returns "" or what is wrong.
std::string jpeg_huffman_problem(const uint8_t* b, size_t n) {
  // Which tables the file has defined so far: bit `id` of [0] for DC tables, of [1] for AC.
  unsigned defined[2] = {0, 0};
  bool progressive = false;
  size_t pos = 2;  // after SOI (FF D8)
  while (pos + 1 < n) {
    if (b[pos] != 0xFF) {  // entropy-coded data of a scan: the next marker follows an FF
      ++pos;
      continue;
    }
    const uint8_t marker = b[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    // FF 00 (a stuffed FF in a scan), RSTn, SOI, TEM: no segment.
    if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD8) || marker == 0x01) {
      pos += 2;
      continue;
    }
    if (marker == 0xD9) return "";  // EOI
    if (pos + 4 > n) return "";     // cut short: stb_image says so
    const size_t length = static_cast<size_t>(b[pos + 2]) << 8 | b[pos + 3];
    if (marker == 0xC4) {
      // As stb_image reads it: tables while the declared length lasts, bytes past the end of
      // the file read as 0 (so a table cut short still counts what it has).
      const auto at = [&](size_t i) -> size_t { return i < n ? b[i] : 0; };
      for (size_t t = pos + 4; t < pos + 2 + length;) {
        size_t symbols = 0;
        for (size_t i = 1; i <= 16; ++i) symbols += at(t + i);
        if (symbols > 256) {
          return "Huffman table " + std::to_string(at(t) & 15) + " at byte " + std::to_string(t) +
                 " lists " + std::to_string(symbols) + " codes, JPEG allows at most 256";
        }
        if (at(t) >> 4 <= 1 && (at(t) & 15) <= 3) defined[at(t) >> 4] |= 1u << (at(t) & 15);
        t += 17 + symbols;
      }
    }
    if (marker == 0xC2) progressive = true;
    if (marker == 0xDA && pos + 5 <= n) {
      // Ns, then per component (id, DC table << 4 | AC table), then Ss, Se, Ah << 4 | Al.
      const size_t components = b[pos + 4];
      const size_t after = pos + 5 + 2 * components;
      if (after + 3 <= n) {
        const unsigned first_coefficient = b[after], dc_refinement = b[after + 2] >> 4;
        // A baseline scan uses both tables; a progressive one its DC tables (first DC pass only)
        // or its AC tables.
        const bool uses_dc = !progressive || (first_coefficient == 0 && dc_refinement == 0);
        const bool uses_ac = !progressive || first_coefficient > 0;
        for (size_t c = 0; c < components; ++c) {
          const unsigned tables = b[pos + 6 + 2 * c];
          const unsigned ids[2] = {tables >> 4, tables & 15};
          const bool used[2] = {uses_dc, uses_ac};
          for (int kind = 0; kind < 2; ++kind) {
            if (used[kind] && (ids[kind] > 3 || !(defined[kind] >> ids[kind] & 1u))) {
              return std::string("the scan at byte ") + std::to_string(pos) + " uses " +
                     (kind == 0 ? "DC" : "AC") + " Huffman table " + std::to_string(ids[kind]) +
                     ", which the file does not define before it";
            }
          }
        }
      }
    }
    pos += 2 + length;
  }
  return "";
}

// stb_image reserves a PNG chunk's claimed length before reading it (an IDAT claiming 1.6 GB in a
// 1 kB file: found by fuzz_tar), so every chunk's length is checked against the bytes that
// follow it first. An empty IDAT before any image data is refused too: stb_image copies its 0
// bytes into an image buffer it has not reserved yet (a null pointer: undefined behaviour, found
// by fuzz_image); no encoder writes one. Returns "" or what is wrong. Layout: PNG spec 5.3
// (length, type, data, CRC).
std::string png_chunk_problem(const uint8_t* b, size_t n) {
  bool image_data_seen = false;
  for (size_t pos = 8; pos + 8 <= n;) {
    const uint64_t length = static_cast<uint64_t>(b[pos]) << 24 | static_cast<uint64_t>(b[pos + 1]) << 16 |
                            static_cast<uint64_t>(b[pos + 2]) << 8 | b[pos + 3];
    const std::string type(reinterpret_cast<const char*>(b + pos + 4), 4);
    const uint64_t left = n - pos - 8;
    if (length > left) {
      return "PNG chunk '" + type + "' at byte " + std::to_string(pos) + " claims " +
             std::to_string(length) + " bytes, the file has " + std::to_string(left) + " left";
    }
    if (type == "IDAT") {
      if (length == 0 && !image_data_seen) {
        return "PNG chunk 'IDAT' at byte " + std::to_string(pos) +
               " is empty and comes before any image data";
      }
      image_data_seen = image_data_seen || length > 0;
    }
    if (type == "IEND") return "";
    pos += 12 + length;
  }
  return "";
}

}  // namespace

bool read_image_info(const uint8_t* bytes, size_t size, int* width, int* height, int* components,
                     std::string* problem) {
  if (size > static_cast<size_t>(INT_MAX)) {
    *problem = "too large";
    return false;
  }
  if (size >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) {
    *problem = jpeg_huffman_problem(bytes, size);
    if (!problem->empty()) return false;
  }
  if (size >= 8 && bytes[0] == 0x89 && bytes[1] == 'P') {
    *problem = png_chunk_problem(bytes, size);
    if (!problem->empty()) return false;
  }
  if (!stbi_info_from_memory(bytes, static_cast<int>(size), width, height, components)) {
    *problem = stbi_failure_reason();
    return false;
  }
  return true;
}

Image decode_image(const uint8_t* bytes, size_t size, const std::string& where) {
  require(size > 0, where, "empty file, not an image");
  require(size <= kMaxImageFileBytes, where,
          "image file is " + std::to_string(size) + " bytes, larger than the 20 MB limit (" +
              std::to_string(kMaxImageFileBytes) + " bytes)");
  require(is_png_or_jpeg(bytes, size), where, "not a PNG or JPEG image");
  int w = 0, h = 0, comp = 0;
  const int len = static_cast<int>(size);
  std::string problem;
  if (!read_image_info(bytes, size, &w, &h, &comp, &problem)) {
    throw Error(where, "corrupt image (" + problem + ")");
  }
  require(w <= kMaxImageSide && h <= kMaxImageSide, where,
          "image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, larger than the " +
              std::to_string(kMaxImageSide) + " px limit per side");
  int dw = 0, dh = 0, dcomp = 0;
  const int want = comp <= 2 ? comp : 4;  // keep alpha so it can be composited
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_memory(bytes, len, &dw, &dh, &dcomp, want), stbi_image_free);
  if (!data) throw Error(where, std::string("corrupt image (") + stbi_failure_reason() + ")");
  Image img;
  img.channels = comp <= 2 ? 1 : 3;
  img.height = dh;
  img.width = dw;
  const size_t plane = static_cast<size_t>(dh) * static_cast<size_t>(dw);
  img.pixels.resize(plane * static_cast<size_t>(img.channels));
  const stbi_uc* src = data.get();
  const bool alpha = comp == 2 || comp == 4;
  for (size_t i = 0; i < plane; ++i) {
    const stbi_uc* px = src + i * static_cast<size_t>(want);
    const int a = alpha ? px[want - 1] : 255;
    for (int c = 0; c < img.channels; ++c) {
      int v = px[c];
      if (alpha) v = (v * a + 255 * (255 - a) + 127) / 255;  // over white
      img.pixels[static_cast<size_t>(c) * plane + i] = static_cast<uint8_t>(v);
    }
  }
  return img;
}

double pixel_psnr(const uint8_t* decoded, const uint8_t* original, size_t n) {
  double squared = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(decoded[i]) - double(original[i]);
    squared += d * d;
  }
  if (squared == 0) return INFINITY;
  return 10.0 * std::log10(255.0 * 255.0 * double(n) / squared);
}

Image load_image(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return decode_image(bytes.data(), bytes.size(), path);
}

Image center_crop_square(const Image& image) {
  const int side = std::min(image.height, image.width);
  const int top = (image.height - side) / 2, left = (image.width - side) / 2;
  Image out;
  out.channels = image.channels;
  out.height = out.width = side;
  out.pixels.resize(static_cast<size_t>(image.channels) * side * side);
  for (int c = 0; c < image.channels; ++c) {
    for (int y = 0; y < side; ++y) {
      const uint8_t* src = image.pixels.data() +
                           (static_cast<size_t>(c) * image.height + top + y) * image.width + left;
      std::memcpy(out.pixels.data() + (static_cast<size_t>(c) * side + y) * side, src,
                  static_cast<size_t>(side));
    }
  }
  return out;
}

namespace {

// Resampling of one axis as a sparse matrix: output o = sum_k weight[k] * input[first[o] + k].
struct AxisWeights {
  std::vector<int> first, count;
  std::vector<std::vector<float>> weight;
};

AxisWeights axis_weights(int in, int out) {
  AxisWeights a;
  a.first.resize(static_cast<size_t>(out));
  a.count.resize(static_cast<size_t>(out));
  a.weight.resize(static_cast<size_t>(out));
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    std::vector<float>& w = a.weight[static_cast<size_t>(o)];
    if (out < in) {
      // Area: the output pixel covers [o*scale, (o+1)*scale) of the input.
      const double lo = o * scale, hi = (o + 1) * scale;
      const int i0 = static_cast<int>(std::floor(lo));
      const int i1 = std::min(in, static_cast<int>(std::ceil(hi)));
      for (int i = i0; i < i1; ++i) {
        const double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        w.push_back(static_cast<float>(overlap / scale));
      }
      a.first[static_cast<size_t>(o)] = i0;
    } else {
      // Bilinear at the output pixel's centre, edges clamped.
      double pos = (o + 0.5) * scale - 0.5;
      pos = std::max(0.0, std::min(pos, static_cast<double>(in - 1)));
      const int i0 = std::min(static_cast<int>(pos), in - 1);
      const double t = pos - i0;
      a.first[static_cast<size_t>(o)] = i0;
      w.push_back(static_cast<float>(1.0 - t));
      if (i0 + 1 < in) w.push_back(static_cast<float>(t));
    }
    a.count[static_cast<size_t>(o)] = static_cast<int>(w.size());
  }
  return a;
}

}  // namespace

Image resize_image(const Image& image, int height, int width) {
  require(height >= 1 && width >= 1 && height <= kMaxImageSide && width <= kMaxImageSide,
          "resize_image", "target size " + std::to_string(height) + "x" + std::to_string(width) +
                              " is out of range");
  require(image.height >= 1 && image.width >= 1, "resize_image", "empty image");
  if (height == image.height && width == image.width) return image;
  const AxisWeights wx = axis_weights(image.width, width);
  const AxisWeights wy = axis_weights(image.height, height);
  Image out;
  out.channels = image.channels;
  out.height = height;
  out.width = width;
  out.pixels.resize(static_cast<size_t>(image.channels) * height * width);
  std::vector<float> rows(static_cast<size_t>(image.height) * width);  // (H_in, W_out)
  for (int c = 0; c < image.channels; ++c) {
    const uint8_t* src = image.pixels.data() + static_cast<size_t>(c) * image.height * image.width;
    for (int y = 0; y < image.height; ++y) {
      const uint8_t* row = src + static_cast<size_t>(y) * image.width;
      for (int x = 0; x < width; ++x) {
        const size_t ox = static_cast<size_t>(x);
        float s = 0.0f;
        for (int k = 0; k < wx.count[ox]; ++k) s += wx.weight[ox][static_cast<size_t>(k)] * row[wx.first[ox] + k];
        rows[static_cast<size_t>(y) * width + ox] = s;
      }
    }
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(c) * height * width;
    for (int y = 0; y < height; ++y) {
      const size_t oy = static_cast<size_t>(y);
      for (int x = 0; x < width; ++x) {
        float s = 0.0f;
        for (int k = 0; k < wy.count[oy]; ++k) {
          s += wy.weight[oy][static_cast<size_t>(k)] *
               rows[static_cast<size_t>(wy.first[oy] + k) * width + x];
        }
        dst[oy * width + x] = static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, s)) + 0.5f);
      }
    }
  }
  return out;
}

Image convert_channels(const Image& image, int channels) {
  require(channels == 1 || channels == 3, "convert_channels",
          "can convert to 1 or 3 channels, not " + std::to_string(channels));
  require(image.channels == 1 || image.channels == 3, "convert_channels",
          "image has " + std::to_string(image.channels) + " channels, expected 1 or 3");
  if (image.channels == channels) return image;
  Image out;
  out.channels = channels;
  out.height = image.height;
  out.width = image.width;
  const size_t plane = static_cast<size_t>(image.height) * image.width;
  out.pixels.resize(plane * channels);
  if (channels == 3) {
    for (int c = 0; c < 3; ++c) {
      std::memcpy(out.pixels.data() + c * plane, image.pixels.data(), plane);
    }
  } else {
    const uint8_t* r = image.pixels.data();
    const uint8_t* g = r + plane;
    const uint8_t* b = g + plane;
    for (size_t i = 0; i < plane; ++i) {
      // Integer weights (x1000) keep the result identical on every platform.
      out.pixels[i] = static_cast<uint8_t>((299 * r[i] + 587 * g[i] + 114 * b[i] + 500) / 1000);
    }
  }
  return out;
}

Image fit_image_to_input(const Image& image, int channels, int height, int width) {
  require(height >= 1 && width >= 1, "fit_image_to_input",
          "target size " + std::to_string(height) + "x" + std::to_string(width) + " is invalid");
  require(image.height >= 1 && image.width >= 1, "fit_image_to_input", "empty image");
  const Image converted = convert_channels(image, channels);
  // The largest central region with the target's aspect ratio (integer sizes, at least 1 px).
  int crop_h = converted.height, crop_w = converted.width;
  if (static_cast<int64_t>(converted.width) * height > static_cast<int64_t>(converted.height) * width) {
    crop_w = std::max(1, static_cast<int>(static_cast<int64_t>(converted.height) * width / height));
  } else {
    crop_h = std::max(1, static_cast<int>(static_cast<int64_t>(converted.width) * height / width));
  }
  Image cropped = converted;
  if (crop_h != converted.height || crop_w != converted.width) {
    const int top = (converted.height - crop_h) / 2, left = (converted.width - crop_w) / 2;
    cropped.height = crop_h;
    cropped.width = crop_w;
    cropped.pixels.assign(static_cast<size_t>(channels) * crop_h * crop_w, 0);
    for (int c = 0; c < channels; ++c)
      for (int y = 0; y < crop_h; ++y)
        std::memcpy(cropped.pixels.data() + (static_cast<size_t>(c) * crop_h + y) * crop_w,
                    converted.pixels.data() +
                        (static_cast<size_t>(c) * converted.height + top + y) * converted.width + left,
                    static_cast<size_t>(crop_w));
  }
  return resize_image(cropped, height, width);
}

}  // namespace cnnlab
