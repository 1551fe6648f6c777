// check-config's two renderings of a Report (validate.hpp).
#include <fmt/format.h>

#include "src/config/schema.hpp"
#include "src/config/validate.hpp"

namespace ks::config {
namespace {

using nlohmann::json;

json issue_json(const Issue& i) {
  return {{"path", i.path}, {"message", i.message}, {"hint", i.hint.empty() ? json(nullptr) : json(i.hint)}};
}

void flatten(const json& v, const std::string& path, std::string& out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) flatten(it.value(), path + "." + it.key(), out);
    return;
  }
  const std::string key = path.substr(1);  // without the leading '.'
  const PathInfo info = classify(key);
  const bool extension = info.kind == PathKind::leaf && info.spec->extension;
  const auto dumped = [&] { return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  std::string text = v.is_string() ? v.get<std::string>() : dumped();
  if (v.is_string() && (text.find('\n') != std::string::npos || text.empty())) text = dumped();
  out += fmt::format("  {}: {}{}\n", key, text, extension ? "   (extension)" : "");
}

void issue_text(const char* label, const Issue& i, std::string& out) {
  out += fmt::format("{}: {}{}\n", label, i.path.empty() ? "" : i.path + ": ", i.message);
  if (!i.hint.empty()) out += fmt::format("  hint: {}\n", i.hint);
}

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

}  // namespace

json render_json(const Report& r) {
  json errors = json::array(), warnings = json::array();
  for (const auto& e : r.errors) errors.push_back(issue_json(e));
  for (const auto& w : r.warnings) warnings.push_back(issue_json(w));
  return {{"valid", r.valid},
          {"type", r.type},
          {"config_source", r.config_source},
          {"credential_source", r.credential_source},
          {"errors", std::move(errors)},
          {"warnings", std::move(warnings)},
          {"effective", r.effective}};
}

std::string render_text(const Report& r) {
  std::string out;
  out += fmt::format("config source: {}\n", r.config_source);
  out += fmt::format("type: {}\n", r.type.empty() ? "(invalid)" : r.type);
  out += fmt::format("credentials: {}\n", r.credential_source);
  out += "effective configuration:\n";
  flatten(r.effective, "", out);
  size_t warnings = 0;
  for (const auto& w : r.warnings)
    if (w.note) issue_text("note", w, out);
  for (const auto& w : r.warnings)
    if (!w.note) {
      issue_text("warning", w, out);
      ++warnings;
    }
  for (const auto& e : r.errors) issue_text("error", e, out);
  if (r.valid)
    out += warnings ? fmt::format("configuration valid ({})\n", plural(warnings, "warning")) : "configuration valid\n";
  else
    out += fmt::format("configuration invalid: {}{}\n", plural(r.errors.size(), "error"),
                       warnings ? ", " + plural(warnings, "warning") : "");
  return out;
}

}  // namespace ks::config
