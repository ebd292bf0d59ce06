// CNN Lab's one main for the desktop program (GLFW + OpenGL 3) and the browser (Emscripten's GLFW
// emulation + WebGL2), shaped like Dear ImGui's example_glfw_opengl3: create the window and the
// ImGui context, then run frame() in a loop natively or from emscripten_set_main_loop in the
// browser. Everything else is in app/ (panels), widgets/ (drawing) and platform/ (the differences).
//
// Desktop options (for screenshots and checks; the browser takes its options from the page):
//   --width W --height H     window size in screen pixels (default 1280x800)
//   --screenshot FILE.png    write the back buffer after --frames frames, then exit
//   --frames N               frames to draw before the screenshot / exit (default 5)
//   --widget-check           open the widget check window
//   --print-state            print the JavaScript API's state JSON on exit
//   --data SRC               load a dataset: a pack, CIFAR-10 binary folder/archive, image
//                            folder (or .tar.gz) or IDX folder, like `cnnlab --data`
//   --tab NAME               open a tab: data, model, inside, explain, eval, runs, experiment,
//                            guide (for screenshots; kept after --load-model, which opens eval)
//   --configure JSON         training options, as window.cnnlab.configure takes them
//   --train                  start training once the window is up (the Start button)
//   --experiment JSON        start an experiment, as window.cnnlab.experiment takes it
//   --load-model FILE        load a saved model (.cnnlab) after the data, as File > Load model
//   --photo FILE             classify a PNG/JPEG once the model exists, as File > Classify photo
// Dropping a photo or a .cnnlab file onto the window opens it the same way.
#include <GLFW/glfw3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/theme.h"
#include "app/files_actions.h"
#include "app/js_api.h"
#include "core/io.h"
#include "imgui.h"
#include "imgui_internal.h"  // ClosePopupToLevel (Escape)
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "platform/draw_merge.h"
#include "platform/input_queue.h"
#include "platform/platform.h"
#include "platform/repaint_check.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#include <GL/gl.h>
#endif

namespace {

struct Options {
  int width = 1280, height = 800;
  std::string screenshot;
  int frames = -1;  // < 0: run until the window closes
  bool widget_check = false;
  bool print_state = false;
  std::string data;
  std::string tab;
  std::string configure;
  std::string experiment;
  std::string lesson;  // a built-in lesson's id, or a lesson file's path
  bool train = false;
  std::string load_model, photo;  // File menu requests at the first frame
};

// What the frame loop needs; heap-allocated because in the browser main() returns while the
// loop keeps running.
struct Runtime {
  GLFWwindow* window = nullptr;
  cnnlab::App app;
  Options options;
  long frame_count = 0;
  bool renderer_ready = false;  // the OpenGL backend's device objects exist
  cnnlab::platform::DrawListMerger draw_merger;  // one vertex upload per frame (draw_merge.h)
  cnnlab::platform::RepaintCheck repaint;  // skips painting a frame identical to the one on screen
  bool done = false;
  int exit_code = 0;
};

bool parse_options(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "cnnlab_app: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--width" || a == "--height" || a == "--frames") {
      const char* v = value(a.c_str());
      if (!v) return false;
      int n = std::atoi(v);
      if (n <= 0 || n > 16384) {
        std::fprintf(stderr, "cnnlab_app: %s must be a positive number, got '%s'\n", a.c_str(), v);
        return false;
      }
      (a == "--width" ? o->width : a == "--height" ? o->height : o->frames) = n;
    } else if (a == "--screenshot") {
      const char* v = value("--screenshot");
      if (!v) return false;
      o->screenshot = v;
    } else if (a == "--lesson") {
      const char* v = value("--lesson");
      if (!v) return false;
      o->lesson = v;
    } else if (a == "--data" || a == "--tab" || a == "--configure") {
      const char* v = value(a.c_str());
      if (!v) return false;
      (a == "--data" ? o->data : a == "--tab" ? o->tab : o->configure) = v;
    } else if (a == "--load-model" || a == "--photo") {
      const char* v = value(a.c_str());
      if (!v) return false;
      (a == "--load-model" ? o->load_model : o->photo) = v;
    } else if (a == "--experiment") {
      const char* v = value("--experiment");
      if (!v) return false;
      o->experiment = v;
    } else if (a == "--train") {
      o->train = true;
    } else if (a == "--widget-check") {
      o->widget_check = true;
    } else if (a == "--print-state") {
      o->print_state = true;
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: cnnlab_app [--width W] [--height H] [--screenshot FILE.png] "
                  "[--frames N] [--widget-check] [--print-state] [--data SRC] "
                  "[--tab guide|data|model|inside|explain|eval] [--configure JSON] [--train] "
                  "[--load-model FILE] [--photo FILE] [--lesson ID|FILE.md]\n");
      std::exit(0);
    } else {
      std::fprintf(stderr, "cnnlab_app: unknown option '%s' (see --help)\n", a.c_str());
      return false;
    }
  }
  if (!o->screenshot.empty() && o->frames < 0) o->frames = 5;
  return true;
}

