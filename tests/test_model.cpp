// Model: spec parsing and its errors, presets' exact parameter counts, summary, forward/backward
// bookkeeping and statistics, determinism, the model file (round trip with optimiser state,
// corruption cases), .npz (round trip, numpy.savez / savez_compressed files, bad arrays) and a
// tiny synthetic problem a small CNN must learn.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/text_format.h"
#include "data/compression.h"
#include "model/model.h"
#include "model/model_file.h"
#include "model/npz.h"
#include "model/presets.h"
#include "model/receptive_field.h"
#include "model/spec.h"
#include "model/summary.h"
#include "optim/optimizer.h"
#include "test_helpers.h"
#include "train/trainer.h"

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;

namespace {

// A fresh temporary folder, removed when the test case ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("cnnlab_test_model_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> from_hex(const char* hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  return out;
}

Tensor random_batch(const Shape& input, int batch, Rng& rng) {
  Tensor t(Shape{batch, input[0], input[1], input[2]});
  for (size_t i = 0; i < t.size(); ++i) t[i] = rng.uniform();
  return t;
}

std::vector<float> all_weights(Model& m) {
  std::vector<float> w;
  for (Param* p : m.params()) w.insert(w.end(), p->value.data(), p->value.data() + p->value.size());
  return w;
}

// .npz files laid out exactly as numpy.savez / numpy.savez_compressed write them (zip entries
// "<key>.npy" through ZipFile.open(force_zip64=True), .npy 1.0 headers), generated once with
// Python's zipfile (numpy itself is not installed on the build machine). Arrays, for the model
// "conv2d 2 k=1 pad=valid; relu; flatten; dense 3" on (1, 2, 2):
//   0.weight (2,1,1,1) = [0.5, -1]; 0.bias (2) = [0.25, -0.25];
//   3.weight (3,8) = (i - 12) / 16 for i in 0..23; 3.bias (3) = [1, 2, 3].
// kFortran has 3.weight marked fortran_order; kFloat64 (compressed) has 0.bias as '<f8'.
// 1130 bytes
const char* const kSavez =
    "504b03042d000000000000002100eb57de6dffffffffffffffff0c001400302e7765696768742e6e7079010010008800"
    "0000000000008800000000000000934e554d5059010076007b276465736372273a20273c6634272c2027666f72747261"
    "6e5f6f72646572273a2046616c73652c20277368617065273a2028322c20312c20312c2031292c207d20202020202020"
    "2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000"
    "003f000080bf504b03042d0000000000000021007aa44dbbffffffffffffffff0a001400302e626961732e6e70790100"
    "100088000000000000008800000000000000934e554d5059010076007b276465736372273a20273c6634272c2027666f"
    "727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "200a0000803e000080be504b03042d000000000000002100cc8bb768ffffffffffffffff0c001400332e776569676874"
    "2e6e707901001000e000000000000000e000000000000000934e554d5059010076007b276465736372273a20273c6634"
    "272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c2038292c207d202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "202020202020200a000040bf000030bf000020bf000010bf000000bf0000e0be0000c0be0000a0be000080be000040be"
    "000000be000080bd000000000000803d0000003e0000403e0000803e0000a03e0000c03e0000e03e0000003f0000103f"
    "0000203f0000303f504b03042d00000000000000210077a640d1ffffffffffffffff0a001400332e626961732e6e7079"
    "010010008c000000000000008c00000000000000934e554d5059010076007b276465736372273a20273c6634272c2027"
    "666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "2020200a0000803f0000004000004040504b01022d032d000000000000002100eb57de6d88000000880000000c000000"
    "0000000000000000800100000000302e7765696768742e6e7079504b01022d032d0000000000000021007aa44dbb8800"
    "0000880000000a00000000000000000000008001c6000000302e626961732e6e7079504b01022d032d00000000000000"
    "2100cc8bb768e0000000e00000000c000000000000000000000080018a010000332e7765696768742e6e7079504b0102"
    "2d032d00000000000000210077a640d18c0000008c0000000a00000000000000000000008001a8020000332e62696173"
    "2e6e7079504b05060000000004000400e4000000700300000000"
    ;
// 864 bytes
const char* const kSavezCompressed =
    "504b03042d000000080000002100eb57de6dffffffffffffffff0c001400302e7765696768742e6e7079010010008800"
    "00000000000050000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f545294"
    "98179f5f94920a12774bcc294e058a17672416a402f91a463a0a8610a4a9a350ab4006e0626060b0676068d80f00504b"
    "03042d0000000800000021007aa44dbbffffffffffffffff0a001400302e626961732e6e707901001000880000000000"
    "00004b000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f"
    "94920a12774bcc294e058a17672416a402f91a463a9a3a0ab50a14002e0686063b20de0700504b03042d000000080000"
    "002100cc8bb768ffffffffffffffff0c001400332e7765696768742e6e707901001000e0000000000000008800000000"
    "0000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a12774bcc"
    "294e058a17672416a402f91ac63a0a169a3a0ab50a64032e060687fd0c0c0640ac00c40240cc00c40ff631301c00e205"
    "40dc00c40e40cc0062ef650083065b2061071407e206205e00c40780f8011033d803cd0162052036b00700504b03042d"
    "00000008000000210077a640d1ffffffffffffffff0a001400332e626961732e6e7079010010008c000000000000004f"
    "000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a"
    "12774bcc294e058a17672416a402f91ac63a9a3a0ab50a14002e0686067b0606060720720000504b01022d032d000000"
    "080000002100eb57de6d50000000880000000c0000000000000000000000800100000000302e7765696768742e6e7079"
    "504b01022d032d0000000800000021007aa44dbb4b000000880000000a000000000000000000000080018e000000302e"
    "626961732e6e7079504b01022d032d000000080000002100cc8bb76888000000e00000000c0000000000000000000000"
    "800115010000332e7765696768742e6e7079504b01022d032d00000008000000210077a640d14f0000008c0000000a00"
    "000000000000000000008001db010000332e626961732e6e7079504b05060000000004000400e4000000660200000000"
    ;
// 1130 bytes
const char* const kFortran =
    "504b03042d000000000000002100eb57de6dffffffffffffffff0c001400302e7765696768742e6e7079010010008800"
    "0000000000008800000000000000934e554d5059010076007b276465736372273a20273c6634272c2027666f72747261"
    "6e5f6f72646572273a2046616c73652c20277368617065273a2028322c20312c20312c2031292c207d20202020202020"
    "2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000"
    "003f000080bf504b03042d0000000000000021007aa44dbbffffffffffffffff0a001400302e626961732e6e70790100"
    "100088000000000000008800000000000000934e554d5059010076007b276465736372273a20273c6634272c2027666f"
    "727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "200a0000803e000080be504b03042d000000000000002100fa9a588affffffffffffffff0c001400332e776569676874"
    "2e6e707901001000e000000000000000e000000000000000934e554d5059010076007b276465736372273a20273c6634"
    "272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028332c2038292c207d20202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "202020202020200a000040bf000030bf000020bf000010bf000000bf0000e0be0000c0be0000a0be000080be000040be"
    "000000be000080bd000000000000803d0000003e0000403e0000803e0000a03e0000c03e0000e03e0000003f0000103f"
    "0000203f0000303f504b03042d00000000000000210077a640d1ffffffffffffffff0a001400332e626961732e6e7079"
    "010010008c000000000000008c00000000000000934e554d5059010076007b276465736372273a20273c6634272c2027"
    "666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "2020200a0000803f0000004000004040504b01022d032d000000000000002100eb57de6d88000000880000000c000000"
    "0000000000000000800100000000302e7765696768742e6e7079504b01022d032d0000000000000021007aa44dbb8800"
    "0000880000000a00000000000000000000008001c6000000302e626961732e6e7079504b01022d032d00000000000000"
    "2100fa9a588ae0000000e00000000c000000000000000000000080018a010000332e7765696768742e6e7079504b0102"
    "2d032d00000000000000210077a640d18c0000008c0000000a00000000000000000000008001a8020000332e62696173"
    "2e6e7079504b05060000000004000400e4000000700300000000"
    ;
