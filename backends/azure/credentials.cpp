#include "backends/azure/credentials.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>


extern char** environ;

namespace ks::azure {
namespace {

using nlohmann::json;

constexpr std::string_view kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr std::array<std::string_view, 4> kVaultDomains = {"vault.azure.net", "vault.azure.cn",
                                                           "vault.usgovcloudapi.net", "vault.microsoftazure.de"};
constexpr size_t kMaxCliOutput = 1 << 20;

std::string host_only(std::string_view url) {
  std::string h = http::host_of(url);
  if (auto colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos) h.resize(colon);
  for (auto& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return h;
}

bool domain_suffix(const std::string& host, const std::string& domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with("." + domain));
}

// The first line of Entra's error_description ("AADSTS7000215: Invalid client secret provided…");
// the rest is trace ids.
std::string entra_reason(const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return "an unreadable answer";
  std::string code = doc.value("error", std::string("error"));
  std::string desc = doc.contains("error_description") && doc["error_description"].is_string()
                         ? doc["error_description"].get<std::string>() : std::string();
  desc = desc.substr(0, desc.find_first_of("\r\n"));
  return desc.empty() ? code : fmt::format("{}: {}", code, desc);
}

std::optional<std::string> access_token_of(const std::string& body, const char* field) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains(field) && doc[field].is_string() && !doc[field].get<std::string>().empty())
    return doc[field].get<std::string>();
  return std::nullopt;
}

// Runs argv (no shell), returns (exit status, stdout, stderr); nullopt when it cannot start.
std::optional<std::tuple<int, std::string, std::string>> run(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe(out) != 0) return std::nullopt;
  if (pipe(err) != 0) { close(out[0]); close(out[1]); return std::nullopt; }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  std::string o, e;
  auto drain = [](int fd, std::string& into) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      if (into.size() < kMaxCliOutput) into.append(buf, static_cast<size_t>(n));
    close(fd);
  };
  if (rc != 0) { close(out[0]); close(err[0]); return std::nullopt; }
  drain(out[0], o);  // az writes little on stderr, so draining stdout first cannot deadlock in practice
  drain(err[0], e);
  int status = 0;
  waitpid(pid, &status, 0);
  return std::tuple{WIFEXITED(status) ? WEXITSTATUS(status) : 128, o, e};
}

