// Lessons: guided paths through the lab, written as data (Markdown with a small front matter, the
// format in docs/lessons.md) and run by the app's Guide panel. A lesson is a list of steps; each
// step has text, an optional "set it up for me" action, a completion check that reads the lab's
// real state (a step is done when its run exists, not when a button was pressed), and questions
// whose answers quote the student's own measured numbers through {placeholders}.
//
// Nothing in a lesson runs as code: actions and checks come from the closed vocabularies below,
// text is shown as text. A file that breaks a rule is refused with its name, line and field.
//
// [SECTION] Lesson          the parsed file
// [SECTION] LessonFacts     what checks and placeholders read: the lab's state, as numbers
// [SECTION] progress        checks, placeholder filling
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace cnnlab {

struct RunRecord;
struct ExperimentReport;

// [SECTION] Lesson -------------------------------------------------------------------------------

// "set it up for me": what the Guide does for the student, from the lab's own commands.
struct LessonAction {
  enum class Kind {
    kNone,        // a reading step
    kShowPanel,   // show PANEL
    kTrain,       // train model=M [kernel=K] [epochs=N] [match=cnn]
    kExperiment,  // experiment [model=M] vary=V [values=a,b,c] [repeats=N] [epochs=N] [match-params]
  };
  Kind kind = Kind::kNone;
  std::string panel;                // kShowPanel: data, model, experiment, inside, explain, eval, runs
  std::string model;                // kTrain: a preset name; kExperiment: the base ("" = the lab's)
  int kernel = 0;                   // kTrain: 0 = the lab's current
  int epochs = 0;                   // kTrain, kExperiment: 0 = the lab's current
  bool match_cnn = false;           // kTrain of an MLP: width sized to the last tested CNN's count
  std::string vary;                 // kExperiment: an ExperimentConfig variable
  std::vector<std::string> values;  // kExperiment: empty = the variable's defaults
  int repeats = 0;                  // kExperiment: 0 = the lab's default
  bool match_params = false;        // kExperiment: ExperimentConfig::match_params
};

// When a step is done: read from the lab's state each time the Guide draws.
struct LessonCheck {
  enum class Kind {
    kRead,        // done when the student says so ("I have read this")
    kDataset,     // a dataset is loaded
    kRun,         // a finished, tested run of model=M [kernel=K] exists
    kMatchedMlp,  // a tested MLP run within 2 % of a tested CNN run's parameter count exists
    kExperiment,  // a finished experiment of vary=V [with values=...] [repeats >= N] exists
  };
  Kind kind = Kind::kRead;
  std::string model;
  int kernel = 0;                   // 0: any
  std::string vary;
  std::vector<std::string> values;  // empty: any
  int repeats = 0;                  // 0: any
};

struct LessonQuestion {
  std::string question, answer;  // the answer may hold placeholders
  int line = 0;                  // of the question, for messages
};

struct LessonStep {
  std::string title;
  std::string text;  // paragraphs joined into lines, separated by blank lines; "- " lines are
                     // bullets (a source line that continues a paragraph joins it with a space)
  LessonAction setup;
  LessonCheck done;
  std::vector<LessonQuestion> questions;
  int line = 0;      // of the step's heading
};

struct Lesson {
  static constexpr int kFormatVersion = 1;
  static constexpr size_t kMaxBytes = 1 << 20;  // 1 MB
  static constexpr size_t kMaxSteps = 40;
  static constexpr size_t kMaxQuestionsPerStep = 20;

  std::string id;        // [a-z0-9-], unique among the lab's lessons
  std::string title;
  std::string subset;    // the subset the lesson is written for ("" = any)
  std::vector<LessonStep> steps;
};

// Parses a lesson file. `source` names it in messages ("lesson kernel-sees.md"). Throws
// Error(source, "line N: field: why") for: a file over 1 MB or not UTF-8, a missing or unknown
// format version, an unknown front-matter key, a missing id or title, no steps, too many steps or
// questions, an unknown action, check or panel, an argument out of range, an answer without a
// question, and an unknown {placeholder}.
Lesson parse_lesson(const std::string& text, const std::string& source);

// [SECTION] LessonFacts --------------------------------------------------------------------------

// One tested run as the lesson sees it.
struct LessonRun {
  int run = 0;
  std::string model;
  int kernel = 0;            // 0 for an MLP
  int dense = 0;             // the first hidden width as built
  size_t params = 0;
  double test_accuracy = 0;  // fraction
};

// One configuration of the latest experiment (summary row).
struct LessonConfiguration {
  std::string value;         // "3" of "kernel=3"
  size_t params = 0;
  unsigned long long macs = 0;
  int runs = 0;
  double accuracy_mean = 0, accuracy_std = 0;  // fractions
};

// Everything checks and placeholders read, built from the app's typed state by lesson_facts().
struct LessonFacts {
  bool has_dataset = false;
  std::string dataset_name;
  Shape input;               // (C, H, W) of the dataset's images
  int classes = 0;
  size_t train = 0, val = 0, test = 0;
  std::vector<LessonRun> runs;  // tested runs, oldest first
  bool experiment_done = false;
  std::string experiment_vary;
  int experiment_repeats = 0;
  std::vector<LessonConfiguration> experiment;  // the latest experiment's rows
  std::string experiment_verdict;
};

// input: the dataset's (C, H, W) (rank 0 when none is loaded). A run counts once it is tested.
LessonFacts lesson_facts(bool has_dataset, const std::string& dataset_name, const Shape& input,
                         int classes, size_t train, size_t val, size_t test,
                         const std::vector<RunRecord>& runs, const ExperimentReport* experiment);

// [SECTION] progress -----------------------------------------------------------------------------

// The latest tested run of a convolutional preset (what a matched MLP is sized to), or null.
const LessonRun* latest_convolutional_run(const LessonFacts& facts);

// Whether a check holds for these facts (kRead: `read`, what the student said).
bool lesson_check_done(const LessonCheck& check, const LessonFacts& facts, bool read);

// The text with every {placeholder} replaced by the student's number, or by "(not measured
// yet)" when the run it needs does not exist. Placeholders are documented in docs/lessons.md.
std::string fill_lesson_text(const std::string& text, const LessonFacts& facts);

// A lesson line broken into lines no wider than `width` (as `measure` reports a piece of text),
// only at spaces: a number with thousands separators ("100,696,064") or any other word stays
// whole (ImGui's own wrapping breaks after a comma). A word wider than `width` gets a line of its
// own. The spaces at the breaks are dropped.
std::vector<std::string> wrap_lesson_line(const std::string& text, float width,
                                          const std::function<float(const std::string&)>& measure);

// The placeholder names parse_lesson accepts, for docs and tests ("mlp.accuracy", ...; the
// experiment's and receptive fields' forms are patterns: "experiment.VALUE.accuracy", "rf.K").
const std::vector<std::string>& lesson_placeholders();

}  // namespace cnnlab