// 865 bytes
const char* const kFloat64 =
    "504b03042d000000080000002100eb57de6dffffffffffffffff0c001400302e7765696768742e6e7079010010008800"
    "00000000000050000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f545294"
    "98179f5f94920a12774bcc294e058a17672416a402f91a463a0a8610a4a9a350ab4006e0626060b0676068d80f00504b"
    "03042d0000000800000021002672cd5cffffffffffffffff0a001400302e626961732e6e707901001000900000000000"
    "00004c000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a1aea3a09e965f54529498179f5f"
    "94920a12774bcc294e058a17672416a402f91a463a9a3a0ab50a14002e0630b8600fa5f70300504b03042d0000000800"
    "00002100cc8bb768ffffffffffffffff0c001400332e7765696768742e6e707901001000e00000000000000088000000"
    "000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a12774b"
    "cc294e058a17672416a402f91ac63a0a169a3a0ab50a64032e060687fd0c0c0640ac00c40240cc00c40ff631301c00e2"
    "0540dc00c40e40cc0062ef650083065b2061071407e206205e00c40780f8011033d803cd0162052036b00700504b0304"
    "2d00000008000000210077a640d1ffffffffffffffff0a001400332e626961732e6e7079010010008c00000000000000"
    "4f000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f9492"
    "0a12774bcc294e058a17672416a402f91ac63a9a3a0ab50a14002e0686067b0606060720720000504b01022d032d0000"
    "00080000002100eb57de6d50000000880000000c0000000000000000000000800100000000302e7765696768742e6e70"
    "79504b01022d032d0000000800000021002672cd5c4c000000900000000a000000000000000000000080018e00000030"
    "2e626961732e6e7079504b01022d032d000000080000002100cc8bb76888000000e00000000c00000000000000000000"
    "00800116010000332e7765696768742e6e7079504b01022d032d00000008000000210077a640d14f0000008c0000000a"
    "00000000000000000000008001dc010000332e626961732e6e7079504b05060000000004000400e40000006702000000"
    "00"
    ;

const char* const kFixtureSpec = "conv2d 2 k=1 pad=valid; relu; flatten; dense 3";

}  // namespace

// ---- spec -----------------------------------------------------------------------------------------

TEST_CASE("Spec text parses, round-trips and accepts the documented variants") {
  const std::string text =
      "conv2d 32 k=3 pad=same; relu; maxpool2d 2; conv2d 64 k=3 pad=same; relu; maxpool2d 2; "
      "flatten; dense 128; relu; dense 10";
  ModelSpec spec = parse_model_spec(text, Shape{3, 32, 32}, 10);
  CHECK(spec.layers.size() == 10);
  CHECK(spec.text() == text);
  CHECK(spec.parameter_count() == 545098);
  CHECK(spec.num_classes() == 10);
  CHECK(parse_model_spec(spec.text(), Shape{3, 32, 32}) == spec);

  ModelSpec multi = parse_model_spec(
      "# a comment line\n"
      "Conv2D 8 kernel=5x5 stride=2 padding=same init=he_normal  # trailing comment\n"
      "RELU\n\n"
      "avgpool2d 2 s=2; dropout 0.25\n"
      "conv 4 3 s=1 pad=valid\n"
      "maxpool 3 s=1\n"
      "flatten; linear 10",
      Shape{3, 32, 32});
  REQUIRE(multi.layers.size() == 8);
  CHECK(multi.layers[0].kernel == 5);
  CHECK(multi.layers[0].stride == 2);
  CHECK(multi.layers[0].same_padding);
  CHECK(multi.layers[0].init == InitKind::kHeNormal);
  CHECK(multi.layers[2].kind == LayerKind::kAvgPool2D);
  CHECK(multi.layers[3].rate == 0.25f);
  CHECK(multi.layers[4].kernel == 3);
  CHECK_FALSE(multi.layers[4].same_padding);
  CHECK(multi.layers[5].stride == 1);
  CHECK(multi.text() ==
        "conv2d 8 k=5 s=2 pad=same init=he_normal; relu; avgpool2d 2; dropout 0.25; "
        "conv2d 4 k=3 pad=valid; maxpool2d 3 s=1; flatten; dense 10");
  std::vector<Shape> shapes = multi.output_shapes();
  CHECK(shapes[0] == Shape{8, 16, 16});
  CHECK(shapes[4] == Shape{4, 6, 6});
  CHECK(shapes[5] == Shape{4, 4, 4});
}

TEST_CASE("Layer editor round trip: every preset's layers as text, one per line, are the same model") {
  // The Model panel's editor keeps a model as its layer list and writes it as text one layer per
  // line (each LayerSpec::text()); the text read back must be that model, layer for layer, and
  // the syntax-only reading (parse_layer_list, before the data's shape is known) the same list.
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    const Shape input = name == "mlp-small" ? Shape{1, 28, 28} : Shape{3, 32, 32};
    PresetOptions options;
    options.kernel = 5;
    options.dropout = 0.25f;  // every kind of layer the presets have, with options set
    const ModelSpec spec = preset(name, input, 10, options);
    std::string lines;
    for (const LayerSpec& layer : spec.layers) lines += layer.text() + "\n";
    CHECK(parse_model_spec(lines, input, 10) == spec);
    CHECK(parse_layer_list(lines) == spec.layers);
    CHECK(parse_model_spec(spec.text(), input, 10) == spec);
  }
  // A layer edited in the list (kernel, stride, padding, pooling kind and size, rate, units)
  // reads back with the edit.
  ModelSpec edited = preset("cnn", Shape{3, 32, 32}, 10, PresetOptions{});
  edited.layers[0].stride = 2;
  edited.layers[0].same_padding = false;
  edited.layers[2].kind = LayerKind::kAvgPool2D;
  edited.layers[2].kernel = edited.layers[2].stride = 3;
  edited.layers.insert(edited.layers.end() - 1, LayerSpec{LayerKind::kDropout, 0, 0, 1, false, 0.4f});
  std::string lines;
  for (const LayerSpec& layer : edited.layers) lines += layer.text() + "\n";
  CHECK(parse_model_spec(lines, Shape{3, 32, 32}, 10) == edited);
}

