// The Guide tab's lessons (lab/lesson.h): the facts a lesson reads from the app's typed state,
// the guide's part of state(), and the App's guide methods (app.h, "Guide"), defined in
// guide_actions.cpp. panel_guide.cpp draws the tab.
#pragma once

#include <nlohmann/json.hpp>

#include "app/app_state.h"

namespace cnnlab {

// What the open lesson's checks and placeholders read: the dataset, every tested run (the
// trainer's history, earlier workers' runs first) and the latest experiment.
LessonFacts guide_facts(const AppState& state);

// Whether step i of the open lesson is done now.
bool guide_step_done(const AppState& state, const LessonFacts& facts, size_t i);

// state().guide: {lesson (id), title, source, step (1-based), steps, completed: [1-based step
// numbers done], stepTitle, text (the shown step's, numbers filled in), setUp (what its button
// does, "" for none), done (what completes it), questions: [{question, answer}], message,
// messageError}, or null when no lesson is open.
nlohmann::json guide_state_json(const AppState& state);

// The built-in lessons, parsed on first use (GuideState::catalogue).
void load_lesson_catalogue(GuideState& guide);

// In words, what a check needs ("a finished and tested mlp run") and what an action does
// ("trains mlp for 5 epochs"): the panel's status line and the button's tooltip.
std::string describe_check(const LessonCheck& check);
std::string describe_action(const LessonAction& action);

}  // namespace cnnlab
