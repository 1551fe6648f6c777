#include "cmd/commands.hpp"
#include "src/crypto/base64.hpp"
#include "src/secret/secret.hpp"

namespace ks::cmd {
namespace {

nlohmann::json value_json(const std::string& bytes, nlohmann::json doc) {
  if (is_valid_utf8(bytes)) {
    doc["value"] = bytes;
  } else {
    doc["value"] = nullptr;
    doc["value_base64"] = crypto::base64_encode(bytes);
  }
  return doc;
}

}  // namespace

int run_get(const Globals& g, const GetOptions& o, const Context& ctx) {
  if (o.full && o.subkey)
    throw Error(ErrorKind::usage, "--full cannot be combined with --subkey",
                "Kestra's secret(key, full=true) takes no subkey either");
  Session s = open_session(g, ctx);
  SecretRef ref{o.key, g.ns, o.version};
  ref.inherit = !o.no_inherit;
  Secret secret = s.backend->get(ref);
  std::string bytes = o.subkey ? extract_subkey(secret, o.key, *o.subkey) : secret.printable();

  if (o.full) {
    SecretInfo info = s.backend->describe(ref);
    nlohmann::json metadata = {{"name", info.name}, {"tags", nlohmann::json(info.tags)},
                               {"description", opt(info.description)}, {"created", opt(info.created)},
                               {"updated", opt(info.updated)}, {"version", opt(secret.version ? secret.version : info.version)}};
    auto doc = value_json(bytes, nlohmann::json::object());
    doc["metadata"] = metadata;
    write_json(doc);
    return 0;
  }
  if (g.json()) {
    nlohmann::json doc = {{"key", o.key}, {"namespace", opt(g.ns)}};
    doc = value_json(bytes, doc);
    doc["version"] = opt(secret.version);
    write_json(doc);
    return 0;
  }
  if (ctx.stdout_is_tty) bytes.push_back('\n');
  write_stdout(bytes);
  return 0;
}

}  // namespace ks::cmd
