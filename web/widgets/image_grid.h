// ImageGrid: many small images (dataset samples from uint8 (N, C, H, W), feature maps and filters
// from float maps) drawn as a grid of enlarged, crisp tiles. All tiles live in one texture atlas
// that is uploaded once per change, so a grid of hundreds of 32x32 images costs one quad each.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "imgui.h"
#include "widgets/colors.h"

namespace cnnlab::widgets {

struct ImageGridResult {
  int hovered = -1;  // tile index under the mouse
  int clicked = -1;
  ImVec2 hovered_uv = ImVec2(0, 0);  // position inside the hovered tile, [0, 1)
};

struct ImageGridOptions {
  int columns = 0;              // 0: as many as fit the available width
  float tile_size = 48.0f;      // logical pixels (scaled by ui_scale)
  float spacing = 2.0f;
  const char* const* captions = nullptr;  // (count), drawn under each tile when set
  const ImU32* borders = nullptr;         // (count), a coloured frame per tile when non-zero
  int selected = -1;                      // outlined
  float ui_scale = 1.0f;
};

class ImageGrid {
 public:
  ImageGrid() = default;
  ~ImageGrid();
  ImageGrid(const ImageGrid&) = delete;
  ImageGrid& operator=(const ImageGrid&) = delete;
  ImageGrid(ImageGrid&& other) noexcept;
  ImageGrid& operator=(ImageGrid&& other) noexcept;

  // Replaces the tiles with count uint8 images (N, C, H, W); C is 1 (grey) or 3 (RGB).
  void set_images_chw(const uint8_t* images, int count, int channels, int height, int width);
  // Replaces the tiles with count float maps (N, H, W) coloured by `map` over [v_min, v_max]
  // (NaN: the maps' own min / max).
  void set_maps(const float* maps, int count, int height, int width, Colormap map,
                float v_min = NAN, float v_max = NAN);
  // Replaces the tiles with RGB maps (N, 3, H, W) in [v_min, v_max] (conv1 filters as colour tiles).
  void set_rgb_maps(const float* maps, int count, int height, int width, float v_min, float v_max);
  void clear();

  int count() const { return count_; }

  ImageGridResult draw(const char* id, const ImageGridOptions& options);

 private:
  void begin_tiles(int count, int height, int width);
  uint8_t* tile_pixel(int tile, int y, int x);  // RGBA of one texel

  std::vector<uint8_t> atlas_;  // (atlas_h, atlas_w, 4)
  int count_ = 0, tile_w_ = 0, tile_h_ = 0;
  int atlas_cols_ = 0, atlas_w_ = 0, atlas_h_ = 0;
  ImTextureID texture_ = nullptr;
  int texture_w_ = 0, texture_h_ = 0;
  bool dirty_ = false;
};

}  // namespace cnnlab::widgets
