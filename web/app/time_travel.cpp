// Time travel (see time_travel.h).
//
// [SECTION] Showing an epoch   [SECTION] Every frame   [SECTION] JavaScript API   [SECTION] Slider
#include "app/time_travel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "app/panels.h"
#include "core/error.h"
#include "imgui.h"
#include "platform/platform.h"

namespace cnnlab {

namespace {

constexpr double kPlayStepSeconds = 0.8;  // Play: one kept epoch on every 0.8 s
constexpr int kEvalBatch = 64;

// The epochs a run was set to train (the slider's "of M"): the current run's, else its record's,
// else its last kept epoch.
int planned_epochs(const AppState& state, int run) {
  const TrainingState& t = state.training;
  if (run == t.run && t.epochs > 0) return t.epochs;
  for (const RunRecord& r : t.history)
    if (r.run == run) return r.options.train.epochs;
  const std::vector<int> kept = state.time_travel.store.epochs(run);
  return kept.empty() ? 0 : kept.back();
}

void drop_shown_model(TimeTravelState& tt) {
  tt.evaluator.reset();  // it points into the model
  tt.model.reset();
}

}  // namespace

// ---- [SECTION] Showing an epoch ----------------------------------------------------------------

std::string show_epoch(AppState& state, int run, int epoch) {
  TimeTravelState& tt = state.time_travel;
  if (run == tt.shown_run && epoch == tt.shown_epoch && tt.model) return "";
  std::unique_ptr<Model> model;
  try {
    model = tt.store.model_at(run, epoch);
  } catch (const std::exception& e) {
    return e.what();
  }
  drop_shown_model(tt);
  tt.model = std::move(model);
  tt.shown_run = run;
  tt.shown_epoch = epoch;
  ++tt.shown_serial;
  return "";
}

void show_latest(AppState& state) {
  TimeTravelState& tt = state.time_travel;
  tt.playing = false;
  if (tt.shown_run == 0) return;
  drop_shown_model(tt);
  tt.shown_run = 0;
  tt.shown_epoch = 0;
  ++tt.shown_serial;
}

Model* shown_model(AppState& state) {
  TimeTravelState& tt = state.time_travel;
  return tt.shown_run > 0 && tt.model ? tt.model.get() : state.lab.model;
}

const Model* shown_model(const AppState& state) {
  const TimeTravelState& tt = state.time_travel;
  return tt.shown_run > 0 && tt.model ? tt.model.get() : state.lab.model;
}

const EpochEvaluation* shown_evaluation(const AppState& state) {
  const TimeTravelState& tt = state.time_travel;
  if (tt.shown_run == 0) return nullptr;
  const auto it = tt.evaluations.find({tt.shown_run, tt.shown_epoch});
  return it == tt.evaluations.end() ? nullptr : &it->second;
}

double shown_evaluation_progress(const AppState& state) {
  const TimeTravelState& tt = state.time_travel;
  if (shown_evaluation(state)) return 1.0;
  return tt.evaluator ? tt.evaluator->progress() : 0.0;
}

int slider_run(const AppState& state) {
  const TimeTravelState& tt = state.time_travel;
  if (tt.shown_run > 0) return tt.shown_run;
  const int current = state.training.run;
  if (current > 0 && !tt.store.epochs(current).empty()) return current;
  const std::vector<int> runs = tt.store.runs();
  return runs.empty() ? 0 : runs.back();
}

// ---- [SECTION] Every frame ---------------------------------------------------------------------

void update_time_travel(AppState& state, std::vector<NotedEpochWeights> noted, int run_offset,
                        double budget_seconds, double now_seconds) {
  TimeTravelState& tt = state.time_travel;
  for (NotedEpochWeights& n : noted) {
    const int run = n.note.run + run_offset;
    try {
      tt.store.add(run, n.note.epoch, n.note.record, std::move(n.weights));
    } catch (const std::exception& e) {
      state.training.message = e.what();
      continue;
    }
    // New weights for an epoch (or a run that starts over): its old evaluations are stale.
    for (auto it = tt.evaluations.begin(); it != tt.evaluations.end();)
      it = it->first.first == run && (n.note.epoch == 0 || it->first.second == n.note.epoch)
               ? tt.evaluations.erase(it)
               : std::next(it);
    if (tt.shown_run == run && (n.note.epoch == 0 || tt.shown_epoch == n.note.epoch)) {
      drop_shown_model(tt);  // remade below from the new weights
      ++tt.shown_serial;
    }
  }
  for (auto it = tt.evaluations.begin(); it != tt.evaluations.end();)
    it = tt.store.has(it->first.first, it->first.second) ? std::next(it) : tt.evaluations.erase(it);
  // Another run started training: the views follow it (an earlier run's epoch left on screen
  // read as the new run's results).
  const TrainingState& training = state.training;
  if (training.run > 0 && training.step > 0 && training.run != tt.training_run_seen) {
    tt.training_run_seen = training.run;
    if (tt.shown_run > 0 && tt.shown_run != training.run) show_latest(state);
  }
  if (tt.shown_run > 0) {
    if (!tt.store.has(tt.shown_run, tt.shown_epoch)) {
      show_latest(state);  // thinned away, or its run started over
    } else if (!tt.model) {
      const int run = tt.shown_run, epoch = tt.shown_epoch;
      tt.shown_run = 0;
      if (!show_epoch(state, run, epoch).empty()) show_latest(state);
    }
  }

  // Play: the next kept epoch every kPlayStepSeconds; it stops on the last one.
  if (state.ui.embedding.reduced_motion) tt.playing = false;
  if (tt.playing && now_seconds >= tt.next_play_step) {
    const int run = slider_run(state);
    const std::vector<int> kept = tt.store.epochs(run);
    const auto next = std::upper_bound(kept.begin(), kept.end(),
                                       tt.shown_run == run ? tt.shown_epoch : -1);
    if (next == kept.end()) {
      tt.playing = false;
    } else {
      show_epoch(state, run, *next);
      tt.next_play_step = now_seconds + kPlayStepSeconds;
      if (std::next(next) == kept.end()) tt.playing = false;
    }
  }

  // The shown epoch's test evaluation, a slice per frame (kept once done).
  const Dataset& test = state.data.dataset.test;
  if (tt.shown_run == 0 || !tt.model || test.size() == 0 || shown_evaluation(state)) {
    tt.evaluator.reset();
    return;
  }
  if (!tt.evaluator) {
    tt.evaluator = std::make_unique<Evaluator>(*tt.model, test, state.lab.preprocess, kEvalBatch,
                                               nullptr);
  }
  const auto t0 = std::chrono::steady_clock::now();
  do {
    tt.evaluator->step();
  } while (!tt.evaluator->done() &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() <
               budget_seconds);
  if (tt.evaluator->done()) {
    tt.evaluations[{tt.shown_run, tt.shown_epoch}] =
        EpochEvaluation{tt.evaluator->metrics(), tt.evaluator->probabilities()};
    tt.evaluator.reset();
  }
}

// ---- [SECTION] JavaScript API ------------------------------------------------------------------

nlohmann::json snapshots_json(const AppState& state) {
  nlohmann::json list = nlohmann::json::array();
  const SnapshotStore& store = state.time_travel.store;
  for (int run : store.runs()) list.push_back({{"run", run}, {"epochs", store.epochs(run)}});
  return list;
}

nlohmann::json time_travel_json(const AppState& state) {
  const TimeTravelState& tt = state.time_travel;
  const SnapshotStore& store = tt.store;
  nlohmann::json j = {{"run", nullptr},         {"epoch", nullptr},
                      {"valAcc", nullptr},      {"testAcc", nullptr},
                      {"evaluating", false},    {"conv1WeightSum", nullptr},
                      {"bytes", store.bytes()}, {"budgetBytes", store.budget()},
                      {"thinned", store.thinned()}, {"note", store.thinning_note()},
                      {"playing", tt.playing}};
  if (tt.shown_run > 0) {
    j["run"] = tt.shown_run;
    j["epoch"] = tt.shown_epoch;
    if (store.has(tt.shown_run, tt.shown_epoch)) {
      const EpochSnapshot& s = store.get(tt.shown_run, tt.shown_epoch);
      if (s.record && std::isfinite(s.record->val_accuracy)) j["valAcc"] = s.record->val_accuracy;
    }
    if (const EpochEvaluation* e = shown_evaluation(state)) j["testAcc"] = e->metrics.accuracy();
    else j["evaluating"] = tt.evaluator != nullptr;
  }
  j["conv1Change"] = nullptr;
  if (const Model* m = shown_model(state)) {
    j["conv1WeightSum"] = first_conv_weight_sum(*m);
    // The first conv layer's relative change since the run's epoch 0 (the Inside view's number).
    for (int i = 0; i < m->num_layers(); ++i) {
      if (m->layer(i).kind() != LayerKind::kConv2D) continue;
      const double change = weight_change_since_start(state, *m, i);
      if (std::isfinite(change)) j["conv1Change"] = change;
      break;
    }
  }
  return j;
}

double weight_change_since_start(const AppState& state, const Model& model, int layer) {
  const TimeTravelState& tt = state.time_travel;
  const int run = tt.shown_run > 0 ? tt.shown_run : state.training.run;
  if (run <= 0 || !tt.store.has(run, 0) || tt.store.spec(run) != model.spec()) return NAN;
  return relative_weight_change(model, layer, tt.store.get(run, 0).weights);
}

int nearest_kept_epoch(const std::vector<int>& kept, int epoch) {
  int best = kept.front();
  for (int k : kept)
    if (std::abs(k - epoch) < std::abs(best - epoch)) best = k;
  return best;
}

nlohmann::json first_conv_weight_sum(const Model& model) {
  for (const Param* p : model.params()) {
    if (p->value.shape().rank != 4) continue;  // conv weights are (out, in, kh, kw)
    double sum = 0;
    for (size_t i = 0; i < p->value.size(); ++i) sum += p->value.data()[i];
    return sum;
  }
  return nullptr;
}

// ---- [SECTION] Slider --------------------------------------------------------------------------

void draw_time_slider(AppState& state, const char* id) {
  TimeTravelState& tt = state.time_travel;
  const int run = slider_run(state);
  const std::vector<int> kept = tt.store.epochs(run);
  if (run == 0 || kept.empty()) return;
  ImGui::PushID(id);
  const float scale = state.ui.scale;
  const int of = std::max(planned_epochs(state, run), kept.back());
  const bool shown = tt.shown_run == run;
  char title[160];
  if (kept.back() == 0) {
    // Only the untrained start so far: nothing to go back to yet.
    std::snprintf(title, sizeof title,
                  "Run %d has not finished an epoch yet. After each epoch you can drag here to "
                  "see the network as it was then.", run);
  } else if (shown) {
    std::snprintf(title, sizeof title, "Show the network after epoch %d of %d (run %d)",
                  tt.shown_epoch, of, run);
  } else {
    std::snprintf(title, sizeof title,
                  "Showing the latest weights. Drag to show the network after any epoch of %d "
                  "(run %d).", of, run);
  }
  // A phone or a short Results area (a 1280x800 laptop): the sentence goes into the slider's
  // tooltip and the slider itself says where it is (the lines of text above the maps cost too
  // much of the height the maps need).
  const bool compact = state.ui.short_results;
  if (!compact) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(title);
    ImGui::PopTextWrapPos();
  }

