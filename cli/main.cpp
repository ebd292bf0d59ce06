// cnnlab: the command-line face of the engine. One file per subcommand (cmd_*.cpp); this file
// only wires them up and turns every cnnlab::Error into one clear line and a non-zero exit.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>

#include "common.h"
#include "core/error.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#endif

int main(int argc, char** argv) {
  CLI::App app{"cnnlab: train and inspect convolutional networks on CIFAR-10 and Fashion-MNIST"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");
  // A flag CLI11 refuses (unknown, missing, out of range: "--threads: must be a whole number
  // 1..64, got 0") reads like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("cnnlab: error: ") + e.what() + "\n(cnnlab --help lists the options)\n";
  });
  cnnlab::cli::add_summary_command(app);
  cnnlab::cli::add_pack_command(app);
  cnnlab::cli::add_train_command(app);
  cnnlab::cli::add_eval_command(app);
  cnnlab::cli::add_predict_command(app);
  cnnlab::cli::add_npz_commands(app);
  cnnlab::cli::add_bench_command(app);
  cnnlab::cli::add_experiment_command(app);
  cnnlab::cli::add_saliency_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const cnnlab::cli::ExitStatus& status) {
    return status.code;
  } catch (const cnnlab::Error& e) {
    std::fprintf(stderr, "cnnlab: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
#ifdef __EMSCRIPTEN__
    // The wasm heap has a fixed ceiling (MAXIMUM_MEMORY), whatever the host has free.
    std::fprintf(stderr,
                 "cnnlab: error: out of memory (the WebAssembly heap is at %zu MB of at most %zu "
                 "MB: use a smaller model, batch or data subset)\n",
                 emscripten_get_heap_size() >> 20, emscripten_get_heap_max() >> 20);
#else
    std::fprintf(stderr, "cnnlab: error: out of memory\n");
#endif
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cnnlab: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
