// The option table and SessionOptions (see session_options.h).
//
// [SECTION] Option table   [SECTION] Checking a value   [SECTION] SessionOptions
#include "lab/session_options.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace cnnlab {

using json = nlohmann::json;

// [SECTION] Option table ---------------------------------------------------------------------------
namespace {

constexpr OptionGroup kModel = OptionGroup::kModel;
constexpr OptionGroup kTraining = OptionGroup::kTraining;
constexpr OptionScope kLab = OptionScope::kLab;
constexpr OptionType kInteger = OptionType::kInteger;
constexpr OptionType kSeed = OptionType::kSeed;
constexpr OptionType kNumber = OptionType::kNumber;
constexpr OptionType kText = OptionType::kText;
constexpr OptionType kSwitch = OptionType::kSwitch;

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

void apply_model(SessionOptions& o, const json& v) {
  const std::string name = v.get<std::string>();
  const auto& names = preset_names();
  if (name == kCustomModel) {
    // Only with a layer list: this one's spec key, or the one already set.
    o.model = name;
    return;
  }
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw Error("option model", "unknown model '" + name + "' (one of " + joined(names) +
                                    ", or custom with a spec)");
  o.model = name;
  o.spec_text.clear();  // a preset replaces the layer list
}

// The layer list is checked statement by statement here (words, numbers, ranges: the error names
// the layer); whether the layers fit the data's shape is known only when a model is built.
void apply_spec(SessionOptions& o, const json& v) {
  std::string text = v.get<std::string>();
  if (text.size() > kMaxSpecText)
    throw Error("option spec", "is " + std::to_string(text.size()) +
                                   " characters long; at most " + std::to_string(kMaxSpecText));
  if (text.find_first_not_of(" \t\r\n;") == std::string::npos) {
    if (o.model == kCustomModel) o.model = "cnn";  // an empty list: back to the default preset
    o.spec_text.clear();
    return;
  }
  try {
    if (parse_layer_list(text).empty()) throw Error("model spec", "has no layers");
  } catch (const Error& e) {
    throw Error("option spec", e.what());
  }
  o.model = kCustomModel;
  o.spec_text = std::move(text);
}

void apply_lr_schedule(SessionOptions& o, const json& v) {
  const std::string name = v.get<std::string>();
  if (!lr_schedule_from_name(name, &o.train.lr_schedule.kind))
    throw Error("option lrSchedule",
                "must be " + std::string(find_option("lrSchedule")->expected) + ", got '" + name +
                    "'");
}

}  // namespace

