// fuzz_seeds OUT_DIR: writes each fuzz target's seed corpus into OUT_DIR/<target>/, made by the
// repository's own writers (encode_pack, serialize_model, npz_bytes, encode_jpeg,
// encode_dataset_report, the lab's to_json) from small synthetic data, plus tiny hand-made files
// where the repository has no writer (gzip, tar, IDX and CIFAR-10 binary framing). Nothing here
// comes from a real dataset; scripts/fuzz.sh runs it at every run, so no seed is committed.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

#include "core/io.h"
#include "core/rng.h"
#include "data/image.h"
#include "data/pack.h"
#include "fuzz_common.h"
#include "lab/dataset_report.h"
#include "lab/embed_settings.h"
#include "lab/lab_model_file.h"
#include "lab/run_report.h"
#include "lab/session.h"
#include "lab/trainer_command.h"
#include "lab/trainer_report.h"
#include "model/model_file.h"
#include "model/npz.h"
#include "model/presets.h"
#include "optim/optimizer.h"
#include "trainer_state_run.h"

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

std::string out_dir;

void seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = fs::path(out_dir) / target;
  fs::create_directories(dir);
  FILE* f = std::fopen((dir / name).c_str(), "wb");
  if (!f) throw cnnlab::Error((dir / name).string(), "cannot write");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}
void seed_text(const std::string& target, const std::string& name, const std::string& text) {
  seed(target, name, Bytes(text.begin(), text.end()));
}
Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes join_parts(const std::vector<Bytes>& parts) {
  Bytes out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.insert(out.end(), fuzz::kPartSeparator, fuzz::kPartSeparator + std::strlen(fuzz::kPartSeparator));
    out.insert(out.end(), parts[i].begin(), parts[i].end());
  }
  return out;
}
void put_le32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}


// gzip around stored (uncompressed) or compressed (stb_image_write's zlib) DEFLATE.
Bytes gzip(const Bytes& data, bool compressed) {
  Bytes out = {0x1F, 0x8B, 8, compressed ? uint8_t(0x08) : uint8_t(0), 0, 0, 0, 0, 0, 3};
  if (compressed) {
    for (char c : std::string("seed")) out.push_back(static_cast<uint8_t>(c));
    out.push_back(0);
    int len = 0;
    unsigned char* z = stbi_zlib_compress(const_cast<unsigned char*>(data.data()),
                                          static_cast<int>(data.size()), &len, 8);
    out.insert(out.end(), z + 2, z + len - 4);  // without the zlib header and Adler-32
    STBIW_FREE(z);
  } else {
    const size_t n = data.size();  // one final stored block (seeds are < 64 kB)
    out.insert(out.end(), {1, uint8_t(n), uint8_t(n >> 8), uint8_t(~n), uint8_t(~n >> 8)});
    out.insert(out.end(), data.begin(), data.end());
  }
  put_le32(out, cnnlab::crc32(data.data(), data.size()));
  put_le32(out, static_cast<uint32_t>(data.size()));
  return out;
}

// A ustar archive: one 512-byte header per entry ('5' folder, '0' file), data padded to 512.
struct Tar {
  Bytes out;
  void header(const std::string& name, size_t size, char type) {
    uint8_t h[512] = {};
    std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
    std::snprintf(reinterpret_cast<char*>(h + 100), 8, "%07o", 0644);
    std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011llo", static_cast<unsigned long long>(size));
    std::memset(h + 148, ' ', 8);
    h[156] = static_cast<uint8_t>(type);
    std::memcpy(h + 257, "ustar\0" "00", 8);
    unsigned sum = 0;
    for (uint8_t c : h) sum += c;
    std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);
    out.insert(out.end(), h, h + 512);
  }
  void add(const std::string& name, const Bytes& data) {
    header(name, data.size(), '0');
    out.insert(out.end(), data.begin(), data.end());
    out.resize((out.size() + 511) / 512 * 512, 0);
  }
  Bytes finish() {
    Bytes b = out;
    b.resize(b.size() + 1024, 0);
    return b;
  }
};

