// Numbers as people read them (see text_format.h).
#include "core/text_format.h"

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
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%",
                static_cast<double>(static_cast<float>(fraction)) * 100.0);
  return text;
}

}  // namespace cnnlab
