// SnapshotStore (see snapshot_store.h).
#include "lab/snapshot_store.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace cnnlab {

namespace {

std::string megabytes_text(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

// What a snapshot holds: its vector's capacity, not only its values (add() trims it to them).
size_t snapshot_bytes(const EpochSnapshot& s) { return s.weights.capacity() * sizeof(float); }

}  // namespace

std::string epoch_list_text(const std::vector<int>& epochs) {
  std::string text;
  for (size_t i = 0; i < epochs.size(); ++i) {
    if (i > 0) text += i + 1 == epochs.size() ? " and " : ", ";
    text += std::to_string(epochs[i]);
  }
  return text.empty() ? "none" : text;
}

EpochWeights EpochWeights::of(const Model& model) {
  EpochWeights w;
  w.spec = model.spec();
  // Reserved whole: grown by appending, the vector kept up to twice its values' bytes, memory
  // the store's budget (which counts values) did not see.
  size_t count = 0;
  for (const Param* p : model.params()) count += p->value.size();
  w.values.reserve(count);
  for (const Param* p : model.params()) {
    w.param_sizes.push_back(p->value.size());
    w.values.insert(w.values.end(), p->value.data(), p->value.data() + p->value.size());
  }
  return w;
}

std::unique_ptr<Model> EpochWeights::build() const {
  auto model = std::make_unique<Model>(spec, 1);
  model->set_collect_stats(false);
  const std::vector<Param*>& params = model->params();
  const char* where = "epoch weights";
  require(params.size() == param_sizes.size(), where,
          "have " + std::to_string(param_sizes.size()) + " parameter tensors; the network has " +
              std::to_string(params.size()));
  size_t offset = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    require(params[i]->value.size() == param_sizes[i] && offset + param_sizes[i] <= values.size(),
            where, "parameter " + params[i]->name + " does not fit the network");
    std::copy(values.begin() + static_cast<std::ptrdiff_t>(offset),
              values.begin() + static_cast<std::ptrdiff_t>(offset + param_sizes[i]),
              params[i]->value.data());
    offset += param_sizes[i];
  }
  return model;
}

void SnapshotStore::add(int run, int epoch, std::optional<EpochRecord> record,
                        EpochWeights weights) {
  const char* where = "epoch snapshot";
  require(run >= 1, where, "run " + std::to_string(run) + " is not a run number (1, 2, ...)");
  require(epoch >= 0, where, "epoch " + std::to_string(epoch) + " is below 0");
  EpochSnapshot s;
  s.epoch = epoch;
  s.record = std::move(record);
  s.weights = std::move(weights.values);
  s.weights.shrink_to_fit();
  ++version_;
  if (snapshot_bytes(s) > budget_) {
    refused_ = "A snapshot of this model takes " + megabytes_text(snapshot_bytes(s)) +
               ", more than the whole snapshot budget of " + megabytes_text(budget_) +
               ", so no epochs of it are kept.";
    return;
  }
  RunSnapshots& r = runs_[run];
  if (r.param_sizes != weights.param_sizes || !(r.spec == weights.spec) || epoch == 0) {
    // A new run, or one that starts over.
    r.spec = std::move(weights.spec);
    r.param_sizes = std::move(weights.param_sizes);
    r.kept.clear();
    r.stride = 1;
  }
  auto at = std::lower_bound(r.kept.begin(), r.kept.end(), epoch,
                             [](const EpochSnapshot& k, int e) { return k.epoch < e; });
  if (at != r.kept.end() && at->epoch == epoch) *at = std::move(s);
  else r.kept.insert(at, std::move(s));
  thin();
}

const SnapshotStore::RunSnapshots& SnapshotStore::run_of(int run, const char* where) const {
  const auto it = runs_.find(run);
  if (it == runs_.end() || it->second.kept.empty()) {
    std::vector<int> known = runs();
    throw Error(where, "run " + std::to_string(run) + " has no snapshots (runs with snapshots: " +
                           epoch_list_text(known) + ")");
  }
  return it->second;
}

