// A developer aid for screenshots of the result panels (the desktop program cannot click): the
// environment variable CNNLAB_DEBUG_SELECT="cell=T,P;rf=L,M,R,C;evaltab=N" presets, once, the
// confusion-matrix cell (true T, predicted P), the clicked feature-map cell (layer section L, map
// M, row R, column C; its receptive field is outlined) and the Evaluation sub-tab (0 confusion
// matrix, 1 per class, 2 predictions). Without the variable it does nothing. Train with the
// desktop options --configure JSON --train and enough --frames.
#pragma once

#include "app/app_state.h"

namespace cnnlab {

void apply_debug_selection(AppState& state);

}  // namespace cnnlab
