#include <fmt/format.h>

#include "cmd/commands.hpp"
#include "cmd/value_source.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

// delete --subkey: read, drop one field, write back (check-and-set where the store has versions).
void remove_field(Backend& b, const SecretRef& ref, const std::string& field, bool dry_run) {
  Secret current = b.get(ref);
  nlohmann::json doc = current.fields ? *current.fields : nlohmann::json::parse(current.bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorKind::bad_data,
                fmt::format("secret '{}' is not a JSON object, so --subkey cannot remove a field from it", ref.key));
  if (!doc.contains(field))
    throw Error(ErrorKind::not_found, fmt::format("Cannot find secret sub-key '{}' in secret '{}'.", field, ref.key));
  if (dry_run) {
    write_stdout(fmt::format("dry-run: would remove field {} of secret {}\n", field, ref.key));
    return;
  }
  doc.erase(field);
  PutOptions opts;
  opts.expected_version = current.version;
  b.put(ref, object_secret(b, std::move(doc)), opts);
}

}  // namespace

int run_delete(const Globals& g, const DeleteCmdOptions& o, const Context& ctx) {
  if (o.purge && o.recovery_days) throw Error(ErrorKind::usage, "--purge and --recovery-days cannot be combined");
  Session s = open_session(g, ctx);
  SecretRef ref{o.key, g.ns, std::nullopt};
  if (o.subkey) {
    remove_field(*s.backend, ref, *o.subkey, o.dry_run);
    return 0;
  }
  if (o.dry_run) {
    write_stdout(fmt::format("dry-run: would {} secret {}\n", o.purge ? "purge" : "delete", o.key));
    return 0;
  }
  if (o.purge && !o.yes && ctx.stdin_is_tty &&
      !confirm(fmt::format("Permanently delete secret {}? It cannot be restored.", o.key), ctx))
    throw Error(ErrorKind::usage, "not confirmed; nothing deleted", "--yes skips the question");
  DeleteOptions opts{o.purge, o.recovery_days};
  DeleteResult r = s.backend->remove(ref, opts);
  if (g.json())
    write_json({{"key", o.key}, {"namespace", opt(g.ns)}, {"purged", r.purged}, {"recoverable_until", opt(r.recoverable_until)}});
  else out::note(fmt::format("deleted secret {}", o.key));
  return 0;
}

}  // namespace ks::cmd
