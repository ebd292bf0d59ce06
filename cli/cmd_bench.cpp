// cnnlab bench: training and inference images/s of mlp and cnn k=3,5,7 at batch 64 with 1 and 2
// threads, on random CIFAR-shaped input (speed does not depend on the pixel values). Training =
// forward + loss + backward + Adam update, as in a real step.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/model.h"
#include "optim/optimizer.h"

namespace cnnlab::cli {

namespace {

struct BenchRow {
  std::string model;
  int kernel = 0, threads = 1;
  double train_ips = 0, infer_ips = 0;
};

// Runs fn repeatedly for at least `seconds` after `warmup` calls; returns calls per second.
template <typename F>
double calls_per_second(F&& fn, int warmup, double seconds) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i) fn();
  int calls = 0;
  const auto t0 = Clock::now();
  double elapsed = 0;
  do {
    fn();
    ++calls;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (elapsed < seconds);
  return calls / elapsed;
}

BenchRow bench_one(const std::string& name, int kernel, int threads, int batch, double seconds) {
  Model model(preset(name, kernel, Shape{3, 32, 32}, 10), 1);
  ThreadPool pool(threads);
  Rng rng(7), dropout(8);
  Tensor x(Shape{batch, 3, 32, 32});
  for (size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform();
  std::vector<int32_t> labels(static_cast<size_t>(batch));
  for (auto& l : labels) l = static_cast<int32_t>(rng.below(10));
  std::unique_ptr<Optimizer> adam = make_optimizer(OptimizerConfig{});

  BenchRow row{name, name == "mlp" ? 0 : kernel, pool.threads()};
  row.train_ips = batch * calls_per_second(
                              [&] {
                                model.forward(x, true, &pool, &dropout);
                                model.loss_and_backward(labels.data(), &pool);
                                adam->step(model.params());
                              },
                              2, seconds);
  row.infer_ips = batch * calls_per_second([&] { model.predict(x, &pool); }, 2, seconds);
  return row;
}

}  // namespace

void add_bench_command(CLI::App& app) {
  struct Options {
    bool json = false;
    int batch = 64;
    double seconds = 1.5;
    std::string models = "mlp,cnn3,cnn5,cnn7";
    // The single-threaded WebAssembly build has one thread only.
    std::string threads = ThreadPool::threads_supported() ? "1,2" : "1";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("bench", "Training and inference speed (images/s)");
  cmd->add_flag("--json", o->json, "Print a JSON list of rows");
  cmd->add_option("--batch", o->batch, "Batch size, 1..4096")
      ->capture_default_str()
      ->check(whole_number(1, 4096));
  cmd->add_option("--seconds", o->seconds, "Measuring time per figure, seconds in (0, 600]")->capture_default_str();
  cmd->add_option("--models", o->models, "Comma list of mlp, cnnK (e.g. cnn3), vgg, cnn1")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Comma list of thread counts, each 1..64")->capture_default_str();
  cmd->callback([o] {
    require(o->seconds > 0 && o->seconds <= 600, "--seconds", "must be in (0, 600]");
    std::vector<int> thread_counts = parse_int_list(o->threads, "--threads");
    for (int t : thread_counts) require(t >= 1 && t <= 64, "--threads", "must be 1..64");
    std::vector<std::pair<std::string, int>> models;
    std::stringstream ss(o->models);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (item == "mlp" || item == "vgg" || item == "cnn1" || item == "cnn") {
        models.push_back({item, 3});
      } else if (item.rfind("cnn", 0) == 0 && item.size() > 3) {
        models.push_back({"cnn", parse_int_list(item.substr(3), "--models")[0]});
      } else {
        throw Error("--models", "unknown model '" + item + "' (mlp, cnn1, cnn3, cnn5, cnn7, vgg)");
      }
    }
    std::vector<BenchRow> rows;
    if (!o->json)
      std::printf("%s kernels, batch %d\n%-6s %6s %7s %14s %14s\n", kernels::variant_name(),
                  o->batch, "model", "kernel", "threads", "train img/s", "infer img/s");
    for (const auto& [name, k] : models)
      for (int t : thread_counts) {
        BenchRow r = bench_one(name, k, t, o->batch, o->seconds);
        rows.push_back(r);
        if (!o->json) {
          std::printf("%-6s %6s %7d %14.0f %14.0f\n", r.model.c_str(),
                      r.kernel ? std::to_string(r.kernel).c_str() : "-", r.threads, r.train_ips,
                      r.infer_ips);
          std::fflush(stdout);
        }
      }
    if (o->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const BenchRow& r : rows)
        out.push_back({{"model", r.model},
                       {"kernel", r.kernel ? nlohmann::json(r.kernel) : nullptr},
                       {"threads", r.threads},
                       {"batch", o->batch},
                       {"train_images_per_s", r.train_ips},
                       {"infer_images_per_s", r.infer_ips},
                       {"kernels", kernels::variant_name()}});
      std::printf("%s\n", out.dump(1).c_str());
    }
  });
}

}  // namespace cnnlab::cli
