// CNNLAB_DEBUG_SELECT (see inside_debug.h).
#include "app/inside_debug.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cnnlab {

void apply_debug_selection(AppState& state) {
  if (state.inside.debug_applied) return;
  state.inside.debug_applied = true;
  const char* sel = std::getenv("CNNLAB_DEBUG_SELECT");
  if (!sel) return;
  int a = -1, b = -1, c = -1, d = -1;
  if (const char* p = std::strstr(sel, "cell=")) {
    if (std::sscanf(p, "cell=%d,%d", &a, &b) == 2) {
      state.eval.selected_true = a;
      state.eval.selected_pred = b;
    }
  }
  if (const char* p = std::strstr(sel, "rf=")) {
    if (std::sscanf(p, "rf=%d,%d,%d,%d", &a, &b, &c, &d) == 4) {
      state.inside.selected_layer = a;
      state.inside.selected_map = b;
      state.inside.selected_row = c;
      state.inside.selected_col = d;
    }
  }
  if (const char* p = std::strstr(sel, "evaltab=")) {
    std::sscanf(p, "evaltab=%d", &state.eval.debug_tab_request);
  }
}

}  // namespace cnnlab
