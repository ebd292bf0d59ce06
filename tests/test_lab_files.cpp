// The lab's model files (lab/lab_model_file.h): a model saved with the lab's settings loads
// back into a fresh Session with the same settings and the same test accuracy; files of another
// architecture, input shape, class set or version, and `cnnlab train` files without settings
// whose layers differ, are refused with a message that says why, before anything changes.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "core/error.h"
#include "test_helpers.h"
#include "core/rng.h"
#include "model/model_file.h"
#include "core/text_format.h"
#include "model/spec.h"
#include "model/summary.h"
#include "lab/lab_model_file.h"
#include "lab/lesson.h"
#include "lab/run_report.h"
#include "lab/session.h"
#include "train/trainer.h"

using namespace cnnlab;
using cnnlab::testing::contains;
using cnnlab::testing::error_of;
using json = nlohmann::json;

namespace {

// 3x12x12 images of 3 classes: class k has a bright horizontal band in third k.
DataSource bands(int train_per_class, int test_per_class, int channels = 3) {
  DataSource d;
  for (Dataset* set : {&d.train, &d.test}) {
    const int per_class = set == &d.train ? train_per_class : test_per_class;
    set->name = "bands";
    set->class_names = {"top", "middle", "bottom"};
    set->channels = channels;
    set->height = set->width = 12;
    Rng rng(set == &d.train ? 5 : 6);
    for (int i = 0; i < per_class * 3; ++i) {
      const int k = i % 3;
      set->labels.push_back(static_cast<uint8_t>(k));
      for (int c = 0; c < channels; ++c)
        for (int y = 0; y < 12; ++y)
          for (int x = 0; x < 12; ++x)
            set->pixels.push_back(static_cast<uint8_t>(rng.below(60) + (y / 4 == k ? 160 : 0)));
    }
  }
  d.origin = "test";
  return d;
}

const json kOptions = {{"model", "cnn1"}, {"filters", 4}, {"dense", 8}, {"epochs", 1},
                       {"batch", 8},      {"lr", 0.01},   {"seed", 7},  {"kernel", 5}};

// A trained, evaluated Session and its model saved as the lab saves it.
struct Saved {
  std::vector<uint8_t> bytes;
  double test_accuracy = 0;
  Preprocess preprocess;
};

Saved train_and_save(const DataSource& data) {
  Session s;
  s.set_data(data);
  s.configure(kOptions);
  s.train();
  for (int i = 0; i < 100000 && s.tick(0.05); ++i) {
  }
  REQUIRE(s.test_metrics() != nullptr);
  ModelFileInfo info;
  info.class_names = data.train.class_names;
  info.preprocess = s.preprocess();
  info.dataset = data.train.name;
  info.training_state = LabModelState::of(s.options(), s.status()).to_json();
  return {serialize_model(*s.model(), info), s.test_metrics()->accuracy(), s.preprocess()};
}

}  // namespace

