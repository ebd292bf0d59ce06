// Helpers shared by the panels.
#include "app/panels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "imgui.h"
#include "imgui_internal.h"  // ImGuiTable: where the last row ended, the box's scrollbars

namespace cnnlab {

bool begin_tab_noted(UiState& ui, const char* bar, const char* label, ImGuiTabItemFlags flags) {
  const bool open = ImGui::BeginTabItem(label, nullptr, flags);
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  // "Inside###Inside the network": shown as "Inside", named (and identified) by the rest.
  const char* id = std::strstr(label, "###");
  const char* name = id ? id + 3 : label;
  ui.drawn.tabs.push_back({bar, name, a.x, a.y, b.x - a.x, b.y - a.y});
  if (open) ui.drawn.open_tabs[bar] = name;
  return open;
}

ImGuiTabBarFlags tab_bar_flags(const UiState& ui) {
  // Narrow, tabs that do not fit would be cut ("Inside the netw..."): a bar too narrow for its
  // tabs scrolls instead (arrows at its end), each tab whole.
  return ui.narrow ? ImGuiTabBarFlags_FittingPolicyScroll : ImGuiTabBarFlags_None;
}

void end_child_noted(UiState& ui, const char* name) {
  ui.drawn.scrolls.push_back(
      {name, ImGui::GetScrollY(), ImGui::GetScrollMaxY(), ImGui::GetWindowHeight()});
  ImGui::EndChild();
}

namespace {
// Where a table's measured height is kept: the window's storage, under a key derived from the
// table's id (the same id BeginTable makes from str_id).
ImGuiID table_height_key(ImGuiID table_id) { return ImHashStr("rows height", 0, table_id); }
}  // namespace

float table_height_for_rows(const char* str_id, float estimate) {
  const float measured =
      ImGui::GetStateStorage()->GetFloat(table_height_key(ImGui::GetID(str_id)), 0.0f);
  return measured > 0.0f ? measured : estimate;
}

void end_table_noted(UiState& ui, const char* name, int rows) {
  ImGuiTable* table = ImGui::GetCurrentTable();
  if (!table) return;
  ImGuiWindow* inner = table->InnerWindow;
  const bool own_box = inner != table->OuterWindow;  // ScrollX / ScrollY: a child window
  const float scrollbar = own_box && inner->ScrollbarX ? ImGui::GetStyle().ScrollbarSize : 0.0f;
  const float scroll_y = own_box ? inner->Scroll.y : 0.0f;
  // The box's own inside (without its scrollbars), not clipped by the panel around it: a table
  // below the panel's fold is reached by scrolling the panel.
  const float visible_bottom = inner->InnerRect.Max.y;
  const bool scrolls_y = own_box && inner->ScrollMax.y > 0.0f;
  const ImGuiID id = table->ID;
  const float top = table->OuterRect.Min.y;
  ImGui::EndTable();
  // After EndTable: RowPosY2 is the bottom of the last row (screen pixels, as scrolled).
  const float last_bottom = table->RowPosY2;
  if (own_box) {
    // The rows unscrolled, the horizontal scrollbar, the outer border's pixel.
    const float needed = std::ceil(last_bottom + scroll_y - top + scrollbar + 1.0f);
    ImGui::GetStateStorage()->SetFloat(table_height_key(id), needed);
  }
  DrawnTable drawn;
  drawn.name = name;
  drawn.rows = rows;
  drawn.last_row_visible = !own_box || last_bottom <= visible_bottom + 0.5f;
  drawn.scrolls_y = scrolls_y;
  ui.drawn.tables.push_back(drawn);
}

void item_tooltip(const char* text) {
  if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) return;
  ImGui::BeginTooltip();
  const float width = std::min(ImGui::GetFontSize() * 18.0f, ImGui::GetIO().DisplaySize.x * 0.8f);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

namespace {
// `word` with its middle replaced by "…" so it fits `width` pixels; cut between UTF-8 characters.
std::string shorten_word_middle(const std::string& word, float width) {
  const char* dots = "\xE2\x80\xA6";  // U+2026 (in the font's glyph ranges, theme.cpp)
  const auto char_start = [&word](size_t i) {
    return i >= word.size() || (static_cast<unsigned char>(word[i]) & 0xC0) != 0x80;
  };
  for (size_t keep = word.size(); keep > 1; --keep) {
    size_t head = (keep + 1) / 2, tail = word.size() - keep / 2;
    while (head > 0 && !char_start(head)) --head;
    while (tail < word.size() && !char_start(tail)) ++tail;
    const std::string candidate = word.substr(0, head) + dots + word.substr(tail);
    if (ImGui::CalcTextSize(candidate.c_str()).x <= width) return candidate;
  }
  return dots;
}
}  // namespace

bool wrap_at_spaces(const std::string& text, float width, std::vector<std::string>* lines) {
  lines->clear();
  bool shortened = false;
  const float space = ImGui::CalcTextSize(" ").x;
  std::string line;
  float line_w = 0.0f;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = std::min(text.find_first_of(" \n", at), text.size());
    std::string word = text.substr(at, end - at);
    if (!word.empty()) {
      float word_w = ImGui::CalcTextSize(word.c_str()).x;
      if (word_w > width) {
        word = shorten_word_middle(word, width);
        word_w = ImGui::CalcTextSize(word.c_str()).x;
        shortened = true;
      }
      if (!line.empty() && line_w + space + word_w > width) {
        lines->push_back(line);
        line.clear();
        line_w = 0.0f;
      }
      line_w += (line.empty() ? 0.0f : space) + word_w;
      line += (line.empty() ? "" : " ") + word;
    }
    if (end < text.size() && text[end] == '\n') {  // a line break the text asks for
      lines->push_back(line);
      line.clear();
      line_w = 0.0f;
    }
    at = end + 1;
  }
  if (!line.empty()) lines->push_back(line);
  return shortened;
}

