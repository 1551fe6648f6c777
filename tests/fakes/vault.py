#!/usr/bin/env python3
"""A small, faithful fake of HashiCorp Vault's HTTP API (the part kestra-secrets uses), on fakelib.

Written from Vault's API documentation (api-docs/index.mdx, secret/kv/kv-v1.mdx, kv-v2.mdx,
system/internal-ui-mounts.mdx, system/health.mdx, system/mounts.mdx, auth/{token,userpass,approle,
kubernetes}.mdx, docs/concepts/{tokens,policies}.mdx) and the wire reference spec/providers.md §4.
Python 3 standard library only. Modules: vault.py (HTTP, namespaces, routing), vault_kv.py (KV v1/v2),
vault_auth.py (tokens, policies, logins).

MODELS
- `/v1/` routes; methods GET, POST = PUT, DELETE, PATCH, LIST and `GET ?list=<bool>` (Go ParseBool
  values); a LIST path gets a trailing `/`; other methods 405 `{"errors":[]}`.
- KV v2 mounts (any path, nested ones like `business-unit/` or `a/b/`): `data/` (GET `?version=N`,
  POST with `options.cas`, PATCH merge-patch, DELETE = soft delete of the latest), `delete/`,
  `undelete/`, `destroy/` (`{"versions":[...]}`), `metadata/` (GET, POST custom_metadata /
  max_versions / cas_required / delete_version_after, PATCH, DELETE = everything, LIST), `config`.
  Envelopes as documented: read `{"data":{"data":{..},"metadata":{..}}}`, write `{"data":{version,..}}`.
  A soft-deleted or destroyed version reads as 404 WITH the full envelope (`data.data` null, metadata
  with deletion_time / destroyed) and no `errors`; a missing key or version is 404 `{"errors":[]}`.
  CAS: 400 `check-and-set parameter did not match the current version` / `... required for this call`.
  max_versions trimming (default 10), oldest_version, current_version as the plugin keeps them.
  A v1-style path on a v2 mount (`secret/foo`) is 404 with the plugin's "Invalid path for a versioned
  K/V secrets engine..." warning (and no errors). LIST shows keys whose versions are all deleted.
- KV v1 mounts: GET (lease_duration 2764800, or the secret's own `ttl`), POST (raw map, replaces,
  204; empty body 400 `missing data fields`), DELETE 204, LIST.
- LIST answers `{"data":{"keys":[...]}}`, sorted, folders ending in `/`; nothing there: 404 `{"errors":[]}`.
- Auth on every non-login request: `X-Vault-Token`, else `Authorization: Bearer`. No token: 403
  `["permission denied"]`; unknown/revoked/used-up token or a token of another namespace: 403
  `["2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n"]`; valid token lacking the
  capability: 403 `["1 error occurred:\\n\\t* permission denied\\n\\n"]`.
- Policies: named per namespace, `{"<path glob>": ["create","read","update","patch","delete","list",
  "sudo","deny"]}`, `*` suffix and `+` segment globs, Vault's most-specific-rule-wins priority,
  create vs update by existence (KV data/metadata and v1 paths), `root` and the built-in `default`.
- Tokens with policies, ttl (static: the fake's clock does not run), num_uses (the token is revoked
  after its last use), display_name, meta, namespace. `auth/token/lookup-self` (GET), `renew-self`,
  `revoke-self`.
- Logins (no token needed; 405 for a non-write method): userpass `auth/<m>/login/<user>` (400
  `missing password` / `invalid username or password`), AppRole `auth/<m>/login` (500 `missing role_id`,
  400 `missing secret_id` / `invalid role or secret ID`), Kubernetes `auth/<m>/login` (400 `missing role`
  / `missing jwt` / `invalid role name "x"`, 403 `permission denied` for a JWT other than the seeded
  one). 200 `{"auth":{client_token ("hvs." + 24 hex, deterministic), accessor, policies (with
  "default"), token_policies, metadata, lease_duration, renewable, entity_id, token_type, orphan,
  mfa_requirement, num_uses}}`. A login path on an auth mount that does not exist needs a token.
- Enterprise namespaces (nested): `X-Vault-Namespace` (slashes optional) and/or leading path segments
  (`/v1/ns1/secret/...`), data, policies, auth mounts and tokens per namespace; a token works in its
  namespace and below (policy paths relative to the token's namespace). Unknown header namespace:
  404 `["namespace not found"]`.
- `sys/internal/ui/mounts/<path>` (the KV preflight): 200 `{"data":{"path":"secret/","type":"kv",
  "options":{"version":"2"},...}}`, `path` prefixed with the child namespace when the mount is below
  the request's namespace; unknown mount (checked before the token) or no access to anything under the
  mount: 403 `preflight capability check returned 403, please ensure client's policies grant access to
  path "<path>/"`. `sys/internal/ui/mounts` (listing, unauthenticated: only `listing_visibility` mounts).
- `sys/mounts` (read on sys/mounts), `sys/health` (query codes standbyok, activecode, standbycode,
  sealedcode, uninitcode, perfstandbyok, performancestandbycode), `sys/seal-status`, `sys/leader`.
- A non-canonical path (`//`, `/./`, `/../`): 301 to the cleaned path, as Go's ServeMux does.
- Unknown mount: 404 `["no handler for route \\"<path>\\". route entry not found."]` (after the ACL
  check, so a non-root token sees 403). Bad JSON body: 400 `failed to parse JSON input: ...`.
- Responses: the full envelope (request_id (deterministic), lease_id, renewable, lease_duration, data,
  wrap_info, warnings, auth, mount_type), `Content-Type: application/json`, `Cache-Control: no-store`.
- Server states (`POST /_fake/vault/state`): sealed (every non-health request 503 `["Vault is
  sealed"]`, health 503) and standby without an active node (500 `["local node not active but active
  cluster node not found"]`, health 429). Everything else (412, 429, 502, slow, truncated, reset)
  through fakelib's `POST /_fake/faults`.
- Deterministic: fixed clock starting 2024-01-01T00:00:00Z, one second per write.

DOES NOT MODEL
- Real token TTL expiry, renewal limits, leases and lease revocation, batch tokens, wrapping,
  cubbyhole, identity/entities (entity_id is a hash), response-wrapping headers, MFA.
- `subkeys/`, `detailed-metadata/`, `delete_version_after` expiry, KV v1→v2 upgrade, seal-wrap,
  `sys/mounts` writes (mount/unmount/tune), `sys/auth`, `sys/policy` APIs, `sys/capabilities*`.
- Policy parameter constraints (allowed/denied/required_parameters), sentinel, control groups,
  `X-Vault-Index`/consistency (412 only by fault injection), performance standbys, replication.
- Auth methods beyond userpass/AppRole/Kubernetes (no JWT verification: the role's seeded JWT string is
  the only one accepted; no bound service-account checks; no AppRole secret-id TTL/num_uses/CIDR).
- Request forwarding, `X-Vault-Request` enforcement, rate-limit quotas, audit, HEAD/OPTIONS.
- Exact bodies of rare 400s (type conversion errors are approximations).

USAGE
  vault.py [--port N] [--tls-cert F --tls-key F] [--max-seconds S] [--seed FILE]
Prints `READY <port> <scheme>`. Control: fakelib's /_fake/faults, /_fake/requests, /_fake/reset, plus
  POST /_fake/vault/seed   body = a seed (replaces ALL data, tokens and state)
  POST /_fake/vault/state  {"sealed": bool, "standby": bool}
  GET  /_fake/vault/dump   {namespace: {"mounts": {path: {version, keys|data}}, "tokens": {...}}}
Seed format: see SEED below (also in the project's conformance test and tests/data/vault/seed.json).

SEED (JSON; every key optional; a namespace object has the same keys as the top level)
  {"mounts":   {"secret/": 2, "kv1/": 1, "business-unit/": {"version": 2, "max_versions": 0,
                "cas_required": false, "description": "", "options": {...} | null,
                "listing_visibility": "unauth"}},          # default {"secret/": 2} at the root only
   "policies": {"kestra-ro": {"secret/data/*": ["read"], "secret/metadata/*": ["read", "list"]}},
   "tokens":   {"root-token": {"policies": ["root"]},
                "ro-token": {"policies": ["kestra-ro"], "ttl": 3600, "num_uses": 0,
                             "display_name": "token-ro", "meta": {...}}},   # default {"root": root}
   "userpass":   {"userpass/": {"john": {"password": "pw", "policies": ["p"], "token_ttl": 2764800}}},
   "approle":    {"approle/": {"kestra": {"role_id": "r", "secret_id": "s", "policies": ["p"],
                                          "bind_secret_id": true, "token_ttl": 3600}}},
   "kubernetes": {"kubernetes/": {"kestra": {"jwt": "eyJ...", "policies": ["p"],
                  "service_account_name": "kestra", "service_account_namespace": "kestra"}}},
   "secrets":  {"secret/app1/db": {"PASSWORD": "x"},          # v2: one version; v1: the map
                "secret/app1/api": {"versions": [{"A": "1"}, {"A": "2"}], "deleted": [1],
                                    "destroyed": [], "custom_metadata": {"env": "prod"},
                                    "max_versions": 0, "cas_required": false}},
   "namespaces": {"admin": {...same keys..., "namespaces": {"team1": {...}}}}}
  The userpass/approle/kubernetes value may also be the users/roles map directly (mount
  `userpass/`, `approle/`, `kubernetes/`).
"""
import json
import os
import posixpath
import socket
import sys
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakelib import BaseFakeHandler, FakeState, parse_args, serve  # noqa: E402
from vault_auth import (DENIED_BAD_TOKEN, DENIED_NO_TOKEN, DENIED_POLICY, Authz,  # noqa: E402
                        LoginMethods, Token)
