// Helpers shared by the panels.
#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

void empty_state(const char* title, const char* explanation) {
  ImGui::Spacing();
  ImGui::TextUnformatted(title);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(explanation);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace cnnlab
