#include "backends/env/env_backend.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "src/core/file_lock.hpp"
#include "src/core/fs.hpp"
#include "src/crypto/base64.hpp"
#include "src/dotenv/dotenv.hpp"
#include "src/output/diag.hpp"
#include "src/secret/kestra_env.hpp"

namespace ks::backends {
namespace {

struct Stored {
  std::string var;     // the variable's name as written (SECRET_db)
  std::string bytes;   // decoded value
  bool from_file = false;
};

class EnvBackend final : public Backend {
public:
  EnvBackend(config::EnvSettings settings, const Context& ctx) : settings_(std::move(settings)), ctx_(ctx) {}

  std::string name() const override { return "env"; }
  bool namespaced() const override { return false; }
  void check_writable() const override {
    if (!settings_.file) refuse_write();
  }

  std::vector<SecretInfo> list(const Query&) override {
    std::vector<SecretInfo> out;
    for (const auto& [key, s] : secrets()) out.push_back(info(key, s));
    if (file_missing_) out::warn(fmt::format("the env file '{}' does not exist (yet)", *settings_.file));
    return out;
  }

  Secret get(const SecretRef& ref) override {
    if (ref.version) unsupported("--version");
    const auto& all = secrets();
    auto it = all.find(kestra_env::upper(ref.key));
    if (it == all.end()) throw Error(ErrorKind::not_found, not_found_message(ref.key), hint_missing());
    return Secret::text(it->second.bytes);
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    if (!settings_.file) refuse_write();
    if (!opts.tags.empty() || opts.description) unsupported("tags and descriptions");
    std::string key = kestra_env::upper(ref.key);
    bool created = false;
    rewrite([&](std::vector<std::string>& lines, const std::vector<dotenv::Entry>& entries) {
      auto mine = entries_of(entries, key);
      std::string var = mine.empty() ? std::string(kestra_env::kDefaultPrefix) + key : mine.front()->key;
      std::string line = var + "=" + crypto::base64_encode(value.printable());
      created = mine.empty();
      if (created) {
        lines.push_back(line);
        return;
      }
      for (auto it = mine.rbegin(); it != mine.rend(); ++it) erase_entry(lines, **it, it + 1 == mine.rend() ? &line : nullptr);
    });
    return PutResult{std::nullopt, created};
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    if (opts.recovery_days) unsupported("--recovery-days");
    if (!settings_.file) refuse_write();
    std::string key = kestra_env::upper(ref.key);
    bool found = false;
    rewrite([&](std::vector<std::string>& lines, const std::vector<dotenv::Entry>& entries) {
      auto mine = entries_of(entries, key);
      found = !mine.empty();
      for (auto it = mine.rbegin(); it != mine.rend(); ++it) erase_entry(lines, **it, nullptr);
    });
    if (!found) {
      auto inherited = std::find_if(ctx_.env.begin(), ctx_.env.end(),
                                    [&](const auto& kv) { return kestra_env::key_of(kv.first) == key; });
      if (inherited != ctx_.env.end())
        throw Error(ErrorKind::read_only,
                    fmt::format("secret {} comes from the environment variable {}, which this tool cannot remove",
                                key, inherited->first),
                    "unset the variable where it is defined");
      throw Error(ErrorKind::not_found, not_found_message(ref.key), hint_missing());
    }
    return DeleteResult{true, std::nullopt};
  }

  SecretInfo describe(const SecretRef& ref) override {
    const auto& all = secrets();
    auto it = all.find(kestra_env::upper(ref.key));
    if (it == all.end()) throw Error(ErrorKind::not_found, not_found_message(ref.key), hint_missing());
    return info(it->first, it->second);
  }

  Probe probe() override {
    Probe p;
    p.facts.emplace_back("source", settings_.file ? "environment + file " + *settings_.file : "environment");
    p.facts.emplace_back("secrets", std::to_string(secrets().size()));
    return p;
  }

private:
  static SecretInfo info(const std::string& key, const Stored& s) {
    SecretInfo i;
    i.key = key;
    i.name = s.var;
    return i;
  }

