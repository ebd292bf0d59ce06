// Line plot (see line_plot.h).
//
// [SECTION] Axis ticks
// [SECTION] Smoothing
// [SECTION] Data ranges
// [SECTION] Drawing the series (decimated to the plot's pixel width)
// [SECTION] Legend and hover readout
// [SECTION] line_plot
#include "widgets/line_plot.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "imgui_internal.h"  // ImRect
#include "widgets/colors.h"

namespace cnnlab::widgets {

// ---- [SECTION] Axis ticks ------------------------------------------------------------------------

int nice_ticks(double lo, double hi, int target_count, double* ticks, int max_ticks) {
  if (!(hi > lo) || target_count < 1 || max_ticks < 1) return 0;
  double raw = (hi - lo) / target_count;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double residual = raw / magnitude;
  double step = magnitude * (residual < 1.5 ? 1.0 : residual < 3.0 ? 2.0 : residual < 7.0 ? 5.0 : 10.0);
  double first = std::ceil(lo / step - 1e-9) * step;
  int n = 0;
  for (double v = first; v <= hi + step * 1e-9 && n < max_ticks; v += step) {
    ticks[n++] = std::fabs(v) < step * 1e-9 ? 0.0 : v;
  }
  return n;
}

void TickFormat::print(char* out, size_t size, double value) const {
  if (decimals < 0) {
    std::snprintf(out, size, format, value);
  } else {
    std::snprintf(out, size, "%.*f", decimals, value);
  }
}

TickFormat tick_format(const char* format, const double* ticks, int count) {
  TickFormat f;
  f.format = format;
  // The plot's own format, unless two neighbouring ticks would read the same ("%.3g" on a loss
  // between 2.305 and 2.312 gives 2.31, 2.31, 2.31): then as many decimals as the step needs.
  char a[64], b[64];
  bool distinct = true;
  for (int i = 1; i < count && distinct; ++i) {
    f.print(a, sizeof a, ticks[i - 1]);
    f.print(b, sizeof b, ticks[i]);
    distinct = std::strcmp(a, b) != 0;
  }
  if (distinct || count < 2) return f;
  const double step = std::fabs(ticks[1] - ticks[0]);
  // A nice step is 1, 2 or 5 x 10^e: -e decimals tell its ticks apart.
  f.decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 12);
  return f;
}

// ---- [SECTION] Smoothing -------------------------------------------------------------------------

void smooth_curve(std::vector<float>& out, const std::vector<float>& in, float weight) {
  out.resize(in.size());
  double average = 0.0, correction = 0.0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!std::isfinite(in[i])) {
      out[i] = NAN;
      continue;
    }
    average = weight * average + (1.0 - weight) * in[i];
    correction = weight * correction + (1.0 - weight);
    out[i] = static_cast<float>(average / correction);
  }
}

