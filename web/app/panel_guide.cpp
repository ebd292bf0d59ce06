// Guide tab (Setup window): lessons (lab/lesson.h). Without a lesson open it lists the built-in
// ones; with one open it shows the step's text with the student's own numbers filled in, a
// "Set it up for me" button, whether the step is done (read from the runs, not from a button),
// questions whose answers open on request, and the way to the other steps.
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/embed_options.h"
#include "app/guide_actions.h"
#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

// ImGui 1.86's multi-line field does not wrap words: while the student types, the last space of
// a line grown wider than the field becomes a line break (same length, so the buffer keeps its
// size), and the answer reads as a paragraph. user_data: the field's text width (float).
int wrap_answer_line(ImGuiInputTextCallbackData* data) {
  const float width = *static_cast<const float*>(data->UserData);
  int start = data->CursorPos;
  while (start > 0 && data->Buf[start - 1] != '\n') --start;
  const char* line = data->Buf + start;
  const char* end = data->Buf + data->CursorPos;
  if (ImGui::CalcTextSize(line, end).x <= width) return 0;
  for (int i = data->CursorPos - 1; i > start; --i) {
    if (data->Buf[i] == ' ') {
      data->Buf[i] = '\n';
      data->BufDirty = true;
      break;
    }
  }
  return 0;
}

const ImVec4 kDoneColour(0.16f, 0.55f, 0.24f, 1.0f);

// Wrapped at spaces only (wrap_lesson_line): ImGui's wrapping breaks after a comma, splitting
// "100,696,064" across lines. A word wider than the panel still wraps (ImGui's wrap position).
void wrapped_text(const std::string& text) {
  const float width = ImGui::GetContentRegionAvail().x;
  const auto measure = [](const std::string& t) { return ImGui::CalcTextSize(t.c_str()).x; };
  ImGui::BeginGroup();  // the lines after the first start where the first did (after a bullet)
  ImGui::PushTextWrapPos(0.0f);
  for (const std::string& line : wrap_lesson_line(text, width, measure)) ImGui::TextUnformatted(line.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
}

void muted_text(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  wrapped_text(text);
  ImGui::PopStyleColor();
}

// A step's text: paragraphs (blank-line separated) and "- " bullets, each wrapped.
void step_text(const std::string& text) {
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string line = text.substr(at, end - at);
    if (line.empty()) {
      ImGui::Spacing();
    } else if (line.rfind("- ", 0) == 0) {
      ImGui::Bullet();
      wrapped_text(line.substr(2));
    } else {
      wrapped_text(line);
    }
    at = end + 1;
  }
}

void catalogue(AppState& state) {
  GuideState& g = state.guide;
  wrapped_text("Lessons walk you through the lab with your own runs: each step says what to do, can "
               "set it up for you, and knows when it is done.");
  ImGui::Spacing();
  for (const Lesson& l : g.catalogue) {
    ImGui::PushID(l.id.c_str());
    ImGui::Separator();
    wrapped_text(l.title);
    char info[96];
    std::snprintf(info, sizeof info, "%zu steps%s%s", l.steps.size(),
                  l.subset.empty() ? "" : ", written for the ", l.subset.empty() ? "" : l.subset.c_str());
    muted_text(std::string(info) + (l.subset.empty() ? "" : " subset"));
    if (ImGui::Button("Open lesson")) {
      g.request = GuideState::Request::kOpenBuiltin;
      g.request_id = l.id;
    }
    ImGui::PopID();
  }
  if (!g.catalogue_error.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.8f, 0.1f, 0.1f, 1.0f));
    wrapped_text(g.catalogue_error);
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  muted_text("A teacher's own lesson opens from a link: add lesson=URL to the page's address.");
}

void go_to(GuideState& g, int step) {
  if (step == g.step) return;
  g.step = step;
  g.message.clear();  // what the last step's button did
  g.message_error = false;
}