TEST_CASE("Spec errors name the layer and the problem") {
  const Shape cifar{3, 32, 32};
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 32 kernal=3; flatten; dense 10", cifar),
                       "layer 1 conv2d: unknown option 'kernal' (conv2d takes k=, s=, pad=, init=)",
                       Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=3; relu; maxpol 2; flatten; dense 10", cifar),
                       doctest::Contains("layer 3: unknown layer 'maxpol'"), Error);
  // 32 -> 16 -> 8 -> 4 -> 2 -> 1, then a 2x2 window on 1x1
  CHECK_THROWS_WITH_AS(
      parse_model_spec("maxpool2d 2; maxpool2d 2; maxpool2d 2; maxpool2d 2; maxpool2d 2; "
                       "maxpool2d 2; flatten; dense 10",
                       cifar),
      "layer 6 maxpool2d 2x2: input is 1x1, smaller than the 2x2 window", Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=7 pad=valid; flatten; dense 10", Shape{1, 5, 5}),
                       doctest::Contains("layer 1 conv2d 8 7x7 valid: input is 5x5"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=3 s=0; flatten; dense 10", cifar),
                       doctest::Contains("stride must be"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=13; flatten; dense 10", cifar),
                       doctest::Contains("kernel size must be 1..11"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; dropout 1.0; dense 10", cifar),
                       doctest::Contains("layer 2 dropout"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; dropout -0.1; dense 10", cifar),
                       doctest::Contains("rate must be in [0, 1)"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=3; relu", cifar),
                       doctest::Contains("layer 2 relu: the last layer's output is (8, 30, 30)"),
                       Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; dense 7", cifar, 10),
                       doctest::Contains("expected (10) class scores"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=3; dense 10", cifar),
                       doctest::Contains("put a flatten layer before it"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; conv2d 8 k=3; flatten; dense 10", cifar),
                       doctest::Contains("layer 2 conv2d"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d k=3; flatten; dense 10", cifar),
                       doctest::Contains("needs the number of filters"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d abc; flatten; dense 10", cifar),
                       doctest::Contains("expected a whole number for filters, got 'abc'"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 k=3x5; flatten; dense 10", cifar),
                       doctest::Contains("only square"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("conv2d 8 pad=full; flatten; dense 10", cifar),
                       doctest::Contains("padding must be 'same' or 'valid'"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("relu 3; flatten; dense 10", cifar),
                       doctest::Contains("takes no values"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("  # nothing\n ; ", cifar), doctest::Contains("no layers"),
                       Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; dense 10", Shape{0, 32, 32}),
                       doctest::Contains("model input"), Error);
  CHECK_THROWS_WITH_AS(parse_model_spec("flatten; dense 60000; dense 60000; dense 10", cifar),
                       doctest::Contains("more than the limit"), Error);
}

TEST_CASE("Model size: exactly 100,000,000 parameters is accepted, 100,000,001 refused") {
  // (2,499 + 1) * 40,000 = 10^8; (7,370 + 1) * 13,563 + (13,563 + 1) * 2 = 10^8 + 1 (inputs of
  // 3x49x17 and 10x11x67 values). Only the spec is built, no weights.
  const ModelSpec at = parse_model_spec("flatten; dense 40000", Shape{3, 49, 17});
  CHECK(at.parameter_count() == kMaxModelParameters);
  CHECK(error_of([] { parse_model_spec("flatten; dense 13563; dense 2", Shape{10, 11, 67}); }) ==
        "model spec: has 100000001 parameters, more than the limit of 100000000");
}

// ---- presets and summary ------------------------------------------------------------------------

TEST_CASE("An MLP sized to a CNN's parameter count: the closest width, within 2 %") {
  const Shape cifar{3, 32, 32};
  // cnn k=3 has 545,098 parameters. mlp with dense d (then d/2): 3072 d + d + d (d/2) + d/2 +
  // 10 (d/2) + 10. d = 172: 528,556 + 14,878 + 870 = 544,304 (794 short); d = 173: 547,463
  // (2,365 over). So 172.
  CHECK(mlp_dense_matching("mlp", cifar, 10, {}, 545098) == 172);
  PresetOptions o;
  o.dense = 172;
  CHECK(preset("mlp", cifar, 10, o).parameter_count() == 544304);
  // Every kernel size's cnn has an MLP twin within 2 %.
  for (int k : {3, 5, 7}) {
    const size_t target = preset("cnn", k, cifar).parameter_count();
    o.dense = mlp_dense_matching("mlp", cifar, 10, {}, target);
    const double got = static_cast<double>(preset("mlp", cifar, 10, o).parameter_count());
    CHECK_MESSAGE(std::abs(got - static_cast<double>(target)) <= 0.02 * static_cast<double>(target),
                  "k=" << k << ": " << got << " for " << target);
  }
  // The other options stay: without dropout the count is the same (dropout has no weights).
  PresetOptions no_dropout;
  no_dropout.dropout = 0;
  CHECK(mlp_dense_matching("mlp", cifar, 10, no_dropout, 545098) == 172);
  // Not an MLP; a target no width reaches (even dense 1 has over 3,000 parameters); bad options.
  CHECK(error_of([&] { mlp_dense_matching("cnn", cifar, 10, {}, 545098); }).find("only an MLP") !=
        std::string::npos);
  CHECK(error_of([&] { mlp_dense_matching("mlp", cifar, 10, {}, 100); }).find("within 2 %") !=
        std::string::npos);
  PresetOptions bad;
  bad.pooling = "median";
  CHECK(error_of([&] { mlp_dense_matching("mlp", cifar, 10, bad, 545098); }).find("pooling") !=
        std::string::npos);
}

TEST_CASE("Presets reproduce the seeds' parameter counts exactly") {
  const Shape cifar{3, 32, 32};
  CHECK(preset("mlp", cifar).parameter_count() == 1707274);
  CHECK(preset("cnn", 3, cifar).parameter_count() == 545098);
  CHECK(preset("cnn", 5, cifar).parameter_count() == 579402);
  CHECK(preset("cnn", 7, cifar).parameter_count() == 630858);
  CHECK(preset("cnn1", 3, cifar).parameter_count() == 1050890);
  CHECK(preset("vgg", 3, cifar).parameter_count() == 666538);
  CHECK(preset("mlp-small", Shape{1, 28, 28}).parameter_count() == 235146);
  CHECK(preset_names().size() == 5);
  for (const std::string& name : preset_names()) {
    CHECK_FALSE(preset_description(name).empty());
    CHECK(preset(name, cifar).num_classes() == 10);
  }
  CHECK(preset("mlp", cifar).text() ==
        "flatten; dense 512; relu; dropout 0.3; dense 256; relu; dropout 0.3; dense 10");
  CHECK(preset("vgg", cifar).text() ==
        "conv2d 32 k=3 pad=same; relu; conv2d 32 k=3 pad=same; relu; maxpool2d 2; dropout 0.25; "
        "conv2d 64 k=3 pad=same; relu; conv2d 64 k=3 pad=same; relu; maxpool2d 2; dropout 0.25; "
        "conv2d 128 k=3 pad=same; relu; maxpool2d 2; dropout 0.25; flatten; dense 256; relu; "
        "dropout 0.4; dense 10");

  PresetOptions o;
  o.kernel = 5;
  o.filters = 16;
  o.dense = 64;
  o.dropout = 0.5f;
  o.pooling = "avg";
  CHECK(preset("cnn", cifar, 10, o).text() ==
        "conv2d 16 k=5 pad=same; relu; avgpool2d 2; conv2d 32 k=5 pad=same; relu; avgpool2d 2; "
        "flatten; dense 64; relu; dropout 0.5; dense 10");
  PresetOptions strided;
  strided.pooling = "none";
  strided.blocks = 3;
  CHECK(preset("cnn", cifar, 10, strided).output_shapes()[4] == Shape{128, 4, 4});
  PresetOptions deep;
  deep.blocks = 5;  // 32 -> 2 after four pools; the fifth block's 3x3 kernel cannot fit
  CHECK_THROWS_WITH_AS(preset("cnn", cifar, 10, deep),
                       "layer 13 conv2d 512 3x3 same: input is 2x2, smaller than the 3x3 kernel",
                       Error);
  CHECK_THROWS_WITH_AS(preset("resnet", cifar), doctest::Contains("unknown preset 'resnet'"), Error);
  CHECK_THROWS_AS(preset("cnn", 9, Shape{3, 8, 8}), Error);
}

TEST_CASE("Summary: the multiply-adds this build computes, fewer than the MACs for Winograd layers") {
  // The `cnn` preset's second conv layer (32 -> 64 channels on 16 x 16) runs as Winograd
  // convolution for 7x7 kernels in every build: 4 x 4 tiles of 10 x 10 bins per map pair
  // (F(4x4, 7x7)) instead of 16 x 16 outputs x 49 taps. Its first layer (3 input channels) and
  // the dense layers are computed as counted.
  const ModelSummary s7 = summarize(preset("cnn", 7, Shape{3, 32, 32}));
  CHECK(s7.rows[0].macs_computed == s7.rows[0].macs);
  CHECK(s7.rows[3].macs == 64ull * 16 * 16 * 32 * 49);
  CHECK(s7.rows[3].macs_computed == 16ull * 100 * 32 * 64);
  CHECK(s7.rows[7].macs_computed == s7.rows[7].macs);
  uint64_t sum = 0;
  for (const SummaryRow& r : s7.rows) sum += r.macs_computed;
  CHECK(s7.total_macs_computed == sum);
  CHECK(s7.total_macs_computed < s7.total_macs / 3);
  // A stride-2 layer takes no Winograd path: computed as counted.
  const ModelSummary strided = summarize(parse_model_spec(
      "conv2d 32 k=3 pad=same; relu; conv2d 32 k=7 stride=2 pad=same; flatten; dense 10",
      Shape{3, 16, 16}, 10));
  CHECK(strided.total_macs_computed == strided.total_macs);
}

TEST_CASE("Summary lists output shapes, parameters and MACs with totals") {
  ModelSummary s = summarize(preset("cnn", 3, Shape{3, 32, 32}));
  REQUIRE(s.rows.size() == 10);
  CHECK(s.rows[0].name == "conv2d 32 3x3 same");
  CHECK(s.rows[0].output == Shape{32, 32, 32});
  CHECK(s.rows[0].params == 896);
  CHECK(s.rows[0].macs == 32ull * 32 * 32 * 3 * 9);
  CHECK(s.rows[3].macs == 64ull * 16 * 16 * 32 * 9);
  CHECK(s.rows[7].params == 524416);
  CHECK(s.total_params == 545098);
  CHECK(s.total_macs == 884736ull + 4718592ull + 524288ull + 1280ull);
  const std::string table = render_summary(s);
  CHECK(table.find("545,098") != std::string::npos);
  CHECK(table.find("conv2d 64 3x3 same") != std::string::npos);
  CHECK(table.find("(64, 8, 8)") != std::string::npos);
  CHECK(with_thousands(1707274) == "1,707,274");
  CHECK(with_thousands(12) == "12");
  CHECK(percent(0.4567) == "45.7 %");
  // 453 of 2,000 right, held as a double in the run log and as a float in the Evaluation
  // panel: one text for both (the float times 100.0f in float arithmetic printed 22.6 %).
  CHECK(percent(453.0 / 2000.0) == "22.7 %");
  CHECK(percent(static_cast<double>(453.0f / 2000.0f)) == "22.7 %");
  // An exact half of a tenth (655 of 2,000) rounds away from zero, held as a double (the Runs
  // table's run log) or a float (the Evaluation panel's list) alike.
  CHECK(percent(655.0 / 2000.0) == "32.8 %");
  CHECK(percent(static_cast<double>(655.0f / 2000.0f)) == "32.8 %");
  CHECK(percent(653.0 / 2000.0) == "32.7 %");
  CHECK(percent(static_cast<double>(653.0f / 2000.0f)) == "32.7 %");
  CHECK(percent(0.0) == "0.0 %");
  CHECK(percent(1.0) == "100.0 %");
  CHECK(percent(0.0005) == "0.1 %");
}

// ---- Model ----------------------------------------------------------------------------------------

TEST_CASE("Model keeps activations and statistics, names parameters as nn.Sequential") {
  ModelSpec spec = parse_model_spec(
      "conv2d 4 k=3 pad=same; relu; maxpool2d 2; dropout 0.5; flatten; dense 3", Shape{2, 6, 6}, 3);
  Model model(spec, 1);
  model.set_collect_stats(true);  // off by default (training runs and benchmarks skip them)
  CHECK(model.num_layers() == 6);
  CHECK(model.num_classes() == 3);
  CHECK(model.parameter_count() == 4 * 2 * 9 + 4 + 3 * 36 + 3);
  CHECK(model.layer_output_shape(2) == Shape{4, 3, 3});
  std::vector<Param*> params = model.params();
  REQUIRE(params.size() == 4);
  CHECK(params[0]->name == "0.weight");
  CHECK(params[1]->name == "0.bias");
  CHECK(params[2]->name == "5.weight");
  CHECK(params[3]->name == "5.bias");
  // PyTorch's default bound for the conv (weights and biases): 1 / sqrt(fan_in = 2 * 3 * 3)
  const float bound = 1.0f / std::sqrt(18.0f);
  float largest = 0.0f;
  for (size_t i = 0; i < params[0]->value.size(); ++i)
    largest = std::max(largest, std::fabs(params[0]->value[i]));
  CHECK(largest <= bound);
  CHECK(largest > 0.5f * bound);
  for (size_t i = 0; i < params[1]->value.size(); ++i) CHECK(std::fabs(params[1]->value[i]) <= bound);
  CHECK(params[1]->value[0] != 0.0f);

  Rng data(2, 2), drop(3, 3);
  Tensor x = random_batch(model.input_shape(), 5, data);
  const Tensor& logits = model.forward(x, true, nullptr, &drop);
  CHECK(logits.shape() == Shape{5, 3});
  CHECK(model.activation(2).shape() == Shape{5, 4, 3, 3});
  const int32_t labels[5] = {0, 1, 2, 0, 1};
  LossResult r = model.loss_and_backward(labels);
  CHECK(r.count == 5);
  CHECK(std::isfinite(r.loss));
  CHECK(model.probabilities().shape() == Shape{5, 3});
  const LayerStats& relu = model.stats()[1];
  CHECK(relu.act_min == 0.0f);
  CHECK(relu.act_max > 0.0f);
  CHECK(relu.forward_ms >= 0.0);
  CHECK(model.stats()[0].weight_grad_max > model.stats()[0].weight_grad_min);
  CHECK(model.stats()[5].grad_max > 0.0f);

  // gradients are of the mean loss and are zeroed, not accumulated, across steps
  std::vector<float> g1(params[2]->grad.data(), params[2]->grad.data() + params[2]->grad.size());
  Rng drop_again(3, 3);
  model.forward(x, true, nullptr, &drop_again);
  model.loss_and_backward(labels);
  for (size_t i = 0; i < g1.size(); ++i) CHECK(params[2]->grad[i] == g1[i]);

  // predict: probabilities summing to 1, inference mode (no dropout randomness)
  const Tensor& p = model.predict(x);
  for (int b = 0; b < 5; ++b)
    CHECK(p[b * 3] + p[b * 3 + 1] + p[b * 3 + 2] == doctest::Approx(1.0));
  std::vector<float> p1(p.data(), p.data() + p.size());
  const Tensor& p2 = model.predict(x);
  for (size_t i = 0; i < p1.size(); ++i) CHECK(p2[i] == p1[i]);
  LossResult ev = model.evaluate(x, labels);
  CHECK(ev.count == 5);

  Tensor wrong(Shape{5, 3, 6, 6});
  CHECK_THROWS_WITH_AS(model.forward(wrong, false), doctest::Contains("model input"), Error);
  const int32_t bad_labels[5] = {0, 1, 7, 0, 1};
  model.forward(x, false);
  CHECK_THROWS_WITH_AS(model.loss_and_backward(bad_labels), doctest::Contains("label 7"), Error);
}

TEST_CASE("Same seed gives bit-identical weights after training steps (SGD and Adam, dropout)") {
  ModelSpec spec = parse_model_spec(
      "conv2d 4 k=3 pad=same; relu; maxpool2d 2; dropout 0.25; flatten; dense 16; relu; dense 3",
      Shape{3, 8, 8}, 3);
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    OptimizerConfig cfg;
    cfg.kind = kind;
    cfg.lr = 0.01f;
    cfg.nesterov = std::string(kind) == "sgd";
    cfg.weight_decay = 1e-3f;
    auto run = [&](uint64_t seed) {
      Model model(spec, seed);
      auto opt = make_optimizer(cfg);
      Rng data = Rng::stream(seed, RngStream::kShuffle), drop = Rng::stream(seed, RngStream::kDropout);
      for (int step = 0; step < 6; ++step) {
        Tensor x = random_batch(spec.input, 8, data);
        int32_t labels[8];
        for (int& l : reinterpret_cast<int(&)[8]>(labels)) l = static_cast<int>(data.below(3));
        model.forward(x, true, nullptr, &drop);
        model.loss_and_backward(labels);
        opt->step(model.params());
      }
      return all_weights(model);
    };
    INFO(kind);
    const std::vector<float> a = run(17), b = run(17), c = run(18);
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) != 0);
  }
  // initial weights depend only on the seed
  Model m1(spec, 5), m2(spec, 5);
  CHECK(all_weights(m1) == all_weights(m2));
  m2.reinitialize(6);
  CHECK(all_weights(m1) != all_weights(m2));
}

TEST_CASE("Initial weights are pinned: identical natively and in WebAssembly") {
  // FNV-1a over the bits of every weight. A change here changes every seeded result; it must
  // only ever change on purpose, and the same values must come out in every build.
  auto fingerprint = [](Model& m) {
    uint64_t h = 1469598103934665603ull;
    for (Param* p : m.params())
      for (size_t i = 0; i < p->value.size(); ++i) {
        uint32_t bits;
        const float v = p->value[i];
        std::memcpy(&bits, &v, 4);
        h = (h ^ bits) * 1099511628211ull;
      }
    return h;
  };
  ModelSpec he = preset("cnn", 3, Shape{3, 32, 32});
  for (LayerSpec& l : he.layers) l.init = InitKind::kHeUniform;
  Model cnn(he, 42);
  CHECK(cnn.params()[0]->value[0] == -0.0677420124f);
  CHECK(fingerprint(cnn) == 0x5ec87805e42f29bull);
  Model preset_default(preset("cnn", 3, Shape{3, 32, 32}), 42);  // PyTorch's default init
  CHECK(fingerprint(preset_default) == 0x6b99d694699db9f6ull);
  Model normal(parse_model_spec("conv2d 4 k=3 init=he_normal; flatten; dense 3 init=he_normal",
                                Shape{1, 5, 5}, 3),
               7);
  CHECK(fingerprint(normal) == 0x3be812d697eebdb0ull);
}

TEST_CASE("A small CNN learns horizontal vs vertical bars") {
  // 8x8 grey images: a bright bar on a random row (class 0) or column (class 1), plus noise.
  auto make = [](int n, Rng& rng, Tensor& x, std::vector<int32_t>& y) {
    x = Tensor(Shape{n, 1, 8, 8});
    y.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const int cls = static_cast<int>(rng.below(2)), at = static_cast<int>(rng.below(8));
      y[static_cast<size_t>(i)] = cls;
      float* img = x.data() + static_cast<size_t>(i) * 64;
      for (int p = 0; p < 64; ++p) img[p] = 0.3f * rng.uniform();
      for (int j = 0; j < 8; ++j) img[cls == 0 ? at * 8 + j : j * 8 + at] += 0.7f;
    }
  };
  Rng rng(21, 0);
  Tensor test_x;
  std::vector<int32_t> test_y;
  make(200, rng, test_x, test_y);
  Model model(parse_model_spec("conv2d 4 k=3 pad=same; relu; maxpool2d 2; flatten; dense 2",
                               Shape{1, 8, 8}, 2),
              3);
  OptimizerConfig cfg;
  cfg.lr = 0.01f;
  auto opt = make_optimizer(cfg);
  const double before = model.evaluate(test_x, test_y.data()).accuracy();
  for (int step = 0; step < 150; ++step) {
    Tensor x;
    std::vector<int32_t> y;
    make(16, rng, x, y);
    model.forward(x, true);
    model.loss_and_backward(y.data());
    opt->step(model.params());
  }
  const LossResult after = model.evaluate(test_x, test_y.data());
  INFO("accuracy before " << before << ", after " << after.accuracy());
  CHECK(after.accuracy() > 0.95);
  CHECK(after.loss < 0.3);
}

TEST_CASE("Whole-model gradient check through every layer kind (finite differences)") {
  ModelSpec spec = parse_model_spec(
      "conv2d 3 k=3 pad=same; relu; maxpool2d 2; conv2d 4 k=2 s=1 pad=same; avgpool2d 2; "
      "dropout 0.3; flatten; dense 6; relu; dense 3",
      Shape{2, 8, 8}, 3);
  Model model(spec, 4);
  Rng data(8, 1);
  Tensor x = random_batch(spec.input, 3, data);
  const int32_t labels[3] = {2, 0, 1};
  const Rng drop_base(8, 2);
  auto loss_at = [&]() {
    Rng drop = drop_base;  // same dropout mask at every evaluation
    model.forward(x, true, nullptr, &drop);
    return model.loss(labels).loss;
  };
  Rng drop = drop_base;
  model.forward(x, true, nullptr, &drop);
  model.loss_and_backward(labels);
  std::vector<Tensor> grads;
  for (Param* p : model.params()) grads.push_back(p->grad);
  // ReLU and max-pool kinks can make a few finite differences meaningless (a perturbation
  // crosses a kink), so most entries must match closely and none may be wildly off.
  const float eps = 2e-3f;
  for (size_t k = 0; k < model.params().size(); ++k) {
    Param& p = *model.params()[k];
    double worst = 0.0;
    size_t close = 0, checked = 0;
    for (size_t i = 0; i < p.value.size(); i += 2) {
      const float saved = p.value[i];
      p.value[i] = saved + eps;
      const double plus = loss_at();
      p.value[i] = saved - eps;
      const double minus = loss_at();
      p.value[i] = saved;
      const double numeric = (plus - minus) / (2.0 * eps), analytic = grads[k][i];
      const double err = std::fabs(numeric - analytic) /
                         std::max(0.05, std::fabs(numeric) + std::fabs(analytic));
      worst = std::max(worst, err);
      close += err < 0.01;
      ++checked;
    }
    INFO(p.name << ": " << close << " of " << checked << " close, worst relative error " << worst);
    CHECK(close >= checked * 9 / 10);
    CHECK(worst < 0.3);
  }
}

TEST_CASE("Receptive field grows with depth and kernel size, clipped to the image") {
  ModelSpec k3 = preset("cnn", 3, Shape{3, 32, 32});
  InputRect r = receptive_field(k3, 0, 10, 10);  // conv 3x3 same: rows 9..11
  CHECK(r.top == 9);
  CHECK(r.bottom == 12);
  CHECK(r.left == 9);
  CHECK(r.right == 12);
  r = receptive_field(k3, 2, 5, 5);  // after pool 2: rows 9..12 of the input
  CHECK(r.top == 9);
  CHECK(r.bottom == 13);
  r = receptive_field(k3, 5, 2, 2);  // second block's pool: 10x10 field
  CHECK(r.bottom - r.top == 10);
  CHECK(r.right - r.left == 10);
  r = receptive_field(preset("cnn", 7, Shape{3, 32, 32}), 5, 3, 3);  // 7x7: 22x22
  CHECK(r.top == 3);
  CHECK(r.bottom - r.top == 22);
  r = receptive_field(k3, 0, 0, 0);  // clipped at the top-left corner
  CHECK(r.top == 0);
  CHECK(r.bottom == 2);
  CHECK(receptive_field(k3, 7, 0, 0).full);
  CHECK_THROWS_AS(receptive_field(k3, 0, 32, 0), Error);
  CHECK_THROWS_AS(receptive_field(k3, 10, 0, 0), Error);
}

// ---- model file -----------------------------------------------------------------------------------

TEST_CASE("Model file round trip: same outputs, metadata and optimiser state") {
  TempDir dir;
  ModelSpec spec = preset("cnn", 3, Shape{3, 8, 8}, 4);
  Model model(spec, 9);
  OptimizerConfig cfg;
  cfg.kind = "adamw";
  cfg.lr = 3e-3f;
  cfg.weight_decay = 0.01f;
  auto opt = make_optimizer(cfg);
  Rng data(4, 4);
  const int32_t labels[4] = {0, 1, 2, 3};
  Tensor x = random_batch(spec.input, 4, data);
  for (int i = 0; i < 3; ++i) {
    model.forward(x, true);
    model.loss_and_backward(labels);
    opt->step(model.params());
  }
  ModelFileInfo info;
  info.class_names = {"a", "b", "c", "d"};
  info.dataset = "synthetic";
  info.preprocess.standardize = true;
  info.preprocess.mean = {0.5f, 0.4f, 0.3f};
  info.preprocess.std = {0.25f, 0.2f, 0.1f};
  info.training_state = {{"epoch", 2}, {"history", {1.5, 1.25}}};
  const std::string path = dir.file("model.cnnlab");
  save_model_file(path, model, info, opt.get());

  LoadedModel loaded = load_model_file(path);
  CHECK(loaded.model->spec() == spec);
  CHECK(loaded.model->seed() == 9);
  CHECK(loaded.info.class_names == info.class_names);
  CHECK(loaded.info.dataset == "synthetic");
  CHECK(loaded.info.preprocess.standardize);
  CHECK(loaded.info.preprocess.std[2] == 0.1f);
  CHECK(loaded.info.training_state["epoch"] == 2);
  REQUIRE(loaded.optimizer);
  CHECK(loaded.optimizer->config() == cfg);
  CHECK(loaded.optimizer->step_count() == 3);
  CHECK(all_weights(*loaded.model) == all_weights(model));

  // continuing training from the file matches continuing the original exactly
  for (int i = 0; i < 2; ++i) {
    model.forward(x, true);
    model.loss_and_backward(labels);
    opt->step(model.params());
    loaded.model->forward(x, true);
    loaded.model->loss_and_backward(labels);
    loaded.optimizer->step(loaded.model->params());
  }
  CHECK(all_weights(*loaded.model) == all_weights(model));

  // without optimiser; in memory
  std::vector<uint8_t> bytes = serialize_model(model, ModelFileInfo{});
  LoadedModel mem = deserialize_model(bytes.data(), bytes.size(), "upload");
  CHECK_FALSE(mem.optimizer);
  CHECK(mem.info.class_names.empty());
  const Tensor& a = model.predict(x);
  std::vector<float> pa(a.data(), a.data() + a.size());
  const Tensor& b = mem.model->predict(x);
  for (size_t i = 0; i < pa.size(); ++i) CHECK(b[i] == pa[i]);

  ModelFileInfo wrong_names;
  wrong_names.class_names = {"only one"};
  CHECK_THROWS_WITH_AS(save_model_file(dir.file("bad.cnnlab"), model, wrong_names),
                       doctest::Contains("class names"), Error);
  CHECK_FALSE(std::filesystem::exists(dir.file("bad.cnnlab")));
}

TEST_CASE("Model file into a model of the same architecture: weights in place, else a new one") {
  const ModelSpec spec = parse_model_spec("conv2d 4 k=3 pad=same; relu; flatten; dense 3",
                                          Shape{2, 5, 5}, 3);
  Model trained(spec, 1), mirror(spec, 1);
  for (Param* p : trained.params())
    for (size_t i = 0; i < p->value.size(); ++i) p->value.data()[i] = 0.01f * static_cast<float>(i);
  const std::vector<uint8_t> bytes = serialize_model(trained, ModelFileInfo{});
  auto weights_of = [](Model& m) {
    std::vector<float> all;
    for (Param* p : m.params()) all.insert(all.end(), p->value.data(), p->value.data() + p->value.size());
    return all;
  };
  const std::vector<float> before = weights_of(mirror);
  REQUIRE(before != weights_of(trained));

  // A corrupt file changes nothing, not even a prefix of the weights.
  std::vector<uint8_t> corrupt = bytes;
  corrupt[corrupt.size() - 10] ^= 0xFF;
  CHECK_THROWS_AS(deserialize_model(corrupt.data(), corrupt.size(), "snapshot", &mirror), Error);
  CHECK(weights_of(mirror) == before);

  // The same spec, input, classes and seed: read into the mirror, nothing allocated.
  LoadedModel same = deserialize_model(bytes.data(), bytes.size(), "snapshot", &mirror);
  CHECK(same.model == nullptr);
  CHECK(weights_of(mirror) == weights_of(trained));

  // Another architecture: a new model; the mirror is left as it was.
  Model other(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{2, 5, 5}, 3), 1);
  const std::vector<float> other_before = weights_of(other);
  LoadedModel fresh = deserialize_model(bytes.data(), bytes.size(), "snapshot", &other);
  REQUIRE(fresh.model != nullptr);
  CHECK(weights_of(*fresh.model) == weights_of(trained));
  CHECK(weights_of(other) == other_before);
}

TEST_CASE("Model file corruption is detected and named") {
  TempDir dir;
  Model model(parse_model_spec("conv2d 4 k=3 pad=same; relu; flatten; dense 3", Shape{2, 5, 5}, 3),
              1);
  const std::string path = dir.file("m.cnnlab");
  save_model_file(path, model, ModelFileInfo{});
  const std::vector<uint8_t> good = read_all(path);
  auto expect_error = [&](const std::vector<uint8_t>& bytes, const std::string& message) {
    const std::string p = dir.file("corrupt.cnnlab");
    write_all(p, bytes);
    INFO(message);
    CHECK_THROWS_WITH_AS(load_model_file(p), doctest::Contains(message.c_str()), Error);
    try {
      load_model_file(p);
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find(p) != std::string::npos);
    }
  };
  std::vector<uint8_t> flipped = good;
  flipped[good.size() - 40] ^= 0x10;
  expect_error(flipped, "checksum mismatch");
  expect_error(std::vector<uint8_t>(good.begin(), good.end() - 7), "truncated");
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 5), "truncated");
  expect_error({}, "empty");
  std::vector<uint8_t> magic = good;
  magic[0] = 'X';
  expect_error(magic, "bad magic");
  std::vector<uint8_t> newer = good;
  newer[8] = 2;
  expect_error(newer, "version 2 is newer");
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  expect_error(longer, "unexpected bytes");

  // a header that names a different architecture (valid checksum): conv2d 4 -> conv2d 5
  std::vector<uint8_t> other = good;
  const std::string from = "conv2d 4 k=3", to = "conv2d 5 k=3";
  auto it = std::search(other.begin(), other.end(), from.begin(), from.end());
  REQUIRE(it != other.end());
  std::copy(to.begin(), to.end(), it);
  const uint32_t crc = crc32(other.data(), other.size() - 4);
  for (int i = 0; i < 4; ++i) other[other.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  expect_error(other, "tensor 0.weight has shape [4,2,3,3], the model needs [5,2,3,3]");

  CHECK_THROWS_WITH_AS(load_model_file(dir.file("missing.cnnlab")),
                       doctest::Contains("missing.cnnlab"), Error);
}

TEST_CASE("Model file: a header number out of range is refused naming the file and field") {
  Model model(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{3, 4, 4}, 3),
              1);
  ModelFileInfo info;
  info.preprocess.standardize = true;
  info.preprocess.mean = {0.5f, 0.25f, 0.125f};
  info.preprocess.std = {0.25f, 0.5f, 1.0f};  // 1: a constant channel
  const std::vector<uint8_t> good = serialize_model(model, info);
  CHECK(deserialize_model(good.data(), good.size(), "m.cnnlab").info.preprocess.std[2] == 1.0f);
  auto refusal = [&](const std::function<void(nlohmann::json&)>& edit) {
    const std::vector<uint8_t> bytes = testing::with_model_header(good, edit);
    try {
      deserialize_model(bytes.data(), bytes.size(), "m.cnnlab");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refusal([](nlohmann::json& h) { h["input"][1] = 1e300; }) ==
        "m.cnnlab: field 'input' item 1 is out of range (1e+300)");
  CHECK(refusal([](nlohmann::json& h) { h["classes"] = 1e300; }) ==
        "m.cnnlab: field 'classes' is out of range (1e+300)");
  // A shape is compared as JSON with what the spec needs, never converted.
  CHECK(refusal([](nlohmann::json& h) { h["tensors"][0]["shape"][0] = -1e20; }) ==
        "m.cnnlab: tensor 0.weight has shape [-1e+20,3,3,3], the model needs [2,3,3,3]");
  // The preprocessing every input goes through: a float past float's range (an undefined
  // conversion before), a std that divides by almost nothing, a mean no pixel / 255 has.
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["mean"][0] = 1e39; }) ==
        "m.cnnlab preprocess: field 'mean' item 0 is out of range (1e+39)");
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["std"][1] = 1e-30; }) ==
        "m.cnnlab preprocess: field 'std' item 1 must be in [1e-6, 1], got 1e-30");
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["std"][2] = 0; }) ==
        "m.cnnlab preprocess: field 'std' item 2 must be in [1e-6, 1], got 0");
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["mean"][2] = -0.5; }) ==
        "m.cnnlab preprocess: field 'mean' item 2 must be in [0, 1], got -0.5");
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["std"] = {0.25, 0.5}; }) ==
        "m.cnnlab preprocess: field 'std' needs 3 values, has 2");
  CHECK(refusal([](nlohmann::json& h) { h["preprocess"]["mean"][0] = "0.5"; }) ==
        "m.cnnlab preprocess: field 'mean' item 0 has the wrong type (string), a number is needed");
  // The format's name of another type is another format, named as such (not a JSON library's
  // type_error escaping the reader).
  const std::string not_ours =
      "m.cnnlab: header is not a cnnlab-model header (field 'format' must be \"cnnlab-model\")";
  CHECK(refusal([](nlohmann::json& h) { h["format"] = {1, 2}; }) == not_ours);
  CHECK(refusal([](nlohmann::json& h) { h["format"] = 7; }) == not_ours);
  CHECK(refusal([](nlohmann::json& h) { h.erase("format"); }) == not_ours);
  CHECK(refusal([](nlohmann::json& h) { h["format"] = "cnnlab-mode"; }) == not_ours);
}

