// The File menu (save/load the model, export weights and curves, classify your own photo) and the
// notice that reports each file action's outcome at the bottom of the window. The actions
// themselves are the App's (files_actions.cpp): the menu only queues requests in FilesState.
#include <algorithm>
#include <cstdio>

#include "app/files_actions.h"
#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

namespace {

void muted(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextUnformatted(text);
  ImGui::PopStyleColor();
}

// A labelled path field of the desktop's File menu (the browser picks files with its own dialog).
void path_input(const char* label, const char* id, char* path, size_t size, float scale) {
  muted(label);
  ImGui::SetNextItemWidth(320.0f * scale);
  ImGui::InputText(id, path, size);
}

}  // namespace

void draw_file_menu(AppState& state) {
  FilesState& f = state.files;
  const bool have_model = state.lab.model != nullptr;
  const float scale = state.ui.scale;
  // Desktop: the model file's path (Save writes it, Load reads it).
  if (!kFilesInBrowser) path_input("Model file", "##model_path", f.model_path, sizeof f.model_path, scale);
  // While the time slider shows an earlier epoch the label says the file holds the latest
  // weights, not the epoch on screen (Export weights saves that one).
  const bool showing_earlier = state.time_travel.shown_run > 0;
  const char* save_label = kFilesInBrowser
                               ? (showing_earlier ? "Save model, latest weights (download .cnnlab)"
                                                  : "Save model (download .cnnlab)")
                               : (showing_earlier ? "Save model, latest weights" : "Save model");
  if (ImGui::MenuItem(save_label, nullptr, false, have_model)) {
    f.requests.push_back(FileRequest::kSaveModel);
  }
  item_tooltip(showing_earlier
                   ? ("The current run's network with its latest weights, not epoch " +
                      std::to_string(state.time_travel.shown_epoch) +
                      " that the time slider shows (Export weights below saves that epoch's).")
                         .c_str()
                   : "The current run's network, settings and latest weights in one file that "
                     "Load model (here or on another computer) brings back.");
  const int run = state.training.run;
  const size_t kept = run > 0 ? state.time_travel.store.epochs(run).size() : 0;
  if (ImGui::MenuItem(kFilesInBrowser ? "Save model with its epochs (.cnnlab)"
                                      : "Save model with its epochs",
                      nullptr, false, have_model && kept > 1)) {
    f.requests.push_back(FileRequest::kSaveModelEpochs);
  }
  item_tooltip(kept > 1 ? ("The model file plus the weights after each of the " +
                           std::to_string(kept) + " epochs kept of run " + std::to_string(run) +
                           " (a bigger file), for looking back at how it learned.")
                              .c_str()
                        : ("The model file plus the weights after each kept epoch of the current "
                           "run, once it has finished an epoch. The current run is run " +
                           std::to_string(run) +
                           (state.training.step == 0 && run > 1
                                ? ", which has not trained yet (changing a setting starts a new "
                                  "run): save a run before changing its settings."
                                : "."))
                              .c_str());
  // Read-only pages (an instructor's fixed exercise) keep their settings: no model replaces them.
  if (ImGui::MenuItem(kFilesInBrowser ? "Load model (.cnnlab)..." : "Load model", nullptr, false,
                      state.data.loaded && !state.ui.embedding.read_only)) {
    f.requests.push_back(FileRequest::kLoadModel);
  }
  ImGui::Separator();
  const TimeTravelState& tt = state.time_travel;
  char npz_label[96] = "Export weights (.npz, PyTorch layout)";
  if (tt.shown_run > 0)
    std::snprintf(npz_label, sizeof npz_label, "Export weights of run %d, epoch %d (.npz)",
                  tt.shown_run, tt.shown_epoch);
  if (ImGui::MenuItem(npz_label, nullptr, false, have_model)) {
    f.requests.push_back(FileRequest::kExportNpz);
  }
  item_tooltip("The network's weights as a NumPy archive, named and shaped as PyTorch's "
               "nn.Sequential. While the time slider shows an epoch, that epoch's weights.");
  if (ImGui::MenuItem("Export curves (CSV)")) f.requests.push_back(FileRequest::kExportCurvesCsv);
  if (ImGui::MenuItem("Export curves (JSON)")) f.requests.push_back(FileRequest::kExportCurvesJson);
  if (ImGui::MenuItem("Export run log (CSV)")) f.requests.push_back(FileRequest::kExportRunsCsv);
  if (ImGui::MenuItem("Export run log (JSON)")) f.requests.push_back(FileRequest::kExportRunsJson);
  ImGui::Separator();
  if (!kFilesInBrowser)
    path_input("Photo (PNG or JPEG)", "##photo_path", f.photo_path, sizeof f.photo_path, scale);
  if (ImGui::MenuItem(kFilesInBrowser ? "Classify your own photo..." : "Classify photo", nullptr, false,
                      have_model)) {
    f.requests.push_back(FileRequest::kClassifyPhoto);
  }
  if (kFilesInBrowser) {
    // Your own dataset: the page reads the file, the training worker decodes every image
    // (web/page/mount.js, loadUpload). Read-only pages keep the instructor's dataset.
    ImGui::Separator();
    const bool may_load = !state.ui.embedding.read_only;
    if (ImGui::MenuItem("Load dataset (.zip, .tar, .tar.gz, .pack)...", nullptr, false, may_load)) {
      f.requests.push_back(FileRequest::kLoadDataset);
    }
    item_tooltip("Train on your own pictures: an archive with one folder of images per class.");
    if (ImGui::MenuItem("  Fit images to 32x32 colour", nullptr, !f.dataset_grey, may_load)) {
      f.dataset_grey = false;
    }
    item_tooltip("Each picture is cropped to its centre and shrunk to 32x32 colour pixels, like CIFAR-10.");
    if (ImGui::MenuItem("  Fit images to 28x28 grey", nullptr, f.dataset_grey, may_load)) {
      f.dataset_grey = true;
    }
    item_tooltip("Each picture is cropped, shrunk to 28x28 and made grey, like MNIST digits.");
    if (ImGui::MenuItem("Download dataset (.pack)", nullptr, false, state.data.loaded)) {
      f.requests.push_back(FileRequest::kDownloadDataset);
    }
    item_tooltip("Save the current dataset as one file a teacher can host and link with ?pack=.");
    if (ImGui::MenuItem("Webcam classes...", nullptr, false, may_load)) {
      f.requests.push_back(FileRequest::kWebcamClasses);
    }
    item_tooltip("Record your own classes with the camera, train on them, then watch the network "
                 "guess what the camera sees.");
  }
  if (!kFilesInBrowser) {
    // The desktop reads a dataset by path: a pack, an archive of class folders, a folder of
    // class folders, CIFAR-10's binary folder or Fashion-MNIST's IDX files.
    ImGui::Separator();
    path_input("Dataset (file or folder)", "##dataset_path", f.dataset_path, sizeof f.dataset_path,
               scale);
    if (ImGui::MenuItem("Load dataset", nullptr, false, f.dataset_path[0] != '\0')) {
      f.requests.push_back(FileRequest::kLoadDataset);
    }
    item_tooltip("Train on the dataset at this path: a .pack, a .tar/.tar.gz of one folder of "
                 "images per class, such a folder itself, or CIFAR-10 / Fashion-MNIST files.");
  }
  // Short enough for a phone's menu (390 px wide).
  if (kFilesInBrowser) muted("Tip: drop a photo, model or dataset here.");
  else muted("Tip: drop a photo or a .cnnlab file onto the window.");
}

