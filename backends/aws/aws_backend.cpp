#include "backends/aws/aws_backend.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "backends/aws/credential_chain.hpp"
#include "backends/aws/credentials.hpp"
#include "backends/aws/sm_client.hpp"
#include "backends/kestra_tags.hpp"
#include "src/core/time_format.hpp"
#include "src/crypto/base64.hpp"
#include "src/crypto/hash.hpp"
#include "src/core/json_fields.hpp"

namespace ks::backends {
namespace {

using nlohmann::json;
using aws::AwsError;
using aws::collect_batch;
using aws::date_of;
using aws::next_token;
using aws::secret_of;
using aws::tags_of;

constexpr int kListPageSize = 100;      // ListSecrets maximum
constexpr size_t kBatchGetSize = 20;    // BatchGetSecretValue maximum per call
constexpr size_t kMaxNameLength = 512;  // CreateSecret Name limit
constexpr int kMinRecoveryDays = 7;
constexpr int kMaxRecoveryDays = 30;

json tags_json(const Tags& tags) {
  json arr = json::array();
  for (const auto& [k, v] : tags) arr.push_back({{"Key", k}, {"Value", v}});
  return arr;
}

// A ListSecrets filter value must match ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$ (≤ 512 characters).
// Checked by hand: std::regex costs more than the request, and g++ 12 warns inside it under ASan.
bool filterable(const std::string& v) {
  return v.size() <= 512 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view(" :_@/+=.-").find(c) != std::string_view::npos;
         });
}

class AwsBackend final : public Backend {
public:
  AwsBackend(config::AwsSettings s, const BackendOptions& opts, const Context& ctx)
      : s_(std::move(s)), ctx_(ctx),
        http_(http_options(opts, ctx, s_.ca_file, "kestra.secret.aws-secret-manager.ca-file", "AWS_CA_BUNDLE")) {
    auto region = aws::resolve_region(s_, ctx);
    if (!region)
      throw Error(ErrorKind::config, "no AWS region configured",
                  "set kestra.secret.aws-secret-manager.region, AWS_REGION or a profile's region");
    region_ = *region;
    endpoint_ = aws::secrets_manager_endpoint(s_.endpoint_override, region_, ctx);
    chain_ = std::make_unique<aws::CredentialChain>(s_, ctx, http_, region_);
    sm_ = std::make_unique<aws::SmClient>(http_, endpoint_, region_, [this] { return credentials().keys; }, ctx.now);
    sm_->on_expired([this] { return chain_->renew(); });
  }

  std::string name() const override { return "aws-secret-manager"; }

  std::vector<SecretInfo> list(const Query& q) override {
    std::vector<SecretInfo> out;
    for_each_secret(false, [&](const json& e) {
      auto info = info_of(e);
      if (!info || (q.ns && info->ns != q.ns)) return;
      index_[{info->key, info->ns}] = json_string(e, "ARN", info->name);
      out.push_back(std::move(*info));
    });
    return out;
  }

