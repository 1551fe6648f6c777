// Kestra semantics over Key Vault secrets (spec/kestra.md §5): names `<prefix>[<NS>/]<KEY>` made
// legal (every character outside [0-9A-Za-z-] becomes '-'), tags key/namespace/prefix, the
// direct name first (one GET returns the value and the tags) then a search by the `key` tag.
// Read-only, filters and namespace climbing belong to the view, not here.
#include "backends/azure/azure_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "backends/azure/credentials.hpp"
#include "backends/azure/kv_client.hpp"
#include "backends/kestra_tags.hpp"
#include "src/core/time_format.hpp"
#include "src/core/json_fields.hpp"

namespace ks::backends {
namespace {

using nlohmann::json;
using azure::KvError;
using azure::attr_date;
using azure::secret_of;
using azure::split_id;
using azure::tags_of;

constexpr size_t kMaxNameLength = 127;
constexpr std::string_view kContentType = "text/plain; charset=utf-8";
constexpr std::chrono::milliseconds kPurgePoll{500};

bool not_found(const std::variant<json, KvError>& r) {
  auto* e = std::get_if<KvError>(&r);
  return e && e->kind() == ErrorKind::not_found && !e->is("SecretDisabled");
}

class AzureBackend final : public Backend {
public:
  AzureBackend(config::AzureSettings s, const BackendOptions& opts, const Context& ctx)
      : s_(std::move(s)), opts_(opts),
        http_(http_options(opts, ctx, s_.ca_file, "kestra.secret.azure-key-vault.ca-file", "")),
        cred_(s_, opts_, ctx, http_) {
    auto url = config::azure_vault_url(s_);
    if (!url)
      throw Error(ErrorKind::config, "no Azure Key Vault configured",
                  "set kestra.secret.azure-key-vault.vault-name or key-vault-uri");
    auto wait = opts.timeout_seconds ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           std::chrono::duration<double>(*opts.timeout_seconds))
                                     : std::chrono::duration_cast<std::chrono::steady_clock::duration>(azure::kDefaultBusyWait);
    kv_ = std::make_unique<azure::KvClient>(http_, *url, cred_, std::chrono::steady_clock::now() + wait);
  }

  std::string name() const override { return "azure-key-vault"; }
  bool text_only() const override { return true; }

  std::vector<SecretInfo> list(const Query& q) override {
    std::vector<SecretInfo> out;
    kv_->for_each("/secrets", [&](const json& e) {
      auto info = info_of(e);
      if (info && (!q.ns || info->ns == q.ns)) out.push_back(std::move(*info));
    });
    return out;
  }

  Secret get(const SecretRef& ref) override { return get_detailed(ref).first; }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    json bundle = find(ref, true);
    return {secret_of(bundle), *info_of(bundle)};
  }

  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override {
    std::vector<std::string> paths;
    for (const auto& r : refs) paths.push_back(path_of(legal_name(r), r.version));
    auto results = kv_->get_many(paths);
    std::vector<Result<Secret>> out;
    for (size_t i = 0; i < refs.size(); ++i) {
      auto* bundle = std::get_if<json>(&results[i]);
      if (bundle && matches(*bundle, refs[i])) out.emplace_back(secret_of(*bundle));
      else if (!bundle && !not_found(results[i])) out.emplace_back(key_error(std::get<KvError>(results[i]), refs[i]));
      else out.emplace_back(try_get(refs[i]));  // renamed or tagged elsewhere: the slow path
    }
    return out;
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    Tags tags = opts.tags;
    std::string name;
    bool created = false;
    if (auto existing = find_existing(ref)) {
      Tags old = tags_of(*existing);
      for (auto& [k, v] : old) tags.emplace(k, v);  // PUT replaces a version's tags: carry them over
      name = split_id(*existing).first;
    } else {
      name = legal_name(ref);
      if (name.size() > kMaxNameLength)
        throw Error(ErrorKind::usage, fmt::format("the Azure name for '{}' is {} characters; the limit is {}", ref.key,
                                                  name.size(), kMaxNameLength));
      created = true;
    }
    tags = kestra_tags(std::move(tags), ref, s_.view.prefix);
    json body = {{"value", value.printable()}, {"contentType", kContentType}, {"tags", tags}};
    auto r = call_for(ref, "PUT", "/secrets/" + name, body);
    return PutResult{split_id(r).second, created};
  }

