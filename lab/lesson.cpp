// Lesson files: parser, the facts they read, checks and placeholders (see lesson.h and
// docs/lessons.md).
//
// [SECTION] text helpers   [SECTION] parser   [SECTION] facts   [SECTION] checks and placeholders
#include "lab/lesson.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/text_format.h"
#include "lab/experiment.h"
#include "lab/run_report.h"
#include "model/presets.h"
#include "model/receptive_field.h"
#include "model/summary.h"

namespace cnnlab {

namespace {

// [SECTION] text helpers -------------------------------------------------------------------------

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Strict UTF-8 (no overlongs, no surrogates): lesson text is shown as is.
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    uint32_t code = 0;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; code = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; code = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; code = c & 0x07; }
    else return false;
    if (i + static_cast<size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((d & 0xC0) != 0x80) return false;
      code = (code << 6) | (d & 0x3F);
    }
    static const uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

// "key=value" words after an action or check name; a word without '=' is a flag (value "").
struct Arguments {
  std::string name;                          // the first word
  std::map<std::string, std::string> values;  // the rest
};

// [SECTION] parser -------------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(int line, const std::string& field, const std::string& why) const {
    throw Error(source_, "line " + std::to_string(line) + ": " + field + ": " + why);
  }

  Arguments words(int line, const std::string& field, const std::string& text) const {
    Arguments a;
    std::istringstream in(text);
    std::string w;
    in >> a.name;
    if (a.name.empty()) fail(line, field, "is empty");
    while (in >> w) {
      const size_t eq = w.find('=');
      const std::string key = w.substr(0, eq);
      if (key.empty()) fail(line, field, "'" + w + "' has no name before '='");
      if (a.values.count(key)) fail(line, field, "'" + key + "' is given twice");
      a.values[key] = eq == std::string::npos ? "" : w.substr(eq + 1);
    }
    return a;
  }

  void only(int line, const std::string& field, const Arguments& a,
            const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : a.values)
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const std::string& k : allowed) list += (list.empty() ? "" : ", ") + k;
        fail(line, field, a.name + " takes no '" + key + "'" +
                              (list.empty() ? "" : " (it takes: " + list + ")"));
      }
  }

  int number(int line, const std::string& field, const std::string& key, const std::string& v,
             int low, int high) const {
    int x = 0;
    size_t used = 0;
    try {
      x = std::stoi(v, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (v.empty() || used != v.size() || x < low || x > high)
      fail(line, field, key + " must be a whole number " + std::to_string(low) + ".." +
                            std::to_string(high) + ", got '" + v + "'");
    return x;
  }

  std::string model(int line, const std::string& field, const std::string& v) const {
    const auto& names = preset_names();
    if (std::find(names.begin(), names.end(), v) == names.end()) {
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      fail(line, field, "model '" + v + "' is not one of " + list);
    }
    return v;
  }

  std::vector<std::string> list(const std::string& v) const {
    std::vector<std::string> out;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) out.push_back(item);
    return out;
  }

  std::string vary(int line, const std::string& field, const std::string& v) const {
    const auto& vars = ExperimentConfig::variables();
    if (std::find(vars.begin(), vars.end(), v) == vars.end())
      fail(line, field, "vary '" + v + "' is not one of kernel, filters, depth, pooling, stride, model");
    return v;
  }

  LessonAction action(int line, const std::string& text) const {
    const Arguments a = words(line, "setup", text);
    LessonAction act;
    if (a.name == "none") {
      only(line, "setup", a, {});
    } else if (a.name == "show") {
      act.kind = LessonAction::Kind::kShowPanel;
      if (a.values.size() != 1 || !a.values.begin()->second.empty())
        fail(line, "setup", "show takes one panel: data, model, experiment, inside, explain, eval or runs");
      act.panel = a.values.begin()->first;
      static const std::vector<std::string> panels{"data", "model", "experiment", "inside", "explain", "eval", "runs"};
      if (std::find(panels.begin(), panels.end(), act.panel) == panels.end())
        fail(line, "setup", "panel '" + act.panel + "' is not one of data, model, experiment, inside, explain, eval, runs");
    } else if (a.name == "train") {
      act.kind = LessonAction::Kind::kTrain;
      only(line, "setup", a, {"model", "kernel", "epochs", "match"});
      if (!a.values.count("model")) fail(line, "setup", "train needs model=NAME");
      act.model = model(line, "setup", a.values.at("model"));
      if (a.values.count("kernel")) act.kernel = number(line, "setup", "kernel", a.values.at("kernel"), 1, 11);
      if (a.values.count("epochs")) act.epochs = number(line, "setup", "epochs", a.values.at("epochs"), 1, 100);
      if (a.values.count("match")) {
        if (a.values.at("match") != "cnn") fail(line, "setup", "match can only be 'cnn'");
        if (!is_mlp_preset(act.model)) fail(line, "setup", "match=cnn sizes an MLP; model is " + act.model);
        act.match_cnn = true;
      }
    } else if (a.name == "experiment") {
      act.kind = LessonAction::Kind::kExperiment;
      only(line, "setup", a, {"model", "vary", "values", "repeats", "epochs", "match-params"});
      if (a.values.count("model")) act.model = model(line, "setup", a.values.at("model"));
      if (!a.values.count("vary")) fail(line, "setup", "experiment needs vary=VARIABLE");
      act.vary = vary(line, "setup", a.values.at("vary"));
      if (a.values.count("values")) act.values = list(a.values.at("values"));
      if (act.values.size() > static_cast<size_t>(ExperimentConfig::kMaxConfigurations))
        fail(line, "setup", "at most " + std::to_string(ExperimentConfig::kMaxConfigurations) + " values");
      if (a.values.count("repeats"))
        act.repeats = number(line, "setup", "repeats", a.values.at("repeats"), 1, ExperimentConfig::kMaxRepeats);
      if (a.values.count("epochs")) act.epochs = number(line, "setup", "epochs", a.values.at("epochs"), 1, 100);
      if (a.values.count("match-params")) {
        if (!a.values.at("match-params").empty()) fail(line, "setup", "match-params takes no value");
        if (act.vary != "model") fail(line, "setup", "match-params needs vary=model");
        act.match_params = true;
      }
    } else {
      fail(line, "setup", "unknown action '" + a.name + "' (none, show, train or experiment)");
    }
    return act;
  }

  LessonCheck check(int line, const std::string& text) const {
    const Arguments a = words(line, "done", text);
    LessonCheck c;
    if (a.name == "read") {
      only(line, "done", a, {});
    } else if (a.name == "dataset") {
      c.kind = LessonCheck::Kind::kDataset;
      only(line, "done", a, {});
    } else if (a.name == "run") {
      c.kind = LessonCheck::Kind::kRun;
      only(line, "done", a, {"model", "kernel"});
      if (!a.values.count("model")) fail(line, "done", "run needs model=NAME");
      c.model = model(line, "done", a.values.at("model"));
      if (a.values.count("kernel")) c.kernel = number(line, "done", "kernel", a.values.at("kernel"), 1, 11);
    } else if (a.name == "matched-mlp") {
      c.kind = LessonCheck::Kind::kMatchedMlp;
      only(line, "done", a, {});
    } else if (a.name == "experiment") {
      c.kind = LessonCheck::Kind::kExperiment;
      only(line, "done", a, {"vary", "values", "repeats"});
      if (!a.values.count("vary")) fail(line, "done", "experiment needs vary=VARIABLE");
      c.vary = vary(line, "done", a.values.at("vary"));
      if (a.values.count("values")) c.values = list(a.values.at("values"));
      if (a.values.count("repeats"))
        c.repeats = number(line, "done", "repeats", a.values.at("repeats"), 1, ExperimentConfig::kMaxRepeats);
    } else {
      fail(line, "done", "unknown check '" + a.name + "' (read, dataset, run, matched-mlp or experiment)");
    }
    return c;
  }

  // Every {name} in text must be a known placeholder.
  void placeholders(int line, const std::string& field, const std::string& text) const {
    size_t at = 0;
    while ((at = text.find('{', at)) != std::string::npos) {
      const size_t end = text.find('}', at);
      if (end == std::string::npos) fail(line, field, "'{' without a closing '}'");
      const std::string name = text.substr(at + 1, end - at - 1);
      if (!known_placeholder(name))
        fail(line, field, "unknown placeholder {" + name + "} (docs/lessons.md lists them)");
      at = end + 1;
    }
  }

  static bool known_placeholder(const std::string& name) {
    const auto& fixed = lesson_placeholders();
    if (std::find(fixed.begin(), fixed.end(), name) != fixed.end()) return true;
    // experiment.VALUE.FIELD
    if (starts_with(name, "experiment.")) {
      const size_t dot = name.rfind('.');
      const std::string value = name.substr(11, dot > 11 ? dot - 11 : 0);
      const std::string field = name.substr(dot + 1);
      const bool value_ok = !value.empty() && value.size() <= 16 &&
                            std::all_of(value.begin(), value.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                            });
      return value_ok && (field == "accuracy" || field == "spread" || field == "params" || field == "macs");
    }
    // rf.K: K odd, 1..11
    if (starts_with(name, "rf.")) {
      const std::string k = name.substr(3);
      return k == "1" || k == "3" || k == "5" || k == "7" || k == "9" || k == "11";
    }
    return false;
  }

 private:
  std::string source_;
};

}  // namespace

