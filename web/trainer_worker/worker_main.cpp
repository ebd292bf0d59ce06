// The browser's training worker (a second wasm target, cnnlab_trainer.js/.wasm): one TrainerHost
// — a cnnlab::Session and what to report when — behind C functions that page/trainer-worker.js
// calls between its message handling. Training here keeps the page's main thread free to draw
// at full frame rate.
//
// Every function catches at this boundary: an engine Error (or any C++ exception, including
// running out of memory) becomes a message string, never an abort of the worker.
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <malloc.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "lab/trainer_host.h"

namespace {

std::unique_ptr<cnnlab::TrainerHost> host;  // made by trainer_start, or on first use
std::string result;                 // the last string returned to JavaScript
std::string last_error;             // why the last trainer_tick (or trainer_start) failed
std::vector<uint8_t> snapshot_bytes;
std::vector<uint8_t> dataset_report_bytes;
// The experiment's epoch weights taken by trainer_experiment_epochs_take, and its id.
std::vector<cnnlab::ExperimentEpochWeights> experiment_epochs;
int experiment_epochs_id = 0;
int poll_flags = 0;                 // 1: a snapshot is due, 2: test results are new,
                                    // 4: the experiment's weights are due, 8: a dataset report

cnnlab::TrainerHost& the_host() {
  if (!host) host = std::make_unique<cnnlab::TrainerHost>(1);
  return *host;
}

const char* fail(const std::exception& e) {
  result = e.what();
  if (result.empty()) result = "unknown error in the training worker";
  return result.c_str();
}

}  // namespace

