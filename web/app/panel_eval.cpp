// Evaluation panel: test accuracy and loss; the confusion matrix as a heatmap with counts (click a
// cell to see its test images); per-class precision / recall / F1; a paged gallery of test
// predictions with top-3 bars, correct in green and wrong in red. Everything comes from the lab's
// test results (LabView via refresh_eval_state); before a run was evaluated the panel says so
// and shows no numbers.
//
// [SECTION] Confusion matrix
// [SECTION] Per-class table
// [SECTION] Prediction gallery
// [SECTION] Panel
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/eval_view.h"
#include "app/panels.h"
#include "core/text_format.h"
#include "app/time_travel.h"
#include "imgui.h"
#include "widgets/colors.h"
#include "widgets/heatmap.h"

namespace cnnlab {

namespace {

constexpr ImU32 kCorrect = IM_COL32(40, 170, 70, 255);
constexpr ImU32 kWrong = IM_COL32(215, 50, 40, 255);

// Short unique column labels ("air", "aut", ...): full names do not fit above 10 narrow columns;
// the rows carry the full names in the same order.
std::vector<std::string> abbreviations(const std::vector<std::string>& names) {
  for (size_t len = 3; len <= 12; ++len) {
    std::vector<std::string> out;
    for (const std::string& n : names) out.push_back(n.substr(0, len));
    std::vector<std::string> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) return out;
  }
  return names;
}

// ---- [SECTION] Confusion matrix ----------------------------------------------------------------

// The live matrix (the validation split while a run trains): the selected cell's validation
// images as the trainer sent them (training images set aside, so the app has no copy of its own).
void draw_validation_cell_images(AppState& state) {
  EvalState& eval = state.eval;
  const std::vector<std::string>& names = state.data.dataset.test.class_names;
  ImGui::PushTextWrapPos(0.0f);
  if (eval.selected_true < 0 || eval.selected_pred < 0) {
    ImGui::TextDisabled("This live matrix counts the validation images (set aside from the "
                        "training set) after each epoch: watch the diagonal fill up. Click a cell "
                        "to see its images.");
    ImGui::PopTextWrapPos();
    return;
  }
  const std::optional<ValidationCell>& cell = state.training.validation_cell;
  const bool answered = cell && cell->run == eval.seen_validation_run &&
                        cell->epoch == eval.validation_epoch &&
                        cell->true_class == eval.selected_true &&
                        cell->predicted == eval.selected_pred;
  if (!answered) {
    ImGui::TextDisabled("Fetching the validation images of this cell...");
    ImGui::PopTextWrapPos();
    return;
  }
  if (eval.validation_grid_epoch != cell->epoch || eval.validation_grid_true != cell->true_class ||
      eval.validation_grid_pred != cell->predicted) {
    eval.validation_grid.set_images_chw(cell->pixels.data(), cell->shown(), cell->channels,
                                        cell->height, cell->width);
    eval.validation_grid_epoch = cell->epoch;
    eval.validation_grid_true = cell->true_class;
    eval.validation_grid_pred = cell->predicted;
  }
  const bool right = cell->true_class == cell->predicted;
  const auto name = [&](int c) {
    return c < static_cast<int>(names.size()) ? names[static_cast<size_t>(c)] : std::to_string(c);
  };
  std::string line = "true " + name(cell->true_class) + ", predicted " + name(cell->predicted) +
                     " after epoch " + std::to_string(cell->epoch) + ": " +
                     std::to_string(cell->count) + " validation image" +
                     (cell->count == 1 ? "" : "s");
  if (cell->shown() < cell->count) line += " (the first " + std::to_string(cell->shown()) + ")";
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(right ? kCorrect : kWrong), "%s",
                     line.c_str());
  ImGui::PopTextWrapPos();
  if (cell->shown() == 0) return;
  widgets::ImageGridOptions options;
  options.tile_size = 40.0f;
  options.ui_scale = state.ui.scale;
  eval.validation_grid.draw("validation_cell_images", options);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("Validation images: training images set aside to check each epoch. Which "
                     "ones land in this cell changes as the network learns. Once the run is "
                     "tested, the matrix counts the test images instead.");
  ImGui::PopStyleColor();
}

