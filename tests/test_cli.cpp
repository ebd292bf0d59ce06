// The cnnlab tool as a user runs it: pack, train (and --resume), eval --json, predict --json,
// export-npz/import-npz, summary, bench --json, experiment, saliency; and bad input giving one clear line,
// a non-zero exit and no output left behind. Runs the built tool (CNNLAB_EXE, set by ctest) on a
// tiny CIFAR-10-format folder the test writes; skipped without CNNLAB_EXE. Built with Emscripten,
// the test runs under node and starts the tool (there cnnlab.js's launcher) through node's
// child_process, as wasm has no processes of its own.
#include <doctest/doctest.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <sys/wait.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "data/image.h"
#include "lab/attribution.h"
#include "lab/session_options.h"
#include "model/model_file.h"
#include "model/npz.h"
#include "model/spec.h"
#include "test_helpers.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// std::system() under node: /bin/sh -c command through child_process; the exit status, or -1.
EM_JS(int, node_shell, (const char* command), {
  const result = require('child_process').spawnSync('/bin/sh', ['-c', UTF8ToString(command)],
                                                    {stdio: 'inherit'});
  return result.status === null ? -1 : result.status;
});
#endif

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

const char* exe() { return std::getenv("CNNLAB_EXE"); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `cnnlab args` with stdout and stderr captured to files in dir.
Result run(const fs::path& dir, const std::string& args) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = "cd '" + dir.string() + "' && '" + exe() + "' " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "' </dev/null";
  Result r;
#ifdef __EMSCRIPTEN__
  r.status = node_shell(cmd.c_str());
#else
  const int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
#endif
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A CIFAR-10 binary folder with `per_batch` records in each of the 5 training batches and
// `test` records in the test batch. Class k's images are bright in channel k % 3 with a stripe
// whose row depends on k, plus noise, so a small model can learn something.
void write_cifar_folder(const fs::path& root, int per_batch, int test, uint64_t seed) {
  fs::create_directories(root);
  cnnlab::Rng rng(seed);
  auto record = [&](std::string& bytes, int label) {
    bytes.push_back(static_cast<char>(label));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          int v = static_cast<int>(rng.below(80));
          if (c == label % 3) v += 60;
          if (y / 3 == label) v += 110;
          bytes.push_back(static_cast<char>(v));
        }
  };
  for (int b = 1; b <= 6; ++b) {
    std::string bytes;
    const int n = b == 6 ? test : per_batch;
    for (int i = 0; i < n; ++i) record(bytes, i % 10);
    std::ofstream(root / (b == 6 ? "test_batch.bin" : "data_batch_" + std::to_string(b) + ".bin"),
                  std::ios::binary)
        << bytes;
  }
  std::ofstream(root / "batches.meta.txt")
      << "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
}

