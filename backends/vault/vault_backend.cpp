// The vault backend: Kestra's semantics over KV v1/v2 (spec/kestra.md §5, spec/providers.md §4).
// Nothing is sent before the first operation: then one login and one mount preflight per run.
// Fields of a KV entry are the secret's subkeys; a plain value is the field `value`.
#include "backends/vault/vault_backend.hpp"

#include <fmt/format.h>

#include "backends/vault/vault_client.hpp"
#include "backends/vault/vault_kv.hpp"
#include "backends/vault/vault_paths.hpp"
#include "backends/vault/vault_session.hpp"
#include "src/output/diag.hpp"
#include "src/core/json_fields.hpp"

namespace ks::backends {
namespace {

using nlohmann::json;
using vault::Call;
using vault::data_of;

class VaultBackend final : public Backend {
public:
  VaultBackend(config::VaultSettings s, const BackendOptions& opts, const Context& ctx)
      : s_(std::move(s)), ctx_(ctx), http_(options(s_, opts, ctx)),
        client_(http_, config::resolve_vault_address(s_, ctx), config::resolve_vault_namespace(s_, ctx)) {
    if (s_.engine_version != 1 && s_.engine_version != 2)
      throw Error(ErrorKind::config, fmt::format("engine-version {} does not exist: KV is version 1 or 2", s_.engine_version));
    if (s_.engine_version == 1 && has_tags_configured())
      throw Error(ErrorKind::config, "KV version 1 keeps no metadata: tags need engine-version 2",
                  "remove tags, filter-on-tags and excluded-tags from kestra.secret.vault");
    naming_ = {vault::join({s_.secret_path_prefix}), s_.view.prefix, opts.tenant};
    root_ = vault::join({s_.root_engine});
  }

  std::string name() const override { return "vault"; }
  bool text_only() const override { return true; }
  bool has_fields() const override { return true; }

  std::vector<SecretInfo> list(const Query& q) override {
    ready();
    std::vector<SecretInfo> out;
    if (q.ns) {
      auto [keys, _] = list_folder(vault::folder_of(naming_, q.ns));
      for (const auto& k : keys) add_listed(out, vault::folder_of(naming_, q.ns), k, q.ns);
    } else {
      walk(out);
    }
    if (mount_.version == 2 && has_tag_filters()) fill_metadata(out);
    return out;
  }

