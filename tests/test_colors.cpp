// The lab's colours for readers with colour-vision deficiencies (web/widgets/palette.h): each
// colour is passed through the simulations of protanopia, deuteranopia and tritanopia of Machado,
// Oliveira and Fernandes (2009; severity 1, on linear RGB) and compared in CIELAB (distance
// CIE76, where about 2.3 is just noticeable and Okabe and Ito's palette for colour-blind readers
// keeps its colours at least 16 apart under all three). Checked:
//   - the series colours that appear together stay apart: the first three (train, validation,
//     test), the first six (the runs of a usual experiment), all ten;
//   - the sequential map (viridis) gets lighter from 0 to 1 under every simulation, so its order
//     survives; the diverging map's two ends stay apart and darker than its middle.
// The test prints its figures (README's accessibility section quotes them).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "widgets/palette.h"

using cnnlab::widgets::Colormap;
using cnnlab::widgets::Rgb;

namespace {

using Matrix = std::array<std::array<double, 3>, 3>;
struct Vision {
  const char* name;
  Matrix m;
};
const Vision kVisions[4] = {
    {"typical", {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}},
    {"protanopia", {{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216},
                     {-0.003882, -0.048116, 1.051998}}}},
    {"deuteranopia", {{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413},
                       {-0.011820, 0.042940, 0.968881}}}},
    {"tritanopia", {{{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602},
                     {0.004733, 0.691367, 0.303900}}}}};

double to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }

struct Lab {
  double l, a, b;
};

// sRGB as a reader with `vision` sees it, in CIELAB (D65).
Lab seen(const Rgb& c, const Vision& vision) {
  const double in[3] = {to_linear(c.r), to_linear(c.g), to_linear(c.b)};
  double lin[3];
  for (int i = 0; i < 3; ++i) {
    double v = 0;
    for (int j = 0; j < 3; ++j) v += vision.m[i][j] * in[j];
    lin[i] = std::clamp(v, 0.0, 1.0);
  }
  const double x = 0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2];
  const double y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  const double z = 0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2];
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
  const double fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

double distance(const Lab& p, const Lab& q) {
  return std::sqrt((p.l - q.l) * (p.l - q.l) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b));
}

// The smallest distance between any two of the first n series colours under `vision`.
double closest_pair(int n, const Vision& vision) {
  double closest = 1e9;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      closest = std::min(closest, distance(seen(cnnlab::widgets::series_rgb(i), vision),
                                           seen(cnnlab::widgets::series_rgb(j), vision)));
  return closest;
}

}  // namespace

TEST_CASE("series colours shown together stay apart under every simulated colour vision") {
  struct Group {
    int count;
    double at_least;
    const char* what;
  };
  const Group groups[3] = {{3, 15.0, "train / validation / test"},
                           {6, 15.0, "the runs of a usual experiment"},
                           {cnnlab::widgets::kSeriesColors, 10.0, "all series colours"}};
  for (const Vision& vision : kVisions) {
    for (const Group& g : groups) {
      const double closest = closest_pair(g.count, vision);
      std::printf("test_colors: %-12s first %2d series colours (%s): closest pair %.1f apart\n",
                  vision.name, g.count, g.what, closest);
      INFO(vision.name << ", first " << g.count << " series colours");
      CHECK(closest >= g.at_least);
    }
  }
}

TEST_CASE("the runs' curve colours: the first six and every two consecutive runs stay well apart") {
  using cnnlab::widgets::run_series_index;
  using cnnlab::widgets::series_rgb;
  for (const Vision& vision : kVisions) {
    double closest_six = 1e9, closest_next = 1e9;
    for (int i = 0; i < 6; ++i)
      for (int j = i + 1; j < 6; ++j)
        closest_six = std::min(closest_six, distance(seen(series_rgb(run_series_index(i)), vision),
                                                     seen(series_rgb(run_series_index(j)), vision)));
    // Consecutive runs, the cycle's wrap included (run 10 -> run 11).
    for (int i = 0; i < cnnlab::widgets::kSeriesColors; ++i)
      closest_next = std::min(closest_next, distance(seen(series_rgb(run_series_index(i)), vision),
                                                     seen(series_rgb(run_series_index(i + 1)), vision)));
    std::printf("test_colors: %-12s runs 1-6 closest pair %.1f apart, consecutive runs %.1f\n",
                vision.name, closest_six, closest_next);
    INFO(vision.name);
    // Orange and vermillion (runs 2 and 4 in palette order) are 18 apart: read as one colour.
    CHECK(closest_six >= 20.0);
    CHECK(closest_next >= 17.0);
  }
  // Every colour is used once per cycle of ten runs.
  std::array<int, cnnlab::widgets::kSeriesColors> uses{};
  for (int i = 0; i < cnnlab::widgets::kSeriesColors; ++i) ++uses[run_series_index(i)];
  for (int used : uses) CHECK(used == 1);
  CHECK(run_series_index(0) == 0);  // run 1 keeps the first colour
}

TEST_CASE("the sequential map keeps its order and the diverging map its two sides") {
  for (const Vision& vision : kVisions) {
    double previous = -1.0;
    for (int k = 0; k <= 32; ++k) {
      const double lightness = seen(colormap_rgbf(k / 32.0f, Colormap::Viridis), vision).l;
      INFO(vision.name << ": viridis at " << k << "/32");
      CHECK(lightness > previous);
      previous = lightness;
    }
    const Lab negative = seen(colormap_rgbf(0.0f, Colormap::Diverging), vision);
    const Lab middle = seen(colormap_rgbf(0.5f, Colormap::Diverging), vision);
    const Lab positive = seen(colormap_rgbf(1.0f, Colormap::Diverging), vision);
    std::printf("test_colors: %-12s diverging map: ends %.1f apart, lightness %.0f / %.0f / %.0f\n",
                vision.name, distance(negative, positive), negative.l, middle.l, positive.l);
    INFO(vision.name << ": diverging map");
    CHECK(distance(negative, positive) >= 15.0);
    CHECK(middle.l > negative.l + 30.0);
    CHECK(middle.l > positive.l + 30.0);
  }
}

TEST_CASE("a NaN is grey and values outside [0, 1] are clamped") {
  const Rgb nan = colormap_rgbf(std::nanf(""), Colormap::Viridis);
  CHECK(nan.r == 0.5f);
  CHECK(nan.g == 0.5f);
  const Rgb below = colormap_rgbf(-3.0f, Colormap::Grey), above = colormap_rgbf(7.0f, Colormap::Grey);
  CHECK(below.r == 0.0f);
  CHECK(above.r == 1.0f);
  // The series colours cycle, negative indices included.
  CHECK(cnnlab::widgets::series_rgb(10).r == cnnlab::widgets::series_rgb(0).r);
  CHECK(cnnlab::widgets::series_rgb(-1).b == cnnlab::widgets::series_rgb(9).b);
}