namespace {

// ---- [SECTION] Data ranges -------------------------------------------------------------------

struct Range {
  double lo = DBL_MAX, hi = -DBL_MAX;
  bool valid() const { return lo <= hi; }
  void add(double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
};

void fit_ranges(const PlotSeries* series, int series_count, const PlotOptions& options, Range* x,
                Range* y) {
  for (int s = 0; s < series_count; ++s) {
    for (int i = 0; i < series[s].count; ++i) {
      if (!std::isfinite(series[s].y[i])) continue;
      x->add(series[s].x[i]);
      y->add(series[s].y[i]);
    }
  }
  if (std::isfinite(options.x_min)) x->lo = options.x_min;
  if (std::isfinite(options.x_max)) x->hi = options.x_max;
  if (std::isfinite(options.y_min)) y->lo = options.y_min;
  if (std::isfinite(options.y_max)) y->hi = options.y_max;
  if (x->valid() && x->hi == x->lo) { x->lo -= 0.5; x->hi += 0.5; }
  if (y->valid() && y->hi == y->lo) {
    double pad = std::max(std::fabs(y->lo) * 0.1, 1e-3);
    y->lo -= pad;
    y->hi += pad;
  } else if (y->valid() && !(std::isfinite(options.y_min) && std::isfinite(options.y_max))) {
    double pad = (y->hi - y->lo) * 0.05;
    if (!std::isfinite(options.y_min)) y->lo -= pad;
    if (!std::isfinite(options.y_max)) y->hi += pad;
  }
}

// ---- [SECTION] Drawing the series ------------------------------------------------------------

struct Mapping {
  ImRect area;
  double x_lo, x_hi, y_lo, y_hi;
  ImVec2 to_screen(double x, double y) const {
    float fx = static_cast<float>((x - x_lo) / (x_hi - x_lo));
    float fy = static_cast<float>((y - y_lo) / (y_hi - y_lo));
    return ImVec2(area.Min.x + fx * area.GetWidth(), area.Max.y - fy * area.GetHeight());
  }
  double to_data_x(float sx) const {
    return x_lo + (sx - area.Min.x) / area.GetWidth() * (x_hi - x_lo);
  }
};

// Polyline of one series. With more points than pixels, each pixel column keeps its first, min,
// max and last point so spikes stay visible and the vertex count stays bounded.
void draw_series(ImDrawList* draw, const PlotSeries& s, const Mapping& m, float thickness,
                 std::vector<ImVec2>& scratch) {
  scratch.clear();
  auto flush = [&]() {
    if (scratch.size() >= 2) draw->AddPolyline(scratch.data(), static_cast<int>(scratch.size()),
                                               s.color, 0, thickness);
    else if (scratch.size() == 1) draw->AddCircleFilled(scratch[0], thickness * 1.5f, s.color);
    scratch.clear();
  };
  float last_column = -FLT_MAX;
  ImVec2 column_min, column_max;
  bool column_open = false;
  auto close_column = [&]() {
    if (!column_open) return;
    if (column_min.y != column_max.y) {
      scratch.push_back(column_min);
      scratch.push_back(column_max);
    }
    column_open = false;
  };
  for (int i = 0; i < s.count; ++i) {
    if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) {
      close_column();
      flush();
      continue;
    }
    ImVec2 p = m.to_screen(s.x[i], s.y[i]);
    float column = std::floor(p.x);
    if (column == last_column) {
      // Same pixel column: track the extremes (screen y grows downwards).
      if (!column_open) { column_min = column_max = p; column_open = true; }
      if (p.y < column_min.y) column_min = p;
      if (p.y > column_max.y) column_max = p;
      continue;
    }
    close_column();
    scratch.push_back(p);
    last_column = column;
  }
  close_column();
  flush();
  if (s.markers) {
    for (int i = 0; i < s.count; ++i) {
      if (!std::isfinite(s.y[i])) continue;
      draw->AddCircleFilled(m.to_screen(s.x[i], s.y[i]), thickness * 1.8f, s.color);
    }
  }
}

// Index of the finite point whose x is nearest to x (x ascending), or -1.
int nearest_index(const PlotSeries& s, double x) {
  if (s.count == 0) return -1;
  const float* end = s.x + s.count;
  const float* it = std::lower_bound(s.x, end, static_cast<float>(x));
  int i = static_cast<int>(it - s.x);
  int best = -1;
  double best_d = DBL_MAX;
  for (int j = std::max(0, i - 1); j <= std::min(s.count - 1, i); ++j) {
    if (!std::isfinite(s.y[j])) continue;
    double d = std::fabs(s.x[j] - x);
    if (d < best_d) { best_d = d; best = j; }
  }
  return best;
}

// ---- [SECTION] Legend and hover readout ------------------------------------------------------

// The legend goes in the corner of the plot where it hides the fewest points of the series
// (top right first on a tie, then top left, bottom right, bottom left): a fixed corner covered
// the end of a falling loss curve. y_label: the y axis's label, drawn at the top left, which the
// legend must not cover either.
ImVec2 least_covered_corner(const PlotSeries* series, int series_count, const Mapping& m,
                            ImVec2 size, float pad, const char* y_label) {
  const ImRect& area = m.area;
  const float top_left_skip = y_label ? ImGui::GetTextLineHeight() : 0.0f;
  const ImVec2 corners[4] = {
      ImVec2(area.Max.x - size.x - pad, area.Min.y + pad),
      ImVec2(area.Min.x + pad, area.Min.y + pad + top_left_skip),
      ImVec2(area.Max.x - size.x - pad, area.Max.y - size.y - pad),
      ImVec2(area.Min.x + pad, area.Max.y - size.y - pad),
  };
  int covered[4] = {0, 0, 0, 0};
  for (int s = 0; s < series_count; ++s) {
    const PlotSeries& one = series[s];
    // At most about 500 points of a series are looked at: enough to see where it runs.
    const int step = std::max(1, one.count / 500);
    for (int i = 0; i < one.count; i += step) {
      if (!std::isfinite(one.x[i]) || !std::isfinite(one.y[i])) continue;
      const ImVec2 p = m.to_screen(one.x[i], one.y[i]);
      for (int c = 0; c < 4; ++c)
        if (p.x >= corners[c].x && p.x <= corners[c].x + size.x && p.y >= corners[c].y &&
            p.y <= corners[c].y + size.y)
          ++covered[c];
    }
  }
  if (y_label) {
    const ImVec2 label_min(area.Min.x + pad, area.Min.y + pad * 0.5f);
    const ImVec2 label_size = ImGui::CalcTextSize(y_label);
    for (int c = 0; c < 4; ++c)
      if (corners[c].x < label_min.x + label_size.x && corners[c].x + size.x > label_min.x &&
          corners[c].y < label_min.y + label_size.y && corners[c].y + size.y > label_min.y)
        covered[c] += 1000000;  // never over the label while another corner is free of it
  }
  int best = 0;
  for (int c = 1; c < 4; ++c)
    if (covered[c] < covered[best]) best = c;
  return corners[best];
}

void draw_legend(ImDrawList* draw, const PlotSeries* series, int series_count, const Mapping& m,
                 const char* y_label, float scale) {
  float line_h = ImGui::GetTextLineHeight();
  float swatch = 14.0f * scale;
  float pad = 4.0f * scale;
  float width = 0.0f;
  int rows = 0;
  for (int s = 0; s < series_count; ++s) {
    if (!series[s].in_legend) continue;
    width = std::max(width, ImGui::CalcTextSize(series[s].label).x);
    ++rows;
  }
  if (rows == 0) return;
  ImVec2 size(width + swatch + pad * 3, rows * line_h + pad * 2);
  const ImVec2 min = least_covered_corner(series, series_count, m, size, pad, y_label);
  draw->AddRectFilled(min, ImVec2(min.x + size.x, min.y + size.y),
                      ImGui::GetColorU32(ImGuiCol_PopupBg, 0.85f), 3.0f * scale);
  draw->AddRect(min, ImVec2(min.x + size.x, min.y + size.y), ImGui::GetColorU32(ImGuiCol_Border),
                3.0f * scale);
  float y = min.y + pad;
  for (int s = 0; s < series_count; ++s) {
    if (!series[s].in_legend) continue;
    float mid = y + line_h * 0.5f;
    draw->AddLine(ImVec2(min.x + pad, mid), ImVec2(min.x + pad + swatch, mid), series[s].color,
                  3.0f * scale);
    draw->AddText(ImVec2(min.x + pad * 2 + swatch, y), text_color(), series[s].label);
    y += line_h;
  }
}

void draw_hover(ImDrawList* draw, const PlotSeries* series, int series_count, const Mapping& m,
                const PlotOptions& options, float mouse_x) {
  double x = m.to_data_x(mouse_x);
  int shown = 0;
  double snapped_x = x;
  // Snap the readout to the nearest real point of the first series that has one.
  for (int s = 0; s < series_count; ++s) {
    int i = nearest_index(series[s], x);
    if (i >= 0) { snapped_x = series[s].x[i]; break; }
  }
  ImVec2 top = m.to_screen(snapped_x, m.y_hi);
  draw->AddLine(ImVec2(top.x, m.area.Min.y), ImVec2(top.x, m.area.Max.y),
                ImGui::GetColorU32(ImGuiCol_Text, 0.35f));
  ImGui::BeginTooltip();
  ImGui::Text("%s %g", options.x_label ? options.x_label : "x", snapped_x);
  char value[64];
  for (int s = 0; s < series_count; ++s) {
    int i = nearest_index(series[s], snapped_x);
    if (i < 0 || std::fabs(series[s].x[i] - snapped_x) > (m.x_hi - m.x_lo) * 0.02) continue;
    ImVec2 p = m.to_screen(series[s].x[i], series[s].y[i]);
    draw->AddCircleFilled(p, 4.0f * options.ui_scale, series[s].color);
    std::snprintf(value, sizeof value, options.y_format, static_cast<double>(series[s].y[i]));
    ImGui::ColorButton("##swatch", ImGui::ColorConvertU32ToFloat4(series[s].color),
                       ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoBorder,
                       ImVec2(ImGui::GetTextLineHeight(), ImGui::GetTextLineHeight()));
    ImGui::SameLine();
    ImGui::Text("%s: %s", series[s].label, value);
    ++shown;
  }
  if (shown == 0) ImGui::TextDisabled("no value here");
  ImGui::EndTooltip();
}

}  // namespace

