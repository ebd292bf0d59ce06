// CNNLAB_DEBUG_TRAIN (see inside_debug.h).
#include "app/inside_debug.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "train/session.h"

namespace cnnlab {

void debug_train_if_requested(AppState& state) {
  const char* options = std::getenv("CNNLAB_DEBUG_TRAIN");
  InsideState& in = state.inside;
  if (!options || !*options || !state.data.loaded) return;
  if (!in.debug_session) {
    try {
      auto session = std::make_shared<Session>(2);
      session->set_data(state.data.source);
      session->configure(nlohmann::json::parse(options));
      session->train();
      while (session->tick(0.5)) {
      }
      in.debug_session = session;
      // CNNLAB_DEBUG_SELECT="cell=T,P;rf=L,M,R,C;evaltab=N": preset clicks for screenshots.
      if (const char* sel = std::getenv("CNNLAB_DEBUG_SELECT")) {
        int a = -1, b = -1, c = -1, d = -1;
        if (const char* p = std::strstr(sel, "cell=")) {
          if (std::sscanf(p, "cell=%d,%d", &a, &b) == 2) {
            state.eval.selected_true = a;
            state.eval.selected_pred = b;
          }
        }
        if (const char* p = std::strstr(sel, "rf=")) {
          if (std::sscanf(p, "rf=%d,%d,%d,%d", &a, &b, &c, &d) == 4) {
            in.selected_layer = a;
            in.selected_map = b;
            in.selected_row = c;
            in.selected_col = d;
          }
        }
        if (const char* p = std::strstr(sel, "evaltab=")) {
          std::sscanf(p, "evaltab=%d", &state.eval.debug_tab_request);
        }
      }
      std::printf("cnnlab_app: CNNLAB_DEBUG_TRAIN: %s\n", session->state().dump().c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cnnlab_app: CNNLAB_DEBUG_TRAIN: %s\n", e.what());
      return;
    }
  }
  // Overrides whatever the app's backend put in the view, every frame.
  Session& s = *in.debug_session;
  state.lab.model = s.model();
  state.lab.preprocess = s.preprocess();
  if (state.lab.weights_version == 0) state.lab.weights_version = 1;
  state.lab.test_metrics = s.test_metrics();
  state.lab.test_probabilities = s.test_probabilities();
  if (state.lab.test_version == 0) state.lab.test_version = 1;
}

}  // namespace cnnlab
