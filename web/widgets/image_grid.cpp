// ImageGrid (see image_grid.h): atlas building and drawing.
#include "widgets/image_grid.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <utility>

#include "imgui_internal.h"  // ImRect
#include "platform/platform.h"

namespace cnnlab::widgets {

ImageGrid::~ImageGrid() { platform::destroy_texture(texture_); }

ImageGrid::ImageGrid(ImageGrid&& other) noexcept { *this = std::move(other); }

ImageGrid& ImageGrid::operator=(ImageGrid&& other) noexcept {
  if (this != &other) {
    platform::destroy_texture(texture_);
    atlas_ = std::move(other.atlas_);
    count_ = other.count_;
    tile_w_ = other.tile_w_;
    tile_h_ = other.tile_h_;
    atlas_cols_ = other.atlas_cols_;
    atlas_w_ = other.atlas_w_;
    atlas_h_ = other.atlas_h_;
    texture_ = other.texture_;
    texture_w_ = other.texture_w_;
    texture_h_ = other.texture_h_;
    dirty_ = other.dirty_;
    other.texture_ = nullptr;
    other.count_ = 0;
  }
  return *this;
}

void ImageGrid::clear() { count_ = 0; atlas_.clear(); dirty_ = false; }

void ImageGrid::begin_tiles(int count, int height, int width) {
  count_ = std::max(0, count);
  tile_w_ = width;
  tile_h_ = height;
  // A roughly square atlas keeps the texture within WebGL's size limits for thousands of tiles.
  atlas_cols_ = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count_)))));
  int rows = (count_ + atlas_cols_ - 1) / atlas_cols_;
  atlas_w_ = atlas_cols_ * tile_w_;
  atlas_h_ = std::max(1, rows) * tile_h_;
  atlas_.assign(static_cast<size_t>(atlas_w_) * atlas_h_ * 4, 0);
  dirty_ = true;
}

uint8_t* ImageGrid::tile_pixel(int tile, int y, int x) {
  int tx = (tile % atlas_cols_) * tile_w_ + x;
  int ty = (tile / atlas_cols_) * tile_h_ + y;
  return &atlas_[(static_cast<size_t>(ty) * atlas_w_ + tx) * 4];
}

void ImageGrid::set_images_chw(const uint8_t* images, int count, int channels, int height,
                               int width) {
  begin_tiles(count, height, width);
  const size_t plane = static_cast<size_t>(height) * width;
  for (int n = 0; n < count_; ++n) {
    const uint8_t* image = images + n * plane * channels;  // (C, H, W)
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        uint8_t* p = tile_pixel(n, y, x);
        size_t i = static_cast<size_t>(y) * width + x;
        p[0] = image[i];
        p[1] = channels == 3 ? image[plane + i] : image[i];
        p[2] = channels == 3 ? image[2 * plane + i] : image[i];
        p[3] = 255;
      }
    }
  }
}

void ImageGrid::set_maps(const float* maps, int count, int height, int width, Colormap map,
                         float v_min, float v_max) {
  begin_tiles(count, height, width);
  const size_t plane = static_cast<size_t>(height) * width;
  if (!std::isfinite(v_min) || !std::isfinite(v_max)) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (size_t i = 0; i < plane * count_; ++i) {
      if (std::isfinite(maps[i])) { lo = std::min(lo, maps[i]); hi = std::max(hi, maps[i]); }
    }
    if (lo > hi) lo = hi = 0.0f;
    if (!std::isfinite(v_min)) v_min = lo;
    if (!std::isfinite(v_max)) v_max = hi;
  }
  float range = v_max > v_min ? v_max - v_min : 1.0f;
  for (int n = 0; n < count_; ++n) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        float v = maps[n * plane + static_cast<size_t>(y) * width + x];
        uint8_t* p = tile_pixel(n, y, x);
        colormap_rgb((v - v_min) / range, map, p);
        p[3] = 255;
      }
    }
  }
}

