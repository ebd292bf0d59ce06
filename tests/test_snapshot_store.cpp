// Per-epoch snapshots (lab/snapshot_store.h): weights come back exactly, the memory budget keeps
// the first, last and evenly spaced epochs and says so, and epochs or runs not kept are refused
// with what is kept.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "lab/snapshot_store.h"
#include "model/spec.h"
#include "test_helpers.h"

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;

namespace {

// 1x4x4 input -> conv 2 3x3 same -> relu -> flatten -> dense 2: 86 parameters, 344 bytes a
// snapshot.
ModelSpec small_spec() {
  return parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 2", Shape{1, 4, 4}, 2);
}

std::vector<float> weights_of(const Model& m) {
  std::vector<float> out;
  for (const Param* p : m.params()) out.insert(out.end(), p->value.data(), p->value.data() + p->value.size());
  return out;
}

// Moves every weight by `by` (as a training step would, in a way a test can tell apart).
void shift(Model& m, float by) {
  for (Param* p : m.params())
    for (size_t i = 0; i < p->value.size(); ++i) p->value.data()[i] += by;
}

size_t snapshot_bytes(const Model& m) { return m.parameter_count() * sizeof(float); }

}  // namespace

TEST_CASE("Snapshot store: every epoch's weights and record come back exactly") {
  Model model(small_spec(), 1);
  SnapshotStore store;
  std::vector<std::vector<float>> expected;
  for (int epoch = 0; epoch <= 3; ++epoch) {
    std::optional<EpochRecord> record;
    if (epoch > 0) {
      record = EpochRecord{};
      record->epoch = epoch;
      record->val_accuracy = 0.25 * epoch;
    }
    store.add(1, epoch, record, model);
    expected.push_back(weights_of(model));
    shift(model, 0.5f);
  }
  CHECK(store.runs() == std::vector<int>{1});
  CHECK(store.epochs(1) == std::vector<int>{0, 1, 2, 3});
  CHECK(store.bytes() == 4 * snapshot_bytes(model));
  CHECK(!store.thinned());
  CHECK(store.thinning_note().empty());
  Model shown(small_spec(), 99);
  for (int epoch : {2, 0, 3}) {
    store.restore(1, epoch, shown);
    CHECK(weights_of(shown) == expected[static_cast<size_t>(epoch)]);
  }
  // A model of the run's network made from the store alone.
  const std::unique_ptr<Model> rebuilt = store.model_at(1, 1);
  CHECK(rebuilt->spec() == model.spec());
  CHECK(weights_of(*rebuilt) == expected[1]);
  CHECK(!store.get(1, 0).record);
  REQUIRE(store.get(1, 2).record);
  CHECK(store.get(1, 2).record->val_accuracy == 0.5);
  // The same epoch again replaces it; epoch 0 again starts the run over.
  store.add(1, 2, std::nullopt, model);
  store.restore(1, 2, shown);
  CHECK(weights_of(shown) == weights_of(model));
  CHECK(store.epochs(1) == std::vector<int>{0, 1, 2, 3});
  store.add(1, 0, std::nullopt, model);
  CHECK(store.epochs(1) == std::vector<int>{0});
}

TEST_CASE("Snapshot store: refuses an unknown run, an epoch not kept, another model's shape") {
  Model model(small_spec(), 1);
  SnapshotStore store;
  store.add(2, 0, std::nullopt, model);
  store.add(2, 1, std::nullopt, model);
  Model shown(small_spec(), 2);
  const std::string unknown_run = error_of([&] { store.restore(5, 0, shown); });
  CHECK(contains(unknown_run, "run 5 has no snapshots"));
  CHECK(contains(unknown_run, "runs with snapshots: 2"));
  const std::string not_kept = error_of([&] { store.restore(2, 7, shown); });
  CHECK(contains(not_kept, "epoch 7 of run 2 was not kept"));
  CHECK(contains(not_kept, "kept: 0 and 1"));
  Model other(parse_model_spec("conv2d 3 k=3 pad=same; relu; flatten; dense 2", Shape{1, 4, 4}, 2), 1);
  const std::vector<float> before = weights_of(other);
  CHECK(contains(error_of([&] { store.restore(2, 1, other); }), "values in the snapshot"));
  CHECK(contains(error_of([&] { store.add(0, 1, std::nullopt, model); }), "not a run number"));
  CHECK(contains(error_of([&] { store.add(1, -1, std::nullopt, model); }), "below 0"));
  CHECK(store.runs() == std::vector<int>{2});
  CHECK(!store.has(2, 7));
  CHECK(store.has(2, 1));
}