#ifndef __EMSCRIPTEN__
// A photo or a model file dropped onto the desktop window (in the browser: web/page/files.js).
void drop_files(GLFWwindow* window, int count, const char** paths) {
  auto* rt = static_cast<Runtime*>(glfwGetWindowUserPointer(window));
  if (!rt || count < 1) return;
  try {
    const std::vector<uint8_t> bytes = cnnlab::read_file_bytes(paths[0]);
    rt->app.open_user_file("auto", bytes.data(), bytes.size(), paths[0]);
  } catch (const std::exception& e) {
    cnnlab::set_files_notice(rt->app.state(), e.what(), true);
  }
}
#endif

// The pointer's events, handed to Dear ImGui a frame at a time (input_queue.h: why a quick click
// on a tab was lost). One per program (one per wasm instance in the browser): GLFW's callbacks
// carry no context of ours.
cnnlab::platform::InputQueue pointer_queue;

void queue_cursor_position(GLFWwindow*, double x, double y) {
  pointer_queue.mouse_move(static_cast<float>(x), static_cast<float>(y));
}

void queue_mouse_button(GLFWwindow*, int button, int action, int) {
  if (action == GLFW_PRESS || action == GLFW_RELEASE)
    pointer_queue.mouse_button(button, action == GLFW_PRESS);
}

// Escape closes an open menu, combo list or popup (Dear ImGui 1.86 does so only with keyboard
// navigation on), so the next click acts instead of only closing it. Latched here rather than
// read from ImGui's per-frame key state, which misses a press and release within one frame.
bool escape_pressed = false;
// Shortcuts pressed since the last frame (read_shortcuts), latched for the same reason. N
// repeats while held; the others act once per press; none with Ctrl, Alt or Super held (the
// browser's and the desktop's own shortcuts stay theirs).
std::vector<cnnlab::Shortcut> shortcut_presses;

void note_key(GLFWwindow*, int key, int, int action, int mods) {
  if (action == GLFW_PRESS || action == GLFW_RELEASE) pointer_queue.key(key, action == GLFW_PRESS);
  if (key == GLFW_KEY_ESCAPE && action == GLFW_PRESS) escape_pressed = true;
  if (mods & (GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER)) return;
  using cnnlab::Shortcut;
  if (action == GLFW_PRESS && key == GLFW_KEY_P) shortcut_presses.push_back(Shortcut::kStartOrPause);
  if (action == GLFW_PRESS && key == GLFW_KEY_S) shortcut_presses.push_back(Shortcut::kStep);
  if (action == GLFW_PRESS && key == GLFW_KEY_R) shortcut_presses.push_back(Shortcut::kReset);
  if ((action == GLFW_PRESS || action == GLFW_REPEAT) && key == GLFW_KEY_N) {
    shortcut_presses.push_back((mods & GLFW_MOD_SHIFT) ? Shortcut::kPreviousImage : Shortcut::kNextImage);
  }
}

void close_popups_on_escape() {
  if (!escape_pressed) return;
  escape_pressed = false;
  if (!ImGui::GetCurrentContext()->OpenPopupStack.empty()) ImGui::ClosePopupToLevel(0, true);
}

