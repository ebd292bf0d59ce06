// Dataset actions (see actions.h): the trainer's dataset report becomes what the Data panel
// shows: the validation split's per-class counts, sample grids, mean images, pixel histograms.
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "app/actions.h"
#include "core/error.h"
#include "core/text_format.h"

namespace cnnlab {

namespace {

std::vector<float> counts_of(const Dataset& d, const std::vector<uint32_t>* indices) {
  std::vector<float> counts(d.class_names.size(), 0.0f);
  if (indices) {
    for (uint32_t i : *indices) counts[d.labels[i]] += 1.0f;
  } else {
    for (uint8_t label : d.labels) counts[label] += 1.0f;
  }
  return counts;
}

std::string split_words(uint64_t train, uint64_t val, uint64_t test) {
  return with_thousands(train) + " train + " + with_thousands(val) + " validation + " +
         with_thousands(test) + " test";
}

void refresh_split(AppState& state) {
  DataState& data = state.data;
  // The split the trainer makes: the applied options' fraction and seed.
  const TrainConfig& t = state.settings.applied.train;
  if (data.split_fraction == t.val_fraction && data.split_seed == t.seed) return;
  const Dataset& train = data.dataset.train;
  data.split = stratified_split(train, t.val_fraction, t.seed);
  data.split_fraction = t.val_fraction;
  data.split_seed = t.seed;
  data.splits.clear();
  data.splits.push_back({"train", data.split.train.size(), counts_of(train, &data.split.train)});
  data.splits.push_back({"validation", data.split.val.size(), counts_of(train, &data.split.val)});
  data.splits.push_back({"test", data.dataset.test.size(), counts_of(data.dataset.test, nullptr)});
}

}  // namespace

std::string split_text(const DataState& data) {
  if (!data.loaded) return {};
  return split_words(data.split.train.size(), data.split.val.size(), data.dataset.test.size());
}

std::string loaded_dataset_identity(const DataState& data) {
  if (!data.loaded) return {};
  return run_dataset_identity(data.dataset.train.name, data.dataset.train.size(),
                              data.dataset.test.size());
}

bool is_loaded_subset(const DataState& data, const SubsetOption& subset) {
  const std::string& origin = data.origin;
  const std::string& file = subset.file;
  return data.loaded && origin.size() >= file.size() &&
         origin.compare(origin.size() - file.size(), file.size(), file) == 0;
}

std::string subset_label(const DataState& data, const SubsetOption& subset, float val_fraction) {
  if (is_loaded_subset(data, subset)) return subset.id + ": " + split_text(data);
  const uint64_t per_class = static_cast<uint64_t>(std::max(0, subset.train_per_class));
  const uint64_t val_per_class = validation_count(per_class, val_fraction);
  const uint64_t test_per_class = static_cast<uint64_t>(std::max(0, subset.test_per_class));
  // The totals need the subsets' class count, known from the loaded dataset only when that is
  // one of them (after an upload of 3 classes, 10 CIFAR-10 classes are not 3): else per class.
  bool subset_loaded = false;
  for (const SubsetOption& s : data.subsets) subset_loaded = subset_loaded || is_loaded_subset(data, s);
  const uint64_t classes = subset_loaded ? data.dataset.train.class_names.size() : 0;
  if (per_class == 0 || test_per_class == 0) {  // "all": the numbers are known once loaded
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.0f %%", static_cast<double>(val_fraction) * 100);
    return subset.id + ": all images (" + percent + " of the training images for validation)";
  }
  if (classes == 0)
    return subset.id + ": " +
           split_words(per_class - val_per_class, val_per_class, test_per_class) + " per class";
  return subset.id + ": " +
         split_words((per_class - val_per_class) * classes, val_per_class * classes,
                     test_per_class * classes);
}

namespace {

// The sample images of the chosen class, as the trainer reported them (the first ones of each
// class in file order: no RNG, the same grid every time).
void refresh_samples(DataState& data) {
  const Dataset& samples = data.dataset.samples;
  const int classes = static_cast<int>(samples.class_names.size());
  data.sample_class = std::clamp(data.sample_class, 0, std::max(0, classes - 1));
  if (data.sample_grid_class == data.sample_class) return;
  std::vector<uint8_t> images;
  int count = 0;
  for (size_t i = 0; i < samples.size() && count < data.samples_per_class; ++i) {
    if (samples.labels[i] != data.sample_class) continue;
    images.insert(images.end(), samples.image(i), samples.image(i) + samples.image_bytes());
    ++count;
  }
  data.sample_grid.set_images_chw(images.data(), count, samples.channels, samples.height,
                                  samples.width);
  data.sample_grid_class = data.sample_class;
}

// The mean image per class and the pixel histogram, as the trainer computed them.
void show_statistics(DataState& data) {
  const DatasetReport& r = data.dataset;
  const Dataset& train = r.train;
  const int classes = static_cast<int>(train.class_names.size());
  if (train.channels == 3) {
    data.mean_grid.set_rgb_maps(r.class_means.data(), classes, train.height, train.width, 0.0f,
                                255.0f);
  } else {
    data.mean_grid.set_maps(r.class_means.data(), classes, train.height, train.width,
                            widgets::Colormap::Grey, 0.0f, 255.0f);
  }
  data.histogram = r.pixel_histogram;
  data.histogram_x.resize(256);
  for (int v = 0; v < 256; ++v) data.histogram_x[v] = static_cast<float>(v);
}

}  // namespace

void set_dataset(AppState& state, DatasetReport report) {
  const std::string origin = report.origin;
  require(report.train.size() > 0, origin, "the dataset has no training images");
  DataState& data = state.data;
  data.dataset = std::move(report);
  data.origin = origin;
  data.loaded = true;
  data.status.clear();
  data.split_fraction = -1.0f;
  data.sample_grid_class = -1;
  data.sample_class = 0;
  refresh_split(state);
  refresh_samples(data);
  show_statistics(data);
  // A new input shape or class count invalidates the model summary.
  state.model.summary_key.clear();
}

void refresh_derived_state(AppState& state) {
  if (state.data.loaded) {
    refresh_split(state);
    refresh_samples(state.data);
  }
  refresh_model_summary(state);
}

}  // namespace cnnlab
