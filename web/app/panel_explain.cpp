// Inside the network > "Explain one pixel": one output pixel of a conv (or pool) layer of the
// current model on the chosen image, worked out in front of the student (lab/conv_explainer.h):
// the kernel's window on the layer's input (padding cells marked), the input patch, the weights,
// their products, the per-input-channel sums, + bias = the output, next to the value the engine's
// own forward pass wrote at that pixel; where the window sits (stride and padding arithmetic with
// the layer's numbers), the pixel's receptive field on the image and how it grows layer by layer
// for kernels 3, 5 and 7. Prev / Next / Play step the kernel across the output in reading order
// (Play is off when the reader's system asks for reduced motion); a click on the output map picks
// a pixel. The JavaScript API's explainPixel shows a pixel here and returns the same numbers.
//
// Layers are numbered as the Inside panel's headers and the model summary number them (the
// model's layers from 1, ReLUs included) and named by kind ("conv 1", "max pool after conv 1").
//
// [SECTION] Choosing layer, channel and pixel
// [SECTION] Pictures: the input with the kernel's window, the output map, the receptive field
// [SECTION] Number grids: patch, weights, products
// [SECTION] Where the window sits: stride and padding
// [SECTION] Sums and the output
// [SECTION] Receptive field growth
// [SECTION] View
// [SECTION] JavaScript API
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/inside_view.h"
#include "app/panels.h"
#include "core/error.h"
#include "imgui.h"
#include "lab/conv_explainer.h"
#include "model/receptive_field.h"
#include "widgets/colors.h"

