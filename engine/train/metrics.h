// Classification metrics: confusion matrix, accuracy, per-class precision / recall / F1.
// Filled one batch at a time (the browser evaluates in slices between frames).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnlab {

struct ClassMetrics {
  double precision = 0.0, recall = 0.0, f1 = 0.0;
  size_t support = 0;  // true instances of the class
};

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int classes = 0);

  // probs (B, K) rows; labels (B); losses (B) per-sample cross-entropy (may be null).
  void add_batch(const float* probs, const int32_t* labels, const float* losses, int batch);
  void add(int truth, int predicted, double loss = 0.0);
  // A matrix rebuilt from its counts (K rows [true] of K [predicted]) and mean loss, as a report
  // carries it; Error(where, ...) when the rows are not K x K.
  static ConfusionMatrix from_counts(const std::vector<std::vector<size_t>>& counts,
                                     double mean_loss, const std::string& where);

  int classes() const { return classes_; }
  size_t total() const { return total_; }
  // counts[truth * K + predicted]
  size_t count(int truth, int predicted) const {
    return counts_[static_cast<size_t>(truth) * static_cast<size_t>(classes_) +
                   static_cast<size_t>(predicted)];
  }
  double accuracy() const;
  double mean_loss() const { return total_ ? loss_sum_ / static_cast<double>(total_) : 0.0; }
  std::vector<ClassMetrics> per_class() const;
  double macro_f1() const;

  // A plain-text confusion matrix and per-class table (for the CLI), using class names.
  std::string to_text(const std::vector<std::string>& class_names) const;

 private:
  int classes_ = 0;
  std::vector<size_t> counts_;
  size_t total_ = 0;
  double loss_sum_ = 0.0;
};

// Index of the largest of n values (first on ties).
int argmax(const float* values, int n);

}  // namespace cnnlab