from vault_kv import KV1, KV2, Clock, Err  # noqa: E402

VERSION = "1.17.3"
BUILTIN_MOUNTS = {"sys/": "system", "cubbyhole/": "cubbyhole", "identity/": "identity"}
AUTH_KINDS = ("userpass", "approle", "kubernetes")
TRUE = {"1", "t", "T", "TRUE", "true", "True"}
FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class Mount:
    def __init__(self, path, engine, spec):
        self.path = path
        self.engine = engine
        self.spec = spec


class Namespace:
    def __init__(self, path):
        self.path = path              # "" for root, "admin/", "admin/team1/"
        self.children = {}
        self.mounts = {}              # "secret/" -> Mount
        self.auth = {}                # "userpass/" -> (kind, cfg)
        self.policies = {}


def _hash(s, n=8):
    import hashlib
    return hashlib.sha256(s.encode()).hexdigest()[:n]


class VaultState(FakeState):
    def __init__(self, seed=None):
        super().__init__()
        self.load(seed or {})

    def load(self, seed):
        self.clock = Clock()
        self.authz = Authz(self.clock)
        self.sealed = False
        self.standby = False
        self.req_counter = 0
        self.root = Namespace("")
        self._load_ns(self.root, seed, is_root=True)

    def _load_ns(self, ns, seed, is_root=False):
        mounts = seed.get("mounts", {"secret/": 2} if is_root else {})
        for path, spec in mounts.items():
            if not isinstance(spec, dict):
                spec = {"version": spec}
            path = path.strip("/") + "/"
            ver = int(spec.get("version", 2))
            eng = KV2(self.clock, spec.get("max_versions", 0), spec.get("cas_required", False)) if ver == 2 \
                else KV1(self.clock)
            ns.mounts[path] = Mount(path, eng, spec)
        ns.policies = dict(seed.get("policies", {}))
        for kind in AUTH_KINDS:
            cfg = seed.get(kind)
            if not cfg:
                continue
            if not all(k.endswith("/") for k in cfg):
                cfg = {kind + "/": cfg}
            for m, users in cfg.items():
                ns.auth[m.strip("/") + "/"] = (kind, {(k.lower() if kind == "userpass" else k): v
                                                      for k, v in users.items()})
        tokens = seed.get("tokens", {"root": {"policies": ["root"]}} if is_root else {})
        for tid, t in tokens.items():
            pol = list(t.get("policies", ["default"]))
            if "root" not in pol and t.get("no_default_policy") is not True:
                pol.append("default")
            self.authz.tokens[tid] = Token(
                tid, ns.path, pol, display_name=t.get("display_name", "root" if "root" in pol else "token"),
                ttl=t.get("ttl", 0), num_uses=t.get("num_uses", 0), meta=t.get("meta"),
                path="auth/token/root" if "root" in pol else "auth/token/create",
                issued=self.clock.t, entity_id=t.get("entity_id", ""))
        for full, spec in seed.get("secrets", {}).items():
            m = self.find_mount(ns, full)
            if m is None:
                raise SystemExit(f"seed: no mount for secret {full!r} in namespace {ns.path!r}")
            rel = full[len(m.path):] if full.startswith(m.path) else ""
            if isinstance(m.engine, KV2):
                m.engine.seed_key(rel, spec)
            else:
                m.engine.data[rel] = dict(spec)
        for name, sub in seed.get("namespaces", {}).items():
            name = name.strip("/")
            child = Namespace(ns.path + name + "/")
            ns.children[name] = child
            self._load_ns(child, sub)

    @staticmethod
    def find_mount(ns, path):
        best = None
        for mp, m in ns.mounts.items():
            if (path + "/").startswith(mp) and (best is None or len(mp) > len(best.path)):
                best = m
        return best

    def ns_by_path(self, p):
        ns = self.root
        for part in [x for x in p.split("/") if x]:
            ns = ns.children.get(part)
            if ns is None:
                return None
        return ns

    def dump(self):
        out = {}

        def walk(ns):
            d = {"mounts": {}, "tokens": {}}
            for mp, m in ns.mounts.items():
                eng = m.engine
                d["mounts"][mp] = {"version": eng.version,
                                   ("keys" if eng.version == 2 else "data"): eng.dump() if eng.version == 2
                                   else dict(sorted(eng.data.items()))}
            for tid, t in self.authz.tokens.items():
                if t.ns == ns.path:
                    d["tokens"][tid] = dict(t.lookup(), revoked=t.revoked)
            out[ns.path] = d
            for c in ns.children.values():
                walk(c)
        walk(self.root)
        return out