namespace cnnlab {

// File-local helpers in a named namespace: the app is compiled in unity batches, where every
// file's anonymous namespace is one (panel_inside.cpp's helpers share it).
namespace explain_view {

constexpr double kPlayStepSeconds = 0.6;  // Play: one pixel on every 0.6 s (readable numbers)
constexpr int kChannelRowsShown = 8;      // the per-input-channel table lists at most this many

// ---- [SECTION] Choosing layer, channel and pixel -----------------------------------------------

bool is_pool(LayerKind kind) {
  return kind == LayerKind::kMaxPool2D || kind == LayerKind::kAvgPool2D;
}

// "conv 1 (3x3, 32 filters)" without its details: "conv 1", "max pool after conv 1".
std::string brief_title(const ModelSpec& spec, int layer) {
  const std::string title = layer_title(spec, layer);
  const size_t paren = title.find(" (");
  return paren == std::string::npos ? title : title.substr(0, paren);
}

// The maps a layer reads, named for a caption: "layer 3 (max pool after conv 1)", or for the
// ReLU right after a conv "layer 1 (conv 1) after ReLU" (the ReLU has no maps of its own in
// the Inside panel: the conv's are shown after it).
std::string input_maps_name(const ModelSpec& spec, int layer) {
  const int before = layer - 1;
  if (before < 0) return "the image";
  const LayerKind kind = spec.layers[static_cast<size_t>(before)].kind;
  if (kind == LayerKind::kReLU && before >= 1) {
    return "layer " + std::to_string(before) + " (" + brief_title(spec, before - 1) +
           ") after ReLU";
  }
  return "layer " + std::to_string(before + 1) + " (" + brief_title(spec, before) + ")";
}

// Index into in.maps.layers of the explained layer (its model index explain_layer), choosing the
// first conv layer, on its liveliest map and pixel, when none or a vanished one was chosen; -1
// when the model has none.
int explained_entry(InsideState& in) {
  const std::vector<LayerMaps>& layers = in.maps.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].layer == in.explain_layer) return static_cast<int>(i);
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].kind == LayerKind::kConv2D) {
      in.explain_layer = layers[i].layer;
      const MapPixel p = lively_pixel(layers[i]);
      in.explain_channel = p.channel;
      in.explain_y = p.y;
      in.explain_x = p.x;
      in.explain_input_channel = 0;
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Moves the explanation to layer `to` at the same place in the image. A pool keeps the maps of
// the conv right before it (and that conv the pool's), so the map stays when stepping between
// the two; any other move shows the map brightest at that place.
void choose_layer(InsideState& in, int from_entry, int to_entry) {
  const LayerMaps& from = in.maps.layers[static_cast<size_t>(from_entry)];
  const LayerMaps& to = in.maps.layers[static_cast<size_t>(to_entry)];
  int y = 0, x = 0;
  same_place(in.explain_y, in.explain_x, from.height, from.width, to.height, to.width, &y, &x);
  const bool same_maps = std::abs(from_entry - to_entry) == 1 && from.channels == to.channels &&
                         (is_pool(from.kind) || is_pool(to.kind));
  in.explain_layer = to.layer;
  in.explain_y = y;
  in.explain_x = x;
  if (!same_maps) in.explain_channel = brightest_map_at(to, y, x);
  in.explain_input_channel = 0;
}

// Keeps channel and pixel inside the layer's output.
void clamp_selection(InsideState& in, const LayerMaps& m) {
  in.explain_channel = std::clamp(in.explain_channel, 0, std::max(0, m.channels - 1));
  in.explain_y = std::clamp(in.explain_y, 0, std::max(0, m.height - 1));
  in.explain_x = std::clamp(in.explain_x, 0, std::max(0, m.width - 1));
}

// One step of the kernel in reading order (left to right, then the next row), wrapping around.
void step_pixel(InsideState& in, const LayerMaps& m, int step) {
  const int count = m.height * m.width;
  if (count <= 0) return;
  const int at = ((in.explain_y * m.width + in.explain_x + step) % count + count) % count;
  in.explain_y = at / m.width;
  in.explain_x = at % m.width;
}

// The next item on this line when `width` of it fits there, else on the next line.
void same_line_if_fits(float width) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

// How much of the window the view takes (wide layout only: narrow, it has the window already).
void draw_room_choice(AppState& state) {
  if (state.ui.narrow) return;
  InsideState& in = state.inside;
  struct Choice {
    ExplainRoom room;
    const char* label;
    const char* tooltip;
  };
  static const Choice kChoices[3] = {
      {ExplainRoom::kShared, "Small",
       "Share the right column with the curves, as the other Results tabs do."},
      {ExplainRoom::kColumn, "Tall",
       "The whole right column (the curves step aside while this view is open): room for the "
       "grids and the sums without much scrolling."},
      {ExplainRoom::kWindow, "Whole window",
       "The whole window, setup and training panels hidden while this view is open; pick Tall "
       "or Small (or another tab) to bring them back."}};
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("View:");
  item_tooltip("How much of the window this explanation takes while it is open.");
  for (const Choice& c : kChoices) {
    ImGui::SameLine();
    if (ImGui::RadioButton(c.label, in.explain_room == c.room)) in.explain_room = c.room;
    item_tooltip(c.tooltip);
  }
}

void draw_controls(AppState& state, int entry, const ModelSpec& spec) {
  InsideState& in = state.inside;
  const LayerMaps& m = in.maps.layers[static_cast<size_t>(entry)];
  const float scale = state.ui.scale;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float combo_w = std::min(avail, 300.0f * scale);
  ImGui::SetNextItemWidth(combo_w);
  char current[160];
  std::snprintf(current, sizeof current, "Layer %d: %s", m.layer + 1,
                layer_title(spec, m.layer).c_str());
  int chosen = -1;
  if (ImGui::BeginCombo("##explain_layer", current)) {
    for (size_t i = 0; i < in.maps.layers.size(); ++i) {
      const LayerMaps& l = in.maps.layers[i];
      char item[160];
      std::snprintf(item, sizeof item, "Layer %d: %s", l.layer + 1,
                    layer_title(spec, l.layer).c_str());
      if (ImGui::Selectable(item, l.layer == in.explain_layer)) chosen = static_cast<int>(i);
    }
    // Why the numbers skip some (1, 3, 4, 6): the model summary counts every layer.
    ImGui::Separator();
    ImGui::TextDisabled("Missing numbers: a ReLU is shown with the conv before it;");
    ImGui::TextDisabled("flatten, dropout and dense layers have no maps.");
    ImGui::EndCombo();
  }
  item_tooltip(
      "The layer whose output pixel is worked out, numbered as in the Inside panel and the "
      "model summary, which count every layer: the list skips the ReLUs (each is shown with the "
      "conv before it) and the layers without maps. Layer 1 looks at the image itself; a deeper "
      "conv layer adds up what it sees in every map of the layer before. Another layer keeps "
      "the same place in the image.");
  same_line_if_fits(150.0f * scale);
  int channel = in.explain_channel + 1;
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, 150.0f * scale));
  if (ImGui::SliderInt("##explain_channel", &channel, 1, std::max(1, m.channels), "map %d")) {
    in.explain_channel = std::clamp(channel - 1, 0, m.channels - 1);
  }
  item_tooltip(is_pool(m.kind)
                   ? "Which of the layer's maps (channels). Pooling works on each map on its own."
                   : "Which output map (channel) of the layer: each has its own kernel, so "
                     "another map shows other weights over the same input patch.");

  // Stepping: reading order, as the kernel slides.
  if (ImGui::Button("|<")) in.explain_y = in.explain_x = 0;
  item_tooltip("Back to the top-left output pixel.");
  ImGui::SameLine();
  if (ImGui::Button("< Prev")) step_pixel(in, m, -1);
  item_tooltip("Move the kernel one step back (to the left, or to the end of the row above).");
  ImGui::SameLine();
  if (ImGui::Button("Next >")) step_pixel(in, m, +1);
  item_tooltip(
      "Move the kernel one step on (to the right, or to the start of the next row): the "
      "same weights, a new patch, a new output pixel.");
  ImGui::SameLine();
  const bool reduced = state.ui.embedding.reduced_motion;
  if (reduced) in.explain_playing = false;
  ImGui::BeginDisabled(reduced);
  if (ImGui::Button(in.explain_playing ? "Pause" : "Play")) {
    in.explain_playing = !in.explain_playing;
    in.explain_next_step = ImGui::GetTime() + kPlayStepSeconds;
  }
  ImGui::EndDisabled();
  item_tooltip(reduced ? "Off: your system asks for reduced motion. Step with Prev and Next."
                       : "Slide the kernel by itself, one output pixel every 0.6 s, in reading "
                         "order; Pause stops it where it is.");
  same_line_if_fits(ImGui::CalcTextSize("Brightest pixel").x + 2 * ImGui::GetStyle().FramePadding.x);
  if (ImGui::Button("Brightest pixel")) {
    const MapPixel p = lively_pixel(m);
    in.explain_channel = p.channel;
    in.explain_y = p.y;
    in.explain_x = p.x;
    in.explain_playing = false;
  }
  item_tooltip(
      "Jump to the layer's liveliest map (largest mean) and its largest pixel: a place where "
      "the kernel found what it looks for, so the numbers are not all 0.");
  same_line_if_fits(ImGui::CalcTextSize("pixel (row 00, column 00)").x);
  ImGui::AlignTextToFramePadding();
  ImGui::Text("pixel (row %d, column %d)", in.explain_y, in.explain_x);
  item_tooltip(
      "The output pixel explained: its row and column in the map, counted from 0 at the "
      "top left. Click the output map below to pick another.");
  if (!state.ui.narrow) {
    same_line_if_fits(ImGui::CalcTextSize("View: () Small () Tall () Whole window").x +
                      8.0f * ImGui::GetStyle().ItemSpacing.x);
    draw_room_choice(state);
  }
  if (in.explain_playing && ImGui::GetTime() >= in.explain_next_step) {
    step_pixel(in, m, +1);
    in.explain_next_step = ImGui::GetTime() + kPlayStepSeconds;
  }
  if (chosen >= 0 && chosen != entry) choose_layer(in, entry, chosen);
}

// ---- [SECTION] Pictures: the input with the kernel's window, the output map, the receptive field

// A plane's colour range: symmetric around 0 when signed (diverging), else its min..max.
widgets::Colormap plane_range(const float* v, size_t n, float* lo, float* hi) {
  finite_range(v, n, lo, hi);
  if (*lo < 0.0f) {
    const float a = std::max({std::fabs(*lo), std::fabs(*hi), 1e-12f});
    *lo = -a;
    *hi = a;
    return widgets::Colormap::Diverging;
  }
  if (*hi <= *lo) *hi = *lo + 1.0f;
  return widgets::Colormap::Viridis;
}