  Secret get(const SecretRef& ref) override { return get_detailed(ref).first; }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    ready();
    std::string rel = vault::secret_path(naming_, ref.ns, ref.key);
    return read_entry(client_.send(read_call(ref, rel)), ref, rel);
  }

  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override {
    ready();
    std::vector<Result<Secret>> out(refs.size(), Error(ErrorKind::internal, "not fetched"));
    std::vector<Call> calls;
    std::vector<size_t> sent;
    for (size_t i = 0; i < refs.size(); ++i) {
      try {
        calls.push_back(read_call(refs[i], vault::secret_path(naming_, refs[i].ns, refs[i].key)));
        sent.push_back(i);
      } catch (const Error& e) {
        out[i] = e;
      }
    }
    auto results = client_.send_many(calls);
    for (size_t j = 0; j < results.size(); ++j) {
      const SecretRef& ref = refs[sent[j]];
      try {
        if (auto* e = std::get_if<Error>(&results[j])) throw *e;
        out[sent[j]] = read_entry(std::get<http::Response>(results[j]), ref,
                                  vault::secret_path(naming_, ref.ns, ref.key)).first;
      } catch (const Error& e) {
        out[sent[j]] = e;
      }
    }
    return out;
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    if (opts.description)
      throw Error(ErrorKind::usage, "--description is not supported by vault (KV keeps no description)");
    if (value.fields && !value.fields->is_object())
      throw Error(ErrorKind::usage, "Vault KV fields must be a JSON object");
    ready();
    if (mount_.version == 1 && !opts.tags.empty())
      throw Error(ErrorKind::usage, "KV version 1 keeps no metadata: tags need engine-version 2");
    std::string rel = vault::secret_path(naming_, ref.ns, ref.key);
    if (mount_.version == 1) {
      expect(client_.send(Call{"POST", kv("", rel), "", vault::fields_of(value), true}), {204, 200}, "write", ref.key);
      return PutResult{std::nullopt, false};
    }
    json body = {{"data", vault::fields_of(value)}};
    if (opts.expected_version) body["options"] = {{"cas", version_number(*opts.expected_version)}};
    auto r = client_.send(Call{"POST", kv("data", rel), "", body, false});
    expect(r, {200, 204}, "write", ref.key);
    std::optional<std::string> version;
    if (r.status == 200) {
      const json d = data_of(vault::parse_body(r, "write"));
      if (d.contains("version") && d["version"].is_number_integer()) version = std::to_string(d["version"].get<long long>());
    }
    if (!opts.tags.empty()) write_tags(rel, opts.tags, ref.key);
    return PutResult{version, version == "1"};
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    if (opts.recovery_days) throw Error(ErrorKind::usage, "--recovery-days is not supported by vault");
    ready();
    std::string rel = vault::secret_path(naming_, ref.ns, ref.key);
    if (mount_.version == 1) {
      read_entry(client_.send(read_call(ref, rel)), ref, rel);
      expect(client_.send(Call{"DELETE", kv("", rel), ""}), {204, 200}, "delete", ref.key);
      return DeleteResult{true, std::nullopt};
    }
    json md = metadata(rel, ref.key);
    if (opts.purge) {
      expect(client_.send(Call{"DELETE", kv("metadata", rel), ""}), {204, 200}, "purge", ref.key);
      return DeleteResult{true, std::nullopt};
    }
    if (vault::info_from_metadata(md).deleted)
      throw Error(ErrorKind::not_found, not_found_message(ref.key) + " Its latest version is already deleted.",
                  "'kestra-secrets restore' undeletes it; delete --purge removes every version");
    expect(client_.send(Call{"DELETE", kv("data", rel), ""}), {204, 200}, "delete", ref.key);
    return DeleteResult{false, std::nullopt};
  }

  SecretInfo describe(const SecretRef& ref) override {
    ready();
    std::string rel = vault::secret_path(naming_, ref.ns, ref.key);
    if (mount_.version == 1) return read_entry(client_.send(read_call(ref, rel)), ref, rel).second;
    SecretInfo i = vault::info_from_metadata(metadata(rel, ref.key));
    label(i, ref.key, ref.ns, rel);
    return i;
  }

  std::vector<VersionInfo> versions(const SecretRef& ref) override {
    ready();
    if (mount_.version == 1) unsupported("versions (KV version 1 keeps one version)");
    return vault::versions_from_metadata(metadata(vault::secret_path(naming_, ref.ns, ref.key), ref.key));
  }

  void restore(const SecretRef& ref) override {
    ready();
    if (mount_.version == 1) unsupported("restore (KV version 1 deletes for good)");
    std::string rel = vault::secret_path(naming_, ref.ns, ref.key);
    json md = metadata(rel, ref.key);
    SecretInfo i = vault::info_from_metadata(md);
    if (!i.version) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    auto state = vault::version_state(json_field(json_field(md, "versions"), i.version->c_str()));
    if (state == "destroyed")
      throw Error(ErrorKind::not_found, not_found_message(ref.key) + " Its latest version is destroyed.",
                  "a destroyed version cannot be restored; read an older one with --version");
    if (state == "enabled") {
      out::note(fmt::format("secret {} is not deleted; nothing to restore", ref.key));
      return;
    }
    auto r = client_.send(Call{"POST", kv("undelete", rel), "", json{{"versions", {version_number(*i.version)}}}, true});
    if (r.status == 403)
      throw Error(ErrorKind::denied, fmt::format("Vault undelete of '{}' failed: HTTP 403: {}", ref.key, vault::error_text(r)),
                  fmt::format("restore needs the 'update' capability on {}/undelete/*", mount_.path));
    expect(r, {204, 200}, "undelete", ref.key);
  }