TEST_CASE("lab model file: settings and weights load back into a fresh session, same accuracy") {
  const DataSource data = bands(12, 10);
  const Saved saved = train_and_save(data);
  const LoadedModel loaded = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  const json& lab = loaded.info.training_state.at("lab");
  CHECK(lab.at("epoch") == 1);
  CHECK(lab.at("testAcc").get<double>() == doctest::Approx(saved.test_accuracy));
  const std::optional<LabModelState> state =
      LabModelState::from_training_state(loaded.info.training_state);
  REQUIRE(state);
  CHECK(state->epoch == 1);
  CHECK(state->run == 1);
  CHECK(state->test_accuracy == doctest::Approx(saved.test_accuracy));
  CHECK(state->to_json() == loaded.info.training_state);
  // Not a lab file: nothing (a `cnnlab train` file's state has no "lab"); a missing figure is
  // left at 0, a null test accuracy is none, the options kept for merge() to judge.
  CHECK_FALSE(LabModelState::from_training_state(json{{"config", json::object()}}));
  CHECK_FALSE(LabModelState::from_training_state(json(nullptr)));
  const auto odd = LabModelState::from_training_state(
      json{{"lab", {{"options", {{"kernel", 3}}}, {"testAcc", nullptr}}}});
  REQUIRE(odd);
  CHECK(odd->epoch == 0);
  CHECK_FALSE(odd->test_accuracy);
  CHECK(odd->options == json{{"kernel", 3}});
  // A figure of the wrong type or out of range is refused naming the file and the field (they
  // were taken with a plain cast before: 1e10 epochs became some other int).
  auto refusal = [](const json& lab) {
    json with_options = lab;
    with_options["options"] = {{"kernel", 3}};
    return error_of([&] { LabModelState::from_training_state({{"lab", with_options}}, "m.cnnlab"); });
  };
  CHECK(refusal({{"epoch", "two"}}) ==
        "m.cnnlab training_state lab: field 'epoch' has the wrong type (string)");
  CHECK(refusal({{"epoch", 10000000000LL}}) ==
        "m.cnnlab training_state lab: field 'epoch' is out of range (10000000000)");
  CHECK(refusal({{"run", -1}}) == "m.cnnlab training_state lab: field 'run' must be >= 0, got -1");
  CHECK(refusal({{"step", 1e19}}) ==
        "m.cnnlab training_state lab: field 'step' is out of range (1e+19)");
  CHECK(refusal({{"testAcc", 1.5}}) ==
        "m.cnnlab training_state lab: field 'testAcc' must be between 0 and 1, got 1.5");
  // options_for_model_file names the file it was given.
  LoadedModel spoilt = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  spoilt.info.training_state["lab"]["epoch"] = 1e300;
  CHECK(error_of([&] { options_for_model_file(SessionOptions{}, spoilt, data.train, "model file m.cnnlab"); }) ==
        "model file m.cnnlab training_state lab: field 'epoch' is out of range (1e+300)");

  // Another lab with default settings: loading gives the file's settings, then its weights.
  Session fresh;
  fresh.set_data(data);
  const SessionOptions options =
      options_for_model_file(fresh.options(), loaded, data.train, "model file m.cnnlab");
  CHECK(options.model == "cnn1");
  CHECK(options.preset.kernel == 5);
  CHECK(options.train.seed == 7);
  fresh.configure(options.to_json());
  CHECK(fresh.model()->spec().text() == loaded.model->spec().text());
  copy_weights(*loaded.model, *fresh.model(), "model file m.cnnlab");
  const ConfusionMatrix again = evaluate(*fresh.model(), data.test, loaded.info.preprocess, nullptr, 16);
  CHECK(again.accuracy() == saved.test_accuracy);  // bit-identical weights, same images
}

TEST_CASE("lab model file: another architecture, input, classes or version is refused clearly") {
  const DataSource data = bands(4, 2);
  const Saved saved = train_and_save(data);
  const LoadedModel loaded = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  SessionOptions current;
  const std::string where = "model file m.cnnlab";

  // Another input shape (1-channel data) and another class set.
  const DataSource gray = bands(2, 1, 1);
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, gray.train, where); }),
                 "model file m.cnnlab: is a model for (3, 12, 12) images, but the loaded dataset "
                 "'bands' has (1, 12, 12) images"));
  DataSource renamed = bands(2, 1);
  renamed.train.class_names = {"a", "b", "c"};
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, renamed.train, where); }),
                 "was trained on the classes top, middle, bottom, but the loaded dataset's are a, "
                 "b, c"));
  DataSource four = bands(2, 1);
  four.train.class_names.push_back("fourth");
  CHECK(contains(error_of([&] { options_for_model_file(current, loaded, four.train, where); }),
                 "is a model for 3 classes, but the loaded dataset 'bands' has 4"));

  // Settings from a newer version (an option this one does not know).
  LoadedModel newer = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  newer.info.training_state["lab"]["options"]["wings"] = 2;
  CHECK(contains(error_of([&] { options_for_model_file(current, newer, data.train, where); }),
                 "has settings this version of CNN Lab cannot use (option wings"));

  // Settings that do not build the file's layers (a damaged header): kernel 5 -> 3.
  LoadedModel damaged = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  damaged.info.training_state["lab"]["options"]["kernel"] = 3;
  const std::string e = error_of([&] { options_for_model_file(current, damaged, data.train, where); });
  CHECK(contains(e, "its layers ("));
  CHECK(contains(e, "are not what its settings build"));

  // A `cnnlab train` file (no lab settings) loads when the current settings build its layers,
  // and is refused with what to do when they do not.
  LoadedModel plain = deserialize_model(saved.bytes.data(), saved.bytes.size(), "m.cnnlab");
  plain.info.training_state = nullptr;
  SessionOptions matching;
  matching.merge(kOptions);
  CHECK(options_for_model_file(matching, plain, data.train, where).preset.kernel == 5);
  CHECK(contains(error_of([&] { options_for_model_file(current, plain, data.train, where); }),
                 "was saved without the lab's settings (e.g. by cnnlab train) and its layers"));

  // A newer file format is refused by the reader itself.
  std::vector<uint8_t> future = saved.bytes;
  future[8] = 9;
  CHECK(contains(error_of([&] { deserialize_model(future.data(), future.size(), where); }),
                 "version 9 is newer"));
}