std::optional<std::string> find_on_path(const std::string& path, const std::string& exe) {
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + exe;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace

std::string Challenge::resource() const {
  std::string r = scope;
  if (r.ends_with("/.default")) r.resize(r.size() - std::string_view("/.default").size());
  return r;
}

std::optional<Challenge> parse_challenge(std::string_view header) {
  static const std::regex pair(R"re(([A-Za-z_]+)\s*=\s*"([^"]*)")re");
  std::string h(header);
  std::map<std::string, std::string> kv;
  for (auto it = std::sregex_iterator(h.begin(), h.end(), pair); it != std::sregex_iterator(); ++it)
    kv[(*it)[1].str()] = (*it)[2].str();
  std::string authority = kv.count("authorization") ? kv["authorization"] : kv["authorization_uri"];
  Challenge c;
  while (!authority.empty() && authority.back() == '/') authority.pop_back();
  if (auto slash = authority.rfind('/'); slash != std::string::npos && slash + 1 < authority.size())
    c.tenant = authority.substr(slash + 1);
  if (kv.count("scope") && !kv["scope"].empty()) c.scope = kv["scope"];
  else if (kv.count("resource") && !kv["resource"].empty()) c.scope = kv["resource"] + "/.default";
  if (c.tenant.empty() && c.scope.empty()) return std::nullopt;
  return c;
}

bool challenge_resource_ok(const std::string& vault_url, const std::string& scope) {
  std::string vault_host = host_only(vault_url);
  bool key_vault_domain = false;
  for (auto d : kVaultDomains) key_vault_domain |= domain_suffix(vault_host, std::string(d));
  if (!key_vault_domain) return true;  // private endpoint or emulator: the check could never pass
  std::string resource_host = host_only(scope);
  return !resource_host.empty() && domain_suffix(vault_host, resource_host);
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

Credential::Credential(const config::AzureSettings& s, const backends::BackendOptions& opts, const Context& ctx,
                       http::Client& http)
    : s_(s), opts_(opts), ctx_(ctx), http_(http) {}

std::string Credential::token(const Challenge& c) {
  if (!token_) token_ = fetch(c);
  return *token_;
}

std::string Credential::authority_host() const {
  std::string host = ctx_.getenv_or("AZURE_AUTHORITY_HOST", std::string(kDefaultAuthorityHost));
  if (!host.ends_with("/")) host += "/";
  return host;
}

std::optional<std::string> Credential::entra_token(const Challenge& c, const std::string& tenant,
                                                   const std::string& client, const std::string& credential_form) {
  std::string body = fmt::format("client_id={}&scope={}&grant_type=client_credentials&{}", url_encode(client),
                                 url_encode(c.scope), credential_form);
  http::Request req("POST", fmt::format("{}{}/oauth2/v2.0/token", authority_host(), url_encode(tenant)), {}, body);
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  auto r = http_.send(req);
  if (r.status == 200) {
    if (auto t = access_token_of(r.body, "access_token")) return t;
    throw Error(ErrorKind::bad_data, "Microsoft Entra answered the token request without an access_token");
  }
  throw Error(ErrorKind::denied,
              fmt::format("Microsoft Entra refused a token for client {} in tenant {} ({}): {}", client, tenant,
                          source_, entra_reason(r.body)),
              "check the tenant id, the client id and its secret or federated credential");
}

std::optional<std::string> Credential::app_service_token(const Challenge& c) {
  std::string url = fmt::format("{}?api-version={}&resource={}", ctx_.getenv_or("IDENTITY_ENDPOINT", ""),
                                kAppServiceApiVersion, url_encode(c.resource()));
  if (!client_.empty()) url += "&client_id=" + url_encode(client_);
  http::Request req("GET", url);
  req.headers.add("X-IDENTITY-HEADER", ctx_.getenv_or("IDENTITY_HEADER", ""));
  auto r = http_.send(req);
  if (r.status == 200) return access_token_of(r.body, "access_token");
  throw Error(ErrorKind::denied, fmt::format("the App Service managed identity endpoint answered HTTP {}", r.status),
              "check that the app has a managed identity (and AZURE_CLIENT_ID names an assigned one)");
}

std::optional<std::string> Credential::imds_token(const Challenge& c) {
  http::Options o = http_.options();
  o.connect_timeout = o.request_timeout = kImdsProbeTimeout;
  o.max_attempts = 1;
  http::Client probe(o);
  std::string base = ctx_.getenv_or("AZURE_POD_IDENTITY_AUTHORITY_HOST", std::string(kDefaultImdsHost));
  while (base.ends_with("/")) base.pop_back();
  std::string url = fmt::format("{}/metadata/identity/oauth2/token?api-version={}&resource={}", base,
                                kImdsApiVersion, url_encode(c.resource()));
  if (!client_.empty()) url += "&client_id=" + url_encode(client_);
  http::Request req("GET", url);
  req.headers.add("Metadata", "true");
  try {
    auto r = probe.send(req);
    if (r.status == 200) return access_token_of(r.body, "access_token");
    tried_.push_back(fmt::format("managed identity (IMDS at {} answered HTTP {})", http::host_of(base), r.status));
  } catch (const Error&) {
    tried_.push_back(fmt::format("managed identity (IMDS at {} unreachable)", http::host_of(base)));
  }
  return std::nullopt;
}

std::optional<std::string> Credential::cli_token(const Challenge& c) {
  static const std::regex safe(R"(^[0-9a-zA-Z\-.:/]+$)");
  auto az = find_on_path(ctx_.getenv_or("PATH", ""), "az");
  if (!az || !std::regex_match(c.resource(), safe)) {
    tried_.push_back("Azure CLI (no az on PATH)");
    return std::nullopt;
  }
  auto res = run({*az, "account", "get-access-token", "--resource", c.resource(), "--output", "json"});
  if (!res) {
    tried_.push_back("Azure CLI (az could not be started)");
    return std::nullopt;
  }
  auto& [status, out, err] = *res;
  if (status == 0) {
    if (auto t = access_token_of(out, "accessToken")) {
      auto doc = json::parse(out, nullptr, false);
      if (doc.contains("tenant") && doc["tenant"].is_string()) tenant_ = doc["tenant"].get<std::string>();
      return t;
    }
    throw Error(ErrorKind::bad_data, "az account get-access-token printed no accessToken");
  }
  tried_.push_back(err.find("az login") != std::string::npos ? "Azure CLI (not logged in: run 'az login')"
                                                              : fmt::format("Azure CLI (az exited {})", status));
  return std::nullopt;
}

std::string Credential::fetch(const Challenge& c) {
  tried_.clear();
  auto env = [&](const char* n) { return ctx_.getenv_or(n, ""); };
  if (s_.client_id || s_.client_secret || s_.tenant_id) {
    if (!s_.client_id || !s_.client_secret)
      throw Error(ErrorKind::config, "kestra.secret.azure-key-vault.client-secret needs client-id and client-secret",
                  "set both (tenant-id too, or let the vault's challenge name the tenant)");
    source_ = "client secret (configuration)";
    client_ = *s_.client_id;
    tenant_ = s_.tenant_id.value_or(c.tenant);
    return *entra_token(c, tenant_, client_, "client_secret=" + url_encode(*s_.client_secret));
  }
  if (!env("AZURE_CLIENT_SECRET").empty() && !env("AZURE_CLIENT_ID").empty() && !env("AZURE_TENANT_ID").empty()) {
    source_ = "client secret (AZURE_CLIENT_SECRET)";
    client_ = env("AZURE_CLIENT_ID");
    tenant_ = env("AZURE_TENANT_ID");
    return *entra_token(c, tenant_, client_, "client_secret=" + url_encode(env("AZURE_CLIENT_SECRET")));
  }
  tried_.push_back("environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)");
  if (!env("AZURE_FEDERATED_TOKEN_FILE").empty() && !env("AZURE_CLIENT_ID").empty() && !env("AZURE_TENANT_ID").empty()) {
    source_ = "workload identity (AZURE_FEDERATED_TOKEN_FILE)";
    client_ = env("AZURE_CLIENT_ID");
    tenant_ = env("AZURE_TENANT_ID");
    // Read on every token request: kubelet rotates the file.
    std::ifstream f(env("AZURE_FEDERATED_TOKEN_FILE"), std::ios::binary);
    if (!f) throw Error(ErrorKind::denied, "cannot read AZURE_FEDERATED_TOKEN_FILE", "check the path and its mode");
    std::string assertion((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    while (!assertion.empty() && std::isspace(static_cast<unsigned char>(assertion.back()))) assertion.pop_back();
    return *entra_token(c, tenant_, client_,
                        fmt::format("client_assertion_type={}&client_assertion={}", url_encode(kAssertionType),
                                    url_encode(assertion)));
  }
  tried_.push_back("workload identity (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID)");
  client_ = env("AZURE_CLIENT_ID");  // selects a user-assigned managed identity
  tenant_ = c.tenant;
  bool arc = !env("IDENTITY_ENDPOINT").empty() && !env("IMDS_ENDPOINT").empty() && env("IDENTITY_HEADER").empty();
  if (!env("IDENTITY_ENDPOINT").empty() && !env("IDENTITY_HEADER").empty()) {
    source_ = "managed identity (App Service)";
    return *app_service_token(c);
  }
  if (arc) {
    tried_.push_back("managed identity (Azure Arc: IDENTITY_ENDPOINT + IMDS_ENDPOINT is not supported)");
  } else {
    source_ = "managed identity (IMDS)";
    if (auto t = imds_token(c)) return *t;
  }
  source_ = "Azure CLI";
  client_.clear();
  if (auto t = cli_token(c)) return *t;
  source_.clear();
  std::string tried;
  for (const auto& t : tried_) tried += (tried.empty() ? "" : "; ") + t;
  throw Error(ErrorKind::denied, "no Azure credential found; tried: " + tried,
              "set kestra.secret.azure-key-vault.client-secret (tenant-id, client-id, client-secret), "
              "AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or run 'az login'");
}

}  // namespace ks::azure