  Secret get(const SecretRef& ref) override { return get_detailed(ref).first; }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    auto results = sm_->call_many(direct_calls(ref));
    return detailed_of(ref, results[0], results[1]);
  }

  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override {
    std::vector<Result<Secret>> out(refs.size(), Error(ErrorKind::internal, "not fetched"));
    std::vector<size_t> batched, direct;
    for (size_t i = 0; i < refs.size(); ++i) {
      if (!refs[i].version && index_.count({refs[i].key, refs[i].ns})) batched.push_back(i);
      else direct.push_back(i);
    }
    // Keys the list did not index: every direct name's value and metadata at once (the client
    // bounds the connections), then the tag search for the few that miss.
    std::vector<aws::SmClient::Call> pairs;
    for (size_t i : direct)
      for (auto& call : direct_calls(refs[i])) pairs.push_back(std::move(call));
    auto answers = sm_->call_many(pairs);
    for (size_t k = 0; k < direct.size(); ++k) {
      try {
        out[direct[k]] = detailed_of(refs[direct[k]], answers[2 * k], answers[2 * k + 1]).first;
      } catch (const Error& e) {
        out[direct[k]] = e;
      }
    }
    std::vector<aws::SmClient::Call> calls;
    for (size_t start = 0; start < batched.size(); start += kBatchGetSize) {
      json ids = json::array();
      for (size_t j = start; j < std::min(batched.size(), start + kBatchGetSize); ++j)
        ids.push_back(index_.at({refs[batched[j]].key, refs[batched[j]].ns}));
      calls.push_back({"BatchGetSecretValue", {{"SecretIdList", ids}}});
    }
    std::map<std::string, Result<Secret>> by_id;
    auto results = sm_->call_many(calls);
    for (size_t c = 0; c < results.size(); ++c) {
      if (auto* e = std::get_if<AwsError>(&results[c])) {
        for (const auto& id : calls[c].second["SecretIdList"]) by_id.emplace(id.get<std::string>(), *e);
        continue;
      }
      collect_batch(std::get<json>(results[c]), by_id);
    }
    for (size_t i : batched) {
      auto it = by_id.find(index_.at({refs[i].key, refs[i].ns}));
      out[i] = it != by_id.end() ? it->second : Result<Secret>(Error(ErrorKind::not_found, not_found_message(refs[i].key)));
    }
    return out;
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    std::string bytes = value.printable();
    json payload = json::object();
    if (is_valid_utf8(bytes)) payload["SecretString"] = bytes;
    else payload["SecretBinary"] = crypto::base64_encode(bytes);
    payload["ClientRequestToken"] = crypto::uuid_v4();
    if (opts.likely_new) {
      if (auto created = try_create(ref, payload, opts)) return *created;
    }
    if (auto existing = find_existing(ref)) {
      payload["SecretId"] = (*existing)["ARN"];
      auto r = sm_->call("PutSecretValue", payload);
      if (!opts.tags.empty()) sm_->call("TagResource", {{"SecretId", (*existing)["ARN"]}, {"Tags", tags_json(opts.tags)}});
      if (opts.description)
        sm_->call("UpdateSecret", {{"SecretId", (*existing)["ARN"]}, {"Description", *opts.description}});
      return PutResult{json_string(r, "VersionId"), false};
    }
    if (auto created = try_create(ref, payload, opts)) return *created;
    throw Error(ErrorKind::conflict, fmt::format("the AWS name '{}' is taken by a secret of another key or namespace", name_for(ref)),
                "the existing secret was left untouched; choose another key or namespace");
  }

  Tags adopt(const std::string& name, const SecretRef& as, const Tags& tags, bool dry_run) override {
    json d;
    try {
      d = sm_->call("DescribeSecret", {{"SecretId", name}});
    } catch (const AwsError& e) {
      if (e.code() != "ResourceNotFoundException") throw;
      throw Error(ErrorKind::not_found, fmt::format("no AWS secret is named '{}'", name));
    }
    SecretRef ref = as;
    if (ref.key.empty()) ref.key = key_of(name, {}).value_or(name);
    Tags add = tags_to_adopt(name, tags_of(d), ref, s_.view.prefix, tags);
    if (!add.empty() && !dry_run) sm_->call("TagResource", {{"SecretId", d["ARN"]}, {"Tags", tags_json(add)}});
    return add;
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    json req = {{"SecretId", find(ref, false)["ARN"]}};
    if (opts.purge) {
      req["ForceDeleteWithoutRecovery"] = true;
    } else if (opts.recovery_days) {
      if (*opts.recovery_days < kMinRecoveryDays || *opts.recovery_days > kMaxRecoveryDays)
        throw Error(ErrorKind::usage, fmt::format("--recovery-days must be between {} and {} for AWS", kMinRecoveryDays,
                                                  kMaxRecoveryDays));
      req["RecoveryWindowInDays"] = *opts.recovery_days;
    }
    auto r = sm_->call("DeleteSecret", req);
    return DeleteResult{opts.purge, opts.purge ? std::nullopt : date_of(r, "DeletionDate")};
  }

  SecretInfo describe(const SecretRef& ref) override { return *info_of(find(ref, true)); }

  std::vector<VersionInfo> versions(const SecretRef& ref) override {
    json arn = find(ref, true)["ARN"];
    std::vector<std::pair<double, VersionInfo>> all;
    std::optional<std::string> token;
    do {
      json req = {{"SecretId", arn}, {"IncludeDeprecated", true}, {"MaxResults", kListPageSize}};
      if (token) req["NextToken"] = *token;
      auto r = sm_->call("ListSecretVersionIds", req);
      auto page = aws::versions_of(r);
      all.insert(all.end(), page.begin(), page.end());
      token = next_token(r, token, page.empty());
    } while (token);
    // Newest first; versions created in the same second keep the service's order, reversed.
    std::reverse(all.begin(), all.end());
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<VersionInfo> out;
    for (auto& [_, v] : all) out.push_back(std::move(v));
    return out;
  }

  void restore(const SecretRef& ref) override { sm_->call("RestoreSecret", {{"SecretId", find(ref, true)["ARN"]}}); }

  Probe probe() override {
    Probe p;
    auto creds = credentials();
    p.facts.emplace_back("credentials", creds.source);
    p.facts.emplace_back("principal", sm_->caller_arn(aws::sts_endpoint(region_, ctx_)));
    p.facts.emplace_back("region", region_);
    p.facts.emplace_back("endpoint", endpoint_);
    sm_->call("ListSecrets", {{"MaxResults", 1}});
    return p;
  }