namespace {
// The notice's strip: a margin around it, its padding, the Close button's room on the right.
struct FilesNoticeMetrics {
  float margin, text_width, height_per_line, padding_y;
};
FilesNoticeMetrics files_notice_metrics(const AppState& state) {
  const float scale = state.ui.scale;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float close_w = ImGui::CalcTextSize("Close").x + 2.0f * style.FramePadding.x;
  const float width = ImGui::GetIO().DisplaySize.x;
  return {4.0f * scale,
          std::max(width - 8.0f * scale - 2.0f * style.WindowPadding.x - close_w -
                       style.ItemSpacing.x * 2.0f, 60.0f * scale),
          ImGui::GetTextLineHeightWithSpacing(), style.WindowPadding.y};
}

bool files_notice_showing(const FilesState& f) {
  if (f.notice.empty() || f.notice_time < 0) return false;
  // Successes fade after 10 s; errors stay until dismissed or replaced.
  return f.notice_error || ImGui::GetTime() - f.notice_time <= 10.0;
}
}  // namespace

float lay_out_files_notice(AppState& state) {
  FilesState& f = state.files;
  f.notice_lines.clear();
  f.notice_shortened = false;
  if (!files_notice_showing(f)) return 0.0f;
  const FilesNoticeMetrics m = files_notice_metrics(state);
  f.notice_shortened = wrap_at_spaces(f.notice, m.text_width, &f.notice_lines);
  const float lines = static_cast<float>(std::max<size_t>(f.notice_lines.size(), 1));
  const float height = std::max(lines * m.height_per_line - ImGui::GetStyle().ItemSpacing.y,
                                ImGui::GetFrameHeight()) +
                       2.0f * m.padding_y + 2.0f * m.margin;
  f.notice_top = ImGui::GetIO().DisplaySize.y - height;
  return height;
}

void draw_files_notice(AppState& state) {
  FilesState& f = state.files;
  if (f.notice_lines.empty()) return;
  const FilesNoticeMetrics m = files_notice_metrics(state);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  // The whole width along the bottom edge, in the room the layout left for it (app.cpp): the
  // panels above it stay whole (it used to lie over the training statistics).
  ImGui::SetNextWindowPos(ImVec2(m.margin, f.notice_top + m.margin), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(display.x - 2.0f * m.margin,
                                  display.y - f.notice_top - 2.0f * m.margin),
                           ImGuiCond_Always);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, f.notice_error ? ImVec4(0.55f, 0.12f, 0.10f, 0.96f)
                                                          : ImVec4(0.12f, 0.32f, 0.18f, 0.96f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 1.0f, 1.0f, 1.0f));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
  if (ImGui::Begin("##files_notice", nullptr, flags)) {
    ImGui::BeginGroup();
    for (const std::string& line : f.notice_lines) ImGui::TextUnformatted(line.c_str());
    ImGui::EndGroup();
    // A shortened file name: the whole notice when the pointer rests on it.
    if (f.notice_shortened) item_tooltip(f.notice.c_str());
    const float close_w = ImGui::CalcTextSize("Close").x + 2.0f * ImGui::GetStyle().FramePadding.x;
    ImGui::SameLine(ImGui::GetWindowWidth() - close_w - ImGui::GetStyle().WindowPadding.x);
    if (ImGui::Button("Close")) f.notice.clear();
    item_tooltip("Hide this message.");
  }
  ImGui::End();
  ImGui::PopStyleColor(2);
}

}  // namespace cnnlab