struct Workspace {
  fs::path dir;
  Workspace() {
    dir = fs::temp_directory_path() / ("cnnlab_cli_test_" + std::to_string(std::rand()) + "_" +
                                       std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(dir);
    write_cifar_folder(dir / "cifar-10-batches-bin", 20, 50, 1);
  }
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Renames `key` to `old_key` in j (which must hold it).
void rename_key(nlohmann::json& j, const char* key, const char* old_key) {
  REQUIRE_MESSAGE(j.contains(key), key);
  j[old_key] = j[key];
  j.erase(key);
}

// A model file header as versions before the one option spelling wrote it.
void to_old_spelling(nlohmann::json& header) {
  nlohmann::json& config = header["training_state"]["config"];
  for (nlohmann::json* optimizer : {&header["optimizer"], &config["optimizer"]}) {
    rename_key(*optimizer, "weightDecay", "weight_decay");
    rename_key(*optimizer, "clipNorm", "clip_norm");
  }
  rename_key(header["optimizer"], "hasState", "has_state");
  rename_key(config, "batch", "batch_size");
  rename_key(config, "valFraction", "val_fraction");
  rename_key(config, "evalBatch", "eval_batch_size");
  rename_key(config["augment"], "maxShift", "max_shift");
}

const char* kSmallSpec = "--spec \"conv2d 8 k=3 pad=same; relu; maxpool2d 4; flatten; dense 10\"";

}  // namespace

TEST_CASE("cnnlab: pack, train, eval, predict, npz round trip, resume") {
  if (!exe()) {
    MESSAGE("CNNLAB_EXE not set (processes cannot be started here): skipped");
    return;
  }
  Workspace ws;
  // pack: a balanced subset, readable as a data source again.
  Result r = run(ws.dir, "pack --data cifar-10-batches-bin --out small.pack --train-per-class 8 --test-per-class 4");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.err, "80 training and 40 test images, JPEG quality 90"));
  // --raw: the lossless version 1 layout, 64 + text + 120 x (1 + 3,072) bytes; the default is a
  // version 2 JPEG pack, and --verify reports its size, decode time and PSNR.
  r = run(ws.dir, "pack --data cifar-10-batches-bin --out raw.pack --train-per-class 8 --test-per-class 4 --raw");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.err, "raw pixels"));
  CHECK(fs::file_size(ws.dir / "raw.pack") == 64 + 68 + 120 * (1 + 3072));
  CHECK(slurp(ws.dir / "small.pack")[8] == 2);
  CHECK(slurp(ws.dir / "raw.pack")[8] == 1);
  r = run(ws.dir, "pack --data raw.pack --out again.pack --quality 75 --verify");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "(raw: " + std::to_string(fs::file_size(ws.dir / "raw.pack")) + " bytes)"));
  CHECK(contains(r.out, "PSNR of the decoded pixels: train "));
  CHECK(run(ws.dir, "pack --data raw.pack --out bad.pack --quality 0").status != 0);

  // train: writes the model and both history files.
  r = run(ws.dir, std::string("train --data cifar-10-batches-bin --out run ") + kSmallSpec +
                      " --epochs 2 --batch 16 --lr 0.003 --seed 3 --threads 1");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(fs::exists(ws.dir / "run/model.cnnlab"));
  const std::string csv = slurp(ws.dir / "run/history.csv");
  CHECK(csv.rfind("run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);  // header + 2 epochs
  nlohmann::json history = nlohmann::json::parse(slurp(ws.dir / "run/history.json"));
  CHECK(history["history"].size() == 2);
  CHECK(history["dataset"]["train"] == 90);  // 100 images, 10 % stratified validation
  const double test_acc = history["test"]["accuracy"].get<double>();
  // The scoring rule's epoch, named in the output and both history files.
  const int tested = history["test"]["epoch"].get<int>();
  CHECK(tested == history["best_epoch"].get<int>());  // early stopping is on by default
  CHECK(contains(r.err, "(the weights of epoch " + std::to_string(tested) + ")"));
  CHECK(contains(csv, ",testEpoch\n"));
  {
    // Exactly one epoch row carries the test figures: the tested epoch's, ending in its number,
    // its test accuracy the one measured after training.
    std::istringstream rows(csv);
    std::string row;
    std::getline(rows, row);  // header
    int marks = 0;
    const std::string suffix = "," + std::to_string(tested);
    while (std::getline(rows, row)) {
      if (row.back() == ',') continue;  // no test figures on this row
      ++marks;
      CHECK(row.compare(row.size() - suffix.size(), suffix.size(), suffix) == 0);
      const std::string fields = row.substr(0, row.size() - suffix.size());
      const size_t loss_at = fields.rfind(',');
      const size_t acc_at = fields.rfind(',', loss_at - 1);
      CHECK(std::stod(fields.substr(acc_at + 1, loss_at - acc_at - 1)) == doctest::Approx(test_acc));
    }
    CHECK(marks == 1);
  }

  // eval --json agrees with the accuracy measured at the end of training.
  r = run(ws.dir, "eval --model-file run/model.cnnlab --data cifar-10-batches-bin --json");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  nlohmann::json ev = nlohmann::json::parse(r.out);
  CHECK(ev["accuracy"].get<double>() == doctest::Approx(test_acc));
  CHECK(ev["loss"].get<double>() > 0);
  CHECK(ev["confusion_matrix"].size() == 10);
  CHECK(ev["images"] == 50);

  // predict: a PNG of a different size is resized; --json gives all ten probabilities.
  std::vector<unsigned char> rgb(48 * 40 * 3, 90);
  stbi_write_png((ws.dir / "photo.png").string().c_str(), 48, 40, 3, rgb.data(), 48 * 3);
  r = run(ws.dir, "predict --model-file run/model.cnnlab --json --image photo.png");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  nlohmann::json pred = nlohmann::json::parse(r.out);
  REQUIRE(pred.size() == 1);
  CHECK(pred[0]["probabilities"].size() == 10);
  double sum = 0;
  for (auto& [name, p] : pred[0]["probabilities"].items()) sum += p.get<double>();
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
  r = run(ws.dir, "predict --model-file run/model.cnnlab --image photo.png");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "%"));

  // .npz out and back in: the same predictions, so the same test accuracy.
  r = run(ws.dir, "export-npz --model-file run/model.cnnlab --npz w.npz");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = run(ws.dir, std::string("import-npz ") + kSmallSpec + " --npz w.npz --out imported.cnnlab");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = run(ws.dir, "eval --model-file imported.cnnlab --data cifar-10-batches-bin --json");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(nlohmann::json::parse(r.out)["accuracy"].get<double>() == doctest::Approx(test_acc));

  // --resume extends the saved run to 3 epochs, keeping its history.
  r = run(ws.dir, "train --data cifar-10-batches-bin --out run --resume --epochs 3 --threads 1");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  history = nlohmann::json::parse(slurp(ws.dir / "run/history.json"));
  CHECK(history["history"].size() == 3);
  CHECK(history["global_step"] == 18);  // 3 epochs x ceil(90 / 16)
  CHECK(history["config"]["batch"] == 16);  // the options' one spelling, as the lab's
  CHECK(history["config"]["optimizer"].contains("weightDecay"));

  // The same file as earlier versions wrote it (weight_decay, batch_size, ...) resumes with its
  // own settings: batch 16 again, not the default 64.
  const std::string text = slurp(ws.dir / "run/model.cnnlab");
  const std::vector<uint8_t> old_file = cnnlab::testing::with_model_header(
      std::vector<uint8_t>(text.begin(), text.end()), to_old_spelling);
  std::ofstream(ws.dir / "run/model.cnnlab", std::ios::binary)
      .write(reinterpret_cast<const char*>(old_file.data()),
             static_cast<std::streamsize>(old_file.size()));
  r = run(ws.dir, "train --data cifar-10-batches-bin --out run --resume --epochs 4 --threads 1");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  history = nlohmann::json::parse(slurp(ws.dir / "run/history.json"));
  CHECK(history["history"].size() == 4);
  CHECK(history["global_step"] == 24);  // 4 epochs x ceil(90 / 16)
  CHECK(history["config"]["batch"] == 16);
}

