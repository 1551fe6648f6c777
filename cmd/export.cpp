#include <fmt/format.h>

#include "cmd/bulk.hpp"
#include "cmd/commands.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/secret/var_names.hpp"

namespace ks::cmd {

int run_export(const Globals& g, const ExportOptions& o, const Context& ctx) {
  auto format = dotenv::parse_format(o.format);
  Session s = open_session(g, ctx);
  auto all = fetch_all(*s.backend, g, o.pattern, {});
  bool env_names = format != dotenv::Format::json && format != dotenv::Format::yaml;
  std::vector<std::string> keys;
  for (const auto& kv : all) keys.push_back(kv.key);
  auto names = env_names ? var_names(keys, o.upper) : keys;
  std::vector<dotenv::Entry> entries;
  for (size_t i = 0; i < all.size(); ++i) entries.push_back({names[i], std::move(all[i].value), 0, 0});
  std::string text = format == dotenv::Format::env_encoded
                         ? dotenv::write_encoded(entries, "SECRET_", "kestra-secrets export")
                         : dotenv::write_plain(entries, format);
  write_stdout(text);
  return 0;
}

}  // namespace ks::cmd
