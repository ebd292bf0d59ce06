// Dataset helpers: class counts, consistency validation, selection by indices.
#include "data/dataset.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/error.h"

namespace cnnlab {

std::vector<size_t> Dataset::class_counts() const {
  std::vector<size_t> counts(class_names.size(), 0);
  for (uint8_t label : labels) {
    if (label < counts.size()) ++counts[label];
  }
  return counts;
}

void Dataset::validate(const std::string& where) const {
  require(channels == 1 || channels == 3, where,
          "images must have 1 or 3 channels, not " + std::to_string(channels));
  require(height > 0 && width > 0 && height <= 4096 && width <= 4096, where,
          "image size " + std::to_string(height) + "x" + std::to_string(width) +
              " is out of range (1..4096)");
  require(!class_names.empty() && class_names.size() <= 256, where,
          "needs 1 to 256 classes, has " + std::to_string(class_names.size()));
  std::set<std::string> seen;
  for (const std::string& n : class_names) {
    require(!n.empty(), where, "empty class name");
    require(n.find('\n') == std::string::npos && n.find('\r') == std::string::npos, where,
            "class name '" + n + "' contains a line break");
    require(seen.insert(n).second, where, "class name '" + n + "' appears twice");
  }
  require(pixels.size() == labels.size() * image_bytes(), where,
          "pixel buffer holds " + std::to_string(pixels.size()) + " bytes, expected " +
              std::to_string(labels.size()) + " images x " + std::to_string(image_bytes()));
  for (size_t i = 0; i < labels.size(); ++i) {
    require(labels[i] < class_names.size(), where,
            "image " + std::to_string(i) + " has label " + std::to_string(labels[i]) +
                " but there are only " + std::to_string(class_names.size()) + " classes");
  }
}

Dataset empty_like(const Dataset& d) {
  Dataset out;
  out.name = d.name;
  out.class_names = d.class_names;
  out.channels = d.channels;
  out.height = d.height;
  out.width = d.width;
  return out;
}

Dataset select(const Dataset& d, const std::vector<uint32_t>& indices) {
  Dataset out = empty_like(d);
  const size_t bytes = d.image_bytes();
  out.pixels.resize(indices.size() * bytes);
  out.labels.resize(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    require(i < d.size(), "dataset " + d.name,
            "index " + std::to_string(i) + " is out of range (" + std::to_string(d.size()) +
                " images)");
    if (bytes) std::memcpy(out.pixels.data() + k * bytes, d.image(i), bytes);
    out.labels[k] = d.labels[i];
  }
  return out;
}

const std::vector<std::string>& cifar10_class_names() {
  static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",
                                                 "deer",     "dog",        "frog",  "horse",
                                                 "ship",     "truck"};
  return names;
}

}  // namespace cnnlab
