// Model spec text parser and validation (see spec.h for the grammar).
#include "model/spec.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace cnnlab {

std::string ModelSpec::text() const {
  std::string s;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i) s += "; ";
    s += layers[i].text();
  }
  return s;
}

static std::string layer_where(size_t index0, const LayerSpec& spec) {
  return "layer " + std::to_string(index0 + 1) + " " + spec.label();
}

std::vector<Shape> ModelSpec::output_shapes() const {
  std::vector<Shape> shapes;
  Shape current = input;
  for (size_t i = 0; i < layers.size(); ++i) {
    try {
      current = layer_output_shape(layers[i], current);
    } catch (const Error& e) {
      throw Error(layer_where(i, layers[i]), e.problem());
    }
    shapes.push_back(current);
  }
  return shapes;
}

int ModelSpec::num_classes() const {
  std::vector<Shape> shapes = output_shapes();
  return shapes.empty() || shapes.back().rank != 1 ? 0 : shapes.back()[0];
}

size_t ModelSpec::parameter_count() const {
  std::vector<Shape> shapes = output_shapes();
  size_t total = 0;
  Shape current = input;
  for (size_t i = 0; i < layers.size(); ++i) {
    total += layer_parameter_count(layers[i], current);
    current = shapes[i];
  }
  return total;
}

bool ModelSpec::operator==(const ModelSpec& o) const {
  return input == o.input && layers == o.layers;
}

void validate_model_spec(const ModelSpec& spec, int classes) {
  const Shape& in = spec.input;
  require(in.rank == 3 && in[0] >= 1 && in[0] <= 64 && in[1] >= 1 && in[2] >= 1 &&
              in[1] <= 1024 && in[2] <= 1024,
          "model input", "must be (channels 1..64, height 1..1024, width 1..1024), got " +
                             in.str());
  require(!spec.layers.empty(), "model spec", "has no layers");
  std::vector<Shape> shapes = spec.output_shapes();
  const Shape& last = shapes.back();
  const std::string where = layer_where(spec.layers.size() - 1, spec.layers.back());
  if (classes > 0)
    require(last.rank == 1 && last[0] == classes, where,
            "the last layer's output is " + last.str() + ", expected (" +
                std::to_string(classes) + ") class scores; end the model with dense " +
                std::to_string(classes));
  else
    require(last.rank == 1 && last[0] >= 2, where,
            "the last layer's output is " + last.str() +
                ", expected a vector of class scores; end the model with dense <classes>");
  const size_t count = spec.parameter_count();
  require(count <= kMaxModelParameters, "model spec",
          "has " + std::to_string(count) + " parameters, more than the limit of " +
              std::to_string(kMaxModelParameters));
}

// ---- parsing ----------------------------------------------------------------------------------

static std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

static int parse_int(const std::string& text, const std::string& where, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text.c_str(), &end, 10);
  require(!text.empty() && end && *end == '\0' && errno == 0 && v >= -1000000 && v <= 1000000,
          where, "expected a whole number for " + what + ", got '" + text + "'");
  return static_cast<int>(v);
}

// "3" or "3x3" (square only).
static int parse_window(const std::string& text, const std::string& where,
                        const std::string& what) {
  const size_t x = lower(text).find('x');
  if (x == std::string::npos) return parse_int(text, where, what);
  const int a = parse_int(text.substr(0, x), where, what);
  const int b = parse_int(text.substr(x + 1), where, what);
  require(a == b, where, "only square " + what + "s are supported, got " + text);
  return a;
}

static float parse_float(const std::string& text, const std::string& where,
                         const std::string& what) {
  char* end = nullptr;
  float v = std::strtof(text.c_str(), &end);
  require(!text.empty() && end && *end == '\0' && std::isfinite(v), where,
          "expected a number for " + what + ", got '" + text + "'");
  return v;
}

