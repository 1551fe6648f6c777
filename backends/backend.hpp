// The interface every secret store implements. Commands in cmd/ talk only to this; read-only,
// filters, prefixes and namespace fallback live in ONE decorator over it (backends/view), so a
// provider implements its store's plain semantics and nothing of Kestra's visibility rules.
// Every method throws ks::Error with the kind of spec/cli.md's exit table on failure.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "src/core/context.hpp"
#include "src/core/error.hpp"
#include "src/secret/secret.hpp"

namespace ks {

using Tags = std::map<std::string, std::string>;

// The value of tag `name`, if the secret carries it.
inline std::optional<std::string> opt_tag(const Tags& tags, const std::string& name) {
  auto it = tags.find(name);
  if (it == tags.end()) return std::nullopt;
  return it->second;
}

struct SecretRef {
  std::string key;                    // the Kestra key
  std::optional<std::string> ns{};    // Kestra namespace; nullopt = no namespace
  std::optional<std::string> version{};  // a provider version id; nullopt = current
  bool inherit = true;                // get: climb to parent namespaces (--no-inherit clears it)
};

struct SecretInfo {
  std::string key;                    // the Kestra key
  std::optional<std::string> ns;      // namespace, when the store knows one
  std::string name;                   // the provider's own short name
  Tags tags;
  std::optional<std::string> description;
  std::optional<std::string> created; // RFC 3339 UTC
  std::optional<std::string> updated; // RFC 3339 UTC
  std::optional<std::string> version;
  std::optional<std::string> deleted; // deletion date when soft-deleted
};

struct Query {
  std::optional<std::string> ns;      // only this namespace; nullopt = every key
  // adopt --all: every secret the provider names under its prefix, whatever filter-on-tags and
  // excluded-tags say (the view then skips its tag checks; keys and prefixes still apply).
  bool unfiltered = false;
};

struct PutOptions {
  Tags tags;                          // extra tags (--tag), besides the configured ones
  std::optional<std::string> description;
  // Check-and-set: write only if the stored version is still this one (Error{conflict} otherwise).
  // Set by read-modify-write commands (--subkey) from the version they read; stores without
  // versions ignore it, and their read-modify-write is documented as not atomic.
  std::optional<std::string> expected_version;
  // The caller has just listed the store and did not see the key (copy): a provider whose update
  // path starts with a lookup may try to create first, and must fall back to an update when the
  // name turns out to exist. A hint only: the result is the same as without it.
  bool likely_new = false;
};

struct DeleteOptions {
  bool purge = false;
  std::optional<int> recovery_days;
};

struct PutResult {
  std::optional<std::string> version;
  bool created = false;
};

struct DeleteResult {
  bool purged = false;
  std::optional<std::string> recoverable_until;
};

struct VersionInfo {
  std::string version;
  std::optional<std::string> created;
  std::string state;                  // enabled | disabled | deleted | destroyed
};

struct Probe {
  std::vector<std::pair<std::string, std::string>> facts;  // e.g. {"principal", "arn:..."}
};

template <class T>
using Result = std::variant<T, Error>;

class Backend {
public:
  virtual ~Backend() = default;

  // The backend's name as users write it in `kestra.secret.type` ("env", "vault", ...).
  virtual std::string name() const = 0;

  // Keys and metadata of the stored secrets, never values, in any order (callers sort).
  virtual std::vector<SecretInfo> list(const Query& q) = 0;

  // The secret's value. REQUIRES: ref.key non-empty. Throws Error{not_found} with
  // not_found_message(key) when absent.
  virtual Secret get(const SecretRef& ref) = 0;

  // The value and the metadata (tags) of one secret. The default calls get() then describe();
  // providers that can fetch both at once (concurrently) override it. The view uses it when a
  // tag filter must be checked before a value is shown.
  virtual std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref);

  // Many gets; one result per ref, in order. The default calls get() for each ref; HTTP backends
  // override it with batched or concurrent requests.
  virtual std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs);

  // Creates or updates the secret. Throws Error{read_only} when the store cannot be written.
  virtual PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) = 0;

  // Removes the secret. Throws Error{not_found} when absent.
  virtual DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) = 0;

  // Metadata without the value. Throws Error{not_found} when absent.
  virtual SecretInfo describe(const SecretRef& ref) = 0;

  // Versions, newest first. Default: Error{usage} "not supported by <name>".
  virtual std::vector<VersionInfo> versions(const SecretRef& ref);

  // Undoes a soft delete. Default: Error{usage} "not supported by <name>".
  virtual void restore(const SecretRef& ref);

  // adopt: adds Kestra's tags for `as` (key, namespace and the configured prefix, as put would set
  // them) plus `tags` to the existing provider secret named `name`, without touching its value, so
  // that a read-only Kestra sees it. An empty as.key means the name minus the configured prefix.
  // Tags already there with the same value are not sent. Returns the tags set (with dry_run: that
  // would be set; none sent); empty when the secret already carried them all. Throws not_found
  // when no secret has that name, conflict when its `key`/`namespace` tags name another key.
  // Default: Error{usage} "not supported by <name>".
  virtual Tags adopt(const std::string& name, const SecretRef& as, const Tags& tags, bool dry_run);

  // Authenticates and makes one cheap read (check-config --connect).
  virtual Probe probe() = 0;

  // True when the store holds only text (values must be valid UTF-8).
  virtual bool text_only() const { return false; }

  // Throws Error{read_only} when no write can succeed (read-only view, env without a file), so
  // bulk writers refuse before sending any request. Default: writable.
  virtual void check_writable() const {}

  // True when the store keeps named fields (Vault KV): JSON objects are written as fields.
  virtual bool has_fields() const { return false; }

  // False when namespaces mean nothing to the store (env): the view then does not climb.
  virtual bool namespaced() const { return true; }

protected:
  [[noreturn]] void unsupported(const std::string& what) const;
};

}  // namespace ks
