// cnnlab pack: converts any supported source into a pack file (optionally a class-balanced
// subset), the compact format the browser downloads (docs/pack-format.md).
#include <cstdio>
#include <memory>

#include "common.h"
#include "core/error.h"
#include "data/pack.h"
#include "data/split.h"

namespace cnnlab::cli {

void add_pack_command(CLI::App& app) {
  struct Options {
    std::string data, out;
    int train_per_class = 0, test_per_class = 0;
    uint64_t seed = 42;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("pack", "Write a data source (or a balanced subset) as a pack file");
  cmd->add_option("--data", o->data, "Data source")->required();
  cmd->add_option("--out", o->out, "Pack file to write")->required();
  cmd->add_option("--train-per-class", o->train_per_class, "Training images per class (0 = all)");
  cmd->add_option("--test-per-class", o->test_per_class, "Test images per class (0 = all)");
  cmd->add_option("--seed", o->seed, "Seed of the subset draw")->capture_default_str();
  cmd->add_flag("--quiet", o->quiet, "No status output");
  cmd->callback([o] {
    require(o->train_per_class >= 0, "--train-per-class", "must be >= 0");
    require(o->test_per_class >= 0, "--test-per-class", "must be >= 0");
    DataSource d = load_data_reporting(o->data, o->quiet);
    if (o->train_per_class > 0) d.train = balanced_subset(d.train, o->train_per_class, o->seed);
    if (o->test_per_class > 0) d.test = balanced_subset(d.test, o->test_per_class, o->seed);
    write_pack(o->out, d);
    if (!o->quiet)
      std::fprintf(stderr, "Wrote %s: %zu training and %zu test images\n", o->out.c_str(),
                   d.train.size(), d.test.size());
  });
}

}  // namespace cnnlab::cli
