// Model panel: preset (mlp, cnn1, cnn, vgg, mlp-small) with its editable settings; a layer
// editor (add, remove, reorder, each layer's numbers) and the same model as text in the engine's
// spec language, checked as it is typed by the engine's own parser; and the engine's model
// summary (output shape, parameters and multiply-accumulates per layer, totals), remade on every
// edit. Editing the layers or the text makes the model "custom" (SessionOptions::spec_text).
// Invalid settings are explained inline with the engine's message.
//
// [SECTION] Presets   [SECTION] Layer editor   [SECTION] Model as text   [SECTION] Summary
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "app/panels.h"
#include "core/text_format.h"
#include "imgui.h"
#include "core/error.h"
#include "model/presets.h"
#include "model/spec.h"
#include "model/summary.h"

namespace cnnlab {

namespace {

bool is_convolutional(const std::string& preset) {
  return preset == "cnn" || preset == "cnn1" || preset == "vgg";
}

// The preset's own settings (kernel kept): choosing a preset starts from the seeds' model.
// PresetOptions' 0 / -1 mean "the preset's own"; the sliders show the preset's actual values.
void use_preset(SessionOptions& o, const std::string& preset, int kernel) {
  o.model = preset;
  o.spec_text.clear();
  PresetOptions fresh;
  fresh.kernel = kernel;
  o.preset = fresh;
}

int preset_dense(const std::string& preset) {
  return preset == "mlp" ? 512 : (preset == "mlp-small" || preset == "vgg") ? 256 : 128;
}

// The preset's one-line description with the settings as they are now: the presets' own
// descriptions give their defaults, and an MLP sized to a CNN's parameter count (dense 172)
// must not read "dense 512, 256". Mirrors engine/model/presets.cpp's preset().
std::string described_settings(const std::string& name, const PresetOptions& o) {
  if (o.dense == 0 && o.filters == 0 && o.dropout < 0.0f && o.blocks == 0 && o.pooling == "max" &&
      o.stride == 1) {
    return preset_description(name);
  }
  const int dense = o.dense ? o.dense : preset_dense(name);
  const auto dropout = [](float rate) {
    char text[32];
    std::snprintf(text, sizeof text, ", dropout %g", static_cast<double>(rate));
    return rate > 0.0f ? std::string(text) : std::string();
  };
  if (name == "mlp" || name == "mlp-small") {
    const float rate = o.dropout >= 0.0f ? o.dropout : (name == "mlp" ? 0.3f : 0.0f);
    return "MLP: dense " + std::to_string(dense) + ", " + std::to_string(std::max(1, dense / 2)) +
           dropout(rate) + " (no convolutions)";
  }
  const int f = o.filters ? o.filters : 32;
  const int blocks = name == "vgg" ? 3 : o.blocks ? o.blocks : (name == "cnn1" ? 1 : 2);
  std::string filters;
  for (int b = 0; b < blocks; ++b) filters += (b ? ", " : "") + std::to_string(f << b);
  const std::string downsampling = o.pooling == "none" ? "stride-2 convs" : o.pooling + " pooling";
  return std::to_string(blocks) + " conv block" + (blocks == 1 ? "" : "s") + " (" + filters +
         " filters, " + std::to_string(o.kernel) + "x" + std::to_string(o.kernel) + ", " +
         downsampling + (o.stride > 1 ? ", stride " + std::to_string(o.stride) : "") +
         ") + dense " + std::to_string(dense) +
         (name == "vgg" && o.dropout < 0.0f ? ", dropout 0.25 after blocks, 0.4 after dense"
                                            : dropout(o.dropout));
}

// [SECTION] Layer editor ---------------------------------------------------------------------------

// The layers as spec text, one per line (what "Model as text" shows and the draft keeps).
std::string spec_lines(const std::vector<LayerSpec>& layers) {
  std::string text;
  for (const LayerSpec& layer : layers) text += (text.empty() ? "" : "\n") + layer.text();
  return text;
}

// The draft becomes a custom model with these layers (checked against the data when the summary
// is remade: an impossible list is explained there, and the trainer keeps the last valid one).
void use_custom_layers(SessionOptions& o, const std::vector<LayerSpec>& layers) {
  o.model = kCustomModel;
  o.spec_text = spec_lines(layers);
}

struct LayerKindChoice {
  LayerKind kind;
  const char* name;
  const char* tooltip;
};

constexpr LayerKindChoice kLayerKindChoices[] = {
    {LayerKind::kConv2D, "conv2d",
     "Convolution: slides each of its filters (k x k weights per input channel) over the image "
     "and gives one feature map per filter."},
    {LayerKind::kMaxPool2D, "maxpool2d",
     "Max pooling: keeps the largest value of each window, so the maps shrink (2: half the "
     "width and height)."},
    {LayerKind::kAvgPool2D, "avgpool2d", "Average pooling: the mean of each window, so the maps shrink."},
    {LayerKind::kReLU, "relu", "ReLU: negative values become 0. Without it stacked layers stay one linear map."},
    {LayerKind::kDropout, "dropout",
     "Dropout: while training, switches off this fraction of the values at random (a guard "
     "against overfitting); off when testing."},
    {LayerKind::kFlatten, "flatten", "Flatten: the maps become one long vector, for the dense layers after it."},
    {LayerKind::kDense, "dense",
     "Dense (fully connected): every unit has a weight for every input value. The last layer "
     "must be dense with one unit per class."},
};

const LayerKindChoice& layer_kind_choice(LayerKind kind) {
  for (const LayerKindChoice& c : kLayerKindChoices)
    if (c.kind == kind) return c;
  return kLayerKindChoices[0];
}

// A new layer of a kind with numbers a student would start from.
LayerSpec starting_layer(LayerKind kind) {
  LayerSpec layer;
  layer.kind = kind;
  switch (kind) {
    case LayerKind::kConv2D: layer.units = 32; layer.kernel = 3; layer.same_padding = true; break;
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D: layer.kernel = 2; layer.stride = 2; break;
    case LayerKind::kDropout: layer.rate = 0.25f; break;
    case LayerKind::kDense: layer.units = 128; break;
    default: break;
  }
  return layer;
}

// A whole-number field with -/+ steps (typed on a keyboard, tapped on a phone); true when changed.
bool layer_number(const char* label, int* value, int low, int high, float width, const char* tip) {
  ImGui::SetNextItemWidth(width);
  const int before = *value;
  ImGui::InputInt(label, value, 1, 8);
  *value = std::clamp(*value, low, high);
  item_tooltip(tip);
  return *value != before;
}

// One row per layer: its number, kind, numbers, and move up / move down / remove. Returns true
// when a layer changed (layers then holds the edited list).
bool edit_layer_rows(const AppState& state, std::vector<LayerSpec>& layers, float scale) {
  bool changed = false;
  // Room for a value of 4 digits beside the - and + buttons, which are a frame high each (40 px
  // with touch: a fixed 92 px left the value no room on a phone).
  const float number_w = std::max(92.0f * scale, 2.0f * ImGui::GetFrameHeight() +
                                                     2.0f * ImGui::GetStyle().ItemInnerSpacing.x +
                                                     ImGui::CalcTextSize("00000").x +
                                                     2.0f * ImGui::GetStyle().FramePadding.x);
  int move_from = -1, move_to = -1, remove_at = -1;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerSpec& layer = layers[i];
    if (i > 0) ImGui::Separator();
    ImGui::PushID(static_cast<int>(i));
    ImGui::AlignTextToFramePadding();
    ImGui::Text("%2d", static_cast<int>(i) + 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110.0f * scale);
    if (ImGui::BeginCombo("##kind", layer_kind_choice(layer.kind).name)) {
      for (const LayerKindChoice& c : kLayerKindChoices) {
        if (ImGui::Selectable(c.name, c.kind == layer.kind) && c.kind != layer.kind) {
          layer = starting_layer(c.kind);
          changed = true;
        }
        item_tooltip(c.tooltip);
      }
      ImGui::EndCombo();
    }
    item_tooltip(layer_kind_choice(layer.kind).tooltip);
    // The numbers on the same line while there is room (a field and its label after the last
    // item drawn), else on the next line, indented under the kind.
    const float indent = ImGui::GetCursorPosX();
    auto next_field = [&](float width, const char* label) {
      const ImGuiStyle& style = ImGui::GetStyle();
      const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
      const float needed = style.ItemSpacing.x + width + style.ItemInnerSpacing.x +
                           ImGui::CalcTextSize(label).x;
      if (ImGui::GetItemRectMax().x + needed <= right) {
        ImGui::SameLine();
      } else {
        ImGui::SetCursorPosX(indent + ImGui::CalcTextSize("00").x + style.ItemSpacing.x);
      }
    };
    switch (layer.kind) {
      case LayerKind::kConv2D: {
        next_field(number_w, "filters");
        changed |= layer_number("filters", &layer.units, 1, 1024, number_w,
                                "How many filters (feature maps) this convolution learns.");
        next_field(number_w, "k");
        changed |= layer_number("k", &layer.kernel, 1, 11, number_w,
                                "Kernel size k: each filter looks at a k x k patch.");
        next_field(number_w, "stride");
        changed |= layer_number("stride", &layer.stride, 1, 8, number_w,
                                "How far the kernel moves between outputs: 2 halves the map's size.");
        next_field(number_w, "pad");
        ImGui::SetNextItemWidth(number_w);
        int pad = layer.same_padding ? 0 : 1;
        const char* pads[] = {"same", "valid"};
        if (ImGui::Combo("pad", &pad, pads, 2)) {
          layer.same_padding = pad == 0;
          changed = true;
        }
        item_tooltip("same: a border of zeros keeps the map's size (at stride 1); valid: no "
                     "border, so the map loses k - 1 rows and columns.");
        break;
      }
      case LayerKind::kMaxPool2D:
      case LayerKind::kAvgPool2D:
        next_field(number_w, "window");
        changed |= layer_number("window", &layer.kernel, 1, 8, number_w,
                                "The pooling window's width and height.");
        next_field(number_w, "stride");
        changed |= layer_number("stride", &layer.stride, 1, 8, number_w,
                                "How far the window moves: usually the window's size.");
        break;
      case LayerKind::kDropout: {
        next_field(number_w, "rate");
        ImGui::SetNextItemWidth(number_w);
        float rate = layer.rate;
        ImGui::InputFloat("rate", &rate, 0.05f, 0.1f, "%.2f");
        rate = std::clamp(rate, 0.0f, 0.95f);
        item_tooltip("The fraction of values switched off at random while training (0 to 0.95).");
        if (rate != layer.rate) {
          layer.rate = rate;
          changed = true;
        }
        break;
      }
      case LayerKind::kDense:
        next_field(number_w, "units");
        changed |= layer_number("units", &layer.units, 1, 65536, number_w,
                                "How many units (outputs) this layer has; the last one needs "
                                "one per class.");
        break;
      default:
        break;
    }
    const ImGuiStyle& style = ImGui::GetStyle();
    next_field(2.0f * ImGui::GetFrameHeight() + 2.0f * style.ItemSpacing.x +
                   ImGui::CalcTextSize("Remove").x + 2.0f * style.FramePadding.x, "");
    ImGui::BeginDisabled(i == 0);
    if (ImGui::ArrowButton("##up", ImGuiDir_Up)) move_from = static_cast<int>(i), move_to = move_from - 1;
    ImGui::EndDisabled();
    item_tooltip("Move this layer up (earlier in the network).");
    ImGui::SameLine();
    ImGui::BeginDisabled(i + 1 == layers.size());
    if (ImGui::ArrowButton("##down", ImGuiDir_Down)) move_from = static_cast<int>(i), move_to = move_from + 1;
    ImGui::EndDisabled();
    item_tooltip("Move this layer down (later in the network).");
    ImGui::SameLine();
    ImGui::BeginDisabled(layers.size() <= 1);
    if (small_button(state, "Remove")) remove_at = static_cast<int>(i);
    ImGui::EndDisabled();
    item_tooltip("Remove this layer.");
    ImGui::PopID();
  }
  if (move_from >= 0) {
    std::swap(layers[static_cast<size_t>(move_from)], layers[static_cast<size_t>(move_to)]);
    changed = true;
  }
  if (remove_at >= 0) {
    layers.erase(layers.begin() + remove_at);
    changed = true;
  }
  return changed;
}

void layer_editor_section(AppState& state, float scale) {
  SessionOptions& options = state.settings.draft;
  ModelState& model = state.model;
  std::vector<LayerSpec> layers = model.spec.layers;
  if (!model.built && options.is_custom()) {
    // An impossible custom list is still edited (the error above says what to fix).
    try {
      layers = parse_layer_list(options.spec_text);
    } catch (const Error&) {
      layers.clear();
    }
  }
  if (layers.empty()) {
    ImGui::TextDisabled("No layers to edit: choose a preset first.");
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("Changing a layer makes this model your own (custom); the summary below "
                      "checks every change. The last layer must be dense with one unit per class.");
  ImGui::PopTextWrapPos();
  bool changed = edit_layer_rows(state, layers, scale);
  int add_kind = -1;
  ImGui::SetNextItemWidth(200.0f * scale);
  if (ImGui::BeginCombo("##add", "Add a layer...")) {
    for (int k = 0; k < static_cast<int>(std::size(kLayerKindChoices)); ++k) {
      if (ImGui::Selectable(kLayerKindChoices[k].name)) add_kind = k;
      item_tooltip(kLayerKindChoices[k].tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip("Adds a layer just before the output layer; move it with the arrows.");
  if (add_kind >= 0) {
    const auto at = layers.size() > 1 ? layers.end() - 1 : layers.end();
    layers.insert(at, starting_layer(kLayerKindChoices[add_kind].kind));
    changed = true;
  }
  if (changed) use_custom_layers(options, layers);
}

// [SECTION] Model as text --------------------------------------------------------------------------

// ImGui's text field writing into a std::string (it asks for more room as the text grows).
int spec_field_resize(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    auto* text = static_cast<std::string*>(data->UserData);
    text->resize(static_cast<size_t>(data->BufTextLen));
    data->Buf = text->data();
  }
  return 0;
}

// The draft's model as spec text: the custom text as written (a one-line list, as links and the
// API give it, one layer per line, so it fits the field), or the preset's layers.
std::string draft_spec_text(const SessionOptions& o, const ModelState& model) {
  if (o.is_custom()) {
    if (o.spec_text.find('\n') != std::string::npos) return o.spec_text;
    try {
      return spec_lines(parse_layer_list(o.spec_text));
    } catch (const Error&) {
      return o.spec_text;
    }
  }
  return model.built ? spec_lines(model.spec.layers) : std::string();
}

void spec_text_section(AppState& state) {
  SessionOptions& options = state.settings.draft;
  ModelState& model = state.model;
  const std::string shown = draft_spec_text(options, model);
  // While the student types (the field was active last frame), the field keeps their text.
  if (!model.spec_edit_active && shown != model.spec_edit_source) {
    model.spec_edit = shown;
    model.spec_edit_source = shown;
    model.spec_edit_error.clear();
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("One layer per line (or ';' between layers), '#' starts a comment; e.g. "
                      "conv2d 32 k=3 pad=same, maxpool2d 2, dropout 0.25, dense 10.");
  ImGui::PopTextWrapPos();
  const float lines = std::clamp(static_cast<float>(std::count(model.spec_edit.begin(),
                                                               model.spec_edit.end(), '\n') + 2),
                                 4.0f, 14.0f);
  if (model.spec_edit.capacity() < 64) model.spec_edit.reserve(64);
  const bool typed = ImGui::InputTextMultiline(
      "##spec", model.spec_edit.data(), model.spec_edit.capacity() + 1,
      ImVec2(-1.0f, lines * ImGui::GetTextLineHeight() + 2.0f * ImGui::GetStyle().FramePadding.y),
      ImGuiInputTextFlags_CallbackResize, spec_field_resize, &model.spec_edit);
  model.spec_edit_active = ImGui::IsItemActive();
  note_control(state.ui, "model", "spec");
  // Not while typing: the tooltip would cover the check's message under the field.
  if (!model.spec_edit_active) {
    item_tooltip("The model in the engine's spec language (as cnnlab --spec takes it). Each "
                 "change is checked as you type; a valid model replaces the one above.");
  }
  if (typed) {
    try {
      if (model.spec_edit.size() > kMaxSpecText)
        throw Error("model spec", "is longer than " + std::to_string(kMaxSpecText) + " characters");
      parse_model_spec(model.spec_edit, model.input, model.classes);
      model.spec_edit_error.clear();
      options.model = kCustomModel;
      options.spec_text = model.spec_edit;
      model.spec_edit_source = model.spec_edit;
    } catch (const Error& e) {
      model.spec_edit_error = e.what();
    }
  }
  if (!model.spec_edit_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1.0f));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("Not a model for this data yet (Start waits until it is; the summary below is "
                "of the last valid model): %s", model.spec_edit_error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
}

// [SECTION] Summary ----------------------------------------------------------------------------------

void summary_table(UiState& ui, const ModelSummary& summary) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY;
  // Fixed widths from the widest text of each numeric column, so right alignment is stable
  // (auto-fitting a column to right-aligned text feeds back into its own width).
  float index_w = ImGui::CalcTextSize("00").x;
  float output_w = ImGui::CalcTextSize("Output").x;
  float params_w = ImGui::CalcTextSize(with_thousands(summary.total_params).c_str()).x;
  float macs_w = ImGui::CalcTextSize(with_thousands(summary.total_macs).c_str()).x;
  for (const SummaryRow& row : summary.rows) {
    output_w = std::max(output_w, ImGui::CalcTextSize(row.output.str().c_str()).x);
  }
  params_w = std::max(params_w, ImGui::CalcTextSize("Params").x);
  macs_w = std::max(macs_w, ImGui::CalcTextSize("MACs").x);
  // The rows' height as drawn last frame (a guess from the frame height until then).
  const float rows_height =
      table_height_for_rows("summary", (summary.rows.size() + 2) * ImGui::GetFrameHeight());
  float height = std::min(ImGui::GetContentRegionAvail().y, rows_height);
  if (height < 4 * ImGui::GetFrameHeight()) height = rows_height;  // the child scrolls instead
  if (!ImGui::BeginTable("summary", 5, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, index_w);
  ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Output", ImGuiTableColumnFlags_WidthFixed, output_w);
  ImGui::TableSetupColumn("Params", ImGuiTableColumnFlags_WidthFixed, params_w);
  ImGui::TableSetupColumn("MACs", ImGuiTableColumnFlags_WidthFixed, macs_w);
  ImGui::TableHeadersRow();
  auto right_aligned = [](const std::string& text) {
    float w = ImGui::CalcTextSize(text.c_str()).x;
    float pad = ImGui::GetContentRegionAvail().x - w;
    if (pad > 0) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + pad);
    ImGui::TextUnformatted(text.c_str());
  };
  for (const SummaryRow& row : summary.rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    // Layers count from 1 here as everywhere in the app (Inside the network, the pixel
    // explainer, explainPixel); the exported .npz names them by the 0-based index.
    ImGui::Text("%d", row.index + 1);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Layer %d (in the exported .npz and in PyTorch's nn.Sequential: %d)",
                        row.index + 1, row.index);
    }
    ImGui::TableNextColumn();
    // Over as many lines as a narrow column needs, broken between words (a phone cut
    // "conv2d 32 3x3" to "conv2d 32 3:").
    wrapped_cell(ui, "summary", row.name);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.output.str().c_str());
    ImGui::TableNextColumn();
    right_aligned(with_thousands(row.params));
    ImGui::TableNextColumn();
    right_aligned(with_thousands(row.macs));
  }
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("Total");
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  right_aligned(with_thousands(summary.total_params));
  ImGui::TableNextColumn();
  right_aligned(with_thousands(summary.total_macs));
  end_table_noted(ui, "summary", static_cast<int>(summary.rows.size()) + 1);
}

}  // namespace

void draw_model_panel(AppState& state) {
  ModelState& model = state.model;
  SessionOptions& options = state.settings.draft;
  PresetOptions& settings = options.preset;
  ImGui::BeginDisabled(state.ui.embedding.read_only);  // an instructor's fixed exercise
  const float scale = state.ui.scale;
  const float width = 170.0f * scale;

  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo("Preset", options.model.c_str())) {
    for (const std::string& name : preset_names()) {
      if (ImGui::Selectable(name.c_str(), name == options.model)) {
        use_preset(options, name, settings.kernel);
      }
      item_tooltip(preset_description(name).c_str());
    }
    ImGui::EndCombo();
  }
  item_tooltip("A ready-made network to start from. Editing its layers below makes it your own.");
  ImGui::PushTextWrapPos(0.0f);
  if (options.is_custom()) {
    ImGui::TextDisabled("Your own layers (edited below). Choose a preset to start again from one.");
  } else {
    ImGui::TextDisabled("%s", described_settings(options.model, settings).c_str());
  }
  ImGui::PopTextWrapPos();

