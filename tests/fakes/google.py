#!/usr/bin/env python3
"""A fake of Google Secret Manager REST v1, Google's OAuth 2.0 token endpoint and the GCE metadata
server, for the end-to-end tests of kestra-secrets. Written from Google's documentation (the v1 REST
reference and protos, the OAuth 2.0 service-account and refresh flows, the metadata-server docs,
cloud.google.com/apis/design/errors, AIP-160), never from a client's code.

Usage: google.py --seed FILE [--mode all|api|metadata] [--port N] [--tls-cert C --tls-key K]
                 [--max-seconds S]
Prints `READY <port> <scheme>` once listening (fakelib). One process serves every part by
default (`--mode all`); `--mode api` serves only /token + /v1 (no metadata server, so a probe of it
fails as off GCE), `--mode metadata` only the metadata server. Tokens live in the process that issued
them: to use metadata tokens against the API, use one `all` process (or seed static `tokens`).

MODELS
- POST /token (and /oauth2/v4/token), form-encoded:
  * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: the assertion's RS256 signature is
    verified with `cryptography` against the seeded service account named by `iss` (by `kid` =
    private_key_id when the header has one, else any of its keys); `aud` must be this endpoint's own
    URL (scheme://<Host header>/token, i.e. the key file's token_uri) or one of the seed's
    `token_audiences`; iat/exp: exp-iat <= 3600, not expired, iat not in the future (skew
    `clock_skew_seconds`, 60); scope present and made of Google scope URLs; `sub` (domain-wide
    delegation) only for accounts seeded with it. -> {"access_token","expires_in","token_type"}.
  * grant_type=refresh_token (authorized_user): client_id/client_secret (form or HTTP Basic),
    refresh_token. -> adds "scope".
  * errors in OAuth shape {"error","error_description"}: invalid_request, unsupported_grant_type,
    invalid_grant ("Invalid JWT Signature.", "Invalid grant: account not found", the 60-minute
    message, audience check, "Bad Request"), invalid_scope (400); invalid_client,
    unauthorized_client (401).
- Metadata server: GET / -> "computeMetadata/\\n"; /computeMetadata/v1/instance/service-accounts/
  {default|email}/{token[?scopes=a,b]|email|scopes}, /computeMetadata/v1/project/{project-id,
  numeric-project-id}. Requires `Metadata-Flavor: Google` (403 HTML otherwise, also with
  X-Forwarded-For); every answer carries `Metadata-Flavor: Google`; unknown paths 404 HTML.
- API: `Authorization: Bearer` checked on every call. Accepted: tokens this process issued (token
  endpoint, metadata server) or seeded (`tokens`), and self-signed service-account JWTs (AIP-4111,
  what the Google SDKs send by default for service-account keys): RS256 verified as above, iss ==
  sub, exactly one of aud = https://secretmanager[.<l>.rep].googleapis.com/ or a scope claim.
  Missing -> 401 CREDENTIALS_MISSING; unknown
  -> 401 ACCESS_TOKEN_TYPE_UNSUPPORTED; expired -> 401 ACCESS_TOKEN_EXPIRED (all with
  WWW-Authenticate); token without the cloud-platform scope -> 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT.
  Then IAM from the seed (403 "Permission '<perm>' denied for resource '<as written>' (or it may
  not exist)." + ErrorInfo IAM_PERMISSION_DENIED), checked BEFORE existence, so it masks NOT_FOUND.
  Unknown project -> the same 403; project seeded with api_enabled=false -> 403 SERVICE_DISABLED.
- Secret Manager v1, global `projects/{p}/secrets…` and regional `projects/{p}/locations/{l}/
  secrets…` (same host here): list (pageSize capped at 25000 / seed `max_page_size`, 0 = seed
  `default_page_size`; opaque pageToken bound to parent+filter; newest first by createTime as the
  v1 reference says; totalSize only without a filter), create (?secretId; replication automatic or
  userManaged required for global secrets, refused for regional ones; labels, annotations
  validated; 409 ALREADY_EXISTS), get, patch (?updateMask=labels,annotations,versionAliases,
  topics,expireTime,rotation,versionDestroyTtl; etag -> 409 ABORTED on mismatch), delete
  (permanent; ?etag), :addVersion (payload.data base64, ≤ 64 KiB; dataCrc32c int64 as string or
  number, verified -> 400 INVALID_ARGUMENT), versions list, versions/{n|latest|alias} get,
  :access (payload.data + dataCrc32c as a decimal string), :enable, :disable, :destroy (payload
  dropped, destroyTime set; on a DESTROYED version -> 400 FAILED_PRECONDITION "SecretVersion.state
  is already DESTROYED."). Access to a DISABLED/DESTROYED version -> 400 FAILED_PRECONDITION
  "Secret Version [projects/N/secrets/s/versions/V] is in DISABLED state."; `latest` = the highest
  number whatever its state; no versions -> 404 "Secret [..] not found or has no versions.".
  The project may be given by id or number; every returned name carries the NUMBER. Filters:
  see google_filter.py (name, labels.K, labels, create_time, replication.*; versions: name,
  state, create_time; unknown fields -> 400). `$alt=json;enum-encoding=int` (sent by the Google
  SDKs) turns `state` into numbers. Unknown query parameters / JSON fields -> 400 like Google's
  "Cannot bind query parameter" / "Cannot find field". Errors use
  {"error":{"code","message","status","details"?}}; timestamps are RFC 3339 UTC with 0/3/6/9
  fractional digits (microsecond clock); int64 values are strings; etags are quoted hex.
- Faults (fakelib `POST /_fake/faults`): a fault with a `status` and no `body` gets a Google body
  (API error envelope, or OAuth error on /token); `headers` e.g. {"Retry-After": "2"}.
- Extra control endpoints (besides fakelib's /_fake/faults, /_fake/requests, /_fake/reset):
  POST /_fake/google/corrupt-crc {"secret": "projects/<id|num>[/locations/l]/secrets/<id>",
       "on": true}  -> :access answers a wrong dataCrc32c for that secret;
  POST /_fake/google/clock {"advance": seconds}  -> moves the fake's clock (token expiry, iat);
  POST /_fake/google/expire-tokens  -> every issued token is expired from now on;
  POST /_fake/google/seed {"secrets": [...]}  -> adds seeded secrets (seed format);
  GET  /_fake/google/state  -> {"secrets": {name: {labels, annotations, versionAliases,
       replication, versions: {n: {state, data_base64}}}}, "tokens": N}.

SEED (JSON; every key optional; *_file paths relative to the seed file):
  {"projects": {"<id>": "<number>" | {"number": "<number>", "api_enabled": false}},
   "service_accounts": [{"client_email", "private_key_id", "public_key_file" | "public_key_pem",
                         "domain_wide_delegation": false}
                        | {"client_email", "keys": [{"private_key_id", "public_key_file"}...]}],
   "authorized_users": [{"client_id", "client_secret", "refresh_token", "email",
                         "scopes": [...]}],
   "metadata": {"email", "project_id", "project_number" (default: from projects), "scopes"},
   "tokens": {"<static bearer>": {"principal", "scopes", "expires_in"}},
   "iam": {"<principal email>|allAuthenticatedUsers": [{"resource": "*" | "projects/<id|num>"
           ["/locations/<l>"]["/secrets/<s>"], "role": "roles/..." | "roles": [...] |
           "permissions": ["secretmanager.versions.access", ...]}]},
   "token_audiences": ["https://oauth2.googleapis.com/token"],   # extra accepted JWT aud
   "clock_skew_seconds": 60, "token_lifetime_seconds": 3599,
   "max_page_size": 25000, "default_page_size": 25000,
   "secrets": [{"name": "projects/<id|num>[/locations/<l>]/secrets/<id>",
                "replication": {"automatic": {}} (default; ignored for regional),
                "labels": {}, "annotations": {}, "versionAliases": {"a": 1},
                "createTime": "RFC 3339" (default: seed order, oldest first),
                "corrupt_crc": false,
                "versions": [{"data": "text" | "data_base64": "...",
                              "state": "ENABLED|DISABLED|DESTROYED"}]}]}
  Roles known: roles/owner, editor, viewer, secretmanager.{admin, viewer, secretAccessor,
  secretVersionAdder, secretVersionManager}.

DOES NOT MODEL (honestly): gRPC; IAM policy methods (getIamPolicy/setIamPolicy/
testIamPermissions), IAM conditions, deny policies; rotation / topics / expiry behaviour (fields
stored and echoed only); version_destroy_ttl (destroy is immediate); CMEK; tags; secret types;
regional endpoint host checks (any host serves any location); ID tokens; external_account / STS / impersonation; x-goog-user-project / quota checks; the
mTLS endpoint; rate limits other than injected faults; the full AIP-160 grammar (functions,
`~` regex is refused, `annotations.*` filters are refused — only labels are documented); exact
wording of validation messages (labels, ids, checksum, etag) which Google does not document.
"""
import base64
import json
import os
import re
import sys
import time
import traceback
from urllib.parse import parse_qs, unquote, urlsplit

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402
from google_auth import AuthModel, OAuthError  # noqa: E402
from google_common import ApiError, envelope, error_info, invalid, parse_rfc3339, rfc3339  # noqa: E402
from google_sm import (LOCATION, SECRET_ID, Secret, SecretManager, Version,  # noqa: E402
                       check_annotations, check_labels)

