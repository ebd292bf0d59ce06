// Numbers as people read them (see text_format.h).
#include "core/text_format.h"

#include <cmath>
#include <cstdio>

namespace cnnlab {

std::string with_thousands(uint64_t value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string percent(double fraction) {
  // In tenths of a percent, rounded half away from zero. The slack (1e-4 tenths, far below
  // the 1000 / N tenths between two counts of N <= 1,000,000 images) lets a float and a double
  // of the same count land on the same side of an exact half: 655 / 2000 is 327.5 tenths, which
  // a float holds as 327.49998 and a double as 327.50000000000006.
  const double tenths = std::fabs(fraction) * 1000.0;
  const long long rounded = static_cast<long long>(std::floor(tenths + 0.5 + 1e-4));
  char text[32];
  std::snprintf(text, sizeof text, "%s%lld.%lld %%", fraction < 0 && rounded > 0 ? "-" : "",
                rounded / 10, rounded % 10);
  return text;
}

}  // namespace cnnlab