TEST_CASE("Model file: a section of 64 GB is judged by the file's size, a larger one refused") {
  // Nothing is allocated for what the sizes claim: at the limit the file is simply too short.
  Model model(parse_model_spec("flatten; dense 2", Shape{1, 2, 2}), 1);
  const std::vector<uint8_t> good = serialize_model(model, ModelFileInfo{});
  for (const size_t field : {size_t{16}, size_t{24}}) {  // header bytes, tensor data bytes
    std::vector<uint8_t> at = good, past = good;
    store_le64(&at[field], uint64_t(1) << 36);
    store_le64(&past[field], (uint64_t(1) << 36) + 4);
    CHECK(contains(error_of([&] { deserialize_model(at.data(), at.size(), "m.cnnlab"); }),
                   "m.cnnlab: truncated: " + std::to_string(good.size()) + " bytes, expected "));
    CHECK(error_of([&] { deserialize_model(past.data(), past.size(), "m.cnnlab"); }) ==
          "m.cnnlab: corrupt section sizes");
  }
}

TEST_CASE("Model file written before options had one spelling (snake_case) loads") {
  // Bytes as earlier versions wrote them, made here field by field: the optimiser's weight_decay,
  // clip_norm and has_state, and the trainer's config with batch_size, val_fraction,
  // eval_batch_size and augment.max_shift.
  const std::string header = R"({
 "format": "cnnlab-model",
 "spec": "conv2d 2 k=3 pad=same; relu; flatten; dense 3",
 "input": [1, 4, 4],
 "classes": 3,
 "class_names": ["a", "b", "c"],
 "seed": 5,
 "parameters": 119,
 "preprocess": {"standardize": false, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]},
 "dataset": "hand-made",
 "training_state": {"epoch": 1, "config": {
   "epochs": 4, "batch_size": 16, "seed": 5, "val_fraction": 0.2, "patience": 2,
   "standardize": true, "eval_batch_size": 32, "augment": {"flip": true, "max_shift": 3},
   "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": true, "beta1": 0.9,
                 "beta2": 0.999, "eps": 1e-08, "weight_decay": 0.0005, "clip_norm": 5.0}}},
 "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": true, "beta1": 0.9,
               "beta2": 0.999, "eps": 1e-08, "weight_decay": 0.0005, "clip_norm": 5.0,
               "step": 7, "has_state": true},
 "tensors": [{"name": "0.weight", "shape": [2, 1, 3, 3]}, {"name": "0.bias", "shape": [2]},
             {"name": "3.weight", "shape": [3, 32]}, {"name": "3.bias", "shape": [3]},
             {"name": "optimizer.0.weight.velocity", "shape": [2, 1, 3, 3]},
             {"name": "optimizer.0.bias.velocity", "shape": [2]},
             {"name": "optimizer.3.weight.velocity", "shape": [3, 32]},
             {"name": "optimizer.3.bias.velocity", "shape": [3]}]
})";
  const size_t params = 18 + 2 + 96 + 3;
  std::vector<uint8_t> bytes(32);
  std::memcpy(bytes.data(), "CNNLABMF", 8);
  store_le32(&bytes[8], 1);
  store_le32(&bytes[12], 0);
  store_le64(&bytes[16], header.size());
  store_le64(&bytes[24], 2 * params * 4);
  bytes.insert(bytes.end(), header.begin(), header.end());
  auto put = [&](float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(bits >> (8 * b)));
  };
  for (size_t i = 0; i < params; ++i) put(0.01f * static_cast<float>(i));     // weights
  for (size_t i = 0; i < params; ++i) put(-0.001f * static_cast<float>(i));   // velocities
  const uint32_t crc = crc32(bytes.data(), bytes.size());
  for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(crc >> (8 * b)));

  const LoadedModel loaded = deserialize_model(bytes.data(), bytes.size(), "old.cnnlab");
  REQUIRE(loaded.model);
  CHECK(loaded.model->params()[2]->value[5] == 0.01f * 25);  // 3.weight, after 18 + 2 values
  REQUIRE(loaded.optimizer);
  const OptimizerConfig& opt = loaded.optimizer->config();
  CHECK(opt.kind == "sgd");
  CHECK(opt.nesterov);
  CHECK(opt.weight_decay == 0.0005f);
  CHECK(opt.clip_norm == 5.0f);
  CHECK(loaded.optimizer->step_count() == 7);
  REQUIRE(loaded.optimizer->state_tensors().size() == 4);  // has_state: the velocities loaded
  CHECK(loaded.optimizer->state_tensors()[3][2] == -0.001f * 118);

  const TrainConfig config = TrainConfig::from_json(loaded.info.training_state.at("config"));
  CHECK(config.epochs == 4);
  CHECK(config.batch_size == 16);
  CHECK(config.val_fraction == 0.2f);
  CHECK(config.eval_batch_size == 32);
  CHECK(config.patience == 2);
  CHECK(config.standardize);
  CHECK(config.augment.flip);
  CHECK(config.augment.max_shift == 3);
  CHECK(config.optimizer == opt);

  // Neither spelling: the field is named as files spell it now.
  const std::vector<uint8_t> without = testing::with_model_header(
      bytes, [](nlohmann::json& h) { h["optimizer"].erase("weight_decay"); });
  CHECK_THROWS_WITH_AS(deserialize_model(without.data(), without.size(), "old.cnnlab"),
                       doctest::Contains("field 'weightDecay' is missing"), Error);
}