TEST_CASE("copy_weights: all-or-nothing, names the tensor that does not fit") {
  const ModelSpec a = parse_model_spec("conv2d 4 k=3 pad=same; relu; flatten; dense 3", Shape{1, 5, 5}, 3);
  const ModelSpec b = parse_model_spec("conv2d 5 k=3 pad=same; relu; flatten; dense 3", Shape{1, 5, 5}, 3);
  Model from(a, 1), same(a, 2), other(b, 3);
  copy_weights(from, same, "w");
  CHECK(std::equal(from.params()[0]->value.data(),
                   from.params()[0]->value.data() + from.params()[0]->value.size(),
                   same.params()[0]->value.data()));
  const float before = other.params()[0]->value.data()[0];
  CHECK(contains(error_of([&] { copy_weights(from, other, "w"); }), "w: weight tensor 0.weight"));
  CHECK(other.params()[0]->value.data()[0] == before);
}

// ---- Lessons (lab/lesson.h): the built-in files parse; bad files are refused by line and field;
// checks read the real runs; placeholders quote the student's numbers.

namespace {

std::string read_source_file(const std::string& relative) {
  const std::string here = __FILE__;
  const std::string path = here.substr(0, here.rfind("tests/")) + relative;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const char* const kLessonHead = "---\nlesson: 1\nid: t\ntitle: T\n---\n";

std::string lesson_error(const std::string& text) {
  return error_of([&] { parse_lesson(text, "lesson t.md"); });
}

// A tested run as the Session's history gives it.
RunRecord tested_run(int run, const std::string& model, int kernel, int dense, double accuracy) {
  RunRecord r;
  r.run = run;
  r.options.model = model;
  r.options.preset.kernel = kernel;
  r.options.preset.dense = dense;
  r.test_accuracy = accuracy;
  return r;
}

}  // namespace

TEST_CASE("Lessons: the built-in lessons parse, with the assignment's steps in order") {
  const Lesson a = parse_lesson(read_source_file("assets/lessons/assignment.md"), "assignment.md");
  CHECK(a.id == "assignment");
  CHECK(a.title == "From pixels to kernels: the CNN assignment");  // a ':' inside a value
  CHECK(a.subset == "1k");
  REQUIRE(a.steps.size() == 6);
  CHECK(a.steps[0].setup.kind == LessonAction::Kind::kShowPanel);
  CHECK(a.steps[0].setup.panel == "data");
  CHECK(a.steps[0].done.kind == LessonCheck::Kind::kDataset);
  CHECK(a.steps[1].setup.kind == LessonAction::Kind::kTrain);
  CHECK(a.steps[1].setup.model == "mlp");
  CHECK(a.steps[1].setup.epochs == 5);
  CHECK(a.steps[3].setup.match_cnn);
  CHECK(a.steps[3].done.kind == LessonCheck::Kind::kMatchedMlp);
  CHECK(a.steps[4].setup.kind == LessonAction::Kind::kExperiment);
  CHECK(a.steps[4].setup.values == std::vector<std::string>{"3", "5", "7"});
  CHECK(a.steps[4].setup.repeats == 3);
  CHECK(a.steps[4].setup.model == "cnn");  // after a matched MLP, the experiment needs the CNN
  CHECK(a.steps[4].done.repeats == 3);
  CHECK(a.steps[5].done.kind == LessonCheck::Kind::kRead);
  for (const LessonStep& s : a.steps) {
    CHECK_FALSE(s.text.empty());
    for (const LessonQuestion& q : s.questions) CHECK_FALSE(q.answer.empty());
  }
  const Lesson k = parse_lesson(read_source_file("assets/lessons/kernel-sees.md"), "kernel-sees.md");
  CHECK(k.id == "kernel-sees");
  CHECK(k.steps.size() == 3);
  // "Look inside" opens the feature maps; "How far does one cell see?" the pixel explainer.
  CHECK(k.steps[1].setup.kind == LessonAction::Kind::kShowPanel);
  CHECK(k.steps[1].setup.panel == "inside");
  CHECK(k.steps[2].setup.panel == "explain");
}

TEST_CASE("Lessons: text, bullets and questions as written; HTML stays text") {
  const Lesson l = parse_lesson(std::string(kLessonHead) +
                                    "\n## First\ndone: read\n\nOne line\nsame paragraph.\n\n"
                                    "- a bullet <script>alert(1)</script>\n  continued\n- another\n\n"
                                    "? Why?\n= Because\n= it is.\n",
                                "lesson t.md");
  REQUIRE(l.steps.size() == 1);
  CHECK(l.steps[0].text ==
        "One line same paragraph.\n\n- a bullet <script>alert(1)</script> continued\n- another");
  REQUIRE(l.steps[0].questions.size() == 1);
  CHECK(l.steps[0].questions[0].question == "Why?");
  CHECK(l.steps[0].questions[0].answer == "Because it is.");
  CHECK(l.steps[0].line == 7);
}

TEST_CASE("Lessons: a bad file is refused with its name, the line and the field") {
  const std::string h = kLessonHead;  // 5 lines; a step's heading is line 6
  struct Case { std::string text, expected; };
  const std::vector<Case> cases{
      {"", "line 1: front matter"},
      {"---\nlesson: 2\nid: t\ntitle: T\n---\n## S\n", "line 2: lesson: format version '2'"},
      {"---\nid: t\ntitle: T\n---\n## S\n", "line 1: lesson: the format version is missing"},
      {"---\nlesson: 1\ntitle: T\n---\n## S\n", "id: is missing"},
      {"---\nlesson: 1\nid: T!\ntitle: T\n---\n## S\n", "line 3: id: must be"},
      {"---\nlesson: 1\nid: t\ntitle: T\nauthor: me\n---\n## S\n", "line 5: author: unknown front-matter key"},
      {"---\nlesson: 1\nid: t\ntitle: T\n## S\n", "has no closing '---'"},
      {h, "the lesson has no steps"},
      {h + "text first\n## S\n", "line 6: text: comes before the first step"},
      {h + "## S\nsetup: launch rockets\n", "line 7: setup: unknown action 'launch'"},
      {h + "## S\nsetup: show settings\n", "line 7: setup: panel 'settings' is not one of"},
      {h + "## S\nsetup: train model=resnet\n", "line 7: setup: model 'resnet' is not one of"},
      {h + "## S\nsetup: train model=cnn kernel=0\n", "line 7: setup: kernel must be a whole number 1..11"},
      {h + "## S\nsetup: train model=cnn kernel=3 color=red\n", "line 7: setup: train takes no 'color'"},
      {h + "## S\nsetup: train model=cnn match=cnn\n", "match=cnn sizes an MLP"},
      {h + "## S\nsetup: experiment vary=colour\n", "line 7: setup: vary 'colour'"},
      {h + "## S\nsetup: experiment vary=kernel repeats=9\n", "repeats must be a whole number 1..5"},
      {h + "## S\nsetup: experiment vary=kernel match-params\n", "match-params needs vary=model"},
      {h + "## S\ndone: whenever\n", "line 7: done: unknown check 'whenever'"},
      {h + "## S\ndone: run\n", "line 7: done: run needs model=NAME"},
      {h + "## S\nText.\ndone: read\n", "line 8: done: must come right after the step's title"},
      {h + "## S\nText {mlp.acuracy}.\n", "line 7: text: unknown placeholder {mlp.acuracy}"},
      {h + "## S\nText {rf.4}.\n", "unknown placeholder {rf.4}"},
      {h + "## S\nText {mlp.accuracy.\n", "'{' without a closing '}'"},
      {h + "## S\n= an answer\n", "line 7: answer: '=' line without a '?' question"},
      {h + "## S\n? A question\n", "line 7: answer: the question has no '=' answer"},
      {h + "## S\n? Q\n= A\nmore text\n", "line 9: text: step text must come before its questions"},
      {h + "## \n", "line 6: step: has no title"},
      {h + "## S\n\xC3\x28\n", "is not UTF-8 text"},
  };
  for (const Case& c : cases) {
    const std::string why = lesson_error(c.text);
    CHECK_MESSAGE(contains(why, "lesson t.md"), why);
    CHECK_MESSAGE(contains(why, c.expected), "expected '" << c.expected << "', got '" << why << "'");
  }
  // A lesson of exactly 1 MB (1,048,576 bytes) is read; one byte more is refused by its size.
  const std::string head = h + "## S\n";
  const std::string at_limit = head + std::string(Lesson::kMaxBytes - head.size(), 'x');
  REQUIRE(at_limit.size() == 1048576);
  CHECK(parse_lesson(at_limit, "lesson t.md").steps.at(0).text.size() ==
        Lesson::kMaxBytes - head.size());
  CHECK(contains(lesson_error(at_limit + "x"), "is 1,048,577 bytes, over the 1 MB a lesson may have"));
  // Over 40 steps.
  std::string many = h;
  for (int i = 0; i < 41; ++i) many += "## Step\n";
  CHECK(contains(lesson_error(many), "line 46: step: more than 40 steps"));
}

TEST_CASE("Lessons: checks are done only when the runs exist; answers quote their numbers") {
  const Lesson a = parse_lesson(read_source_file("assets/lessons/assignment.md"), "assignment.md");
  const Shape cifar{3, 32, 32};
  std::vector<RunRecord> runs;
  LessonFacts none = lesson_facts(false, "", Shape{}, 0, 0, 0, 0, runs, nullptr);
  CHECK_FALSE(lesson_check_done(a.steps[0].done, none, false));
  CHECK(contains(fill_lesson_text("{mlp.accuracy}", none), "not measured yet"));

  // A dataset, then an MLP run that is still under way (not tested): not done.
  RunRecord running = tested_run(1, "mlp", 3, 0, 0);
  running.test_accuracy.reset();
  runs.push_back(running);
  LessonFacts f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, nullptr);
  CHECK(lesson_check_done(a.steps[0].done, f, false));
  CHECK_FALSE(lesson_check_done(a.steps[1].done, f, false));
  CHECK(fill_lesson_text("{data.train} / {data.test} of {data.classes}", f) == "900 / 2,000 of 10");

