// import: bulk put from a dotenv file (plain values) or an .env_encoded file (--encoded). A key
// whose stored value is already equal is `unchanged` and costs no write.
#include <fmt/format.h>

#include "cmd/commands.hpp"
#include "cmd/report.hpp"
#include "src/core/fs.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

std::vector<dotenv::Entry> read_entries(const ImportOptions& o) {
  std::string text = fs::read_file(o.file, ErrorKind::usage);
  if (o.encoded) return dotenv::read_encoded(text, "SECRET_");
  dotenv::ParseOptions p;
  p.dialect = dotenv::parse_dialect(o.dialect);
  auto parsed = dotenv::parse(text, p);
  for (const auto& w : parsed.warnings) out::warn(fmt::format("{}: {}", o.file, w));
  return parsed.entries;
}

KeyReport import_one(Backend& b, const Globals& g, const ImportOptions& o, const dotenv::Entry& e) {
  SecretRef ref{e.key, g.ns, std::nullopt};
  ref.inherit = false;
  std::optional<std::string> current;
  try {
    current = b.get(ref).printable();
  } catch (const Error& err) {
    if (err.kind() != ErrorKind::not_found) throw;
  }
  if (current && *current == e.value) return {e.key, "unchanged", 0, ""};
  if (current && o.no_overwrite) return {e.key, "skipped", 0, "exists (--no-overwrite)"};
  if (b.text_only() && !is_valid_utf8(e.value))
    return {e.key, "failed", exit_code(ErrorKind::usage), fmt::format("not valid UTF-8, and {} stores only text", b.name())};
  std::string status = current ? "updated" : "created";
  if (o.dry_run) return {e.key, status, 0, "dry-run: not written"};
  b.put(ref, Secret::text(e.value), {});
  return {e.key, status, 0, ""};
}

}  // namespace

int run_import(const Globals& g, const ImportOptions& o, const Context& ctx) {
  auto entries = read_entries(o);
  Session s = open_session(g, ctx);
  s.backend->check_writable();
  std::vector<KeyReport> rows;
  for (const auto& e : entries) {
    try {
      rows.push_back(import_one(*s.backend, g, o, e));
    } catch (const Error& err) {
      rows.push_back({e.key, err.kind() == ErrorKind::conflict ? "refused" : "failed", exit_code(err.kind()), err.what()});
    }
  }
  return print_report(g, rows);
}

}  // namespace ks::cmd