const EpochSnapshot& SnapshotStore::get(int run, int epoch) const {
  const char* where = "epoch snapshot";
  const RunSnapshots& r = run_of(run, where);
  for (const EpochSnapshot& s : r.kept)
    if (s.epoch == epoch) return s;
  throw Error(where, "epoch " + std::to_string(epoch) + " of run " + std::to_string(run) +
                         " was not kept (kept: " + epoch_list_text(epochs(run)) + ")");
}

void SnapshotStore::restore(int run, int epoch, Model& model) const {
  const EpochSnapshot& s = get(run, epoch);
  const std::vector<size_t>& sizes = run_of(run, "epoch snapshot").param_sizes;
  const std::vector<Param*>& params = model.params();
  const std::string where = "epoch " + std::to_string(epoch) + " of run " + std::to_string(run);
  require(params.size() == sizes.size(), where,
          "has " + std::to_string(sizes.size()) + " parameter tensors; the model has " +
              std::to_string(params.size()));
  size_t offset = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    require(params[i]->value.size() == sizes[i], where,
            "parameter " + params[i]->name + " has " + std::to_string(sizes[i]) +
                " values in the snapshot and " + std::to_string(params[i]->value.size()) +
                " in the model");
    std::copy(s.weights.begin() + static_cast<std::ptrdiff_t>(offset),
              s.weights.begin() + static_cast<std::ptrdiff_t>(offset + sizes[i]),
              params[i]->value.data());
    offset += sizes[i];
  }
}

std::unique_ptr<Model> SnapshotStore::model_at(int run, int epoch) const {
  get(run, epoch);  // refuses an epoch not kept before building anything
  auto model = std::make_unique<Model>(spec(run), 1);
  model->set_collect_stats(false);
  restore(run, epoch, *model);
  return model;
}

const ModelSpec& SnapshotStore::spec(int run) const { return run_of(run, "epoch snapshot").spec; }

std::vector<int> SnapshotStore::runs() const {
  std::vector<int> out;
  for (const auto& [run, r] : runs_)
    if (!r.kept.empty()) out.push_back(run);
  return out;
}

std::vector<int> SnapshotStore::epochs(int run) const {
  std::vector<int> out;
  const auto it = runs_.find(run);
  if (it == runs_.end()) return out;
  for (const EpochSnapshot& s : it->second.kept) out.push_back(s.epoch);
  return out;
}

bool SnapshotStore::has(int run, int epoch) const {
  const std::vector<int> kept = epochs(run);
  return std::find(kept.begin(), kept.end(), epoch) != kept.end();
}

size_t SnapshotStore::bytes() const {
  size_t total = 0;
  for (const auto& [run, r] : runs_)
    for (const EpochSnapshot& s : r.kept) total += snapshot_bytes(s);
  return total;
}

void SnapshotStore::set_budget(size_t budget_bytes) {
  budget_ = budget_bytes;
  thin();
  ++version_;
}

std::string SnapshotStore::thinning_note() const {
  if (!refused_.empty()) return refused_;
  if (dropped_ == 0) return "";
  // The epochs missing from the runs still kept, and the earlier runs let go as a whole, said
  // apart: a student counts the gaps in the run on screen.
  size_t thinned = 0;
  for (const auto& [run, r] : runs_) thinned += r.thinned;
  const std::string within = "To stay within " + megabytes_text(budget_) + " of memory, ";
  const std::string runs_gone =
      dropped_runs_ == 0 ? ""
      : "the snapshots of " + std::to_string(dropped_runs_) + " earlier run" +
            (dropped_runs_ == 1 ? " were" : "s were") + " let go";
  if (thinned == 0) return within + runs_gone + "; every epoch of the runs listed is kept.";
  // Which epochs each thinned run keeps, as they are: a run thinned part of the way keeps some
  // epochs between its evenly spaced ones, so no one rule describes every run.
  std::string kept;
  for (const auto& [run, r] : runs_) {
    if (r.thinned == 0) continue;
    kept += std::string(kept.empty() ? "" : "; ") + "run " + std::to_string(run) + " keeps epoch" +
            (r.kept.size() == 1 ? " " : "s ") + epoch_list_text(epochs(run));
  }
  std::string note = within + std::to_string(thinned) +
                     (thinned == 1 ? " epoch snapshot was" : " epoch snapshots were") +
                     " dropped: " + kept + ".";
  if (!runs_gone.empty()) note += " Also, " + runs_gone + ".";
  return note;
}

