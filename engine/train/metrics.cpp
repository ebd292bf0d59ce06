#include "train/metrics.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace cnnlab {

int argmax(const float* values, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (values[i] > values[best]) best = i;
  return best;
}

ConfusionMatrix::ConfusionMatrix(int classes)
    : classes_(classes), counts_(static_cast<size_t>(classes) * static_cast<size_t>(classes), 0) {}

void ConfusionMatrix::add(int truth, int predicted, double loss) {
  require(truth >= 0 && truth < classes_ && predicted >= 0 && predicted < classes_,
          "confusion matrix", "label out of range");
  counts_[static_cast<size_t>(truth) * static_cast<size_t>(classes_) +
          static_cast<size_t>(predicted)]++;
  ++total_;
  loss_sum_ += loss;
}

ConfusionMatrix ConfusionMatrix::from_counts(const std::vector<std::vector<size_t>>& counts,
                                             double mean_loss, const std::string& where) {
  ConfusionMatrix m(static_cast<int>(counts.size()));
  for (size_t t = 0; t < counts.size(); ++t) {
    require(counts[t].size() == counts.size(), where, "confusion counts must be K rows of K");
    for (size_t p = 0; p < counts.size(); ++p) {
      m.counts_[t * counts.size() + p] = counts[t][p];
      m.total_ += counts[t][p];
    }
  }
  m.loss_sum_ = mean_loss * static_cast<double>(m.total_);
  return m;
}

void ConfusionMatrix::add_batch(const float* probs, const int32_t* labels, const float* losses,
                                int batch) {
  for (int b = 0; b < batch; ++b)
    add(labels[b], argmax(probs + static_cast<size_t>(b) * static_cast<size_t>(classes_), classes_),
        losses ? losses[b] : 0.0);
}

double ConfusionMatrix::accuracy() const {
  if (!total_) return 0.0;
  size_t correct = 0;
  for (int k = 0; k < classes_; ++k) correct += count(k, k);
  return static_cast<double>(correct) / static_cast<double>(total_);
}

std::vector<ClassMetrics> ConfusionMatrix::per_class() const {
  std::vector<ClassMetrics> out(static_cast<size_t>(classes_));
  for (int k = 0; k < classes_; ++k) {
    size_t tp = count(k, k), predicted = 0, actual = 0;
    for (int j = 0; j < classes_; ++j) {
      predicted += count(j, k);
      actual += count(k, j);
    }
    ClassMetrics& m = out[static_cast<size_t>(k)];
    m.support = actual;
    m.precision = predicted ? static_cast<double>(tp) / static_cast<double>(predicted) : 0.0;
    m.recall = actual ? static_cast<double>(tp) / static_cast<double>(actual) : 0.0;
    m.f1 = (m.precision + m.recall) > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  }
  return out;
}

double ConfusionMatrix::macro_f1() const {
  if (!classes_) return 0.0;
  double sum = 0.0;
  for (const ClassMetrics& m : per_class()) sum += m.f1;
  return sum / classes_;
}

std::string ConfusionMatrix::to_text(const std::vector<std::string>& class_names) const {
  auto name = [&](int k) {
    std::string n = k < static_cast<int>(class_names.size()) ? class_names[static_cast<size_t>(k)]
                                                             : std::to_string(k);
    return n.size() > 10 ? n.substr(0, 10) : n;
  };
  std::string out;
  char buf[64];
  out += "Confusion matrix (rows: true class, columns: predicted)\n";
  std::snprintf(buf, sizeof buf, "%-11s", "");
  out += buf;
  for (int j = 0; j < classes_; ++j) {
    std::snprintf(buf, sizeof buf, "%6.6s", name(j).c_str());
    out += buf;
  }
  out += "\n";
  for (int k = 0; k < classes_; ++k) {
    std::snprintf(buf, sizeof buf, "%-11s", name(k).c_str());
    out += buf;
    for (int j = 0; j < classes_; ++j) {
      std::snprintf(buf, sizeof buf, "%6zu", count(k, j));
      out += buf;
    }
    out += "\n";
  }
  out += "\nclass        precision  recall      f1  support\n";
  std::vector<ClassMetrics> pc = per_class();
  for (int k = 0; k < classes_; ++k) {
    const ClassMetrics& m = pc[static_cast<size_t>(k)];
    std::snprintf(buf, sizeof buf, "%-11s  %9.3f  %6.3f  %6.3f  %7zu\n", name(k).c_str(), m.precision,
                  m.recall, m.f1, m.support);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-11s  %9s  %6s  %6.3f  %7zu\n", "macro F1", "", "", macro_f1(),
                total_);
  out += buf;
  return out;
}

}  // namespace cnnlab
