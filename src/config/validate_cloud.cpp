// Validation rules of the three cloud backends (AWS, Azure, Google). Each has a default credential
// chain, so missing credentials are never an error here: they are "default chain (resolved by
// --connect)". Partial static credentials are errors.
#include <fmt/format.h>

#include "src/config/checks.hpp"
#include "src/config/schema.hpp"
#include "src/config/validate_internal.hpp"

namespace ks::config {
namespace {

std::string block(std::string_view type) { return std::string(kSecretRoot) + "." + std::string(type); }

// Names the keys of `keys` (relative to b) that are missing when some but not all are set.
// Returns true when all are set.
bool all_or_none(Checker& c, const std::string& b, const std::vector<std::string>& keys, const std::string& what) {
  std::vector<std::string> missing;
  for (const auto& k : keys)
    if (!c.present(b + "." + k)) missing.push_back(k);
  if (missing.empty()) return true;
  if (missing.size() == keys.size()) return false;
  std::string names;
  for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
  c.error(b + "." + missing.front(), fmt::format("{} is incomplete: missing {}", what, names),
          "set every key of it, or none to use the provider's default credential chain");
  return false;
}

void check_keep_prefix(Checker& c, const std::string& b) {
  if (c.at(b + ".filter-on-prefix.keep-prefix") && !c.present(b + ".filter-on-prefix.prefix"))
    c.warn(b + ".filter-on-prefix.keep-prefix", "has no effect without filter-on-prefix.prefix");
}

bool looks_like_aws_region(const std::string& r) {
  // partition-area-number, e.g. us-east-1, eu-central-2, us-gov-west-1, cn-north-1.
  const auto last = r.rfind('-');
  if (last == std::string::npos || last + 1 == r.size() || r.find('-') == last) return false;
  for (size_t i = last + 1; i < r.size(); ++i)
    if (r[i] < '0' || r[i] > '9') return false;
  for (size_t i = 0; i < last; ++i)
    if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '-')) return false;
  return true;
}

// The service-account text: JSON of a service account key. Never shows any of its content except
// the non-secret type and client_email.
std::optional<std::string> check_service_account(Checker& c, const std::string& path, const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    c.error(path, "is not a JSON key file's content", "paste the whole JSON key of the service account");
    return std::nullopt;
  }
  const std::string type = j.value("type", "");
  if (type != "service_account") {
    c.error(path, fmt::format("is a '{}' credential, not a service account key", type.empty() ? "untyped" : type),
            "Kestra expects the JSON key of a service account (\"type\": \"service_account\")");
    return std::nullopt;
  }
  const std::string email = j.value("client_email", "");
  const std::string key = j.value("private_key", "");
  if (email.empty()) c.error(path, "has no client_email");
  if (key.find("-----BEGIN") == std::string::npos) c.error(path, "has no PEM private_key");
  return email;
}

}  // namespace

void check_aws(Checker& c) {
  const std::string b = block(kTypeAws);
  const bool keys = all_or_none(c, b, {"access-key-id", "secret-key-id"}, "the static key pair");
  if (c.present(b + ".session-token") && !keys && !c.present(b + ".access-key-id") && !c.present(b + ".secret-key-id"))
    c.error(b + ".session-token", "a session token needs access-key-id and secret-key-id");
  c.report.credential_source = keys ? (c.present(b + ".session-token") ? "static keys with session token in configuration"
                                                                       : "static keys in configuration")
                                    : std::string(kDefaultChain);
  if (auto region = c.text(b + ".region")) {
    if (!looks_like_aws_region(*region))
      c.warn(b + ".region", fmt::format("{} does not look like an AWS region (e.g. us-east-1)", shown(*region)));
  } else if (!c.ctx.getenv("AWS_REGION") && !c.ctx.getenv("AWS_DEFAULT_REGION")) {
    c.note(b + ".region", "no region configured: --connect resolves it from AWS_REGION, the profile or the instance");
  }
  if (auto url = c.text(b + ".endpoint-override")) check_endpoint(c, b + ".endpoint-override", *url, true);
  check_keep_prefix(c, b);
  check_ca_file(c, b);
}

void check_azure(Checker& c) {
  const std::string b = block(kTypeAzure);
  const bool secret = all_or_none(c, b, {"client-secret.tenant-id", "client-secret.client-id", "client-secret.client-secret"},
                                  "client-secret");
  c.report.credential_source = secret ? "client secret in configuration" : std::string(kDefaultChain);
  const auto name = c.text(b + ".vault-name");
  const auto uri = c.text(b + ".key-vault-uri");
  if (!name && !uri)
    c.error(b + ".vault-name", "missing vault-name (or key-vault-uri)", "name the Key Vault, e.g. vault-name: my-vault");
  if (name && uri) c.note(b + ".vault-name", "key-vault-uri is used; vault-name is ignored");
  if (name && !uri)
    if (auto problem = azure_vault_name_problem(*name))
      c.error(b + ".vault-name", fmt::format("{} is not a Key Vault name: {}", shown(*name), *problem));
  if (uri) check_endpoint(c, b + ".key-vault-uri", *uri, true);
  check_ca_file(c, b);
}

void check_google(Checker& c) {
  const std::string b = block(kTypeGoogle);
  std::optional<std::string> email;
  std::optional<std::string> key_project;
  if (auto sa = c.text(b + ".service-account")) {
    email = check_service_account(c, b + ".service-account", *sa);
    const auto j = nlohmann::json::parse(*sa, nullptr, false);
    if (j.is_object() && j.contains("project_id") && j["project_id"].is_string()) key_project = j["project_id"];
  }
  c.report.credential_source = email ? fmt::format("service account key in configuration ({})", *email)
                                     : c.present(b + ".service-account") ? "service account key in configuration"
                                                                         : std::string(kDefaultChain);
  if (!c.present(b + ".project")) {
    if (key_project)
      c.warn(b + ".project", fmt::format("missing: the key's project_id {} is used", shown(*key_project)),
             "Kestra itself needs project; set it");
    else
      c.error(b + ".project", "missing required key", "the Google Cloud project id that holds the secrets");
  }
  if (auto url = c.text(b + ".endpoint-override")) check_endpoint(c, b + ".endpoint-override", *url, true);
  if (auto loc = c.text(b + ".location")) {
    const bool ok = std::all_of(loc->begin(), loc->end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
    if (!ok) c.error(b + ".location", fmt::format("{} is not a Google Cloud location (e.g. europe-west1)", shown(*loc)));
  }
  check_ca_file(c, b);
}

}  // namespace ks::config