  Tags adopt(const std::string& name, const SecretRef& as, const Tags& tags, bool dry_run) override {
    auto r = kv_->send("GET", path_of(name, std::nullopt));
    if (r.status == 404) throw Error(ErrorKind::not_found, fmt::format("no Azure secret is named '{}'", name));
    if (r.status != 200) throw azure::map_error(r, "get");
    json bundle = azure::parse_object(r, "get");
    SecretRef ref = as;
    if (ref.key.empty()) ref.key = key_of(name, {}).value_or(name);
    Tags current = tags_of(bundle);
    Tags add = tags_to_adopt(name, current, ref, s_.view.prefix, tags);
    if (add.empty() || dry_run) return add;
    for (const auto& [k, v] : add) current[k] = v;  // PATCH replaces the version's tags: send them all
    auto [bare, version] = split_id(bundle);
    kv_->call("PATCH", path_of(bare, version), json{{"tags", current}});
    return add;
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    if (opts.recovery_days)
      throw Error(ErrorKind::usage, "--recovery-days is not supported by azure-key-vault",
                  "the retention is a property of the vault (softDeleteRetentionInDays)");
    std::string name;
    try {
      name = split_id(find(ref, false)).first;
    } catch (const Error& e) {
      // --purge of a secret that is already soft-deleted: purge it directly.
      if (!opts.purge || e.kind() != ErrorKind::not_found) throw;
      name = deleted_name(ref);
      purge(ref, name);
      return DeleteResult{true, std::nullopt};
    }
    auto r = call_for(ref, "DELETE", "/secrets/" + name);
    bool recoverable = r.is_object() && r.contains("recoveryId");
    if (!opts.purge || !recoverable) {
      std::optional<std::string> until;
      if (r.is_object() && r.contains("scheduledPurgeDate") && r["scheduledPurgeDate"].is_number())
        until = rfc3339_from_epoch(r["scheduledPurgeDate"].get<double>());
      return DeleteResult{!recoverable, until};
    }
    wait_deleted(ref, name);
    purge(ref, name);
    return DeleteResult{true, std::nullopt};
  }

  SecretInfo describe(const SecretRef& ref) override {
    json e = find(ref, false);
    if (split_id(e).second.empty()) {
      // A list item names no version: the bundle does (its value is dropped here).
      auto r = kv_->send("GET", path_of(split_id(e).first, std::nullopt));
      if (r.status == 200) e = azure::parse_object(r, "get");
    }
    return *info_of(e);
  }

  std::vector<VersionInfo> versions(const SecretRef& ref) override {
    std::string name = split_id(find(ref, false)).first;
    std::vector<std::pair<double, VersionInfo>> all;
    kv_->for_each("/secrets/" + name + "/versions", [&](const json& e) { all.push_back(azure::version_of(e)); });
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<VersionInfo> out;
    for (auto& [_, v] : all) out.push_back(std::move(v));
    return out;
  }

  void restore(const SecretRef& ref) override {
    std::string name = deleted_name(ref);
    call_for(ref, "POST", "/deletedsecrets/" + name + "/recover");
  }

  Probe probe() override {
    kv_->call("GET", "/secrets", std::nullopt, "maxresults=1");
    Probe p;
    p.facts.emplace_back("credentials", cred_.source().empty() ? "none (the vault asked for no token)" : cred_.source());
    if (!cred_.tenant().empty()) p.facts.emplace_back("tenant", cred_.tenant());
    if (!cred_.client().empty()) p.facts.emplace_back("client", cred_.client());
    p.facts.emplace_back("vault", kv_->vault_url());
    return p;
  }

private:
  std::string legal_name(const SecretRef& ref) const {
    return azure::legal_name(s_.view.prefix + (ref.ns ? *ref.ns + "/" : "") + ref.key);
  }

  static std::string path_of(const std::string& name, const std::optional<std::string>& version) {
    return "/secrets/" + azure::url_encode(name) + (version ? "/" + azure::url_encode(*version) : "");
  }

  std::optional<std::string> key_of(const std::string& name, const Tags& tags) const {
    return azure::key_of(name, tags, s_.view.prefix);
  }

  std::optional<SecretInfo> info_of(const json& e) const { return azure::info_of(e, s_.view.prefix); }

  bool matches(const json& e, const SecretRef& ref) const {
    auto info = info_of(e);
    return info && info->key == ref.key && info->ns == ref.ns;
  }

  // A service error about this key: not-found gets Kestra's message.
  static Error key_error(const KvError& e, const SecretRef& ref) {
    if (e.kind() != ErrorKind::not_found) return e;
    if (e.is("SecretDisabled")) return Error(ErrorKind::not_found, not_found_message(ref.key) + " It is disabled.", e.hint());
    return Error(ErrorKind::not_found, not_found_message(ref.key));
  }