// Remakes the two pictures' tiles when what they show changed: the layer's input channel (for
// the first layer the image itself, in.input_tile, is shown instead) and the output map.
void update_pictures(InsideState& in, const LayerMaps& m, int input_channel) {
  if (in.explain_tiles_serial == in.maps_serial && in.explain_tiles_layer == m.layer &&
      in.explain_tiles_channel == in.explain_channel && in.explain_tiles_input == input_channel &&
      in.explain_output_tile.count() > 0) {
    return;
  }
  in.explain_tiles_serial = in.maps_serial;
  in.explain_tiles_layer = m.layer;
  in.explain_tiles_channel = in.explain_channel;
  in.explain_tiles_input = input_channel;
  const Model* model = in.model_copy.model();
  if (m.layer > 0 && model) {
    const Shape& s = model->layer(m.layer).input_shape();  // (C, H, W)
    const size_t plane = static_cast<size_t>(s[1]) * s[2];
    const float* src = model->activation(m.layer - 1).data() + input_channel * plane;
    float lo = 0, hi = 0;
    const widgets::Colormap map = plane_range(src, plane, &lo, &hi);
    in.explain_input_tile.set_maps(src, 1, s[1], s[2], map, lo, hi);
  }
  const size_t plane = static_cast<size_t>(m.height) * m.width;
  const float* out = m.maps.data() + static_cast<size_t>(in.explain_channel) * plane;
  float lo = 0, hi = 0;
  const widgets::Colormap map = plane_range(out, plane, &lo, &hi);
  in.explain_output_tile.set_maps(out, 1, m.height, m.width, map, lo, hi);
}

// A tile with a caption above it; returns its top-left and side in screen pixels.
widgets::ImageGridResult picture(const char* id, const char* caption, widgets::ImageGrid& grid,
                                 float side, float scale, ImVec2* origin) {
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + side);
  ImGui::TextUnformatted(caption);
  ImGui::PopTextWrapPos();
  *origin = ImGui::GetCursorScreenPos();
  widgets::ImageGridOptions options;
  options.columns = 1;
  options.tile_size = side / scale;
  options.ui_scale = scale;
  widgets::ImageGridResult r = grid.draw(id, options);
  ImGui::EndGroup();
  return r;
}

// An outlined rectangle of cells [top, bottom) x [left, right) on a tile of (h, w) cells; cells
// outside the tile (padding) are drawn outside it.
void outline_cells(ImVec2 origin, float side, int h, int w, int top, int left, int bottom,
                   int right, float scale) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float cy = side / static_cast<float>(h), cx = side / static_cast<float>(w);
  const ImVec2 a(origin.x + left * cx, origin.y + top * cy);
  const ImVec2 b(origin.x + right * cx, origin.y + bottom * cy);
  draw->PushClipRect(ImVec2(origin.x - 12 * scale, origin.y - 12 * scale),
                     ImVec2(origin.x + side + 12 * scale, origin.y + side + 12 * scale), true);
  draw->AddRect(a, b, IM_COL32(0, 0, 0, 220), 0.0f, 0, 4.0f * scale);
  draw->AddRect(a, b, IM_COL32(255, 200, 0, 255), 0.0f, 0, 2.0f * scale);
  draw->PopClipRect();
}

// The side of each picture: three in a row when they fit at 120 px or more, else two; at most
// a quarter of the view's height, so the grids and the sum below them are in sight too.
float picture_side(float scale) {
  const float avail = ImGui::GetContentRegionAvail().x - 40.0f * scale;
  const float three = avail / 3.0f;
  const float side = three >= 120.0f * scale ? three : avail / 2.0f;
  const float tallest = std::max(96.0f * scale, ImGui::GetWindowHeight() * 0.25f);
  return std::clamp(side, 96.0f * scale, std::min(200.0f * scale, tallest));
}

// The input (with the kernel's window) and the output map (with the pixel), side by side, then
// (for a layer past the first) the image with the pixel's receptive field, when `field` is set.
void draw_pictures(AppState& state, const LayerMaps& m, int in_h, int in_w, int top, int left,
                   int window, const char* input_caption, const std::string& output_name,
                   const InputRect* field) {
  InsideState& in = state.inside;
  const float scale = state.ui.scale;
  const float side = picture_side(scale);
  const float gap = 16.0f * scale;
  ImVec2 a, b, c;
  ImGui::Dummy(ImVec2(1, 4.0f * scale));  // room for the window's outline over the padding
  ImGui::Indent(8.0f * scale);
  picture("explain_input", input_caption, m.layer == 0 ? in.input_tile : in.explain_input_tile,
          side, scale, &a);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "The yellow square is where the kernel sits for this output pixel; where it "
        "sticks out of the picture it reads padding (zeros).");
  }
  outline_cells(a, side, in_h, in_w, top, left, top + window, left + window, scale);
  ImGui::SameLine(0.0f, gap);
  char caption[160];
  std::snprintf(caption, sizeof caption, "Output: map %d of %s%s (click a pixel)",
                in.explain_channel + 1, output_name.c_str(),
                m.shown_layer != m.layer ? " after ReLU" : "");
  const widgets::ImageGridResult r =
      picture("explain_output", caption, in.explain_output_tile, side, scale, &b);
  if (r.hovered >= 0) {
    const int y = std::min(m.height - 1, static_cast<int>(r.hovered_uv.y * m.height));
    const int x = std::min(m.width - 1, static_cast<int>(r.hovered_uv.x * m.width));
    ImGui::SetTooltip(
        "pixel (row %d, column %d) = %.4g\nclick to explain it", y, x,
        m.maps[(static_cast<size_t>(in.explain_channel) * m.height + y) * m.width + x]);
    if (r.clicked >= 0) {
      in.explain_y = y;
      in.explain_x = x;
      in.explain_playing = false;
    }
  }
  outline_cells(b, side, m.height, m.width, in.explain_y, in.explain_x, in.explain_y + 1,
                in.explain_x + 1, scale);
  if (field && in.input_tile.count() > 0) {
    const float right = ImGui::GetItemRectMax().x;
    const float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (right + gap + side <= limit) ImGui::SameLine(0.0f, gap);
    std::snprintf(caption, sizeof caption, "The image: the pixel sees %dx%d of it",
                  field->bottom - field->top, field->right - field->left);
    picture("explain_field", caption, in.input_tile, side, scale, &c);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(
          "The pixel's receptive field: the only image pixels that can change its value. "
          "Deeper layers see more of the image (see the table below).");
    }
    outline_cells(c, side, in.maps.height, in.maps.width, field->top, field->left, field->bottom,
                  field->right, scale);
  }
  ImGui::Unindent(8.0f * scale);
}