bool small_button(const AppState& state, const char* label) {
  return state.ui.embedding.touch ? ImGui::Button(label) : ImGui::SmallButton(label);
}

void wrapped_cell(UiState& ui, const char* table, const std::string& text) {
  DrawnCell cell{table, text, {}};
  const bool shortened =
      wrap_at_spaces(text, std::max(ImGui::GetContentRegionAvail().x, 1.0f), &cell.lines);
  ImGui::BeginGroup();
  for (const std::string& line : cell.lines) ImGui::TextUnformatted(line.c_str());
  ImGui::EndGroup();
  if (shortened && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text.c_str());
  ui.drawn.cells.push_back(std::move(cell));
}

void empty_state(const char* title, const char* explanation) {
  ImGui::Spacing();
  ImGui::TextUnformatted(title);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(explanation);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void draw_epoch_plot(const char* id, const std::vector<widgets::PlotSeries>& series, ImVec2 size,
                     const char* title, const char* y_label, bool accuracy, float ui_scale,
                     const char* empty_text, float x_cursor, const char* cursor_label,
                     bool legend) {
  widgets::PlotOptions options;
  options.legend = legend;
  options.x_cursor = x_cursor;
  options.cursor_label = cursor_label;
  float x_last = 0.0f;
  for (const widgets::PlotSeries& s : series)
    if (s.count > 0) x_last = std::max(x_last, s.x[s.count - 1]);
  if (x_last > 0.0f) {
    options.x_min = 0.0f;
    options.x_max = x_last * 1.04f;
  }
  options.title = title;
  options.x_label = "epoch";
  options.y_label = y_label;
  options.ui_scale = ui_scale;
  options.empty_text = empty_text;
  if (accuracy) {
    options.y_min = 0.0f;
    options.y_max = 1.0f;
    options.y_format = "%.2f";
  }
  widgets::line_plot(id, series.data(), static_cast<int>(series.size()), size, options);
}

// ---- Numbers and the controls' rectangles ----------------------------------------------------------

void note_control(UiState& ui, const char* panel, const char* name) {
  note_control_rect(ui, panel, name, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void note_control_rect(UiState& ui, const char* panel, const char* name, ImVec2 a, ImVec2 b) {
  // Visible: wholly inside the scrolled panel's view, so a click there reaches it.
  const ImVec2 clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
  const ImVec2 clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
  const bool visible = a.y >= clip_min.y && b.y <= clip_max.y && a.x >= clip_min.x - 1.0f &&
                       a.x < clip_max.x;
  ui.drawn.controls.push_back({panel, name, a.x, a.y, b.x - a.x, b.y - a.y, visible});
}

namespace {

template <typename T>
bool stepped_number_of(UiState& ui, const char* panel, const char* label, const char* name,
                       T* value, T step, const char* format, float width, T first) {
  constexpr ImGuiDataType type = std::is_same<T, int>::value ? ImGuiDataType_S32
                                                             : ImGuiDataType_Float;
  ImGui::PushID(name);
  const float button = ImGui::GetFrameHeight();
  const float gap = ImGui::GetStyle().ItemInnerSpacing.x;
  bool changed = false;
  ImGui::BeginGroup();
  ImGui::SetNextItemWidth(std::fmax(width - 2.0f * (button + gap), 2.0f * button));
  changed |= ImGui::InputScalar("##value", type, value, nullptr, nullptr, format);
  note_control(ui, panel, name);
  ImGui::SameLine(0.0f, gap);
  if (ImGui::Button("-", ImVec2(button, button))) {
    *value = step > 0 ? static_cast<T>(*value - step)
                      : std::is_same<T, int>::value ? std::max<T>(*value / 2, 1)
                                                    : static_cast<T>(*value / 2);
    changed = true;
  }
  note_control(ui, panel, (std::string(name) + "-").c_str());
  ImGui::SameLine(0.0f, gap);
  if (ImGui::Button("+", ImVec2(button, button))) {
    *value = step > 0 ? static_cast<T>(*value + step)
                      : *value > 0 ? static_cast<T>(*value * 2) : first;
    changed = true;
  }
  note_control(ui, panel, (std::string(name) + "+").c_str());
  ImGui::SameLine(0.0f, gap);
  ImGui::TextUnformatted(label);
  ImGui::EndGroup();
  ImGui::PopID();
  return changed;
}

}  // namespace

bool stepped_number(UiState& ui, const char* panel, const char* label, const char* name,
                    int* value, int step, const char* format, float width, int first) {
  return stepped_number_of(ui, panel, label, name, value, step, format, width, first);
}

bool stepped_number(UiState& ui, const char* panel, const char* label, const char* name,
                    float* value, float step, const char* format, float width, float first) {
  return stepped_number_of(ui, panel, label, name, value, step, format, width, first);
}

}  // namespace cnnlab