Lesson parse_lesson(const std::string& text, const std::string& source) {
  Parser p(source);
  if (text.size() > Lesson::kMaxBytes)
    throw Error(source, "is " + with_thousands(text.size()) + " bytes, over the 1 MB a lesson may have");
  if (!valid_utf8(text)) throw Error(source, "is not UTF-8 text");
  std::vector<std::string> lines;
  {
    std::stringstream ss(text);
    std::string l;
    while (std::getline(ss, l)) lines.push_back(l);
  }
  if (!lines.empty() && starts_with(lines[0], "\xEF\xBB\xBF")) lines[0] = lines[0].substr(3);  // BOM

  // Front matter: "---", key: value lines, "---".
  Lesson lesson;
  size_t i = 0;
  if (lines.empty() || trim(lines[0]) != "---")
    p.fail(1, "front matter", "a lesson starts with '---' and 'lesson: 1' (docs/lessons.md)");
  bool version_seen = false;
  for (i = 1; i < lines.size() && trim(lines[i]) != "---"; ++i) {
    const int line = static_cast<int>(i) + 1;
    const std::string l = trim(lines[i]);
    if (l.empty() || l[0] == '#') continue;
    const size_t colon = l.find(':');
    if (colon == std::string::npos) p.fail(line, "front matter", "expected 'key: value', got '" + l + "'");
    const std::string key = trim(l.substr(0, colon)), value = trim(l.substr(colon + 1));
    if (key == "lesson") {
      if (value != std::to_string(Lesson::kFormatVersion))
        p.fail(line, "lesson", "format version '" + value + "' is not one this lab reads (1)");
      version_seen = true;
    } else if (key == "id") {
      const bool ok = !value.empty() && value.size() <= 64 &&
                      std::all_of(value.begin(), value.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                      });
      if (!ok) p.fail(line, "id", "must be 1-64 of a-z, 0-9 and '-', got '" + value + "'");
      lesson.id = value;
    } else if (key == "title") {
      if (value.empty() || value.size() > 200) p.fail(line, "title", "must be 1-200 characters");
      lesson.title = value;
    } else if (key == "subset") {
      if (value.empty() || value.size() > 32) p.fail(line, "subset", "must be 1-32 characters");
      lesson.subset = value;
    } else {
      p.fail(line, key, "unknown front-matter key (lesson, id, title, subset)");
    }
  }
  if (i >= lines.size()) p.fail(static_cast<int>(lines.size()), "front matter", "has no closing '---'");
  if (!version_seen) p.fail(1, "lesson", "the format version is missing ('lesson: 1')");
  if (lesson.id.empty()) p.fail(1, "id", "is missing");
  if (lesson.title.empty()) p.fail(1, "title", "is missing");

  // Steps: "## Title", then optional "setup:" / "done:" lines, then text, "? question" and
  // "= answer" lines.
  LessonStep* step = nullptr;
  bool text_started = false;
  bool blank_before = false;  // a blank line since the last text line: a new paragraph
  for (++i; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    const std::string raw = lines[i];
    const std::string l = trim(raw);
    if (l == "##" || starts_with(l, "## ")) {
      if (lesson.steps.size() == Lesson::kMaxSteps)
        p.fail(line, "step", "more than " + std::to_string(Lesson::kMaxSteps) + " steps");
      lesson.steps.emplace_back();
      step = &lesson.steps.back();
      step->title = trim(l.substr(2));
      step->line = line;
      if (step->title.empty()) p.fail(line, "step", "has no title after '##'");
      p.placeholders(line, "step title", step->title);
      text_started = false;
      blank_before = false;
      continue;
    }
    if (!step) {
      if (l.empty()) continue;
      p.fail(line, "text", "comes before the first step ('## Title')");
    }
    if (!text_started && starts_with(l, "setup:")) {
      step->setup = p.action(line, trim(l.substr(6)));
      continue;
    }
    if (!text_started && starts_with(l, "done:")) {
      step->done = p.check(line, trim(l.substr(5)));
      continue;
    }
    if (starts_with(l, "? ")) {
      if (step->questions.size() == Lesson::kMaxQuestionsPerStep)
        p.fail(line, "question", "more than " + std::to_string(Lesson::kMaxQuestionsPerStep) + " in one step");
      LessonQuestion q;
      q.question = trim(l.substr(2));
      q.line = line;
      p.placeholders(line, "question", q.question);
      step->questions.push_back(q);
      text_started = true;
      continue;
    }
    if (starts_with(l, "= ")) {
      if (step->questions.empty()) p.fail(line, "answer", "'=' line without a '?' question before it");
      LessonQuestion& q = step->questions.back();
      p.placeholders(line, "answer", l.substr(2));
      q.answer += (q.answer.empty() ? "" : " ") + trim(l.substr(2));
      continue;
    }
    if (starts_with(l, "setup:") || starts_with(l, "done:"))
      p.fail(line, l.substr(0, l.find(':')), "must come right after the step's title, before its text");
    if (!step->questions.empty() && !l.empty())
      p.fail(line, "text", "step text must come before its questions");
    if (l.empty()) {
      blank_before = text_started;
      continue;
    }
    p.placeholders(line, "text", l);
    // As in Markdown, a line continues its paragraph or bullet; a blank line or "- " starts anew.
    if (text_started) step->text += blank_before ? "\n\n" : starts_with(l, "- ") ? "\n" : " ";
    step->text += l;
    text_started = true;
    blank_before = false;
  }
  if (lesson.steps.empty()) p.fail(static_cast<int>(lines.size()), "step", "the lesson has no steps ('## Title')");
  for (const LessonStep& s : lesson.steps) {
    for (const LessonQuestion& q : s.questions)
      if (q.answer.empty()) p.fail(q.line, "answer", "the question has no '=' answer");
  }
  return lesson;
}

