#!/usr/bin/env python3
"""Fake Azure Key Vault (secrets data plane) + Microsoft Entra token endpoints + managed identity.

Written from the provider documentation (spec/providers.md §2, the Key Vault REST spec, Entra and
managed-identity docs); checked by tests/conformance/azure.test.mjs through @azure/keyvault-secrets
and @azure/identity. Built on fakelib (faults, request log, READY line, --max-seconds).
Modules: azure_common (clock, ids, tokens), azure_entra (Entra + managed identity), azure_vault
(secrets API, auth, RBAC, soft delete), azure_kvshapes (JSON shapes, paging).

Usage:
    azure.py [--seed FILE] [--port N] [--tls-cert PEM --tls-key PEM] [--http-port N]
             [--max-seconds S]
Prints `HTTP <port>` first when --http-port is given (an extra plain-HTTP listener on the same
state, e.g. for an IMDS endpoint), then fakelib's `READY <port> <scheme>`.

One server plays every host: the vault (https://127.0.0.1:PORT as key-vault-uri), the authority
(AZURE_AUTHORITY_HOST=https://127.0.0.1:PORT), IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST=that base)
and App Service (IDENTITY_ENDPOINT=<base>/msi/token + IDENTITY_HEADER). Ids, nextLinks and the
metadata documents use the Host header the client sent.

MODELLED
- Entra: POST /{tenant}/oauth2/v2.0/token, grant client_credentials, with client_secret or with
  client_assertion_type=...jwt-bearer + client_assertion (must equal a federated token listed for
  the client; an expired `exp` in it -> AADSTS700024). Tenant by id or domain. Scope must be one
  `<resource>/.default` of a known resource (Key Vault, ARM, Storage, Graph, + seed
  extra_resources); openid/profile/offline_access are ignored. Errors in Entra's shape
  {error, error_description "AADSTSn: ...\\r\\nTrace ID...", error_codes, timestamp, trace_id,
  correlation_id, error_uri}: 400 invalid_request 90002 (tenant), 900144 (missing parameter),
  400 unsupported_grant_type 70003, 400 unauthorized_client 700016 (unknown client),
  401 invalid_client 7000218 / 7000215 (bad secret) / 700213 (federated mismatch) / 50027,
  400 invalid_scope 1002012, 400 invalid_resource 500011. Success:
  {token_type, expires_in, ext_expires_in, access_token}.
  GET /{tenant}/v2.0/.well-known/openid-configuration (+ v1 form; unknown tenant -> 400
  invalid_tenant), GET /common/discovery/instance (all pointing at this server).
- Managed identity: IMDS GET /metadata/identity/oauth2/token (Metadata: true required -> else 400
  "Required metadata header not specified"; api-version; resource; client_id | object_id |
  msi_res_id | mi_res_id; 400 "Identity not found" / "Multiple user assigned identities exist...").
  App Service GET <app_service_path, default /msi/token>?api-version=2019-08-01&resource=...
  (X-IDENTITY-HEADER must equal seed identity_header; client_id | principal_id | mi_res_id).
  Response fields are strings (expires_on epoch seconds as a string, ...).
- Tokens: JWT-shaped, HS256 under the fake's key, claims aud/iss/iat/nbf/exp/appid/oid/sub/tid/ver.
  aud = the requested resource exactly as given (so `https://vault.azure.net/` with a slash is
  refused by the vault, as the real one does, AKV10022).
- Vault: every /secrets and /deletedsecrets request is authenticated first: no/odd Authorization
  -> 401 AKV10000 + `WWW-Authenticate: Bearer authorization="<authority>/<tenant>",
  resource="https://vault.azure.net"` (authority = this server unless vault.challenge_authority;
  vault.challenge_style resource|scope|both). Bad signature AKV10046, wrong audience AKV10022,
  wrong tenant AKV10032, expired (wording unverified) -> 401 with the same challenge. Then
  api-version (missing or not in api_versions -> 400 BadParameter "The specified version (x) is
  not recognized..."), name validation (1-127 of [0-9a-zA-Z-], else 400 BadParameter), RBAC
  denials (403 Forbidden / innererror ForbiddenByRbac, with the RBAC data action), then:
  PUT /secrets/{n} (value required, contentType, tags <= 15, attributes enabled/nbf/exp) -> 200
  SecretBundle (new 32-hex version); GET /secrets/{n}[/] and /secrets/{n}/{v}; disabled version ->
  403 Forbidden/SecretDisabled "Operation get is not allowed on a disabled secret."; missing ->
  404 SecretNotFound; GET /secrets and /secrets/{n}/versions and /deletedsecrets with
  maxresults 1..25 and nextLink (absolute, with :443, api-version, $skiptoken, maxresults),
  optional empty pages that still carry a nextLink; PATCH /secrets/{n}[/{v}] (contentType, tags,
  attributes) -> bundle without value; DELETE /secrets/{n} -> DeletedSecretBundle (recoveryId,
  deletedDate, scheduledPurgeDate; no value); GET /deletedsecrets/{n}; POST
  /deletedsecrets/{n}/recover -> SecretBundle; DELETE /deletedsecrets/{n} -> 204.
  Soft-delete states with delays (delete_delay, recover_delay, purge_delay seconds): while
  deleting, the secret is in neither list and GET /deletedsecrets/{n} is 404 (the SDK poller
  keeps polling); PUT -> 409 Conflict/ObjectIsBeingDeleted, purge/recover -> 409 "Secret is
  currently being deleted."; deleted: PUT -> 409 Conflict/ObjectIsDeletedButRecoverable, reads ->
  404 SecretNotFound; recovering: PUT -> 409 ObjectIsBeingRecovered. Names are case-insensitive
  (the first spelling is kept). Tags, contentType and attributes belong to each version; lists
  show the current (last created) version. Versions listed in ascending version-id order.
  vault.recovery_level without "Recoverable" = soft delete off (DELETE removes, no recoveryId).
  Times are integer epoch seconds. Response headers x-ms-request-id, x-ms-keyvault-region,
  x-ms-keyvault-service-version. Query names may be percent-encoded (the JS SDK sends
  `api%2Dversion=`). An unknown path answers 404 {"error":{"code":"NotFound",...}}.
- Control (besides fakelib's /_fake/faults, /_fake/requests, /_fake/reset):
  GET /_fake/azure/state   the data: {secrets: [{name, state, deletedDate, versions: [...]}]}
  POST /_fake/azure/clock  {"advance": seconds} moves the fake clock (token expiry, delays)
  POST /_fake/azure/seed   body = a seed document: replaces all data and settings.

NOT MODELLED (honestly)
- Real signatures (RS256, JWKS), token caching/CAE claims challenges (claims are accepted and
  ignored), PoP tokens, v1 /oauth2/token endpoint, certificates/client_secret_basic, authorization
  code/device/user flows, Azure CLI, Azure Arc / Service Fabric / Cloud Shell identities.
- Access-policy vaults (only RBAC denials), firewall (ForbiddenByFirewall), throttling by itself
  (inject 429 with fakelib faults), backup/restore, certificate-backed (managed) secrets,
  outContentType, previousVersion, keys/certificates, HSM, multiple vaults per server.
- Exact wording of messages marked "unverified" in the code (expired token, missing api-version,
  deleted-secret-not-found, maxresults/skiptoken errors, App Service header errors).
- nbf/exp of a secret are stored and echoed but do not block reads.

SEED (JSON; every key optional; see tests/data/azure/seed.json):
{"tenants": [{"id": GUID, "name": str, "domains": [str]}],
 "clients": [{"tenant": GUID, "client_id": GUID, "object_id": GUID,
              "client_secrets": [str] | "client_secret": str, "federated_tokens": [str]}],
 "managed_identities": [{"kind": "system"|"user", "client_id", "object_id", "resource_id", "tenant"}],
 "identity_header": str, "app_service_path": "/msi/token",
 "vault": {"name": str, "tenant": GUID, "recovery_level": "Recoverable+Purgeable",
           "recoverable_days": 90, "challenge_authority": url, "challenge_resource": url,
           "challenge_style": "resource"|"scope"|"both"},
 "rbac_denials": [{"principal": appid-or-oid, "actions": ["getSecret"|"setSecret"|"readMetadata"|
                   "update"|"delete"|"recover"|"purge"|"*"], "secrets": [names] (optional)}],
 "page_size": 25, "empty_pages": false, "delete_delay": 0, "recover_delay": 0, "purge_delay": 0,
 "token_lifetime": 3599, "mi_token_lifetime": 86399, "api_versions": [...],
 "extra_resources": [uri], "signing_key": str,
 "secrets": [{"name": str, "deleted": bool, "deleted_date": int,
              "versions": [{"value", "contentType", "tags", "enabled", "created", "updated",
                            "nbf", "exp", "version"}]}
             | {"name", "value", "contentType", "tags", "enabled", "created"} (one version)]}
"""
import json
import os
import sys
import threading
from http.server import ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakelib  # noqa: E402
from azure_common import KNOWN_RESOURCES, Clock, Ids, split_url  # noqa: E402
from azure_entra import EntraMixin  # noqa: E402
from azure_vault import Secret, VaultMixin, Version  # noqa: E402