  json call_for(const SecretRef& ref, const std::string& method, const std::string& path,
                const std::optional<json>& body = {}) {
    try {
      return kv_->call(method, path, body);
    } catch (const KvError& e) {
      throw key_error(e, ref);
    }
  }

  json fetch(const std::string& name, const SecretRef& ref) { return call_for(ref, "GET", path_of(name, ref.version)); }

  // Direct name (with_value: the bundle, value included), else the one list entry tagged for this
  // key; the bundle of that entry when with_value. Throws not_found / conflict (two claim the key).
  json find(const SecretRef& ref, bool with_value) {
    auto r = kv_->send("GET", path_of(legal_name(ref), with_value ? ref.version : std::nullopt));
    if (r.status == 200) {
      auto bundle = azure::parse_object(r, "get");
      if (matches(bundle, ref)) return bundle;
    } else if (r.status != 404) {
      auto e = azure::map_error(r, "get");
      if (!e.is("SecretDisabled") || with_value) throw key_error(e, ref);
    }
    json item = find_by_tag(ref);
    return with_value ? fetch(split_id(item).first, ref) : item;
  }

  json find_by_tag(const SecretRef& ref) {
    std::vector<json> hits;
    kv_->for_each("/secrets", [&](const json& e) { if (matches(e, ref)) hits.push_back(e); });
    if (hits.empty()) throw missing(ref);
    if (hits.size() > 1)
      throw Error(ErrorKind::conflict, fmt::format("secrets '{}' and '{}' both claim the key '{}'", split_id(hits[0]).first,
                                                   split_id(hits[1]).first, ref.key),
                  "give the namespace with -n, or fix their tags");
    return hits[0];
  }

  // Kestra's not-found, with a restore hint when the direct name is soft-deleted (one more GET).
  Error missing(const SecretRef& ref) {
    auto r = kv_->send("GET", "/deletedsecrets/" + azure::url_encode(legal_name(ref)));
    auto doc = r.status == 200 ? nlohmann::json::parse(r.body, nullptr, false) : json();
    if (doc.is_object() && matches(doc, ref))
      return Error(ErrorKind::not_found, not_found_message(ref.key) + " It is deleted but recoverable.",
                   "'kestra-secrets restore' recovers it; 'delete --purge' removes it for good");
    return Error(ErrorKind::not_found, not_found_message(ref.key));
  }

  // For put: the existing secret of this key (an item or bundle with tags), nullopt when none.
  // Conflict when its legal name is held by a secret of another key or namespace.
  std::optional<json> find_existing(const SecretRef& ref) {
    std::string name = legal_name(ref);
    auto r = kv_->send("GET", path_of(name, std::nullopt));
    bool taken = false;
    if (r.status == 200) {
      auto bundle = azure::parse_object(r, "get");
      if (matches(bundle, ref)) return bundle;
      taken = true;
    } else if (r.status != 404) {
      auto e = azure::map_error(r, "get");
      if (!e.is("SecretDisabled")) throw key_error(e, ref);
      taken = true;  // disabled: its tags tell (the list has them)
    }
    std::vector<json> hits;
    kv_->for_each("/secrets", [&](const json& e) { if (matches(e, ref)) hits.push_back(e); });
    if (hits.size() > 1)
      throw Error(ErrorKind::conflict, fmt::format("two secrets claim the key '{}'", ref.key),
                  "give the namespace with -n, or fix their tags");
    if (hits.size() == 1) return hits[0];
    if (taken)
      throw Error(ErrorKind::conflict, fmt::format("the Azure name '{}' is taken by a secret of another key or namespace", name),
                  "the existing secret was left untouched; choose another key or namespace");
    return std::nullopt;
  }

  // The name of the soft-deleted secret of this key: the direct name, else a tag search over the
  // deleted secrets.
  std::string deleted_name(const SecretRef& ref) {
    std::string name = legal_name(ref);
    auto r = kv_->send("GET", "/deletedsecrets/" + azure::url_encode(name));
    if (r.status == 200 && matches(azure::parse_object(r, "get deleted"), ref)) return name;
    if (r.status != 200 && r.status != 404) throw key_error(azure::map_error(r, "get deleted"), ref);
    std::vector<json> hits;
    kv_->for_each("/deletedsecrets", [&](const json& e) { if (matches(e, ref)) hits.push_back(e); });
    if (hits.empty())
      throw Error(ErrorKind::not_found, not_found_message(ref.key) + " No deleted secret holds it either.");
    return split_id(hits[0]).first;
  }