// [SECTION] facts --------------------------------------------------------------------------------

LessonFacts lesson_facts(bool has_dataset, const std::string& dataset_name, const Shape& input,
                         int classes, size_t train, size_t val, size_t test,
                         const std::vector<RunRecord>& runs, const ExperimentReport* experiment) {
  LessonFacts f;
  f.has_dataset = has_dataset;
  f.dataset_name = dataset_name;
  f.input = input;
  f.classes = classes;
  f.train = train;
  f.val = val;
  f.test = test;
  if (has_dataset && input.rank == 3 && classes >= 2) {
    for (const RunRecord& r : runs) {
      if (!r.test_accuracy) continue;
      LessonRun run;
      run.run = r.run;
      run.model = r.options.model;
      run.test_accuracy = *r.test_accuracy;
      try {
        const ModelSpec spec = r.options.spec(input, classes);
        run.params = spec.parameter_count();
        for (const LayerSpec& l : spec.layers)
          if (l.kind == LayerKind::kDense) { run.dense = l.units; break; }
      } catch (const Error&) {
        continue;  // a run of another input shape (before a dataset change): not this lesson's
      }
      if (const std::optional<int> k = r.options.named_kernel()) run.kernel = *k;
      f.runs.push_back(run);
    }
  }
  if (experiment) {
    f.experiment_done = experiment->done;
    f.experiment_vary = experiment->config.vary;
    f.experiment_repeats = experiment->config.repeats;
    f.experiment_verdict = experiment->interpretation;
    const std::string prefix = experiment->config.vary + "=";
    for (const ExperimentSummaryRow& row : experiment->summary) {
      LessonConfiguration c;
      c.value = starts_with(row.configuration, prefix) ? row.configuration.substr(prefix.size())
                                                       : row.configuration;
      c.params = row.parameters;
      c.macs = row.macs;
      c.runs = row.runs;
      c.accuracy_mean = row.test_accuracy_mean;
      c.accuracy_std = row.test_accuracy_std;
      f.experiment.push_back(c);
    }
  }
  return f;
}