// ---- [SECTION] line_plot -----------------------------------------------------------------------

bool line_plot(const char* id, const PlotSeries* series, int series_count, ImVec2 size,
               const PlotOptions& options) {
  const float scale = options.ui_scale;
  ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(avail.x, 50.0f * scale);
  if (size.y <= 0) size.y = std::max(avail.y, 50.0f * scale);

  ImGui::PushID(id);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", size);
  bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImRect frame(origin, ImVec2(origin.x + size.x, origin.y + size.y));
  const float line_h = ImGui::GetTextLineHeight();
  const float pad = 6.0f * scale;

  Range xr, yr;
  fit_ranges(series, series_count, options, &xr, &yr);

  // Title row on top, y ticks on the left, x ticks and label at the bottom.
  float top = frame.Min.y + pad + (options.title ? line_h + pad * 0.5f : 0.0f);
  if (options.title) draw->AddText(ImVec2(frame.Min.x + pad, frame.Min.y + pad), text_color(),
                                   options.title);
  double y_ticks[16] = {};  // zeroed: GCC cannot see tick_format reads only y_tick_count of them
  int y_tick_count = yr.valid() ? nice_ticks(yr.lo, yr.hi, std::max(2, static_cast<int>(
                                                 (frame.Max.y - top) / (line_h * 2.5f))),
                                             y_ticks, 16)
                                : 0;
  char label[64];
  const TickFormat y_tick_format = tick_format(options.y_format, y_ticks, y_tick_count);
  float y_label_width = 0.0f;
  for (int i = 0; i < y_tick_count; ++i) {
    y_tick_format.print(label, sizeof label, y_ticks[i]);
    y_label_width = std::max(y_label_width, ImGui::CalcTextSize(label).x);
  }
  float left = frame.Min.x + pad + std::max(y_label_width, 20.0f * scale) + pad;
  float bottom = frame.Max.y - pad - line_h - (options.x_label ? line_h : 0.0f);
  ImRect area(ImVec2(left, top), ImVec2(frame.Max.x - pad, bottom));
  if (area.GetWidth() < 10.0f || area.GetHeight() < 10.0f) {
    ImGui::PopID();
    return hovered;
  }
  draw->AddRectFilled(area.Min, area.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));

  if (!xr.valid() || !yr.valid()) {
    const char* text = options.empty_text ? options.empty_text : "No data yet";
    ImVec2 ts = ImGui::CalcTextSize(text, nullptr, false, area.GetWidth() - 2 * pad);
    ImVec2 at(area.GetCenter().x - ts.x * 0.5f, area.GetCenter().y - ts.y * 0.5f);
    draw->AddText(nullptr, 0.0f, at, muted_text_color(), text, nullptr, area.GetWidth() - 2 * pad);
    if (options.x_label) {
      ImVec2 xs = ImGui::CalcTextSize(options.x_label);
      draw->AddText(ImVec2(area.GetCenter().x - xs.x * 0.5f, bottom + pad * 0.5f + line_h),
                    muted_text_color(), options.x_label);
    }
    ImGui::PopID();
    return hovered;
  }

  Mapping m{area, xr.lo, xr.hi, yr.lo, yr.hi};
  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Border, 0.6f);
  for (int i = 0; i < y_tick_count; ++i) {
    ImVec2 p = m.to_screen(xr.lo, y_ticks[i]);
    draw->AddLine(ImVec2(area.Min.x, p.y), ImVec2(area.Max.x, p.y), grid);
    y_tick_format.print(label, sizeof label, y_ticks[i]);
    ImVec2 ts = ImGui::CalcTextSize(label);
    draw->AddText(ImVec2(area.Min.x - pad - ts.x, p.y - ts.y * 0.5f), muted_text_color(), label);
  }
  // As many x ticks as their actual labels fit side by side ("0.2" is wider than the axis
  // maximum "3", and nice steps may round finer than asked): fewer until they do.
  double x_ticks[16];
  int x_tick_count = 0;
  for (int target = 12; target >= 1; --target) {
    x_tick_count = nice_ticks(xr.lo, xr.hi, target, x_ticks, 16);
    float widest = 0.0f;
    for (int i = 0; i < x_tick_count; ++i) {
      std::snprintf(label, sizeof label, "%g", x_ticks[i]);
      widest = std::max(widest, ImGui::CalcTextSize(label).x);
    }
    const float spacing = x_tick_count > 1 ? (m.to_screen(x_ticks[1], yr.lo).x -
                                              m.to_screen(x_ticks[0], yr.lo).x)
                                           : area.GetWidth();
    if (widest + 2 * pad <= spacing) break;
  }
  for (int i = 0; i < x_tick_count; ++i) {
    ImVec2 p = m.to_screen(x_ticks[i], yr.lo);
    draw->AddLine(ImVec2(p.x, area.Min.y), ImVec2(p.x, area.Max.y), grid);
    std::snprintf(label, sizeof label, "%g", x_ticks[i]);
    ImVec2 ts = ImGui::CalcTextSize(label);
    draw->AddText(ImVec2(p.x - ts.x * 0.5f, area.Max.y + pad * 0.5f), muted_text_color(), label);
  }
  if (options.x_label) {
    ImVec2 ts = ImGui::CalcTextSize(options.x_label);
    draw->AddText(ImVec2(area.GetCenter().x - ts.x * 0.5f, area.Max.y + pad * 0.5f + line_h),
                  muted_text_color(), options.x_label);
  }
  if (options.y_label) {
    draw->AddText(ImVec2(area.Min.x + pad, area.Min.y + pad * 0.5f), muted_text_color(),
                  options.y_label);
  }

  draw->PushClipRect(area.Min, area.Max, true);
  std::vector<ImVec2> scratch;
  for (int s = 0; s < series_count; ++s) {
    if (series[s].count > 0) draw_series(draw, series[s], m, series[s].thickness * scale, scratch);
  }
  const bool cursor = std::isfinite(options.x_cursor);
  const ImU32 cursor_color = ImGui::GetColorU32(ImGuiCol_PlotHistogram);
  ImVec2 cursor_at;
  if (cursor) {
    cursor_at = m.to_screen(options.x_cursor, m.y_hi);
    // On the plot's left edge (epoch 0) the line would hide under the frame: just inside it.
    cursor_at.x = std::clamp(cursor_at.x, area.Min.x + 1.5f * scale, area.Max.x - 1.5f * scale);
    draw->AddLine(ImVec2(cursor_at.x, area.Min.y), ImVec2(cursor_at.x, area.Max.y), cursor_color,
                  2.0f * scale);
  }
  if (options.legend) {
    draw_legend(draw, series, series_count, m, options.y_label, scale);
  }
  if (cursor && options.cursor_label) {
    // The label over everything (the legend included), on a chip of the window's colour, beside
    // the line on whichever side it fits: "epoch 10" at the right edge is not cut to "e".
    const ImVec2 size = ImGui::CalcTextSize(options.cursor_label);
    const float gap = 3.0f * scale;
    float x = cursor_at.x + gap;
    if (x + size.x > area.Max.x - gap) x = cursor_at.x - gap - size.x;
    x = std::max(x, area.Min.x + gap);
    const float y = area.Max.y - size.y - 2.0f * gap;
    draw->AddRectFilled(ImVec2(x - gap, y - 1.0f * scale), ImVec2(x + size.x + gap, y + size.y + scale),
                        ImGui::GetColorU32(ImGuiCol_WindowBg), 3.0f * scale);
    draw->AddRect(ImVec2(x - gap, y - 1.0f * scale), ImVec2(x + size.x + gap, y + size.y + scale),
                  cursor_color, 3.0f * scale, 0, 1.5f * scale);
    draw->AddText(ImVec2(x, y), ImGui::GetColorU32(ImGuiCol_Text), options.cursor_label);
  }
  draw->PopClipRect();
  draw->AddRect(area.Min, area.Max, ImGui::GetColorU32(ImGuiCol_Border));

  ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered && area.Contains(mouse)) {
    draw_hover(draw, series, series_count, m, options, mouse.x);
  }
  ImGui::PopID();
  return hovered;
}

}  // namespace cnnlab::widgets