TEST_CASE("cnnlab saliency: each method's map as JSON, the library's values exactly, and a PNG") {
  if (!exe()) return;
  Workspace ws;
  Result r = run(ws.dir, std::string("train --data cifar-10-batches-bin --out run ") + kSmallSpec +
                             " --epochs 1 --batch 16 --seed 3 --threads 1");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  // A 32x32 picture with some structure: a bright square on a colour ramp.
  std::vector<unsigned char> rgb(32 * 32 * 3);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 3; ++c)
        rgb[static_cast<size_t>((y * 32 + x) * 3 + c)] = static_cast<unsigned char>(
            (y >= 8 && y < 16 && x >= 12 && x < 20) ? 250 : 4 * x + 2 * y + 40 * c);
  stbi_write_png((ws.dir / "photo.png").string().c_str(), 32, 32, 3, rgb.data(), 32 * 3);

  // The same map computed here, in this process, from the same file and picture.
  cnnlab::LoadedModel loaded = cnnlab::load_model_file((ws.dir / "run/model.cnnlab").string());
  const cnnlab::Shape in = loaded.model->input_shape();
  const cnnlab::Image picture =
      cnnlab::fit_image_to_input(cnnlab::load_image((ws.dir / "photo.png").string()), 3, 32, 32);
  std::vector<float> input(in.count());
  loaded.info.preprocess.apply(input.data(), picture.pixels.data(), 3, 32 * 32);
  auto library_map = [&](cnnlab::AttributionOptions options) {
    options.occlusion_fill = cnnlab::grey_fill(loaded.info.preprocess, 3);
    return cnnlab::compute_attribution(*loaded.model, input.data(), in, options);
  };

  // Not given a class, the map explains the class `predict` names.
  r = run(ws.dir, "predict --model-file run/model.cnnlab --json --image photo.png");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string top = nlohmann::json::parse(r.out)[0]["top"].get<std::string>();
  const std::vector<std::string>& names = loaded.info.class_names;
  const int predicted = static_cast<int>(std::find(names.begin(), names.end(), top) - names.begin());
  REQUIRE(predicted < 10);

  struct Case {
    std::string args;
    cnnlab::AttributionOptions options;
    std::vector<int> shape;
  };
  auto options_for = [](cnnlab::AttributionMethod method, int target_class, int smooth) {
    cnnlab::AttributionOptions options;
    options.method = method;
    options.target_class = target_class;
    options.smooth_samples = smooth;
    options.smooth_seed = 3;
    return options;
  };
  using Method = cnnlab::AttributionMethod;
  const std::vector<Case> cases = {
      {"--method gradient", options_for(Method::kGradient, -1, 0), {3, 32, 32}},
      // The last conv (same padding) after its relu.
      {"--method gradcam", options_for(Method::kGradCam, -1, 0), {32, 32}},
      {"--method gradcam --class 2", options_for(Method::kGradCam, 2, 0), {32, 32}},
      {"--method occlusion --patch 8 --stride 4", options_for(Method::kOcclusion, -1, 0), {32, 32}},
      {"--method gradient --smooth 5 --seed 3", options_for(Method::kGradient, -1, 5), {3, 32, 32}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    r = run(ws.dir, "saliency --model-file run/model.cnnlab --image photo.png --json " + c.args);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const nlohmann::json map = nlohmann::json::parse(r.out);
    CHECK(map.size() == 4);
    CHECK(map["method"] == cnnlab::attribution_method_name(c.options.method));
    CHECK(map["class"] == (c.options.target_class == -1 ? predicted : c.options.target_class));
    CHECK(map["shape"] == nlohmann::json(c.shape));
    const cnnlab::AttributionMap expected = library_map(c.options);
    REQUIRE(map["values"].size() == expected.values.size());
    // Full precision: every printed number reads back as exactly the float computed.
    size_t same = 0, nonzero = 0;
    for (size_t i = 0; i < expected.values.size(); ++i) {
      const float v = static_cast<float>(map["values"][i].get<double>());
      same += v == expected.values[i];
      nonzero += v != 0.0f;
    }
    CHECK(same == expected.values.size());
    // The predicted class's maps have something to show (another class's Grad-CAM may be all
    // zero: the ReLU keeps only evidence for it).
    if (c.options.target_class == -1) CHECK(nonzero > 0);
  }

  // --out: a PNG the size of the model's input; without --json one line says what was drawn.
  r = run(ws.dir, "saliency --model-file run/model.cnnlab --image photo.png --method occlusion "
                  "--out map.png");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "occlusion map of class " + std::to_string(predicted) + " (" + top));
  CHECK(contains(r.out, "written to map.png"));
  const std::string png = slurp(ws.dir / "map.png");
  REQUIRE(png.size() > 24);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  CHECK(cnnlab::load_be32(reinterpret_cast<const uint8_t*>(png.data()) + 16) == 32);  // width
  CHECK(cnnlab::load_be32(reinterpret_cast<const uint8_t*>(png.data()) + 20) == 32);  // height

  // Refusals: one line naming what and why, a non-zero exit, no map written.
  r = run(ws.dir, "train --data cifar-10-batches-bin --out mlp --spec \"flatten; dense 10\" "
                  "--epochs 1 --threads 1");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  struct Bad {
    std::string args, expected;
  };
  const std::vector<Bad> bad = {
      {"--image photo.png --model-file run/model.cnnlab --method lime --out bad.png",
       "method: \"lime\" is not a saliency method: use one of gradient, gradcam, occlusion"},
      {"--image photo.png --model-file mlp/model.cnnlab --method gradcam --out bad.png",
       "Grad-CAM needs a convolutional layer and this model has none"},
      {"--image photo.png --model-file run/model.cnnlab --method occlusion --patch 40 --out bad.png",
       "the occlusion patch 40x40 is larger than the 32x32 image"},
      {"--image photo.png --model-file run/model.cnnlab --method occlusion --stride 0 --out bad.png",
       "--stride: must be a whole number 1..4096, got 0"},
      {"--image photo.png --model-file run/model.cnnlab --method gradient --class 10 --out bad.png",
       "class 10 is out of range: the model has 10 classes, 0..9"},
      {"--image photo.png --model-file run/model.cnnlab --method gradient", "give --out MAP.png, --json or both"},
      {"--model-file run/model.cnnlab --method gradient --image missing.png --out bad.png",
       "missing.png"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.args);
    r = run(ws.dir, "saliency " + b.args);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "cnnlab: error:"));
    CHECK(contains(r.err, b.expected));
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(ws.dir / "bad.png"));
  }
}