  // Tested MLP and CNN runs: their steps are done, the answers quote them.
  runs.back() = tested_run(1, "mlp", 3, 0, 0.258);
  runs.push_back(tested_run(2, "cnn", 3, 0, 0.353));
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, nullptr);
  CHECK(lesson_check_done(a.steps[1].done, f, false));
  CHECK(lesson_check_done(a.steps[2].done, f, false));
  CHECK(fill_lesson_text("{mlp.accuracy} with {mlp.params}", f) == "25.8 % with 1,707,274");
  CHECK(fill_lesson_text("{cnn.accuracy} ({cnn.kernel}, {cnn.params})", f) == "35.3 % (3x3, 545,098)");
  // Weight sharing on the first layer: 32 kernels of 3x3x3 + 32 biases = 896; a dense layer from
  // 3,072 inputs to the 32x32x32 = 32,768 outputs: 3,072 x 32,768 + 32,768 = 100,696,064.
  CHECK(fill_lesson_text("{cnn.conv1.params} vs {cnn.conv1.dense_params}", f) == "896 vs 100,696,064");
  // The full-size MLP (1.7 M) is not the CNN's budget; dense 172 (544,304) is.
  CHECK_FALSE(lesson_check_done(a.steps[3].done, f, false));
  CHECK(contains(fill_lesson_text("{matched_mlp.accuracy}", f), "not measured yet"));
  runs.push_back(tested_run(3, "mlp", 3, 172, 0.27));
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, nullptr);
  CHECK(lesson_check_done(a.steps[3].done, f, false));
  CHECK(fill_lesson_text("{matched_mlp.params}, width {matched_mlp.dense}", f) == "544,304, width 172");
  CHECK(fill_lesson_text("{mlp.accuracy}", f) == "27.0 %");  // the latest MLP

  // Before the experiment: parameters and MACs per kernel size come from the spec and the
  // images' shape; only accuracies wait for runs.
  CHECK(fill_lesson_text("{experiment.3.params} against {experiment.7.params}", f) == "545,098 against 630,858");
  PresetOptions seven;
  seven.kernel = 7;
  CHECK(fill_lesson_text("{experiment.7.macs}", f) ==
        with_thousands(summarize(preset("cnn", cifar, 10, seven)).total_macs));
  CHECK(fill_lesson_text("{experiment.3.macs}", f) != fill_lesson_text("{experiment.7.macs}", f));
  CHECK(contains(fill_lesson_text("{experiment.3.accuracy}", f), "not measured yet"));
  CHECK(contains(fill_lesson_text("{experiment.3.macs}", none), "not measured yet"));  // no dataset

  // The experiment: done only when finished with the values and repeats asked.
  ExperimentReport x;
  x.config.vary = "kernel";
  x.config.repeats = 3;
  x.done = false;
  x.interpretation = "kernel=3 leads.";
  for (const char* v : {"3", "5", "7"}) {
    ExperimentSummaryRow row;
    row.configuration = std::string("kernel=") + v;
    row.runs = 3;
    row.test_accuracy_mean = v[0] == '3' ? 0.36 : 0.34;
    row.test_accuracy_std = 0.012;
    row.parameters = v[0] == '3' ? 545098 : v[0] == '5' ? 579402 : 630858;
    row.macs = 1000;
    x.summary.push_back(row);
  }
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, &x);
  CHECK_FALSE(lesson_check_done(a.steps[4].done, f, false));
  CHECK(contains(fill_lesson_text("{experiment.verdict}", f), "not measured yet"));
  x.done = true;
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, &x);
  CHECK(lesson_check_done(a.steps[4].done, f, false));
  CHECK(fill_lesson_text("{experiment.3.accuracy} ± {experiment.3.spread}; {experiment.7.params}", f) ==
        "36.0 % ± 1.2 points; 630,858");
  CHECK(fill_lesson_text("{experiment.verdict}", f) == "kernel=3 leads.");
  x.config.repeats = 2;
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, &x);
  CHECK_FALSE(lesson_check_done(a.steps[4].done, f, false));  // repeats=3 asked
  x.config.vary = "filters";
  f = lesson_facts(true, "cifar10", cifar, 10, 900, 100, 2000, runs, &x);
  CHECK_FALSE(lesson_check_done(a.steps[4].done, f, false));

  // A reading step is done when the student says so.
  CHECK_FALSE(lesson_check_done(a.steps[5].done, f, false));
  CHECK(lesson_check_done(a.steps[5].done, f, true));
}

