// Reading one field of a JSON object with an error that names it — for every reader of a JSON
// header or message (model files, the lab's reports), so each says the same thing the same way.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cnnlab {

// j[key] as T. Throws Error(where, "field 'key' is missing") or "... has the wrong type (string)".
// A number that does not fit T (1e300 for an int field, -1 for an unsigned one, 1e39 for a
// float) is refused as out of range: nlohmann converts numbers with a plain cast, undefined
// behaviour for a floating-point value out of the target's range (found by fuzz_run_report).
// NaN and infinity never fit: JSON text cannot hold them (nlohmann refuses 1e400 and our writers
// write null for them), so one met here is a damaged or hand-made value. A list of numbers
// (std::vector<int>, std::vector<float>) is checked item by item, naming the item.
template <typename T>
bool json_number_fits(const nlohmann::json& v) {
  if constexpr (std::is_integral_v<T>) {
    using L = std::numeric_limits<T>;
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(L::max());
    if (v.is_number_integer()) {
      const int64_t i = v.get<int64_t>();
      return L::is_signed ? i >= static_cast<int64_t>(L::min()) &&
                                (sizeof(T) >= 8 || i <= static_cast<int64_t>(L::max()))
                          : i >= 0 && (sizeof(T) >= 8 || static_cast<uint64_t>(i) <= L::max());
    }
    // A double, truncated toward zero by the conversion: within (lowest - 1, 2^digits).
    const double d = v.get<double>();
    const double upper = std::ldexp(1.0, L::digits);
    return std::isfinite(d) && d < upper && d > (L::is_signed ? -upper : 0.0) - 1.0;
  } else {
    const double d = v.get<double>();
    return std::isfinite(d) && std::fabs(d) <= static_cast<double>(std::numeric_limits<T>::max());
  }
}

// A number as an error message shows it: as JSON, but NaN and infinity by name (dump() gives null).
inline std::string json_number_text(const nlohmann::json& v) {
  if (v.is_number_float() && !std::isfinite(v.get<double>()))
    return std::isnan(v.get<double>()) ? "NaN" : v.get<double>() > 0 ? "infinity" : "-infinity";
  return v.dump();
}

template <typename T>
struct is_number_list : std::false_type {};
template <typename U>
struct is_number_list<std::vector<U>>
    : std::bool_constant<std::is_arithmetic_v<U> && !std::is_same_v<U, bool>> {};

// One JSON value as the number T, `name` naming it in the error ("field 'loss' item 3").
template <typename T>
T json_number(const nlohmann::json& v, const std::string& name, const std::string& where) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  require(v.is_number(), where,
          name + " has the wrong type (" + v.type_name() + "), a number is needed");
  require(json_number_fits<T>(v), where, name + " is out of range (" + json_number_text(v) + ")");
  return v.get<T>();
}

template <typename T>
T json_field(const nlohmann::json& j, const char* key, const std::string& where) {
  require(j.is_object() && j.contains(key), where, std::string("field '") + key + "' is missing");
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    const nlohmann::json& v = j.at(key);
    if (v.is_number() && !json_number_fits<T>(v)) {
      throw Error(where, std::string("field '") + key + "' is out of range (" +
                             json_number_text(v) + ")");
    }
  } else if constexpr (is_number_list<T>::value) {
    const nlohmann::json& v = j.at(key);
    if (v.is_array()) {
      T out;
      out.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i)
        out.push_back(json_number<typename T::value_type>(
            v[i], std::string("field '") + key + "' item " + std::to_string(i), where));
      return out;
    }
  }
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where, std::string("field '") + key + "' has the wrong type (" +
                           j.at(key).type_name() + ")");
  }
}

// j[key] as T when j has it (checked as json_field does), else `fallback`.
template <typename T>
T json_field_or(const nlohmann::json& j, const char* key, const T& fallback,
                const std::string& where) {
  return j.is_object() && j.contains(key) ? json_field<T>(j, key, where) : fallback;
}

// j[key] as a double, NaN when it is null (how our writers keep a NaN loss); a number is
// checked as json_field does.
inline double json_number_or_nan(const nlohmann::json& j, const char* key,
                                 const std::string& where) {
  require(j.is_object() && j.contains(key), where, std::string("field '") + key + "' is missing");
  return j.at(key).is_null() ? std::numeric_limits<double>::quiet_NaN()
                             : json_field<double>(j, key, where);
}

// The key a renamed field has in j: `key` (files written now) or else `old_key` (files written
// before every option had one spelling, e.g. "weight_decay" for "weightDecay"); `key` when
// neither is there, so a missing field is named by its current spelling.
inline const char* renamed_key(const nlohmann::json& j, const char* key, const char* old_key) {
  return j.is_object() && !j.contains(key) && j.contains(old_key) ? old_key : key;
}

// What a writer puts for a number that JSON cannot hold: NaN and infinity become null.
inline nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace cnnlab