private:
  // The chain of credential_chain.hpp: resolved on first use, refreshed near expiry.
  const aws::AwsCredentials& credentials() { return chain_->get(); }

  std::string name_for(const SecretRef& ref) const { return aws_secret_name(s_.view.prefix, ref.ns, ref.key); }

  std::optional<std::string> key_of(const std::string& name, const Tags& tags) const {
    return aws::key_of(name, tags, s_.view.prefix);
  }
  std::optional<SecretInfo> info_of(const json& e) const { return aws::info_of(e, s_.view.prefix); }

  bool matches(const json& e, const SecretRef& ref) const {
    auto info = info_of(e);
    return info && info->key == ref.key && info->ns == ref.ns;
  }

  void refuse_deleted(const json& e, const SecretRef& ref, bool allowed) const {
    if (!allowed && e.contains("DeletedDate") && !e["DeletedDate"].is_null())
      throw Error(ErrorKind::not_found, not_found_message(ref.key) + " It is scheduled for deletion.",
                  "'kestra-secrets restore' undoes the deletion");
  }

  template <class F>
  void for_each_secret(bool include_deleted, F&& visit, json filters = json()) {
    std::optional<std::string> token;
    do {
      json req = {{"MaxResults", kListPageSize}};
      if (include_deleted) req["IncludePlannedDeletion"] = true;
      if (!filters.is_null()) req["Filters"] = filters;
      if (token) req["NextToken"] = *token;
      auto r = sm_->call("ListSecrets", req);
      for (const auto& e : json_list(r, "SecretList")) visit(e);
      token = next_token(r, token, json_list(r, "SecretList").empty() && !token);
    } while (token);
  }

  // The one secret that carries key=ref.key (and the namespace/prefix rules); not_found when none,
  // conflict when two claim it. A DescribeSecret-shaped entry (ListSecrets entries have the fields).
  json find_by_tag(const SecretRef& ref, bool include_deleted) {
    json filters;
    if (filterable(ref.key))
      filters = json::array({{{"Key", "tag-key"}, {"Values", {"key"}}}, {{"Key", "tag-value"}, {"Values", {ref.key}}}});
    std::vector<json> hits;
    for_each_secret(include_deleted, [&](const json& e) { if (matches(e, ref)) hits.push_back(e); }, filters);
    if (hits.empty()) throw Error(ErrorKind::not_found, not_found_message(ref.key));
    if (hits.size() > 1)
      throw Error(ErrorKind::conflict, fmt::format("secrets '{}' and '{}' both claim the key '{}'", json_string(hits[0], "Name"),
                                                   json_string(hits[1], "Name"), ref.key),
                  "give the namespace with -n, or fix their tags");
    refuse_deleted(hits[0], ref, include_deleted);
    return hits[0];
  }

  // Direct name first, then the tag search.
  json find(const SecretRef& ref, bool include_deleted) {
    try {
      auto d = sm_->call("DescribeSecret", {{"SecretId", name_for(ref)}});
      if (matches(d, ref)) {
        refuse_deleted(d, ref, include_deleted);
        return d;
      }
    } catch (const AwsError& e) {
      if (e.code() != "ResourceNotFoundException") throw;
    }
    return find_by_tag(ref, include_deleted);
  }

  // For put: the existing secret of this key, nullopt when there is none. A deleted one is a
  // conflict (AWS refuses writes to it).
  std::optional<json> find_existing(const SecretRef& ref) {
    try {
      auto e = find(ref, true);
      if (e.contains("DeletedDate") && !e["DeletedDate"].is_null())
        throw Error(ErrorKind::conflict, fmt::format("secret '{}' is scheduled for deletion", ref.key),
                    "run 'kestra-secrets restore' first, or delete it with --purge");
      return e;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::not_found) return std::nullopt;
      throw;
    }
  }

  // CreateSecret of ref's name with Kestra's tags; nullopt when the name exists (not deleted).
  std::optional<PutResult> try_create(const SecretRef& ref, json payload, const PutOptions& opts) {
    std::string name = name_for(ref);
    if (name.size() > kMaxNameLength)
      throw Error(ErrorKind::usage, fmt::format("the AWS name for '{}' is {} characters; the limit is {}", ref.key,
                                                name.size(), kMaxNameLength));
    payload["Name"] = name;
    payload["Tags"] = tags_json(kestra_tags(opts.tags, ref, s_.view.prefix));
    if (opts.description) payload["Description"] = *opts.description;
    try {
      auto r = sm_->call("CreateSecret", payload);
      return PutResult{json_string(r, "VersionId"), true};
    } catch (const AwsError& e) {
      if (e.code() == "ResourceExistsException") return std::nullopt;
      if (e.code() == "InvalidRequestException")
        throw Error(ErrorKind::conflict, fmt::format("the AWS name '{}' belongs to a secret scheduled for deletion", name),
                    "run 'kestra-secrets restore' on it, or wait until AWS deletes it");
      throw;
    }
  }

  // get's first round: GetSecretValue and DescribeSecret of the direct name, sent together.
  std::vector<aws::SmClient::Call> direct_calls(const SecretRef& ref) const {
    std::string direct = name_for(ref);
    json value_req = {{"SecretId", direct}};
    if (ref.version) value_req["VersionId"] = *ref.version;
    return {{"GetSecretValue", std::move(value_req)}, {"DescribeSecret", {{"SecretId", direct}}}};
  }

  // The secret from the direct name's answers when its tags make it ref's; else the tag search.
  using Answer = std::variant<json, AwsError>;
  std::pair<Secret, SecretInfo> detailed_of(const SecretRef& ref, const Answer& value, const Answer& described) {
    if (auto* d = std::get_if<json>(&described); d && matches(*d, ref)) {
      refuse_deleted(*d, ref, false);
      if (auto* e = std::get_if<AwsError>(&value)) throw *e;
      return {secret_of(std::get<json>(value)), *info_of(*d)};
    } else if (auto* e = std::get_if<AwsError>(&described); e && e->code() != "ResourceNotFoundException") {
      throw *e;
    }
    json found = find_by_tag(ref, false);
    json req = {{"SecretId", found["ARN"]}};
    if (ref.version) req["VersionId"] = *ref.version;
    return {secret_of(sm_->call("GetSecretValue", req)), *info_of(found)};
  }

  config::AwsSettings s_;
  const Context& ctx_;
  http::Client http_;
  std::string region_, endpoint_;
  std::unique_ptr<aws::SmClient> sm_;
  std::unique_ptr<aws::CredentialChain> chain_;
  std::map<std::pair<std::string, std::optional<std::string>>, std::string> index_;  // (key, ns) → ARN
};

}  // namespace

