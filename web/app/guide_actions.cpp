// The Guide: opening lessons, the facts they read, a step's "Set it up for me" (see
// guide_actions.h). The App's guide methods carry a step's action out through the same
// configure / train / experiment paths as the panels' buttons and the JavaScript API.
#include "app/guide_actions.h"

#include <algorithm>

#include "app/app.h"
#include "core/error.h"
#include "model/presets.h"

namespace cnnlab {

void load_lesson_catalogue(GuideState& guide) {
  if (guide.catalogue_loaded) return;
  guide.catalogue_loaded = true;
  for (const BuiltinLesson& file : builtin_lessons()) {
    try {
      guide.catalogue.push_back(parse_lesson(file.text, "lesson " + file.file));
    } catch (const Error& e) {
      guide.catalogue_error += std::string(e.what()) + "\n";
    }
  }
}

LessonFacts guide_facts(const AppState& s) {
  const std::optional<DatasetStatus>& d = s.training.status.dataset;
  const Dataset& train = s.data.dataset.train;
  const bool has = s.data.loaded && d.has_value();
  std::vector<RunRecord> runs = s.training.earlier_runs;
  runs.insert(runs.end(), s.training.history.begin(), s.training.history.end());
  return lesson_facts(has, has ? d->name : "", has ? Shape{train.channels, train.height, train.width} : Shape{},
                      has ? static_cast<int>(train.class_names.size()) : 0, has ? d->train : 0,
                      has ? d->val : 0, has ? d->test : 0, runs,
                      s.training.experiment ? &*s.training.experiment : nullptr);
}

bool guide_step_done(const AppState& s, const LessonFacts& facts, size_t i) {
  const GuideState& g = s.guide;
  if (!g.lesson || i >= g.lesson->steps.size()) return false;
  return lesson_check_done(g.lesson->steps[i].done, facts, i < g.read.size() && g.read[i]);
}

nlohmann::json guide_state_json(const AppState& s) {
  const GuideState& g = s.guide;
  if (!g.lesson) return nullptr;
  const LessonFacts facts = guide_facts(s);
  nlohmann::json completed = nlohmann::json::array();
  for (size_t i = 0; i < g.lesson->steps.size(); ++i)
    if (guide_step_done(s, facts, i)) completed.push_back(i + 1);
  // The shown step as the tab shows it, numbers filled in: for readers of state() that cannot
  // see the canvas (the page's text view, screen readers) and for tests.
  const LessonStep& step = g.lesson->steps[static_cast<size_t>(g.step)];
  nlohmann::json questions = nlohmann::json::array();
  for (size_t q = 0; q < step.questions.size(); ++q)
    questions.push_back({{"question", fill_lesson_text(step.questions[q].question, facts)},
                         {"answer", fill_lesson_text(step.questions[q].answer, facts)}});
  return {{"lesson", g.lesson->id},          {"title", g.lesson->title},
          {"source", g.source},              {"step", g.step + 1},
          {"steps", g.lesson->steps.size()}, {"completed", completed},
          {"stepTitle", fill_lesson_text(step.title, facts)},
          {"text", fill_lesson_text(step.text, facts)},
          {"setUp", describe_action(step.setup)},
          {"done", describe_check(step.done)},
          {"questions", questions},
          {"message", g.message},            {"messageError", g.message_error}};
}

std::string describe_check(const LessonCheck& c) {
  switch (c.kind) {
    case LessonCheck::Kind::kRead: return "you mark this step as read";
    case LessonCheck::Kind::kDataset: return "a dataset is loaded";
    case LessonCheck::Kind::kRun:
      return "a " + c.model + (c.kernel ? " " + std::to_string(c.kernel) + "x" + std::to_string(c.kernel) : "") +
             " run has trained to the end and been tested";
    case LessonCheck::Kind::kMatchedMlp:
      return "an MLP with the CNN's parameter count (within 2 %) has been trained and tested";
    case LessonCheck::Kind::kExperiment: {
      std::string values;
      for (const std::string& v : c.values) values += (values.empty() ? "" : ", ") + v;
      return "an experiment varying " + c.vary + (values.empty() ? "" : " (" + values + ")") +
             (c.repeats > 1 ? " with at least " + std::to_string(c.repeats) + " seeds each" : "") +
             " has finished";
    }
  }
  return "";
}

namespace {
std::string epochs_text(int n) { return std::to_string(n) + (n == 1 ? " epoch" : " epochs"); }
}  // namespace

std::string describe_action(const LessonAction& a) {
  switch (a.kind) {
    case LessonAction::Kind::kNone: return "";
    case LessonAction::Kind::kShowPanel:
      if (a.panel == "inside")
        return "Opens Inside the network > Feature maps (trains a CNN first when the lab holds an MLP).";
      if (a.panel == "explain")
        return "Opens Inside the network > Explain one pixel (trains a CNN first when the lab holds an MLP).";
      return "Opens the " + a.panel + " tab.";
    case LessonAction::Kind::kTrain:
      return "Sets the model to " + a.model +
             (a.kernel ? " with " + std::to_string(a.kernel) + "x" + std::to_string(a.kernel) + " kernels" : "") +
             (a.match_cnn ? ", sized to your CNN's parameter count," : "") +
             (a.epochs ? " and " + epochs_text(a.epochs) : "") + ", then starts training.";
    case LessonAction::Kind::kExperiment: {
      std::string values;
      for (const std::string& v : a.values) values += (values.empty() ? "" : ", ") + v;
      return std::string(a.model.empty() ? "" : "Sets the model to " + a.model + " and s") +
             (a.model.empty() ? "S" : "") + "tarts an experiment varying " + a.vary + (values.empty() ? "" : " over " + values) +
             (a.repeats ? ", " + std::to_string(a.repeats) + " seeds each" : "") +
             (a.epochs ? ", " + epochs_text(a.epochs) + " per run" : "") + ".";
    }
  }
  return "";
}

// ---- App: the Guide ------------------------------------------------------------------------------

namespace {

void show_lesson(GuideState& g, Lesson lesson, const std::string& source) {
  const size_t n = lesson.steps.size();
  g.lesson = std::move(lesson);
  g.source = source;
  g.step = 0;
  g.drawn_step = -1;
  g.read.assign(n, 0);
  g.answers_shown.assign(n, {});
  for (size_t i = 0; i < n; ++i) g.answers_shown[i].assign(g.lesson->steps[i].questions.size(), 0);
  g.my_answers.assign(n, {});
  for (size_t i = 0; i < n; ++i)
    g.my_answers[i].assign(g.lesson->steps[i].questions.size(), std::array<char, 600>{});
  g.message.clear();
  g.message_error = false;
}

// Whether the lab's model (what Inside the network shows) has a conv layer; false with no model.
bool lab_model_has_conv_layer(const AppState& s) {
  if (!s.lab.model) return false;
  for (const LayerSpec& l : s.lab.model->spec().layers)
    if (l.kind == LayerKind::kConv2D) return true;
  return false;
}

std::string refuse(GuideState& g, const std::string& why) {
  g.message = why;
  g.message_error = true;
  return why;
}

}  // namespace

std::string App::open_lesson(const std::string& id) {
  GuideState& g = state_.guide;
  load_lesson_catalogue(g);
  for (const Lesson& l : g.catalogue)
    if (l.id == id) {
      show_lesson(g, l, "built-in");
      select_tab("guide");
      return "";
    }
  std::string known;
  for (const Lesson& l : g.catalogue) known += (known.empty() ? "" : ", ") + l.id;
  return refuse(g, "lesson '" + id + "' is not a built-in lesson (" + known +
                       "); a teacher's lesson is given by its URL");
}

std::string App::open_lesson_text(const std::string& text, const std::string& name) {
  GuideState& g = state_.guide;
  try {
    show_lesson(g, parse_lesson(text, "lesson " + name), name);
  } catch (const Error& e) {
    return refuse(g, e.what());  // the open lesson, if any, stays
  }
  select_tab("guide");
  return "";
}

std::string App::guide_go_to(int step) {
  GuideState& g = state_.guide;
  if (!g.lesson) return refuse(g, "goToStep: no lesson is open");
  const int n = static_cast<int>(g.lesson->steps.size());
  if (step < 1 || step > n)
    return refuse(g, "goToStep: step " + std::to_string(step) + " is not between 1 and " + std::to_string(n));
  g.step = step - 1;
  g.message.clear();
  g.message_error = false;
  select_tab("guide");
  return "";
}

std::string App::guide_set_up() {
  GuideState& g = state_.guide;
  if (!g.lesson) return refuse(g, "no lesson is open");
  const LessonAction& a = g.lesson->steps[static_cast<size_t>(g.step)].setup;
  std::string why;
  switch (a.kind) {
    case LessonAction::Kind::kNone: return "";
    case LessonAction::Kind::kShowPanel: {
      const bool needs_kernels = a.panel == "inside" || a.panel == "explain";
      if (needs_kernels && !lab_model_has_conv_layer(state_)) {
        // Inside the network shows the model the lab holds now: an MLP from another lesson has
        // no kernels to show ("no conv or pool layers"). Train the CNN again, as the lesson's
        // first step does, at the kernel size of the latest tested CNN.
        const LessonRun* cnn = latest_convolutional_run(guide_facts(state_));
        const int kernel = cnn && cnn->kernel > 0 ? cnn->kernel : 3;
        nlohmann::json options = {{"model", "cnn"}, {"dense", 0}, {"kernel", kernel}, {"epochs", 3}};
        if (!(why = configure(options)).empty()) return refuse(g, why);
        if (!(why = command(CommandType::kTrain)).empty()) return refuse(g, why);
        select_tab(a.panel);
        if (a.panel == "inside") state_.inside.maps_request = true;
        const std::string k = std::to_string(kernel) + "x" + std::to_string(kernel);
        g.message = std::string(cnn ? "The lab holds an MLP now, which has no kernels to show" :
                                      "No CNN has been trained yet") +
                    ": training a CNN with " + k + " kernels for 3 epochs. Its maps appear in "
                    "Inside the network as it trains.";
        g.message_error = false;
        return "";
      }
      select_tab(a.panel);
      if (a.panel == "inside") state_.inside.maps_request = true;  // not the sub-tab last left open
      break;
    }
    case LessonAction::Kind::kTrain: {
      nlohmann::json options = {{"model", a.model}, {"dense", 0}};
      if (a.kernel) options["kernel"] = a.kernel;
      if (a.epochs) options["epochs"] = a.epochs;
      if (a.match_cnn) {
        const LessonFacts facts = guide_facts(state_);
        const LessonRun* cnn = latest_convolutional_run(facts);
        if (!cnn) return refuse(g, "train and test a CNN first: this MLP is sized to its parameter count");
        try {
          options["dense"] = mlp_dense_matching(a.model, facts.input, facts.classes, PresetOptions{}, cnn->params);
        } catch (const Error& e) {
          return refuse(g, e.what());
        }
      }
      // New settings archive the last run and start a fresh one from the seed (Session).
      if (!(why = configure(options)).empty()) return refuse(g, why);
      if (!(why = command(CommandType::kTrain)).empty()) return refuse(g, why);
      break;
    }
    case LessonAction::Kind::kExperiment: {
      nlohmann::json options = {{"vary", a.vary}};
      // The base model as the lesson wants it, at its preset widths (a matched MLP's width from
      // an earlier step must not carry over to the CNN).
      if (!a.model.empty()) options.update({{"model", a.model}, {"dense", 0}});
      // The lab's own model becomes that base too, so the Model tab, Inside the network and the
      // Experiment tab's check all speak of the network the experiment trains (a matched MLP
      // left by an earlier step read "Cannot start ... on the mlp model" beside the running
      // experiment, and Inside had no feature maps to show).
      if (!a.model.empty() &&
          !(why = configure(nlohmann::json{{"model", a.model}, {"dense", 0}})).empty()) {
        return refuse(g, why);
      }
      if (!a.values.empty()) options["values"] = a.values;
      if (a.repeats) options["repeats"] = a.repeats;
      if (a.epochs) options["epochs"] = a.epochs;
      if (a.match_params) options["matchParams"] = true;
      if (!(why = start_experiment(options)).empty()) return refuse(g, why);
      break;
    }
  }
  g.message = describe_action(a);
  g.message_error = false;
  return "";
}

void App::apply_guide_requests() {
  GuideState& g = state_.guide;
  const GuideState::Request request = g.request;
  g.request = GuideState::Request::kNone;
  switch (request) {
    case GuideState::Request::kNone: break;
    case GuideState::Request::kOpenBuiltin: open_lesson(g.request_id); break;
    case GuideState::Request::kSetUp: guide_set_up(); break;
    case GuideState::Request::kClose:
      g.lesson.reset();
      g.message.clear();
      g.message_error = false;
      break;
  }
}

}  // namespace cnnlab