  const bool reduced = state.ui.embedding.reduced_motion;
  ImGui::BeginDisabled(reduced || kept.size() < 2);
  if (ImGui::Button(tt.playing ? "Pause##time" : "Play##time")) {
    tt.playing = !tt.playing;
    if (tt.playing) {
      // From the start when on the last kept epoch or the latest weights.
      if (!shown || tt.shown_epoch >= kept.back()) show_epoch(state, run, kept.front());
      tt.next_play_step = platform::now_seconds() + kPlayStepSeconds;
    }
  }
  ImGui::EndDisabled();
  item_tooltip(reduced ? "Off: your system asks for reduced motion. Drag the slider instead."
                       : "Step through the kept epochs by itself, one every 0.8 s, from the "
                         "untrained network to the last epoch.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!shown);
  if (ImGui::Button("Latest")) show_latest(state);
  ImGui::EndDisabled();
  item_tooltip("Back to the latest weights (they follow training live).");
  ImGui::SameLine();
  int epoch = shown ? tt.shown_epoch : kept.back();
  ImGui::SetNextItemWidth(std::max(80.0f * scale, ImGui::GetContentRegionAvail().x));
  char compact_format[64];
  if (kept.back() == 0) {
    std::snprintf(compact_format, sizeof compact_format, "run %d: no epoch yet", run);
  } else if (shown) {
    std::snprintf(compact_format, sizeof compact_format, "epoch %%d of %d (run %d)", of, run);
  } else {
    std::snprintf(compact_format, sizeof compact_format, "latest (run %d)", run);
  }
  const char* format = compact ? compact_format : shown ? "epoch %d" : "latest";
  if (ImGui::SliderInt("##epoch", &epoch, kept.front(), kept.back(), format,
                       ImGuiSliderFlags_AlwaysClamp)) {
    tt.playing = false;
    show_epoch(state, run, nearest_kept_epoch(kept, epoch));
  }
  std::string tip = std::string(compact ? title : "") + (compact ? "\n" : "") +
      "Drag to see this run's network as it was after each epoch: its filters, feature maps and "
      "test accuracy. Epoch 0 is before any training. Kept epochs: " +
      epoch_list_text(kept) + ".";
  item_tooltip(tip.c_str());
  if (tt.store.thinned()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", tt.store.thinning_note(run).c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::Separator();
  ImGui::PopID();
}

}  // namespace cnnlab