// [SECTION] checks and placeholders --------------------------------------------------------------

namespace {


}  // namespace

const LessonRun* latest_convolutional_run(const LessonFacts& f) {
  for (auto it = f.runs.rbegin(); it != f.runs.rend(); ++it)
    if (!is_mlp_preset(it->model)) return &*it;
  return nullptr;
}

namespace {

// The latest tested run of a model ("mlp": any MLP preset).
const LessonRun* latest(const LessonFacts& f, const std::string& model) {
  for (auto it = f.runs.rbegin(); it != f.runs.rend(); ++it)
    if (model == "mlp" ? is_mlp_preset(it->model) : it->model == model) return &*it;
  return nullptr;
}

bool within_2_percent(size_t a, size_t b) {
  return b > 0 && std::abs(static_cast<double>(a) - static_cast<double>(b)) <= 0.02 * static_cast<double>(b);
}

// The latest MLP run within 2 % of the latest CNN-family run's parameter count.
const LessonRun* matched_mlp(const LessonFacts& f) {
  const LessonRun* cnn = latest_convolutional_run(f);
  if (!cnn) return nullptr;
  for (auto it = f.runs.rbegin(); it != f.runs.rend(); ++it)
    if (is_mlp_preset(it->model) && within_2_percent(it->params, cnn->params)) return &*it;
  return nullptr;
}

}  // namespace