extern "C" {

// Starts the Session with `threads` threads (the threaded trainer: its pre-started Web Workers
// must be loaded, as they are once the module's factory resolved) and `note` saying why, for the
// Training panel. Returns the threads it got (fewer when the platform could not start them), or
// 0 when it failed (trainer_last_error says why). Without this call the first command starts a
// single-threaded one.
EMSCRIPTEN_KEEPALIVE int trainer_start(int threads, const char* note) {
  try {
    host = std::make_unique<cnnlab::TrainerHost>(threads, note ? note : "");
    return host->session().threads();
  } catch (const std::exception& e) {
    last_error = e.what();
    return 0;
  }
}

// A dataset file handed over in pieces (TrainerHost::begin_data / feed_data / finish_data):
// trainer_data_begin(total bytes, origin), then trainer_data_feed(piece, size) for each piece in
// order (the caller owns and reuses the piece's memory), then trainer_data_finish(). Each returns
// "" or the error message; after an error the load is dropped and the dataset stays as it was.
EMSCRIPTEN_KEEPALIVE const char* trainer_data_begin(double total_size, const char* origin) {
  try {
    cnnlab::require(total_size >= 0 && total_size < 4294967296.0, "dataset",
                    "size " + std::to_string(total_size) + " bytes is out of range");
    the_host().begin_data(static_cast<uint64_t>(total_size), origin ? origin : "pack");
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* trainer_data_feed(const uint8_t* bytes, size_t size) {
  try {
    the_host().feed_data(bytes, size);
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

// Drops a dataset whose download failed part-way (nothing changes; always "").
EMSCRIPTEN_KEEPALIVE const char* trainer_data_abort() {
  the_host().abort_data();
  result.clear();
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* trainer_data_finish() {
  try {
    the_host().finish_data();
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

// How far an upload's decoding is, posted to the page while the worker is still decoding (the
// page's progress bar: {type: 'uploadProgress', decoded, total}).
EM_JS(void, post_upload_progress, (double decoded, double total), {
  self.postMessage({type: 'uploadProgress', decoded: decoded, total: total});
});

// A dataset the student brought (TrainerHost::load_upload): an image-folder archive (.tar,
// .tar.gz; the page has turned a .zip into a tar) or a pack, `size` bytes the caller frees,
// fitted to channels x height x width. "" or why it was refused (nothing changed then); on
// success trainer_upload_pack() holds the dataset as a pack for the page to cache.
EMSCRIPTEN_KEEPALIVE const char* trainer_load_upload(const uint8_t* bytes, size_t size,
                                                     const char* name, int channels, int height,
                                                     int width) {
  try {
    cnnlab::UploadInput input;
    input.channels = channels;
    input.height = height;
    input.width = width;
    the_host().load_upload(bytes, size, name ? name : "dataset", input,
                           [](size_t decoded, size_t total) {
                             post_upload_progress(static_cast<double>(decoded),
                                                  static_cast<double>(total));
                           });
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

// The last upload's pack (valid until trainer_release_upload_pack) and its size.
EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_upload_pack() {
  return the_host().upload_pack().data();
}
EMSCRIPTEN_KEEPALIVE size_t trainer_upload_pack_size() { return the_host().upload_pack().size(); }
EMSCRIPTEN_KEEPALIVE void trainer_release_upload_pack() { the_host().release_upload_pack(); }

// Loads a saved model from `size` bytes (model-file bytes; the caller frees them): see
// TrainerHost::load_model. "" or why it was refused (nothing changed then).
EMSCRIPTEN_KEEPALIVE const char* trainer_load_model(const uint8_t* bytes, size_t size,
                                                    const char* name) {
  try {
    the_host().load_model(bytes, size, name ? name : "model file");
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

// One command: TrainerCommand's JSON text (lab/trainer_command.h). "" or why it was refused
// (malformed, unknown, or the Session's own message).
EMSCRIPTEN_KEEPALIVE const char* trainer_handle(const char* command_json) {
  try {
    the_host().handle(cnnlab::TrainerCommand::from_json(
        nlohmann::json::parse(command_json ? command_json : ""), "trainer command"));
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

// Trains / evaluates for up to budget seconds: 1 while there is more work, 0 when idle, -1 on
// an error (trainer_last_error says which).
EMSCRIPTEN_KEEPALIVE int trainer_tick(double budget_seconds) {
  try {
    return the_host().tick(budget_seconds) ? 1 : 0;
  } catch (const std::exception& e) {
    last_error = e.what();
    try {
      the_host().session().pause();
    } catch (...) {
    }
    return -1;
  }
}

// TrainerHost::warm_up: 1 while steps remain, 0 when done or not wanted now. A failure (such as
// too little memory for a large network) ends it quietly: the student's own run will say so.
EMSCRIPTEN_KEEPALIVE int trainer_warm_up(double budget_seconds) {
  try {
    return the_host().warm_up(budget_seconds) ? 1 : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

EMSCRIPTEN_KEEPALIVE const char* trainer_last_error() { return last_error.c_str(); }

// Bytes of the heap allocated and not yet freed (the lab's state().memory.workerHeapInUseBytes).
// The wasm memory itself only grows, so its size is a high-water mark that a freed-then-
// fragmented heap raises too; a leak raises this.
EMSCRIPTEN_KEEPALIVE double trainer_heap_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

EMSCRIPTEN_KEEPALIVE int trainer_busy() {
  try {
    return the_host().busy() ? 1 : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// What to post now (TrainerReport's JSON text, lab/trainer_report.h; "" when it could not be
// made: trainer_last_error says why); the flags are read with
// trainer_poll_flags. force: report everything that changed.
EMSCRIPTEN_KEEPALIVE const char* trainer_poll(int force) {
  poll_flags = 0;
  try {
    const cnnlab::TrainerReport report =
        the_host().poll(emscripten_get_now() / 1000.0, force != 0);
    if (report.snapshot_due) poll_flags |= 1;
    if (report.test_due) poll_flags |= 2;
    if (report.experiment_snapshot_due) poll_flags |= 4;
    if (report.dataset_due) poll_flags |= 8;
    result = report.to_json().dump();
  } catch (const std::exception& e) {
    last_error = e.what();
    result.clear();  // nothing to post; trainer_last_error says why
  }
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE int trainer_poll_flags() { return poll_flags; }

// The model as model-file bytes; valid until the next call. Size 0 on failure or without a model
// (trainer_last_error then says why, when it failed).
EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_snapshot() {
  try {
    snapshot_bytes = the_host().snapshot();
  } catch (const std::exception& e) {
    last_error = e.what();
    snapshot_bytes.clear();
  }
  return snapshot_bytes.data();
}

EMSCRIPTEN_KEEPALIVE size_t trainer_snapshot_size() { return snapshot_bytes.size(); }

// The current dataset's report (lab/dataset_report.h: what the app displays, including the test
// split) as bytes, valid until the next call; its size is trainer_dataset_report_size(), 0 on
// failure (trainer_last_error says why).
EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_dataset_report() {
  try {
    dataset_report_bytes = cnnlab::encode_dataset_report(the_host().dataset_report());
  } catch (const std::exception& e) {
    last_error = e.what();
    dataset_report_bytes.clear();
  }
  return dataset_report_bytes.data();
}

EMSCRIPTEN_KEEPALIVE size_t trainer_dataset_report_size() { return dataset_report_bytes.size(); }

// Frees the report's bytes once they were copied out (the test split of a full dataset is tens
// of MB).
EMSCRIPTEN_KEEPALIVE void trainer_release_dataset_report() {
  std::vector<uint8_t>().swap(dataset_report_bytes);
}

// Configurations of the current experiment (0 without one).
EMSCRIPTEN_KEEPALIVE int trainer_experiment_configs() {
  try {
    return static_cast<int>(the_host().experiment_configs());
  } catch (const std::exception&) {
    return 0;
  }
}

// Configuration c's model (its first repeat) as model-file bytes, in the same buffer as
// trainer_snapshot (size: trainer_snapshot_size); valid until the next call.
EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_experiment_snapshot(int config) {
  try {
    snapshot_bytes = the_host().experiment_snapshot(static_cast<size_t>(config));
  } catch (const std::exception& e) {
    last_error = e.what();
    snapshot_bytes.clear();
  }
  return snapshot_bytes.data();
}

// The experiment's configurations' epoch weights noted since the last take
// (TrainerHost::take_experiment_epoch_weights), kept here until the next take; returns their
// count. Each is read as its note (trainer_experiment_epoch_note: ExperimentEpochNote's JSON text)
// and its weights as model-file bytes (trainer_experiment_epoch_file, size trainer_snapshot_size).
EMSCRIPTEN_KEEPALIVE int trainer_experiment_epochs_take() {
  try {
    experiment_epochs = the_host().take_experiment_epoch_weights(&experiment_epochs_id);
  } catch (const std::exception& e) {
    last_error = e.what();
    experiment_epochs.clear();
  }
  return static_cast<int>(experiment_epochs.size());
}

EMSCRIPTEN_KEEPALIVE const char* trainer_experiment_epoch_note(int i) {
  result.clear();
  if (i < 0 || static_cast<size_t>(i) >= experiment_epochs.size()) return result.c_str();
  const cnnlab::ExperimentEpochWeights& w = experiment_epochs[static_cast<size_t>(i)];
  cnnlab::ExperimentEpochNote note;
  note.experiment = experiment_epochs_id;
  note.config = static_cast<int>(w.config);
  note.epoch = w.epoch;
  note.record = w.record;
  result = note.to_json().dump();
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_experiment_epoch_file(int i) {
  snapshot_bytes.clear();
  if (i < 0 || static_cast<size_t>(i) >= experiment_epochs.size()) return snapshot_bytes.data();
  try {
    snapshot_bytes = the_host().epoch_weights_file(experiment_epochs[static_cast<size_t>(i)].weights);
  } catch (const std::exception& e) {
    last_error = e.what();
    snapshot_bytes.clear();
  }
  return snapshot_bytes.data();
}

// The current run's test results (JSON text, "null" before they exist).
EMSCRIPTEN_KEEPALIVE const char* trainer_test_results() {
  try {
    const std::optional<cnnlab::TestResults> results = the_host().test_results();
    result = results ? results->to_json().dump() : "null";
  } catch (const std::exception& e) {
    result = "null";
  }
  return result.c_str();
}

// (N, K) test probabilities of the current run (null before they exist) and their count.
EMSCRIPTEN_KEEPALIVE const float* trainer_test_probabilities() {
  const std::vector<float>* p = the_host().test_probabilities();
  return p ? p->data() : nullptr;
}

EMSCRIPTEN_KEEPALIVE size_t trainer_test_probability_count() {
  const std::vector<float>* p = the_host().test_probabilities();
  return p ? p->size() : 0;
}

}  // extern "C"

#endif  // __EMSCRIPTEN__