TEST_CASE("Model file: training options are written in SessionOptions' spelling and read back") {
  Model model(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{1, 4, 4}, 3),
              5);
  TrainConfig config;
  config.epochs = 6;
  config.batch_size = 24;
  config.val_fraction = 0.25f;
  config.eval_batch_size = 48;
  config.augment = Augment{true, 1};
  config.optimizer.kind = "sgd";
  config.optimizer.nesterov = true;
  config.optimizer.weight_decay = 0.002f;
  config.optimizer.clip_norm = 2.5f;
  auto opt = make_optimizer(config.optimizer);
  opt->state(model.params());  // zeroed state tensors, saved with the file
  ModelFileInfo info;
  info.training_state = {{"config", config.to_json()}};
  const std::vector<uint8_t> bytes = serialize_model(model, info, opt.get());

  nlohmann::json header;
  testing::with_model_header(bytes, [&](nlohmann::json& h) { header = h; });
  const nlohmann::json& written = header["training_state"]["config"];
  for (const char* key : {"epochs", "batch", "valFraction", "evalBatch", "patience", "seed",
                          "standardize", "optimizer", "augment"})
    CHECK_MESSAGE(written.contains(key), key);
  CHECK(written["augment"].contains("maxShift"));
  for (const nlohmann::json& o : {written["optimizer"], header["optimizer"]}) {
    CHECK(o.contains("weightDecay"));
    CHECK(o.contains("clipNorm"));
  }
  CHECK(header["optimizer"]["hasState"] == true);
  const std::string text = header.dump();
  for (const char* old_key : {"batch_size", "val_fraction", "eval_batch_size", "max_shift",
                              "weight_decay", "clip_norm", "has_state"})
    CHECK_MESSAGE(text.find(old_key) == std::string::npos, old_key);

  const LoadedModel loaded = deserialize_model(bytes.data(), bytes.size(), "new.cnnlab");
  REQUIRE(loaded.optimizer);
  CHECK(loaded.optimizer->config() == config.optimizer);
  CHECK(loaded.optimizer->state_tensors().size() == 4);
  const TrainConfig back = TrainConfig::from_json(loaded.info.training_state["config"]);
  CHECK(back.to_json() == config.to_json());
  CHECK(back.batch_size == 24);
  CHECK(back.eval_batch_size == 48);
  CHECK(back.augment.max_shift == 1);
}

