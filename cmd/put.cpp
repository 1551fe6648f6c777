#include <fmt/format.h>

#include "cmd/commands.hpp"
#include "cmd/value_source.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

Tags parse_tags(const std::vector<std::string>& specs) {
  Tags tags;
  for (const auto& t : specs) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ErrorKind::usage, fmt::format("--tag takes KEY=VALUE, got '{}'", t));
    tags[t.substr(0, eq)] = t.substr(eq + 1);
  }
  return tags;
}

Secret fields_secret(const Backend& b, const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorKind::usage, "--fields needs a JSON object as the value");
  return object_secret(b, std::move(doc));
}

// --subkey: read the stored value (absent = {}), set one field, write it back with check-and-set
// on the version read where the store has versions.
Secret with_field(Backend& b, const SecretRef& ref, const std::string& field, const std::string& value,
                  PutOptions& opts) {
  Secret current;
  bool exists = true;
  try {
    current = b.get(ref);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
    exists = false;
  }
  nlohmann::json doc = nlohmann::json::object();
  if (exists) {
    doc = current.fields ? *current.fields : nlohmann::json::parse(current.bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      throw Error(ErrorKind::bad_data,
                  fmt::format("secret '{}' is not a JSON object, so --subkey cannot set a field in it", ref.key),
                  "put the whole value without --subkey");
    opts.expected_version = current.version;
  }
  doc[field] = value;
  return object_secret(b, std::move(doc));
}

}  // namespace

int run_put(const Globals& g, const PutCmdOptions& o, const Context& ctx) {
  if (o.fields && o.subkey) throw Error(ErrorKind::usage, "--fields and --subkey cannot be combined");
  PutOptions opts;
  opts.tags = parse_tags(o.tags);
  opts.description = o.description;
  std::string value = read_value(ValueSource{o.from_file, o.value, o.allow_empty}, o.key, ctx);
  Session s = open_session(g, ctx);
  if (s.backend->text_only() && !is_valid_utf8(value))
    throw Error(ErrorKind::usage, fmt::format("the value for {} is not valid UTF-8, and {} stores only text", o.key,
                                              s.backend->name()),
                "Base64-encode binary values before storing them here");
  SecretRef ref{o.key, g.ns, std::nullopt};
  Secret secret = o.fields ? fields_secret(*s.backend, value) : Secret::text(value);
  if (o.subkey) secret = with_field(*s.backend, ref, *o.subkey, value, opts);
  if (o.dry_run) {
    write_stdout(fmt::format("dry-run: would write secret {}{}{}\n", o.key, o.subkey ? " field " + *o.subkey : "",
                             g.ns ? " in namespace " + *g.ns : ""));
    return 0;
  }
  PutResult r = s.backend->put(ref, secret, opts);
  if (g.json()) write_json({{"key", o.key}, {"namespace", opt(g.ns)}, {"version", opt(r.version)}, {"created", r.created}});
  else out::note(fmt::format("{} secret {}", r.created ? "created" : "updated", o.key));
  return 0;
}

}  // namespace ks::cmd