// ---- [SECTION] Number grids: patch, weights, products ------------------------------------------

// The number in a cell: 3 decimals when the grid's values are all under 1 (products of small
// inputs and weights), 2 under 10, else 1; never "-0.000".
void cell_text(char* out, size_t size, float v, float range) {
  const int decimals = range < 1.0f ? 3 : range < 10.0f ? 2 : 1;
  std::snprintf(out, size, "%.*f", decimals, v);
  bool zero = out[0] == '-';
  for (const char* c = out + 1; zero && *c; ++c) zero = *c == '0' || *c == '.';
  if (zero) std::memmove(out, out + 1, std::strlen(out));
}

// A k x k grid of numbers, each cell tinted by its value (diverging around 0 over +/- range),
// under a title wrapped to the grid's width. padding: (k, k) or null; winner: a cell to ring (max
// pooling) or -1. Returns the hovered cell.
int number_grid(const char* id, const char* title, const float* values, int k,
                const uint8_t* padding, float range, float cell, int winner, float scale) {
  ImGui::BeginGroup();
  const float side = cell * k;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(side, 150.0f * scale));
  ImGui::TextUnformatted(title);
  ImGui::PopTextWrapPos();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(side, side));
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 text = widgets::text_color();
  const ImU32 muted = widgets::muted_text_color();
  int hovered_cell = -1;
  for (int r = 0; r < k; ++r) {
    for (int c = 0; c < k; ++c) {
      const int i = r * k + c;
      const ImVec2 a(o.x + c * cell, o.y + r * cell), b(a.x + cell, a.y + cell);
      const bool pad = padding && padding[i];
      if (pad) {
        draw->AddRectFilled(a, b, ImGui::GetColorU32(ImGuiCol_FrameBg));
      } else {
        // Tint at most 55 % so the number on it stays readable in both themes.
        const float t = range > 0 ? 0.5f + 0.5f * std::clamp(values[i] / range, -1.0f, 1.0f) : 0.5f;
        const ImU32 full = widgets::colormap_color(t, widgets::Colormap::Diverging);
        const ImVec4 f = ImGui::ColorConvertU32ToFloat4(full);
        draw->AddRectFilled(a, b, ImGui::GetColorU32(ImVec4(f.x, f.y, f.z, 0.55f)));
      }
      draw->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_Border));
      char label[24];
      if (pad) {
        std::snprintf(label, sizeof label, "pad 0");
      } else {
        cell_text(label, sizeof label, values[i], range);
      }
      const ImVec2 ts = ImGui::CalcTextSize(label);
      draw->AddText(ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                    pad ? muted : text, label);
      if (i == winner) {
        draw->AddRect(ImVec2(a.x + 1, a.y + 1), ImVec2(b.x - 1, b.y - 1),
                      IM_COL32(255, 200, 0, 255), 0.0f, 0, 3.0f * scale);
      }
      if (hovered && ImGui::IsMouseHoveringRect(a, b)) hovered_cell = i;
    }
  }
  ImGui::EndGroup();
  return hovered_cell;
}

// The cell size that fits "-0.000" (and "pad 0") with a margin.
float grid_cell(float scale) {
  return std::max(ImGui::CalcTextSize("-0.000").x + 8.0f * scale,
                  ImGui::GetTextLineHeight() * 1.8f);
}

// Lays the grids out in one row when they fit, else one under another.
void next_grid(float grid_w, float gap) {
  const float right = ImGui::GetItemRectMax().x;
  const float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (right + gap + grid_w <= limit) {
    ImGui::SameLine(0.0f, gap);
  } else {
    ImGui::Spacing();
  }
}

float abs_max(const float* v, size_t n) {
  float a = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    if (std::isfinite(v[i])) a = std::max(a, std::fabs(v[i]));
  }
  return a;
}

std::string input_channel_name(int layer, int in_channels, int ci) {
  if (layer == 0 && in_channels == 3) {
    static const char* const kRgb[3] = {"red", "green", "blue"};
    return kRgb[ci];
  }
  if (layer == 0) return "grey";
  return "map " + std::to_string(ci + 1);
}

// "input channel 3 of 16", "input channel 1 of 3 (red)": which slice of the kernel is shown.
std::string input_channel_title(int layer, int in_channels, int ci) {
  return "input channel " + std::to_string(ci + 1) + " of " + std::to_string(in_channels) +
         (layer == 0 ? " (" + input_channel_name(layer, in_channels, ci) + ")" : "");
}

void draw_conv_grids(AppState& state, const ConvPixelExplanation& e) {
  InsideState& in = state.inside;
  const float scale = state.ui.scale;
  const int k = e.kernel;
  const size_t kk = static_cast<size_t>(k) * k;
  const int ci = std::clamp(in.explain_input_channel, 0, e.in_channels - 1);
  const float* patch = e.patch.data() + ci * kk;
  const float* weights = e.weights.data() + ci * kk;
  const float* products = e.products.data() + ci * kk;
  const float cell = grid_cell(scale);
  const float gap = 14.0f * scale;
  const std::string name = input_channel_name(e.layer, e.in_channels, ci);
  const std::string channel_title = input_channel_title(e.layer, e.in_channels, ci);
  std::string title = "Input patch (" + (e.layer == 0 ? name + " channel" : name) + ")";
  const int hp = number_grid("patch", title.c_str(), patch, k, e.is_padding.data(),
                             abs_max(patch, kk), cell, -1, scale);
  if (hp >= 0) {
    const int r = hp / k, c = hp % k;
    if (e.is_padding[static_cast<size_t>(hp)]) {
      ImGui::SetTooltip(
          "Padding: row %d, column %d is outside the input; 'same' padding reads 0 "
          "there so the output keeps the input's size.",
          e.top + r, e.left + c);
    } else {
      ImGui::SetTooltip("Input %s at row %d, column %d = %.5g", name.c_str(), e.top + r, e.left + c,
                        patch[hp]);
    }
  }
  next_grid(cell * k, gap);
  title = "× Weights for " + channel_title;
  const int hw =
      number_grid("weights", title.c_str(), weights, k, nullptr, abs_max(weights, kk), cell, -1,
                  scale);
  if (hw >= 0) {
    ImGui::SetTooltip(
        "Weight %.5g of map %d's kernel for input %s; the same weight is used at "
        "every position (weight sharing)",
        weights[hw], e.channel + 1, name.c_str());
  }
  next_grid(cell * k, gap);
  const int hq = number_grid("products", "= Products, cell by cell", products, k,
                             e.is_padding.data(), abs_max(products, kk), cell, -1, scale);
  if (hq >= 0) {
    ImGui::SetTooltip("%.5g × %.5g = %.5g", patch[hq], weights[hq], products[hq]);
  }
}

