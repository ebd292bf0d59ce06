// SessionOptions: every model and training setting of a lab session, under one spelling — the
// canonical keys of the option table below (camelCase: weightDecay, valFraction, ...), used by
// the JavaScript API, links, the trainer's commands, the lab model file and, through their flags,
// `cnnlab train` and `cnnlab experiment`. Defined in session_options.cpp.
//
// [SECTION] Option table   [SECTION] SessionOptions
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "model/presets.h"
#include "model/spec.h"
#include "train/trainer.h"

namespace cnnlab {

struct SessionOptions;

// [SECTION] Option table ---------------------------------------------------------------------------
// Each model and training option once: its canonical key, its command-line flag, how a value is
// checked and where it goes. SessionOptions::merge and to_json read values through it; cli/
// declares its flags from it (cli/common.h, SessionFlags).

enum class OptionGroup {
  kModel,     // builds the model (cnnlab summary takes these only)
  kTraining,  // how it is trained
};

enum class OptionScope {
  kLab,          // everywhere: SessionOptions' JSON (JS API, links, lab model file) and cnnlab
  kCommandLine,  // engine settings only cnnlab offers; SessionOptions' JSON leaves them out
};

// The JSON a value must be; anything else is refused with "must be <expected>, got <value>".
enum class OptionType {
  kInteger,  // a whole number within int's range
  kSeed,     // a whole number 0 <= s < 2^53 (exact in a double, and so in JavaScript)
  kNumber,   // a finite number within float's range
  kText,     // a string
  kSwitch,   // true or false
};

struct OptionRow {
  const char* key;       // canonical spelling (camelCase)
  const char* flag;      // cnnlab's flag: "--" and the key in kebab-case (--weight-decay)
  OptionGroup group;
  OptionScope scope;
  OptionType type;
  const char* expected;  // what a valid value is, for messages: "a whole number 1..11"
  const char* help;      // one line for cnnlab's --help
  bool show_default;     // false where the default is a sentinel the help explains (0 = preset's)
  // Sets the value (already checked against `type`) on the options; range checks follow in
  // SessionOptions::merge, once every key is applied.
  void (*apply)(SessionOptions& options, const nlohmann::json& value);
  // Null for an old spelling that is still accepted but never written (augment: flip and shift
  // say the same and more).
  nlohmann::json (*read)(const SessionOptions& options);
};

// Every row, model options first, in the order --help lists them.
const std::vector<OptionRow>& option_table();
// The row of a canonical key, or null.
const OptionRow* find_option(const std::string& key);
// j[key], checked against type: Error("option <key>", "must be <expected>, got <value>").
const nlohmann::json& checked_option(const nlohmann::json& j, const std::string& key,
                                     OptionType type, const char* expected);

// [SECTION] SessionOptions -------------------------------------------------------------------------
// What configure() accepts: the table's kLab keys — model, spec (a layer list of one's own, in
// the spec language; it makes model 'custom'), kernel, filters, dense, dropout, blocks, pooling,
// stride, epochs, batch, optimizer, momentum, nesterov, weightDecay, clipNorm, lr, lrSchedule,
// lrStepEpochs, lrGamma, lrMin, seed, augment (the old spelling of flip + shift 2, never written
// back), flip, shift, valFraction, patience, standardize. Unknown keys and invalid values are
// refused with an Error naming the key and why, and nothing changes.
// Longest spec text accepted (64 KB; a 16-layer network takes about 300 characters).
inline constexpr size_t kMaxSpecText = 65536;

struct SessionOptions {
  std::string model = "cnn";  // a preset name, or kCustomModel with spec_text
  std::string spec_text;      // the layers in the spec language (model/spec.h) when model is custom
  PresetOptions preset;
  TrainConfig train;

  // Applies the keys of j over *this (others unchanged): the kLab keys, or with kCommandLine
  // every key of the table. Throws Error("option <key>", why) and then changes nothing.
  void merge(const nlohmann::json& j, OptionScope scope = OptionScope::kLab);
  // The kLab keys but the old spellings (augment): flip and shift report the augmentation.
  nlohmann::json to_json() const;
  // The model spec for the data's shape and classes (Error when impossible): the preset with its
  // settings, or the custom layer list.
  ModelSpec spec(const Shape& input, int classes) const;
  bool is_custom() const { return model == kCustomModel; }
  // The model's kernel size as the lab names it ("cnn 3x3"): the preset's kernel for a
  // convolutional preset; for a custom model the kernel its conv layers share; none for an MLP,
  // a custom model without conv layers or with kernels of several sizes.
  std::optional<int> named_kernel() const;
  // "cnn 3x3", "mlp", "mlp dense 172", "custom 5x5", "custom": how runs, files and the state name
  // the model (an MLP's width when it is not the preset's: the baseline and an MLP sized to a
  // CNN's parameter count are both "mlp").
  std::string model_label() const;
  // The kLab keys, in table order, the old spellings included (links and files may use them).
  static const std::vector<std::string>& keys();
};

// Short text of settings for tables and logs: "step x0.5 every 2 epochs", "cosine to 0.0001",
// "constant"; "flips + shifts up to 2 px", "shifts up to 3 px", "off".
std::string lr_schedule_text(const LrSchedule& schedule);
std::string augment_text(const Augment& augment);

}  // namespace cnnlab