TEST_CASE("cnnlab: summary, bench --json and experiment print what they promise") {
  if (!exe()) return;
  Workspace ws;
  Result r = run(ws.dir, "summary --model cnn --kernel 5");
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "579,402"));
  r = run(ws.dir, "summary --model mlp-small --input fashion-mnist");
  CHECK(contains(r.out, "235,146"));

  r = run(ws.dir, "bench --json --models cnn3,mlp --threads 1 --seconds 0.05 --batch 8");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  nlohmann::json rows = nlohmann::json::parse(r.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["model"] == "cnn");
  CHECK(rows[0]["kernel"] == 3);
  CHECK(rows[0]["threads"] == 1);
  CHECK(rows[0]["train_images_per_s"].get<double>() > 0);
  CHECK(rows[1]["infer_images_per_s"].get<double>() > 0);

  r = run(ws.dir, "experiment --data cifar-10-batches-bin --model cnn1 --vary kernel=1,3 --epochs 1 "
                  "--batch 32 --threads 1 --out exp --quiet");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "| configuration | parameters |"));
  CHECK(contains(r.out, "kernel=1"));
  CHECK(contains(r.out, "kernel=3"));
  CHECK(contains(r.out, "**"));  // the winner is highlighted
  CHECK(contains(r.out, "one seed per configuration"));
  CHECK(contains(r.out, "| tested epoch |"));
  CHECK(fs::exists(ws.dir / "exp/results.csv"));
  CHECK(contains(slurp(ws.dir / "exp/results.csv"), ",test_epoch,status,"));
  nlohmann::json exp = nlohmann::json::parse(slurp(ws.dir / "exp/histories.json"));
  CHECK(exp["runs"].size() == 2);
  for (const auto& run : exp["runs"]) {
    CHECK(run["test_epoch"] == 1);  // one epoch: the best and the last
    CHECK(run["status"] == "finished");
  }
}

