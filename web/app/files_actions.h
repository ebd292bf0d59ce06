// Files a student keeps or brings to the lab: the trained model (a model file with the lab's
// settings; lab/lab_model_file.h), its weights as .npz (PyTorch layout), every run's curves as
// CSV or JSON, and their own photo to classify. The App's methods (app.h, "Files") are defined in
// files_actions.cpp; the File menu and the notice that reports each outcome in panel_files.cpp.
// The same paths serve the menu, drag-and-drop onto the canvas and the JavaScript API.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/app_state.h"

namespace cnnlab {

// In the page, files are downloads and the page's file chooser; on the desktop they are paths
// typed into the File menu's fields.
#ifdef __EMSCRIPTEN__
constexpr bool kFilesInBrowser = true;
#else
constexpr bool kFilesInBrowser = false;
#endif

// state().files for the JavaScript API: {notice, noticeError, photo (the last classified
// photo: {name, width, height, input: [C, H, W], top3: [{label, class, probability}],
// probabilities}, or null), modelFile (where the current weights came from, or null)}.
nlohmann::json files_state_json(const AppState& state);

// Shows a file action's outcome in the app (a notice at the bottom of the window; errors in red
// until the next action or dismissed).
void set_files_notice(AppState& state, const std::string& text, bool error);

// Every run's per-epoch records (Session::history()) as CSV, by the engine's one writer
// (train/history_csv.h, also `cnnlab train`'s history.csv): one row per epoch,
// run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,testLoss
// (unknown values empty; testAcc/testLoss on each run's last epoch row, once evaluated).
std::string curves_csv(const std::vector<RunRecord>& history);

// What the page's file chooser offers for Load dataset: image-folder archives and packs.
constexpr const char* kDatasetFileTypes =
    ".zip,.tar,.gz,.tgz,.pack,application/zip,application/x-tar,application/gzip";

// The File menu's items (inside ImGui::BeginMenu("File"); panel_files.cpp) and the notice.
void draw_file_menu(AppState& state);
// The notice is a strip of its own along the window's bottom edge (the areas end above it, so it
// covers nothing): lay_out_files_notice breaks it into lines for this frame's width and returns
// the strip's height (0: no notice), before the layout; draw_files_notice draws it.
float lay_out_files_notice(AppState& state);
void draw_files_notice(AppState& state);

}  // namespace cnnlab