void lesson_view(AppState& state) {
  GuideState& g = state.guide;
  const Lesson& lesson = *g.lesson;
  const LessonFacts facts = guide_facts(state);
  const size_t n = lesson.steps.size();
  const size_t i = static_cast<size_t>(g.step);
  const LessonStep& step = lesson.steps[i];

  // Another step (a button, the JavaScript API, a lesson just opened): start at its top, where
  // its title and the step buttons are.
  if (g.drawn_step != g.step) {
    ImGui::SetScrollY(0.0f);
    g.drawn_step = g.step;
  }
  wrapped_text(lesson.title);
  // The steps as numbered buttons, done ones in green: where you are and what is left.
  int done_count = 0;
  for (size_t k = 0; k < n; ++k) {
    const bool done = guide_step_done(state, facts, k);
    done_count += done ? 1 : 0;
    if (k > 0) ImGui::SameLine();
    ImGui::PushID(static_cast<int>(k));
    if (done) ImGui::PushStyleColor(ImGuiCol_Button, kDoneColour);
    if (done) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    const bool current = k == i;
    if (current) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f * state.ui.scale);
    char label[24];
    std::snprintf(label, sizeof label, "%zu", k + 1);
    if (ImGui::Button(label)) go_to(g, static_cast<int>(k));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Step %zu: %s%s", k + 1, lesson.steps[k].title.c_str(), done ? " (done)" : "");
    if (current) ImGui::PopStyleVar();
    if (done) ImGui::PopStyleColor(2);
    ImGui::PopID();
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%d of %zu done", done_count, n);
  ImGui::Separator();

  char heading[64];
  std::snprintf(heading, sizeof heading, "Step %zu of %zu: ", i + 1, n);
  wrapped_text(heading + fill_lesson_text(step.title, facts));
  ImGui::Spacing();
  step_text(fill_lesson_text(step.text, facts));
  ImGui::Spacing();

  // What to do, and whether it is done.
  if (step.setup.kind != LessonAction::Kind::kNone) {
    if (ImGui::Button("Set it up for me")) g.request = GuideState::Request::kSetUp;
    item_tooltip(describe_action(step.setup).c_str());
    ImGui::SameLine();
  }
  const bool done = guide_step_done(state, facts, i);
  if (step.done.kind == LessonCheck::Kind::kRead) {
    bool read = i < g.read.size() && g.read[i];
    if (ImGui::Checkbox("I have read this", &read) && i < g.read.size()) g.read[i] = read ? 1 : 0;
  } else if (done) {
    ImGui::TextColored(kDoneColour, "Done:");
    ImGui::SameLine();
    wrapped_text(describe_check(step.done) + ".");
  } else {
    ImGui::TextUnformatted("To do:");
    ImGui::SameLine();
    muted_text("this step is done when " + describe_check(step.done) + ".");
  }
  if (!g.message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, g.message_error ? ImVec4(0.8f, 0.1f, 0.1f, 1.0f)
                                                         : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    wrapped_text(g.message);
    ImGui::PopStyleColor();
  }

  // Questions: the answer quotes the student's numbers once they exist.
  for (size_t q = 0; q < step.questions.size(); ++q) {
    ImGui::PushID(static_cast<int>(1000 + q));
    ImGui::Spacing();
    ImGui::Separator();
    wrapped_text("Question: " + fill_lesson_text(step.questions[q].question, facts));
    std::vector<char>& shown = g.answers_shown[i];
    // The student's own answer first (a prediction written down is what makes the answer teach),
    // then the lesson's, quoting the measured numbers.
    if (i < g.my_answers.size() && q < g.my_answers[i].size()) {
      std::array<char, 600>& mine = g.my_answers[i][q];
      float wrap_width = ImGui::GetContentRegionAvail().x - 2.0f * ImGui::GetStyle().FramePadding.x -
                         ImGui::GetStyle().ScrollbarSize;
      ImGui::InputTextMultiline("##my_answer", mine.data(), mine.size(),
                                ImVec2(-1.0f, ImGui::GetTextLineHeight() * 3.4f),
                                ImGuiInputTextFlags_CallbackEdit, wrap_answer_line, &wrap_width);
      if (!ImGui::IsItemActive() && mine[0] == '\0') {
        // A hint inside the empty box (ImGui 1.86's multi-line field has none of its own).
        const ImVec2 at = ImGui::GetItemRectMin();
        const ImVec2 pad = ImGui::GetStyle().FramePadding;
        ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + pad.x, at.y + pad.y),
                                            ImGui::GetColorU32(ImGuiCol_TextDisabled),
                                            "Your answer (for yourself: nothing is sent)");
      }
      item_tooltip("Write what you think before you look: then compare with the answer below.");
    }
    if (q < shown.size() && shown[q]) {
      ImGui::PushStyleColor(ImGuiCol_Text, kDoneColour);
      wrapped_text(fill_lesson_text(step.questions[q].answer, facts));
      ImGui::PopStyleColor();
    } else if (ImGui::Button("Show the answer") && q < shown.size()) {
      shown[q] = 1;
    }
    ImGui::PopID();
  }

  ImGui::Spacing();
  ImGui::Separator();
  ImGui::BeginDisabled(i == 0);
  if (ImGui::Button("< Previous")) go_to(g, g.step - 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(i + 1 >= n);
  if (ImGui::Button("Next >")) go_to(g, g.step + 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Close lesson")) g.request = GuideState::Request::kClose;
  if (g.source != "built-in") muted_text("From " + g.source);
}

}  // namespace

void draw_lesson_strip(AppState& state) {
  GuideState& guide = state.guide;
  if (!guide.lesson || guide.lesson->steps.empty() || !panel_shown(state.ui, Panel::Guide)) return;
  const int steps = static_cast<int>(guide.lesson->steps.size());
  const int step = std::clamp(guide.step, 0, steps - 1);
  char label[64];
  std::snprintf(label, sizeof label, "Lesson, step %d of %d:", step + 1, steps);
  if (small_button(state, "Back to the lesson")) state.ui.left_tab_request = 3;
  item_tooltip("The Guide tab: the lesson's text, questions and \"Set it up for me\".");
  ImGui::SameLine();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s %s", label, guide.lesson->steps[static_cast<size_t>(step)].title.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();
}

void draw_guide_panel(AppState& state) {
  load_lesson_catalogue(state.guide);
  if (state.guide.lesson) lesson_view(state);
  else catalogue(state);
}

}  // namespace cnnlab