API_VERSIONS = ["2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-06-01",
                "2025-07-01"]
IMDS_API_VERSIONS = {"2018-02-01", "2019-03-11", "2019-06-01", "2019-08-01", "2019-11-01",
                     "2020-06-01", "2020-09-01", "2021-01-01", "2021-02-01", "2021-05-01"}
DEFAULT_TENANT = "72f988bf-0000-4000-8000-000000000001"
DEFAULT_SEED = {
    "tenants": [{"id": DEFAULT_TENANT, "name": "fake-tenant", "domains": ["fake.onmicrosoft.com"]}],
    "clients": [{"tenant": DEFAULT_TENANT, "client_id": "11111111-1111-4111-8111-111111111111",
                 "object_id": "aaaaaaaa-1111-4111-8111-111111111111",
                 "client_secrets": ["fake-client-secret"]}],
    "vault": {"name": "fakevault"},
}


class AzureState(fakelib.FakeState):
    def __init__(self, seed):
        super().__init__()
        self.clock = Clock()
        self.load(seed)

    def load(self, seed):
        with self.lock:
            self.seed = seed
            self.ids = Ids()
            v = seed.setdefault("vault", {})
            tenants = seed.get("tenants", [])
            self.vault_tenant = v.get("tenant") or (tenants[0]["id"] if tenants else DEFAULT_TENANT)
            self.vault_name = v.get("name", "fakevault")
            self.recovery_level = v.get("recovery_level", "Recoverable+Purgeable")
            self.recoverable_days = int(v.get("recoverable_days", 90))
            self.page_size = max(1, min(25, int(seed.get("page_size", 25))))
            self.empty_pages = bool(seed.get("empty_pages", False))
            self.delete_delay = float(seed.get("delete_delay", 0))
            self.recover_delay = float(seed.get("recover_delay", 0))
            self.purge_delay = float(seed.get("purge_delay", 0))
            self.api_versions = list(seed.get("api_versions", API_VERSIONS))
            self.imds_api_versions = IMDS_API_VERSIONS
            self.app_service_path = seed.get("app_service_path", "/msi/token")
            self.signing_key = seed.get("signing_key", "azure-fake-signing-key").encode()
            for c in seed.get("clients", []):
                if "client_secret" in c:
                    c.setdefault("client_secrets", []).append(c["client_secret"])
            self.secrets = {}
            now = self.clock.now_int()
            for sd in seed.get("secrets", []):
                s = Secret(sd["name"])
                versions = sd.get("versions") or [sd]
                for i, vd in enumerate(versions):
                    created = int(vd.get("created", now - 1000 + i))
                    s.versions.append(Version(
                        vd.get("version") or self.ids.next_hex(s.name.lower()), vd.get("value", ""),
                        vd.get("contentType"), vd.get("tags"), vd.get("enabled", True), vd.get("nbf"),
                        vd.get("exp"), created, int(vd.get("updated", created))))
                if sd.get("deleted"):
                    s.state = "deleted"
                    s.deleted_date = int(sd.get("deleted_date", now))
                    s.scheduled_purge_date = s.deleted_date + self.recoverable_days * 86400
                self.secrets[s.name.lower()] = s

    def settle(self):
        """Ends the transient states whose delay has passed."""
        now = self.clock.now()
        for key, s in list(self.secrets.items()):
            if s.state in ("deleting", "recovering", "purging") and now >= s.until:
                if s.state == "deleting":
                    s.state = "deleted"
                elif s.state == "recovering":
                    s.state = "active"
                else:
                    del self.secrets[key]

    def find_tenant(self, ref):
        for t in self.seed.get("tenants", []):
            if t["id"].lower() == ref.lower() or ref.lower() in [d.lower() for d in t.get("domains", [])]:
                return t
        return None

    def find_client(self, tenant_id, client_id):
        for c in self.seed.get("clients", []):
            if c.get("tenant", self.vault_tenant).lower() == tenant_id.lower() and \
                    c["client_id"].lower() == client_id.lower():
                return c
        return None

    def resource_audience(self, requested):
        """The aud of a token for `requested` (as given), or None for an unknown resource."""
        known = dict(KNOWN_RESOURCES)
        for r in self.seed.get("extra_resources", []):
            known[r.rstrip("/")] = r.rstrip("/")
        if requested.rstrip("/") not in known:
            return None
        return requested

    def dump(self):
        out = []
        for s in sorted(self.secrets.values(), key=lambda s: s.name.lower()):
            out.append({"name": s.name, "state": s.state, "deletedDate": s.deleted_date,
                        "scheduledPurgeDate": s.scheduled_purge_date,
                        "versions": [{"version": v.version, "value": v.value,
                                      "contentType": v.content_type, "tags": v.tags,
                                      "enabled": v.enabled, "nbf": v.nbf, "exp": v.exp,
                                      "created": v.created, "updated": v.updated}
                                     for v in s.versions]})
        return {"secrets": out, "clock": self.clock.now()}