TEST_CASE("Snapshot store: over budget it keeps first, last and evenly spaced epochs, and says so") {
  Model model(small_spec(), 1);
  const size_t one = snapshot_bytes(model);
  SnapshotStore store(5 * one);  // room for 5 snapshots
  std::vector<std::vector<float>> expected;
  for (int epoch = 0; epoch <= 10; ++epoch) {
    store.add(1, epoch, std::nullopt, model);
    expected.push_back(weights_of(model));
    shift(model, 1.0f);
    CHECK(store.bytes() <= store.budget());
  }
  // Every 2nd epoch from epoch 5 on, every 4th from epoch 9 on; the latest always (9 stays while
  // it fits).
  CHECK(store.epochs(1) == std::vector<int>{0, 4, 8, 9, 10});
  CHECK(store.thinned());
  CHECK(contains(store.thinning_note(), "6 epoch snapshots were dropped"));
  // It names the epochs kept (9 is not a 4th: no every-Nth rule describes the run).
  CHECK(contains(store.thinning_note(), "dropped: run 1 keeps epochs 0, 4, 8, 9 and 10."));
  // The note for the run on screen counts that run's dropped epochs and names the kept ones.
  CHECK(contains(store.thinning_note(1),
                 " of memory, 6 of run 1's epoch snapshots were dropped; it keeps epochs 0, 4, 8, 9 and 10."));
  Model shown(small_spec(), 3);
  store.restore(1, 8, shown);
  CHECK(weights_of(shown) == expected[8]);

  // A second run shares the budget: the run with the most snapshots gives way first.
  Model second(small_spec(), 2);
  store.add(2, 0, std::nullopt, second);
  store.add(2, 1, std::nullopt, second);
  CHECK(store.epochs(1) == std::vector<int>{0, 8, 10});
  CHECK(store.epochs(2) == std::vector<int>{0, 1});
  CHECK(contains(store.thinning_note(), "dropped: run 1 keeps epochs 0, 8 and 10."));

  // A smaller budget thins at once; with every run down to its first and last the oldest run goes.
  store.set_budget(2 * one);
  CHECK(store.runs() == std::vector<int>{2});
  CHECK(store.epochs(2) == std::vector<int>{0, 1});
  // The note counts the gaps in the runs still kept (none) apart from the runs let go.
  CHECK(contains(store.thinning_note(), " of memory, the snapshots of 1 earlier run were let go; "
                                        "every epoch of the runs listed is kept."));
  CHECK(!contains(store.thinning_note(), "epoch snapshot"));

  // A snapshot larger than the whole budget is not kept, and the note says why.
  SnapshotStore tiny(one - 1);
  tiny.add(1, 0, std::nullopt, model);
  CHECK(tiny.runs().empty());
  CHECK(tiny.thinned());
  CHECK(contains(tiny.thinning_note(), "more than the whole snapshot budget"));
  tiny.clear();
  CHECK(!tiny.thinned());
}

TEST_CASE("Snapshot store: the time slider's note tells the shown run's own dropped and kept epochs") {
  Model model(small_spec(), 1);
  SnapshotStore store(9 * snapshot_bytes(model));  // room for 9 of the 12 snapshots below
  for (int run = 1; run <= 2; ++run) {
    for (int epoch = 0; epoch <= 5; ++epoch) {
      store.add(run, epoch, std::nullopt, model);
      shift(model, 1.0f);
    }
  }
  // Each run trained epochs 0..5: the note for a run counts what that run lost and lists what
  // it keeps, whatever the other run lost.
  size_t dropped_total = 0;
  for (int run = 1; run <= 2; ++run) {
    const std::vector<int> kept = store.epochs(run);
    const size_t dropped = 6 - kept.size();
    dropped_total += dropped;
    const std::string list = epoch_list_text(kept);  // "0, 2, 4 and 5"
    const std::string note = store.thinning_note(run);
    CAPTURE(note);
    if (dropped == 0) {
      CHECK(contains(note, "Every epoch of run " + std::to_string(run) + " is kept."));
    } else {
      CHECK(contains(note, std::to_string(dropped) + " of run " + std::to_string(run) +
                               "'s epoch snapshot"));
      CHECK(contains(note, "keeps epochs " + list + "."));
    }
    const size_t others = 12 - 9 - dropped;
    if (others > 0) CHECK(contains(note, std::to_string(others) + " snapshot"));
  }
  CHECK(dropped_total == 3);
  // Run 2 (the one still training) lost 1, the run before it 2: not "3 dropped, every 2nd kept".
  CHECK(store.epochs(2).size() == 5);
  CHECK(contains(store.thinning_note(2), "1 of run 2's epoch snapshots was dropped; it keeps epochs"));
  CHECK(contains(store.thinning_note(2), "Also, 2 snapshots of other runs were dropped."));
  // The note about every run (the Experiments panel's) lists each thinned run's epochs too, and
  // claims no every-Nth rule that run 2 (thinned part of the way) does not follow.
  const std::string all = store.thinning_note();
  CAPTURE(all);
  CHECK(contains(all, "3 epoch snapshots were dropped: run 1 keeps epochs " +
                          epoch_list_text(store.epochs(1)) + "; run 2 keeps epochs " +
                          epoch_list_text(store.epochs(2)) + "."));
  CHECK(!contains(all, "every"));
}

TEST_CASE("EpochWeights::build: a new model of the spec holding the values; values of another shape refused") {
  Model m(small_spec(), 7);
  shift(m, 0.25f);
  const EpochWeights w = EpochWeights::of(m);
  const std::unique_ptr<Model> built = w.build();
  CHECK(weights_of(*built) == weights_of(m));
  CHECK(built->spec().text() == m.spec().text());

  EpochWeights short_values = w;
  short_values.values.pop_back();
  CHECK(contains(error_of([&] { short_values.build(); }), "does not fit the network"));
  EpochWeights other = w;
  other.param_sizes.pop_back();
  CHECK(contains(error_of([&] { other.build(); }), "parameter tensors"));
}

TEST_CASE("Snapshot store: a snapshot holds its values' bytes and no more, and bytes() counts what it holds") {
  Model model(small_spec(), 1);
  // EpochWeights::of reserves the values whole (appended parameter by parameter, the vector had
  // grown to 168 floats for these 86).
  const EpochWeights weights = EpochWeights::of(model);
  CHECK(weights.values.size() == model.parameter_count());
  CHECK(weights.values.capacity() == weights.values.size());
  // Weights with spare room (made elsewhere) are trimmed when kept: the budget counts memory.
  EpochWeights roomy = EpochWeights::of(model);
  roomy.values.reserve(4 * roomy.values.size());
  SnapshotStore store;
  store.add(1, 0, std::nullopt, std::move(roomy));
  CHECK(store.bytes() == snapshot_bytes(model));
}