  // A custom model's numbers are its layers' own: the preset's settings do not apply. They stay
  // on screen, disabled, so that the first layer edit (which makes the model custom) does not
  // move every control below by their height under the student's finger.
  ImGui::BeginDisabled(options.is_custom());
  {
    const bool conv = is_convolutional(options.model);
    ImGui::BeginDisabled(!conv);
    // Typed boxes with - / + (a slider jumped to wherever a finger tapped it on a phone).
    stepped_number(state.ui, "model", "Kernel size", "kernel", &settings.kernel, 1, "%d", width);
    item_tooltip("Each convolution looks at a k x k patch of its input at a time. A larger "
                 "kernel sees more of the image in one layer (a larger receptive field) but has "
                 "k x k weights per input channel and filter: more parameters, more computation. "
                 "Only the convolutional presets (cnn1, cnn, vgg) have kernels.");
    int filters = settings.filters > 0 ? settings.filters : 32;
    if (stepped_number(state.ui, "model", "Filters (first block)", "filters", &filters, 0, "%d",
                       width, 32)) {
      settings.filters = std::max(filters, 1);
    }
    item_tooltip("How many kernels the first convolution learns: each one is a feature "
                 "detector and gives one feature map. Every further block has twice as many.");
    ImGui::EndDisabled();
    int dense = settings.dense > 0 ? settings.dense : preset_dense(options.model);
    if (stepped_number(state.ui, "model", "Dense width", "dense", &dense, 0, "%d", width, 128)) {
      settings.dense = std::max(dense, 1);
    }
    item_tooltip("Units in the first hidden dense (fully connected) layer; an MLP's second "
                 "hidden layer has half as many. Each unit has a weight for every one of its "
                 "inputs, so this sets most of an MLP's parameters.");
    bool override_dropout = settings.dropout >= 0.0f;
    if (ImGui::Checkbox("Set dropout", &override_dropout)) {
      settings.dropout = override_dropout ? 0.25f : -1.0f;
    }
    item_tooltip("Dropout switches off a random fraction of a layer's outputs at every "
                 "training step, so the network cannot rely on any single unit: a guard against "
                 "overfitting. Off: the preset's own (mlp 0.3, vgg 0.25 and 0.4, cnn none).");
    if (override_dropout) {
      ImGui::SameLine();
      stepped_number(state.ui, "model", "rate", "dropout", &settings.dropout, 0.05f, "%.2f",
                     width * 0.8f);
      settings.dropout = std::clamp(settings.dropout, 0.0f, 0.95f);
      item_tooltip("The fraction of outputs switched off at random while training (0 to 0.95).");
    } else {
      ImGui::SameLine();
      ImGui::TextDisabled("(the preset's own)");
    }
  }
  ImGui::EndDisabled();
  if (ImGui::Button("Reset to preset")) use_preset(options, options.is_custom() ? "cnn" : options.model, 3);
  item_tooltip("Back to the preset's own settings, kernel 3 (from your own layers: the cnn preset).");
  // Open when the model is the student's own (a link or the API may have set it).
  if (options.is_custom()) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
  const bool layers_open = ImGui::CollapsingHeader("Edit the layers");
  item_tooltip("Add, remove, reorder and change the layers one by one.");
  if (layers_open) layer_editor_section(state, scale);
  if (options.is_custom()) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
  const bool text_open = ImGui::CollapsingHeader("Model as text");
  item_tooltip("The same model written as text: edit it, paste one, or copy it into cnnlab --spec.");
  if (text_open) spec_text_section(state);
  ImGui::EndDisabled();
  if (state.ui.embedding.read_only) ImGui::TextDisabled("Settings fixed by this page.");

  ImGui::Separator();
  ImGui::TextDisabled("Input %s", model.input_note.c_str());
  if (!model.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1.0f));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("These settings do not make a valid model: %s", model.error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    return;
  }
  if (!model.built) {
    empty_state("No model summary yet.", "Choose a preset above.");
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text("%s parameters, %s multiply-accumulates per image",
              with_thousands(model.summary.total_params).c_str(),
              with_thousands(model.summary.total_macs).c_str());
  ImGui::PopTextWrapPos();
  summary_table(state.ui, model.summary);
}

}  // namespace cnnlab
