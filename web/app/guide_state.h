// GuideState: the lesson open in the Guide tab and where the student is in it. panel_guide.cpp
// draws it; guide_actions.cpp opens lessons, builds the facts its checks read and carries out a
// step's "Set it up for me" (through the App's own configure / train / experiment paths).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "lab/lesson.h"

namespace cnnlab {

// A lesson shipped with the app (assets/lessons/*.md, embedded at build time).
struct BuiltinLesson {
  std::string file;  // "assignment.md"
  std::string text;
};
const std::vector<BuiltinLesson>& builtin_lessons();  // builtin_lessons.cpp (generated)

struct GuideState {
  std::optional<Lesson> lesson;
  std::string source;         // "built-in" or the file name / URL the lesson came from
  int step = 0;               // 0-based step shown
  // The step the tab drew last (-1: none since the lesson opened): a new step opens scrolled
  // to its top, not at the last step's scroll position.
  int drawn_step = -1;
  std::vector<char> read;     // per step: the student marked it as read
  std::vector<std::vector<char>> answers_shown;  // per step, per question
  // What the student wrote to each question before looking at the answer (per step, per
  // question; kept while the lesson is open).
  std::vector<std::vector<std::array<char, 600>>> my_answers;
  std::string message;        // the last refusal or what "Set it up for me" did
  bool message_error = false;
  // The built-in lessons, parsed once (a broken built-in file is a build error in the tests,
  // and shown here as a message rather than hidden).
  std::vector<Lesson> catalogue;
  std::string catalogue_error;
  bool catalogue_loaded = false;

  // What the panel's buttons asked for this frame; App::apply_guide_requests acts on it.
  enum class Request { kNone, kOpenBuiltin, kSetUp, kClose };
  Request request = Request::kNone;
  std::string request_id;     // kOpenBuiltin: the lesson's id
};

}  // namespace cnnlab