// ---- .npz -----------------------------------------------------------------------------------------

TEST_CASE(".npz export/import round trip and array names as nn.Sequential") {
  TempDir dir;
  ModelSpec spec = preset("vgg", 3, Shape{3, 16, 16}, 10);
  Model a(spec, 1), b(spec, 2);
  const std::string path = dir.file("w.npz");
  export_npz(path, a);
  const std::vector<uint8_t> bytes = read_all(path);
  std::vector<NpzArray> arrays = read_npz(bytes.data(), bytes.size(), "w.npz");
  REQUIRE(arrays.size() == 14);  // 5 convs and 2 dense layers
  CHECK(arrays[0].name == "0.weight");
  CHECK(arrays[0].shape == std::vector<int64_t>{32, 3, 3, 3});
  CHECK(arrays[0].descr == "<f4");
  CHECK(arrays[2].name == "2.weight");
  CHECK(arrays[4].name == "6.weight");    // conv2d 64 after conv, relu, conv, relu, pool, dropout
  CHECK(arrays[12].name == "20.weight");  // the last dense
  CHECK(arrays[12].shape == std::vector<int64_t>{10, 256});
  CHECK(all_weights(a) != all_weights(b));
  import_npz(path, b);
  CHECK(all_weights(a) == all_weights(b));
}

