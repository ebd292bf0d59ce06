// DatasetReport (see dataset_report.h): made by the trainer, encoded once, decoded by the app.
#include "lab/dataset_report.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_field.h"

namespace cnnlab {

namespace {

using json = nlohmann::json;

constexpr char kMagic[8] = {'C', 'N', 'N', 'L', 'D', 'R', 'E', 'P'};
constexpr size_t kFixedHeader = 16;             // magic, version, header bytes
constexpr uint32_t kMaxHeaderBytes = 1u << 20;  // class names and a few numbers

static_assert(sizeof(float) == 4, "float32 sections");

void append_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t read_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void append_bytes(std::vector<uint8_t>& out, const uint8_t* p, size_t n) {
  out.insert(out.end(), p, p + n);
}

void append_floats(std::vector<uint8_t>& out, const std::vector<float>& x) {
  for (float f : x) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    append_u32(out, bits);
  }
}

// Reads the sections in order; every read is bounds-checked against the buffer.
class Cursor {
 public:
  Cursor(const uint8_t* bytes, size_t size, const std::string& where)
      : p_(bytes), size_(size), where_(where) {}
  const uint8_t* take(uint64_t n, const char* what) {
    require(n <= size_ - at_, where_,
            std::string("is truncated: ") + what + " needs " + std::to_string(n) +
                " bytes at offset " + std::to_string(at_) + ", " + std::to_string(size_ - at_) +
                " left");
    const uint8_t* out = p_ + at_;
    at_ += static_cast<size_t>(n);
    return out;
  }
  std::vector<uint8_t> bytes(uint64_t n, const char* what) {
    const uint8_t* p = take(n, what);
    return std::vector<uint8_t>(p, p + n);
  }
  std::vector<float> floats(uint64_t n, const char* what) {
    const uint8_t* p = take(n * 4, what);
    std::vector<float> out(static_cast<size_t>(n));
    for (size_t i = 0; i < out.size(); ++i) {
      const uint32_t bits = read_u32(p + i * 4);
      std::memcpy(&out[i], &bits, 4);
    }
    return out;
  }
  size_t left() const { return size_ - at_; }

 private:
  const uint8_t* p_;
  size_t size_, at_ = 0;
  const std::string& where_;
};

}  // namespace

DatasetReport make_dataset_report(const DataSource& data, int samples_per_class) {
  const Dataset& train = data.train;
  DatasetReport r;
  r.origin = data.origin;
  r.train = empty_like(train);
  r.train.labels = train.labels;
  r.test = data.test;

  const size_t classes = train.class_names.size();
  const size_t image = train.image_bytes();
  const size_t plane = static_cast<size_t>(train.height) * train.width;
  r.samples = empty_like(train);
  std::vector<int> taken(classes, 0);
  std::vector<double> sums(classes * image, 0.0), per_class(classes, 0.0);
  std::vector<double> bins(static_cast<size_t>(train.channels) * 256, 0.0);
  for (size_t n = 0; n < train.size(); ++n) {
    const uint8_t label = train.labels[n];
    const uint8_t* px = train.image(n);
    if (taken[label] < samples_per_class) {
      ++taken[label];
      r.samples.labels.push_back(label);
      r.samples.pixels.insert(r.samples.pixels.end(), px, px + image);
    }
    double* sum = &sums[label * image];
    for (size_t i = 0; i < image; ++i) {
      sum[i] += px[i];
      bins[(i / plane) * 256 + px[i]] += 1.0;
    }
    per_class[label] += 1.0;
  }
  r.class_means.assign(classes * image, 0.0f);
  for (size_t c = 0; c < classes; ++c)
    for (size_t i = 0; i < image; ++i)
      if (per_class[c] > 0)
        r.class_means[c * image + i] = static_cast<float>(sums[c * image + i] / per_class[c]);
  const double total = static_cast<double>(train.size()) * plane;
  r.pixel_histogram.assign(bins.size(), 0.0f);
  for (size_t i = 0; i < bins.size(); ++i)
    r.pixel_histogram[i] = total > 0 ? static_cast<float>(bins[i] / total) : 0.0f;
  return r;
}

std::vector<uint8_t> encode_dataset_report(const DatasetReport& r) {
  const Dataset& t = r.train;
  const std::string header = json{{"name", t.name},
                                  {"origin", r.origin},
                                  {"classes", t.class_names},
                                  {"channels", t.channels},
                                  {"height", t.height},
                                  {"width", t.width},
                                  {"trainCount", t.labels.size()},
                                  {"sampleCount", r.samples.size()},
                                  {"testCount", r.test.size()}}
                                 .dump();
  std::vector<uint8_t> out;
  out.reserve(kFixedHeader + header.size() + t.labels.size() + r.samples.pixels.size() +
              r.test.pixels.size() + r.test.size() + 4 * (r.class_means.size() + r.pixel_histogram.size()));
  append_bytes(out, reinterpret_cast<const uint8_t*>(kMagic), sizeof kMagic);
  append_u32(out, kDatasetReportVersion);
  append_u32(out, static_cast<uint32_t>(header.size()));
  append_bytes(out, reinterpret_cast<const uint8_t*>(header.data()), header.size());
  append_bytes(out, t.labels.data(), t.labels.size());
  append_bytes(out, r.samples.labels.data(), r.samples.labels.size());
  append_bytes(out, r.samples.pixels.data(), r.samples.pixels.size());
  append_floats(out, r.class_means);
  append_floats(out, r.pixel_histogram);
  append_bytes(out, r.test.labels.data(), r.test.labels.size());
  append_bytes(out, r.test.pixels.data(), r.test.pixels.size());
  return out;
}

