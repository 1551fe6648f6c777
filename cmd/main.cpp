// kestra-secrets: parses the command line (CLI11), dispatches to one run_* function per command,
// and is the only place that turns an error into an exit status (ks::exit_code).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "backends/registry.hpp"
#include "cmd/check_config.hpp"
#include "cmd/commands.hpp"
#include "cmd/encode_env.hpp"
#include "src/output/diag.hpp"

namespace {

using namespace ks;
using namespace ks::cmd;

constexpr const char* kDescription =
    "Lists, reads, writes and deletes Kestra secrets in every store Kestra supports, with the same\n"
    "kestra.secret configuration Kestra runs with.";

void add_globals(CLI::App& app, Globals& g) {
  app.add_option("-c,--config", g.sources.files, "Kestra configuration file (repeatable)")->type_name("FILE");
  app.add_option("--set", g.sources.sets, "Override a configuration key: key=value (repeatable)")
      ->type_name("K=V");
  app.add_option("-t,--type", g.sources.type, "Override kestra.secret.type")->type_name("TYPE");
  app.add_option("-n,--namespace", g.ns, "Kestra namespace")->type_name("NS");
  app.add_option("--tenant", g.tenant, "Kestra tenant (default main)")->type_name("T");
  app.add_option("--env-file", g.sources.env_file, "File of SECRET_ lines for the env backend")
      ->type_name("FILE");
  app.add_option("-o,--output", g.output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->envname("KESTRA_SECRETS_OUTPUT");
  app.add_flag("-v,--verbose", g.verbose, "More detail on stderr (-vv traces HTTP, redacted)");
  app.add_flag("-q,--quiet", g.quiet, "No warnings");
  app.add_option("--timeout", g.timeout, "Whole-operation deadline in seconds")
      ->check(CLI::PositiveNumber)
      ->envname("KESTRA_SECRETS_TIMEOUT");
  app.add_option("--concurrency", g.concurrency, "Parallel requests (default 8)")
      ->check(CLI::Range(1, 256))
      ->envname("KESTRA_SECRETS_CONCURRENCY");
  app.add_option("--ca-file", g.ca_file, "Trusted CA bundle (PEM), instead of the system store")
      ->type_name("FILE");
  app.add_flag("--no-color", g.no_color, "No colour (also NO_COLOR)");
}

struct Commands {
  ListOptions list;
  GetOptions get;
  PutCmdOptions put;
  DeleteCmdOptions del;
  DescribeOptions describe;
  ExportOptions exp;
  ExecOptions exec;
  ImportOptions imp;
  CopyOptions copy;
  AdoptOptions adopt;
  bool restore_dry_run = false;
  EncodeEnvOptions encode;
  bool check_connect = false;
  std::string shell;
  CheckFlowsOptions flows;
};

using Runner = std::function<int()>;

void add_bulk_commands(CLI::App& app, Globals& g, Commands& c, const Context& ctx, Runner& run) {
  auto* exp = app.add_subcommand("export", "Print every visible secret in one document");
  exp->add_option("--format", c.exp.format, "dotenv (default), shell, docker, json, yaml, env-encoded")
      ->type_name("F");
  exp->add_option("pattern", c.exp.pattern, "Shell glob on the key")->type_name("PATTERN");
  exp->add_flag("--upper", c.exp.upper, "Upper-case the variable names");
  exp->callback([&] { run = [&] { return run_export(g, c.exp, ctx); }; });

  auto* exec = app.add_subcommand("exec", "Run a command with the secrets in its environment");
  exec->add_option("--only", c.exec.only, "Only these keys")->delimiter(',')->type_name("K,...");
  exec->add_flag("--upper", c.exec.upper, "Upper-case the variable names");
  exec->add_option("command", c.exec.command, "-- CMD ARGS...")->required();
  exec->positionals_at_end();
  exec->callback([&] { run = [&] { return run_exec(g, c.exec, ctx); }; });

  auto* imp = app.add_subcommand("import", "Put every key of a dotenv (or .env_encoded) file");
  imp->add_option("file", c.imp.file, "Input file (- = stdin)")->required()->type_name("FILE");
  imp->add_flag("--encoded", c.imp.encoded, "The file is in .env_encoded form");
  imp->add_option("--dialect", c.imp.dialect, "compose (default) or raw")->type_name("D");
  imp->add_flag("--no-overwrite", c.imp.no_overwrite, "Skip keys that exist");
  imp->add_flag("--dry-run", c.imp.dry_run, "Report what would be written; write nothing");
  imp->callback([&] { run = [&] { return run_import(g, c.imp, ctx); }; });
}

void add_copy_commands(CLI::App& app, Globals& g, Commands& c, const Context& ctx, Runner& run) {
  auto* copy = app.add_subcommand("copy", "Copy every visible secret into a second configuration's backend");
  auto* diff = app.add_subcommand("diff", "Compare the secrets of two configurations (values never printed)");
  for (auto* cmd : {copy, diff}) {
    cmd->add_option("--to", c.copy.to, "The destination's configuration file")->required()->type_name("FILE");
    cmd->add_option("--to-set", c.copy.to_sets, "Override a destination configuration key (repeatable)")
        ->type_name("K=V")
        ->allow_extra_args(false);
    cmd->add_option("pattern", c.copy.pattern, "Shell glob on the key")->type_name("PATTERN");
  }
  copy->add_flag("--overwrite", c.copy.overwrite, "Replace destination values that differ");
  copy->add_flag("--skip-existing", c.copy.skip_existing, "Keep destination values that differ");
  copy->add_flag("--fields", c.copy.fields, "JSON objects become named fields in Vault");
  copy->add_flag("--dry-run", c.copy.dry_run, "Report what would be written; write nothing");
  copy->callback([&] { run = [&] { return run_copy(g, c.copy, ctx); }; });
  diff->callback([&] { run = [&] { return run_diff(g, c.copy, ctx); }; });

  auto* adopt = app.add_subcommand("adopt", "Tag existing provider secrets so that Kestra sees them");
  adopt->add_option("names", c.adopt.names, "Provider names (with --all: one glob on the names)")->type_name("NAME");
  adopt->add_option("--key", c.adopt.key, "The Kestra key of the one secret named")->type_name("K");
  adopt->add_flag("--all", c.adopt.all, "Every provider secret under the configured prefix");
  adopt->add_flag("--dry-run", c.adopt.dry_run, "Report the tags that would be set; set none");
  adopt->callback([&] { run = [&] { return run_adopt(g, c.adopt, ctx); }; });
}

void add_write_commands(CLI::App& app, Globals& g, Commands& c, const Context& ctx, Runner& run) {
  auto* put = app.add_subcommand("put", "Create or update a secret (value from stdin, a file or a prompt)");
  put->add_option("key", c.put.key, "Kestra key")->required()->type_name("KEY");
  put->add_option("--subkey", c.put.subkey, "Set one field of a JSON value, keeping the others")->type_name("NAME");
  put->add_option("--from-file", c.put.from_file, "Read the value from FILE (- = stdin)")->type_name("F");
  put->add_option("--value", c.put.value, "The value itself (visible to other users: discouraged)")->type_name("V");
  put->add_option("--tag", c.put.tags, "Tag to set (repeatable)")->type_name("K=V");
  put->add_option("--description", c.put.description, "Description")->type_name("D");
  put->add_flag("--allow-empty", c.put.allow_empty, "Accept an empty value");
  put->add_flag("--fields", c.put.fields, "The value is a JSON object: one field per member");
  put->add_flag("--dry-run", c.put.dry_run, "Print what would be written; write nothing");
  put->callback([&] { run = [&] { return run_put(g, c.put, ctx); }; });

  auto* del = app.add_subcommand("delete", "Delete a secret (soft delete where the store has one)");
  del->add_option("key", c.del.key, "Kestra key")->required()->type_name("KEY");
  del->add_option("--subkey", c.del.subkey, "Remove one field only")->type_name("NAME");
  del->add_flag("--purge", c.del.purge, "Delete for good (asks at a terminal)");
  del->add_option("--recovery-days", c.del.recovery_days, "Recovery window (AWS: 7-30)")->type_name("N");
  del->add_flag("-y,--yes", c.del.yes, "Do not ask for confirmation");
  del->add_flag("--dry-run", c.del.dry_run, "Print what would be deleted; delete nothing");
  del->callback([&] { run = [&] { return run_delete(g, c.del, ctx); }; });

  auto* describe = app.add_subcommand("describe", "Print a secret's metadata (never its value)");
  describe->add_option("key", c.describe.key, "Kestra key")->required()->type_name("KEY");
  describe->callback([&] { run = [&] { return run_describe(g, c.describe, ctx); }; });

  auto* versions = app.add_subcommand("versions", "List the versions the store keeps, newest first");
  versions->add_option("key", c.describe.key, "Kestra key")->required()->type_name("KEY");
  versions->callback([&] { run = [&] { return run_versions(g, c.describe, ctx); }; });

  auto* restore = app.add_subcommand("restore", "Undo a soft delete");
  restore->add_option("key", c.describe.key, "Kestra key")->required()->type_name("KEY");
  restore->add_flag("--dry-run", c.restore_dry_run, "Print what would be restored");
  restore->callback([&] { run = [&] { return run_restore(g, c.describe, c.restore_dry_run, ctx); }; });
}

void add_check_flows(CLI::App& app, Globals& g, Commands& c, const Context& ctx, Runner& run) {
  auto* flows = app.add_subcommand("check-flows", "Check that every secret() of Kestra flow files resolves");
  flows->add_option("path", c.flows.paths, "Flow files and directories of flow files")->required()->type_name("PATH");
  flows->add_flag("--strict", c.flows.strict, "A dynamic secret() (key not a string literal) is an error");
  flows->add_option("--format", c.flows.format, "text (default) or github (workflow commands)")
      ->check(CLI::IsMember({"text", "github"}))
      ->type_name("F");
  flows->callback([&] { run = [&] { return run_check_flows(g, c.flows, ctx); }; });
}

void add_commands(CLI::App& app, Globals& g, Commands& c, const Context& ctx, Runner& run) {
  auto* list = app.add_subcommand("list", "List the Kestra keys visible under the configuration");
  list->add_option("pattern", c.list.pattern, "Shell glob on the key")->type_name("PATTERN");
  list->callback([&] { run = [&] { return run_list(g, c.list, ctx); }; });

  auto* get = app.add_subcommand("get", "Print a secret's value (exact bytes)");
  get->add_option("key", c.get.key, "Kestra key")->required()->type_name("KEY");
  get->add_option("--subkey", c.get.subkey, "Field of a JSON value (Kestra's subkey)")->type_name("NAME");
  get->add_option("--version", c.get.version, "Provider version")->type_name("V");
  get->add_flag("--full", c.get.full, "Print {value, metadata} as secret(key, full=true)");
  get->add_flag("--no-inherit", c.get.no_inherit, "Do not climb to parent namespaces");
  get->callback([&] { run = [&] { return run_get(g, c.get, ctx); }; });

  add_write_commands(app, g, c, ctx, run);

  add_bulk_commands(app, g, c, ctx, run);
  add_copy_commands(app, g, c, ctx, run);

  auto* enc = app.add_subcommand("encode-env", "Convert a .env file to Kestra's .env_encoded form");
  enc->add_option("input", c.encode.input, "Input file (default ./.env; - = stdin)")->type_name("INPUT");
  enc->add_option("-O,--output-file", c.encode.output, "Output file (default ./.env_encoded; - = stdout)")
      ->type_name("OUTPUT");
  enc->add_option("--prefix", c.encode.prefix, "Variable prefix (default SECRET_)")->type_name("P");
  enc->add_option("--dialect", c.encode.dialect, "compose (default) or raw")->type_name("D");
  enc->add_flag("--interpolate", c.encode.interpolate, "Expand ${VAR} as Docker Compose does");
  enc->add_flag("--check", c.encode.check, "Exit 10 when OUTPUT is out of date; write nothing");
  enc->add_flag("--decode", c.encode.decode, "Convert .env_encoded back to .env");
  enc->callback([&] {
    run = [&] {
      c.encode.quiet = g.quiet;
      return run_encode_env(c.encode, ctx);
    };
  });

  auto* comp = app.add_subcommand("completion", "Print the completion script for bash, zsh or fish");
  comp->add_option("shell", c.shell, "bash, zsh or fish")->required()->type_name("SHELL");
  comp->callback([&] { run = [&] { return run_completion(c.shell); }; });

  auto* check = app.add_subcommand("check-config", "Validate the configuration (and --connect to it)");
  check->add_flag("--connect", c.check_connect, "Also authenticate and make one cheap read");
  check->callback([&] {
    run = [&] {
      auto probe = [&] { return open_session(g, ctx).backend->probe(); };
      return run_check_config(g.sources, ctx, g.json(), c.check_connect, backends::available_types(), probe);
    };
  });

  add_check_flows(app, g, c, ctx, run);
}

int report(const Error& e) {
  out::error(e);
  return exit_code(e.kind());
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx = Context::from_process();
  Globals g;
  Commands c;
  Runner run;

  CLI::App app{kDescription, "kestra-secrets"};
  app.set_version_flag("--version", std::string("kestra-secrets ") + KS_VERSION);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.require_subcommand(1);
  add_globals(app, g);
  add_commands(app, g, c, ctx, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    out::diag().json = g.json();
    return report(Error(ErrorKind::usage, e.what(), "see kestra-secrets --help"));
  }

  out::diag().quiet = g.quiet;
  out::diag().verbose = g.verbose;
  out::diag().json = g.json();
  try {
    return run();
  } catch (const Error& e) {
    return report(e);
  } catch (const nlohmann::json::exception& e) {
    // A JSON library message can quote the document it was reading: print only its id.
    return report(Error(ErrorKind::internal, "internal error: JSON error " + std::to_string(e.id)));
  } catch (const std::exception& e) {
    return report(Error(ErrorKind::internal, std::string("internal error: ") + e.what()));
  }
}