TEST_CASE(".npz files written by numpy.savez and numpy.savez_compressed load") {
  for (const char* hex : {kSavez, kSavezCompressed}) {
    const std::vector<uint8_t> bytes = from_hex(hex);
    Model model(parse_model_spec(kFixtureSpec, Shape{1, 2, 2}, 3), 1);
    import_npz_bytes(bytes.data(), bytes.size(), model, "fixture");
    std::vector<Param*> p = model.params();
    CHECK(p[0]->value[0] == 0.5f);
    CHECK(p[0]->value[1] == -1.0f);
    CHECK(p[1]->value[1] == -0.25f);
    for (size_t i = 0; i < 24; ++i) CHECK(p[2]->value[i] == (static_cast<float>(i) - 12) / 16);
    CHECK(p[3]->value[2] == 3.0f);
  }
}

TEST_CASE(".npz errors: missing, wrong shape, dtype, Fortran order, truncated, corrupt") {
  const std::vector<uint8_t> good = from_hex(kSavez);
  auto expect = [](const std::vector<uint8_t>& bytes, const std::string& spec,
                   const std::string& message) {
    Model model(parse_model_spec(spec, Shape{1, 2, 2}, 3), 1);
    const std::vector<float> before = all_weights(model);
    INFO(message);
    CHECK_THROWS_WITH_AS(import_npz_bytes(bytes.data(), bytes.size(), model, "npz file w.npz"),
                         doctest::Contains(message.c_str()), Error);
    CHECK(all_weights(model) == before);  // all-or-nothing
  };
  expect(good, "conv2d 2 k=1 pad=valid; relu; flatten; dropout 0.5; dense 3",
         "array '4.weight' is missing");
  expect(good, "conv2d 2 k=2 pad=same; relu; flatten; dense 3",
         "array '0.weight' has shape (2, 1, 1, 1), the model needs (2, 1, 2, 2)");
  expect(good, "flatten; dense 4; relu; dense 3", "is missing");
  expect(from_hex(kFloat64), kFixtureSpec, "array '0.bias' has dtype '<f8'");
  expect(from_hex(kFortran), kFixtureSpec, "Fortran order");
  expect(std::vector<uint8_t>(good.begin(), good.begin() + 600), kFixtureSpec, "truncated");
  expect(std::vector<uint8_t>(good.begin(), good.begin() + 10), kFixtureSpec, "truncated");
  std::vector<uint8_t> corrupt = good;
  corrupt[150] ^= 0x01;  // inside the first entry's .npy bytes
  expect(corrupt, kFixtureSpec, "CRC mismatch");
  const std::string text = "this is not a zip file at all, just some text....";
  expect(std::vector<uint8_t>(text.begin(), text.end()), kFixtureSpec, "not a zip");

  Model model(parse_model_spec("conv2d 2 k=1 pad=valid; relu; flatten; dense 3; relu; dense 3",
                               Shape{1, 2, 2}, 3),
              1);
  std::vector<uint8_t> extra = npz_bytes(model);
  Model small(parse_model_spec(kFixtureSpec, Shape{1, 2, 2}, 3), 1);
  CHECK_THROWS_WITH_AS(import_npz_bytes(extra.data(), extra.size(), small, "x.npz"),
                       doctest::Contains("unexpected array '5.bias'"), Error);
  CHECK_THROWS_WITH_AS(import_npz("/nonexistent/dir/w.npz", small),
                       doctest::Contains("/nonexistent/dir/w.npz"), Error);
}

