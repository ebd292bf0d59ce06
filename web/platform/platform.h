// Platform layer of the lab app: everything that differs between the desktop program (GLFW +
// OpenGL 3) and the browser (Emscripten's GLFW emulation + WebGL2) lives behind these functions.
// Apart from main.cpp's loop stub, no other app file includes emscripten or GL headers.
#pragma once

#include <cstdint>
#include <string>

#include "imgui.h"

struct GLFWwindow;

namespace cnnlab::platform {

class InputQueue;

// ---- Window and context -------------------------------------------------------------------------
// GLFW window hints for the context: OpenGL 3.3 core natively, WebGL2 (GLES 3.0) in the browser.
void set_context_hints();
// Shader version string for ImGui_ImplOpenGL3_Init.
const char* glsl_version();
// Pixels per logical (CSS / screen) pixel: the browser's devicePixelRatio, the desktop's content
// scale. The UI (font size, paddings) is scaled by it so text stays crisp on HiDPI screens.
float ui_scale(GLFWwindow* window);
// Browser: makes the canvas backbuffer match its CSS size times devicePixelRatio (the canvas fills
// its container, which the page resizes). Desktop: nothing.
void sync_canvas_size(GLFWwindow* window);
// Called between the ImGui backends' NewFrame and ImGui::NewFrame: the browser fixes ImGui's
// display size to the canvas backbuffer (Emscripten's GLFW reports mouse positions in backbuffer
// pixels, so the UI works in backbuffer pixels with a framebuffer scale of 1).
void after_backend_new_frame(GLFWwindow* window);
// Framebuffer size in pixels.
void framebuffer_size(GLFWwindow* window, int* width, int* height);

// ---- Pointer input ------------------------------------------------------------------------------
// Sends the mouse wheel's and trackpad's scrolling to `queue` (input_queue.h) in Dear ImGui's
// units: a wheel notch is 1 step, +y scrolls towards the top. Browser: a wheel listener on the
// canvas, by the event's delta mode (Emscripten 3.1.6's GLFW passes the raw pixel deltas with
// the browser's sign, so a notch down scrolled 100 steps up). Desktop: GLFW's scroll callback.
void listen_for_wheel(GLFWwindow* window, InputQueue* queue);
// Browser: touches on the canvas reach `queue` too, as gestures (touch_gestures.h: a tap clicks, a
// sideways drag drags, an up-or-down drag scrolls). Called every frame with what one wheel step
// scrolls and how far a tapping finger may move, both in backbuffer pixels. Desktop: nothing.
void set_touch_scroll_step(float pixels_per_wheel_step, float slop_pixels);

// ---- Files ----------------------------------------------------------------------------------------
// Path of the app's TrueType font: the Debian font file natively, the copy the page preloads into
// the in-memory file system in the browser.
std::string font_path();

// ---- Page / host integration --------------------------------------------------------------------
// The first frame is on screen: the page hides its loading overlay and resolves cnnlab.ready.
void notify_ready();
// A fatal start-up problem (no WebGL2, no GLFW): the page shows it in its error box; the desktop
// prints it to stderr.
void report_fatal_error(const std::string& message);
// Asks the page to download and load a dataset (a URL relative to the site) with its progress
// bar; false where there is no page (desktop: datasets come from --data).
bool request_dataset(const std::string& url);
// Posts a command (JSON text) to the page's training worker, with bytes (a dataset pack) when
// given (copied); false where there is no worker (desktop).
bool post_to_trainer(const std::string& command_json, const uint8_t* bytes, size_t size);
// Asks the page to replace a training worker that died with a fresh one and hand it the dataset
// again; false where there is no worker (desktop).
bool restart_trainer();
// Seconds since an arbitrary start, monotonic.
double now_seconds();

// ---- Frame pacing -------------------------------------------------------------------------------
// Called once per frame. Browser: while a network trains beside the UI and nobody has touched the
// page for a second, frames come every 40 ms (25 frames/s) instead of on every display refresh,
// so drawing (software WebGL on the CPU on some machines) leaves more of the CPU to training;
// any input returns to full rate at once. Desktop: nothing (vsync paces it).
void pace_frames(bool training, bool user_input);
// Whether main.cpp may skip painting a frame identical to the one on screen (RepaintCheck).
// Browser: yes (a WebGL canvas not drawn to keeps its last frame). Desktop: no (the loop is paced
// by the buffer swap, and screenshots read the back buffer).
bool skips_unchanged_frames();

// ---- Files the student keeps (exports) ----------------------------------------------------------
// Browser: offers the bytes as a download named `name`; desktop: writes them as `name` in the
// working directory. On success *where says where it went ("downloaded as NAME" / the file's
// absolute path); on failure false and *where says why.
bool save_user_file(const std::string& name, const std::string& mime, const uint8_t* bytes,
                    size_t size, std::string* where);
// Browser: opens the page's file chooser for `kind` ("model" or "photo"; `accept` as the input
// element's attribute); the chosen file reaches the app (js_api.cpp's cnnlab_open_file). Desktop: false (the File
// menu takes a path instead).
bool pick_user_file(const std::string& kind, const std::string& accept);
// Browser: asks the page to save the current dataset as a pack file (web/page/mount.js,
// downloadDataset; it reports the outcome in the files notice). Desktop: false.
bool download_dataset();
// Browser: opens the page's Webcam classes panel (web/page/webcam-panel.js: it reports a missing
// or refused camera itself). Desktop: false.
bool open_webcam_panel();
// A rectangle of the back buffer (call after rendering, before the swap; x, y from the top-left
// in framebuffer pixels) saved as a PNG the same way as save_user_file.
bool save_framebuffer_region_png(const std::string& name, int x, int y, int width, int height,
                                 int framebuffer_height, std::string* where);
#ifdef __EMSCRIPTEN__
// Browser only (platform_web.cpp): encodes RGBA pixels (H, W, 4), bottom row first, as PNG in the
// page and offers it as a download.
void download_rgba_png(const std::string& name, const uint8_t* rgba, int width, int height);
#endif

// ---- Textures (for image grids, feature maps, filters) -----------------------------------------
// An RGBA8 texture usable as ImTextureID; 0 means none. Nearest filtering: enlarged 32x32 images
// and 3x3 filters stay crisp pixels.
ImTextureID create_texture_rgba(int width, int height, const uint8_t* rgba);  // (H, W, 4)
void update_texture_rgba(ImTextureID texture, int width, int height, const uint8_t* rgba);
void destroy_texture(ImTextureID texture);
// Counts the calls above: a frame whose draw lists are unchanged still has to be painted when a
// texture it shows was replaced (RepaintCheck, repaint_check.h).
uint64_t texture_generation();

// ---- Screenshots (desktop) ----------------------------------------------------------------------
// Reads the back buffer and writes it as PNG; false with a message on failure.
bool save_framebuffer_png(const std::string& path, int width, int height, std::string* error);

}  // namespace cnnlab::platform