const std::vector<OptionRow>& option_table() {
  // Lambdas without captures: plain function pointers, so the table is data.
  using O = SessionOptions;
  static const std::vector<OptionRow> rows = {
      // ---- model
      {"model", "--model", kModel, kLab, kText, "a preset name",
       "Preset: mlp, cnn1, cnn, vgg, mlp-small", true, apply_model,
       [](const O& o) -> json { return o.model; }},
      {"spec", "--spec", kModel, kLab, kText, "a model spec, e.g. \"conv2d 16 k=3 pad=same; relu; "
       "maxpool2d 2; flatten; dense 10\"",
       "Model spec text instead of a preset, e.g. \"conv2d 16 k=3 pad=same; relu; maxpool2d 2; "
       "flatten; dense 10\"", false, apply_spec,
       [](const O& o) -> json { return o.spec_text; }},
      {"kernel", "--kernel", kModel, kLab, kInteger, "a whole number 1..11",
       "Convolution kernel size (1-11)", true,
       [](O& o, const json& v) { o.preset.kernel = v.get<int>(); },
       [](const O& o) -> json { return o.preset.kernel; }},
      {"filters", "--filters", kModel, kLab, kInteger, "a whole number 0..1024 (0 = preset's)",
       "Filters of the first conv block, 0..1024 (0 = preset's)", false,
       [](O& o, const json& v) { o.preset.filters = v.get<int>(); },
       [](const O& o) -> json { return o.preset.filters; }},
      {"dense", "--dense", kModel, kLab, kInteger, "a whole number 0..65536 (0 = preset's)",
       "Width of the first hidden dense layer, 0..65536 (0 = preset's)", false,
       [](O& o, const json& v) { o.preset.dense = v.get<int>(); },
       [](const O& o) -> json { return o.preset.dense; }},
      {"dropout", "--dropout", kModel, kLab, kNumber, "a number in [0, 1), or -1 (preset's)",
       "Dropout rate of every dropout layer, [0, 1) (-1, the default: preset's)", false,
       [](O& o, const json& v) { o.preset.dropout = v.get<float>(); },
       [](const O& o) -> json { return o.preset.dropout; }},
      {"blocks", "--blocks", kModel, kLab, kInteger, "a whole number 0..8 (0 = preset's)",
       "Conv blocks of the cnn preset, 0..8 (0 = preset's)", false,
       [](O& o, const json& v) { o.preset.blocks = v.get<int>(); },
       [](const O& o) -> json { return o.preset.blocks; }},
      {"pooling", "--pooling", kModel, kLab, kText, "max, avg or none",
       "max, avg or none (stride-2 conv instead)", true,
       [](O& o, const json& v) { o.preset.pooling = v.get<std::string>(); },
       [](const O& o) -> json { return o.preset.pooling; }},
      {"stride", "--stride", kModel, kLab, kInteger, "a whole number 1..8",
       "Stride of every conv layer, 1..8", true,
       [](O& o, const json& v) { o.preset.stride = v.get<int>(); },
       [](const O& o) -> json { return o.preset.stride; }},
      // ---- training
      {"epochs", "--epochs", kTraining, kLab, kInteger, "a whole number", "Epochs, 1..10000", true,
       [](O& o, const json& v) { o.train.epochs = v.get<int>(); },
       [](const O& o) -> json { return o.train.epochs; }},
      {"batch", "--batch", kTraining, kLab, kInteger, "a whole number", "Mini-batch size, 1..4096", true,
       [](O& o, const json& v) { o.train.batch_size = v.get<int>(); },
       [](const O& o) -> json { return o.train.batch_size; }},
      {"optimizer", "--optimizer", kTraining, kLab, kText, "adam, adamw or sgd",
       "adam, adamw or sgd", true,
       [](O& o, const json& v) { o.train.optimizer.kind = v.get<std::string>(); },
       [](const O& o) -> json { return o.train.optimizer.kind; }},
      {"momentum", "--momentum", kTraining, kLab, kNumber, "a number in [0, 1)",
       "SGD momentum, [0, 1)", true,
       [](O& o, const json& v) { o.train.optimizer.momentum = v.get<float>(); },
       [](const O& o) -> json { return o.train.optimizer.momentum; }},
      {"nesterov", "--nesterov", kTraining, kLab, kSwitch, "true or false",
       "Nesterov momentum (sgd, needs momentum > 0)", false,
       [](O& o, const json& v) { o.train.optimizer.nesterov = v.get<bool>(); },
       [](const O& o) -> json { return o.train.optimizer.nesterov; }},
      {"weightDecay", "--weight-decay", kTraining, kLab, kNumber, "a number >= 0",
       "L2 (sgd, adam) or decoupled (adamw) weight decay", true,
       [](O& o, const json& v) { o.train.optimizer.weight_decay = v.get<float>(); },
       [](const O& o) -> json { return o.train.optimizer.weight_decay; }},
      {"clipNorm", "--clip-norm", kTraining, kLab, kNumber, "a number >= 0 (0 = off)",
       "Clip the global gradient norm (0 = off)", true,
       [](O& o, const json& v) { o.train.optimizer.clip_norm = v.get<float>(); },
       [](const O& o) -> json { return o.train.optimizer.clip_norm; }},
      // ---- learning rate and its schedule (engine/optim/lr_schedule.h)
      {"lr", "--lr", kTraining, kLab, kNumber, "a number > 0", "Learning rate (the schedule's start)",
       true,
       [](O& o, const json& v) { o.train.optimizer.lr = v.get<float>(); },
       [](const O& o) -> json { return o.train.optimizer.lr; }},
      {"lrSchedule", "--lr-schedule", kTraining, kLab, kText, "constant, step or cosine",
       "constant, step (x --lr-gamma every --lr-step-epochs epochs) or cosine (to --lr-min)", true,
       apply_lr_schedule,
       [](const O& o) -> json { return lr_schedule_name(o.train.lr_schedule.kind); }},
      {"lrStepEpochs", "--lr-step-epochs", kTraining, kLab, kInteger,
       "a whole number of epochs 1..10000", "Step schedule: epochs between drops, 1..10000", true,
       [](O& o, const json& v) { o.train.lr_schedule.step_epochs = v.get<int>(); },
       [](const O& o) -> json { return o.train.lr_schedule.step_epochs; }},
      {"lrGamma", "--lr-gamma", kTraining, kLab, kNumber, "a number in (0, 1]",
       "Step schedule: factor of each drop, (0, 1]", true,
       [](O& o, const json& v) { o.train.lr_schedule.gamma = v.get<float>(); },
       [](const O& o) -> json { return o.train.lr_schedule.gamma; }},
      {"lrMin", "--lr-min", kTraining, kLab, kNumber, "a number >= 0, below lr",
       "Cosine schedule: the rate it ends at, >= 0 and below lr", true,
       [](O& o, const json& v) { o.train.lr_schedule.min_lr = v.get<float>(); },
       [](const O& o) -> json { return o.train.lr_schedule.min_lr; }},
      {"seed", "--seed", kTraining, kLab, kSeed, "a whole number >= 0",
       "Seed for init, split, order, dropout, augmentation (experiment: the first repeat's)",
       true,
       [](O& o, const json& v) { o.train.seed = static_cast<uint64_t>(v.get<double>()); },
       [](const O& o) -> json { return o.train.seed; }},
      // ---- data augmentation: the old one switch, then flip and shift (read after it, so a
      // request giving both gets the separate settings)
      {"augment", "--augment", kTraining, kLab, kSwitch, "true or false",
       "Old spelling of --flip --shift 2", false,
       [](O& o, const json& v) { o.train.augment = v.get<bool>() ? Augment{true, 2} : Augment{}; },
       nullptr},
      {"flip", "--flip", kTraining, kLab, kSwitch, "true or false",
       "Random horizontal flips of training images", false,
       [](O& o, const json& v) { o.train.augment.flip = v.get<bool>(); },
       [](const O& o) -> json { return o.train.augment.flip; }},
      {"shift", "--shift", kTraining, kLab, kInteger, "a whole number of pixels 0..8",
       "Random shifts of training images by up to this many pixels, 0..8 (0 = off)", true,
       [](O& o, const json& v) { o.train.augment.max_shift = v.get<int>(); },
       [](const O& o) -> json { return o.train.augment.max_shift; }},
      {"valFraction", "--val-fraction", kTraining, kLab, kNumber, "a number in [0, 1)",
       "Stratified validation fraction, [0, 1) (0 = no validation split)", true,
       [](O& o, const json& v) { o.train.val_fraction = v.get<float>(); },
       [](const O& o) -> json { return o.train.val_fraction; }},
      {"patience", "--patience", kTraining, kLab, kInteger, "a whole number >= 0",
       "Early stopping: epochs without a better validation loss (0 = off)", true,
       [](O& o, const json& v) { o.train.patience = v.get<int>(); },
       [](const O& o) -> json { return o.train.patience; }},
      {"standardize", "--standardize", kTraining, kLab, kSwitch, "true or false",
       "Per-channel standardisation (recorded in the model)", false,
       [](O& o, const json& v) { o.train.standardize = v.get<bool>(); },
       [](const O& o) -> json { return o.train.standardize; }},
  };
  return rows;
}