TEST_CASE("Every truncation and every single-byte corruption is an Error, never a crash") {
  // .npz: stored and deflate variants
  for (const char* hex : {kSavez, kSavezCompressed}) {
    const std::vector<uint8_t> good = from_hex(hex);
    Model model(parse_model_spec(kFixtureSpec, Shape{1, 2, 2}, 3), 1);
    for (size_t n = 0; n < good.size(); ++n) {
      std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
      CHECK_THROWS_AS(import_npz_bytes(cut.data(), cut.size(), model, "cut.npz"), Error);
    }
    int errors = 0;
    for (size_t i = 0; i < good.size(); ++i) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= 0x5a;
      try {
        import_npz_bytes(bad.data(), bad.size(), model, "flipped.npz");
      } catch (const Error&) {
        ++errors;
      }
    }
    CHECK(errors > static_cast<int>(good.size()) / 2);  // the rest touched unchecked fields
  }
  // model file: everything is covered by the size fields and the checksum
  Model model(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{1, 4, 4}, 3),
              1);
  auto opt = make_optimizer(OptimizerConfig{});
  opt->state(model.params());
  const std::vector<uint8_t> good = serialize_model(model, ModelFileInfo{}, opt.get());
  for (size_t n = 0; n < good.size(); n += 7)
    CHECK_THROWS_AS(deserialize_model(good.data(), n, "cut"), Error);
  for (size_t i = 0; i < good.size(); i += 5) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x01;
    CHECK_THROWS_AS(deserialize_model(bad.data(), bad.size(), "flipped"), Error);
  }
}

TEST_CASE("Model file with snapshots: earlier epochs' weights round trip; another version is refused naming it") {
  Model model(parse_model_spec("conv2d 2 k=3 pad=same; relu; flatten; dense 3", Shape{1, 4, 4}, 3),
              5);
  const size_t n = model.parameter_count();
  ModelFileInfo info;
  for (int epoch : {0, 1, 3}) {
    WeightSnapshot s;
    s.epoch = epoch;
    s.record = epoch == 0 ? nlohmann::json(nullptr) : nlohmann::json{{"valAcc", 0.1 * epoch}};
    for (size_t i = 0; i < n; ++i) s.values.push_back(static_cast<float>(epoch) + 0.001f * i);
    info.snapshots.push_back(std::move(s));
  }
  const std::vector<uint8_t> bytes = serialize_model(model, info);
  CHECK(bytes.size() > serialize_model(model, ModelFileInfo{}).size() + 3 * n * 4);
  const LoadedModel back = deserialize_model(bytes.data(), bytes.size(), "m.cnnlab");
  REQUIRE(back.info.snapshots.size() == 3);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(back.info.snapshots[k].epoch == info.snapshots[k].epoch);
    CHECK(back.info.snapshots[k].record == info.snapshots[k].record);
    CHECK(back.info.snapshots[k].values == info.snapshots[k].values);
  }
  // The model's own weights are still the latest (the snapshots come after them).
  const std::vector<Param*> a = model.params(), b = back.model->params();
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(std::equal(a[i]->value.data(), a[i]->value.data() + a[i]->value.size(),
                     b[i]->value.data()));
  // A file without snapshots reads as none.
  const std::vector<uint8_t> plain = serialize_model(model, ModelFileInfo{});
  CHECK(deserialize_model(plain.data(), plain.size(), "p.cnnlab").info.snapshots.empty());

  auto refusal = [&](const std::function<void(nlohmann::json&)>& edit) {
    const std::vector<uint8_t> edited = testing::with_model_header(bytes, edit);
    try {
      deserialize_model(edited.data(), edited.size(), "m.cnnlab");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["version"] = 2; }) ==
        "m.cnnlab snapshots: are in format version 2; this program reads version 1");
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"][1]["epoch"] = 0; }) ==
        "m.cnnlab snapshots: epochs must ascend from 0 to 10000, got 0 after 0");
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"][2]["epoch"] = 10000; }) ==
        "m.cnnlab: tensor 12 is 'snapshot.3.0.weight', expected 'snapshot.10000.0.weight'");
  CHECK(refusal([](nlohmann::json& h) {
          h["snapshots"]["epochs"][2]["epoch"] = 10000;
          for (int i = 12; i < 16; ++i) {
            std::string name = h["tensors"][i]["name"];
            h["tensors"][i]["name"] = "snapshot.10000." + name.substr(std::string("snapshot.3.").size());
          }
        }) == "accepted");
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"][2]["epoch"] = 10001; }) ==
        "m.cnnlab snapshots: epochs must ascend from 0 to 10000, got 10001 after 1");
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"] = nlohmann::json::array(); }) ==
        "m.cnnlab snapshots: lists 0 epochs; 1..1000 are allowed");
  // One epoch fewer in the header than in the data: the tensor count says so.
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"].erase(2); }) ==
        "m.cnnlab: has 16 tensors, the model needs 12");
  CHECK(refusal([](nlohmann::json& h) { h["tensors"][5]["name"] = "snapshot.9.0.weight"; }) ==
        "m.cnnlab: tensor 5 is 'snapshot.9.0.weight', expected 'snapshot.0.0.bias'");
  CHECK(refusal([](nlohmann::json& h) { h["snapshots"]["epochs"][0]["record"] = 3; }) ==
        "m.cnnlab snapshots: the record of epoch 0 must be an object or null");

  // The writer refuses what the reader would.
  ModelFileInfo unordered = info;
  std::swap(unordered.snapshots[0], unordered.snapshots[1]);
  CHECK(contains(error_of([&] { serialize_model(model, unordered); }), "must ascend"));
  ModelFileInfo short_values = info;
  short_values.snapshots[2].values.pop_back();
  CHECK(contains(error_of([&] { serialize_model(model, short_values); }),
                 "the snapshot of epoch 3 has"));
}