  // Deletion is asynchronous: purge only once GET deletedsecrets/{name} answers 200.
  void wait_deleted(const SecretRef& ref, const std::string& name) {
    for (;;) {
      auto r = kv_->send("GET", "/deletedsecrets/" + azure::url_encode(name));
      if (r.status == 200) return;
      if (r.status != 404) throw key_error(azure::map_error(r, "get deleted"), ref);
      if (std::chrono::steady_clock::now() + kPurgePoll >= kv_->deadline())
        throw Error(ErrorKind::unavailable, fmt::format("the deletion of '{}' did not complete in time to purge it", ref.key),
                    "it is soft-deleted; run 'delete --purge' again later, or raise --timeout");
      std::this_thread::sleep_for(kPurgePoll);
    }
  }

  void purge(const SecretRef& ref, const std::string& name) {
    call_for(ref, "DELETE", "/deletedsecrets/" + azure::url_encode(name));
  }

  Result<Secret> try_get(const SecretRef& ref) {
    try {
      return get(ref);
    } catch (const Error& e) {
      return e;
    }
  }

  config::AzureSettings s_;
  BackendOptions opts_;
  http::Client http_;
  azure::Credential cred_;
  std::unique_ptr<azure::KvClient> kv_;
};

}  // namespace

std::unique_ptr<Backend> make_azure_backend(const config::AzureSettings& settings, const BackendOptions& opts,
                                            const Context& ctx) {
  return std::make_unique<AzureBackend>(settings, opts, ctx);
}

}  // namespace ks::backends

namespace ks::azure {

using nlohmann::json;

Tags tags_of(const json& e) {
  Tags t;
  if (e.contains("tags") && e["tags"].is_object())
    for (const auto& [k, v] : e["tags"].items())
      if (v.is_string()) t[k] = v.get<std::string>();
  return t;
}

std::optional<std::string> attr_date(const json& e, const char* field) {
  if (e.contains("attributes") && e["attributes"].is_object() && e["attributes"].contains(field) &&
      e["attributes"][field].is_number())
    return rfc3339_from_epoch(e["attributes"][field].get<double>());
  return std::nullopt;
}

// "https://v/secrets/NAME[/VERSION]" → (NAME, VERSION).
std::pair<std::string, std::string> split_id(const json& e) {
  std::string id = e.contains("id") && e["id"].is_string() ? e["id"].get<std::string>() : "";
  auto at = id.find("/secrets/");
  if (at == std::string::npos) at = id.find("/deletedsecrets/");
  if (at == std::string::npos) return {};
  std::string rest = id.substr(id.find('/', at + 1) + 1);
  auto slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

std::string legal_name(std::string raw) {
  for (auto& c : raw)
    if (!std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) c = '-';
  return raw;
}

std::optional<std::string> key_of(const std::string& name, const Tags& tags, const std::string& prefix) {
  return backends::kestra_key(name, tags, prefix, legal_name(prefix), /*ignore_case=*/true);
}

std::optional<SecretInfo> info_of(const json& e, const std::string& prefix) {
  if (!e.is_object()) return std::nullopt;  // not a secret item: nothing to list
  auto [name, version] = split_id(e);
  auto info = backends::tagged_info(name, tags_of(e), prefix, legal_name(prefix), /*ignore_case=*/true);
  if (!info) return std::nullopt;
  info->created = attr_date(e, "created");
  info->updated = attr_date(e, "updated");
  if (!version.empty()) info->version = version;
  if (e.contains("deletedDate") && e["deletedDate"].is_number())
    info->deleted = rfc3339_from_epoch(e["deletedDate"].get<double>());
  return info;
}

Secret secret_of(const json& bundle) {
  if (!bundle.contains("value") || !bundle["value"].is_string())
    throw Error(ErrorKind::bad_data, "Azure Key Vault returned a secret bundle without a string value");
  Secret s = Secret::text(bundle["value"].get<std::string>());
  if (auto v = split_id(bundle).second; !v.empty()) s.version = v;
  return s;
}

std::pair<double, VersionInfo> version_of(const json& e) {
  bool enabled = json_bool(json_field(e, "attributes"), "enabled", true);
  double created = json_number(json_field(e, "attributes"), "created", 0.0);
  return {created, VersionInfo{split_id(e).second, attr_date(e, "created"), enabled ? "enabled" : "disabled"}};
}

}  // namespace ks::azure
