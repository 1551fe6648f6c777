// Kestra's semantics over Google Secret Manager (spec/kestra.md §5, spec/providers.md §3): a key
// lives in the secret `<prefix>[<NS>/]<KEY>` (made legal), tagged key/namespace/prefix through labels
// or annotations; its value is the latest version. Wire details live in sm_client / credentials.
#include "backends/google/google_backend.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "backends/google/credentials.hpp"
#include "backends/google/naming.hpp"
#include "backends/google/sm_client.hpp"
#include "backends/kestra_tags.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"
#include "src/core/json_fields.hpp"

namespace ks::backends {
namespace {

using nlohmann::json;
using google::Call;
using google::GoogleError;
using google::secret_of;
using google::tags_of;

constexpr int kListPageSize = 1000;  // the API allows 25000; keep a page's body modest
constexpr std::string_view kName = "google-secret-manager";

std::string last_segment(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

class GoogleBackend final : public Backend {
public:
  GoogleBackend(config::GoogleSettings s, const BackendOptions& opts, const Context& ctx)
      : s_(std::move(s)), ctx_(ctx),
        options_(http_options(opts, ctx, s_.ca_file, "kestra.secret.google-secret-manager.ca-file", "")),
        http_(options_), tokens_(options_, ctx, s_.service_account),
        sm_(http_, tokens_, google::api_base(s_.endpoint_override, s_.location, ctx)) {}

  std::string name() const override { return std::string(kName); }

  std::vector<SecretInfo> list(const Query& q) override {
    std::vector<SecretInfo> out;
    for_each_secret([&](const json& e) {
      auto info = info_of(e);
      if (info && (!q.ns || info->ns == q.ns)) out.push_back(std::move(*info));
    });
    return out;
  }

  Secret get(const SecretRef& ref) override { return get_detailed(ref).first; }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    std::string id = id_for(ref);
    auto results = sm_.call_many({access_call(id, ref), {"GET", secret_path(id)}});
    if (auto* d = std::get_if<json>(&results[1]); d && matches(*d, ref)) {
      if (auto* e = std::get_if<GoogleError>(&results[0])) throw not_found_or(*e, ref);
      return {secret_of(std::get<json>(results[0]), ref.key), *info_of(*d)};
    } else if (auto* e = std::get_if<GoogleError>(&results[1]); e && e->kind() != ErrorKind::not_found) {
      throw *e;
    }
    json found = search(ref);
    try {
      return {secret_of(sm_.call(access_call(last_segment(json_string(found, "name")), ref)), ref.key), *info_of(found)};
    } catch (const GoogleError& e) {
      throw not_found_or(e, ref);
    }
  }

  // Direct ids for every ref at once (access + metadata, concurrently); a ref whose direct id
  // misses or names another key falls back to get(), which searches.
  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override {
    std::vector<Call> calls;
    for (const auto& ref : refs) {
      calls.push_back(access_call(id_for(ref), ref));
      calls.push_back({"GET", secret_path(id_for(ref))});
    }
    auto results = sm_.call_many(calls);
    std::vector<Result<Secret>> out;
    for (size_t i = 0; i < refs.size(); ++i) {
      try {
        auto* d = std::get_if<json>(&results[2 * i + 1]);
        if (!d || !matches(*d, refs[i])) {
          out.emplace_back(get(refs[i]));
          continue;
        }
        if (auto* e = std::get_if<GoogleError>(&results[2 * i])) throw not_found_or(*e, refs[i]);
        out.emplace_back(secret_of(std::get<json>(results[2 * i]), refs[i].key));
      } catch (const Error& e) {
        out.emplace_back(e);
      }
    }
    return out;
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    std::string bytes = value.printable();
    Tags extra = opts.tags;
    if (opts.description) extra["description"] = *opts.description;
    if (auto existing = find_existing(ref)) {
      std::string id = last_segment(json_string(*existing, "name"));
      auto v = add_version(id, bytes);
      if (!extra.empty()) patch_tags(*existing, extra);
      return PutResult{v, false};
    }
    std::string id = id_for(ref);
    if (id.size() > google::kMaxSecretIdLength)
      throw Error(ErrorKind::usage, fmt::format("the Google secret id for '{}' is {} characters; the limit is {}",
                                                ref.key, id.size(), google::kMaxSecretIdLength));
    auto meta = google::split_tags(kestra_tags(extra, ref, s_.view.prefix));
    json body = json::object();
    if (!s_.location) body["replication"] = {{"automatic", json::object()}};
    if (!meta.labels.empty()) body["labels"] = meta.labels;
    if (!meta.annotations.empty()) body["annotations"] = meta.annotations;
    try {
      sm_.call({"POST", parent() + "/secrets?secretId=" + google::url_encode(id), body, false});
    } catch (const GoogleError& e) {
      if (e.status() != "ALREADY_EXISTS") throw;
      throw Error(ErrorKind::conflict, fmt::format("the Google secret '{}' is taken by a secret of another key or namespace", id),
                  "the existing secret was left untouched; choose another key or namespace");
    }
    return PutResult{add_version(id, bytes), true};
  }

  Tags adopt(const std::string& name, const SecretRef& as, const Tags& tags, bool dry_run) override {
    json secret;
    try {
      secret = sm_.call({"GET", secret_path(name)});
    } catch (const GoogleError& e) {
      if (e.status() != "NOT_FOUND") throw;
      throw Error(ErrorKind::not_found, fmt::format("no Google secret is named '{}'", name));
    }
    SecretRef ref = as;
    if (ref.key.empty()) ref.key = key_of(name, {}).value_or(name);
    Tags add = tags_to_adopt(name, tags_of(secret), ref, s_.view.prefix, tags);
    if (!add.empty() && !dry_run) patch_tags(secret, add);
    return add;
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    if (opts.recovery_days)
      throw Error(ErrorKind::usage, fmt::format("--recovery-days is not supported by {}: deletion is permanent", kName));
    json found = find(ref);
    sm_.call({"DELETE", secret_path(last_segment(json_string(found, "name")))});
    return DeleteResult{true, std::nullopt};
  }

  SecretInfo describe(const SecretRef& ref) override { return *info_of(find(ref)); }

  std::vector<VersionInfo> versions(const SecretRef& ref) override {
    std::string path = secret_path(last_segment(json_string(find(ref), "name"))) + "/versions";
    std::vector<std::pair<long, VersionInfo>> all;
    page_through(path, [&](const json& v) { all.push_back(google::version_of(v)); }, "versions");
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<VersionInfo> out;
    for (auto& [_, v] : all) out.push_back(std::move(v));
    return out;
  }

  void restore(const SecretRef&) override {
    throw Error(ErrorKind::usage, fmt::format("restore is not supported by {}: deletion is permanent", kName));
  }

  Probe probe() override {
    Probe p;
    p.facts.emplace_back("credentials", tokens_.source());
    if (auto who = tokens_.principal()) p.facts.emplace_back("principal", *who);
    p.facts.emplace_back("project", project());
    p.facts.emplace_back("endpoint", sm_.base());
    sm_.call({"GET", parent() + "/secrets?pageSize=1"});
    return p;
  }

private:
  std::string project() {
    if (!project_) {
      if (s_.project && !s_.project->empty()) project_ = *s_.project;
      for (const char* var : {"GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"})
        if (!project_ && !ctx_.getenv_or(var, "").empty()) project_ = ctx_.getenv_or(var, "");
      if (!project_) project_ = tokens_.project_id();
      if (!project_)
        throw Error(ErrorKind::config, "no Google project configured",
                    "set kestra.secret.google-secret-manager.project or GOOGLE_CLOUD_PROJECT");
    }
    return *project_;
  }

  std::string parent() {
    std::string p = "/projects/" + google::url_encode(project());
    if (s_.location && !s_.location->empty()) p += "/locations/" + google::url_encode(*s_.location);
    return p;
  }

  std::string secret_path(const std::string& id) { return parent() + "/secrets/" + google::url_encode(id); }
  std::string id_for(const SecretRef& ref) const { return google::secret_id(s_.view.prefix, ref.ns, ref.key); }

  Call access_call(const std::string& id, const SecretRef& ref) {
    return {"GET", secret_path(id) + "/versions/" + google::url_encode(ref.version.value_or("latest")) + ":access"};
  }

  // A missing version of an existing secret reads as Kestra's not-found, the status kept as the why.
  static Error not_found_or(const GoogleError& e, const SecretRef& ref) {
    if (e.kind() != ErrorKind::not_found) return e;
    if (e.status() == "FAILED_PRECONDITION")
      return Error(ErrorKind::not_found, not_found_message(ref.key) + " Its version is disabled or destroyed.",
                   "enable the version, or put a new value");
    return Error(ErrorKind::not_found, not_found_message(ref.key) + " It has no version.", e.hint());
  }

  std::optional<std::string> add_version(const std::string& id, const std::string& bytes) {
    json body = {{"payload", {{"data", crypto::base64_encode(bytes)},
                              {"dataCrc32c", std::to_string(crypto::crc32c(bytes))}}}};
    // Not idempotent: a retry after a lost answer could add a second version.
    auto r = sm_.call({"POST", secret_path(id) + ":addVersion", body, false});
    if (auto n = json_opt_string(r, "name")) return last_segment(*n);
    return std::nullopt;
  }

  void patch_tags(const json& secret, const Tags& extra) {
    auto meta = google::split_tags(extra);
    json body = json::object();
    std::vector<std::string> mask;
    for (auto [field, add] : {std::pair{"labels", &meta.labels}, std::pair{"annotations", &meta.annotations}}) {
      if (add->empty()) continue;
      json merged = secret.contains(field) && secret[field].is_object() ? secret[field] : json::object();
      for (const auto& [k, v] : *add) merged[k] = v;
      body[field] = merged;
      mask.push_back(field);
    }
    std::string m = mask.size() == 2 ? "labels,annotations" : mask.at(0);
    sm_.call({"PATCH", secret_path(last_segment(json_string(secret, "name"))) + "?updateMask=" + google::url_encode(m), body});
  }

  std::optional<std::string> key_of(const std::string& id, const Tags& tags) const {
    return google::key_of(id, tags, s_.view.prefix);
  }

  std::optional<SecretInfo> info_of(const json& e) const { return google::info_of(e, s_.view.prefix); }

  bool matches(const json& e, const SecretRef& ref) const {
    auto info = info_of(e);
    return info && info->key == ref.key && info->ns == ref.ns;
  }

  template <class F>
  void page_through(const std::string& path, F&& visit, const char* field) {
    std::optional<std::string> token;
    do {
      std::string url = fmt::format("{}?pageSize={}", path, kListPageSize);
      if (token) url += "&pageToken=" + google::url_encode(*token);
      auto r = sm_.call({"GET", url});
      for (const auto& e : json_list(r, field)) visit(e);
      auto next = json_opt_string(r, "nextPageToken");
      token = next && !next->empty() && next != token ? next : std::nullopt;
    } while (token);
  }

  template <class F>
  void for_each_secret(F&& visit) { page_through(parent() + "/secrets", visit, "secrets"); }

  // The one secret whose tags claim ref (key, namespace); not_found or conflict otherwise.
  json search(const SecretRef& ref) {
    std::vector<json> hits;
    for_each_secret([&](const json& e) { if (matches(e, ref)) hits.push_back(e); });
    if (hits.empty()) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    if (hits.size() > 1)
      throw Error(ErrorKind::conflict, fmt::format("secrets '{}' and '{}' both claim the key '{}'",
                                                   last_segment(json_string(hits[0], "name")),
                                                   last_segment(json_string(hits[1], "name")), ref.key),
                  "give the namespace with -n, or fix their labels/annotations");
    return hits[0];
  }

  // Direct id first, then the search.
  json find(const SecretRef& ref) {
    try {
      auto d = sm_.call({"GET", secret_path(id_for(ref))});
      if (matches(d, ref)) return d;
    } catch (const GoogleError& e) {
      if (e.kind() != ErrorKind::not_found) throw;
    }
    return search(ref);
  }

  std::optional<json> find_existing(const SecretRef& ref) {
    try {
      return find(ref);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::not_found) return std::nullopt;
      throw;
    }
  }

