// Inside-the-network panel: for a chosen test image (or an uploaded photo), every conv and pool
// layer's feature maps with a colour scale, each conv layer's filters (conv1 as RGB tiles, deeper
// ones as the mean over their input channels), and the receptive field of a clicked feature-map
// cell outlined on the input image. Maps are recomputed (inside_maps.h, on a private copy of the
// model) only when the weights version, the model or the image changes, so they follow training
// live without disturbing it.
//
// Layout: a fixed left column (image chooser result: the input enlarged, its prediction, the
// receptive field) and a scrolling right column (one section per layer), so the outlined input
// stays in view while a student scrolls to deeper layers.
//
// The panel has two sub-tabs over the same image: "Feature maps" (below) and "Explain one pixel"
// (panel_explain.cpp).
//
// [SECTION] Choosing the image
// [SECTION] Recomputing maps and grids
// [SECTION] Left column: the input and its receptive field
// [SECTION] Right column: layers
// [SECTION] Panel
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/eval_view.h"
#include "app/inside_view.h"
#include "app/panels.h"
#include "app/time_travel.h"
#include "core/error.h"
#include "core/rng.h"
#include "imgui.h"
#include "imgui_internal.h"  // the maps column's window rectangle (state().ui.controls)
#include "lab/conv_explainer.h"
#include "model/receptive_field.h"
#include "widgets/colors.h"
#include "widgets/heatmap.h"