COMMON_PARAMS = {"$alt", "alt", "$prettyPrint", "prettyPrint", "fields", "$fields", "key",
                 "quotaUser", "$.xgafv", "access_token", "oauth_token", "callback",
                 "upload_protocol", "uploadType", "$callback"}
LIST_PARAMS = {"pageSize", "page_size", "pageToken", "page_token", "filter"}
API_PATH = re.compile(r"/v1/projects/([^/:]+)(?:/locations/([^/:]+))?/secrets"
                      r"(?:/([^/:]+)(?:(/versions)(?:/([^/:]+))?)?)?(?::([A-Za-z]+))?")


class GoogleState(fakelib.FakeState):
    def __init__(self, seed, base_dir, mode, scheme):
        super().__init__()
        self.mode, self.scheme, self.offset, self.last_ns = mode, scheme, 0.0, 0
        self.projects, self.numbers, self.disabled = {}, {}, set()
        for pid, spec in seed.get("projects", {}).items():
            spec = spec if isinstance(spec, dict) else {"number": spec}
            num = str(spec["number"])
            self.projects[pid], self.numbers[num] = num, pid
            if spec.get("api_enabled") is False:
                self.disabled.add(num)
        self.max_page_size = min(int(seed.get("max_page_size", 25000)), 25000)
        self.default_page_size = int(seed.get("default_page_size", 25000))
        self.auth = AuthModel(seed, base_dir, self.clock)
        md = self.auth.metadata
        if md and "project_number" not in md and md.get("project_id") in self.projects:
            md["project_number"] = self.projects[md["project_id"]]
        self.secrets = {}
        self.sm = SecretManager(self)
        self.add_secrets(seed.get("secrets", []))

    def clock(self):
        return time.time() + self.offset

    def now_ns(self):
        ns = int(self.clock() * 1e6) * 1000
        self.last_ns = ns if ns > self.last_ns else self.last_ns + 1000
        return self.last_ns

    def number(self, project):
        if project in self.projects:
            return self.projects[project]
        return project if project in self.numbers else None

    def canon(self, resource):
        m = re.match(r"projects/([^/]+)(.*)", resource)
        if not m or not self.number(m.group(1)):
            return resource
        return f"projects/{self.number(m.group(1))}{m.group(2)}"

    def add_secrets(self, specs):
        base = self.now_ns() - len(specs) * 1_000_000_000
        for i, spec in enumerate(specs):
            name = self.canon(spec["name"])
            m = re.fullmatch(r"projects/(\d+)(?:/locations/([^/]+))?/secrets/([^/]+)", name)
            if not m or not SECRET_ID.fullmatch(m.group(3)):
                raise ValueError(f"seed: bad secret name {spec['name']!r}")
            rep = None if m.group(2) else spec.get("replication", {"automatic": {}})
            created = parse_rfc3339(spec["createTime"]) if spec.get("createTime") else \
                base + i * 1_000_000_000
            s = Secret(name, m.group(2), rep, created)
            s.labels, s.annotations = dict(spec.get("labels", {})), dict(spec.get("annotations", {}))
            check_labels(s.labels)
            check_annotations(s.annotations)
            s.corrupt_crc = bool(spec.get("corrupt_crc"))
            for j, vs in enumerate(spec.get("versions", [])):
                data = (base64.b64decode(vs["data_base64"]) if "data_base64" in vs
                        else vs.get("data", "").encode())
                v = Version(j + 1, data, created + (j + 1) * 1000)
                v.state = vs.get("state", "ENABLED")
                if v.state == "DESTROYED":
                    v.data, v.destroy_ns = None, v.create_ns + 1000
                s.versions[v.number] = v
                s.next_version = v.number + 1
            s.aliases = {k: int(v) for k, v in spec.get("versionAliases", {}).items()}
            self.secrets[name] = s

    def dump(self):
        out = {}
        for name, s in self.secrets.items():
            out[name] = {"labels": s.labels, "annotations": s.annotations,
                         "versionAliases": s.aliases, "replication": s.replication,
                         "createTime": rfc3339(s.create_ns), "corrupt_crc": s.corrupt_crc,
                         "versions": {str(n): {"state": v.state,
                                               "data_base64": None if v.data is None
                                               else base64.b64encode(v.data).decode()}
                                      for n, v in s.versions.items()}}
        return {"secrets": out, "tokens": len(self.auth.tokens)}