TEST_CASE("cnnlab: --help lists the option table's flags each command takes, with defaults") {
  if (!exe()) return;
  Workspace ws;
  using cnnlab::OptionGroup;
  using cnnlab::OptionScope;
  const Result train = run(ws.dir, "train --help");
  const Result experiment = run(ws.dir, "experiment --help");
  const Result summary = run(ws.dir, "summary --help");
  REQUIRE(train.status == 0);
  REQUIRE(experiment.status == 0);
  REQUIRE(summary.status == 0);
  for (const cnnlab::OptionRow& row : cnnlab::option_table()) {
    CAPTURE(row.flag);
    const std::string flag = std::string(row.flag) + " ";  // not a prefix of a longer flag
    CHECK(contains(train.out, flag));
    CHECK(contains(experiment.out, flag) == (row.scope == OptionScope::kLab));
    CHECK(contains(summary.out, flag) == (row.group == OptionGroup::kModel));
  }
  CHECK(contains(train.out, "--val-fraction FLOAT=0.1 "));
  CHECK(contains(train.out, "--optimizer TEXT=adam "));
  CHECK(contains(train.out, "--seed INT=42 "));
  CHECK(contains(train.out, "--lr-schedule TEXT=constant "));
  CHECK(contains(train.out, "--shift INT=0 "));
  CHECK(contains(train.out, "--spec"));
  // Numbers say their range, and what 0 means where 0 is taken.
  CHECK(contains(train.out, "Threads, 1..64 (not given: all cores, at most 8)"));
  CHECK(contains(train.out, "per class (0 = all)"));
  CHECK(contains(train.out, "Filters of the first conv block, 0..1024 (0 = preset's)"));
}