// ---- [SECTION] Where the window sits: stride and padding ---------------------------------------

// Stride and padding with this layer's numbers: where output pixel (y, x) reads the input, how
// the output's size follows from the input's, and ('same') the padding the window overlaps.
void draw_conv_geometry(const ConvPixelExplanation& e) {
  ImGui::Separator();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("Kernel %dx%d, stride %d, %s padding", e.kernel, e.kernel, e.stride,
                      e.same_padding ? "same" : "valid");
  item_tooltip(
      "Kernel: the window's size. Stride: how far it jumps per output pixel. Padding: 'same' "
      "adds zeros around the input so the output keeps its size; 'valid' adds none, so the "
      "output shrinks.");
  ImGui::TextWrapped(
      "Where: output pixel (row %d, column %d) reads the input from row %d × %d - %d = %d, "
      "column %d × %d - %d = %d (stride × position - padding), a %dx%d window.",
      e.y, e.x, e.stride, e.y, e.pad_top, e.top, e.stride, e.x, e.pad_left, e.left, e.kernel,
      e.kernel);
  item_tooltip(
      "With stride 2 the window jumps 2 input pixels per output pixel, so the output has about "
      "half the rows and columns.");
  const int same_h = conv_output_size(e.in_height, e.kernel, e.stride, true);
  const int same_w = conv_output_size(e.in_width, e.kernel, e.stride, true);
  const int valid_h = conv_output_size(e.in_height, e.kernel, e.stride, false);
  const int valid_w = conv_output_size(e.in_width, e.kernel, e.stride, false);
  char same_text[200], valid_text[200];
  std::snprintf(same_text, sizeof same_text,
                "'same' pads the input with zeros so the window can sit on every input pixel: "
                "%d / %d (rounded up) = %d rows, %dx%d in all",
                e.in_height, e.stride, same_h, same_h, same_w);
  std::snprintf(valid_text, sizeof valid_text,
                "'valid' adds no padding, so the window must fit inside the input: (%d - %d) / %d "
                "+ 1 (rounded down) = %d rows, %dx%d in all",
                e.in_height, e.kernel, e.stride, valid_h, valid_h, valid_w);
  ImGui::TextWrapped("Size: the input is %dx%d. %s.", e.in_height, e.in_width,
                     e.same_padding ? same_text : valid_text);
  item_tooltip("How this layer's output size follows from its input's size, kernel and stride.");
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("The other padding: %s.", e.same_padding ? valid_text : same_text);
  ImGui::PopStyleColor();
  item_tooltip("The same layer with the other padding: how its output size would change.");
  int padded = 0;
  for (uint8_t p : e.is_padding) padded += p;
  if (padded > 0) {
    ImGui::TextWrapped(
        "Border: the window hangs over the edge of the input, so %d of its %d cells are "
        "padding (the grey \"pad 0\" cells of the patch). 'same' padding reads them as 0: they add "
        "nothing to the sum.",
        padded, e.kernel * e.kernel);
  }
  ImGui::PopTextWrapPos();
}

void draw_pool_geometry(const PoolPixelExplanation& e) {
  ImGui::Separator();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextWrapped(
      "Where: window %dx%d, stride %d: output pixel (row %d, column %d) reads rows %d × %d = %d "
      "to %d, columns %d × %d = %d to %d. Size: (%d - %d) / %d + 1 = %d rows, %d columns (pooling adds "
      "no padding).",
      e.window, e.window, e.stride, e.y, e.x, e.stride, e.y, e.top, e.top + e.window - 1,
      e.stride, e.x, e.left, e.left + e.window - 1, e.in_height, e.window, e.stride,
      e.out_height, e.out_width);
  item_tooltip(
      "Stride 2 with a 2x2 window: the windows tile the map without overlap, and the map keeps "
      "a quarter of its pixels.");
  ImGui::PopTextWrapPos();
}

// ---- [SECTION] Sums and the output -------------------------------------------------------------

// "1.2345", with a sign kept for the equation.
std::string number(float v) {
  char s[32];
  std::snprintf(s, sizeof s, "%.4f", v);
  if (std::strcmp(s, "-0.0000") == 0) return "0.0000";
  return s;
}

// Terms of an equation on one line, each unbroken: a term that does not fit goes to the next
// line whole (ImGui's own word wrap breaks numbers at their '.').
void flow_terms(const std::vector<std::string>& terms) {
  const float space = ImGui::CalcTextSize(" ").x;
  const float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i > 0) {
      const float right = ImGui::GetItemRectMax().x;
      if (right + space + ImGui::CalcTextSize(terms[i].c_str()).x <= limit) {
        ImGui::SameLine(0.0f, space);
      }
    }
    ImGui::TextUnformatted(terms[i].c_str());
  }
}