class Request:
    def __init__(self, handler, path, query):
        self.method, self.path, self.query = handler.command, path, query
        self.headers, self.body, self.principal = handler.headers, handler.body, None
        alt = (query.get("$alt") or query.get("alt") or [""])[0]
        self.numeric_enums = "enum-encoding=int" in alt.replace(" ", "")

    def q1(self, *names):
        for n in names:
            if n in self.query:
                return self.query[n][0]
        return None

    def json_body(self):
        if not self.body.strip():
            return {}
        try:
            obj = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise invalid(f"Invalid JSON payload received. {e}")
        if not isinstance(obj, dict):
            raise invalid("Invalid JSON payload received. Expected an object.")
        return obj


class GoogleHandler(fakelib.BaseFakeHandler):
    server_version = "ESF"
    sys_version = ""

    def version_string(self):
        return "Metadata Server for VM" if getattr(self, "_md", False) else "ESF"

    def handle_request(self, body):
        st = self.state
        self._md = False
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        try:
            with st.lock:
                if path in ("/token", "/oauth2/v4/token") and st.mode != "metadata":
                    return self._token(path)
                if (path == "/" or path.startswith("/computeMetadata/")) and st.mode != "api":
                    return self._metadata(path, query)
                if path.startswith("/v1/") and st.mode != "metadata":
                    return self._api(unquote(path), query)
            return self._not_found()
        except Exception:  # a bug in the fake: answer as Google would, and say so on stderr
            traceback.print_exc()
            return self.send_json(500, envelope(500, "INTERNAL", "Internal error encountered."))

    def _not_found(self):
        self.send_raw(404, "<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)</title>"
                      "<p><b>404.</b> <ins>That's an error.</ins><p>The requested URL was not "
                      "found on this server.</html>\n", content_type="text/html; charset=UTF-8")

    # --- token endpoint ---------------------------------------------------------------------
    def _token(self, path):
        headers = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
                   "Pragma": "no-cache"}
        if self.command != "POST":
            return self.send_json(405, {"error": "invalid_request",
                                        "error_description": "Only POST is supported."}, headers)
        own = f"{self.state.scheme}://{self.headers.get('Host', '')}{path}"
        try:
            out = self.state.auth.token_grant(self.headers, self.body, own)
        except OAuthError as e:
            return self.send_json(e.http, {"error": e.error, "error_description": e.description},
                                  headers)
        self.send_json(200, out, headers)

    # --- metadata server --------------------------------------------------------------------
    def _metadata(self, path, query):
        if self.command not in ("GET", "HEAD"):
            status, body, ctype = 405, "Method not allowed", "text/html; charset=UTF-8"
        else:
            status, body, ctype = self.state.auth.metadata_get(path, query, self.headers)
        self._md = True
        self.send_raw(status, body, {"Metadata-Flavor": "Google"}, content_type=ctype)

    # --- Secret Manager ---------------------------------------------------------------------
    def _api(self, path, query):
        m = API_PATH.fullmatch(path)
        if not m:
            return self._not_found()
        proj, loc, sid, versions, vid, verb = m.groups()
        route = self._route(self.command, sid, versions, vid, verb)
        if route is None:
            return self._not_found()
        method_name, allowed_params = route
        req = Request(self, path, query)
        try:
            req.principal = self.state.auth.authenticate(self.headers, method_name)
            for p in query:
                if p not in COMMON_PARAMS and p not in allowed_params:
                    raise invalid(f'Invalid JSON payload received. Unknown name "{p}": Cannot '
                                  "bind query parameter. Field '" + p + "' could not be found in "
                                  "request message.")
            out = self._call(req, method_name, proj, loc, sid, vid)
        except ApiError as e:
            return self.send_json(e.code, e.body(), e.headers)
        self.send_json(200, out)

    @staticmethod
    def _route(cmd, sid, versions, vid, verb):
        if sid is None:
            if verb:
                return None
            return {"GET": ("ListSecrets", LIST_PARAMS),
                    "POST": ("CreateSecret", {"secretId", "secret_id"})}.get(cmd)
        if versions is None:
            if verb:
                return ("AddSecretVersion", set()) if (cmd, verb) == ("POST", "addVersion") else None
            return {"GET": ("GetSecret", set()),
                    "PATCH": ("UpdateSecret", {"updateMask", "update_mask"}),
                    "DELETE": ("DeleteSecret", {"etag"})}.get(cmd)
        if vid is None:
            return ("ListSecretVersions", LIST_PARAMS) if cmd == "GET" and not verb else None
        if verb is None:
            return ("GetSecretVersion", set()) if cmd == "GET" else None
        if (cmd, verb) == ("GET", "access"):
            return ("AccessSecretVersion", set())
        if cmd == "POST" and verb in ("enable", "disable", "destroy"):
            return (verb.capitalize() + "SecretVersion", set())
        return None

    def _call(self, req, method_name, proj, loc, sid, vid):
        st, sm = self.state, self.state.sm
        written_parent = f"projects/{proj}" + (f"/locations/{loc}" if loc else "")
        num = st.number(proj)
        written = written_parent + (f"/secrets/{sid}" if sid else "")
        if num is None:  # an unknown project: Google answers as for a denied permission
            perm = {"ListSecrets": "secretmanager.secrets.list",
                    "CreateSecret": "secretmanager.secrets.create"}.get(
                method_name, "secretmanager.secrets.get")
            raise ApiError("PERMISSION_DENIED", f"Permission '{perm}' denied for resource "
                           f"'{written}' (or it may not exist).",
                           [error_info("IAM_PERMISSION_DENIED", "iam.googleapis.com",
                                       {"permission": perm, "resource": written})])
        if num in st.disabled:
            raise ApiError("PERMISSION_DENIED", f"Secret Manager API has not been used in project "
                           f"{num} before or it is disabled. Enable it by visiting https://console."
                           "developers.google.com/apis/api/secretmanager.googleapis.com/overview?"
                           f"project={num} then retry. If you enabled this API recently, wait a "
                           "few minutes for the action to propagate to our systems and retry.",
                           [error_info("SERVICE_DISABLED", "googleapis.com",
                                       {"service": "secretmanager.googleapis.com",
                                        "consumer": f"projects/{num}"})])
        if loc is not None and not LOCATION.fullmatch(loc):
            raise invalid(f"Location [{loc}] is not a valid location.")
        parent = f"projects/{num}" + (f"/locations/{loc}" if loc else "")
        if sid is not None and not SECRET_ID.fullmatch(sid):
            raise invalid(f"Secret ID [{sid}] is invalid: it must be at most 255 characters of "
                          "letters, digits, underscores and hyphens.")
        name = f"{parent}/secrets/{sid}" if sid else None
        if method_name == "ListSecrets":
            return sm.list_secrets(req, parent, written_parent)
        if method_name == "CreateSecret":
            return sm.create_secret(req, parent, written_parent, loc)
        if method_name == "GetSecret":
            return sm.get_secret(req, name, written)
        if method_name == "UpdateSecret":
            return sm.update_secret(req, name, written)
        if method_name == "DeleteSecret":
            return sm.delete_secret(req, name, written)
        if method_name == "AddSecretVersion":
            return sm.add_version(req, name, written)
        if method_name == "ListSecretVersions":
            return sm.list_versions(req, name, written)
        vwritten = f"{written}/versions/{vid}"
        if method_name == "GetSecretVersion":
            return sm.get_version(req, name, vid, vwritten)
        if method_name == "AccessSecretVersion":
            return sm.access(req, name, vid, vwritten)
        return sm.change_state(req, name, vid, method_name[:-len("SecretVersion")].lower(),
                               vwritten)

    # --- faults and control -----------------------------------------------------------------
    def _apply_fault(self, f):
        if "status" in f and "body" not in f and not f.get("fault"):
            f = dict(f)
            if urlsplit(self.path).path in ("/token", "/oauth2/v4/token"):
                f["body"] = {"error": "internal_failure" if f["status"] >= 500 else
                             "invalid_request", "error_description": "Injected fault."}
            else:
                f["body"] = envelope(f["status"], f.get("google_status"), f.get("message"))
            f.setdefault("headers", {})
        return super()._apply_fault(f)

    def _control(self, body):
        st = self.state
        if not self.path.startswith("/_fake/google/"):
            return super()._control(body)
        try:
            arg = json.loads(body or b"{}")
        except ValueError:
            return self.send_json(400, {"error": "control body is not JSON"})
        with st.lock:
            if self.path == "/_fake/google/state":
                return self.send_json(200, st.dump())
            if self.path == "/_fake/google/corrupt-crc" and self.command == "POST":
                s = st.secrets.get(st.canon(arg.get("secret", "")))
                if s is None:
                    return self.send_json(404, {"error": "no such secret"})
                s.corrupt_crc = bool(arg.get("on", True))
                return self.send_json(200, {"ok": True, "secret": s.name})
            if self.path == "/_fake/google/clock" and self.command == "POST":
                st.offset += float(arg.get("advance", 0))
                return self.send_json(200, {"ok": True, "offset": st.offset})
            if self.path == "/_fake/google/expire-tokens" and self.command == "POST":
                st.auth.expire_all()
                return self.send_json(200, {"ok": True})
            if self.path == "/_fake/google/seed" and self.command == "POST":
                try:
                    st.add_secrets(arg.get("secrets", []))
                except (ValueError, KeyError, ApiError) as e:
                    return self.send_json(400, {"error": str(e)})
                return self.send_json(200, {"ok": True})
        return self.send_json(404, {"error": "unknown control path"})


def main():
    args = fakelib.parse_args(extra=lambda p: (
        p.add_argument("--seed"),
        p.add_argument("--mode", choices=["all", "api", "metadata"], default="all")))
    seed, base_dir = {}, os.getcwd()
    if args.seed:
        with open(args.seed) as f:
            seed = json.load(f)
        base_dir = os.path.dirname(os.path.abspath(args.seed))
    state = GoogleState(seed, base_dir, args.mode, "https" if args.tls_cert else "http")
    fakelib.serve(GoogleHandler, state, args)


if __name__ == "__main__":
    main()
