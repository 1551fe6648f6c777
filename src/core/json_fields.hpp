// Fields of a provider's JSON answer read without trusting its shape: a missing field, a field of
// another type, or a document that is not an object give the fallback, never a JSON library
// exception (nlohmann's value() throws type_error for those, which would surface as "internal
// error" instead of the bad_data or not-found the caller decides on).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ks {

// obj[key] when obj is an object that has it; else a null value.
inline const nlohmann::json& json_field(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json null_value;
  if (!obj.is_object()) return null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

// The string at obj[key]; nullopt when absent or not a string.
inline std::optional<std::string> json_opt_string(const nlohmann::json& obj, const char* key) {
  const auto& v = json_field(obj, key);
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

// The string at obj[key]; `fallback` when absent or not a string.
inline std::string json_string(const nlohmann::json& obj, const char* key, std::string fallback = {}) {
  return json_opt_string(obj, key).value_or(std::move(fallback));
}

// The boolean at obj[key]; `fallback` when absent or not a boolean.
inline bool json_bool(const nlohmann::json& obj, const char* key, bool fallback) {
  const auto& v = json_field(obj, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

// The number at obj[key]; `fallback` when absent or not a number.
inline double json_number(const nlohmann::json& obj, const char* key, double fallback) {
  const auto& v = json_field(obj, key);
  return v.is_number() ? v.get<double>() : fallback;
}

// The array at obj[key], to iterate over; an empty array when absent or not an array.
inline const nlohmann::json& json_list(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  const auto& v = json_field(obj, key);
  return v.is_array() ? v : empty;
}

}  // namespace ks
