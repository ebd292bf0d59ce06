// cnnlab eval: test metrics of a saved model — loss, accuracy, confusion matrix and per-class
// precision/recall/F1; --json prints them as one object (accuracy as a fraction).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "model/model_file.h"
#include "train/trainer.h"

namespace cnnlab::cli {

void add_eval_command(CLI::App& app) {
  struct Options {
    std::string model_file, data;
    bool json = false;
    int threads = 0, batch = 64;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a saved model on a data source's test split");
  cmd->add_option("--model-file", o->model_file, "A model saved by cnnlab train")->required();
  cmd->add_option("--data", o->data, "Data source (its test split is used)")->required();
  cmd->add_flag("--json", o->json, "Print a JSON object");
  add_threads_option(*cmd, &o->threads);
  cmd->add_option("--batch", o->batch, "Evaluation batch size, 1..4096")
      ->capture_default_str()
      ->check(whole_number(1, 4096));
  cmd->callback([o] {
    LoadedModel loaded = load_model_file(o->model_file);
    DataSource data = load_data_reporting(o->data, o->json);
    require(data.test.size() > 0, o->data, "has no test images");
    const Shape in = loaded.model->input_shape();
    require(data.test.channels == in[0] && data.test.height == in[1] && data.test.width == in[2],
            o->data,
            "images are " + Shape{data.test.channels, data.test.height, data.test.width}.str() + " but the model in " + o->model_file +
                " expects " + in.str());
    require(static_cast<int>(data.test.class_names.size()) <= loaded.model->num_classes(), o->data,
            "has more classes than the model outputs");
    ThreadPool pool(threads_to_use(o->threads));
    ConfusionMatrix m = evaluate(*loaded.model, data.test, loaded.info.preprocess, &pool, o->batch);
    const std::vector<std::string>& names =
        loaded.info.class_names.empty() ? data.test.class_names : loaded.info.class_names;
    if (o->json) {
      nlohmann::json per_class = nlohmann::json::array();
      std::vector<ClassMetrics> pc = m.per_class();
      for (size_t k = 0; k < pc.size(); ++k)
        per_class.push_back({{"class", k < names.size() ? names[k] : std::to_string(k)},
                             {"precision", pc[k].precision},
                             {"recall", pc[k].recall},
                             {"f1", pc[k].f1},
                             {"support", pc[k].support}});
      nlohmann::json confusion = nlohmann::json::array();
      for (int t = 0; t < m.classes(); ++t) {
        nlohmann::json row = nlohmann::json::array();
        for (int p = 0; p < m.classes(); ++p) row.push_back(m.count(t, p));
        confusion.push_back(row);
      }
      nlohmann::json out = {{"accuracy", m.accuracy()},
                            {"loss", m.mean_loss()},
                            {"images", m.total()},
                            {"macro_f1", m.macro_f1()},
                            {"classes", names},
                            {"per_class", per_class},
                            {"confusion_matrix", confusion}};
      std::printf("%s\n", out.dump(1).c_str());
    } else {
      std::printf("Test images: %zu\nAccuracy:    %.4f\nLoss:        %.4f\n\n%s", m.total(),
                  m.accuracy(), m.mean_loss(), m.to_text(names).c_str());
    }
  });
}

}  // namespace cnnlab::cli
