// cnnlab train: trains a preset (or spec) on any supported data source and writes
// DIR/model.cnnlab (weights, preprocessing, optimiser and trainer state for --resume),
// DIR/history.csv and DIR/history.json. The saved model and the test figures are those of the
// epoch the scoring rule picks (train/trainer.h: the best by validation loss with early stopping
// on, else the last), named in the output and in both history files. Ctrl-C stops after the current step and saves a resumable
// state; a NaN loss stops training, keeps the last good weights and exits with status 2.
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "common.h"
#include "core/error.h"
#include "core/json_field.h"
#include "core/thread_pool.h"
#include "core/text_format.h"
#include "data/split.h"
#include "model/model.h"
#include "model/model_file.h"
#include "model/summary.h"
#include "train/history_csv.h"
#include "train/trainer.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#endif

namespace cnnlab::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted = true; }

struct TrainOptions {
  std::string data, out;
  SessionFlags flags;       // model and training flags (the lab's option table)
  SessionOptions settings;  // what they came to, checked as the lab checks them
  TrainConfig config;       // settings.train, or the saved run's with --resume
  bool quiet = false, resume = false;
  int threads = 0;
  int train_per_class = 0, test_per_class = 0;
};

// One line redrawn in place on a terminal; one line per epoch otherwise (logs, CI).
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(stderr_is_terminal()) {}
  void update(const Trainer& t) {
    // Nothing to show between an epoch's end and its first new step.
    if (quiet_ || !tty_ || t.epoch_loss() == 0.0f) return;
    const int width = 24;
    const double p = t.progress();
    const int filled = static_cast<int>(p * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '-');
    std::fprintf(stderr, "\r  epoch %d/%d [%s] %3.0f%%  %6.0f img/s  ETA %-8s  loss %.4f  acc %.3f ",
                 std::min(t.epoch() + 1, t.config().epochs), t.config().epochs, bar.c_str(),
                 p * 100, t.images_per_second(), format_duration(t.eta_seconds()).c_str(),
                 t.epoch_loss(), t.epoch_accuracy());
    std::fflush(stderr);
  }
  void epoch_done(const Trainer& t, const EpochRecord& e) {
    if (quiet_) return;
    if (tty_) std::fprintf(stderr, "\r%100s\r", "");
    // Without a validation split (--val-fraction 0) there is no val loss to print: say so, not "nan".
    char val[64] = "no validation split";
    if (!std::isnan(e.val_loss))
      std::snprintf(val, sizeof val, "val loss %.4f acc %.4f", e.val_loss, e.val_accuracy);
    std::fprintf(stderr, "  epoch %d/%d  train loss %.4f acc %.4f  %s  %.0f img/s  %s\n", e.epoch,
                 t.config().epochs, e.train_loss, e.train_accuracy, val, e.images_per_second,
                 format_duration(e.train_seconds).c_str());
  }

 private:
  bool quiet_, tty_;
};