def mount_info(m, with_path=None):
    if isinstance(m, str):  # a built-in
        t = BUILTIN_MOUNTS[m]
        info = {"accessor": f"{t}_{_hash(m)}", "config": {"default_lease_ttl": 0, "force_no_cache": False,
                                                           "max_lease_ttl": 0},
                "description": "", "external_entropy_access": False, "local": t == "cubbyhole",
                "options": None, "plugin_version": "", "running_plugin_version": f"v{VERSION}+builtin.vault",
                "running_sha256": "", "seal_wrap": t == "system", "type": t, "uuid": _uuid(m)}
    else:
        opts = m.spec["options"] if "options" in m.spec else {"version": str(m.engine.version)}
        info = {"accessor": f"kv_{_hash(m.path)}", "config": {"default_lease_ttl": 0, "force_no_cache": False,
                                                               "max_lease_ttl": 0},
                "description": m.spec.get("description", ""), "external_entropy_access": False,
                "local": False, "options": opts, "plugin_version": "",
                "running_plugin_version": "v0.20.0+builtin", "running_sha256": "", "seal_wrap": False,
                "type": "kv", "uuid": _uuid(m.path)}
        if m.spec.get("listing_visibility"):
            info["config"]["listing_visibility"] = m.spec["listing_visibility"]
    if with_path is not None:
        info["path"] = with_path
    return info


