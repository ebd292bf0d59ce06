// cnnlab experiment: the controlled comparison of the lab's Experiments panel, from the command
// line. One variable swept, everything else identical (data, split, batch order, augmentation,
// init seed), runs interleaved; prints the Markdown table and a plain-language reading, and can
// write the table (CSV, Markdown) and every run's history (JSON).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <filesystem>
#include <sstream>

#include "common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "data/split.h"
#include "lab/experiment.h"
#include "lab/session.h"

namespace cnnlab::cli {
namespace {
std::atomic<bool> g_experiment_interrupted{false};
extern "C" void on_experiment_interrupt(int) { g_experiment_interrupted = true; }
}  // namespace

void add_experiment_command(CLI::App& app) {
  struct Options {
    std::string data, vary = "kernel=3,5,7", out;
    SessionFlags flags;  // the base settings (the lab's option table)
    bool quiet = false, match_params = false;
    int repeats = 1, threads = 0, train_per_class = 0, test_per_class = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "experiment", "Train several configurations under identical conditions and compare them");
  cmd->add_option("--data", o->data, "Data source")->required();
  cmd->add_option("--vary", o->vary,
                  "VARIABLE=v1,v2,...: kernel, filters, depth, pooling (max,avg,none), stride, "
                  "model (mlp,cnn1,cnn,vgg)")
      ->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "Seeds per configuration (mean ± std), 1..5")
      ->capture_default_str()
      ->check(whole_number(1, ExperimentConfig::kMaxRepeats));
  cmd->add_flag("--match-params", o->match_params,
                "With --vary model=mlp,cnn: size the MLP's hidden layers to the CNN's parameter "
                "count (within 2 %), so the two differ in architecture, not in budget");
  o->flags.add_to(*cmd, /*training=*/true, OptionScope::kLab);
  add_threads_option(*cmd, &o->threads);
  add_per_class_options(*cmd, &o->train_per_class, &o->test_per_class);
  cmd->add_option("--out", o->out,
                  "Folder for results.md, results.csv and histories.json (optional)");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([o] {
    // The options the lab's Experiments panel sends ({vary, values, repeats} and the base
    // settings), read by the same function.
    nlohmann::json options = o->flags.given();
    const size_t eq = o->vary.find('=');
    options["vary"] = o->vary.substr(0, eq);
    if (eq != std::string::npos) {
      options["values"] = nlohmann::json::array();
      std::stringstream ss(o->vary.substr(eq + 1));
      std::string v;
      while (std::getline(ss, v, ','))
        if (!v.empty()) options["values"].push_back(v);
    }  // else the variable's default values
    options["repeats"] = o->repeats;
    if (o->match_params) options["matchParams"] = true;
    const ExperimentConfig config = experiment_config_from_json(options, SessionOptions{});

    DataSource data = load_data_reporting(o->data, o->quiet);
    if (o->train_per_class > 0)
      data.train = balanced_subset(data.train, o->train_per_class, config.train.seed);
    if (o->test_per_class > 0 && data.test.size() > 0)
      data.test = balanced_subset(data.test, o->test_per_class, config.train.seed);
    ThreadPool pool(threads_to_use(o->threads));
    Experiment experiment(config, data.train, data.test, &pool);  // validates before anything runs
    if (!o->quiet)
      std::fprintf(stderr, "%zu runs (%zu configurations x %d seeds), interleaved, %d epochs each\n",
                   experiment.num_runs(), config.values.size(), config.repeats,
                   config.train.epochs);
    const bool tty = stderr_is_terminal();
    int last_percent = -1;
    // Ctrl-C (or a TERM from a job runner) ends every run where it stands; the table below then
    // reports what was reached, so hours of training are never thrown away.
    g_experiment_interrupted = false;
    auto previous_int = std::signal(SIGINT, on_experiment_interrupt);
    auto previous_term = std::signal(SIGTERM, on_experiment_interrupt);
    while (experiment.step()) {
      if (g_experiment_interrupted) {
        experiment.stop("interrupted (Ctrl-C): results so far");
        if (!o->quiet) std::fprintf(stderr, "\ninterrupted: reporting the results so far\n");
      }
      const int percent = static_cast<int>(experiment.progress() * 100);
      if (!o->quiet && percent != last_percent && (tty || percent % 10 == 0)) {
        std::fprintf(stderr, tty ? "\r  %3d %%" : "  %3d %%\n", percent);
        std::fflush(stderr);
      }
      last_percent = percent;
    }
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    if (!o->quiet && tty) std::fprintf(stderr, "\r        \r");
    std::printf("%s\n%s\n", experiment.markdown_table().c_str(), experiment.interpretation().c_str());
    if (!o->out.empty()) {
      std::filesystem::create_directories(o->out);
      const std::filesystem::path dir(o->out);
      write_text_file_atomic((dir / "results.md").string(), experiment.markdown_table());
      write_text_file_atomic((dir / "results.csv").string(), experiment.csv());
      write_text_file_atomic((dir / "histories.json").string(), experiment.to_json().dump(1));
      if (!o->quiet) std::fprintf(stderr, "Wrote results.md, results.csv, histories.json in %s\n", o->out.c_str());
    }
  });
}

}  // namespace cnnlab::cli
