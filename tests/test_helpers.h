// Small helpers shared by the doctest suites that check error messages.
#pragma once

#include <string>

#include "core/error.h"

namespace cnnlab::testing {

// The message of the cnnlab::Error that fn throws ("" when it throws none).
template <typename F>
std::string error_of(F&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace cnnlab::testing