  Probe probe() override {
    ready();
    auto r = client_.send(Call{"GET", "auth/token/lookup-self", ""});
    if (r.status != 200) throw vault::map_error(r, "token lookup");
    const json d = data_of(vault::parse_body(r, "token lookup"));
    Probe p;
    p.facts.emplace_back("address", client_.address());
    p.facts.emplace_back("auth method", auth_source_);
    p.facts.emplace_back("display name", json_string(d, "display_name"));
    p.facts.emplace_back("policies", json_list(d, "policies").dump());
    p.facts.emplace_back("ttl", d.contains("ttl") ? d["ttl"].dump() : "null");
    std::string ns = d.value("namespace_path", client_.ns().value_or(""));
    p.facts.emplace_back("namespace", ns.empty() ? "(root)" : ns);
    p.facts.emplace_back(fmt::format("mount {}/", mount_.path), fmt::format("kv v{}", mount_.version));
    return p;
  }

private:
  static http::Options options(const config::VaultSettings& s, const BackendOptions& opts, const Context& ctx) {
    auto o = http_options(opts, ctx, s.ca_file, "kestra.secret.vault.ca-file", "VAULT_CACERT");
    if (s.connect_timeout) o.connect_timeout = *s.connect_timeout;
    if (s.read_timeout) o.request_timeout = *s.read_timeout;
    return o;
  }

  bool has_tag_filters() const { return !s_.view.filter_on_tags.empty() || !s_.view.excluded_tags.empty(); }
  bool has_tags_configured() const { return has_tag_filters() || !s_.view.tags.empty(); }

  // One login and one preflight per run, on the first operation (never from the constructor, so a
  // refused write sends nothing).
  void ready() {
    if (ready_) return;
    auto login = vault::authenticate(s_, ctx_, client_);
    client_.set_token(login.token);
    if (s_.auth != config::VaultAuth::token && s_.auth != config::VaultAuth::none)
      client_.set_renewal([this] { return vault::authenticate(s_, ctx_, client_).token; });
    auth_source_ = login.source;
    mount_ = vault::detect_mount(client_, root_, s_.engine_version);
    ready_ = true;
  }

  // The escaped path of `rel` under the mount: <mount>/<kind>/<sub>/<rel> (v1 has no kind).
  std::string kv(std::string_view kind, const std::string& rel) const {
    return vault::escape_path(vault::join({mount_.path, mount_.version == 2 ? kind : "", mount_.sub, rel}));
  }

  static long long version_number(const std::string& v) {
    try {
      size_t used = 0;
      long long n = std::stoll(v, &used);
      if (used == v.size() && n > 0) return n;
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::usage, fmt::format("'{}' is not a Vault KV version (a positive integer)", v));
  }

  Call read_call(const SecretRef& ref, const std::string& rel) const {
    if (!ref.version) return Call{"GET", kv("data", rel), ""};
    if (mount_.version == 1) throw Error(ErrorKind::usage, "--version is not supported by KV version 1 (it keeps one version)");
    return Call{"GET", kv("data", rel), fmt::format("version={}", version_number(*ref.version))};
  }

  void label(SecretInfo& i, const std::string& key, const std::optional<std::string>& ns, const std::string& rel) const {
    i.key = key;
    i.ns = ns;
    i.name = vault::join({mount_.path, mount_.sub, rel});
  }

  // The value (and what the read says about it) of a GET data/... answer.
  std::pair<Secret, SecretInfo> read_entry(const http::Response& r, const SecretRef& ref, const std::string& rel) {
    if (r.status != 200 && r.status != 404) throw status_error(r, "read", ref.key);
    auto out = vault::read_answer(r, mount_.version, ref);
    label(out.second, ref.key, ref.ns, rel);
    return out;
  }

  Error status_error(const http::Response& r, std::string_view what, const std::string& key) const {
    if (r.status == 404) return Error(ErrorKind::not_found, not_found_message(key));
    Error e = vault::map_error(r, fmt::format("{} of '{}'", what, key));
    if (e.kind() == ErrorKind::denied && !vault::token_gone(r))
      return Error(ErrorKind::denied, e.what(), fmt::format("the token's policies must grant this on the mount '{}/'", mount_.path));
    return e;
  }

  void expect(const http::Response& r, std::initializer_list<long> ok, std::string_view what, const std::string& key) const {
    for (long s : ok)
      if (r.status == s) return;
    throw status_error(r, what, key);
  }