void run_train(TrainOptions& o) {
  namespace fs = std::filesystem;
  const std::string model_path = (fs::path(o.out) / "model.cnnlab").string();

  DataSource source = load_data_reporting(o.data, o.quiet);
  require(source.train.size() > 0, o.data, "has no training images");
  if (o.train_per_class > 0)
    source.train = balanced_subset(source.train, o.train_per_class, o.config.seed);
  if (o.test_per_class > 0 && source.test.size() > 0)
    source.test = balanced_subset(source.test, o.test_per_class, o.config.seed);
  const int classes = static_cast<int>(source.train.class_names.size());
  const Shape input{source.train.channels, source.train.height, source.train.width};

  // The model: fresh from options, or the saved one when resuming.
  std::unique_ptr<Model> model;
  LoadedModel resumed;
  if (o.resume) {
    require(fs::exists(model_path), "--resume", "no saved model at " + model_path);
    resumed = load_model_file(model_path);
    require(resumed.info.training_state.is_object() && resumed.optimizer, model_path,
            "has no training state to resume (it was saved without one)");
    model = std::move(resumed.model);
    const std::string where = model_path + " training_state";
    const nlohmann::json saved_config =
        json_field<nlohmann::json>(resumed.info.training_state, "config", where);
    TrainConfig saved;
    try {
      saved = TrainConfig::from_json(saved_config);
    } catch (const Error& e) {
      throw Error(where, "config: " + std::string(e.what()));
    }
    saved.epochs = std::max(saved.epochs, o.config.epochs);
    o.config = saved;
  } else {
    model = std::make_unique<Model>(o.flags.build(o.settings, input, classes), o.config.seed);
  }

  ThreadPool pool(threads_to_use(o.threads));
  Trainer trainer(*model, source.train, o.config, &pool);
  if (o.resume) {
    // The saved optimiser's moments continue where they stopped.
    auto saved = resumed.optimizer->state(model->params());
    auto live = trainer.optimizer().state(model->params());
    for (size_t i = 0; i < saved.size() && i < live.size(); ++i) *live[i].second = *saved[i].second;
    trainer.restore(resumed.info.training_state, model_path + " training_state");
  }
  if (!o.quiet)
    std::fprintf(stderr,
                 "Training %s (%s parameters) on %zu images, validating on %zu; %d epochs, batch "
                 "%d, %s lr %g, %d thread%s\n",
                 o.resume ? "resumed model" : o.flags.describe(o.settings).c_str(),
                 with_thousands(model->parameter_count()).c_str(), trainer.split().train.size(),
                 trainer.split().val.size(), o.config.epochs, o.config.batch_size,
                 o.config.optimizer.kind.c_str(), o.config.optimizer.lr, pool.threads(),
                 pool.threads() == 1 ? "" : "s");

  fs::create_directories(o.out);
  auto save = [&] {
    ModelFileInfo info;
    info.preprocess = trainer.preprocess();
    info.class_names = source.train.class_names;
    info.dataset = source.train.name;
    info.training_state = trainer.state();
    save_model_file(model_path, *model, info, &trainer.optimizer());
  };

  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_interrupt);
  Progress progress(o.quiet);
  size_t epochs_reported = trainer.history().size();
  while (!trainer.done()) {
    trainer.step();
    if (g_interrupted) trainer.stop("interrupted (Ctrl-C); continue with --resume");
    progress.update(trainer);
    if (trainer.history().size() > epochs_reported) {
      progress.epoch_done(trainer, trainer.history().back());
      epochs_reported = trainer.history().size();
      if (!trainer.done()) save();  // a checkpoint per epoch
    }
  }
  std::signal(SIGINT, previous);

  // Test metrics (when the source has a test split), then every output file.
  nlohmann::json test = nullptr;
  HistoryCsvRun curves;
  curves.label = o.resume ? "resumed" : o.flags.describe(o.settings);
  curves.epochs = trainer.history();
  if (source.test.size() > 0 && !trainer.failed()) {
    ConfusionMatrix m = evaluate(*model, source.test, trainer.preprocess(), &pool);
    // The epoch tested: the best by validation loss with early stopping on, else the last
    // (trainer.h's scoring rule); none after Ctrl-C, which keeps the weights where it stood.
    const int tested = trainer.scoring_epoch();
    test = {{"accuracy", m.accuracy()},
            {"loss", m.mean_loss()},
            {"images", m.total()},
            {"epoch", tested > 0 ? nlohmann::json(tested) : nlohmann::json(nullptr)}};
    curves.test_accuracy = m.accuracy();
    curves.test_loss = m.mean_loss();
    curves.test_epoch = tested;
    if (!o.quiet) {
      const std::string which =
          tested > 0 ? "the weights of epoch " + std::to_string(tested)
                     : std::string("the weights where training was interrupted");
      std::fprintf(stderr, "Test accuracy %.4f, loss %.4f on %zu images (%s)\n", m.accuracy(),
                   m.mean_loss(), m.total(), which.c_str());
    }
  }
  save();
  nlohmann::json history = trainer.state();
  history["model"] = {{"spec", model->spec().text()},
                      {"parameters", model->parameter_count()},
                      {"description", o.resume ? "resumed" : o.flags.describe(o.settings)}};
  history["dataset"] = {{"name", source.train.name},
                        {"origin", source.origin},
                        {"train", trainer.split().train.size()},
                        {"val", trainer.split().val.size()},
                        {"test", source.test.size()}};
  history["test"] = test;
  history["images_per_second"] = trainer.images_per_second();
  write_text_file_atomic((fs::path(o.out) / "history.json").string(), history.dump(1));
  write_text_file_atomic((fs::path(o.out) / "history.csv").string(), history_csv({curves}));
  if (!o.quiet) {
    std::fprintf(stderr, "%s\n", trainer.stop_reason().c_str());
    std::fprintf(stderr, "Wrote %s, history.csv and history.json\n", model_path.c_str());
#ifdef __EMSCRIPTEN__
    // The heap only grows, so its size now is the peak this run needed (the budget: < 256 MB for cnn
    // on a 10,000-image subset, data included).
    std::fprintf(stderr, "WebAssembly heap: %zu MB\n", emscripten_get_heap_size() >> 20);
#endif
  }
  if (trainer.failed()) {
    std::fprintf(stderr, "cnnlab: training failed: %s\n", trainer.stop_reason().c_str());
    throw ExitStatus{2};
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model and save it with its history");
  cmd->add_option("--data", o->data, "Data source (CIFAR-10 binary, image folder, IDX, pack)")
      ->required();
  cmd->add_option("--out", o->out, "Output folder for model.cnnlab and history files")->required();
  o->flags.add_to(*cmd, /*training=*/true, OptionScope::kCommandLine);
  add_threads_option(*cmd, &o->threads);
  add_per_class_options(*cmd, &o->train_per_class, &o->test_per_class);
  cmd->add_flag("--resume", o->resume,
                "Continue the run saved in --out (its settings; --epochs may extend it)");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([o] {
    o->settings = o->flags.options();
    o->config = o->settings.train;
    run_train(*o);
  });
}

}  // namespace cnnlab::cli