def _uuid(s):
    h = _hash(s, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class VaultHandler(BaseFakeHandler):
    server_version = "vault-fake"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms a request.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    # --- fakelib control extensions ------------------------------------------------------------
    def _control(self, body):
        st = self.state
        if self.path == "/_fake/vault/seed" and self.command == "POST":
            with st.lock:
                st.load(json.loads(body or b"{}"))
            return self.send_json(200, {"ok": True})
        if self.path == "/_fake/vault/state" and self.command == "POST":
            d = json.loads(body or b"{}")
            with st.lock:
                st.sealed = bool(d.get("sealed", st.sealed))
                st.standby = bool(d.get("standby", st.standby))
            return self.send_json(200, {"ok": True, "sealed": st.sealed, "standby": st.standby})
        if self.path == "/_fake/vault/dump":
            with st.lock:
                return self.send_json(200, st.dump())
        return super()._control(body)

    # --- responses -----------------------------------------------------------------------------
    def envelope(self, data=None, **kw):
        st = self.state
        st.req_counter += 1
        n = st.req_counter
        env = {"request_id": f"{n:08x}-0000-4000-8000-{n:012x}", "lease_id": "", "renewable": False,
               "lease_duration": 0, "data": data, "wrap_info": None, "warnings": None, "auth": None,
               "mount_type": ""}
        env.update(kw)
        return env

    def reply(self, status, obj=None):
        hdrs = {"Cache-Control": "no-store"}
        if status == 204:
            return self.send_raw(204, b"", hdrs, content_type=None)
        # Go's json.Encoder: compact, one trailing newline.
        self.send_raw(status, json.dumps(obj, separators=(",", ":")) + "\n", hdrs, content_type="application/json")

    def error(self, status, *msgs):
        self.reply(status, {"errors": list(msgs)})

    # --- main ----------------------------------------------------------------------------------
    def handle_request(self, body):
        st = self.state
        with st.lock:
            try:
                self.route(body)
            except Err as e:
                self.error(e.status, *e.msgs)

    def route(self, raw_body):
        st = self.state
        u = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if not u.path.startswith("/v1/"):
            raise Err(404)
        clean = posixpath.normpath(u.path) + ("/" if u.path.endswith("/") else "")
        if clean != u.path:
            # Go's http.ServeMux answers a non-canonical path (`//`, `/./`, `/../`) with a 301.
            loc = clean + ("?" + u.query if u.query else "")
            body = f'<a href="{loc}">Moved Permanently</a>.\n\n'
            return self.send_raw(301, body, {"Location": loc}, content_type="text/html; charset=utf-8")
        path = unquote(u.path[4:])
        method = self.command
        if method == "GET" and "list" in query:
            if query["list"] in TRUE:
                method = "LIST"
            elif query["list"] not in FALSE:
                raise Err(400)
        op = {"GET": "read", "LIST": "list", "DELETE": "delete", "POST": "write", "PUT": "write",
              "PATCH": "patch"}.get(method)
        if op is None:
            raise Err(405)
        if op == "list" and not path.endswith("/"):
            path += "/"

        # Unauthenticated system paths, answered even when sealed.
        if path.rstrip("/") in ("sys/health", "sys/seal-status", "sys/leader"):
            return self.sys_status(path.rstrip("/"), op, query)
        if st.sealed:
            raise Err(503, "Vault is sealed")
        if st.standby:
            raise Err(500, "local node not active but active cluster node not found")

        # Namespace: header, then leading path segments.
        ns = st.root
        hdr = (self.headers.get("X-Vault-Namespace") or "").strip().strip("/")
        if hdr:
            ns = st.ns_by_path(hdr)
            if ns is None:
                raise Err(404, "namespace not found")
        while True:
            head, sep, rest = path.partition("/")
            if sep and head in ns.children:
                ns, path = ns.children[head], rest
            else:
                break

        body = {}
        if op in ("write", "patch") and raw_body.strip():
            try:
                body = json.loads(raw_body)
            except ValueError as e:
                raise Err(400, f"failed to parse JSON input: {e}")
            if not isinstance(body, dict):
                raise Err(400, "failed to parse JSON input: json: cannot unmarshal array into Go value "
                               "of type map[string]interface {}")
        if op == "patch":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype != "application/merge-patch+json":
                raise Err(415, f"PATCH requires Content-Type of application/merge-patch+json, provided {ctype}")

        # KV preflight and the mount listing: no token required to reach the handler.
        if path.startswith("sys/internal/ui/mounts"):
            return self.ui_mounts(ns, path[len("sys/internal/ui/mounts"):].lstrip("/"), op)

        # Logins.
        if path.startswith("auth/"):
            rest = path[5:]
            for am, (kind, cfg) in ns.auth.items():
                if rest.startswith(am) and rest[len(am):].startswith("login"):
                    if op != "write":
                        raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
                    tok, meta = LoginMethods.login(st.authz, ns.path, kind, am, rest[len(am):], body, cfg)
                    st.authz.tokens[tok.id] = tok
                    return self.reply(200, self.envelope(None, auth=tok.auth_block(meta), mount_type=kind))

        token = self.authenticate(ns)
        tns = st.ns_by_path(token.ns)
        acl_prefix = ns.path[len(token.ns):]

        def check(cap, p=None):
            if not st.authz.allowed(token, tns, acl_prefix + (path if p is None else p), cap):
                raise Err(403, DENIED_POLICY)

        def use():
            if token.num_uses > 0:
                token.num_uses -= 1
                if token.num_uses == 0:
                    token.revoked = True

        # Token self-service.
        if path in ("auth/token/lookup-self", "auth/token/renew-self", "auth/token/revoke-self"):
            cap = "read" if path.endswith("lookup-self") and op == "read" else "update"
            if (path.endswith("lookup-self") and op not in ("read", "write")) or \
                    (not path.endswith("lookup-self") and op != "write"):
                raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
            check(cap)
            use()
            if path.endswith("lookup-self"):
                return self.reply(200, self.envelope(token.lookup(), mount_type="token"))
            if path.endswith("renew-self"):
                return self.reply(200, self.envelope(None, auth=token.auth_block(), mount_type="token"))
            token.revoked = True
            return self.reply(204)

        if path.rstrip("/") == "sys/mounts":
            if op != "read":
                raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
            check("read", "sys/mounts")
            use()
            data = {p: mount_info(p) for p in BUILTIN_MOUNTS}
            data.update({p: mount_info(m) for p, m in sorted(ns.mounts.items())})
            env = self.envelope(data, mount_type="system")
            env.update({k: v for k, v in data.items()})
            return self.reply(200, env)

        m = st.find_mount(ns, path)
        if m is None:
            check({"read": "read", "list": "list", "delete": "delete", "write": "update",
                   "patch": "patch"}[op])
            use()
            if path.startswith("auth/") and any(path[5:].startswith(a) for a in ns.auth):
                raise Err(404, "1 error occurred:\n\t* unsupported path\n\n")
            raise Err(404, f"no handler for route {json.dumps(path)}. route entry not found.")
        eng = m.engine
        rel = path[len(m.path):]
        cap = {"read": "read", "list": "list", "delete": "delete", "patch": "patch"}.get(op)
        kop = op
        if op == "write":
            existence = eng.version == 1 or KV2.split(rel)[0] in ("data", "metadata")
            kop = "create" if existence and not eng.exists(rel) else "update"
            cap = kop
        check(cap)
        use()
        status, data, extra = eng.handle(kop, rel, body, query)
        if isinstance(data, tuple) and data[0] == "raw":
            return self.reply(status, self.envelope(**dict(data[1], mount_type="")))
        if status == 204:
            return self.reply(204)
        if data is None:
            raise Err(404)
        return self.reply(status, self.envelope(data, mount_type="kv", **extra))

    def authenticate(self, ns):
        st = self.state
        tid = self.headers.get("X-Vault-Token")
        if not tid:
            auth = self.headers.get("Authorization") or ""
            if auth[:7].lower() == "bearer ":
                tid = auth[7:].strip()
        if not tid:
            raise Err(403, DENIED_NO_TOKEN)
        tok = st.authz.tokens.get(tid)
        if tok is None or tok.revoked or not ns.path.startswith(tok.ns):
            raise Err(403, DENIED_BAD_TOKEN)
        return tok

    # --- sys/internal/ui/mounts ----------------------------------------------------------------
    def ui_mounts(self, ns, p, op):
        st = self.state
        if op != "read":
            raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
        if p == "":
            tid = self.headers.get("X-Vault-Token")
            tok = st.authz.tokens.get(tid) if tid else None
            authed = tok is not None and not tok.revoked
            secret = {mp: (mount_info(m) if authed else
                           {"type": "kv", "description": m.spec.get("description", ""),
                            "options": mount_info(m)["options"]})
                      for mp, m in sorted(ns.mounts.items())
                      if authed or m.spec.get("listing_visibility") == "unauth"}
            return self.reply(200, self.envelope({"secret": secret, "auth": {}}, mount_type="system"))
        if not p.endswith("/"):
            p += "/"
        denied = ("preflight capability check returned 403, please ensure client's policies grant "
                  f"access to path {json.dumps(p)}")
        target, rest = ns, p
        while True:
            head, sep, r = rest.partition("/")
            if sep and head in target.children:
                target, rest = target.children[head], r
            else:
                break
        m = st.find_mount(target, rest)
        if m is None:
            raise Err(403, denied)
        shown = target.path[len(ns.path):] + m.path
        token = self.authenticate(ns)
        tns = st.ns_by_path(token.ns)
        if not st.authz.has_mount_access(token, tns, target.path[len(token.ns):] + m.path):
            raise Err(403, denied)
        return self.reply(200, self.envelope(mount_info(m, with_path=shown), mount_type="system"))

    # --- sys/health & co -----------------------------------------------------------------------
    def sys_status(self, path, op, query):
        st = self.state
        if op != "read":
            raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
        cluster = {"cluster_name": "vault-cluster-fake", "cluster_id": _uuid("cluster")}
        if path == "sys/health":
            body = {"initialized": True, "sealed": st.sealed, "standby": st.sealed or st.standby,
                    "performance_standby": False, "replication_performance_mode": "disabled",
                    "replication_dr_mode": "disabled", "server_time_utc": st.clock.t, "version": VERSION,
                    "enterprise": False, "echo_duration_ms": 0, "clock_skew_ms": 0,
                    "replication_primary_canary_age_ms": 0, "removed_from_cluster": False}
            if not st.sealed:
                body.update(cluster)

            def code(name, default):
                try:
                    return int(query.get(name, default))
                except ValueError:
                    return default
            if st.sealed:
                status = code("sealedcode", 503)
            elif st.standby:
                status = 200 if query.get("standbyok") in TRUE else code("standbycode", 429)
            else:
                status = code("activecode", 200)
            if status == 204:
                return self.reply(204)
            return self.reply(status, body)
        if path == "sys/seal-status":
            body = {"type": "shamir", "initialized": True, "sealed": st.sealed, "t": 1, "n": 1,
                    "progress": 0, "nonce": "", "version": VERSION, "build_date": "2024-01-01T00:00:00Z",
                    "migration": False, "recovery_seal": False, "storage_type": "inmem"}
            if not st.sealed:
                body.update(cluster)
            return self.reply(200, body)
        if st.sealed:
            raise Err(503, "Vault is sealed")
        return self.reply(200, {"ha_enabled": False, "is_self": False, "active_time": "0001-01-01T00:00:00Z",
                                "leader_address": "", "leader_cluster_address": "",
                                "performance_standby": False, "performance_standby_last_remote_wal": 0})


def main():
    args = parse_args(extra=lambda p: p.add_argument("--seed", help="JSON seed file"))
    seed = {}
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed = json.load(f)
    serve(VaultHandler, VaultState(seed), args)


if __name__ == "__main__":
    main()
