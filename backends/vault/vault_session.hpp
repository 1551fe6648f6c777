// What a Vault run does once before its first data request (spec/providers.md §4.4, §4.5): log in
// with the ONE configured auth method (or find a token: VAULT_TOKEN, then ~/.vault-token), and check
// the KV version of the root engine against `engine-version` (sys/internal/ui/mounts), so a wrong
// version or mount name is a configuration error instead of a confusing 404/403.
// CONTRACT: never puts a token, password, secret-id or JWT in a message.
#pragma once

#include <string>

#include "backends/vault/vault_client.hpp"
#include "src/config/settings.hpp"
#include "src/core/context.hpp"

namespace ks::vault {

struct Login {
  std::string token;
  std::string source;  // for check-config --connect: "token", "VAULT_TOKEN", "password (john)", ...
};

// Logs in (one request for password/app-role/kubernetes, none for a token). Error{denied} when no
// token is found or the login is refused; Error{config} for an unreadable Kubernetes token file.
Login authenticate(const config::VaultSettings& s, const Context& ctx, Client& client);

struct Mount {
  std::string path;      // the mount, e.g. "secret" (no '/' at the ends)
  std::string sub;       // what root-engine names below the mount ("" usually)
  int version = 2;       // the server's KV version
};

// GET sys/internal/ui/mounts/<root_engine>. Error{config} naming the mount and both versions when
// the server's version differs from `configured`, or with a hint at root-engine when the mount is
// unknown (Vault answers 403 "preflight capability check" for it).
Mount detect_mount(Client& client, const std::string& root_engine, int configured);

}  // namespace ks::vault