void draw_channel_sums(AppState& state, const ConvPixelExplanation& e) {
  InsideState& in = state.inside;
  if (e.in_channels == 1) {
    flow_terms({"Sum of the products:", "= " + number(e.channel_sums[0])});
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text(
      "The kernel has one %dx%d slice per input channel: %d sums, one per channel "
      "(click a row to see its grids).",
      e.kernel, e.kernel, e.in_channels);
  ImGui::PopTextWrapPos();
  const int shown = std::min(e.in_channels, kChannelRowsShown);
  // The selected channel is always listed (it may be past the first rows).
  const int selected = std::clamp(in.explain_input_channel, 0, e.in_channels - 1);
  const float width = std::min(ImGui::GetContentRegionAvail().x, 300.0f * state.ui.scale);
  if (ImGui::BeginTable("channel_sums", 2, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg,
                        ImVec2(width, 0))) {
    ImGui::TableSetupColumn("input channel");
    ImGui::TableSetupColumn("sum of products", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("sum of products").x);
    ImGui::TableHeadersRow();
    int rows = 0;
    for (int ci = 0; ci < e.in_channels; ++ci) {
      if (ci >= shown && ci != selected) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const std::string name = input_channel_name(e.layer, e.in_channels, ci);
      if (ImGui::Selectable(name.c_str(), ci == selected, ImGuiSelectableFlags_SpanAllColumns)) {
        in.explain_input_channel = ci;
      }
      item_tooltip("Show this input channel's patch, weights and products above.");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(e.channel_sums[static_cast<size_t>(ci)]).c_str());
      ++rows;
    }
    end_table_noted(state.ui, "explain channel sums", rows);
  }
  if (e.in_channels > shown) {
    double rest = 0.0;
    int hidden = 0;
    for (int ci = shown; ci < e.in_channels; ++ci) {
      if (ci == selected) continue;
      rest += e.channel_sums[static_cast<size_t>(ci)];
      ++hidden;
    }
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled(
        "Only %d of the %d channels are listed; the other %d add up to %s. "
        "Pick one with the slider below to see its grids.",
        e.in_channels - hidden, e.in_channels, hidden, number(static_cast<float>(rest)).c_str());
    ImGui::PopTextWrapPos();
    int pick = selected + 1;
    ImGui::SetNextItemWidth(width);
    if (ImGui::SliderInt("##explain_input_channel", &pick, 1, e.in_channels, "input map %d")) {
      in.explain_input_channel = std::clamp(pick - 1, 0, e.in_channels - 1);
    }
    item_tooltip("Which input channel's patch, weights and products the grids above show.");
  }
}

void draw_conv_total(const ConvPixelExplanation& e) {
  double sums = 0.0;
  for (float s : e.channel_sums) sums += s;
  // "a + b" or "a - |b|": no "+ -" for a negative bias.
  const std::string sign = e.bias < 0.0f ? "- " : "+ ";
  const std::string bias = number(std::fabs(e.bias));
  flow_terms({number(static_cast<float>(sums)) +
                  (e.in_channels == 1 ? " (sum)"
                                      : " (the " + std::to_string(e.in_channels) + " channel sums)"),
              sign + bias + " (bias)", "= " + number(e.total)});
  item_tooltip(
      "The output pixel before the activation: every product of every input channel "
      "added up, plus the map's one bias.");
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("The engine's feature map at this pixel: %s (%s)",
                      number(e.feature_value).c_str(),
                      e.engine_agrees ? "the same, up to rounding" : "DIFFERENT");
  item_tooltip(
      "Read from the model's own forward pass on this image: the hand-worked sum above "
      "must equal it.");
  ImGui::PopTextWrapPos();
  if (e.has_activation) {
    flow_terms({"After ReLU:", "max(" + number(e.total) + ", 0)", "= " + number(e.activated_total),
                "(what the next layer sees)"});
    item_tooltip("ReLU keeps positive values and turns negative ones into 0.");
    if (e.total <= 0.0f) {
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextWrapped(
          "Why 0: the sum came out negative (%s), and ReLU clips every negative value to 0. "
          "The kernel's pattern is not here: where the patch is bright the weights are mostly "
          "negative. Most pixels of a map are like this; try Brightest pixel, or click a bright "
          "pixel of the output map.",
          number(e.total).c_str());
      ImGui::PopTextWrapPos();
    }
  }
}

void draw_pool(AppState& state, const PoolPixelExplanation& e) {
  const float scale = state.ui.scale;
  const size_t n = e.values.size();
  char title[64];
  std::snprintf(title, sizeof title, "%dx%d window (map %d)", e.window, e.window, e.channel + 1);
  const int h = number_grid("window", title, e.values.data(), e.window, nullptr,
                            abs_max(e.values.data(), n), grid_cell(scale), e.winner, scale);
  if (h >= 0) {
    ImGui::SetTooltip("Input row %d, column %d = %.5g%s", e.top + h / e.window,
                      e.left + h % e.window, e.values[static_cast<size_t>(h)],
                      h == e.winner ? "\nthe largest: it wins" : "");
  }
  if (e.max_pool) {
    flow_terms({"max of the window", "= " + number(e.output), "(the ringed cell)"});
  } else {
    flow_terms({"mean of the " + std::to_string(n) + " cells", "= " + number(e.output)});
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("The engine's feature map at this pixel: %s",
                      number(e.feature_value).c_str());
  if (e.output <= 0.0f && e.max_pool) {
    ImGui::TextWrapped(
        "Why 0: every cell of the window is 0 (the ReLU before clipped them), so the largest "
        "is 0 too. Try Brightest pixel.");
  }
  ImGui::PopTextWrapPos();
}

// ---- [SECTION] Receptive field growth ----------------------------------------------------------

// Side of the receptive field at each conv and pool layer, for conv kernels 3, 5 and 7 (the
// kernel-size experiment's), the explained layer's row marked, and the growth rule in words.
void draw_field_growth(AppState& state, const ModelSpec& spec, int layer) {
  if (!ImGui::CollapsingHeader("Receptive field, layer by layer",
                               ImGuiTreeNodeFlags_DefaultOpen)) {
    item_tooltip("The receptive field of each layer for kernel sizes 3, 5 and 7.");
    return;
  }
  item_tooltip("The receptive field of each layer for kernel sizes 3, 5 and 7.");
  static const int kKernels[3] = {3, 5, 7};
  std::vector<ReceptiveFieldStep> growth[3];
  for (int i = 0; i < 3; ++i) growth[i] = receptive_field_growth(spec, kKernels[i]);
  int own_kernel = 0;
  for (const LayerSpec& l : spec.layers) {
    if (l.kind == LayerKind::kConv2D && own_kernel == 0) own_kernel = l.kernel;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextWrapped(
      "How much of the image one pixel of each layer sees. Each conv layer adds kernel - 1 "
      "steps of the layer before; a 2x2 pool doubles the length of every later step. So deeper "
      "pixels see more of the image, and bigger kernels see more sooner. Sides in image pixels "
      "(before the image's border cuts them):");
  ImGui::PopTextWrapPos();
  const float scale = state.ui.scale;
  const float width = std::min(ImGui::GetContentRegionAvail().x, 520.0f * scale);
  // "k=3 (this)" marks the model's own kernel where there is room, a "*" on a phone.
  const bool roomy = width >= 420.0f * scale;
  const float number_w = ImGui::CalcTextSize(roomy ? "k=7 (this)" : "22x22").x + 8.0f * scale;
  if (ImGui::BeginTable("field_growth", 4,
                        ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersOuter,
                        ImVec2(width, 0))) {
    ImGui::TableSetupColumn("layer", ImGuiTableColumnFlags_WidthStretch);
    for (int k : kKernels) {
      char head[32];
      std::snprintf(head, sizeof head,
                    k != own_kernel ? "k=%d" : roomy ? "k=%d (this)" : "k=%d*", k);
      ImGui::TableSetupColumn(head, ImGuiTableColumnFlags_WidthFixed, number_w);
    }
    ImGui::TableHeadersRow();
    int rows = 0;
    for (size_t r = 0; r < growth[0].size(); ++r) {
      ImGui::TableNextRow();
      const int l = growth[0][r].layer;
      if (l == layer) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1,
                               ImGui::GetColorU32(ImGuiCol_HeaderActive, 0.6f));
      }
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%d: %s%s", l + 1, brief_title(spec, l).c_str(),
                         l == layer ? " (shown)" : "");
      for (int i = 0; i < 3; ++i) {
        ImGui::TableNextColumn();
        const int side = growth[i][r].size;
        ImGui::Text("%dx%d", side, side);
      }
      ++rows;
    }
    end_table_noted(state.ui, "explain field growth", rows);
  }
  if (!roomy && own_kernel >= 3 && own_kernel <= 7 && own_kernel % 2 == 1) {
    ImGui::TextDisabled("* this model's kernel");
  }
}

}  // namespace explain_view