bool lesson_check_done(const LessonCheck& c, const LessonFacts& f, bool read) {
  switch (c.kind) {
    case LessonCheck::Kind::kRead: return read;
    case LessonCheck::Kind::kDataset: return f.has_dataset;
    case LessonCheck::Kind::kRun:
      return std::any_of(f.runs.begin(), f.runs.end(), [&](const LessonRun& r) {
        return (c.model == "mlp" ? is_mlp_preset(r.model) : r.model == c.model) &&
               (c.kernel == 0 || r.kernel == c.kernel);
      });
    case LessonCheck::Kind::kMatchedMlp: return matched_mlp(f) != nullptr;
    case LessonCheck::Kind::kExperiment: {
      if (!f.experiment_done || f.experiment_vary != c.vary) return false;
      if (c.repeats > 0 && f.experiment_repeats < c.repeats) return false;
      for (const std::string& v : c.values)
        if (std::none_of(f.experiment.begin(), f.experiment.end(),
                         [&](const LessonConfiguration& x) { return x.value == v && x.runs > 0; }))
          return false;
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& lesson_placeholders() {
  static const std::vector<std::string> names{
      "data.name",         "data.classes",        "data.train",          "data.val",
      "data.test",         "mlp.accuracy",        "mlp.params",          "mlp.dense",
      "cnn.accuracy",      "cnn.params",          "cnn.kernel",          "cnn.conv1.params",
      "cnn.conv1.dense_params", "matched_mlp.accuracy", "matched_mlp.params",
      "matched_mlp.dense", "experiment.verdict",  "experiment.repeats",
  };
  return names;
}

namespace {

const char* const kNotYet = "(not measured yet)";

// The first conv layer of a run's model: its parameters, and those of a dense layer mapping the
// same input to the same output (what weight sharing saves).
void conv1_counts(const LessonFacts& f, const LessonRun& run, size_t* conv, size_t* dense) {
  *conv = *dense = 0;
  PresetOptions o;
  o.kernel = run.kernel > 0 ? run.kernel : 3;
  const ModelSpec spec = preset(run.model, f.input, f.classes, o);
  const std::vector<Shape> shapes = spec.output_shapes();
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    if (l.kind != LayerKind::kConv2D) continue;
    const size_t in_channels = static_cast<size_t>(f.input[0]);
    *conv = static_cast<size_t>(l.units) * in_channels * static_cast<size_t>(l.kernel * l.kernel) +
            static_cast<size_t>(l.units);
    const size_t out = shapes[i].count();
    *dense = f.input.count() * out + out;
    return;
  }
}

// Receptive field side, in input pixels, after each conv layer of the cnn preset with kernel k.
std::string receptive_fields(const LessonFacts& f, int k) {
  const Shape input = f.input.rank == 3 ? f.input : Shape{3, 32, 32};
  const int classes = f.classes >= 2 ? f.classes : 10;
  PresetOptions o;
  o.kernel = k;
  ModelSpec spec;
  try {
    spec = preset("cnn", input, classes, o);
  } catch (const Error&) {
    return "(a " + std::to_string(k) + "x" + std::to_string(k) + " kernel does not fit these images)";
  }
  const std::vector<Shape> shapes = spec.output_shapes();
  std::string out;
  int conv = 0;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    if (spec.layers[i].kind != LayerKind::kConv2D) continue;
    ++conv;
    const InputRect r = receptive_field(spec, static_cast<int>(i), shapes[i][1] / 2, shapes[i][2] / 2);
    out += (out.empty() ? "" : ", ") + std::to_string(r.bottom - r.top) + "x" +
           std::to_string(r.right - r.left) + " px after conv " + std::to_string(conv);
  }
  return out;
}

// "params" or "macs" (per image) of the cnn preset with `kernel` x `kernel` kernels on the
// dataset's images, with thousands separators; kNotYet without a dataset or for a value that is
// not a kernel size.
std::string cnn_counts_with_kernel(const LessonFacts& f, const std::string& kernel, const std::string& field) {
  if (!f.has_dataset || f.input.rank != 3 || f.classes < 2) return kNotYet;
  if (kernel.empty() || kernel.size() > 2 ||
      !std::all_of(kernel.begin(), kernel.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return kNotYet;
  PresetOptions o;
  o.kernel = std::stoi(kernel);
  if (o.kernel < 1) return kNotYet;
  try {
    const ModelSummary summary = summarize(preset("cnn", f.input, f.classes, o));
    return with_thousands(field == "macs" ? summary.total_macs : summary.total_params);
  } catch (const Error&) {
    return "(a " + kernel + "x" + kernel + " kernel does not fit these images)";
  }
}

std::string value_of(const std::string& name, const LessonFacts& f) {
  if (starts_with(name, "data.")) {
    if (!f.has_dataset) return kNotYet;
    if (name == "data.name") return f.dataset_name;
    if (name == "data.classes") return std::to_string(f.classes);
    if (name == "data.train") return with_thousands(f.train);
    if (name == "data.val") return with_thousands(f.val);
    if (name == "data.test") return with_thousands(f.test);
  }
  if (starts_with(name, "mlp.") || starts_with(name, "cnn.")) {
    const LessonRun* r = latest(f, name.substr(0, 3));
    if (!r) return kNotYet;
    const std::string field = name.substr(4);
    if (field == "accuracy") return percent(r->test_accuracy);
    if (field == "params") return with_thousands(r->params);
    if (field == "dense") return std::to_string(r->dense);
    if (field == "kernel") return std::to_string(r->kernel) + "x" + std::to_string(r->kernel);
    size_t conv = 0, dense = 0;
    conv1_counts(f, *r, &conv, &dense);
    if (field == "conv1.params") return with_thousands(conv);
    if (field == "conv1.dense_params") return with_thousands(dense);
  }
  if (starts_with(name, "matched_mlp.")) {
    const LessonRun* r = matched_mlp(f);
    if (!r) return kNotYet;
    const std::string field = name.substr(12);
    if (field == "accuracy") return percent(r->test_accuracy);
    if (field == "params") return with_thousands(r->params);
    if (field == "dense") return std::to_string(r->dense);
  }
  if (name == "experiment.verdict")
    return f.experiment_done && !f.experiment_verdict.empty() ? f.experiment_verdict : kNotYet;
  if (name == "experiment.repeats")
    return f.experiment.empty() ? kNotYet : std::to_string(f.experiment_repeats);
  if (starts_with(name, "experiment.")) {
    const size_t dot = name.rfind('.');
    const std::string value = name.substr(11, dot - 11), field = name.substr(dot + 1);
    for (const LessonConfiguration& c : f.experiment) {
      if (c.value != value) continue;
      if (field == "params") return with_thousands(c.params);
      if (field == "macs") return with_thousands(c.macs);
      if (c.runs == 0) return kNotYet;
      if (field == "accuracy") return percent(c.accuracy_mean);
      if (field == "spread") {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f points", 100.0 * c.accuracy_std);
        return c.runs < 2 ? std::string("(one seed: unknown)") : std::string(buf);
      }
    }
    // Parameters and MACs follow from the spec and the images' shape: before the experiment
    // has a row for this kernel size, count them on the cnn preset (the experiment's base).
    if (field == "params" || field == "macs") return cnn_counts_with_kernel(f, value, field);
    return kNotYet;
  }
  if (starts_with(name, "rf.")) return receptive_fields(f, std::stoi(name.substr(3)));
  return "{" + name + "}";  // parse_lesson refuses unknown names; kept visible if one slips by
}

}  // namespace

std::string fill_lesson_text(const std::string& text, const LessonFacts& facts) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('{', at);
    const size_t close = open == std::string::npos ? std::string::npos : text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    out += value_of(text.substr(open + 1, close - open - 1), facts);
    at = close + 1;
  }
  return out;
}

std::vector<std::string> wrap_lesson_line(const std::string& text, float width,
                                          const std::function<float(const std::string&)>& measure) {
  std::vector<std::string> lines;
  std::string line;
  size_t at = 0;
  while (at < text.size()) {
    const size_t space = std::min(text.find(' ', at), text.size());
    const std::string word = text.substr(at, space - at);
    const std::string longer = line.empty() ? word : line + " " + word;
    if (!line.empty() && measure(longer) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = longer;
    }
    at = space + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

}  // namespace cnnlab