namespace cnnlab {

namespace {

constexpr int kUploadImage = -2;  // InsideState::drawn_image for the uploaded photo

// ---- [SECTION] Choosing the image --------------------------------------------------------------

// The next test index after `from` in direction `step` (+1 / -1) whose true class passes the
// filter; wraps around; `from` itself when no other matches.
int step_image(const Dataset& test, int from, int step, int class_filter) {
  const int n = static_cast<int>(test.size());
  if (n == 0) return 0;
  for (int i = 1; i <= n; ++i) {
    int j = ((from + step * i) % n + n) % n;
    if (class_filter < 0 || test.labels[static_cast<size_t>(j)] == class_filter) return j;
  }
  return from;
}

void draw_image_chooser(AppState& state) {
  InsideState& in = state.inside;
  const Dataset& test = state.data.dataset.test;
  const int n = static_cast<int>(test.size());
  const float scale = state.ui.scale;
  if (in.use_upload) {
    ImGui::Text("Your photo: %s", in.upload_name.c_str());
    ImGui::SameLine();
    if (small_button(state, "Back to test images")) in.use_upload = false;
    ImGui::SameLine();
    if (small_button(state, "Another photo...")) state.files.requests.push_back(FileRequest::kClassifyPhoto);
    return;
  }
  if (n == 0) return;
  in.test_image = std::clamp(in.test_image, 0, n - 1);
  for (const Shortcut key : state.ui.shortcuts) {
    if (key == Shortcut::kNextImage) in.test_image = step_image(test, in.test_image, +1, in.class_filter);
    if (key == Shortcut::kPreviousImage) in.test_image = step_image(test, in.test_image, -1, in.class_filter);
  }
  // A phone: "<", the image slider and ">" on one line, the rest on the next (three lines of
  // controls above the maps took a third of the screen with touch-sized buttons).
  const bool compact = state.ui.narrow;
  if (ImGui::Button("<")) in.test_image = step_image(test, in.test_image, -1, in.class_filter);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Previous test image");
  ImGui::SameLine();
  if (compact) {
    const float arrow_w = ImGui::CalcTextSize(">").x + 2.0f * ImGui::GetStyle().FramePadding.x;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - arrow_w - ImGui::GetStyle().ItemSpacing.x);
    int shown = in.test_image + 1;
    if (ImGui::SliderInt("##test_image", &shown, 1, n, "test image %d")) {
      in.test_image = std::clamp(shown - 1, 0, n - 1);
    }
    item_tooltip("Drag to any test image.");
    ImGui::SameLine();
  }
  if (ImGui::Button(">")) in.test_image = step_image(test, in.test_image, +1, in.class_filter);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Next test image");
  if (!compact) ImGui::SameLine();
  if (ImGui::Button("Random")) {
    // Reproducible picks (no <random>): the k-th Random press always lands on the same image.
    Rng rng(0x1D5EEDull, in.random_draws++);
    int pick = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
    if (in.class_filter >= 0 && test.labels[static_cast<size_t>(pick)] != in.class_filter) {
      pick = step_image(test, pick, +1, in.class_filter);
    }
    in.test_image = pick;
  }
  ImGui::SameLine();
  const std::vector<std::string>& names = test.class_names;
  const char* current = in.class_filter >= 0 && in.class_filter < static_cast<int>(names.size())
                            ? names[static_cast<size_t>(in.class_filter)].c_str()
                            : "any class";
  const float photo_w =
      ImGui::CalcTextSize("Your photo...").x + 2.0f * ImGui::GetStyle().FramePadding.x;
  const float room = ImGui::GetContentRegionAvail().x -
                     (compact ? photo_w + ImGui::GetStyle().ItemSpacing.x : 0.0f);
  ImGui::SetNextItemWidth(std::min(140.0f * scale, std::max(80.0f * scale, room)));
  if (ImGui::BeginCombo("##class_filter", current)) {
    if (ImGui::Selectable("any class", in.class_filter < 0)) in.class_filter = -1;
    for (int c = 0; c < static_cast<int>(names.size()); ++c) {
      if (ImGui::Selectable(names[static_cast<size_t>(c)].c_str(), in.class_filter == c)) {
        in.class_filter = c;
        if (test.labels[static_cast<size_t>(in.test_image)] != c) {
          in.test_image = step_image(test, in.test_image, +1, c);
        }
      }
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Step through the test images of one class");
  // On the next line when it does not fit (a phone), rather than cut.
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x <
      ImGui::CalcTextSize("Your photo...").x + 2.0f * ImGui::GetStyle().FramePadding.x) {
    ImGui::NewLine();
  }
  if (ImGui::Button("Your photo...")) state.files.requests.push_back(FileRequest::kClassifyPhoto);  // files_actions
  item_tooltip("Classify your own PNG or JPEG (or drop it onto the lab): centre-cropped, "
               "resized to the model's input, with its feature maps here");
  if (compact) return;
  // Beside the buttons when there is room for a usable slider (a laptop's Results area), so the
  // feature maps below start one line higher.
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < 160.0f * scale) ImGui::NewLine();
  ImGui::SetNextItemWidth(-1.0f);
  int shown = in.test_image + 1;
  if (ImGui::SliderInt("##test_image", &shown, 1, n, "test image %d")) {
    in.test_image = std::clamp(shown - 1, 0, n - 1);
  }
}

// ---- [SECTION] Recomputing maps and grids ------------------------------------------------------

// Maps per-map normalised to [0, 1] (each map stretched to its own min..max).
std::vector<float> normalise_per_map(const LayerMaps& m) {
  std::vector<float> out(m.maps.size());
  const size_t plane = static_cast<size_t>(m.height) * static_cast<size_t>(m.width);
  for (int c = 0; c < m.channels; ++c) {
    const float* src = m.maps.data() + c * plane;
    float lo = 0, hi = 0;
    finite_range(src, plane, &lo, &hi);
    const float range = hi > lo ? hi - lo : 1.0f;
    for (size_t i = 0; i < plane; ++i) out[c * plane + i] = (src[i] - lo) / range;
  }
  return out;
}

// Signed values get the diverging map centred on 0; non-negative ones (after ReLU, pooling of
// ReLU outputs) the sequential one.
widgets::Colormap map_colormap(const LayerMaps& m) {
  return m.min < 0.0f ? widgets::Colormap::Diverging : widgets::Colormap::Viridis;
}

// The colour range of a layer under the per-layer scale: symmetric around 0 when signed.
void layer_range(const LayerMaps& m, float* lo, float* hi) {
  if (m.min < 0.0f) {
    const float a = std::max(std::fabs(m.min), std::fabs(m.max));
    *lo = -a;
    *hi = a;
  } else {
    *lo = m.min;
    *hi = m.max > m.min ? m.max : m.min + 1.0f;
  }
}

// Remakes every map and filter grid from in.maps / in.filters (grids of the same size keep their
// textures: updated in place every time the weights change).
void rebuild_grids(InsideState& in) {
  const InsideMaps& maps = in.maps;
  in.map_grids.resize(maps.layers.size());
  for (size_t i = 0; i < maps.layers.size(); ++i) {
    const LayerMaps& m = maps.layers[i];
    if (in.per_map_scale) {
      const std::vector<float> norm = normalise_per_map(m);
      in.map_grids[i].set_maps(norm.data(), m.channels, m.height, m.width, map_colormap(m), 0.0f,
                               1.0f);
    } else {
      float lo = 0, hi = 0;
      layer_range(m, &lo, &hi);
      in.map_grids[i].set_maps(m.maps.data(), m.channels, m.height, m.width, map_colormap(m), lo,
                               hi);
    }
  }
  in.filter_grids.resize(in.filters.size());
  for (size_t i = 0; i < in.filters.size(); ++i) {
    const LayerFilters& f = in.filters[i];
    const float a = f.abs_max > 0 ? f.abs_max : 1.0f;
    if (f.in_channels == 3) {
      // (Co, 3, k, k): each filter's input channels as R, G, B; grey is 0.
      in.filter_grids[i].set_rgb_maps(f.weights.data(), f.out_channels, f.kernel, f.kernel, -a, a);
    } else {
      const std::vector<float> mean = filter_mean_over_inputs(f);  // (Co, k, k)
      float lo = 0, hi = 0;
      finite_range(mean.data(), mean.size(), &lo, &hi);
      const float m = std::max({std::fabs(lo), std::fabs(hi), 1e-12f});
      in.filter_grids[i].set_maps(mean.data(), f.out_channels, f.kernel, f.kernel,
                                  widgets::Colormap::Diverging, -m, m);
    }
  }
}

}  // namespace