void draw_cell_images(AppState& state) {
  EvalState& eval = state.eval;
  const Dataset& test = state.data.dataset.test;
  const std::vector<std::string>& names = test.class_names;
  const float scale = state.ui.scale;
  if (eval.validation_epoch > 0) {
    draw_validation_cell_images(state);
    return;
  }
  if (eval.selected_true < 0 || eval.selected_pred < 0) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("Click a cell of the matrix to see its test images: the diagonal holds "
                        "the images the model got right, every other cell one kind of mistake.");
    ImGui::PopTextWrapPos();
    return;
  }
  if (eval.predicted.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", shown_run(state)
                                  ? "Per-image predictions are kept for the current run only."
                                  : "Per-image predictions are not available for this evaluation.");
    ImGui::PopTextWrapPos();
    return;
  }
  if (eval.cell_grid_true != eval.selected_true || eval.cell_grid_pred != eval.selected_pred) {
    eval.cell_images =
        images_in_cell(eval.predicted, test.labels, eval.selected_true, eval.selected_pred);
    std::vector<uint8_t> pixels;
    pixels.reserve(eval.cell_images.size() * test.image_bytes());
    for (int i : eval.cell_images) {
      const uint8_t* p = test.image(static_cast<size_t>(i));
      pixels.insert(pixels.end(), p, p + test.image_bytes());
    }
    eval.cell_grid.set_images_chw(pixels.data(), static_cast<int>(eval.cell_images.size()),
                                  test.channels, test.height, test.width);
    eval.cell_grid_true = eval.selected_true;
    eval.cell_grid_pred = eval.selected_pred;
  }
  const bool right = eval.selected_true == eval.selected_pred;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(right ? kCorrect : kWrong),
                     "true %s, predicted %s: %d image%s",
                     names[static_cast<size_t>(eval.selected_true)].c_str(),
                     names[static_cast<size_t>(eval.selected_pred)].c_str(),
                     static_cast<int>(eval.cell_images.size()),
                     eval.cell_images.size() == 1 ? "" : "s");
  ImGui::PopTextWrapPos();
  if (eval.cell_images.empty()) return;
  widgets::ImageGridOptions options;
  options.tile_size = 40.0f;
  options.ui_scale = scale;
  widgets::ImageGridResult r = eval.cell_grid.draw("cell_images", options);
  if (r.hovered >= 0 && r.hovered < static_cast<int>(eval.cell_images.size())) {
    ImGui::SetTooltip("test image %d", eval.cell_images[static_cast<size_t>(r.hovered)] + 1);
  }
  if (r.clicked >= 0 && r.clicked < static_cast<int>(eval.cell_images.size())) {
    // Look inside the network at this image.
    state.inside.test_image = eval.cell_images[static_cast<size_t>(r.clicked)];
    state.inside.use_upload = false;
    state.ui.right_tab_request = 0;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("Click an image to look inside the network at it.");
  ImGui::PopStyleColor();
}