LayerSpec parse_layer_spec(const std::string& statement, int index) {
  std::istringstream in(statement);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) {
    while (!t.empty() && t.back() == ',') t.pop_back();
    if (!t.empty()) tokens.push_back(t);
  }
  const std::string at = "layer " + std::to_string(index);
  require(!tokens.empty(), at, "is empty");
  const std::string word = lower(tokens[0]);
  LayerSpec spec;
  if (word == "conv2d" || word == "conv") {
    spec.kind = LayerKind::kConv2D;
    spec.kernel = 3;
  } else if (word == "maxpool2d" || word == "maxpool") {
    spec.kind = LayerKind::kMaxPool2D;
  } else if (word == "avgpool2d" || word == "avgpool") {
    spec.kind = LayerKind::kAvgPool2D;
  } else if (word == "relu") {
    spec.kind = LayerKind::kReLU;
  } else if (word == "dropout") {
    spec.kind = LayerKind::kDropout;
  } else if (word == "flatten") {
    spec.kind = LayerKind::kFlatten;
  } else if (word == "dense" || word == "linear" || word == "fc") {
    spec.kind = LayerKind::kDense;
  } else {
    throw Error(at, "unknown layer '" + tokens[0] +
                        "' (known: conv2d, maxpool2d, avgpool2d, relu, dropout, flatten, dense)");
  }
  const std::string where = at + " " + layer_kind_name(spec.kind);
  const bool is_pool = spec.kind == LayerKind::kMaxPool2D || spec.kind == LayerKind::kAvgPool2D;

  std::vector<std::string> positional;
  bool stride_given = false;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const size_t eq = t.find('=');
    if (eq == std::string::npos) {
      positional.push_back(t);
      continue;
    }
    const std::string key = lower(t.substr(0, eq)), value = t.substr(eq + 1);
    require(!value.empty(), where, "option '" + key + "' has no value");
    const bool conv = spec.kind == LayerKind::kConv2D;
    if (conv && (key == "k" || key == "kernel" || key == "kernel_size")) {
      spec.kernel = parse_window(value, where, "kernel");
    } else if ((conv || is_pool) && (key == "s" || key == "stride")) {
      spec.stride = parse_int(value, where, "stride");
      stride_given = true;
    } else if (conv && (key == "pad" || key == "padding")) {
      const std::string v = lower(value);
      require(v == "same" || v == "valid", where,
              "padding must be 'same' or 'valid', got '" + value + "'");
      spec.same_padding = v == "same";
    } else if ((conv || spec.kind == LayerKind::kDense) && key == "init") {
      const std::string v = lower(value);
      require(v == "pytorch" || v == "he_uniform" || v == "he_normal", where,
              "init must be pytorch, he_uniform or he_normal, got '" + value + "'");
      spec.init = v == "he_normal"    ? InitKind::kHeNormal
                  : v == "he_uniform" ? InitKind::kHeUniform
                                      : InitKind::kPyTorch;
    } else if (is_pool && (key == "k" || key == "window" || key == "size")) {
      spec.kernel = parse_window(value, where, "window");
      positional.insert(positional.begin(), value);  // counts as the window
    } else {
      const char* options = conv ? " (conv2d takes k=, s=, pad=, init=)"
                            : is_pool                          ? " (pooling takes s=)"
                            : spec.kind == LayerKind::kDense   ? " (dense takes init=)"
                                                               : " (this layer takes none)";
      throw Error(where, "unknown option '" + t.substr(0, eq) + "'" + options);
    }
  }

  switch (spec.kind) {
    case LayerKind::kConv2D:
      require(!positional.empty(), where,
              "needs the number of filters, e.g. 'conv2d 32 k=3 pad=same'");
      require(positional.size() <= 2, where, "too many values: '" + statement + "'");
      spec.units = parse_int(positional[0], where, "filters");
      if (positional.size() == 2) spec.kernel = parse_window(positional[1], where, "kernel");
      break;
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D:
      require(!positional.empty(), where, "needs the window size, e.g. 'maxpool2d 2'");
      require(positional.size() <= 1, where, "too many values: '" + statement + "'");
      spec.kernel = parse_window(positional[0], where, "window");
      if (!stride_given) spec.stride = spec.kernel;
      break;
    case LayerKind::kDropout:
      require(positional.size() == 1, where, "needs one rate, e.g. 'dropout 0.25'");
      spec.rate = parse_float(positional[0], where, "rate");
      break;
    case LayerKind::kDense:
      require(!positional.empty(), where, "needs the number of units, e.g. 'dense 128'");
      require(positional.size() <= 1, where, "too many values: '" + statement + "'");
      spec.units = parse_int(positional[0], where, "units");
      break;
    case LayerKind::kReLU:
    case LayerKind::kFlatten:
      require(positional.empty(), where, "takes no values, got '" + statement + "'");
      break;
  }
  return spec;
}

std::vector<LayerSpec> parse_layer_list(const std::string& text) {
  std::vector<LayerSpec> layers;
  std::string statement;
  int index = 0;
  auto flush = [&] {
    bool blank = true;
    for (char c : statement) blank = blank && std::isspace(static_cast<unsigned char>(c));
    if (!blank) layers.push_back(parse_layer_spec(statement, ++index));
    statement.clear();
  };
  bool comment = false;
  for (char c : text) {
    if (c == '\n') {
      comment = false;
      flush();
    } else if (comment) {
      continue;
    } else if (c == '#') {
      comment = true;
    } else if (c == ';') {
      flush();
    } else {
      statement += c;
    }
  }
  flush();
  return layers;
}

ModelSpec parse_model_spec(const std::string& text, const Shape& input, int classes) {
  ModelSpec spec;
  spec.input = input;
  spec.layers = parse_layer_list(text);
  validate_model_spec(spec, classes);
  return spec;
}

}  // namespace cnnlab