class AzureHandler(EntraMixin, VaultMixin, fakelib.BaseFakeHandler):
    server_scheme = "http"

    def handle_request(self, body):
        path, query = split_url(self.path)
        if self.try_entra(path, query, body):
            return
        if self.try_vault(path, query, body):
            return
        self.send_json(404, {"error": {"code": "NotFound",
                                       "message": f"No such endpoint on the Azure fake: {path}"}})

    def _control(self, body):
        st = self.state
        if self.path == "/_fake/azure/state" and self.command == "GET":
            with st.lock:
                st.settle()
                return self.send_json(200, st.dump())
        if self.path == "/_fake/azure/clock" and self.command == "POST":
            d = json.loads(body or b"{}")
            with st.lock:
                st.clock.offset += float(d.get("advance", 0))
                return self.send_json(200, {"clock": st.clock.now()})
        if self.path == "/_fake/azure/seed" and self.command == "POST":
            st.load(json.loads(body or b"{}"))
            return self.send_json(200, {"ok": True})
        return super()._control(body)


def main():
    def extra(p):
        p.add_argument("--seed", help="seed JSON file")
        p.add_argument("--http-port", type=int, default=None,
                       help="also listen on plain HTTP on this port (0 = free port)")
    args = fakelib.parse_args(extra=extra)
    seed = DEFAULT_SEED
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed = json.load(f)
    state = AzureState(json.loads(json.dumps(seed)))

    class MainHandler(AzureHandler):
        server_scheme = "https" if args.tls_cert else "http"

    if args.http_port is not None:
        class PlainHandler(AzureHandler):
            server_scheme = "http"
        PlainHandler.state = state
        plain = ThreadingHTTPServer(("127.0.0.1", args.http_port), PlainHandler)
        plain.daemon_threads = True
        threading.Thread(target=plain.serve_forever, daemon=True).start()
        print(f"HTTP {plain.server_address[1]}", flush=True)
    fakelib.serve(MainHandler, state, args)


if __name__ == "__main__":
    main()
