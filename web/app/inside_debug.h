// A developer aid for screenshots of the result panels before (or without) a training backend:
// with the environment variable CNNLAB_DEBUG_TRAIN set to Session options as JSON (for example
// '{"model":"cnn","epochs":1}'), the first frame that has a dataset but no model trains one run
// in-process to the end (test evaluation included) and points state.lab at it. Without the
// variable it does nothing; with it, the debug session's results replace the backend's in
// state.lab every frame.
#pragma once

#include "app/app_state.h"

namespace cnnlab {

void debug_train_if_requested(AppState& state);

}  // namespace cnnlab