  std::string hint_missing() const {
    if (file_missing_) return fmt::format("the env file '{}' does not exist (yet)", *settings_.file);
    return settings_.file ? fmt::format("no SECRET_ variable or line in '{}' defines it", *settings_.file)
                          : "no SECRET_ environment variable defines it";
  }

  static std::vector<const dotenv::Entry*> entries_of(const std::vector<dotenv::Entry>& entries,
                                                     const std::string& key) {
    std::vector<const dotenv::Entry*> out;
    for (const auto& e : entries)
      if (kestra_env::key_of(e.key) == key) out.push_back(&e);
    return out;
  }

  // Replaces an entry's lines by `replacement` (or removes them when it is null).
  static void erase_entry(std::vector<std::string>& lines, const dotenv::Entry& e, const std::string* replacement) {
    size_t first = static_cast<size_t>(e.line - 1);
    size_t last = static_cast<size_t>((e.end_line > 0 ? e.end_line : e.line) - 1);
    if (first >= lines.size()) return;
    last = std::min(last, lines.size() - 1);
    lines.erase(lines.begin() + static_cast<long>(first), lines.begin() + static_cast<long>(last) + 1);
    if (replacement) lines.insert(lines.begin() + static_cast<long>(first), *replacement);
  }

  // Read-modify-write of the env file under its sidecar lock: other lines and comments are kept,
  // the result is written atomically with mode 0600 (created if absent).
  template <class Edit>
  void rewrite(Edit&& edit) {
    const std::string& path = *settings_.file;
    fs::FileLock lock(path);
    std::string text = fs::exists(path) ? fs::read_file(path, ErrorKind::config) : std::string();
    dotenv::ParseOptions opts;
    opts.keep_occurrences = true;  // a key defined twice: every line that defines it is edited
    auto parsed = dotenv::parse(text, opts);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    edit(lines, parsed.occurrences);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    fs::write_file_atomic(path, out, 0600);
    loaded_.reset();
  }

  [[noreturn]] void refuse_write() const {
    throw Error(ErrorKind::read_only, "the env backend is read-only without a file",
                "name a file with --env-file FILE or kestra.secret.env.file");
  }

  // Decoded secrets by key, loaded once: the environment first, then the file over it.
  const std::map<std::string, Stored>& secrets() {
    if (loaded_) return *loaded_;
    std::map<std::string, Stored> all;
    for (const auto& [var, value] : ctx_.env) add(all, var, value, false, "environment variable " + var);
    if (settings_.file) load_file(all, *settings_.file);
    loaded_ = std::move(all);
    return *loaded_;
  }

  void load_file(std::map<std::string, Stored>& all, const std::string& path) {
    file_missing_ = !fs::exists(path);
    if (file_missing_) return;  // created by the first put; reads see an empty file
    std::string text = fs::read_file(path, ErrorKind::config);
    dotenv::ParseOptions opts;
    opts.dialect = dotenv::Dialect::compose;
    auto parsed = dotenv::parse(text, opts);
    for (const auto& w : parsed.warnings) out::warn(fmt::format("{}: {}", path, w));
    for (const auto& e : parsed.entries)
      add(all, e.key, e.value, true, fmt::format("{} line {} ({})", path, e.line, e.key));
  }

  static void add(std::map<std::string, Stored>& all, const std::string& var, const std::string& value,
                  bool from_file, const std::string& where) {
    auto key = kestra_env::key_of(var);
    if (!key) return;
    auto bytes = kestra_env::decode_value(value);
    if (!bytes) {
      out::warn(fmt::format("{} is not valid Base64; secret {} skipped", where, *key));
      return;
    }
    auto it = all.find(*key);
    if (it != all.end() && it->second.from_file == from_file && it->second.var != var) {
      out::warn(fmt::format("{} and {} both define secret {} (Kestra refuses to start on this); using {}",
                            it->second.var, var, *key, var));
    }
    all[*key] = Stored{var, std::move(*bytes), from_file};
  }

  config::EnvSettings settings_;
  const Context& ctx_;
  std::optional<std::map<std::string, Stored>> loaded_;
  bool file_missing_ = false;
};

}  // namespace

std::unique_ptr<Backend> make_env_backend(const config::EnvSettings& settings, const Context& ctx) {
  return std::make_unique<EnvBackend>(settings, ctx);
}

}  // namespace ks::backends