void draw_confusion(AppState& state) {
  EvalState& eval = state.eval;
  const std::vector<std::string>& names = state.data.dataset.test.class_names;
  const int classes = static_cast<int>(names.size());
  if (classes == 0 || eval.confusion.size() != static_cast<size_t>(classes * classes)) {
    ImGui::TextDisabled("The test results do not match this dataset's classes.");
    return;
  }
  const float scale = state.ui.scale;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool side_by_side = avail.x >= 560.0f * scale;
  const float width = side_by_side ? avail.x * 0.58f : avail.x;
  const float height = std::clamp(avail.y, 220.0f * scale, width);

  // Column labels: short names when they fit the cells, else the heatmap numbers the columns and
  // the rows say which number is which class ("cat 3"). Where even that leaves cells too small
  // for the largest count (a phone: 173 on the diagonal would be left out), the rows are numbered
  // too and a key under the matrix names the classes. The cell size is computed as heatmap()
  // lays out.
  enum class RowLabels { kNames, kNamesAndNumbers, kNumbers };
  const std::vector<std::string> short_names = abbreviations(names);
  const float line_h = ImGui::GetTextLineHeight();
  const float pad = 4.0f * scale;
  auto row_label = [&](size_t c, RowLabels kind) {
    return kind == RowLabels::kNames             ? names[c]
           : kind == RowLabels::kNamesAndNumbers ? names[c] + " " + std::to_string(c)
                                                 : std::to_string(c);
  };
  const float key_h = 3.0f * line_h;  // room kept for the key under a numbered matrix
  auto cell_size = [&](RowLabels kind) {
    float label_w = 0;
    for (size_t c = 0; c < names.size(); ++c)
      label_w = std::max(label_w, ImGui::CalcTextSize(row_label(c, kind).c_str()).x);
    const float grid_w = width - 60.0f * scale - pad - (label_w + 3 * pad + line_h);
    const float grid_h = height - pad - (2 * line_h + 2 * pad) -
                         (kind == RowLabels::kNumbers ? key_h : 0.0f);
    return std::min(grid_w / classes, grid_h / classes);
  };
  float short_w = 0;
  for (const std::string& n : short_names) short_w = std::max(short_w, ImGui::CalcTextSize(n.c_str()).x);
  const bool numbered = short_w >= cell_size(RowLabels::kNames) - 1.0f;
  // The largest count at 80 % of the font (the heatmap shrinks values down to 60 %).
  float largest = 0;
  for (float v : eval.confusion) largest = std::max(largest, v);
  char largest_text[32];
  std::snprintf(largest_text, sizeof largest_text, "%.0f", static_cast<double>(largest));
  const float count_w = ImGui::CalcTextSize(largest_text).x * 0.8f + 3.0f;
  // Numbers only where that makes the counts fit (a matrix short of height gains nothing).
  const bool numbers_only = numbered && cell_size(RowLabels::kNamesAndNumbers) < count_w &&
                            cell_size(RowLabels::kNumbers) >= count_w;
  const RowLabels row_kind = !numbered     ? RowLabels::kNames
                             : numbers_only ? RowLabels::kNumbers
                                            : RowLabels::kNamesAndNumbers;
  std::vector<std::string> row_names;
  for (size_t c = 0; c < names.size(); ++c) row_names.push_back(row_label(c, row_kind));
  std::vector<const char*> rows, cols;
  for (const std::string& n : row_names) rows.push_back(n.c_str());
  for (const std::string& n : short_names) cols.push_back(n.c_str());
  widgets::HeatmapOptions options;
  options.row_labels = rows.data();
  options.col_labels = numbered ? nullptr : cols.data();
  // Over a column of digits the row title would run into the column labels: the key says it.
  options.row_title = "true class";
  options.draw_row_title = row_kind != RowLabels::kNumbers;
  std::vector<const char*> full_names;
  for (const std::string& n : names) full_names.push_back(n.c_str());
  options.hover_row_labels = full_names.data();
  options.hover_col_labels = full_names.data();
  options.value_title = eval.validation_epoch > 0 ? "validation images" : "test images";
  options.col_title = "predicted class";
  options.selected_row = eval.selected_true;
  options.selected_col = eval.selected_pred;
  options.ui_scale = scale;
  ImGui::BeginGroup();
  const float map_h = row_kind == RowLabels::kNumbers ? height - key_h : height;
  widgets::HeatmapResult r = widgets::heatmap("confusion", eval.confusion.data(), classes, classes,
                                              ImVec2(width, map_h), options);
  if (row_kind == RowLabels::kNumbers) {
    std::string key = "Rows: the true class. Classes:";
    for (size_t c = 0; c < names.size(); ++c)
      key += (c ? ", " : " ") + std::to_string(c) + " " + names[c];
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    ImGui::TextDisabled("%s", key.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndGroup();
  // For tests and assistive tools: where the cells are (rows: true class, columns: predicted).
  note_control_rect(state.ui, "eval", "confusionCells", r.cells_min, r.cells_max);
  if (r.clicked_row >= 0) {
    eval.selected_true = r.clicked_row;
    eval.selected_pred = r.clicked_col;
  }
  if (side_by_side) ImGui::SameLine();
  ImGui::BeginChild("##cell_images", ImVec2(0, side_by_side ? height : 0), false);
  draw_cell_images(state);
  ImGui::EndChild();
}

// ---- [SECTION] Per-class table -----------------------------------------------------------------

void bar_cell(float value, ImU32 color) {
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = ImGui::GetTextLineHeight();
  ImGui::GetWindowDrawList()->AddRectFilled(o, ImVec2(o.x + w * std::clamp(value, 0.0f, 1.0f), o.y + h),
                                            color);
  ImGui::Text("%.3f", value);
}

void draw_per_class(AppState& state) {
  const EvalState& eval = state.eval;
  const std::vector<std::string>& names = state.data.dataset.test.class_names;
  const size_t classes = std::min(names.size(), eval.precision.size());
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("per_class", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("class", ImGuiTableColumnFlags_WidthStretch, 1.4f);
  ImGui::TableSetupColumn("images", ImGuiTableColumnFlags_WidthStretch, 0.8f);
  ImGui::TableSetupColumn("precision", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("recall", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("F1", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  double sum_p = 0, sum_r = 0, sum_f = 0;
  const ImU32 bar = widgets::series_color(0, 0.35f);
  for (size_t c = 0; c < classes; ++c) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(names[c].c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%zu", c < eval.support.size() ? eval.support[c] : size_t{0});
    ImGui::TableNextColumn();
    bar_cell(eval.precision[c], bar);
    ImGui::TableNextColumn();
    bar_cell(eval.recall[c], bar);
    ImGui::TableNextColumn();
    bar_cell(eval.f1[c], widgets::series_color(1, 0.35f));
    sum_p += eval.precision[c];
    sum_r += eval.recall[c];
    sum_f += eval.f1[c];
  }
  if (classes > 0) {
    const double k = static_cast<double>(classes);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("mean (macro)");
    ImGui::TableNextColumn();
    ImGui::Text("%zu", eval.test_count);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", sum_p / k);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", sum_r / k);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", sum_f / k);
  }
  end_table_noted(state.ui, "per_class", static_cast<int>(classes) + (classes > 0 ? 1 : 0));
}

// ---- [SECTION] Prediction gallery --------------------------------------------------------------

constexpr int kCardsPerPage = 12;
// "sure but wrong" shows this many of the most confident mistakes (two pages), not every mistake:
// the point is the few the model was surest of.
constexpr size_t kMostConfidentMistakes = 24;

void draw_gallery(AppState& state) {
  EvalState& eval = state.eval;
  const Dataset& test = state.data.dataset.test;
  // The shown epoch's probabilities while the time slider shows one (time_travel.h).
  const EpochEvaluation* epoch = shown_evaluation(state);
  const std::vector<float>* probs = epoch ? &epoch->probabilities : state.lab.test_probabilities;
  const int classes = static_cast<int>(test.class_names.size());
  const float scale = state.ui.scale;
  if (eval.predicted.empty() || !probs) {
    ImGui::TextDisabled(shown_run(state) ? "Per-image predictions are kept for the current run only."
                                         : "Per-image predictions are not available for this evaluation.");
    return;
  }
  ImGui::RadioButton("all", &eval.gallery_filter, 0);
  item_tooltip("Every test image with the model's prediction.");
  ImGui::SameLine();
  ImGui::RadioButton("wrong", &eval.gallery_filter, 1);
  item_tooltip("Only the test images the model got wrong: look for what they have in common.");
  ImGui::SameLine();
  ImGui::RadioButton("correct", &eval.gallery_filter, 2);
  item_tooltip("Only the test images the model got right.");
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("sure but wrong").x + 40.0f * scale)
    ImGui::NewLine();
  ImGui::RadioButton("sure but wrong", &eval.gallery_filter, 3);
  item_tooltip("The model's 24 most confident mistakes: the wrong test images to which it gave "
               "its (wrong) answer the highest probability. Often a look at them shows why.");
  std::vector<int> shown;
  for (size_t i = 0; i < eval.predicted.size(); ++i) {
    const bool correct = eval.predicted[i] == test.labels[i];
    const bool wanted = eval.gallery_filter == 0 || (eval.gallery_filter == 2 && correct) ||
                        ((eval.gallery_filter == 1 || eval.gallery_filter == 3) && !correct);
    if (wanted) shown.push_back(static_cast<int>(i));
  }
  if (eval.gallery_filter == 3) {
    // Most confident first: the probability of the predicted (wrong) class; ties by index.
    const auto confidence = [&](int i) {
      return (*probs)[static_cast<size_t>(i) * static_cast<size_t>(classes) +
                      static_cast<size_t>(eval.predicted[static_cast<size_t>(i)])];
    };
    std::stable_sort(shown.begin(), shown.end(),
                     [&](int a, int b) { return confidence(a) > confidence(b); });
  }
  const size_t mistakes = shown.size();
  if (eval.gallery_filter == 3 && shown.size() > kMostConfidentMistakes)
    shown.resize(kMostConfidentMistakes);
  const int pages = std::max(1, static_cast<int>((shown.size() + kCardsPerPage - 1) / kCardsPerPage));
  eval.gallery_page = std::clamp(eval.gallery_page, 0, pages - 1);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##prev_page", ImGuiDir_Left)) eval.gallery_page = std::max(0, eval.gallery_page - 1);
  ImGui::SameLine();
  ImGui::Text("page %d of %d", eval.gallery_page + 1, pages);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next_page", ImGuiDir_Right)) {
    eval.gallery_page = std::min(pages - 1, eval.gallery_page + 1);
  }
  ImGui::SameLine();
  if (eval.gallery_filter == 3 && mistakes > shown.size()) {
    ImGui::TextDisabled("(the %d surest of %d mistakes)", static_cast<int>(shown.size()),
                        static_cast<int>(mistakes));
  } else {
    ImGui::TextDisabled("(%d images)", static_cast<int>(shown.size()));
  }
  if (shown.empty()) {
    ImGui::TextDisabled(eval.gallery_filter == 2 ? "No test image is predicted right yet."
                                                 : "No mistakes on the test split.");
    return;
  }

  // The page's images, one 1-tile grid per card (remade when the page or filter changes).
  if (eval.gallery_drawn_page != eval.gallery_page ||
      eval.gallery_drawn_filter != eval.gallery_filter) {
    eval.gallery_indices.clear();
    const size_t first = static_cast<size_t>(eval.gallery_page) * kCardsPerPage;
    for (size_t i = first; i < std::min(shown.size(), first + kCardsPerPage); ++i) {
      eval.gallery_indices.push_back(shown[i]);
    }
    eval.gallery_tiles.resize(eval.gallery_indices.size());
    for (size_t i = 0; i < eval.gallery_indices.size(); ++i) {
      eval.gallery_tiles[i].set_images_chw(test.image(static_cast<size_t>(eval.gallery_indices[i])),
                                           1, test.channels, test.height, test.width);
    }
    eval.gallery_drawn_page = eval.gallery_page;
    eval.gallery_drawn_filter = eval.gallery_filter;
  }

  const float line_h = ImGui::GetTextLineHeight();
  const float image = std::max(48.0f * scale, 3.0f * line_h + 8.0f * scale);
  const float card_w = image + 150.0f * scale;
  const float card_h = image + line_h + 10.0f * scale;
  const float gap = 6.0f * scale;
  const float avail = ImGui::GetContentRegionAvail().x;
  const int per_row = std::max(1, static_cast<int>((avail + gap) / (card_w + gap)));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (size_t n = 0; n < eval.gallery_indices.size(); ++n) {
    const int idx = eval.gallery_indices[n];
    const int truth = test.labels[static_cast<size_t>(idx)];
    const float* p = probs->data() + static_cast<size_t>(idx) * classes;
    const bool correct = eval.predicted[static_cast<size_t>(idx)] == truth;
    if (n % per_row != 0) ImGui::SameLine(0.0f, gap);
    ImGui::PushID(static_cast<int>(n));
    // The card is a group: the image (its own 1-tile grid) at the top-left, then a dummy of the
    // card's size so the layout advances by whole cards.
    ImGui::BeginGroup();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(o.x + 4.0f * scale, o.y + 4.0f * scale));
    widgets::ImageGridOptions options;
    options.columns = 1;
    options.tile_size = image / scale;
    options.ui_scale = scale;
    eval.gallery_tiles[n].draw("img", options);
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(card_w, card_h));
    ImGui::EndGroup();
    const ImVec2 card_max(o.x + card_w, o.y + card_h);
    const bool hovered = ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(o, card_max);
    const bool clicked = hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left);
    draw->AddRect(o, card_max, correct ? kCorrect : kWrong, 3.0f * scale, 0, 2.0f * scale);
    char text[96];
    std::snprintf(text, sizeof text, "true: %s", test.class_names[static_cast<size_t>(truth)].c_str());
    draw->PushClipRect(o, ImVec2(o.x + card_w, o.y + card_h), true);
    draw->AddText(ImVec2(o.x + 4.0f * scale, o.y + image + 6.0f * scale),
                  correct ? kCorrect : kWrong, text);
    // Top-3 bars to the right of the image.
    const float bx = o.x + image + 10.0f * scale;
    const float bw = card_w - image - 14.0f * scale;
    const std::vector<int> top = top_k(p, classes, 3);
    for (size_t t = 0; t < top.size(); ++t) {
      const int c = top[t];
      const float y = o.y + 4.0f * scale + t * (line_h + 3.0f * scale);
      const ImU32 col = c == truth ? IM_COL32(40, 170, 70, 110)
                                   : (t == 0 ? IM_COL32(215, 50, 40, 110) : IM_COL32(128, 128, 128, 80));
      draw->AddRectFilled(ImVec2(bx, y), ImVec2(bx + bw * std::clamp(p[c], 0.0f, 1.0f), y + line_h), col);
      std::snprintf(text, sizeof text, "%s %.0f%%", test.class_names[static_cast<size_t>(c)].c_str(),
                    p[c] * 100.0f);
      draw->AddText(ImVec2(bx + 2.0f * scale, y), widgets::text_color(), text);
    }
    draw->PopClipRect();
    if (hovered) ImGui::SetTooltip("test image %d: click to look inside the network at it", idx + 1);
    if (clicked) {
      state.inside.test_image = idx;
      state.inside.use_upload = false;
      state.ui.right_tab_request = 0;
    }
    ImGui::PopID();
  }
}

}  // namespace