TEST_CASE("Lessons: text wraps at spaces only, so a number with thousands separators stays whole") {
  const auto chars = [](const std::string& t) { return static_cast<float>(t.size()); };
  const std::vector<std::string> lines =
      wrap_lesson_line("a dense layer would need 100,696,064 weights", 30.0f, chars);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "a dense layer would need");
  CHECK(lines[1] == "100,696,064 weights");
  for (const std::string& l : wrap_lesson_line("one 1,234,567,890 two three", 8.0f, chars)) {
    CHECK(l.find(' ') == std::string::npos);  // each word alone, the long number unbroken
    CHECK_FALSE(l.empty());
  }
  CHECK(wrap_lesson_line("fits", 30.0f, chars) == std::vector<std::string>{"fits"});
}

TEST_CASE("Lessons: receptive fields grow with depth and kernel size, from the model's layers") {
  const LessonFacts f = lesson_facts(true, "cifar10", Shape{3, 32, 32}, 10, 1, 1, 1, {}, nullptr);
  // cnn: conv k, pool 2, conv k. 3x3: 3 after conv 1; pool 2 makes it 4, conv 2 adds 2 x 2 input
  // pixels per step of 2: 4 + (3 - 1) x 2 = 8.
  CHECK(fill_lesson_text("{rf.3}", f) == "3x3 px after conv 1, 8x8 px after conv 2");
  // 7x7: 7, then 8 + 6 x 2 = 20.
  CHECK(fill_lesson_text("{rf.7}", f) == "7x7 px after conv 1, 20x20 px after conv 2");
}
