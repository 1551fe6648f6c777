// One function per subcommand; each returns the exit status of a run that did not throw.
// Failures throw ks::Error, which main() reports and turns into an exit code.
#pragma once

#include <optional>
#include <string_view>
#include <vector>
#include <string>

#include "cmd/globals.hpp"

namespace ks::cmd {

struct ListOptions {
  std::optional<std::string> pattern;   // shell glob on the key
};
int run_list(const Globals& g, const ListOptions& o, const Context& ctx);

struct GetOptions {
  std::string key;
  std::optional<std::string> subkey;
  std::optional<std::string> version;
  bool full = false;
  bool no_inherit = false;
};
int run_get(const Globals& g, const GetOptions& o, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

struct PutCmdOptions {
  std::string key;
  std::optional<std::string> subkey;
  std::optional<std::string> from_file;
  std::optional<std::string> value;
  std::vector<std::string> tags;         // k=v
  std::optional<std::string> description;
  bool allow_empty = false;
  bool fields = false;                   // the value is a JSON object: one field per member
  bool dry_run = false;
};
int run_put(const Globals& g, const PutCmdOptions& o, const Context& ctx);

struct DeleteCmdOptions {
  std::string key;
  std::optional<std::string> subkey;
  bool purge = false;
  std::optional<int> recovery_days;
  bool yes = false;
  bool dry_run = false;
};
int run_delete(const Globals& g, const DeleteCmdOptions& o, const Context& ctx);

struct DescribeOptions {
  std::string key;
};
int run_describe(const Globals& g, const DescribeOptions& o, const Context& ctx);
int run_versions(const Globals& g, const DescribeOptions& o, const Context& ctx);
int run_restore(const Globals& g, const DescribeOptions& o, bool dry_run, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

struct ExportOptions {
  std::string format = "dotenv";
  std::optional<std::string> pattern;
  bool upper = false;
};
int run_export(const Globals& g, const ExportOptions& o, const Context& ctx);

struct ExecOptions {
  std::vector<std::string> only;
  bool upper = false;
  std::vector<std::string> command;
};
int run_exec(const Globals& g, const ExecOptions& o, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

struct ImportOptions {
  std::string file;
  bool encoded = false;
  std::string dialect = "compose";
  bool no_overwrite = false;
  bool dry_run = false;
};
int run_import(const Globals& g, const ImportOptions& o, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

struct CopyOptions {
  std::string to;                       // the destination's configuration file
  std::vector<std::string> to_sets;     // --to-set k=v: overrides of the destination only
  std::optional<std::string> pattern;   // shell glob on the key
  bool overwrite = false;
  bool skip_existing = false;
  bool fields = false;                  // JSON objects become named fields in a field store
  bool dry_run = false;
};
int run_copy(const Globals& g, const CopyOptions& o, const Context& ctx);
int run_diff(const Globals& g, const CopyOptions& o, const Context& ctx);

struct AdoptOptions {
  std::vector<std::string> names;       // provider names; with --all, at most one glob
  std::optional<std::string> key;       // --key: the Kestra key of the one name given
  bool all = false;
  bool dry_run = false;
};
int run_adopt(const Globals& g, const AdoptOptions& o, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

struct CheckFlowsOptions {
  std::vector<std::string> paths;        // flow files and directories of flow files
  bool strict = false;                   // a dynamic reference is an error (exit 4)
  std::string format = "text";           // text | github (workflow commands)
};
int run_check_flows(const Globals& g, const CheckFlowsOptions& o, const Context& ctx);

}  // namespace ks::cmd

namespace ks::cmd {

// The completion script for "bash", "zsh" or "fish" (generated from completions/); empty otherwise.
std::string_view completion_script(std::string_view shell);
int run_completion(const std::string& shell);

}  // namespace ks::cmd