void ImageGrid::set_rgb_maps(const float* maps, int count, int height, int width, float v_min,
                             float v_max) {
  begin_tiles(count, height, width);
  const size_t plane = static_cast<size_t>(height) * width;
  float range = v_max > v_min ? v_max - v_min : 1.0f;
  for (int n = 0; n < count_; ++n) {
    const float* m = maps + n * plane * 3;  // (3, H, W)
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        size_t i = static_cast<size_t>(y) * width + x;
        uint8_t* p = tile_pixel(n, y, x);
        for (int c = 0; c < 3; ++c) {
          float t = (m[c * plane + i] - v_min) / range;
          t = t < 0 ? 0 : (t > 1 ? 1 : t);
          p[c] = static_cast<uint8_t>(t * 255.0f + 0.5f);
        }
        p[3] = 255;
      }
    }
  }
}

ImageGridResult ImageGrid::draw(const char* id, const ImageGridOptions& options) {
  ImageGridResult result;
  if (count_ == 0) return result;
  if (dirty_) {
    if (texture_ && texture_w_ == atlas_w_ && texture_h_ == atlas_h_) {
      platform::update_texture_rgba(texture_, atlas_w_, atlas_h_, atlas_.data());
    } else {
      platform::destroy_texture(texture_);
      texture_ = platform::create_texture_rgba(atlas_w_, atlas_h_, atlas_.data());
      texture_w_ = atlas_w_;
      texture_h_ = atlas_h_;
    }
    dirty_ = false;
  }
  const float scale = options.ui_scale;
  const float tile = std::max(4.0f, options.tile_size * scale);
  const float tile_h = tile * tile_h_ / std::max(1, tile_w_);
  const float spacing = options.spacing * scale;
  const float caption_h = options.captions ? ImGui::GetTextLineHeight() : 0.0f;
  int columns = options.columns;
  if (columns <= 0) {
    columns = std::max(1, static_cast<int>((ImGui::GetContentRegionAvail().x + spacing) /
                                           (tile + spacing)));
  }
  int rows = (count_ + columns - 1) / columns;
  ImVec2 size(columns * (tile + spacing), rows * (tile_h + caption_h + spacing));

  ImGui::PushID(id);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##grid", size);
  bool hovered = ImGui::IsItemHovered();
  bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImVec2 mouse = ImGui::GetIO().MousePos;
  for (int n = 0; n < count_; ++n) {
    int col = n % columns, row = n / columns;
    ImVec2 a(origin.x + col * (tile + spacing), origin.y + row * (tile_h + caption_h + spacing));
    ImVec2 b(a.x + tile, a.y + tile_h);
    float u0 = static_cast<float>((n % atlas_cols_) * tile_w_) / atlas_w_;
    float v0 = static_cast<float>((n / atlas_cols_) * tile_h_) / atlas_h_;
    ImVec2 uv0(u0, v0);
    ImVec2 uv1(u0 + static_cast<float>(tile_w_) / atlas_w_, v0 + static_cast<float>(tile_h_) / atlas_h_);
    draw->AddImage(texture_, a, b, uv0, uv1);
    if (options.borders && options.borders[n] != 0) {
      draw->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), options.borders[n], 0.0f, 0,
                    2.0f * scale);
    }
    if (n == options.selected) {
      draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2),
                    ImGui::GetColorU32(ImGuiCol_Text), 0.0f, 0, 2.0f * scale);
    }
    if (options.captions && options.captions[n]) {
      draw->PushClipRect(ImVec2(a.x, b.y), ImVec2(b.x, b.y + caption_h), true);
      draw->AddText(ImVec2(a.x, b.y), muted_text_color(), options.captions[n]);
      draw->PopClipRect();
    }
    if (hovered && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) {
      result.hovered = n;
      result.hovered_uv = ImVec2((mouse.x - a.x) / tile, (mouse.y - a.y) / tile_h);
      if (clicked) result.clicked = n;
    }
  }
  ImGui::PopID();
  return result;
}

}  // namespace cnnlab::widgets