  config::GoogleSettings s_;
  const Context& ctx_;
  http::Options options_;
  http::Client http_;
  google::TokenSource tokens_;
  google::SmClient sm_;
  std::optional<std::string> project_;
};

}  // namespace

std::unique_ptr<Backend> make_google_backend(const config::GoogleSettings& settings, const BackendOptions& opts,
                                             const Context& ctx) {
  return std::make_unique<GoogleBackend>(settings, opts, ctx);
}

}  // namespace ks::backends

namespace ks::google {

using backends::last_segment;
using nlohmann::json;

// Labels and annotations merged: the tags Kestra and the view reason about.
Tags tags_of(const json& secret) {
  Tags t;
  for (const char* f : {"labels", "annotations"})
    if (secret.contains(f) && secret[f].is_object())
      for (const auto& [k, v] : secret[f].items())
        if (v.is_string()) t[k] = v.get<std::string>();
  return t;
}

// The value of an :access answer, its CRC32C checked when the server sent one.
Secret secret_of(const json& r, const std::string& key) {
  if (!r.contains("payload") || !r["payload"].is_object())
    throw Error(ErrorKind::bad_data, fmt::format("Google returned no payload for '{}'", key));
  const auto& p = r["payload"];
  // An empty payload has no `data` (proto3 leaves empty bytes out); anything but a string is bad data.
  const auto& data = json_field(p, "data");
  auto raw = data.is_null() ? std::optional<std::string>("")
                            : data.is_string() ? crypto::base64_decode(data.get<std::string>()) : std::nullopt;
  if (!raw) throw Error(ErrorKind::bad_data, fmt::format("Google returned a payload for '{}' that is not Base64", key));
  if (p.contains("dataCrc32c") && !p["dataCrc32c"].is_null()) {
    std::string expected = p["dataCrc32c"].is_string() ? p["dataCrc32c"].get<std::string>() : p["dataCrc32c"].dump();
    if (expected != std::to_string(crypto::crc32c(*raw)))
      throw Error(ErrorKind::bad_data, fmt::format("the value of '{}' failed its CRC32C check", key),
                  "the payload was corrupted in transit or at rest; retry, then contact Google support");
  }
  Secret s;
  s.bytes = std::move(*raw);
  if (auto n = json_opt_string(r, "name")) s.version = last_segment(*n);
  return s;
}

std::optional<std::string> key_of(const std::string& id, const Tags& tags, const std::string& prefix) {
  return backends::kestra_key(id, tags, prefix, prefix);
}

std::optional<SecretInfo> info_of(const json& e, const std::string& prefix) {
  if (!e.is_object()) return std::nullopt;  // not a secret resource: nothing to list
  auto info = backends::tagged_info(last_segment(json_string(e, "name")), tags_of(e), prefix, prefix);
  if (!info) return std::nullopt;
  info->description = opt_tag(info->tags, "description");
  info->created = json_opt_string(e, "createTime");
  info->updated = info->created;
  return info;
}

std::pair<long, VersionInfo> version_of(const json& v) {
  std::string state = json_string(v, "state");
  std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string number = last_segment(json_string(v, "name"));
  return {std::atol(number.c_str()), VersionInfo{number, json_opt_string(v, "createTime"), state}};
}

}  // namespace ks::google