// The image the panel shows: the upload, or test image `test_image`, with its (C, H, W). Null
// when there is none.
const uint8_t* inside_image(const AppState& state, int* id, int* c, int* h, int* w) {
  const InsideState& in = state.inside;
  const Dataset& test = state.data.dataset.test;
  if (in.use_upload) {
    *id = kUploadImage;
    const Model* model = state.lab.model;
    if (!model || in.upload_image.empty()) return nullptr;
    const Shape& s = model->input_shape();
    *c = s[0];
    *h = s[1];
    *w = s[2];
    return in.upload_image.data();
  }
  if (test.size() == 0) return nullptr;
  *id = std::clamp(in.test_image, 0, static_cast<int>(test.size()) - 1);
  *c = test.channels;
  *h = test.height;
  *w = test.width;
  return test.image(static_cast<size_t>(*id));
}

void refresh_inside_maps(AppState& state) {
  InsideState& in = state.inside;
  const LabView& view = state.lab;
  int id = -1, channels = 0, height = 0, width = 0;
  const uint8_t* image = inside_image(state, &id, &channels, &height, &width);
  // The latest weights, or those of the epoch the time slider shows (time_travel.h).
  Model* model = shown_model(state);
  const uint64_t shown_serial = state.time_travel.shown_serial;
  const bool same = in.have_drawn && in.drawn_version == view.weights_version &&
                    in.drawn_shown_serial == shown_serial && in.drawn_model == model &&
                    in.drawn_image == id &&
                    in.drawn_test_size == state.data.dataset.test.size() &&
                    in.drawn_per_map == in.per_map_scale;
  if (same || !model || !image) return;
  if (in.drawn_shown_serial != shown_serial) in.model_copy.reset();  // other weights, same model
  in.have_drawn = true;
  in.drawn_version = view.weights_version;
  in.drawn_shown_serial = shown_serial;
  in.drawn_model = model;
  in.drawn_image = id;
  in.drawn_test_size = state.data.dataset.test.size();
  in.drawn_per_map = in.per_map_scale;
  in.error.clear();
  try {
    if (in.use_upload && in.upload_image.size() != static_cast<size_t>(channels) * height * width) {
      throw Error("feature maps", "the photo was not resized to the model's input " +
                                      model->input_shape().str());
    }
    in.model_copy.sync(*model, view.weights_version);
    in.maps = compute_inside_maps(*in.model_copy.model(), view.preprocess, image, channels,
                                  height, width);
    in.filters = conv_filters(*in.model_copy.model());
    for (LayerFilters& f : in.filters)
      f.change_since_start = weight_change_since_start(state, *in.model_copy.model(), f.layer);
  } catch (const std::exception& e) {
    in.error = e.what();
    in.maps = InsideMaps();
    in.filters.clear();
  }
  const InsideMaps& maps = in.maps;
  if (maps.channels > 0) {
    in.input_tile.set_images_chw(image, 1, maps.channels, maps.height, maps.width);
  } else {
    in.input_tile.clear();
  }
  rebuild_grids(in);
  // A selection from another model shape is meaningless: drop it.
  if (in.selected_layer >= static_cast<int>(maps.layers.size()) ||
      (in.selected_layer >= 0 &&
       (in.selected_row >= maps.layers[static_cast<size_t>(in.selected_layer)].height ||
        in.selected_col >= maps.layers[static_cast<size_t>(in.selected_layer)].width ||
        in.selected_map >= maps.layers[static_cast<size_t>(in.selected_layer)].channels))) {
    in.selected_layer = in.selected_map = in.selected_row = in.selected_col = -1;
  }
  ++in.maps_serial;
}

