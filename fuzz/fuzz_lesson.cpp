// Feeds: a lesson file (lab/lesson.*, docs/lessons.md: front matter, "## step" headings, setup:
// and done: lines, "?" questions and "=" answers, {placeholders}), as a teacher's lesson loaded
// from a URL reaches the Guide, to parse_lesson; then every step's check (lesson_check_done) and
// every title, text, question and answer filled (fill_lesson_text) for a lab with nothing
// measured yet and for one with a dataset, an MLP and a CNN run and a finished kernel
// experiment, as the Guide draws them. Limits: 1 MB a file (Lesson::kMaxBytes), 40 steps, 20
// questions a step; run with -max_len=65536 (the built-in lessons are 1 to 6 kB: the fuzzer
// reaches every rule far below the byte limit, and the limit itself is tested at 1 MB and one
// byte more in test_lab_files.cpp).
#include "fuzz_common.h"
#include "lab/lesson.h"

namespace {

// A lab where every placeholder has a number: a 3x32x32 dataset of 10 classes, an MLP and a
// 3x3 CNN run, and a finished 2-configuration kernel experiment of 2 seeds.
cnnlab::LessonFacts fuzz_lesson_measured_facts() {
  cnnlab::LessonFacts f;
  f.has_dataset = true;
  f.dataset_name = "seed";
  f.input = {3, 32, 32};
  f.classes = 10;
  f.train = 900;
  f.val = 100;
  f.test = 200;
  f.runs.push_back({1, "mlp", 0, 512, 1738890, 0.41});
  f.runs.push_back({2, "cnn", 3, 128, 545098, 0.62});
  f.runs.push_back({3, "mlp-small", 0, 170, 545180, 0.38});
  f.experiment_done = true;
  f.experiment_vary = "kernel";
  f.experiment_repeats = 2;
  f.experiment.push_back({"3", 545098, 11000000ull, 2, 0.6, 0.01});
  f.experiment.push_back({"5", 620000, 19000000ull, 1, 0.63, 0.0});
  f.experiment_verdict = "kernel 5 is ahead by 3 points";
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cnnlab::LessonFacts measured = fuzz_lesson_measured_facts();
  static const cnnlab::LessonFacts nothing;
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::refuse_cleanly([&] {
    const cnnlab::Lesson lesson = cnnlab::parse_lesson(text, "lesson fuzz.md");
    // What parse_lesson promises of a lesson it accepts.
    if (lesson.id.empty() || lesson.title.empty() || lesson.steps.empty() ||
        lesson.steps.size() > cnnlab::Lesson::kMaxSteps) {
      __builtin_trap();
    }
    for (const cnnlab::LessonFacts* facts : {&nothing, &measured}) {
      for (const cnnlab::LessonStep& step : lesson.steps) {
        if (step.questions.size() > cnnlab::Lesson::kMaxQuestionsPerStep) __builtin_trap();
        cnnlab::lesson_check_done(step.done, *facts, false);
        cnnlab::fill_lesson_text(step.title, *facts);
        cnnlab::fill_lesson_text(step.text, *facts);
        for (const cnnlab::LessonQuestion& q : step.questions) {
          cnnlab::fill_lesson_text(q.question, *facts);
          cnnlab::fill_lesson_text(q.answer, *facts);
        }
      }
    }
    cnnlab::latest_convolutional_run(measured);
  });
  return 0;
}
