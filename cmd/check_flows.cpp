// check-flows PATH… (GitHub issue #21): proves before deploy that every secret(…) of Kestra flow
// files resolves under this configuration. Flow files are scanned by src/flows; each literal
// reference is resolved as Kestra would for its flow (the flow's namespace or the call's
// `namespace=`, climbing to parents in the view), every distinct key+namespace once, all in ONE
// Backend::get_many call. Values stay in memory and are dropped; only statuses are printed.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <set>

#include "cmd/bulk.hpp"
#include "cmd/commands.hpp"
#include "src/core/fs.hpp"
#include "src/flows/flow_refs.hpp"
#include "src/output/diag.hpp"
#include "src/secret/secret.hpp"

namespace ks::cmd {
namespace {

namespace stdfs = std::filesystem;

// The statuses in the order the summary counts them.
constexpr const char* kStatuses[] = {"found",   "missing", "subkey-missing", "not-json",
                                     "dynamic", "error",   "invalid-yaml",   "not-a-flow"};

struct Row {
  std::string file;
  int line = 0;
  std::optional<std::string> flow;    // flow id
  std::optional<std::string> ns;      // the namespace the key is looked up in (null when dynamic)
  std::optional<std::string> key;     // as written; null when dynamic
  std::optional<std::string> subkey;
  std::string status;
  int exit = 0;
  std::string message;                // "flow ns/id: secret 'K': missing …"; never a value
  std::optional<size_t> lookup;       // index of its SecretRef in the one get_many call
  const flows::SecretCall* call = nullptr;  // null for a file problem
};

bool flow_file_name(const stdfs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// The flow files of the PATH arguments: files as given, directories walked recursively for *.yml
// and *.yaml (hidden files and directories skipped), sorted by bytes; each file once.
std::vector<std::string> collect_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  auto add = [&](const std::string& f) {
    std::error_code ec;
    auto canonical = stdfs::weakly_canonical(f, ec).string();
    if (seen.insert(ec ? f : canonical).second) files.push_back(f);
  };
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = stdfs::status(p, ec);
    if (ec || !stdfs::exists(st))
      throw Error(ErrorKind::usage, fmt::format("cannot read '{}': No such file or directory", p),
                  "check-flows takes flow files and directories of flow files");
    if (!stdfs::is_directory(st)) {
      add(p);
      continue;
    }
    std::vector<std::string> found;
    stdfs::recursive_directory_iterator it(p, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::error_code ec2;
      auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec2)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec2) && flow_file_name(it->path())) found.push_back(it->path().string());
    }
    if (ec) throw Error(ErrorKind::usage, fmt::format("cannot read directory '{}': {}", p, ec.message()));
    std::sort(found.begin(), found.end());
    for (const auto& f : found) add(f);
  }
  return files;
}

std::string subkey_part(const std::optional<std::string>& subkey) {
  return subkey ? fmt::format(" (subkey {})", *subkey) : std::string();
}

// The row of one reference; a literal one gets a lookup (deduplicated by key and namespace).
Row reference_row(const std::string& file, const flows::Flow& flow, const flows::FlowRef& ref, bool namespaced,
                  std::map<std::pair<std::string, std::optional<std::string>>, size_t>& index,
                  std::vector<SecretRef>& lookups) {
  const auto& call = ref.call;
  Row r{file, ref.line, flow.id, call.dynamic_ns ? std::nullopt : std::optional(call.ns.value_or(flow.ns)),
        call.key, call.subkey, "", 0, fmt::format("flow {}/{}: ", flow.ns, flow.id), std::nullopt, &call};
  if (call.dynamic_key || call.dynamic_ns) {
    r.status = "dynamic";
    r.message += fmt::format("{}: dynamic: the {} is not a string literal; not checked", call.text,
                             call.dynamic_key ? "key" : "namespace");
    return r;
  }
  if (call.key->empty()) {
    r.status = "missing";
    r.message += "secret '': missing: the key is empty";
    return r;
  }
  std::optional<std::string> ns = namespaced ? r.ns : std::nullopt;  // env: one lookup per key
  auto [it, added] = index.try_emplace({*call.key, ns}, lookups.size());
  if (added) lookups.push_back(SecretRef{*call.key, ns, std::nullopt, true});
  r.lookup = it->second;
  return r;
}

// Sets the status of a row that had a lookup from the lookup's result. The value is read only to
// check the subkey, and dropped.
void resolve(Row& r, const Result<Secret>& result, bool namespaced) {
  const auto& call = *r.call;
  const std::string what = fmt::format("secret '{}'{}: ", *r.key, subkey_part(r.subkey));
  if (const auto* e = std::get_if<Error>(&result)) {
    if (e->kind() == ErrorKind::not_found) {
      r.status = "missing";
      bool parents = r.ns->find('.') != std::string::npos;
      r.message += what + (namespaced ? fmt::format("missing in namespace {}{}", *r.ns, parents ? " or its parents" : "")
                                      : std::string("missing"));
    } else {
      r.status = "error";
      r.message += what + "error: " + e->what();
    }
    return;
  }
  const auto& secret = std::get<Secret>(result);
  if (call.dynamic_subkey) {
    r.status = "dynamic";
    r.message += fmt::format("{}: dynamic: the subkey is not a string literal; only the key was checked", call.text);
    return;
  }
  r.status = "found";
  std::string outcome = r.status;
  if (r.subkey) {
    try {
      (void)extract_subkey(secret, *r.key, *r.subkey);
    } catch (const Error& e) {  // Kestra's words: Cannot find secret sub-key … / Failed to read …
      r.status = e.kind() == ErrorKind::not_found ? "subkey-missing" : "not-json";
      outcome = r.status + ": " + e.what();
    }
  }
  r.message += what + outcome;
}