std::string SnapshotStore::thinning_note(int run) const {
  if (!refused_.empty()) return refused_;
  if (dropped_ == 0) return "";
  const auto it = runs_.find(run);
  if (it == runs_.end()) return thinning_note();
  const RunSnapshots& r = it->second;
  const std::string run_name = "run " + std::to_string(run);
  // What the other runs lost: their dropped epochs and the earlier runs let go as a whole.
  const size_t others = dropped_ - r.thinned;
  const std::string others_text =
      others == 0 ? ""
                  : std::to_string(others) + (others == 1 ? " snapshot" : " snapshots") +
                        " of other runs " + (others == 1 ? "was" : "were") + " dropped";
  const std::string within = "To stay within " + megabytes_text(budget_) + " of memory, ";
  if (r.thinned == 0) return "Every epoch of " + run_name + " is kept. " + within + others_text + ".";
  std::string note = within + std::to_string(r.thinned) + " of " + run_name + "'s epoch " +
                     (r.thinned == 1 ? "snapshots was" : "snapshots were") +
                     " dropped; it keeps epoch" + (r.kept.size() == 1 ? " " : "s ") +
                     epoch_list_text(epochs(run)) + ".";
  if (!others_text.empty()) note += " Also, " + others_text + ".";
  return note;
}

void SnapshotStore::drop_run(int run) {
  runs_.erase(run);
  ++version_;
}

void SnapshotStore::clear() {
  runs_.clear();
  dropped_ = 0;
  dropped_runs_ = 0;
  refused_.clear();
  ++version_;
}

void SnapshotStore::thin() {
  while (bytes() > budget_) {
    // The run with the most snapshots that still has one between its first and last.
    RunSnapshots* most = nullptr;
    for (auto& [run, r] : runs_)
      if (r.kept.size() > 2 && (!most || r.kept.size() > most->kept.size())) most = &r;
    if (most) {
      // Beyond the budget a run keeps every stride-th epoch (2, then 4, 8, ...) besides its
      // first and last: the earliest inner epoch off the stride goes; with none left the
      // stride doubles. (Inner epochs are above 0, so a stride beyond them all finds one.)
      std::vector<EpochSnapshot>& kept = most->kept;
      for (;;) {
        const auto off = std::find_if(kept.begin() + 1, kept.end() - 1, [&](const EpochSnapshot& k) {
          return k.epoch % most->stride != 0;
        });
        if (off != kept.end() - 1) {
          kept.erase(off);
          ++dropped_;
          ++most->thinned;
          break;
        }
        most->stride *= 2;
      }
      continue;
    }
    // Every run is down to its first and last: the oldest run's go first; a last run alone keeps
    // its latest (add() never keeps a snapshot larger than the whole budget).
    auto oldest = std::find_if(runs_.begin(), runs_.end(),
                               [](const auto& r) { return !r.second.kept.empty(); });
    if (oldest == runs_.end()) return;
    if (std::next(oldest) != runs_.end()) {
      dropped_ += oldest->second.kept.size();
      ++dropped_runs_;
      runs_.erase(oldest);
    } else {
      std::vector<EpochSnapshot>& kept = oldest->second.kept;
      if (kept.size() < 2) return;
      kept.erase(kept.begin());
      ++dropped_;
      ++oldest->second.thinned;
    }
  }
}

}  // namespace cnnlab
