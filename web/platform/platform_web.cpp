// Platform layer, browser side (Emscripten's GLFW emulation + WebGL2) and the hooks into the
// page's JavaScript (web/page/mount.js: the Module.cnnlab* functions): canvas sizing,
// devicePixelRatio, the ready/error hooks. Knows nothing of the app (the C functions behind
// window.cnnlab are web/app/js_api.cpp). Compiled empty natively (see platform_desktop.cpp).
#ifdef __EMSCRIPTEN__

#include <GLFW/glfw3.h>
#include <emscripten.h>

#include <string>
#include <vector>

#include "platform/input_queue.h"
#include "platform/platform.h"
#include "platform/touch_gestures.h"

// ---- JavaScript side ---------------------------------------------------------------------------
// `Module` is this wasm instance's module object (the build is MODULARIZE'd, so several labs on one
// page each have their own); the page's loader installs the cnnlab* hooks on it.

// Makes the canvas backbuffer CSS size x devicePixelRatio; writes the backbuffer size and the
// ratio (x 1000, an integer) to out[0..2].
EM_JS(void, cnnlab_js_sync_canvas, (int* out), {
  var canvas = Module['canvas'];
  var dpr = window.devicePixelRatio || 1;
  var rect = canvas.getBoundingClientRect();
  var w = Math.max(1, Math.round(rect.width * dpr));
  var h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  HEAP32[out >> 2] = w;
  HEAP32[(out >> 2) + 1] = h;
  HEAP32[(out >> 2) + 2] = Math.round(dpr * 1000);
});

// Wheel and trackpad scrolling on the canvas as steps in Dear ImGui's sense (+y: towards the top,
// +x: towards the left): a notch of a mouse wheel is 100 pixels (delta mode 0) or 3 lines (mode 1)
// in every browser; trackpads send small pixel deltas, i.e. fractions of a step. Passive: the
// GLFW emulation's own listener already keeps the page from scrolling.
EM_JS(void, cnnlab_js_listen_for_wheel, (), {
  Module['canvas'].addEventListener('wheel', function(event) {
    var perDelta = event.deltaMode === 1 ? 1 / 3 : event.deltaMode === 2 ? 80 : 1 / 100;
    Module['_cnnlab_wheel'](-event.deltaX * perDelta, -event.deltaY * perDelta);
  }, {passive: true});
});

// Touches on the canvas go to the app's gestures (platform/touch_gestures.h: tap, sideways drag,
// scroll) as canvas backbuffer pixels. Their default is cancelled: the browser's emulated mouse
// events would click a second time, and the page must not scroll or zoom under a finger that
// scrolls a panel. The GLFW emulation's own touch handlers are kept from seeing them: they have
// no touch position (Emscripten 3.1.6 reads it only for SDL). A touch focuses the canvas, as a
// click does, so the lab's keys work after it.
EM_JS(void, cnnlab_js_listen_for_touches, (), {
  var canvas = Module['canvas'];
  var kinds = {touchstart: 0, touchmove: 1, touchend: 2, touchcancel: 3};
  Object.keys(kinds).forEach(function(type) {
    window.addEventListener(type, function(event) {
      if (event.target !== canvas) return;
      event.stopPropagation();
      if (event.cancelable) event.preventDefault();
      if (type === 'touchstart' && document.activeElement !== canvas) canvas.focus({preventScroll: true});
      var rect = canvas.getBoundingClientRect();
      var sx = rect.width > 0 ? canvas.width / rect.width : 1;
      var sy = rect.height > 0 ? canvas.height / rect.height : 1;
      for (var i = 0; i < event.changedTouches.length; ++i) {
        var touch = event.changedTouches[i];
        Module['_cnnlab_touch'](kinds[type], touch.identifier, (touch.clientX - rect.left) * sx,
                                (touch.clientY - rect.top) * sy);
      }
    }, {capture: true, passive: false});
  });
});

EM_JS(int, cnnlab_js_canvas_width, (), { return Module['canvas'].width; });
EM_JS(int, cnnlab_js_canvas_height, (), { return Module['canvas'].height; });

EM_JS(void, cnnlab_js_notify_ready, (), {
  if (Module['cnnlabOnReady']) Module['cnnlabOnReady']();
});

EM_JS(int, cnnlab_js_request_dataset, (const char* url), {
  if (!Module['cnnlabRequestDataset']) return 0;
  Module['cnnlabRequestDataset'](UTF8ToString(url));
  return 1;
});