// Installed before ImGui_ImplGlfw_InitForOpenGL, which keeps them as the callbacks it chains to
// (its own only sampled the state per frame, which pointer_frame below replaces).
void listen_for_pointer(GLFWwindow* window) {
  glfwSetCursorPosCallback(window, queue_cursor_position);
  glfwSetMouseButtonCallback(window, queue_mouse_button);
  glfwSetKeyCallback(window, note_key);
}

// Between the backend's NewFrame (which sampled GLFW's current state) and ImGui::NewFrame: the
// pointer as this frame's share of the queue has it.
void pointer_frame(ImGuiIO& io, cnnlab::UiState& ui) {
  const cnnlab::platform::PointerFrame f = pointer_queue.next_frame();
  ui.pinch_zoom = f.zoom;  // two fingers on a touch screen (the feature maps' size)
  io.MousePos = ImVec2(f.x, f.y);
  for (int i = 0; i < cnnlab::platform::PointerFrame::kButtons; ++i) io.MouseDown[i] = f.down[i];
  io.MouseWheel = f.wheel_y;
  io.MouseWheelH = f.wheel_x;
  // Keys too (the backend's callback set io.KeysDown as events came, losing a press released
  // within the frame: a phone keyboard's second Backspace), and the modifiers from them.
  for (int k = 0; k < cnnlab::platform::PointerFrame::kKeys; ++k) io.KeysDown[k] = f.keys_down[k];
  io.KeyCtrl = f.keys_down[GLFW_KEY_LEFT_CONTROL] || f.keys_down[GLFW_KEY_RIGHT_CONTROL];
  io.KeyShift = f.keys_down[GLFW_KEY_LEFT_SHIFT] || f.keys_down[GLFW_KEY_RIGHT_SHIFT];
  io.KeyAlt = f.keys_down[GLFW_KEY_LEFT_ALT] || f.keys_down[GLFW_KEY_RIGHT_ALT];
  io.KeySuper = f.keys_down[GLFW_KEY_LEFT_SUPER] || f.keys_down[GLFW_KEY_RIGHT_SUPER];
}

// Whether the user moved, clicked, scrolled or typed since the last frame (frame pacing).
bool user_input(const ImGuiIO& io) {
  if (io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f || io.MouseWheel != 0.0f ||
      io.MouseWheelH != 0.0f || io.InputQueueCharacters.Size > 0)
    return true;
  for (bool down : io.MouseDown)
    if (down) return true;
  for (bool down : io.KeysDown)
    if (down) return true;
  return false;
}

// Keyboard shortcuts (note_key latched them), handed to the App unless a text field is being
// edited (the keys are then the text's). In the page the lab only receives keys typed while its
// canvas has the focus (page/app-instance.js). Keys: P start or pause, S one step, R reset,
// N / Shift+N next / previous test image.
void read_shortcuts(cnnlab::UiState& ui) {
  std::vector<cnnlab::Shortcut> presses;
  presses.swap(shortcut_presses);
  if (!ImGui::GetIO().WantTextInput) ui.shortcuts.insert(ui.shortcuts.end(), presses.begin(), presses.end());
}

// The frame as bytes for RepaintCheck: everything that decides its pixels. Vertices are plain
// floats and colours; commands are described field by field (their struct has padding); the
// textures' generation stands for the content of the textures the commands name. A command with
// a callback (none of ours) cannot be described: a counter makes such frames always differ.
void describe_frame(cnnlab::platform::RepaintCheck& check, const ImDrawData& frame, int fb_w,
                    int fb_h, const float clear[4]) {
  check.begin_frame();
  const uint64_t textures = cnnlab::platform::texture_generation();
  const int size[2] = {fb_w, fb_h};
  check.describe(size, sizeof size);
  check.describe(clear, 4 * sizeof(float));
  check.describe(&textures, sizeof textures);
  check.describe(&frame.DisplayPos, sizeof frame.DisplayPos);
  check.describe(&frame.DisplaySize, sizeof frame.DisplaySize);
  check.describe(&frame.FramebufferScale, sizeof frame.FramebufferScale);
  static uint64_t callbacks_seen = 0;
  for (int n = 0; n < frame.CmdListsCount; ++n) {
    const ImDrawList& list = *frame.CmdLists[n];
    const int sizes[3] = {list.VtxBuffer.Size, list.IdxBuffer.Size, list.CmdBuffer.Size};
    check.describe(sizes, sizeof sizes);
    check.describe(list.VtxBuffer.Data, list.VtxBuffer.size_in_bytes());
    check.describe(list.IdxBuffer.Data, list.IdxBuffer.size_in_bytes());
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      if (cmd.UserCallback) {
        ++callbacks_seen;
        check.describe(&callbacks_seen, sizeof callbacks_seen);
        continue;
      }
      const uintptr_t texture = reinterpret_cast<uintptr_t>(cmd.TextureId);
      const unsigned counts[3] = {cmd.VtxOffset, cmd.IdxOffset, cmd.ElemCount};
      check.describe(&cmd.ClipRect, sizeof cmd.ClipRect);
      check.describe(&texture, sizeof texture);
      check.describe(counts, sizeof counts);
    }
  }
}