DatasetReport decode_dataset_report(const uint8_t* bytes, size_t size, const std::string& where) {
  require(bytes != nullptr || size == 0, where, "has no bytes");
  require(size >= kFixedHeader && std::memcmp(bytes, kMagic, sizeof kMagic) == 0, where,
          "is not a dataset report (no CNNLDREP header)");
  const uint32_t version = read_u32(bytes + 8);
  require(version == kDatasetReportVersion, where,
          "is dataset report version " + std::to_string(version) + "; this app reads version " +
              std::to_string(kDatasetReportVersion));
  const uint32_t header_bytes = read_u32(bytes + 12);
  require(header_bytes <= kMaxHeaderBytes, where,
          "claims a header of " + std::to_string(header_bytes) + " bytes (at most " +
              std::to_string(kMaxHeaderBytes) + ")");
  Cursor in(bytes + kFixedHeader, size - kFixedHeader, where);
  const uint8_t* header_text = in.take(header_bytes, "the header");
  json h;
  try {
    h = json::parse(header_text, header_text + header_bytes);
  } catch (const std::exception& e) {
    throw Error(where, std::string("has an unreadable header: ") + e.what());
  }
  DatasetReport r;
  Dataset& t = r.train;
  uint64_t train_count = 0, sample_count = 0, test_count = 0;
  try {
    t.name = h.at("name").get<std::string>();
    r.origin = h.at("origin").get<std::string>();
    t.class_names = h.at("classes").get<std::vector<std::string>>();
    t.channels = json_field<int>(h, "channels", "");
    t.height = json_field<int>(h, "height", "");
    t.width = json_field<int>(h, "width", "");
    train_count = json_field<uint64_t>(h, "trainCount", "");
    sample_count = json_field<uint64_t>(h, "sampleCount", "");
    test_count = json_field<uint64_t>(h, "testCount", "");
  } catch (const std::exception& e) {
    throw Error(where, std::string("header: ") + e.what());
  }
  require(t.channels >= 1 && t.channels <= 4 && t.height >= 1 && t.height <= 4096 &&
              t.width >= 1 && t.width <= 4096,
          where, "claims images of " + std::to_string(t.channels) + "x" + std::to_string(t.height) +
                     "x" + std::to_string(t.width));
  require(!t.class_names.empty() && t.class_names.size() <= 256, where,
          "header field 'classes' must name 1 to 256 classes, has " +
              std::to_string(t.class_names.size()));
  const uint64_t image = t.image_bytes();
  require(train_count <= in.left() && sample_count <= in.left() && test_count <= in.left(), where,
          "claims more images than it has bytes");
  // Every count is checked against the bytes that are really there before anything is allocated.
  const uint64_t needed = train_count + sample_count * (1 + image) +
                          4 * (static_cast<uint64_t>(t.class_names.size()) * image +
                               static_cast<uint64_t>(t.channels) * 256) +
                          test_count * (1 + image);
  require(needed == in.left(), where,
          "sizes do not agree: the header's counts need " + std::to_string(needed) +
              " bytes of sections, the buffer has " + std::to_string(in.left()));
  t.labels = in.bytes(train_count, "training labels");
  r.samples = empty_like(t);
  r.samples.labels = in.bytes(sample_count, "sample labels");
  r.samples.pixels = in.bytes(sample_count * image, "sample pixels");
  r.class_means = in.floats(t.class_names.size() * image, "class means");
  r.pixel_histogram = in.floats(static_cast<uint64_t>(t.channels) * 256, "pixel histogram");
  // Pixel values and fractions: anything else (NaN, infinity) would reach the Data panel's
  // images and bars.
  auto check_range = [&](const std::vector<float>& v, float high, const char* what) {
    for (size_t i = 0; i < v.size(); ++i)
      require(std::isfinite(v[i]) && v[i] >= 0.0f && v[i] <= high, where,
              std::string(what) + " value " + std::to_string(i) + " is " + std::to_string(v[i]) +
                  ", outside 0.." + (high == 1.0f ? "1" : "255"));
  };
  check_range(r.class_means, 255.0f, "class means");
  check_range(r.pixel_histogram, 1.0f, "pixel histogram");
  r.test = empty_like(t);
  r.test.labels = in.bytes(test_count, "test labels");
  r.test.pixels = in.bytes(test_count * image, "test pixels");
  r.samples.validate(where + " (samples)");
  r.test.validate(where + " (test split)");
  // The training split has labels only: validate() would ask for its pixels.
  for (size_t i = 0; i < t.labels.size(); ++i)
    require(t.labels[i] < t.class_names.size(), where,
            "training label " + std::to_string(i) + " is " + std::to_string(t.labels[i]) +
                ", beyond the " + std::to_string(t.class_names.size()) + " classes");
  return r;
}

}  // namespace cnnlab