TEST_CASE("cnnlab: bad input gives one clear line, a non-zero exit and no output") {
  if (!exe()) return;
  Workspace ws;
  struct Case {
    std::string args, expected;
  };
  std::ofstream(ws.dir / "notes.txt") << "not a model";
  const std::vector<Case> cases = {
      {"train --data nowhere --out out1", "nowhere"},
      // The model and training flags are checked as the lab checks its options, and named by
      // the option's key ("option weightDecay: ..."), as the page names them.
      {"train --data cifar-10-batches-bin --out out1 --batch 0", "option batch: the batch size"},
      {"train --data cifar-10-batches-bin --out out1 --lr -1", "option lr: learning rate"},
      {"train --data cifar-10-batches-bin --out out1 --lr fast",
       "option lr: must be a number > 0, got \"fast\""},
      {"train --data cifar-10-batches-bin --out out1 --weight-decay -1",
       "option weightDecay: must be a finite number >= 0, got -1"},
      {"train --data cifar-10-batches-bin --out out1 --clip-norm -2", "option clipNorm:"},
      {"train --data cifar-10-batches-bin --out out1 --lr-schedule linear",
       "option lrSchedule: must be constant, step or cosine, got 'linear'"},
      {"train --data cifar-10-batches-bin --out out1 --lr-gamma 0", "option lrGamma:"},
      {"train --data cifar-10-batches-bin --out out1 --shift 10",
       "option shift: the shift must be between 0 and 8 pixels, got 10"},
      {"experiment --data cifar-10-batches-bin --clip-norm -2 --out out1", "option clipNorm:"},
      {"train --data cifar-10-batches-bin --out out1 --epochs 2.5",
       "option epochs: must be a whole number, got 2.5"},
      {"experiment --data cifar-10-batches-bin --weight-decay -1 --out out1",
       "option weightDecay:"},
      {"experiment --data cifar-10-batches-bin --pooling sum --out out1", "option pooling:"},
      {"experiment --data cifar-10-batches-bin --spec \"flatten; dense 10\" --out out1",
       "no conv2d layer"},
      {"train --data cifar-10-batches-bin --out out1 --model cnn --kernel 40", "kernel"},
      {"train --data cifar-10-batches-bin --out out1 --model resnet", "resnet"},
      {"train --data cifar-10-batches-bin --out out1 --spec \"conv2d 8 k=3; maxpol2d 2; flatten; dense 10\"",
       "maxpol2d"},
      {"train --data cifar-10-batches-bin --out out1 --val-fraction 1.5",
       "option valFraction: the validation fraction"},
      {"eval --model-file notes.txt --data cifar-10-batches-bin", "notes.txt"},
      {"predict --model-file notes.txt --image notes.txt", "notes.txt"},
      {"experiment --data cifar-10-batches-bin --vary kernel= --out out1", "empty"},
      {"experiment --data cifar-10-batches-bin --vary kernel=1,2,3,4,5,6,7,8,9 --out out1", "at most 8"},
      {"experiment --data cifar-10-batches-bin --vary kernel=3,40 --out out1", "kernel=40"},
      // Numbers outside the option table: one check, the flag named, 0 refused unless its help
      // says what 0 means (--train-per-class 0 = all images).
      {"train --data cifar-10-batches-bin --out out1 --threads 0",
       "--threads: must be a whole number 1..64, got 0"},
      {"train --data cifar-10-batches-bin --out out1 --threads -2",
       "--threads: must be a whole number 1..64, got -2"},
      {"eval --model-file notes.txt --data cifar-10-batches-bin --threads 0", "--threads: must be"},
      {"eval --model-file notes.txt --data cifar-10-batches-bin --batch 0", "--batch: must be"},
      {"experiment --data cifar-10-batches-bin --out out1 --threads 65", "--threads: must be"},
      {"experiment --data cifar-10-batches-bin --out out1 --repeats 0",
       "--repeats: must be a whole number 1..5, got 0"},
      {"train --data cifar-10-batches-bin --out out1 --train-per-class -1",
       "--train-per-class: must be a whole number 0..1000000000, got -1"},
      {"pack --data cifar-10-batches-bin --out x.pack --quality 0", "--quality: must be"},
      {"summary --classes 1", "--classes: must be a whole number 2..256, got 1"},
      {"summary --classes 257", "--classes: must be a whole number 2..256, got 257"},
      {"import-npz --classes 257 --npz x.npz --out x.cnnlab",
       "--classes: must be a whole number 2..256, got 257"},
      {"bench --batch 0", "--batch: must be"},
      {"train --data cifar-10-batches-bin --out out1 --kernel 0",
       "option kernel: must be a whole number 1..11, got 0"},
      {"train --data cifar-10-batches-bin --out out1 --stride 0", "option stride: must be"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    Result r = run(ws.dir, c.args);
    CHECK(r.status != 0);
    CHECK(contains(r.err, "cnnlab: error:"));
    CHECK(contains(r.err, c.expected));
    CHECK_FALSE(fs::exists(ws.dir / "out1"));
  }
  // At the class limit: a model for 256 classes (labels are one byte) is summarised.
  const Result at_limit = run(ws.dir, "summary --classes 256");
  CHECK(at_limit.status == 0);
  CHECK(contains(at_limit.out, "(256)"));
  // A NaN loss: training stops, the last good weights are saved, the exit status says it failed.
  Result r = run(ws.dir, std::string("train --data cifar-10-batches-bin --out nan ") + kSmallSpec +
                             " --optimizer sgd --lr 1e30 --epochs 3 --threads 1");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "last good weights"));
  CHECK(fs::exists(ws.dir / "nan/model.cnnlab"));
}