namespace {

// How far a conv layer's filters moved since the run's epoch 0, in numbers (a student asked why
// the first layer's filters "barely change after 3 epochs": a few percent does not show in the
// colours), and for the first conv layer why. Nothing without the run's epoch-0 snapshot.
void draw_filter_change(AppState& state, const LayerFilters& lf, bool first_conv) {
  if (!std::isfinite(lf.change_since_start)) return;
  const double percent = lf.change_since_start * 100.0;
  ImGui::Text(percent < 1.0 ? "Changed %.2f %% since epoch 0" : "Changed %.1f %% since epoch 0",
              percent);
  note_control(state.ui, "inside", "filterChange");
  item_tooltip("How far these weights moved since training began: the size of (weights now - "
               "weights at epoch 0) over the size of the weights at epoch 0.");
  if (!first_conv) return;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("They look alike because each step moves a weight only a little (learning "
                     "rate x gradient), most of it early: the colours barely show it, the number "
                     "does.");
  ImGui::PopStyleColor();
}

// ---- [SECTION] Left column: the input and its receptive field ----------------------------------

void draw_input_column(AppState& state) {
  InsideState& in = state.inside;
  const InsideMaps& maps = in.maps;
  const float scale = state.ui.scale;
  const std::vector<std::string>& names = state.data.dataset.test.class_names;
  // The image, its caption and top-3 bars fit without scrolling when the panel allows it.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float text_h = ImGui::GetTextLineHeightWithSpacing() * 6.5f;
  const float side = std::max(std::min(avail.x - 4.0f * scale, 96.0f * scale),
                              std::min(avail.x - 4.0f * scale, avail.y - text_h));

  widgets::ImageGridOptions options;
  options.columns = 1;
  options.tile_size = side / scale;
  options.ui_scale = scale;
  in.input_tile.draw("input", options);
  const ImVec2 a = ImGui::GetItemRectMin();
  const float tile = std::max(4.0f, options.tile_size * scale);  // as ImageGrid draws it
  ImDrawList* draw = ImGui::GetWindowDrawList();

  // The clicked cell's receptive field, outlined (dark under bright, visible on any image).
  InputRect rf;
  bool have_rf = false;
  if (in.selected_layer >= 0 && in.selected_layer < static_cast<int>(maps.layers.size()) &&
      in.model_copy.model()) {
    try {
      rf = receptive_field(in.model_copy.model()->spec(),
                           maps.layers[static_cast<size_t>(in.selected_layer)].layer,
                           in.selected_row, in.selected_col);
      have_rf = true;
    } catch (const std::exception&) {
      have_rf = false;
    }
  }
  // The hovered cell's field (last frame's hover), thin, so moving over a map previews fields.
  if (in.hover_layer >= 0 && in.hover_layer < static_cast<int>(maps.layers.size()) &&
      in.model_copy.model() && maps.width > 0 && maps.height > 0) {
    try {
      const InputRect h = receptive_field(in.model_copy.model()->spec(),
                                          maps.layers[static_cast<size_t>(in.hover_layer)].layer,
                                          in.hover_row, in.hover_col);
      const float px = tile / static_cast<float>(maps.width);
      const float py = tile / static_cast<float>(maps.height);
      draw->AddRect(ImVec2(a.x + h.left * px, a.y + h.top * py),
                    ImVec2(a.x + h.right * px, a.y + h.bottom * py), IM_COL32(0, 200, 255, 230),
                    0.0f, 0, 1.5f * scale);
    } catch (const std::exception&) {
    }
  }
  if (have_rf && maps.width > 0 && maps.height > 0) {
    const float px = tile / static_cast<float>(maps.width);
    const float py = tile / static_cast<float>(maps.height);
    const ImVec2 r0(a.x + rf.left * px, a.y + rf.top * py);
    const ImVec2 r1(a.x + rf.right * px, a.y + rf.bottom * py);
    draw->AddRect(r0, r1, IM_COL32(0, 0, 0, 220), 0.0f, 0, 4.0f * scale);
    draw->AddRect(r0, r1, IM_COL32(255, 200, 0, 255), 0.0f, 0, 2.0f * scale);
  }

  // Caption: what the image is, what the model says.
  if (in.use_upload) {
    ImGui::TextWrapped("%s", in.upload_name.c_str());
  } else if (in.test_image < static_cast<int>(state.data.dataset.test.size())) {
    const int truth = state.data.dataset.test.labels[static_cast<size_t>(in.test_image)];
    ImGui::Text("#%d: %s", in.test_image + 1,
                truth < static_cast<int>(names.size()) ? names[static_cast<size_t>(truth)].c_str()
                                                       : "?");
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%dx%d px, as the model sees it", maps.width, maps.height);
  ImGui::PopStyleColor();
  if (!maps.probabilities.empty()) {
    const std::vector<int> top =
        top_k(maps.probabilities.data(), static_cast<int>(maps.probabilities.size()), 3);
    const float bar_w = ImGui::GetContentRegionAvail().x;
    for (int c : top) {
      const float p = maps.probabilities[static_cast<size_t>(c)];
      char label[96];
      std::snprintf(label, sizeof label, "%s %.0f%%",
                    c < static_cast<int>(names.size()) ? names[static_cast<size_t>(c)].c_str() : "?",
                    p * 100.0f);
      const ImVec2 o = ImGui::GetCursorScreenPos();
      const float h = ImGui::GetTextLineHeight();
      draw->AddRectFilled(o, ImVec2(o.x + bar_w * p, o.y + h), widgets::series_color(0, 0.45f));
      ImGui::TextUnformatted(label);
    }
  }
  ImGui::Spacing();
  ImGui::PushTextWrapPos(0.0f);
  if (have_rf) {
    const LayerMaps& m = maps.layers[static_cast<size_t>(in.selected_layer)];
    ImGui::Text("%s, map %d, cell (%d, %d)", m.label.c_str(), in.selected_map + 1,
                in.selected_row, in.selected_col);
    ImGui::TextDisabled("sees %dx%d input pixels (rows %d-%d, columns %d-%d)%s",
                        rf.bottom - rf.top, rf.right - rf.left, rf.top, rf.bottom - 1, rf.left,
                        rf.right - 1, rf.full ? ": the whole image" : "");
  } else {
    // A finger has no hover: on a touch screen the tap is the whole story.
    ImGui::TextDisabled("%s", state.ui.embedding.touch
                                  ? "Tap a cell of any feature map to outline (yellow) the input "
                                    "pixels it sees."
                                  : "Click a cell of any feature map to outline (yellow) the input "
                                    "pixels it sees; the mouse previews it (blue).");
  }
  ImGui::PopTextWrapPos();
}

// ---- [SECTION] Right column: layers ------------------------------------------------------------

// A grid plus its colour scale on the right. Returns the grid's result; *origin is its top-left.
widgets::ImageGridResult grid_with_scale(const char* id, widgets::ImageGrid& grid, float tile,
                                         float lo, float hi, widgets::Colormap colormap,
                                         const char* format, int selected, float scale,
                                         ImVec2* origin, int* columns_out,
                                         float spacing_px = 2.0f) {
  const float scale_w = 64.0f * scale;
  const float spacing = spacing_px * scale;
  const float avail = ImGui::GetContentRegionAvail().x - scale_w;
  const int columns = std::max(1, static_cast<int>((avail + spacing) / (tile * scale + spacing)));
  widgets::ImageGridOptions options;
  options.columns = columns;
  options.tile_size = tile;
  options.selected = selected;
  options.spacing = spacing_px;
  options.ui_scale = scale;
  const ImVec2 start = ImGui::GetCursorScreenPos();
  widgets::ImageGridResult r = grid.draw(id, options);
  const ImVec2 end = ImGui::GetItemRectMax();
  *origin = start;
  *columns_out = columns;
  const int rows = (grid.count() + columns - 1) / columns;
  const float grid_h = end.y - start.y;
  ImGui::SameLine();
  const float line_h = ImGui::GetTextLineHeight();
  widgets::colour_scale(id, lo, hi, colormap,
                        ImVec2(scale_w - 8.0f * scale, std::max(grid_h, 3.0f * line_h)), format,
                        scale);
  (void)rows;
  return r;
}

void draw_layer(AppState& state, int index) {
  InsideState& in = state.inside;
  const LayerMaps& m = in.maps.layers[static_cast<size_t>(index)];
  const float scale = state.ui.scale;
  ImGui::PushID(index);
  // "Layer 1: conv2d 32 3x3 same + relu", or where that would be cut (a phone) the layer's
  // short name, "Layer 1: conv 1", as the pixel explainer names it (the line under the header
  // gives the maps' count and size).
  char header[160];
  std::snprintf(header, sizeof header, "Layer %d: %s###layer", m.layer + 1, m.label.c_str());
  const Model* copy = in.model_copy.model();
  const float header_room = ImGui::GetContentRegionAvail().x - 2.0f * ImGui::GetFontSize();
  if (copy && ImGui::CalcTextSize(header, nullptr, true).x > header_room) {
    const std::string title = layer_title(copy->spec(), m.layer);
    const std::string brief = title.substr(0, title.find(" ("));
    std::snprintf(header, sizeof header, "Layer %d: %s###layer", m.layer + 1, brief.c_str());
  }
  if (ImGui::CollapsingHeader(header, ImGuiTreeNodeFlags_DefaultOpen)) {
    // Tiles: 1.5 screen pixels per map pixel for big maps, never smaller than 28 px.
    // Smaller tiles in a narrow column (800x600) so a row holds more maps.
    const bool narrow = ImGui::GetContentRegionAvail().x < 360.0f * scale;
    const float tile = in.map_zoom * std::clamp(static_cast<float>(m.height) * (narrow ? 1.0f : 1.5f),
                                                narrow ? 24.0f : 28.0f, 48.0f);
    float lo = 0, hi = 1;
    const char* format = "%.1f";
    if (!in.per_map_scale) {
      layer_range(m, &lo, &hi);
      format = hi - lo < 0.1f ? "%.3f" : hi - lo < 10.0f ? "%.2f" : "%.1f";
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped(in.per_map_scale
                           ? "%d maps of %dx%d, values %.3g to %.3g; each map stretched to its own "
                             "range (0 = its min, 1 = its max)"
                           : "%d maps of %dx%d, values %.3g to %.3g, one colour scale for the layer",
                       m.channels, m.height, m.width, m.min, m.max);
    ImGui::PopStyleColor();
    ImVec2 origin;
    int columns = 1;
    const int selected = in.selected_layer == index ? in.selected_map : -1;
    widgets::ImageGridResult r =
        grid_with_scale("maps", in.map_grids[static_cast<size_t>(index)], tile, lo, hi,
                        map_colormap(m), format, selected, scale, &origin, &columns);
    if (r.hovered >= 0) {
      const int row = std::min(m.height - 1, static_cast<int>(r.hovered_uv.y * m.height));
      const int col = std::min(m.width - 1, static_cast<int>(r.hovered_uv.x * m.width));
      const float v = m.maps[(static_cast<size_t>(r.hovered) * m.height + row) * m.width + col];
      ImGui::SetTooltip("map %d, cell (%d, %d) = %.4g\nclick to outline its receptive field",
                        r.hovered + 1, row, col, v);
      in.hover_layer = index;
      in.hover_row = row;
      in.hover_col = col;
      if (r.clicked >= 0) {
        in.selected_layer = index;
        in.selected_map = r.clicked;
        in.selected_row = row;
        in.selected_col = col;
      }
    }
    // The clicked cell itself, outlined inside its tile.
    if (in.selected_layer == index && in.selected_map >= 0 && in.selected_map < m.channels) {
      const float t = tile * scale, sp = 2.0f * scale;
      const ImVec2 a(origin.x + (in.selected_map % columns) * (t + sp),
                     origin.y + (in.selected_map / columns) * (t + sp));
      const float cw = t / m.width, ch = t / m.height;
      const ImVec2 c0(a.x + in.selected_col * cw, a.y + in.selected_row * ch);
      ImGui::GetWindowDrawList()->AddRect(ImVec2(c0.x - 1, c0.y - 1),
                                          ImVec2(c0.x + cw + 1, c0.y + ch + 1),
                                          IM_COL32(255, 200, 0, 255), 0.0f, 0, 2.0f * scale);
    }

    // This conv layer's filters.
    for (size_t f = 0; f < in.filters.size(); ++f) {
      const LayerFilters& lf = in.filters[f];
      if (lf.layer != m.layer || f >= in.filter_grids.size()) continue;
      const float a = lf.abs_max > 0 ? lf.abs_max : 1.0f;
      if (lf.in_channels == 3) {
        ImGui::TextWrapped("Filters: %d, each %dx%dx3, drawn as RGB", lf.out_channels, lf.kernel,
                    lf.kernel);
        // The range on a line of its own: ImGui's word wrap may break a number at its '.'.
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("grey = 0, brighter channel = positive weight;");
        ImGui::Text("range +/-%.3g", a);
        ImGui::PopStyleColor();
      } else if (lf.in_channels == 1) {
        ImGui::TextWrapped("Filters: %d, each %dx%d", lf.out_channels, lf.kernel, lf.kernel);
      } else {
        ImGui::TextWrapped("Filters: %d, each %dx%d over %d inputs, drawn as their mean over inputs",
                    lf.out_channels, lf.kernel, lf.kernel, lf.in_channels);
      }
      draw_filter_change(state, lf, f == 0);
      // Whole screen pixels per weight, at least 6, so a 3x3 filter is visibly 3x3.
      const float per_pixel = std::max(6.0f, std::ceil(24.0f / lf.kernel));
      const float ftile = per_pixel * lf.kernel;
      ImVec2 forigin;
      int fcolumns = 1;
      float flo = -a, fhi = a;
      if (lf.in_channels != 3) {
        const std::vector<float> mean = filter_mean_over_inputs(lf);
        float l = 0, h = 0;
        finite_range(mean.data(), mean.size(), &l, &h);
        fhi = std::max({std::fabs(l), std::fabs(h), 1e-12f});
        flo = -fhi;
      }
      ImGui::PushID(static_cast<int>(f));
      if (lf.in_channels == 3) {
        // RGB tiles have no single colour map: the grid alone.
        widgets::ImageGridOptions options;
        options.tile_size = ftile;
        options.spacing = 6.0f;  // filters apart, so each is seen as one k x k tile
        options.ui_scale = scale;
        widgets::ImageGridResult fr = in.filter_grids[f].draw("filters", options);
        if (fr.hovered >= 0) ImGui::SetTooltip("filter %d of %s", fr.hovered + 1, lf.label.c_str());
      } else {
        widgets::ImageGridResult fr =
            grid_with_scale("filters", in.filter_grids[f], ftile, flo, fhi,
                            widgets::Colormap::Diverging, "%.2f", -1, scale, &forigin, &fcolumns,
                            6.0f);
        if (fr.hovered >= 0) ImGui::SetTooltip("filter %d of %s", fr.hovered + 1, lf.label.c_str());
      }
      ImGui::PopID();
    }
    ImGui::Spacing();
  }
  ImGui::PopID();
}

void draw_layers_column(AppState& state) {
  InsideState& in = state.inside;
  in.hover_layer = in.hover_row = in.hover_col = -1;  // set again below while a cell is hovered
  if (state.ui.narrow) {
    // A phone: one control, not a label and two radio buttons on two lines.
    int choice = in.per_map_scale ? 1 : 0;
    const char* scales[] = {"colour per layer", "colour per map"};
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::Combo("##colour_scale", &choice, scales, 2)) in.per_map_scale = choice == 1;
    item_tooltip("Per layer: one colour scale for all of a layer's maps, so they compare. Per "
                 "map: each map stretched to its own range, so faint ones show their pattern.");
  } else {
    ImGui::TextUnformatted("Colour scale:");
    ImGui::SameLine();
    if (ImGui::RadioButton("per layer", !in.per_map_scale)) in.per_map_scale = false;
    // On the next line when it does not fit, rather than cut.
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("per map").x +
                                               ImGui::GetFrameHeight() +
                                               ImGui::GetStyle().ItemInnerSpacing.x) {
      ImGui::NewLine();
    }
    if (ImGui::RadioButton("per map", in.per_map_scale)) in.per_map_scale = true;
  }
  // Map size: on a phone the maps are small; a student can enlarge them (or shrink them to see a
  // whole layer at once), with the buttons' steps or by pinching the maps (any size between).
  // The grid wraps to the column's width at any size.
  constexpr float kZoomSteps[] = {0.5f, 0.75f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f};
  constexpr int kZoomCount = static_cast<int>(sizeof kZoomSteps / sizeof kZoomSteps[0]);
  const ImGuiWindow* maps_window = ImGui::GetCurrentWindow();
  note_control_rect(state.ui, "inside", "maps", maps_window->Pos,
                    ImVec2(maps_window->Pos.x + maps_window->Size.x,
                           maps_window->Pos.y + maps_window->Size.y));
  if (state.ui.pinch_zoom != 1.0f && ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) {
    in.map_zoom = std::clamp(in.map_zoom * state.ui.pinch_zoom, kZoomSteps[0],
                             kZoomSteps[kZoomCount - 1]);
  }
  float smaller = in.map_zoom, larger = in.map_zoom;  // the steps either side of the size now
  for (int i = kZoomCount - 1; i >= 0; --i)
    if (kZoomSteps[i] < in.map_zoom - 1e-3f) { smaller = kZoomSteps[i]; break; }
  for (int i = 0; i < kZoomCount; ++i)
    if (kZoomSteps[i] > in.map_zoom + 1e-3f) { larger = kZoomSteps[i]; break; }
  // Square buttons a frame high: with the touch style 40 CSS pixels each way, a finger's size.
  const ImVec2 step_button(ImGui::GetFrameHeight(), ImGui::GetFrameHeight());
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(state.ui.narrow ? "Size" : "Map size:");
  ImGui::SameLine();
  ImGui::BeginDisabled(smaller == in.map_zoom);
  if (ImGui::Button("-##map_smaller", step_button)) in.map_zoom = smaller;
  note_control(state.ui, "inside", "mapSmaller");
  ImGui::EndDisabled();
  item_tooltip("Smaller feature maps: more of them in a row. On a touch screen, pinch the maps.");
  ImGui::SameLine();
  ImGui::Text("%.0f %%", in.map_zoom * 100.0f);
  ImGui::SameLine();
  ImGui::BeginDisabled(larger == in.map_zoom);
  if (ImGui::Button("+##map_larger", step_button)) in.map_zoom = larger;
  note_control(state.ui, "inside", "mapLarger");
  ImGui::EndDisabled();
  item_tooltip("Larger feature maps: easier to see what each one responds to. On a touch "
               "screen, spread two fingers on the maps.");
  if (in.maps.layers.empty()) {
    empty_state("This model has no conv or pool layers.",
                "An MLP flattens the image straight away, so there are no feature maps to show. "
                "Choose cnn1, cnn or vgg in the Model panel.");
    return;
  }
  for (int i = 0; i < static_cast<int>(in.maps.layers.size()); ++i) draw_layer(state, i);
}

}  // namespace

