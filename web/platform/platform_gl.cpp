// Platform layer, the part shared by desktop and browser that talks to OpenGL / WebGL2:
// textures for images drawn by the widgets, and reading the back buffer for screenshots.
#include "platform/platform.h"

#include <cstdint>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
// Static: the engine may have its own stb_image_write unit one day; ours must not clash.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#endif

namespace cnnlab::platform {

namespace {
GLuint to_gl(ImTextureID texture) {
  return static_cast<GLuint>(reinterpret_cast<intptr_t>(texture));
}
uint64_t textures_changed = 0;  // texture_generation()
}  // namespace

uint64_t texture_generation() { return textures_changed; }

ImTextureID create_texture_rgba(int width, int height, const uint8_t* rgba) {
  GLuint id = 0;
  glGenTextures(1, &id);
  if (id == 0) return nullptr;
  ++textures_changed;
  glBindTexture(GL_TEXTURE_2D, id);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(id));
}

void update_texture_rgba(ImTextureID texture, int width, int height, const uint8_t* rgba) {
  if (!texture) return;
  ++textures_changed;
  glBindTexture(GL_TEXTURE_2D, to_gl(texture));
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
}

void destroy_texture(ImTextureID texture) {
  if (!texture) return;
  ++textures_changed;
  GLuint id = to_gl(texture);
  glDeleteTextures(1, &id);
}

bool save_framebuffer_png(const std::string& path, int width, int height, std::string* error) {
#ifdef __EMSCRIPTEN__
  (void)path, (void)width, (void)height;
  if (error) *error = "screenshots in the browser are taken by the test harness";
  return false;
#else
  if (width <= 0 || height <= 0) {
    if (error) *error = "empty framebuffer";
    return false;
  }
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 4);  // (H, W, 4), bottom row first
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  stbi_flip_vertically_on_write(1);
  if (!stbi_write_png(path.c_str(), width, height, 4, pixels.data(), width * 4)) {
    if (error) *error = "cannot write " + path;
    return false;
  }
  return true;
#endif
}

bool save_framebuffer_region_png(const std::string& name, int x, int y, int width, int height,
                                 int framebuffer_height, std::string* where) {
  if (width <= 0 || height <= 0 || x < 0 || y < 0 || y + height > framebuffer_height) {
    if (where) *where = "the region to capture is outside the window";
    return false;
  }
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 4);  // (H, W, 4), bottom row first
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(x, framebuffer_height - y - height, width, height, GL_RGBA, GL_UNSIGNED_BYTE,
               pixels.data());
  for (size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;  // the canvas may have no alpha
#ifdef __EMSCRIPTEN__
  download_rgba_png(name, pixels.data(), width, height);
  if (where) *where = "downloaded as " + name;
  return true;
#else
  std::vector<uint8_t> png;
  stbi_flip_vertically_on_write(1);
  const int ok = stbi_write_png_to_func(
      [](void* context, void* data, int size) {
        auto* out = static_cast<std::vector<uint8_t>*>(context);
        out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
      },
      &png, width, height, 4, pixels.data(), width * 4);
  stbi_flip_vertically_on_write(0);
  if (!ok) {
    if (where) *where = "could not encode the PNG";
    return false;
  }
  return save_user_file(name, "image/png", png.data(), png.size(), where);
#endif
}

}  // namespace cnnlab::platform
