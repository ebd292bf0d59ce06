// Inside-the-network panel: for a chosen test image, every conv and pool layer's feature maps with
// a colour scale, conv1's filters as RGB tiles, deeper filters as grids, and the receptive field
// of a clicked feature-map cell outlined on the input image.
#include "app/panels.h"
#include "imgui.h"

namespace cnnlab {

void draw_inside_panel(AppState& state) {
  if (!state.data.loaded || !state.model.built) {
    empty_state("No network to look inside yet.",
                "Once a dataset is loaded and a model is built, pick a test image here to see "
                "each conv and pool layer's feature maps, the first layer's filters, and the "
                "receptive field of any feature-map cell you click. They update live while the "
                "model trains.");
    return;
  }
  empty_state("Feature maps are not connected yet.",
              "The model exists, but the app does not yet read its activations.");
}

}  // namespace cnnlab