EM_JS(void, cnnlab_js_report_fatal_error, (const char* message), {
  var text = UTF8ToString(message);
  if (Module['cnnlabOnFatalError']) Module['cnnlabOnFatalError'](text);
  else console.error(text);
});

// The page's training worker (web/page/worker-client.js owns it): a command as JSON text, with a
// copy of `size` bytes (a saved model's file) when given. 0 when the page has no worker.
EM_JS(int, cnnlab_js_post_to_trainer, (const char* command, const uint8_t* bytes, size_t size), {
  if (!Module['cnnlabPostToTrainer']) return 0;
  var data = size ? HEAPU8.slice(bytes, bytes + size) : null;
  Module['cnnlabPostToTrainer'](UTF8ToString(command), data);
  return 1;
});

EM_JS(int, cnnlab_js_restart_trainer, (), {
  if (!Module['cnnlabRestartTrainer']) return 0;
  Module['cnnlabRestartTrainer']();
  return 1;
});

// Opens the page's file chooser (web/page/files.js); the file comes back through cnnlab_open_file.
EM_JS(int, cnnlab_js_pick_file, (const char* kind, const char* accept), {
  if (!Module['cnnlabPickFile']) return 0;
  Module['cnnlabPickFile'](UTF8ToString(kind), UTF8ToString(accept));
  return 1;
});

// The File menu's Download dataset: the page has the pack (web/page/mount.js).
EM_JS(int, cnnlab_js_download_dataset, (), {
  if (!Module['cnnlabDownloadDataset']) return 0;
  Module['cnnlabDownloadDataset']();
  return 1;
});

// The File menu's Webcam classes: the page's panel (web/page/webcam-panel.js).
EM_JS(int, cnnlab_js_open_webcam_panel, (), {
  if (!Module['cnnlabOpenWebcam']) return 0;
  Module['cnnlabOpenWebcam']();
  return 1;
});