const OptionRow* find_option(const std::string& key) {
  for (const OptionRow& row : option_table())
    if (key == row.key) return &row;
  return nullptr;
}

// [SECTION] Checking a value -----------------------------------------------------------------------
const json& checked_option(const json& j, const std::string& key, OptionType type,
                           const char* expected) {
  const json& v = j.at(key);
  bool ok = false;
  switch (type) {
    case OptionType::kText: ok = v.is_string(); break;
    case OptionType::kSwitch: ok = v.is_boolean(); break;
    case OptionType::kNumber:
      ok = v.is_number() && std::isfinite(v.get<double>()) && std::fabs(v.get<double>()) <= FLT_MAX;
      break;
    case OptionType::kInteger:
    case OptionType::kSeed: {
      const double d = v.is_number() ? v.get<double>() : NAN;
      ok = std::isfinite(d) && d == std::floor(d) &&
           (type == OptionType::kInteger ? d >= INT_MIN && d <= INT_MAX
                                         : d >= 0 && d < 9007199254740992.0);
      break;
    }
  }
  if (!ok) throw Error("option " + key, std::string("must be ") + expected + ", got " + v.dump());
  return v;
}

// [SECTION] SessionOptions -------------------------------------------------------------------------
const std::vector<std::string>& SessionOptions::keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> out;
    for (const OptionRow& row : option_table())
      if (row.scope == OptionScope::kLab) out.push_back(row.key);
    return out;
  }();
  return k;
}