Bytes idx(const std::vector<uint32_t>& dims, const Bytes& data) {
  Bytes b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(d >> (8 * i)));
  }
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

Bytes png(const cnnlab::Image& image) {
  // stb_image_write takes interleaved pixels (H, W, C); Image holds planes (C, H, W).
  Bytes hwc(image.pixels.size());
  const int plane = image.height * image.width;
  for (int c = 0; c < image.channels; ++c) {
    for (int i = 0; i < plane; ++i) hwc[static_cast<size_t>(i * image.channels + c)] = image.pixels[static_cast<size_t>(c * plane + i)];
  }
  Bytes out;
  stbi_write_png_to_func(
      [](void* ctx, void* data, int size) {
        auto* o = static_cast<Bytes*>(ctx);
        o->insert(o->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
      },
      &out, image.width, image.height, image.channels, hwc.data(), image.width * image.channels);
  return out;
}

const char* kSeedSpec = "conv2d 4 k=3; relu; maxpool2d 2; flatten; dense 3";

void make_all() {
  using namespace cnnlab;
  const DataSource rgb = fuzz::tiny_data(3), gray = fuzz::tiny_data(1);

  // Packs: raw (version 1) and JPEG (version 2), colour and gray.
  seed("fuzz_pack", "raw_rgb.pack", encode_pack(rgb));
  seed("fuzz_pack", "raw_gray.pack", encode_pack(gray));
  seed("fuzz_pack", "jpeg_rgb.pack", encode_pack(rgb, PackEncoding::jpeg(90)));
  seed("fuzz_pack", "jpeg_gray.pack", encode_pack(gray, PackEncoding::jpeg(50)));

  // Model files: bare, with class names and an SGD optimiser, with Adam's state after a step.
  Model model(parse_model_spec(kSeedSpec, {3, 8, 8}), 1);
  ModelFileInfo info;
  seed("fuzz_model_file", "bare.cnnlab", serialize_model(model, info));
  info.class_names = {"a", "b", "c"};
  info.dataset = "seed";
  OptimizerConfig sgd;
  sgd.kind = "sgd";
  auto sgd_opt = make_optimizer(sgd);
  seed("fuzz_model_file", "sgd.cnnlab", serialize_model(model, info, sgd_opt.get()));
  Model preset_model(preset("cnn", {3, 8, 8}, 3), 2);
  seed("fuzz_model_file", "preset_cnn.cnnlab", serialize_model(preset_model, info));

  // Lab model files: the lab's settings under training_state["lab"], for the default options.
  SessionOptions options;
  SessionStatus status;
  status.run = 1;
  status.epoch = 2;
  status.step = 12;
  status.test_acc = 0.5;
  Model lab_model(options.spec({3, 8, 8}, 3), options.train.seed);
  ModelFileInfo lab_info;
  lab_info.class_names = {"a", "b", "c"};
  lab_info.dataset = "seed";
  lab_info.training_state = LabModelState::of(options, status).to_json();
  seed("fuzz_lab_model_file", "lab.cnnlab", serialize_model(lab_model, lab_info));
  seed("fuzz_lab_model_file", "cli.cnnlab", serialize_model(lab_model, info));

  // .npz of the seed model (stored zip, as export_npz writes).
  seed("fuzz_npz", "model.npz", npz_bytes(model));

  // gzip: stored and compressed, of text and of an IDX file.
  const Bytes text = text_bytes("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
  seed("fuzz_gzip", "stored.gz", gzip(text, false));
  seed("fuzz_gzip", "compressed.gz", gzip(text, true));
  seed("fuzz_gzip", "empty.gz", gzip({}, false));

  // IDX folder: 6 training and 3 test 8x8 images, plain and gzipped.
  const Bytes train_images = idx({6, 8, 8}, gray.train.pixels);
  const Bytes train_labels = idx({6}, gray.train.labels);
  const Bytes test_images = idx({3, 8, 8}, gray.test.pixels);
  const Bytes test_labels = idx({3}, gray.test.labels);
  seed("fuzz_idx", "plain.idx", join_parts({train_images, train_labels, test_images, test_labels}));
  seed("fuzz_idx", "gzip.idx", join_parts({gzip(train_images, true), gzip(train_labels, false),
                                           test_images, test_labels}));

  // CIFAR-10 binary folder: the class names, then 5 training batches of one synthetic record
  // each and a test batch of two (label byte + 3,072 seeded-noise bytes, never CIFAR-10's).
  auto record = [](uint8_t label, uint32_t seed_value) {
    Bytes r = {label};
    Rng rng(seed_value);
    for (int i = 0; i < 3072; ++i) r.push_back(static_cast<uint8_t>(rng.next_u32()));
    return r;
  };
  std::vector<Bytes> cifar = {text};
  for (uint8_t b = 1; b <= 5; ++b) cifar.push_back(record(b, b));
  Bytes test_batch = record(0, 10);
  const Bytes second = record(9, 11);
  test_batch.insert(test_batch.end(), second.begin(), second.end());
  cifar.push_back(test_batch);
  seed("fuzz_cifar10", "folder.bin", join_parts(cifar));

  // Images: JPEG (colour 4:2:0, gray) and PNG (colour, gray) of the synthetic pictures.
  Image picture{3, 8, 8, std::vector<uint8_t>(rgb.train.pixels.begin(), rgb.train.pixels.begin() + 192)};
  Image gray_picture{1, 8, 8, std::vector<uint8_t>(gray.train.pixels.begin(), gray.train.pixels.begin() + 64)};
  seed("fuzz_image", "rgb.jpg", encode_jpeg(picture.pixels.data(), 3, 8, 8, 90));
  seed("fuzz_image", "gray.jpg", encode_jpeg(gray_picture.pixels.data(), 1, 8, 8, 95));
  seed("fuzz_image", "rgb.png", png(picture));
  seed("fuzz_image", "gray.png", png(gray_picture));

  // tar / tar.gz: an image folder of JPEGs (the lab's own-data archive) and an IDX folder.
  Tar folder;
  folder.header("seed/", 0, '5');
  folder.add("seed/classes.txt", text_bytes("a\nb\n"));
  for (const char* split : {"train", "test"}) {
    for (const char* cls : {"a", "b"}) {
      folder.add(std::string("seed/") + split + "/" + cls + "/0.jpg",
                 encode_jpeg(picture.pixels.data(), 3, 8, 8, 90));
      folder.add(std::string("seed/") + split + "/" + cls + "/1.png", png(picture));
    }
  }
  seed("fuzz_tar", "images.tar", folder.finish());
  seed("fuzz_tar", "images.tar.gz", gzip(folder.finish(), true));
  Tar idx_tar;
  idx_tar.add("digits/train-images-idx3-ubyte", train_images);
  idx_tar.add("digits/train-labels-idx1-ubyte.gz", gzip(train_labels, false));
  idx_tar.add("digits/t10k-images-idx3-ubyte", test_images);
  idx_tar.add("digits/t10k-labels-idx1-ubyte", test_labels);
  seed("fuzz_tar", "idx.tar", idx_tar.finish());
  // The lab's Load dataset layout: <class>/* under one top folder, no test split.
  Tar classes;
  for (const char* cls : {"a", "b"}) {
    for (int i = 0; i < 3; ++i) {
      classes.add(std::string("mine/") + cls + "/" + std::to_string(i) + (i ? ".png" : ".jpg"),
                  i ? png(picture) : encode_jpeg(picture.pixels.data(), 3, 8, 8, 90));
    }
  }
  seed("fuzz_tar", "upload.tar", classes.finish());

  // Model spec texts: the presets' canonical text and a hand-written one with every option.
  int n = 0;
  for (const std::string& name : preset_names()) {
    seed_text("fuzz_model_spec", "preset_" + std::to_string(n++) + ".txt",
              preset(name, {3, 32, 32}, 10).text());
  }
  seed_text("fuzz_model_spec", "options.txt",
            "# comment\nconv 8 kernel=5x5 stride=1 padding=same init=he_normal\nrelu\n"
            "avgpool2d 2x2 s=2; conv2d 16 3 pad=valid; maxpool 2; flatten; dropout 0.25; "
            "linear 32 init=he_uniform; relu; fc 10");

  // Settings: every key with its default, a link's few keys, an experiment.
  seed_text("fuzz_session_options", "defaults.json", options.to_json().dump());
  seed_text("fuzz_session_options", "link.json",
            R"({"model":"cnn","kernel":5,"epochs":2,"batch":32,"lr":0.01,"optimizer":"sgd","augment":true})");
  seed_text("fuzz_session_options", "experiment.json",
            R"({"vary":"lr","values":[0.01,0.001],"repeats":2,"epochs":1})");

  // Trainer commands: every type, configure and an experiment with options.
  for (const std::string& name : [] {
         std::vector<std::string> v;
         std::string all = cnnlab::command_names();
         size_t start = 0;
         while (start < all.size()) {
           size_t end = all.find(", ", start);
           if (end == std::string::npos) end = all.size();
           v.push_back(all.substr(start, end - start));
           start = end + 2;
         }
         return v;
       }()) {
    TrainerCommand command;
    if (!command_from_name(name, &command.type)) continue;
    if (command.type == CommandType::kConfigure) command.options = options.to_json();
    if (command.type == CommandType::kStartExperiment) {
      command.options = nlohmann::json::parse(R"({"vary":"lr","values":[0.01,0.001],"repeats":1})");
    }
    seed_text("fuzz_trainer_command", name + ".json", command.to_json().dump());
  }

  // Trainer reports and run records: filled-in examples through their own to_json.
  RunRecord run;
  run.run = 1;
  run.label = "run 1: cnn 3x3";
  run.options = options;
  EpochRecord epoch;
  epoch.epoch = 1;
  run.epochs.push_back(epoch);
  run.test_accuracy = 0.5;
  run.test_epoch = 1;
  run.stop_reason = "finished";
  StepCurve curve;
  curve.loss = {2.3f, 2.1f};
  curve.acc = {0.1f, 0.2f};
  run.steps = curve;
  TrainerReport report;
  report.state = status;
  StepRecords steps;
  steps.run = 1;
  steps.loss = {2.3f};
  steps.acc = {0.1f};
  report.steps.push_back(steps);
  report.history = std::vector<RunRecord>{run};
  report.experiment = ExperimentReport{};
  seed_text("fuzz_trainer_report", "report.json", report.to_json().dump());
  seed_text("fuzz_trainer_report", "empty.json", TrainerReport{}.to_json().dump());
  // A live-matrix cell's answer (two 1x2x2 images) and an experiment's epoch note.
  TrainerReport cell_report;
  ValidationCell cell;
  cell.run = 1;
  cell.epoch = 2;
  cell.true_class = 3;
  cell.predicted = 5;
  cell.count = 7;
  cell.channels = 1;
  cell.height = 2;
  cell.width = 2;
  cell.pixels = {0, 64, 128, 255, 1, 2, 3, 4};
  cell_report.validation_cell = cell;
  seed_text("fuzz_trainer_report", "validation-cell.json", cell_report.to_json().dump());
  ExperimentEpochNote note;
  note.experiment = 1;
  note.config = 2;
  note.epoch = 1;
  note.record = epoch;
  seed_text("fuzz_trainer_report", "experiment-epoch-note.json", note.to_json().dump());
  seed_text("fuzz_run_report", "run.json", run.to_json().dump());
  seed_text("fuzz_run_report", "history.json", run_history_json({run, run}).dump());
  seed_text("fuzz_run_report", "curve.json", curve.to_json().dump());
  seed_text("fuzz_run_report", "epoch.json", epoch_report_json(epoch).dump());
  seed_text("fuzz_run_report", "experiment.json", ExperimentReport{}.to_json().dump());
  const TestResults test_results;
  seed_text("fuzz_run_report", "test.json", test_results.to_json().dump());

  // Training states of fuzz_trainer_state's run (the same model, data and settings): at the
  // start, mid-epoch, after an epoch and at the end.
  {
    cnnlab::Model model = fuzz::trainer_state_model();
    cnnlab::Trainer trainer(model, rgb.train, fuzz::trainer_state_config(), nullptr);
    seed_text("fuzz_trainer_state", "start.json", trainer.state().dump());
    trainer.step();
    seed_text("fuzz_trainer_state", "mid-epoch.json", trainer.state().dump());
    while (trainer.epoch() < 1 && trainer.step()) {
    }
    seed_text("fuzz_trainer_state", "one-epoch.json", trainer.state().dump());
    while (trainer.step()) {
    }
    seed_text("fuzz_trainer_state", "done.json", trainer.state().dump());
  }

  // Dataset reports of the tiny data, colour and gray.
  seed("fuzz_dataset_report", "rgb.report", encode_dataset_report(make_dataset_report(rgb, 2)));
  seed("fuzz_dataset_report", "gray.report", encode_dataset_report(make_dataset_report(gray, 1)));

  // Embedding look options: the defaults and a locked page through embed_settings_json, and
  // the forms a link's or an attribute's values take (web/page/options.js).
  EmbedSettings locked_page;
  locked_page.dark_theme = true;
  locked_page.hidden_panels = 0b1010;
  locked_page.read_only = locked_page.read_only_commands = true;
  seed_text("fuzz_embed_settings", "defaults.json", embed_settings_json(EmbedSettings()).dump());
  seed_text("fuzz_embed_settings", "locked.json", embed_settings_json(locked_page).dump());
  seed_text("fuzz_embed_settings", "link.json",
            R"({"theme":"light","panels":"curves, inside","readOnly":"settings","reducedMotion":true,"touch":false})");
  seed_text("fuzz_embed_settings", "status.json",
            R"({"hide":["guide","eval"],"readOnly":"none","notice":"option lr: must be > 0","linkStatus":"Link copied"})");

  // Lessons: the built-in ones (the repository's own files, assets/lessons/), and a small one
  // with every action, check and placeholder kind.
  for (const char* name : {"assignment.md", "kernel-sees.md"}) {
    seed("fuzz_lesson", name,
         cnnlab::read_file_bytes(std::string(CNNLAB_SOURCE_DIR) + "/assets/lessons/" + name));
  }
  seed_text("fuzz_lesson", "every-kind.md",
            "---\nlesson: 1\nid: every-kind\ntitle: Every kind\nsubset: 1k\n# a comment\n---\n"
            "## Data\nsetup: show data\ndone: dataset\n\n{data.name}: {data.classes} classes, "
            "{data.train}/{data.val}/{data.test}.\n- a bullet\n\n"
            "## MLP\nsetup: train model=mlp epochs=2\ndone: run model=mlp\n\n"
            "? How good?\n= {mlp.accuracy}, {mlp.params}, {mlp.dense}\n"
            "## CNN\nsetup: train model=cnn kernel=3 epochs=2\ndone: run model=cnn kernel=3\n\n"
            "{cnn.accuracy} {cnn.params} {cnn.kernel} {cnn.conv1.params} {cnn.conv1.dense_params}\n"
            "## Matched\nsetup: train model=mlp-small match=cnn\ndone: matched-mlp\n\n"
            "{matched_mlp.accuracy} {matched_mlp.params} {matched_mlp.dense} {rf.3} {rf.11}\n"
            "## Experiment\nsetup: experiment model=cnn vary=kernel values=3,5 repeats=2 epochs=1\n"
            "done: experiment vary=kernel values=3,5 repeats=2\n\n"
            "{experiment.3.accuracy} {experiment.5.spread} {experiment.3.params} "
            "{experiment.5.macs} {experiment.verdict} {experiment.repeats}\n"
            "## Models\nsetup: experiment vary=model values=mlp,cnn match-params\ndone: read\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  out_dir = argv[1];
  try {
    make_all();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