// ---- [SECTION] Panel ---------------------------------------------------------------------------

std::string show_photo_inside(AppState& state, std::vector<uint8_t> image, const std::string& name) {
  const Model* model = state.lab.model;
  if (!model) return "There is no model yet: build or train one first.";
  const Shape& s = model->input_shape();  // (C, H, W)
  if (image.size() != s.count()) {
    return "The photo has " + std::to_string(image.size()) + " values; the model takes " +
           s.str() + ".";
  }
  InsideState& in = state.inside;
  in.upload_image = std::move(image);
  in.upload_name = name;
  in.use_upload = true;
  in.have_drawn = false;  // recompute with the photo
  state.ui.right_tab_request = 0;
  return {};
}

void draw_inside_panel(AppState& state) {
  refresh_eval_state(state);
  InsideState& in = state.inside;
  if (!state.data.loaded) {
    empty_state("No network to look inside yet.",
                "Once a dataset is loaded and a model is built, pick a test image here to see "
                "each conv and pool layer's feature maps, the filters, and the receptive field "
                "of any feature-map cell you click. They update live while the model trains.");
    return;
  }
  if (!state.lab.model) {
    empty_state("No weights yet.",
                "Start training (or press Step once) in the Training panel: this tab then shows "
                "a test image's feature maps at every conv and pool layer and the filters, and "
                "follows the weights live while the model trains.");
    return;
  }
  if (state.data.dataset.test.size() == 0 && !in.use_upload) {
    empty_state("The dataset has no test images.",
                "Feature maps are shown for a test image; this dataset has no test split.");
    return;
  }
  draw_time_slider(state, "inside_time");
  draw_image_chooser(state);
  refresh_inside_maps(state);
  if (!in.error.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(0.85f, 0.3f, 0.2f, 1.0f), "Cannot show feature maps: %s",
                       in.error.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  // Two views of the same image: every layer's maps, or one output pixel worked out by hand.
  if (ImGui::BeginTabBar("##inside_views", tab_bar_flags(state.ui))) {
    const ImGuiTabItemFlags maps_flags = in.maps_request ? ImGuiTabItemFlags_SetSelected : 0;
    if (begin_tab_noted(state.ui, "inside", "Feature maps", maps_flags)) {
      item_tooltip("Every conv and pool layer's maps for this image, and the filters.");
      const float scale = state.ui.scale;
      const float width = ImGui::GetContentRegionAvail().x;
      const float left_w = std::clamp(width * 0.3f, 130.0f * scale, 240.0f * scale);
      ImGui::BeginChild("##inside_input", ImVec2(left_w, 0), false);
      draw_input_column(state);
      ImGui::EndChild();
      ImGui::SameLine();
      ImGui::BeginChild("##inside_layers", ImVec2(0, 0), false);
      draw_layers_column(state);
      end_child_noted(state.ui, "insideMaps");
      ImGui::EndTabItem();
    } else {
      item_tooltip("Every conv and pool layer's maps for this image, and the filters.");
    }
    const ImGuiTabItemFlags where_flags = in.where_request ? ImGuiTabItemFlags_SetSelected : 0;
    if (begin_tab_noted(state.ui, "inside", "Where it looks", where_flags)) {
      item_tooltip("Which pixels the network's answer for this image depends on: four ways to "
                   "ask, each explained in a sentence.");
      ImGui::BeginChild("##inside_where", ImVec2(0, 0), false);
      draw_attribution_view(state);
      end_child_noted(state.ui, "insideWhere");
      ImGui::EndTabItem();
    } else {
      item_tooltip("Which pixels the network's answer for this image depends on: four ways to "
                   "ask, each explained in a sentence.");
    }
    const ImGuiTabItemFlags flags = in.explain_request ? ImGuiTabItemFlags_SetSelected : 0;
    if (begin_tab_noted(state.ui, "inside", "Explain one pixel", flags)) {
      item_tooltip("One output pixel worked out step by step: patch x kernel, summed, plus bias.");
      in.explain_shown = true;
      ImGui::BeginChild("##inside_explain", ImVec2(0, 0), false);
      draw_explain_pixel_view(state);
      end_child_noted(state.ui, "insideExplain");
      ImGui::EndTabItem();
    } else {
      item_tooltip("One output pixel worked out step by step: patch x kernel, summed, plus bias.");
    }
    ImGui::EndTabBar();
  }
  in.explain_request = false;
  in.where_request = false;
  in.maps_request = false;
}

}  // namespace cnnlab