std::string aws_secret_name(const std::string& prefix, const std::optional<std::string>& ns, const std::string& key) {
  std::string raw = prefix + (ns ? *ns + "/" : "") + key;
  for (auto& c : raw) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("/_+=.@-").find(c) != std::string_view::npos;
    if (!ok) c = '_';
  }
  return raw;
}

std::unique_ptr<Backend> make_aws_backend(const config::AwsSettings& settings, const BackendOptions& opts,
                                          const Context& ctx) {
  return std::make_unique<AwsBackend>(settings, opts, ctx);
}

}  // namespace ks::backends

namespace ks::aws {

using nlohmann::json;

Tags tags_of(const json& entry) {
  Tags t;
  if (entry.contains("Tags") && entry["Tags"].is_array())
    for (const auto& tag : entry["Tags"])
      if (auto key = json_opt_string(tag, "Key")) t[*key] = json_string(tag, "Value");
  return t;
}

std::optional<std::string> date_of(const json& entry, const char* field) {
  if (entry.contains(field) && entry[field].is_number()) return rfc3339_from_epoch(entry[field].get<double>());
  return std::nullopt;
}

Secret secret_of(const json& v) {
  Secret s;
  if (v.contains("SecretString") && v["SecretString"].is_string()) {
    s.bytes = v["SecretString"].get<std::string>();
  } else if (v.contains("SecretBinary") && v["SecretBinary"].is_string()) {
    auto raw = crypto::base64_decode(v["SecretBinary"].get<std::string>());
    if (!raw) throw Error(ErrorKind::bad_data, "AWS returned a SecretBinary that is not Base64");
    s.bytes = std::move(*raw);
  } else {
    throw Error(ErrorKind::bad_data, "AWS returned a secret value with neither SecretString nor SecretBinary");
  }
  if (v.contains("VersionId") && v["VersionId"].is_string()) s.version = v["VersionId"].get<std::string>();
  return s;
}

std::optional<std::string> next_token(const json& r, const std::optional<std::string>& sent, bool empty_page) {
  if (!r.contains("NextToken") || !r["NextToken"].is_string()) return std::nullopt;
  auto t = r["NextToken"].get<std::string>();
  if (t.empty() || t == sent || empty_page) return std::nullopt;
  return t;
}

std::optional<std::string> key_of(const std::string& name, const Tags& tags, const std::string& prefix) {
  return backends::kestra_key(name, tags, prefix, prefix);
}

std::optional<SecretInfo> info_of(const json& e, const std::string& prefix) {
  if (!e.is_object()) return std::nullopt;  // not a secret entry: nothing to list
  auto info = backends::tagged_info(json_string(e, "Name"), tags_of(e), prefix, prefix);
  if (!info) return std::nullopt;
  SecretInfo& i = *info;
  i.description = json_opt_string(e, "Description");
  i.created = date_of(e, "CreatedDate");
  i.updated = date_of(e, "LastChangedDate");
  i.deleted = date_of(e, "DeletedDate");
  if (e.contains("VersionIdsToStages") && e["VersionIdsToStages"].is_object())
    for (const auto& [id, stages] : e["VersionIdsToStages"].items())
      if (std::find(stages.begin(), stages.end(), "AWSCURRENT") != stages.end()) i.version = id;
  return info;
}

std::vector<std::pair<double, VersionInfo>> versions_of(const json& page) {
  std::vector<std::pair<double, VersionInfo>> out;
  for (const auto& v : json_list(page, "Versions")) {
    VersionInfo info{json_string(v, "VersionId"), date_of(v, "CreatedDate"), "enabled"};
    if (json_list(v, "VersionStages").empty()) info.state = "disabled";
    out.emplace_back(json_number(v, "CreatedDate", 0.0), std::move(info));
  }
  return out;
}

void collect_batch(const json& r, std::map<std::string, Result<Secret>>& by_id) {
  for (const auto& v : json_list(r, "SecretValues")) {
    Result<Secret> s = Error(ErrorKind::internal, "");
    try {
      s = secret_of(v);
    } catch (const Error& e) {
      s = e;
    }
    by_id.emplace(json_string(v, "ARN"), s);
    by_id.emplace(json_string(v, "Name"), s);
  }
  for (const auto& e : json_list(r, "Errors")) {
    http::Response fake;
    fake.status = 400;
    fake.body = json{{"__type", json_string(e, "ErrorCode")}}.dump();
    by_id.emplace(json_string(e, "SecretId"), map_error(fake, "BatchGetSecretValue"));
  }
}

}  // namespace ks::aws
