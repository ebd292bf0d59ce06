// Evaluation panel: test accuracy and loss, the confusion matrix as a heatmap with counts (click a
// cell to see its images), per-class precision / recall / F1.
#include <vector>

#include "app/panels.h"
#include "imgui.h"
#include "widgets/heatmap.h"

namespace cnnlab {

void draw_eval_panel(AppState& state) {
  EvalState& eval = state.eval;
  if (!eval.evaluated) {
    empty_state("No evaluation yet.",
                "After training, the model is evaluated on the test split: accuracy and loss, "
                "the confusion matrix (click a cell to see its images) and per-class precision, "
                "recall and F1 appear here.");
    return;
  }
  ImGui::Text("Test accuracy %.1f %%    Test loss %.4f", eval.test_acc * 100.0f, eval.test_loss);
  const size_t classes = state.data.source.train.class_names.size();
  if (classes == 0 || eval.confusion.size() != classes * classes) return;
  std::vector<const char*> names;
  for (const std::string& n : state.data.source.train.class_names) names.push_back(n.c_str());
  widgets::HeatmapOptions options;
  options.row_labels = names.data();
  options.col_labels = names.data();
  options.row_title = "true class";
  options.col_title = "predicted class";
  options.selected_row = eval.selected_true;
  options.selected_col = eval.selected_pred;
  options.ui_scale = state.ui.scale;
  widgets::HeatmapResult r = widgets::heatmap("confusion", eval.confusion.data(),
                                              static_cast<int>(classes), static_cast<int>(classes),
                                              ImVec2(0, 0), options);
  if (r.clicked_row >= 0) {
    eval.selected_true = r.clicked_row;
    eval.selected_pred = r.clicked_col;
  }
}

}  // namespace cnnlab
