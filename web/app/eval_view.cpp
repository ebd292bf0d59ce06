// Evaluation views (see eval_view.h).
#include "app/eval_view.h"

#include <algorithm>
#include <numeric>

#include "train/metrics.h"

namespace cnnlab {

void refresh_eval_state(AppState& state) {
  EvalState& eval = state.eval;
  const LabView& view = state.lab;
  const ConfusionMatrix* m = view.test_metrics;
  if (eval.seen_metrics == m && eval.seen_version == view.test_version &&
      (m != nullptr) == eval.evaluated) {
    return;
  }
  eval.seen_metrics = m;
  eval.seen_version = view.test_version;
  const Dataset& test = state.data.dataset.test;
  const int classes = m ? m->classes() : 0;
  if (!m || m->total() == 0 || classes <= 0) {
    const int keep_filter = eval.gallery_filter;
    eval = EvalState();
    eval.gallery_filter = keep_filter;
    eval.seen_metrics = m;
    eval.seen_version = view.test_version;
    return;
  }
  eval.evaluated = true;
  eval.test_acc = static_cast<float>(m->accuracy());
  eval.test_loss = static_cast<float>(m->mean_loss());
  eval.test_count = m->total();
  const size_t k = static_cast<size_t>(classes);
  eval.confusion.assign(k * k, 0.0f);
  for (int t = 0; t < classes; ++t) {
    for (int p = 0; p < classes; ++p) {
      eval.confusion[static_cast<size_t>(t) * k + static_cast<size_t>(p)] =
          static_cast<float>(m->count(t, p));
    }
  }
  const std::vector<ClassMetrics> per_class = m->per_class();
  eval.precision.clear();
  eval.recall.clear();
  eval.f1.clear();
  eval.support.clear();
  for (const ClassMetrics& c : per_class) {
    eval.precision.push_back(static_cast<float>(c.precision));
    eval.recall.push_back(static_cast<float>(c.recall));
    eval.f1.push_back(static_cast<float>(c.f1));
    eval.support.push_back(c.support);
  }
  // Per-image predictions only when the probabilities belong to this test split.
  eval.predicted.clear();
  const std::vector<float>* probs = view.test_probabilities;
  if (probs && test.size() > 0 && probs->size() == test.size() * k) {
    eval.predicted.resize(test.size());
    for (size_t i = 0; i < test.size(); ++i) {
      eval.predicted[i] = argmax(probs->data() + i * k, classes);
    }
  }
  if (eval.selected_true >= classes || eval.selected_pred >= classes) {
    eval.selected_true = eval.selected_pred = -1;
  }
  // Grids are remade from the new predictions when next drawn.
  eval.cell_grid_true = eval.cell_grid_pred = -1;
  eval.gallery_drawn_page = -1;
}

std::vector<int> images_in_cell(const std::vector<int>& predicted,
                                const std::vector<uint8_t>& labels, int truth,
                                int predicted_class) {
  std::vector<int> out;
  const size_t n = std::min(predicted.size(), labels.size());
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] == truth && predicted[i] == predicted_class) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> top_k(const float* probabilities, int n, int k) {
  std::vector<int> order(static_cast<size_t>(std::max(0, n)));
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, n);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
    return probabilities[a] > probabilities[b] || (probabilities[a] == probabilities[b] && a < b);
  });
  order.resize(static_cast<size_t>(std::max(0, k)));
  return order;
}

}  // namespace cnnlab