// ---- [SECTION] View ----------------------------------------------------------------------------

void draw_explain_pixel_view(AppState& state) {
  using namespace explain_view;
  InsideState& in = state.inside;
  const int entry = explained_entry(in);
  Model* model = in.model_copy.model();
  if (entry < 0 || !model) {
    empty_state("This model has no conv layers.",
                "An MLP multiplies every pixel by its own weight; a conv layer slides one small "
                "kernel over the image. Choose cnn1, cnn or vgg in the Model panel to see it.");
    return;
  }
  const ModelSpec& spec = model->spec();
  draw_controls(state, entry, spec);
  const LayerMaps& m = in.maps.layers[static_cast<size_t>(explained_entry(in))];
  clamp_selection(in, m);
  const float scale = state.ui.scale;
  ImGui::PushTextWrapPos(0.0f);
  if (is_pool(m.kind)) {
    ImGui::TextUnformatted(m.kind == LayerKind::kMaxPool2D
                               ? "Max pooling keeps the largest value of each window and drops "
                                 "the rest: the map gets smaller, a feature found anywhere in the "
                                 "window survives."
                               : "Average pooling replaces each window by its mean: the map gets "
                                 "smaller and smoother.");
  } else {
    ImGui::TextUnformatted(
        "Each output pixel is the sum of the patch times the kernel, plus a "
        "bias. The same kernel slides everywhere: that is weight sharing.");
  }
  ImGui::PopTextWrapPos();
  in.explain_error.clear();
  try {
    const std::string output_name =
        "layer " + std::to_string(m.layer + 1) + " (" + brief_title(spec, m.layer) + ")";
    InputRect field;
    const InputRect* field_shown = nullptr;
    if (m.layer > 0) {
      field = receptive_field(spec, m.layer, in.explain_y, in.explain_x);
      field_shown = &field;
    }
    char caption[192];
    if (is_pool(m.kind)) {
      const PoolPixelExplanation e =
          explain_pool_pixel(*model, m.layer, in.explain_channel, in.explain_y, in.explain_x);
      update_pictures(in, m, in.explain_channel);
      const Shape& s = model->layer(m.layer).input_shape();
      std::snprintf(caption, sizeof caption, "Input: map %d of %s", in.explain_channel + 1,
                    input_maps_name(spec, m.layer).c_str());
      draw_pictures(state, m, s[1], s[2], e.top, e.left, e.window, caption, output_name,
                    field_shown);
      draw_pool(state, e);
      ImGui::Spacing();
      draw_pool_geometry(e);
    } else {
      const ConvPixelExplanation e =
          explain_conv_pixel(*model, m.layer, in.explain_channel, in.explain_y, in.explain_x);
      in.explain_input_channel = std::clamp(in.explain_input_channel, 0, e.in_channels - 1);
      update_pictures(in, m, in.explain_input_channel);
      const std::string name =
          input_channel_name(e.layer, e.in_channels, in.explain_input_channel);
      if (e.layer == 0) {
        std::snprintf(caption, sizeof caption, "Input: the image (%s channel below)",
                      name.c_str());
      } else {
        std::snprintf(caption, sizeof caption, "Input: %s of %s", name.c_str(),
                      input_maps_name(spec, m.layer).c_str());
      }
      draw_pictures(state, m, e.in_height, e.in_width, e.top, e.left, e.kernel, caption,
                    output_name, field_shown);
      // The sums beside the pictures when there is room (a tall or whole-window view): the
      // result in sight with the grids below, without scrolling.
      const float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
      const bool beside = limit - ImGui::GetItemRectMax().x >= 320.0f * scale;
      if (beside) {
        ImGui::SameLine(0.0f, 24.0f * scale);
        ImGui::BeginGroup();
        draw_channel_sums(state, e);
        ImGui::Spacing();
        draw_conv_total(e);
        ImGui::EndGroup();
      }
      ImGui::Spacing();
      draw_conv_grids(state, e);
      if (!beside) {
        ImGui::Spacing();
        draw_channel_sums(state, e);
        ImGui::Spacing();
        draw_conv_total(e);
      }
      ImGui::Spacing();
      draw_conv_geometry(e);
    }
    ImGui::Spacing();
    draw_field_growth(state, spec, m.layer);
    // Room under the last line, so it scrolls clear of the page's Text view button.
    ImGui::Dummy(ImVec2(1.0f, 48.0f * scale));
  } catch (const std::exception& ex) {
    in.explain_error = ex.what();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(0.85f, 0.3f, 0.2f, 1.0f), "%s", in.explain_error.c_str());
    ImGui::PopTextWrapPos();
  }
}

// ---- [SECTION] JavaScript API ------------------------------------------------------------------

namespace explain_view {

nlohmann::json grid_json(const float* v, int k) {
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < k; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (int c = 0; c < k; ++c) row.push_back(v[r * k + c]);
    rows.push_back(std::move(row));
  }
  return rows;
}