// The exit code of a row that is not a backend error.
int row_exit(const Row& r, bool strict) {
  if (r.status == "found") return 0;
  if (r.status == "dynamic") return strict ? exit_code(ErrorKind::not_found) : 0;
  if (r.status == "missing" || r.status == "subkey-missing") return exit_code(ErrorKind::not_found);
  return exit_code(ErrorKind::bad_data);  // not-json, invalid-yaml, not-a-flow
}

// GitHub workflow command escaping: data (the message), then property values (file=…).
std::string github_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string github_property(std::string_view s) {
  std::string out;
  for (char c : github_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string report_text(const std::vector<Row>& rows, const CheckFlowsOptions& o) {
  std::string text;
  for (const auto& r : rows) {
    if (r.status == "found") {
      out::note(fmt::format("{}:{}: {}", r.file, r.line, r.message));
      continue;
    }
    if (o.format == "github") {
      bool warning = r.status == "dynamic" && !o.strict;
      text += fmt::format("::{} file={},line={}::{}\n", warning ? "warning" : "error", github_property(r.file), r.line,
                          github_data(r.message));
    } else {
      text += fmt::format("{}:{}: {}\n", r.file, r.line, r.message);
    }
  }
  return text;
}

nlohmann::json report_json(const std::vector<Row>& rows) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows)
    arr.push_back({{"file", r.file}, {"line", r.line}, {"flow", opt(r.flow)}, {"namespace", opt(r.ns)},
                   {"key", opt(r.key)}, {"subkey", opt(r.subkey)}, {"status", r.status}});
  return arr;
}

std::string summary(const std::vector<Row>& rows, size_t flows, size_t files) {
  std::map<std::string, size_t> count;
  size_t refs = 0;
  for (const auto& r : rows) {
    ++count[r.status];
    if (r.status != "invalid-yaml" && r.status != "not-a-flow") ++refs;
  }
  std::string s = fmt::format("check-flows: {} reference{} in {} flow{} ({} file{}): {} found", refs,
                              refs == 1 ? "" : "s", flows, flows == 1 ? "" : "s", files, files == 1 ? "" : "s",
                              count["found"]);
  for (const char* status : kStatuses)
    if (std::string_view(status) != "found" && count[status] > 0) s += fmt::format(", {} {}", count[status], status);
  return s;
}

}  // namespace

int run_check_flows(const Globals& g, const CheckFlowsOptions& o, const Context& ctx) {
  if (o.format != "text" && o.format != "github")
    throw Error(ErrorKind::usage, fmt::format("unknown --format '{}'", o.format), "check-flows --format text|github");
  if (o.format == "github" && g.json())
    throw Error(ErrorKind::usage, "--format github and -o json exclude each other");
  if (g.ns)
    throw Error(ErrorKind::usage, "check-flows takes each flow's namespace from the flow; -n does not apply",
                "use namespace='…' in the secret() call to look elsewhere, as Kestra does");
  auto files = collect_files(o.paths);
  Session s = open_session(g, ctx);
  const bool namespaced = s.backend->namespaced();

  std::vector<Row> rows;
  std::vector<flows::FlowFile> scanned;
  scanned.reserve(files.size());  // rows point into it: no reallocation
  std::map<std::pair<std::string, std::optional<std::string>>, size_t> index;
  std::vector<SecretRef> lookups;
  size_t flow_count = 0;
  for (const auto& file : files) {
    const auto& scan = scanned.emplace_back(flows::scan_flow_file(fs::read_file(file, ErrorKind::usage)));
    const auto first = static_cast<long>(rows.size());
    for (const auto& p : scan.problems)
      rows.push_back(Row{file, p.line, std::nullopt, std::nullopt, std::nullopt, std::nullopt, p.status, 0,
                         p.message, std::nullopt, nullptr});
    for (const auto& flow : scan.flows) {
      ++flow_count;
      for (const auto& ref : flow.refs) rows.push_back(reference_row(file, flow, ref, namespaced, index, lookups));
    }
    // A file's rows by line (a file of several flows may have a problem between two of them).
    std::stable_sort(rows.begin() + first, rows.end(), [](const Row& a, const Row& b) { return a.line < b.line; });
  }

  std::vector<Result<Secret>> results;
  if (!lookups.empty()) results = s.backend->get_many(lookups);
  std::optional<Error> worst;
  for (auto& r : rows) {
    if (r.lookup) {
      const auto& result = results[*r.lookup];
      resolve(r, result, namespaced);
      if (const auto* e = std::get_if<Error>(&result); e && r.status == "error") {
        r.exit = exit_code(e->kind());
        Error named(e->kind(), fmt::format("{}: {}", lookups[*r.lookup].key, e->what()), e->hint());
        if (!worst || worse(named, *worst)) worst = named;
        continue;
      }
    }
    r.exit = row_exit(r, o.strict);
  }
  results.clear();  // the values, dropped

  int code = 0;
  for (const auto& r : rows) code = std::max(code, r.exit);
  if (g.json()) {
    write_json(report_json(rows));
  } else {
    write_stdout(report_text(rows, o));
    out::note(summary(rows, flow_count, files.size()), 0);
  }
  if (worst) out::error(*worst);
  return code;
}

}  // namespace ks::cmd
