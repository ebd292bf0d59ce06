// The JavaScript API's C side (js_api.cpp): main attaches the App that window.cnnlab drives
// (browser only; a no-op elsewhere).
#pragma once

namespace cnnlab {

class App;

#ifdef __EMSCRIPTEN__
void attach_js_api(App* app);
#else
inline void attach_js_api(App*) {}
#endif

}  // namespace cnnlab
