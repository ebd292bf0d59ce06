// "Where it looks" (a sub-tab of Inside the network): which pixels of the shown image the shown
// network's answer depends on, by one of four methods of lab/attribution.h, each in a sentence:
// the input gradient, SmoothGrad, Grad-CAM on the last conv layer, occlusion. The image, the map
// and the two blended are drawn side by side; the map follows the image, the time slider's epoch
// and the weights while training, and is remade only when one of them or a choice changes.
//
// [SECTION] Methods   [SECTION] Computing the map   [SECTION] Drawing   [SECTION] JavaScript API
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/inside_view.h"
#include "app/panels.h"
#include "app/time_travel.h"
#include "core/error.h"
#include "core/text_format.h"
#include "imgui.h"
#include "widgets/colors.h"

namespace cnnlab {

namespace {

// ---- [SECTION] Methods --------------------------------------------------------------------------

struct AttributionChoice {
  const char* name;   // the API's name
  const char* label;  // the view's
  const char* sentence;
};

constexpr AttributionChoice kAttributionChoices[] = {
    {"gradient", "gradient",
     "How much a tiny change of each pixel would change the class's score (the input gradient): "
     "bright pixels are the ones the answer is most sensitive to."},
    {"smoothgrad", "SmoothGrad",
     "The gradient averaged over 25 copies of the image with a little noise added: the same "
     "question as the gradient, with less speckle."},
    {"gradcam", "Grad-CAM",
     "Where the last conv layer's maps that push toward the class are active (Grad-CAM): coarse, "
     "at that layer's resolution, but it tends to outline the object."},
    {"occlusion", "occlusion",
     "A grey square hides each part of the image in turn; bright where hiding it lowers the "
     "class's probability most. Needs no gradients: it only asks the network again."},
};
constexpr int kAttributionChoiceCount =
    static_cast<int>(sizeof kAttributionChoices / sizeof kAttributionChoices[0]);

AttributionOptions attribution_options(const AttributionView& view, const Preprocess& preprocess,
                                       int channels) {
  AttributionOptions o;
  const std::string name = kAttributionChoices[view.method].name;
  o.method = name == "gradcam"     ? AttributionMethod::kGradCam
             : name == "occlusion" ? AttributionMethod::kOcclusion
                                   : AttributionMethod::kGradient;
  o.target_class = view.target;
  if (name == "smoothgrad") o.smooth_samples = 25;
  o.occlusion_patch = view.patch;
  o.occlusion_stride = view.stride;
  o.occlusion_fill = grey_fill(preprocess, channels);
  return o;
}

// ---- [SECTION] Computing the map ---------------------------------------------------------------

// The map as drawn, (H, W) in [0, 1]: the gradient's largest magnitude over the channels, Grad-CAM
// stretched over the image (nearest neighbour), occlusion's drops (a rise, where hiding helps the
// class, is drawn as 0); each divided by its largest value.
std::vector<float> attribution_for_display(const AttributionMap& map, int height, int width) {
  std::vector<float> out(static_cast<size_t>(height) * static_cast<size_t>(width), 0.0f);
  if (map.method == AttributionMethod::kGradient) {
    const int channels = map.shape[0];
    const size_t plane = out.size();
    for (int c = 0; c < channels; ++c)
      for (size_t i = 0; i < plane; ++i)
        out[i] = std::max(out[i], std::fabs(map.values[static_cast<size_t>(c) * plane + i]));
  } else if (map.method == AttributionMethod::kGradCam) {
    const int h = map.shape[0], w = map.shape[1];
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        out[static_cast<size_t>(y) * width + x] =
            map.values[static_cast<size_t>(y * h / height) * w + static_cast<size_t>(x * w / width)];
  } else {
    for (size_t i = 0; i < out.size(); ++i) out[i] = std::max(0.0f, map.values[i]);
  }
  float top = 0.0f;
  for (float v : out) top = std::max(top, std::isfinite(v) ? v : 0.0f);
  for (float& v : out) v = top > 0.0f && std::isfinite(v) ? v / top : 0.0f;
  return out;
}

// The three tiles (3, 3, H, W) uint8: the image (grey shown as RGB), the map (viridis) and the
// image darkened where the map is low.
std::vector<uint8_t> attribution_tiles(const uint8_t* image, int channels, int height, int width,
                                       const std::vector<float>& shown) {
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  std::vector<uint8_t> tiles(3 * 3 * plane);
  for (size_t i = 0; i < plane; ++i) {
    unsigned char rgb[3];
    widgets::colormap_rgb(shown[i], widgets::Colormap::Viridis, rgb);
    for (int c = 0; c < 3; ++c) {
      const uint8_t pixel = image[static_cast<size_t>(channels == 3 ? c : 0) * plane + i];
      tiles[static_cast<size_t>(c) * plane + i] = pixel;
      tiles[(3 + static_cast<size_t>(c)) * plane + i] = rgb[c];
      tiles[(6 + static_cast<size_t>(c)) * plane + i] =
          static_cast<uint8_t>(std::lround(pixel * (0.15f + 0.85f * shown[i])));
    }
  }
  return tiles;
}

}  // namespace

AttributionMap attribution_with_choices(Model& model, const Preprocess& preprocess,
                                        const uint8_t* image, const Shape& shape,
                                        const AttributionView& choices) {
  std::vector<float> x(shape.count());
  preprocess.apply(x.data(), image, shape[0], static_cast<size_t>(shape[1]) * shape[2]);
  return compute_attribution(model, x.data(), shape,
                             attribution_options(choices, preprocess, shape[0]));
}

const char* attribution_choice_label(const AttributionView& choices) {
  return kAttributionChoices[std::clamp(choices.method, 0, kAttributionChoiceCount - 1)].label;
}

std::vector<uint8_t> attribution_blend(const uint8_t* image, int channels, int height, int width,
                                       const AttributionMap& map) {
  const std::vector<float> shown = attribution_for_display(map, height, width);
  const std::vector<uint8_t> tiles = attribution_tiles(image, channels, height, width, shown);
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  return std::vector<uint8_t>(tiles.begin() + static_cast<std::ptrdiff_t>(6 * plane), tiles.end());
}

namespace {

// Remakes the map when the image, the network shown or a choice changed since the last one.
void refresh_attribution(AppState& state) {
  refresh_inside_maps(state);
  InsideState& in = state.inside;
  AttributionView& view = in.where;
  int id = -1, channels = 0, height = 0, width = 0;
  const uint8_t* image = inside_image(state, &id, &channels, &height, &width);
  Model* model = shown_model(state);
  if (!image || !model) return;
  char key[160];
  std::snprintf(key, sizeof key, "%llu/%llu/%p/%d/%d/%d/%d/%d",
                static_cast<unsigned long long>(state.lab.weights_version),
                static_cast<unsigned long long>(state.time_travel.shown_serial),
                static_cast<const void*>(model), id, view.method, view.target, view.patch,
                view.stride);
  if (view.key == key) return;
  view.key = key;
  view.error.clear();
  view.shown.clear();
  view.tiles.clear();
  try {
    if (!in.error.empty()) throw Error("saliency", in.error);
    const Shape input{channels, height, width};
    if (!(model->input_shape() == input))
      throw Error("saliency", "the image is " + input.str() + ", the network takes " +
                                  model->input_shape().str());
    view.model_copy.sync(*model, state.lab.weights_version + state.time_travel.shown_serial);
    const auto start = std::chrono::steady_clock::now();
    view.map = attribution_with_choices(*view.model_copy.model(), state.lab.preprocess, image,
                                        input, view);
    view.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    view.shown = attribution_for_display(view.map, height, width);
    const std::vector<uint8_t> tiles = attribution_tiles(image, channels, height, width, view.shown);
    view.tiles.set_images_chw(tiles.data(), 3, 3, height, width);
  } catch (const std::exception& e) {
    view.error = e.what();
  }
}

}  // namespace

// ---- [SECTION] Drawing --------------------------------------------------------------------------

void draw_attribution_view(AppState& state) {
  AttributionView& view = state.inside.where;
  const float scale = state.ui.scale;
  const std::vector<std::string>& names = state.data.dataset.test.class_names;
  // The method: one radio button each, on as few lines as fit.
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (int m = 0; m < kAttributionChoiceCount; ++m) {
    if (m > 0) {
      const ImGuiStyle& style = ImGui::GetStyle();
      const float w = style.ItemSpacing.x + ImGui::GetFrameHeight() + style.ItemInnerSpacing.x +
                      ImGui::CalcTextSize(kAttributionChoices[m].label).x;
      if (ImGui::GetItemRectMax().x + w <= right) ImGui::SameLine();
    }
    ImGui::RadioButton(kAttributionChoices[m].label, &view.method, m);
    item_tooltip(kAttributionChoices[m].sentence);
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", kAttributionChoices[view.method].sentence);
  ImGui::PopTextWrapPos();
  // The class explained.
  const std::string predicted =
      view.map.predicted_class >= 0 && view.map.predicted_class < static_cast<int>(names.size())
          ? names[static_cast<size_t>(view.map.predicted_class)]
          : std::string("?");
  const std::string current = view.target < 0 ? "the predicted class (" + predicted + ")"
                              : view.target < static_cast<int>(names.size())
                                  ? names[static_cast<size_t>(view.target)]
                                  : std::string("?");
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, 260.0f * scale));
  if (ImGui::BeginCombo("Class", current.c_str())) {
    if (ImGui::Selectable("the predicted class", view.target < 0)) view.target = -1;
    for (int c = 0; c < static_cast<int>(names.size()); ++c)
      if (ImGui::Selectable(names[static_cast<size_t>(c)].c_str(), view.target == c)) view.target = c;
    ImGui::EndCombo();
  }
  item_tooltip("Whose score is explained: the network's own answer, or another class (what in "
               "the image speaks for 'cat'?).");
  if (std::string(kAttributionChoices[view.method].name) == "occlusion") {
    const float w = 110.0f * scale;
    ImGui::SetNextItemWidth(w);
    ImGui::InputInt("square", &view.patch, 1, 4);
    view.patch = std::clamp(view.patch, 1, std::max(1, state.data.dataset.test.height));
    item_tooltip("The grey square's side in pixels: small squares find small details, large "
                 "ones whole parts.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w);
    ImGui::InputInt("step", &view.stride, 1, 4);
    view.stride = std::clamp(view.stride, 1, view.patch);
    item_tooltip("How far the square moves each time, at most its side (so every pixel is "
                 "hidden at least once). Smaller steps: a finer map, more work.");
  }
  refresh_attribution(state);
  if (!view.error.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(0.85f, 0.3f, 0.2f, 1.0f), "No map: %s", view.error.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  if (view.tiles.count() == 0) return;
  const char* captions[] = {"the image", "the map", "both"};
  widgets::ImageGridOptions options;
  options.columns = 3;
  options.captions = captions;
  options.ui_scale = scale;
  const float gap = 8.0f * scale;
  options.spacing = gap / scale;
  options.tile_size = std::clamp((ImGui::GetContentRegionAvail().x - 2.0f * gap) / 3.0f,
                                 48.0f * scale, 200.0f * scale) / scale;
  view.tiles.draw("where", options);
  ImGui::PushTextWrapPos(0.0f);
  const std::string explained =
      view.map.target_class >= 0 && view.map.target_class < static_cast<int>(names.size())
          ? names[static_cast<size_t>(view.map.target_class)]
          : std::string("?");
  ImGui::TextDisabled("Explaining '%s' (probability %s; the network says '%s'). Bright: "
                      "matters most; dark: hardly at all. Computed in %.0f ms.",
                      explained.c_str(), percent(view.map.class_probability).c_str(),
                      predicted.c_str(), view.seconds * 1000.0);
  ImGui::PopTextWrapPos();
}

// ---- [SECTION] JavaScript API -------------------------------------------------------------------

std::string attribution_json(AppState& state, const std::string& request_text, std::string* result) {
  try {
    const nlohmann::json request = nlohmann::json::parse(request_text, nullptr, false);
    if (!request.is_object())
      throw Error("saliency", "expects an object {method, class, patch, stride}, got " + request_text);
    AttributionView& view = state.inside.where;
    AttributionView chosen;  // the request's choices, applied only once all are valid
    chosen.method = view.method;
    chosen.target = -1;
    chosen.patch = view.patch;
    chosen.stride = view.stride;
    for (auto it = request.begin(); it != request.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::json& v = it.value();
      if (key == "method") {
        const std::string name = v.is_string() ? v.get<std::string>() : v.dump();
        int found = -1;
        for (int m = 0; m < kAttributionChoiceCount; ++m)
          if (name == kAttributionChoices[m].name) found = m;
        if (found < 0)
          throw Error("saliency", "unknown method '" + name +
                                      "' (gradient, smoothgrad, gradcam or occlusion)");
        chosen.method = found;
      } else if (key == "class" || key == "patch" || key == "stride") {
        const double d = v.is_number() ? v.get<double>() : NAN;
        if (!(d == std::floor(d)) || d < (key == "class" ? -1 : 1) || d > 100000)
          throw Error("saliency", "'" + key + "' must be a whole number" +
                                      (key == "class" ? " (a class index, -1 the predicted)" : " >= 1") +
                                      ", got " + v.dump());
        (key == "class" ? chosen.target : key == "patch" ? chosen.patch : chosen.stride) =
            static_cast<int>(d);
      } else {
        throw Error("saliency", "unknown key '" + key + "' (method, class, patch, stride)");
      }
    }
    const int classes = static_cast<int>(state.data.dataset.test.class_names.size());
    if (chosen.target >= classes)
      throw Error("saliency", "class " + std::to_string(chosen.target) + " is not one of the " +
                                  std::to_string(classes) + " classes (0.." +
                                  std::to_string(classes - 1) + ")");
    if (!state.lab.model) throw Error("saliency", "there is no model yet: train one first");
    // Occlusion's square and step are checked here too, so a refused request leaves the view's
    // choices as they were (the lab's own check would come after they were applied).
    const int side = std::min(state.data.dataset.test.height, state.data.dataset.test.width);
    if (std::string(kAttributionChoices[chosen.method].name) == "occlusion" &&
        (chosen.patch > side || chosen.stride > chosen.patch))
      throw Error("saliency", "occlusion needs a square of at most the image's " +
                                  std::to_string(side) + " pixels and a stride of at most the "
                                  "square, got patch " + std::to_string(chosen.patch) +
                                  ", stride " + std::to_string(chosen.stride));
    view.method = chosen.method;
    view.target = chosen.target;
    view.patch = chosen.patch;
    view.stride = chosen.stride;
    state.inside.where_request = true;
    state.ui.right_tab_request = 0;  // Inside the network (on a phone: the Results area)
    refresh_attribution(state);
    if (!view.error.empty()) return view.error;  // "saliency: why"
    const AttributionMap& m = view.map;
    std::vector<int> shape;
    for (int d = 0; d < m.shape.rank; ++d) shape.push_back(m.shape[d]);
    *result = nlohmann::json{{"method", kAttributionChoices[view.method].name},
                             {"class", m.target_class},
                             {"predictedClass", m.predicted_class},
                             {"probability", m.class_probability},
                             {"shape", shape},
                             {"values", m.values}}
                  .dump();
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

}  // namespace cnnlab