void frame(void* arg) {
  Runtime& rt = *static_cast<Runtime*>(arg);
  glfwPollEvents();
  cnnlab::platform::sync_canvas_size(rt.window);
  if (rt.app.set_ui_scale(cnnlab::platform::ui_scale(rt.window)) && rt.renderer_ready) {
    // New pixel density: the atlas was rebuilt, upload it again.
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    rt.repaint.forget();
  }
  ImGui_ImplOpenGL3_NewFrame();
  rt.renderer_ready = true;
  ImGui_ImplGlfw_NewFrame();
  cnnlab::platform::after_backend_new_frame(rt.window);
  // Dear ImGui scrolls 5 font heights per wheel step (1.86); a finger may wobble a third of a
  // line height and still tap.
  cnnlab::platform::set_touch_scroll_step(5.0f * ImGui::GetFontSize(), 0.35f * ImGui::GetFontSize() + 4.0f);
  pointer_frame(ImGui::GetIO(), rt.app.state().ui);
  ImGui::NewFrame();
  close_popups_on_escape();
  read_shortcuts(rt.app.state().ui);
  // Events still queued count as input: the next frames come at full rate until they are taken.
  cnnlab::platform::pace_frames(rt.app.training(),
                                user_input(ImGui::GetIO()) || pointer_queue.pending());

  rt.app.frame();

  ImGui::Render();
  int fb_w = 0, fb_h = 0;
  cnnlab::platform::framebuffer_size(rt.window, &fb_w, &fb_h);
  float clear[4];
  cnnlab::clear_color(clear);  // the panels' background (theme.h)
  ImDrawData* draw_data = rt.draw_merger.merge(ImGui::GetDrawData());
  describe_frame(rt.repaint, *draw_data, fb_w, fb_h, clear);
  if (!cnnlab::platform::skips_unchanged_frames() || rt.repaint.differs_from_painted() ||
      rt.app.reads_back_after_render()) {
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(clear[0], clear[1], clear[2], clear[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(draw_data);
    rt.app.after_render(fb_w, fb_h);  // read-backs the app asked for (the experiment's PNG export)
    rt.repaint.painted();
    ++rt.app.state().ui.frames_painted;
  }

  ++rt.frame_count;
  // Loading a model opens Evaluation (its test accuracy is there): the tab asked for comes back
  // once the load (on the first frame) is done, so --tab works with --load-model.
  if (rt.frame_count == 2 && !rt.options.load_model.empty()) rt.app.select_tab(rt.options.tab);
  if (rt.options.frames > 0 && rt.frame_count >= rt.options.frames) {
    if (!rt.options.screenshot.empty()) {
      std::string error;
      if (cnnlab::platform::save_framebuffer_png(rt.options.screenshot, fb_w, fb_h, &error)) {
        std::printf("cnnlab_app: wrote %s (%dx%d)\n", rt.options.screenshot.c_str(), fb_w, fb_h);
      } else {
        std::fprintf(stderr, "cnnlab_app: screenshot failed: %s\n", error.c_str());
        rt.exit_code = 1;
      }
    }
    rt.done = true;
  }
  glfwSwapBuffers(rt.window);
  if (rt.frame_count == 1) cnnlab::platform::notify_ready();
}

void glfw_error(int code, const char* description) {
  std::fprintf(stderr, "GLFW error %d: %s\n", code, description);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, &options)) return 2;

  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    cnnlab::platform::report_fatal_error("Could not initialise GLFW (no display?).");
    return 1;
  }
  cnnlab::platform::set_context_hints();
  GLFWwindow* window =
      glfwCreateWindow(options.width, options.height, "CNN Lab", nullptr, nullptr);
  if (!window) {
#ifdef __EMSCRIPTEN__
    cnnlab::platform::report_fatal_error(
        "This browser could not create a WebGL2 context, which CNN Lab needs to draw. Try an "
        "up-to-date Chrome, Firefox or Safari, or enable hardware acceleration.");
#else
    cnnlab::platform::report_fatal_error("Could not create an OpenGL 3.3 window.");
#endif
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember between sessions
  // Every control reachable without a mouse: arrows move between controls (the focused one is
  // outlined), Space or Enter presses, Escape goes back, Ctrl+Tab switches panels.
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  listen_for_pointer(window);
  cnnlab::platform::listen_for_wheel(window, &pointer_queue);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(cnnlab::platform::glsl_version());

  auto* rt = new Runtime();
  rt->window = window;
  rt->options = options;
  rt->app.state().ui.show_widget_check = options.widget_check;
  rt->app.select_tab(options.tab);
  if (!options.data.empty()) {
    std::string error = rt->app.load_dataset_path(options.data);
    if (!error.empty()) std::fprintf(stderr, "cnnlab_app: %s\n", error.c_str());
  }
  if (!options.lesson.empty()) {
    // A built-in lesson's id, else a lesson file (a teacher's).
    std::string error;
    std::ifstream file(options.lesson, std::ios::binary);
    if (options.lesson.find('/') == std::string::npos && options.lesson.find('.') == std::string::npos) {
      error = rt->app.open_lesson(options.lesson);
    } else if (!file) {
      error = "cannot read the lesson file " + options.lesson;
    } else {
      const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      error = rt->app.open_lesson_text(text, options.lesson);
    }
    if (!error.empty()) std::fprintf(stderr, "cnnlab_app: --lesson: %s\n", error.c_str());
  }
  if (!options.configure.empty()) {
    std::string error = rt->app.configure_json(options.configure);
    if (!error.empty()) {
      std::fprintf(stderr, "cnnlab_app: --configure: %s\n", error.c_str());
      return 2;
    }
  }
  // Through the File menu's requests: handled after the first frame's update (the model exists).
  cnnlab::FilesState& files = rt->app.state().files;
  if (!options.load_model.empty()) {
    std::snprintf(files.model_path, sizeof files.model_path, "%s", options.load_model.c_str());
    files.requests.push_back(cnnlab::FileRequest::kLoadModel);
  }
  if (!options.photo.empty()) {
    std::snprintf(files.photo_path, sizeof files.photo_path, "%s", options.photo.c_str());
    files.requests.push_back(cnnlab::FileRequest::kClassifyPhoto);
  }
#ifndef __EMSCRIPTEN__
  glfwSetWindowUserPointer(window, rt);
  glfwSetDropCallback(window, drop_files);
#endif
  if (options.train) {
    std::string error = rt->app.command(cnnlab::CommandType::kTrain);
    if (!error.empty()) std::fprintf(stderr, "cnnlab_app: --train: %s\n", error.c_str());
  }
  if (!options.experiment.empty()) {
    std::string error = rt->app.experiment_json(options.experiment);
    if (!error.empty()) {
      std::fprintf(stderr, "cnnlab_app: --experiment: %s\n", error.c_str());
      return 2;
    }
  }
  cnnlab::attach_js_api(&rt->app);

#ifdef __EMSCRIPTEN__
  // The browser calls frame() once per animation frame; main returns and the runtime stays alive.
  emscripten_set_main_loop_arg(frame, rt, 0, false);
  return 0;
#else
  while (!rt->done && !glfwWindowShouldClose(window)) frame(rt);
  if (options.print_state) std::printf("%s\n", rt->app.state_json().c_str());
  int exit_code = rt->exit_code;
  cnnlab::attach_js_api(nullptr);
  delete rt;  // before the GL context goes: the app's textures are released here
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
#endif
}