// What the view adds around the arithmetic, for both kinds of layer: the layer's name, the pixel's
// receptive field on the image (rows [top, bottom), columns [left, right), clipped to the image)
// and the field's side at every conv and pool layer for conv kernels 3, 5 and 7.
void add_context_json(nlohmann::json& out, const ModelSpec& spec, int layer, int y, int x) {
  out["title"] = layer_title(spec, layer);
  const InputRect field = receptive_field(spec, layer, y, x);
  out["receptiveField"] = {{"top", field.top}, {"left", field.left}, {"bottom", field.bottom},
                           {"right", field.right}};
  nlohmann::json growth = {{"layers", nlohmann::json::array()}};
  for (const int kernel : {3, 5, 7}) {
    nlohmann::json sides = nlohmann::json::array();
    for (const ReceptiveFieldStep& step : receptive_field_growth(spec, kernel)) {
      sides.push_back(step.size);
      if (kernel == 3) growth["layers"].push_back(step.layer + 1);
    }
    growth["k" + std::to_string(kernel)] = sides;
  }
  out["fieldGrowth"] = growth;
}

// An integer field of the request: required, a whole number.
int request_int(const nlohmann::json& request, const char* key) {
  if (!request.contains(key)) throw Error("explainPixel", std::string("missing '") + key + "'");
  const nlohmann::json& v = request.at(key);
  if (!v.is_number() || (v.is_number_float() && std::floor(v.get<double>()) != v.get<double>())) {
    throw Error("explainPixel",
                std::string("'") + key + "' must be a whole number, got " + v.dump());
  }
  const double d = v.get<double>();
  if (d < -1e6 || d > 1e6)
    throw Error("explainPixel", std::string("'") + key + "' is out of range: " + v.dump());
  return static_cast<int>(d);
}

}  // namespace explain_view

std::string explain_pixel_json(AppState& state, const std::string& request_text,
                               std::string* result) {
  using namespace explain_view;
  try {
    const nlohmann::json request = nlohmann::json::parse(request_text, nullptr, false);
    if (!request.is_object()) {
      throw Error("explainPixel", "expects an object {layer, channel, y, x}, got " + request_text);
    }
    for (auto it = request.begin(); it != request.end(); ++it) {
      const std::string& key = it.key();
      if (key != "layer" && key != "channel" && key != "y" && key != "x") {
        throw Error("explainPixel", "unknown key '" + key + "' (layer, channel, y, x)");
      }
    }
    const int layer = request_int(request, "layer") - 1;  // 1-based, as the Inside tab's headers
    const int channel = request_int(request, "channel");
    const int y = request_int(request, "y");
    const int x = request_int(request, "x");
    if (!state.lab.model) throw Error("explainPixel", "there is no model yet: train one first");
    refresh_inside_maps(state);
    InsideState& in = state.inside;
    if (!in.error.empty()) throw Error("explainPixel", in.error);
    const Model* model = in.model_copy.model();
    if (!model) throw Error("explainPixel", "there is no image to explain yet");
    nlohmann::json out;
    const bool pool =
        layer >= 0 && layer < model->num_layers() && is_pool(model->layer(layer).kind());
    if (pool) {
      const PoolPixelExplanation e = explain_pool_pixel(*model, layer, channel, y, x);
      out = {{"layer", layer + 1},
             {"label", model->layer(layer).label()},
             {"kind", layer_kind_name(model->layer(layer).kind())},
             {"channel", channel},
             {"y", y},
             {"x", x},
             {"window", e.window},
             {"stride", e.stride},
             {"top", e.top},
             {"left", e.left},
             {"values", grid_json(e.values.data(), e.window)},
             {"winner", e.winner < 0 ? nlohmann::json(nullptr)
                                     : nlohmann::json{{"row", e.winner / e.window},
                                                      {"col", e.winner % e.window}}},
             {"output", e.output},
             {"featureValue", e.feature_value}};
    } else {
      const ConvPixelExplanation e = explain_conv_pixel(*model, layer, channel, y, x);
      const size_t kk = static_cast<size_t>(e.kernel) * e.kernel;
      nlohmann::json channels = nlohmann::json::array();
      for (int ci = 0; ci < e.in_channels; ++ci) {
        channels.push_back({{"patch", grid_json(e.patch.data() + ci * kk, e.kernel)},
                            {"weights", grid_json(e.weights.data() + ci * kk, e.kernel)},
                            {"products", grid_json(e.products.data() + ci * kk, e.kernel)},
                            {"sum", e.channel_sums[static_cast<size_t>(ci)]}});
      }
      nlohmann::json padding_cells = nlohmann::json::array();
      for (int r = 0; r < e.kernel; ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (int c = 0; c < e.kernel; ++c)
          row.push_back(e.is_padding[static_cast<size_t>(r * e.kernel + c)] != 0);
        padding_cells.push_back(std::move(row));
      }
      out = {
          {"layer", layer + 1},
          {"label", model->layer(layer).label()},
          {"kind", "conv2d"},
          {"channel", channel},
          {"y", y},
          {"x", x},
          {"kernel", e.kernel},
          {"stride", e.stride},
          {"padding", e.same_padding ? "same" : "valid"},
          {"top", e.top},
          {"left", e.left},
          {"paddingCells", padding_cells},
          {"bias", e.bias},
          {"total", e.total},
          {"featureValue", e.feature_value},
          {"engineAgrees", e.engine_agrees},
          {"activation", e.has_activation ? nlohmann::json("relu") : nlohmann::json(nullptr)},
          {"activated", e.has_activation ? nlohmann::json(e.activated) : nlohmann::json(nullptr)},
          {"channels", channels},
          {"outputSize",
           {{"same",
             {conv_output_size(e.in_height, e.kernel, e.stride, true),
              conv_output_size(e.in_width, e.kernel, e.stride, true)}},
            {"valid",
             {conv_output_size(e.in_height, e.kernel, e.stride, false),
              conv_output_size(e.in_width, e.kernel, e.stride, false)}}}}};
    }
    add_context_json(out, model->spec(), layer, y, x);
    out["image"] = in.use_upload ? nlohmann::json("photo") : nlohmann::json(in.test_image);
    // Shown in the view: the Inside tab, its "Explain one pixel" sub-tab, this pixel.
    in.explain_layer = layer;
    in.explain_channel = channel;
    in.explain_y = y;
    in.explain_x = x;
    in.explain_playing = false;
    in.explain_request = true;
    state.ui.right_tab_request = 0;
    *result = out.dump();
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace cnnlab
