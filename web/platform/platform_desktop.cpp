// Platform layer, desktop side (GLFW + OpenGL 3.3 core on Linux, macOS, Windows). Compiled empty
// under Emscripten (see platform_web.cpp).
#ifndef __EMSCRIPTEN__

#include <GLFW/glfw3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "platform/input_queue.h"
#include "platform/platform.h"

namespace cnnlab::platform {

namespace {
InputQueue* wheel_queue = nullptr;  // listen_for_wheel's (GLFW callbacks carry no context)

void on_scroll(GLFWwindow*, double x, double y) {
  // GLFW's offsets are already in Dear ImGui's units and directions.
  if (wheel_queue) wheel_queue->wheel(static_cast<float>(x), static_cast<float>(y));
}
}  // namespace

void listen_for_wheel(GLFWwindow* window, InputQueue* queue) {
  wheel_queue = queue;
  glfwSetScrollCallback(window, on_scroll);
}

void set_context_hints() {
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
#ifdef __APPLE__
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
#endif
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
}

const char* glsl_version() { return "#version 330 core"; }

float ui_scale(GLFWwindow* window) {
  // CNNLAB_UI_SCALE overrides (for screenshots at a chosen density).
  if (const char* env = std::getenv("CNNLAB_UI_SCALE")) {
    float s = static_cast<float>(std::atof(env));
    if (s >= 0.5f && s <= 4.0f) return s;
  }
  float x = 1.0f, y = 1.0f;
  glfwGetWindowContentScale(window, &x, &y);
  float s = x > y ? x : y;
  return (s >= 0.5f && s <= 4.0f) ? s : 1.0f;
}

void sync_canvas_size(GLFWwindow*) {}

void pace_frames(bool, bool) {}

bool skips_unchanged_frames() { return false; }

void set_touch_scroll_step(float, float) {}
void after_backend_new_frame(GLFWwindow*) {}

void framebuffer_size(GLFWwindow* window, int* width, int* height) {
  glfwGetFramebufferSize(window, width, height);
}

std::string font_path() {
  if (const char* env = std::getenv("CNNLAB_FONT")) return env;
  return CNNLAB_FONT_PATH;
}

void notify_ready() {}

bool request_dataset(const std::string&) { return false; }

void report_fatal_error(const std::string& message) {
  std::fprintf(stderr, "cnnlab_app: %s\n", message.c_str());
}

bool post_to_trainer(const std::string&, const uint8_t*, size_t) { return false; }
bool restart_trainer() { return false; }

bool pick_user_file(const std::string&, const std::string&) { return false; }
bool download_dataset() { return false; }
bool open_webcam_panel() { return false; }

bool save_user_file(const std::string& name, const std::string&, const uint8_t* bytes, size_t size,
                    std::string* where) {
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(name, ec);
  std::ofstream out(path, std::ios::binary);
  if (out) out.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  if (!out) {
    if (where) *where = "cannot write " + path.string();
    return false;
  }
  if (where) *where = path.string();
  return true;
}

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

}  // namespace cnnlab::platform

#endif  // !__EMSCRIPTEN__
