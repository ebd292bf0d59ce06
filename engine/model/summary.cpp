// Model summary table.
#include "model/summary.h"

#include <algorithm>

#include "core/text_format.h"

namespace cnnlab {

ModelSummary summarize(const ModelSpec& spec) {
  validate_model_spec(spec);
  ModelSummary s;
  s.input = spec.input;
  Shape current = spec.input;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    SummaryRow row;
    row.index = static_cast<int>(i);
    row.name = l.label();
    row.kind = layer_kind_name(l.kind);
    row.output = layer_output_shape(l, current);
    row.params = layer_parameter_count(l, current);
    row.macs = layer_macs(l, current);
    row.macs_computed = layer_macs_computed(l, current);
    s.total_params += row.params;
    s.total_macs += row.macs;
    s.total_macs_computed += row.macs_computed;
    s.activation_floats += row.output.count();
    current = row.output;
    s.rows.push_back(row);
  }
  return s;
}

static std::string pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string render_summary(const ModelSummary& s) {
  size_t name_w = 5, shape_w = 12;
  for (const SummaryRow& r : s.rows) {
    name_w = std::max(name_w, r.name.size());
    shape_w = std::max(shape_w, r.output.str().size());
  }
  const size_t params_w = 12, macs_w = 14;
  std::string out;
  const std::string header = pad("#", 4) + pad("layer", name_w + 2) + pad("output shape", shape_w + 2) +
                             pad("params", params_w, true) + pad("MACs", macs_w, true);
  const std::string rule(header.size(), '-');
  out += "input " + s.input.str() + "\n" + header + "\n" + rule + "\n";
  for (const SummaryRow& r : s.rows)
    out += pad(std::to_string(r.index), 4) + pad(r.name, name_w + 2) +
           pad(r.output.str(), shape_w + 2) + pad(with_thousands(r.params), params_w, true) +
           pad(with_thousands(r.macs), macs_w, true) + "\n";
  out += rule + "\n";
  out += "total parameters: " + with_thousands(s.total_params) +
         "\nMACs per image (forward): " + with_thousands(s.total_macs) + "\n";
  return out;
}

}  // namespace cnnlab
