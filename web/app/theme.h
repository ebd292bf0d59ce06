// Fonts and style of the app: DejaVu Sans (Debian fonts-dejavu-core) rasterised at the screen's
// pixel density, and a light or dark theme with paddings scaled to match.
#pragma once

#include <string>

namespace cnnlab {

// Size of body text in logical pixels.
constexpr float kBaseFontSize = 16.0f;

// Clears the font atlas and loads the TrueType font at kBaseFontSize x scale. On failure (file
// missing or unreadable) falls back to ImGui's built-in font and explains why in *message.
bool load_fonts(float scale, std::string* message);
// Resets the style to the app's light (or dark) theme at the given scale. touch: the reader's
// main pointer is a finger (the page's `pointer: coarse`): buttons, tabs, fields and slider grips
// get at least kTouchTargetSize logical pixels of height, and scrollbars grow.
void apply_style(float scale, bool dark = false, bool touch = false);
// Smallest height of a control a finger must hit, in logical pixels, in the touch style.
constexpr float kTouchTargetSize = 40.0f;
// The colour each frame is cleared to: the panels' background (they draw none of their own; the
// clear paints it at no fill cost).
void clear_color(float rgba[4]);

}  // namespace cnnlab