  json metadata(const std::string& rel, const std::string& key) {
    auto r = client_.send(Call{"GET", kv("metadata", rel), ""});
    expect(r, {200}, "metadata read", key);
    return data_of(vault::parse_body(r, "metadata read"));
  }

  void write_tags(const std::string& rel, const Tags& tags, const std::string& key) {
    Tags merged = vault::tags_of(json_field(metadata(rel, key), "custom_metadata"));
    for (const auto& [k, v] : tags) merged[k] = v;
    expect(client_.send(Call{"POST", kv("metadata", rel), "", json{{"custom_metadata", merged}}, true}), {204, 200},
           "metadata write", key);
  }

  Call list_call(const std::string& folder) const {
    std::string path = vault::join({mount_.path, mount_.version == 2 ? "metadata" : "", mount_.sub, folder});
    return Call{"GET", vault::escape_path(path) + "/", "list=true"};
  }

  // Keys and sub-folders ("x/") of one folder; empty when it does not exist.
  std::pair<std::vector<std::string>, std::vector<std::string>> parse_list(const http::Response& r, const std::string& folder) {
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    if (r.status == 404) return out;
    if (r.status != 200) throw status_error(r, "list", folder.empty() ? "/" : folder);
    return vault::list_answer(vault::parse_body(r, "list"));
  }

  std::pair<std::vector<std::string>, std::vector<std::string>> list_folder(const std::string& folder) {
    return parse_list(client_.send(list_call(folder)), folder);
  }

  void add_listed(std::vector<SecretInfo>& out, const std::string& folder, const std::string& relative,
                  const std::optional<std::string>& ns) const {
    auto key = vault::key_of(naming_, relative);
    if (!key) return;
    SecretInfo i;
    label(i, *key, ns, vault::join({folder, relative}));
    out.push_back(std::move(i));
  }

  // Every key under <secret-path-prefix>/, one level at a time, each level's folders concurrently.
  void walk(std::vector<SecretInfo>& out) {
    const std::string base = vault::folder_of(naming_, std::nullopt);
    std::vector<std::string> level = {""};
    while (!level.empty()) {
      std::vector<Call> calls;
      for (const auto& rel : level) calls.push_back(list_call(vault::join({base, rel})));
      auto results = client_.send_many(calls);
      std::vector<std::string> next;
      for (size_t i = 0; i < results.size(); ++i) {
        if (auto* e = std::get_if<Error>(&results[i])) throw *e;
        auto [keys, folders] = parse_list(std::get<http::Response>(results[i]), vault::join({base, level[i]}));
        for (const auto& k : keys) add_listed(out, base, vault::join({level[i], k}), std::nullopt);
        for (const auto& f : folders) next.push_back(vault::join({level[i], f}));
      }
      level = std::move(next);
    }
  }

  // Tags (custom_metadata) and dates of listed keys, so the view can filter on tags.
  void fill_metadata(std::vector<SecretInfo>& infos) {
    std::vector<Call> calls;
    for (const auto& i : infos) {
      std::string rel = i.name.substr(vault::join({mount_.path, mount_.sub}).size() + 1);
      calls.push_back(Call{"GET", kv("metadata", rel), ""});
    }
    auto results = client_.send_many(calls);
    for (size_t j = 0; j < results.size(); ++j) {
      if (auto* e = std::get_if<Error>(&results[j])) throw *e;
      const auto& r = std::get<http::Response>(results[j]);
      if (r.status == 404) continue;
      if (r.status != 200) throw status_error(r, "metadata read", infos[j].key);
      SecretInfo md = vault::info_from_metadata(data_of(vault::parse_body(r, "metadata read")));
      infos[j].tags = md.tags;
      infos[j].updated = md.updated;
      infos[j].version = md.version;
    }
  }

  config::VaultSettings s_;
  const Context& ctx_;
  http::Client http_;
  vault::Client client_;
  vault::Naming naming_;
  std::string root_;
  vault::Mount mount_;
  std::string auth_source_;
  bool ready_ = false;
};

}  // namespace

std::unique_ptr<Backend> make_vault_backend(const config::VaultSettings& settings, const BackendOptions& opts,
                                            const Context& ctx) {
  return std::make_unique<VaultBackend>(settings, opts, ctx);
}

}  // namespace ks::backends