// ---- [SECTION] Panel ---------------------------------------------------------------------------

namespace {

// Which results the panel shows: the current run's, or any run of the log (the Runs tab).
void draw_run_chooser(AppState& state) {
  const std::vector<RunLogEntry>& entries = state.runs.log.entries();
  const bool any = std::any_of(entries.begin(), entries.end(),
                               [](const RunLogEntry& e) { return !e.confusion.empty(); });
  if (!any) {
    state.runs.shown = 0;
    return;
  }
  auto label = [](const RunLogEntry& e) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "#%d %s: %s, test %s (epoch %d)", e.number,
                  e.source.c_str(), e.model_text().c_str(), percent(e.test_accuracy).c_str(),
                  e.test_epoch);
    return std::string(buf);
  };
  const RunLogEntry* shown = shown_run(state);
  if (!shown) state.runs.shown = 0;
  const std::string current = shown ? label(*shown) : std::string("The current run");
  ImGui::TextUnformatted("Showing");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
  const bool open = ImGui::BeginCombo("##shown_run", current.c_str());
  item_tooltip("Which run's test results this panel shows: the current run, or an earlier one "
               "from the run log (to compare confusion matrices).");
  if (open) {
    if (ImGui::Selectable("The current run", state.runs.shown == 0)) state.runs.shown = 0;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      if (it->confusion.empty()) continue;
      ImGui::PushID(it->number);
      if (ImGui::Selectable(label(*it).c_str(), state.runs.shown == it->number))
        state.runs.shown = it->number;
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
}

}  // namespace

