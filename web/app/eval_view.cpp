// Evaluation views (see eval_view.h).
#include "app/eval_view.h"

#include <algorithm>
#include <numeric>

#include "app/time_travel.h"
#include "train/metrics.h"

namespace cnnlab {

namespace {

// The eval view's numbers from a confusion matrix; per-image predictions from probs when they
// belong to this test split (else none: the gallery and the cells' images say so).
void fill_eval(EvalState& eval, const ConfusionMatrix& m, const std::vector<float>* probs,
               const Dataset& test) {
  const int classes = m.classes();
  eval.evaluated = true;
  eval.test_acc = static_cast<float>(m.accuracy());
  eval.test_loss = static_cast<float>(m.mean_loss());
  eval.test_count = m.total();
  const size_t k = static_cast<size_t>(classes);
  eval.confusion.assign(k * k, 0.0f);
  for (int t = 0; t < classes; ++t) {
    for (int p = 0; p < classes; ++p) {
      eval.confusion[static_cast<size_t>(t) * k + static_cast<size_t>(p)] =
          static_cast<float>(m.count(t, p));
    }
  }
  const std::vector<ClassMetrics> per_class = m.per_class();
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
  eval.predicted.clear();
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

constexpr int kShownEpoch = -1;  // EvalState::seen_shown while the time slider shows an epoch

void clear_eval(EvalState& eval) {
  const int keep_filter = eval.gallery_filter;
  eval = EvalState();
  eval.gallery_filter = keep_filter;
}

}  // namespace

std::optional<nlohmann::json> validation_cell_request(AppState& state) {
  EvalState& eval = state.eval;
  const int run = eval.seen_validation_run;
  if (eval.validation_epoch <= 0 || eval.selected_true < 0 || eval.selected_pred < 0)
    return std::nullopt;
  if (eval.cell_asked_run == run && eval.cell_asked_epoch == eval.validation_epoch &&
      eval.cell_asked_true == eval.selected_true && eval.cell_asked_pred == eval.selected_pred)
    return std::nullopt;
  eval.cell_asked_run = run;
  eval.cell_asked_epoch = eval.validation_epoch;
  eval.cell_asked_true = eval.selected_true;
  eval.cell_asked_pred = eval.selected_pred;
  return nlohmann::json{{"trueClass", eval.selected_true}, {"predicted", eval.selected_pred}};
}

const RunLogEntry* shown_run(const AppState& state) {
  if (state.runs.shown <= 0) return nullptr;
  for (const RunLogEntry& e : state.runs.log.entries())
    if (e.number == state.runs.shown && !e.confusion.empty()) return &e;
  return nullptr;
}

void refresh_eval_state(AppState& state) {
  EvalState& eval = state.eval;
  const LabView& view = state.lab;
  const Dataset& test = state.data.dataset.test;
  // An epoch the time slider shows: its model's test evaluation once made (time_travel.h).
  const TimeTravelState& tt = state.time_travel;
  if (tt.shown_run > 0) {
    const EpochEvaluation* e = shown_evaluation(state);
    const uint64_t key = e ? tt.shown_serial : 0;
    if (eval.seen_shown == kShownEpoch && eval.seen_epoch_serial == key) return;
    clear_eval(eval);
    eval.seen_shown = kShownEpoch;
    eval.seen_epoch_serial = key;
    if (e && e->metrics.total() > 0) fill_eval(eval, e->metrics, &e->probabilities, test);
    return;
  }
  // A run of the log (its confusion counts; the per-image predictions are the current run's only).
  if (const RunLogEntry* run = shown_run(state)) {
    if (eval.seen_shown == run->number && eval.evaluated) return;
    clear_eval(eval);
    eval.seen_shown = run->number;
    const int classes = static_cast<int>(run->confusion.size());
    ConfusionMatrix m(classes);
    for (int t = 0; t < classes; ++t)
      for (int p = 0; p < classes && p < static_cast<int>(run->confusion[t].size()); ++p)
        for (size_t n = 0; n < run->confusion[t][p]; ++n) m.add(t, p, run->test_loss);
    if (m.total() > 0) fill_eval(eval, m, nullptr, test);
    return;
  }
  const ConfusionMatrix* m = view.test_metrics;
  // Before the current run's test: the validation split's matrix of its latest epoch, updated
  // at every epoch's end while it trains.
  const std::optional<EpochValidation>& v = state.training.validation;
  if (!m && v && v->results.run == state.training.run && v->results.metrics.total() > 0) {
    if (eval.seen_shown == 0 && eval.validation_epoch == v->epoch &&
        eval.seen_validation_run == v->results.run)
      return;
    // The next epoch's matrix keeps the cell the student chose (its images are asked again).
    const bool same_run = eval.validation_epoch > 0 && eval.seen_validation_run == v->results.run;
    const int keep_true = same_run ? eval.selected_true : -1;
    const int keep_pred = same_run ? eval.selected_pred : -1;
    clear_eval(eval);
    fill_eval(eval, v->results.metrics, nullptr, test);
    eval.selected_true = keep_true;
    eval.selected_pred = keep_pred;
    eval.validation_epoch = v->epoch;
    eval.seen_validation_run = v->results.run;
    return;
  }
  if (eval.seen_shown == 0 && eval.validation_epoch == 0 && eval.seen_metrics == m &&
      eval.seen_version == view.test_version && (m != nullptr) == eval.evaluated) {
    return;
  }
  if (eval.seen_shown != 0 || eval.validation_epoch != 0) clear_eval(eval);
  eval.seen_shown = 0;
  eval.seen_metrics = m;
  eval.seen_version = view.test_version;
  if (!m || m->total() == 0 || m->classes() <= 0) {
    clear_eval(eval);
    eval.seen_metrics = m;
    eval.seen_version = view.test_version;
    return;
  }
  fill_eval(eval, *m, view.test_probabilities, test);
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
