// Reading one field of a JSON object with an error that names it — for every reader of a JSON
// header or message (model files, the lab's reports), so each says the same thing the same way.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cnnlab {

// j[key] as T. Throws Error(where, "field 'key' is missing") or "... has the wrong type (string)".
template <typename T>
T json_field(const nlohmann::json& j, const char* key, const std::string& where) {
  require(j.is_object() && j.contains(key), where, std::string("field '") + key + "' is missing");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where, std::string("field '") + key + "' has the wrong type (" +
                           j.at(key).type_name() + ")");
  }
}

// The key a renamed field has in j: `key` (files written now) or else `old_key` (files written
// before every option had one spelling, e.g. "weight_decay" for "weightDecay"); `key` when
// neither is there, so a missing field is named by its current spelling.
inline const char* renamed_key(const nlohmann::json& j, const char* key, const char* old_key) {
  return j.is_object() && !j.contains(key) && j.contains(old_key) ? old_key : key;
}

}  // namespace cnnlab