void draw_eval_panel(AppState& state) {
  draw_run_chooser(state);
  draw_time_slider(state, "eval_time");
  refresh_eval_state(state);
  EvalState& eval = state.eval;
  const TimeTravelState& tt = state.time_travel;
  if (tt.shown_run > 0 && !shown_evaluation(state)) {
    // The shown epoch's model is being evaluated (a slice per frame; time_travel.h).
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("Testing the network after epoch %d on the %zu test images: %.0f %%",
                tt.shown_epoch, state.data.dataset.test.size(),
                shown_evaluation_progress(state) * 100.0);
    ImGui::PopTextWrapPos();
    return;
  }
  if (!eval.evaluated && !state.runs.log.empty()) {
    empty_state("No evaluation of the current run yet.",
                "Pick a finished run in Showing above (or click it in the Runs tab) to see its "
                "confusion matrix and per-class metrics; the current run's appear here when it "
                "ends.");
    return;
  }
  if (!eval.evaluated) {
    empty_state("No evaluation yet.",
                "When a training run ends, the model is evaluated on the test split: accuracy and "
                "loss, the confusion matrix (click a cell to see its images), per-class "
                "precision, recall and F1, and a gallery of predictions appear here.");
    return;
  }
  if (eval.validation_epoch > 0) {
    // The live matrix: the validation split after the latest epoch of the run in progress.
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("Validation accuracy %s    loss %.4f    on %zu validation images",
                percent(eval.test_acc).c_str(), eval.test_loss, eval.test_count);
    ImGui::TextDisabled("After epoch %d of %d, updated at the end of every epoch. The test split "
                        "is evaluated when the run ends.",
                        eval.validation_epoch, state.training.epochs);
    ImGui::PopTextWrapPos();
  } else {
    // Wrapped: a narrow page would cut the line off.
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("Test accuracy %s    loss %.4f    on %zu test images",
                percent(eval.test_acc).c_str(), eval.test_loss, eval.test_count);
    ImGui::PopTextWrapPos();
  }
  if (tt.shown_run > 0) {
    ImGui::PushTextWrapPos(0.0f);
    const EpochSnapshot& snap = tt.store.get(tt.shown_run, tt.shown_epoch);
    if (snap.record && std::isfinite(snap.record->val_accuracy)) {
      ImGui::TextDisabled("Run %d after epoch %d (validation accuracy then %s).", tt.shown_run,
                          tt.shown_epoch, percent(snap.record->val_accuracy).c_str());
    } else {
      ImGui::TextDisabled("Run %d after epoch %d%s.", tt.shown_run, tt.shown_epoch,
                          tt.shown_epoch == 0 ? ": the untrained network, guessing" : "");
    }
    ImGui::PopTextWrapPos();
  } else if (const RunLogEntry* shown = shown_run(state)) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s, %s; weights of epoch %d. Per-image predictions are kept for the "
                        "current run only.",
                        shown->model_text().c_str(), shown->settings_text().c_str(),
                        shown->test_epoch);
    ImGui::PopTextWrapPos();
  } else if (state.training.reported && state.training.status.test_epoch) {
    // A line of its own, as the shown epoch's above: going back to the latest weights does not
    // move what is below by a line (a student's next click would land on another control).
    ImGui::TextDisabled("Run %d tested with the weights of epoch %d.", state.training.run,
                        *state.training.status.test_epoch);
  }
  // Weights loaded from a file (File > Load model) say so: the run has no curves of its own.
  if (!state.training.status.model_file.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("   weights from %s", state.training.status.model_file.c_str());
  }
  if (ImGui::BeginTabBar("##eval_tabs")) {
    if (begin_tab_noted(state.ui, "evaluation", "Confusion matrix", 0)) {
      ImGui::BeginChild("##confusion", ImVec2(0, 0), false);
      draw_confusion(state);
      end_child_noted(state.ui, "confusion");
      ImGui::EndTabItem();
    }
    if (begin_tab_noted(state.ui, "evaluation", "Per class", 0)) {
      draw_per_class(state);
      ImGui::EndTabItem();
    }
    if (begin_tab_noted(state.ui, "evaluation", "Predictions", 0)) {
      ImGui::BeginChild("##gallery", ImVec2(0, 0), false);
      draw_gallery(state);
      end_child_noted(state.ui, "gallery");
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
}

}  // namespace cnnlab