// Offers bytes as a file download (a Blob behind a temporary link).
EM_JS(void, cnnlab_js_download, (const char* name, const char* mime, const uint8_t* bytes,
                                 size_t size), {
  var blob = new Blob([HEAPU8.slice(bytes, bytes + size)], {type: UTF8ToString(mime)});
  var link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = UTF8ToString(name);
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  setTimeout(function() { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
});

// RGBA pixels (bottom row first, as glReadPixels gives them) -> a PNG download, encoded by the
// browser (a 2D canvas' toBlob).
EM_JS(void, cnnlab_js_download_rgba_png, (const char* name, const uint8_t* rgba, int width,
                                          int height), {
  var file = UTF8ToString(name);
  var canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  var context = canvas.getContext('2d');
  var image = context.createImageData(width, height);
  var row = width * 4;
  for (var y = 0; y < height; ++y) {
    image.data.set(HEAPU8.subarray(rgba + (height - 1 - y) * row, rgba + (height - y) * row),
                   y * row);
  }
  context.putImageData(image, 0, 0);
  canvas.toBlob(function(blob) {
    if (!blob) return;
    if (Module['cnnlabOnPng']) Module['cnnlabOnPng'](file, blob);
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = file;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    setTimeout(function() { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }, 'image/png');
});

namespace cnnlab::platform {

namespace {
float current_dpr = 1.0f;
// Frame pacing (pace_frames): the main loop's interval in ms (0: every animation frame) and when
// the user last gave input.
int paced_interval_ms = 0;
double last_input_seconds = 0.0;
InputQueue* wheel_queue = nullptr;  // listen_for_wheel's, fed by cnnlab_wheel
TouchGestures* touch_gestures = nullptr;  // listen_for_wheel's, fed by cnnlab_touch
}  // namespace

void listen_for_wheel(GLFWwindow*, InputQueue* queue) {
  wheel_queue = queue;
  delete touch_gestures;
  touch_gestures = new TouchGestures(queue);
  cnnlab_js_listen_for_wheel();
  cnnlab_js_listen_for_touches();
}

void set_touch_scroll_step(float pixels, float slop_pixels) {
  if (!touch_gestures) return;
  touch_gestures->set_pixels_per_wheel_step(pixels);
  touch_gestures->set_slop(slop_pixels);
}

void set_context_hints() {
  // Emscripten's GLFW creates a WebGL context when GLFW_CLIENT_API is OpenGL ES; the version is
  // chosen by -sMIN_WEBGL_VERSION=2 at link time.
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // ImGui needs neither depth nor stencil, and an opaque canvas is composited without blending
  // with the page: less work per frame, which matters most where WebGL runs on the CPU.
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
}

const char* glsl_version() { return "#version 300 es"; }

float ui_scale(GLFWwindow*) { return current_dpr; }

void sync_canvas_size(GLFWwindow*) {
  int out[3] = {0, 0, 1000};
  cnnlab_js_sync_canvas(out);
  float dpr = out[2] / 1000.0f;
  current_dpr = (dpr >= 0.5f && dpr <= 4.0f) ? dpr : 1.0f;
}

void pace_frames(bool training, bool user_input) {
  constexpr int kTrainingIntervalMs = 40;  // 25 frames/s: above the lab's 20 frames/s floor
  const double now = now_seconds();
  if (user_input) last_input_seconds = now;
  const int want = training && now - last_input_seconds > 1.0 ? kTrainingIntervalMs : 0;
  if (want == paced_interval_ms) return;
  // setTimeout timing counts from each frame's start: a frame every 40 ms while frames are cheaper.
  if (want > 0) emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, want);
  else emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
  paced_interval_ms = want;
}

bool skips_unchanged_frames() { return true; }

void after_backend_new_frame(GLFWwindow*) {
  // The GLFW emulation's window size only changes through glfwSetWindowSize (which would also
  // request fullscreen when the size equals the screen's); the canvas is the truth.
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(cnnlab_js_canvas_width()),
                          static_cast<float>(cnnlab_js_canvas_height()));
  io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
}

void framebuffer_size(GLFWwindow*, int* width, int* height) {
  *width = cnnlab_js_canvas_width();
  *height = cnnlab_js_canvas_height();
}

std::string font_path() { return CNNLAB_FONT_PATH; }

void notify_ready() { cnnlab_js_notify_ready(); }
void report_fatal_error(const std::string& message) {
  cnnlab_js_report_fatal_error(message.c_str());
}
bool request_dataset(const std::string& url) { return cnnlab_js_request_dataset(url.c_str()) != 0; }
bool post_to_trainer(const std::string& command_json, const uint8_t* bytes, size_t size) {
  return cnnlab_js_post_to_trainer(command_json.c_str(), bytes, size) != 0;
}

bool restart_trainer() { return cnnlab_js_restart_trainer() != 0; }
double now_seconds() { return emscripten_get_now() / 1000.0; }

bool save_user_file(const std::string& name, const std::string& mime, const uint8_t* bytes,
                    size_t size, std::string* where) {
  cnnlab_js_download(name.c_str(), mime.c_str(), bytes, size);
  if (where) *where = "downloaded as " + name;
  return true;
}

bool pick_user_file(const std::string& kind, const std::string& accept) {
  return cnnlab_js_pick_file(kind.c_str(), accept.c_str()) != 0;
}

bool download_dataset() { return cnnlab_js_download_dataset() != 0; }

bool open_webcam_panel() { return cnnlab_js_open_webcam_panel() != 0; }

void download_rgba_png(const std::string& name, const uint8_t* rgba, int width, int height) {
  cnnlab_js_download_rgba_png(name.c_str(), rgba, width, height);
}

}  // namespace cnnlab::platform

// Wheel steps from the canvas' wheel listener (cnnlab_js_listen_for_wheel).
// 1 while a text field of the app is being edited: there Tab moves between fields, elsewhere it
// leaves the canvas as on any page (page/app-instance.js asks before passing Tab on).
extern "C" EMSCRIPTEN_KEEPALIVE int cnnlab_wants_text_input() {
  return ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput ? 1 : 0;
}

extern "C" EMSCRIPTEN_KEEPALIVE void cnnlab_wheel(float steps_x, float steps_y) {
  if (cnnlab::platform::wheel_queue) cnnlab::platform::wheel_queue->wheel(steps_x, steps_y);
}

// A touch from the canvas' touch listeners (cnnlab_js_listen_for_touches): kind 0 start, 1 move,
// 2 end, 3 cancel; x, y in backbuffer pixels.
extern "C" EMSCRIPTEN_KEEPALIVE void cnnlab_touch(int kind, int id, float x, float y) {
  cnnlab::platform::TouchGestures* touch = cnnlab::platform::touch_gestures;
  if (!touch) return;
  if (kind == 0) touch->touch_start(id, x, y, cnnlab::platform::now_seconds());
  else if (kind == 1) touch->touch_move(id, x, y);
  else if (kind == 2) touch->touch_end(id, x, y, cnnlab::platform::now_seconds());
  else touch->touch_cancel(id);
}

#endif  // __EMSCRIPTEN__