void SessionOptions::merge(const json& j, OptionScope scope) {
  require(j.is_object(), "options", "must be an object, got " + j.dump());
  auto accepted = [scope](const OptionRow* row) {
    return row && (row->scope == OptionScope::kLab || scope == OptionScope::kCommandLine);
  };
  for (const auto& item : j.items())
    if (!accepted(find_option(item.key()))) {
      std::vector<std::string> known;
      for (const OptionRow& row : option_table())
        if (accepted(&row)) known.push_back(row.key);
      throw Error("option " + item.key(), "unknown option (known: " + joined(known) + ")");
    }
  SessionOptions o = *this;
  for (const OptionRow& row : option_table())
    if (j.contains(row.key)) row.apply(o, checked_option(j, row.key, row.type, row.expected));
  if (j.contains("model") && j.contains("spec") && j.at("model") != kCustomModel &&
      !o.spec_text.empty())
    throw Error("option spec", "a spec replaces the preset: leave out model (or give model "
                               "'custom'), got model '" + j.at("model").get<std::string>() + "'");
  if (o.model == kCustomModel && o.spec_text.empty())
    throw Error("option model", "'custom' needs its layers: give them as spec");
  try {
    o.train.validate();  // names the field by its key (weightDecay, valFraction, ...)
  } catch (const Error& e) {
    throw Error("option " + e.where(), e.problem());
  }
  if (o.preset.pooling != "max" && o.preset.pooling != "avg" && o.preset.pooling != "none")
    throw Error("option pooling", "must be max, avg or none, got '" + o.preset.pooling + "'");
  // The model's numbers are checked here too, not only once a model is built from them, so a
  // link, a <cnn-lab> attribute or the API is refused at once under the key it gave; 0 for
  // filters, dense and blocks means the preset's, as -1 does for dropout. The upper bounds keep
  // the preset's arithmetic (filters doubled per block) far from overflow.
  auto check = [](const char* key, bool ok, double value) {
    if (ok) return;
    // The value as applied (a whole number without ".0", as the user wrote it).
    const std::string shown = value == std::floor(value) && std::fabs(value) < 1e15
                                  ? std::to_string(static_cast<long long>(value))
                                  : json(value).dump();
    throw Error(std::string("option ") + key,
                std::string("must be ") + find_option(key)->expected + ", got " + shown);
  };
  const PresetOptions& p = o.preset;
  check("kernel", p.kernel >= 1 && p.kernel <= 11, p.kernel);
  check("filters", p.filters >= 0 && p.filters <= 1024, p.filters);
  check("dense", p.dense >= 0 && p.dense <= 65536, p.dense);
  check("blocks", p.blocks >= 0 && p.blocks <= 8, p.blocks);
  check("stride", p.stride >= 1 && p.stride <= 8, p.stride);
  check("dropout", p.dropout == -1.0f || (p.dropout >= 0.0f && p.dropout < 1.0f), p.dropout);
  *this = o;
}

json SessionOptions::to_json() const {
  json out = json::object();
  for (const OptionRow& row : option_table())
    if (row.scope == OptionScope::kLab && row.read) out[row.key] = row.read(*this);
  return out;
}

std::optional<int> SessionOptions::named_kernel() const {
  if (!is_custom()) return is_mlp_preset(model) ? std::nullopt : std::optional<int>(preset.kernel);
  std::optional<int> shared;
  for (const LayerSpec& layer : parse_layer_list(spec_text)) {
    if (layer.kind != LayerKind::kConv2D) continue;
    if (shared && *shared != layer.kernel) return std::nullopt;
    shared = layer.kernel;
  }
  return shared;
}

std::string SessionOptions::model_label() const {
  if (is_mlp_preset(model) && preset.dense > 0) return model + " dense " + std::to_string(preset.dense);
  const std::optional<int> k = named_kernel();
  return k ? model + " " + std::to_string(*k) + "x" + std::to_string(*k) : model;
}

ModelSpec SessionOptions::spec(const Shape& input, int classes) const {
  if (is_custom()) return parse_model_spec(spec_text, input, classes);
  return cnnlab::preset(model, input, classes, preset);
}

std::string lr_schedule_text(const LrSchedule& s) {
  char buf[96];
  switch (s.kind) {
    case LrScheduleKind::kConstant: return "constant";
    case LrScheduleKind::kStep:
      std::snprintf(buf, sizeof buf, "step x%g every %d epoch%s", static_cast<double>(s.gamma),
                    s.step_epochs, s.step_epochs == 1 ? "" : "s");
      return buf;
    case LrScheduleKind::kCosine:
      std::snprintf(buf, sizeof buf, "cosine to %g", static_cast<double>(s.min_lr));
      return buf;
  }
  return "constant";
}

std::string augment_text(const Augment& a) {
  const std::string shifts =
      a.max_shift > 0 ? "shifts up to " + std::to_string(a.max_shift) + " px" : "";
  if (a.flip) return shifts.empty() ? "flips" : "flips + " + shifts;
  return shifts.empty() ? "off" : shifts;
}

}  // namespace cnnlab
