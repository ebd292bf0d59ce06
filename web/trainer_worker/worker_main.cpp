// The browser's training worker (a second wasm target, cnnlab_trainer.js/.wasm): one TrainerHost
// — a cnnlab::Session and what to report when — behind C functions that page/trainer-worker.js
// calls between its message handling. Training here keeps the page's main thread free to draw
// at full frame rate.
//
// Every function catches at this boundary: an engine Error (or any C++ exception, including
// running out of memory) becomes a message string, never an abort of the worker.
#ifdef __EMSCRIPTEN__
#include <emscripten.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "lab/trainer_host.h"

namespace {

std::unique_ptr<cnnlab::TrainerHost> host;  // made by trainer_start, or on first use
std::string result;                 // the last string returned to JavaScript
std::string last_error;             // why the last trainer_tick (or trainer_start) failed
std::vector<uint8_t> snapshot_bytes;
int poll_flags = 0;                 // 1: a snapshot is due, 2: test results are new,
                                    // 4: the experiment's weights are due

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

// Loads a dataset pack from `size` bytes (the caller frees them). "" or the error message.
EMSCRIPTEN_KEEPALIVE const char* trainer_load_pack(const uint8_t* bytes, size_t size,
                                                   const char* origin) {
  try {
    the_host().load_pack(bytes, size, origin ? origin : "pack");
    result.clear();
  } catch (const std::exception& e) {
    return fail(e);
  }
  return result.c_str();
}

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

// One command (trainer_host.h), JSON text. "" or the Session's message.
EMSCRIPTEN_KEEPALIVE const char* trainer_handle(const char* command_json) {
  try {
    the_host().handle(nlohmann::json::parse(command_json ? command_json : ""));
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

EMSCRIPTEN_KEEPALIVE const char* trainer_last_error() { return last_error.c_str(); }

EMSCRIPTEN_KEEPALIVE int trainer_busy() {
  try {
    return the_host().busy() ? 1 : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// What to post now (TrainerHost::poll without the flags, JSON text); the flags are read with
// trainer_poll_flags. force: report everything that changed.
EMSCRIPTEN_KEEPALIVE const char* trainer_poll(int force) {
  poll_flags = 0;
  try {
    nlohmann::json report = the_host().poll(emscripten_get_now() / 1000.0, force != 0);
    if (report.value("snapshot", false)) poll_flags |= 1;
    if (report.value("test", false)) poll_flags |= 2;
    if (report.value("experimentSnapshot", false)) poll_flags |= 4;
    result = report.dump();
  } catch (const std::exception& e) {
    result = nlohmann::json{{"messages", nlohmann::json::array()}, {"error", e.what()}}.dump();
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

// The current run's test results (JSON text, "null" before they exist).
EMSCRIPTEN_KEEPALIVE const char* trainer_test_results() {
  try {
    result = the_host().test_results().dump();
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