TEST_CASE("cnnlab export-npz --epoch: a kept epoch's weights from a model file saved with its epochs") {
  if (!exe()) return;
  Workspace ws;
  using namespace cnnlab;
  Model model(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{1, 4, 4}, 3), 5);
  ModelFileInfo info;
  for (int epoch : {0, 2}) {
    WeightSnapshot w;
    w.epoch = epoch;
    for (size_t i = 0; i < model.parameter_count(); ++i)
      w.values.push_back(0.5f * static_cast<float>(epoch) - 0.01f * static_cast<float>(i));
    info.snapshots.push_back(std::move(w));
  }
  save_model_file((ws.dir / "epochs.cnnlab").string(), model, info);

  Result r = run(ws.dir, "export-npz --model-file epochs.cnnlab --npz e2.npz --epoch 2");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.err, "after epoch 2"));
  Model back(model.spec(), 9);
  import_npz((ws.dir / "e2.npz").string(), back);
  std::vector<float> values;
  for (const Param* p : back.params()) values.insert(values.end(), p->value.data(), p->value.data() + p->value.size());
  CHECK(values == info.snapshots[1].values);

  r = run(ws.dir, "export-npz --model-file epochs.cnnlab --npz e7.npz --epoch 7");
  CHECK(r.status != 0);
  CHECK_MESSAGE(contains(r.err, "epoch 7 is not kept in epochs.cnnlab (kept: 0, 2)"), r.err);
  CHECK_FALSE(fs::exists(ws.dir / "e7.npz"));
}
