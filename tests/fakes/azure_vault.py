"""Key Vault secrets data plane of the Azure fake (azure.py). See azure.py for the overview."""
import json
import re
import urllib.parse

from azure_common import KEY_VAULT_APP_ID, KEY_VAULT_RESOURCE, base_url, q1, verify_token
from azure_kvshapes import ShapesMixin

NAME_RE = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
MAX_TAGS = 15
MAX_VALUE_BYTES = 25 * 1024
ACCEPTED_AUDIENCES = (KEY_VAULT_RESOURCE, KEY_VAULT_APP_ID)


class Version:
    def __init__(self, version, value, content_type=None, tags=None, enabled=True, nbf=None,
                 exp=None, created=0, updated=None):
        self.version = version
        self.value = value
        self.content_type = content_type
        self.tags = dict(tags) if tags else None
        self.enabled = enabled
        self.nbf = nbf
        self.exp = exp
        self.created = created
        self.updated = updated if updated is not None else created


class Secret:
    def __init__(self, name):
        self.name = name
        self.versions = []          # creation order; the last one is the current version
        self.state = "active"       # active | deleting | deleted | recovering | purging
        self.until = 0.0            # when a transient state (deleting, recovering, purging) ends
        self.deleted_date = None
        self.scheduled_purge_date = None

    @property
    def latest(self):
        return self.versions[-1]


class VaultMixin(ShapesMixin):
    """Mixed into the handler; uses self.state (AzureState). Shapes and paging: azure_kvshapes."""

    # --- responses -------------------------------------------------------------------------
    def kv_headers(self, extra=None):
        h = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1",
             "x-ms-request-id": self.state.ids.guid(),
             "x-ms-keyvault-region": "fakeregion",
             "x-ms-keyvault-service-version": "1.9.2650.1",
             "x-ms-keyvault-network-info": "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;",
             "X-Content-Type-Options": "nosniff",
             "Strict-Transport-Security": "max-age=31536000;includeSubDomains"}
        cid = self.headers.get("x-ms-client-request-id")
        if cid:
            h["x-ms-client-request-id"] = cid
        if extra:
            h.update(extra)
        return h

    def kv_error(self, status, code, message, inner=None, extra_headers=None):
        err = {"code": code, "message": message}
        if inner:
            err["innererror"] = {"code": inner}
        self.send_json(status, {"error": err}, self.kv_headers(extra_headers))

    def kv_ok(self, status, obj):
        if status == 204:
            return self.send_raw(204, b"", self.kv_headers(), content_type=None)
        self.send_json(status, obj, self.kv_headers())

    def challenge_header(self):
        st = self.state
        v = st.seed.get("vault", {})
        authority = (v.get("challenge_authority") or base_url(self)).rstrip("/")
        parts = [f'Bearer authorization="{authority}/{st.vault_tenant}"']
        style = v.get("challenge_style", "resource")
        resource = v.get("challenge_resource", KEY_VAULT_RESOURCE)
        if style in ("resource", "both"):
            parts.append(f'resource="{resource}"')
        if style in ("scope", "both"):
            parts.append(f'scope="{resource}/.default"')
        return ", ".join(parts)

    def unauthorized(self, message):
        self.kv_error(401, "Unauthorized", message,
                      extra_headers={"WWW-Authenticate": self.challenge_header()})

    # --- auth ------------------------------------------------------------------------------
    def authenticate(self):
        """Claims of a valid bearer token, or None after answering 401."""
        st = self.state
        auth = self.headers.get("Authorization") or ""
        if not auth:
            self.unauthorized("AKV10000: Request is missing a Bearer or PoP token.")
            return None
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            self.unauthorized("AKV10000: Request is missing a Bearer or PoP token.")
            return None
        claims = verify_token(st.signing_key, token.strip())
        if claims is None:
            hdr = token.split(".")[0]
            self.unauthorized("AKV10046: Unable to resolve the key used for signature validation. "
                              f"EncodedJwtHeader: '{hdr}'.")
            return None
        aud = claims.get("aud")
        if aud not in ACCEPTED_AUDIENCES:
            self.unauthorized(f"AKV10022: Invalid audience. Expected {KEY_VAULT_RESOURCE} or "
                              f"{KEY_VAULT_APP_ID}, found: {aud}.")
            return None
        if claims.get("tid") != st.vault_tenant:
            t = st.vault_tenant
            self.unauthorized(f"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/{t}/, "
                              f"https://login.microsoftonline.com/{t}/v2.0, found: {claims.get('iss')}.")
            return None
        now = st.clock.now()
        if now >= claims.get("exp", 0):
            self.unauthorized("Token has expired.")  # wording unverified
            return None
        if now + 300 < claims.get("nbf", 0):
            self.unauthorized("Token not yet valid.")  # wording unverified
            return None
        return claims

    def rbac_denied(self, claims, action, name):
        st = self.state
        principals = {str(claims.get("appid", "")).lower(), str(claims.get("oid", "")).lower()}
        for rule in st.seed.get("rbac_denials", []):
            if str(rule.get("principal", "")).lower() not in principals:
                continue
            actions = rule.get("actions", ["*"])
            if "*" not in actions and action not in actions:
                continue
            names = rule.get("secrets")
            if names and (name is None or name.lower() not in [n.lower() for n in names]):
                continue
            full = ("Microsoft.KeyVault/vaults/secrets/delete" if action == "delete"
                    else f"Microsoft.KeyVault/vaults/secrets/{action}/action")
            vault = st.vault_name
            res = (f"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/fake-rg/"
                   f"providers/microsoft.keyvault/vaults/{vault}" + (f"/secrets/{name}" if name else ""))
            msg = ("Caller is not authorized to perform action on resource.\r\nIf role assignments, "
                   "deny assignments or role definitions were changed recently, please observe "
                   "propagation time.\r\n"
                   f"Caller: appid={claims.get('appid')};oid={claims.get('oid')};iss={claims.get('iss')}\r\n"
                   f"Action: '{full}'\r\nResource: '{res.lower()}'\r\nAssignment: (not found)\r\n"
                   f"DenyAssignmentId: null\r\nDecisionReason: null \r\nVault: {vault};location=fakeregion\r\n")
            self.kv_error(403, "Forbidden", msg, "ForbiddenByRbac")
            return True
        return False

    # --- dispatch --------------------------------------------------------------------------
    def try_vault(self, path, query, body):
        segs = [urllib.parse.unquote(s) for s in path.split("/")[1:]]
        if not segs or segs[0] not in ("secrets", "deletedsecrets"):
            return False
        st = self.state
        claims = self.authenticate()
        if claims is None:
            return True
        api = q1(query, "api-version")
        if not api:
            self.kv_error(400, "BadParameter", "The api-version query parameter is missing.")  # unverified wording
            return True
        if api not in st.api_versions:
            self.kv_error(400, "BadParameter", f"The specified version ({api}) is not recognized. "
                                               f"Consider using the latest supported version ({st.api_versions[-1]}).")
            return True
        self.api_version = api
        with st.lock:
            st.settle()
            self.route(segs, query, body, claims)
        return True

    def route(self, segs, query, body, claims):
        m = self.command
        root = segs[0]
        rest = segs[1:]
        # /secrets/{name}/ (trailing slash, as the SDKs send "get latest") = /secrets/{name}
        if len(rest) == 2 and rest[1] == "":
            rest = rest[:1]
        if root == "secrets":
            if not rest or rest == [""]:
                if m == "GET":
                    return self.op_list(claims, query)
                return self.method_not_allowed()
            name = rest[0]
            if not NAME_RE.match(name):
                return self.bad_name(name)
            if len(rest) == 1:
                if m == "GET":
                    return self.op_get(claims, name, "")
                if m == "PUT":
                    return self.op_set(claims, name, body)
                if m == "DELETE":
                    return self.op_delete(claims, name)
                if m == "PATCH":
                    return self.op_update(claims, name, "", body)
                return self.method_not_allowed()
            if len(rest) == 2:
                if rest[1] == "versions" and m == "GET":
                    return self.op_versions(claims, name, query)
                if m == "GET":
                    return self.op_get(claims, name, rest[1])
                if m == "PATCH":
                    return self.op_update(claims, name, rest[1], body)
                return self.method_not_allowed()
            return self.not_found_path()
        # deletedsecrets
        if not rest or rest == [""]:
            if m == "GET":
                return self.op_list_deleted(claims, query)
            return self.method_not_allowed()
        name = rest[0]
        if not NAME_RE.match(name):
            return self.bad_name(name)
        if len(rest) == 1:
            if m == "GET":
                return self.op_get_deleted(claims, name)
            if m == "DELETE":
                return self.op_purge(claims, name)
            return self.method_not_allowed()
        if len(rest) == 2 and rest[1] == "recover" and m == "POST":
            return self.op_recover(claims, name)
        return self.not_found_path()

    def method_not_allowed(self):
        self.kv_error(405, "MethodNotAllowed", f"The requested resource does not support http method '{self.command}'.")

    def not_found_path(self):
        self.kv_error(404, "NotFound", "The requested resource was not found.")

    def bad_name(self, name):
        self.kv_error(400, "BadParameter", f"The request URI contains an invalid name: {name}")

    def secret_not_found(self, name, version=""):
        ref = f"{name}/{version}" if version else name
        self.kv_error(404, "SecretNotFound",
                      f"A secret with (name/id) {ref} was not found in this key vault. If you "
                      "recently deleted this secret you may be able to recover it using the correct "
                      "recovery command. For help resolving this issue, please see "
                      "https://go.microsoft.com/fwlink/?linkid=2125182")

    def deleted_not_found(self, name):
        self.kv_error(404, "SecretNotFound", f"Deleted Secret not found: {name}")  # wording unverified

    def active(self, name):
        s = self.state.secrets.get(name.lower())
        return s if s is not None and s.state == "active" else None

    # --- operations ------------------------------------------------------------------------
    def op_list(self, claims, query):
        if self.rbac_denied(claims, "readMetadata", None):
            return
        st = self.state
        secrets = sorted((s for s in st.secrets.values() if s.state == "active"),
                         key=lambda s: s.name.lower())
        items = [self.item(s, s.latest, False) for s in secrets]
        r = self.page(items, query, "/secrets")
        if r is not None:
            self.kv_ok(200, {"value": r[0], "nextLink": r[1]})

    def op_versions(self, claims, name, query):
        if self.rbac_denied(claims, "readMetadata", name):
            return
        s = self.active(name)
        if s is None:
            return self.secret_not_found(name)
        vs = sorted(s.versions, key=lambda v: v.version)
        items = [self.item(s, v, True) for v in vs]
        r = self.page(items, query, f"/secrets/{s.name}/versions")
        if r is not None:
            self.kv_ok(200, {"value": r[0], "nextLink": r[1]})

    def op_get(self, claims, name, version):
        if self.rbac_denied(claims, "getSecret", name):
            return
        s = self.active(name)
        if s is None:
            return self.secret_not_found(name, version)
        if version:
            v = next((x for x in s.versions if x.version.lower() == version.lower()), None)
            if v is None:
                return self.secret_not_found(name, version)
        else:
            v = s.latest
        if not v.enabled:
            return self.kv_error(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                                 "SecretDisabled")
        self.kv_ok(200, self.bundle(s, v))

    def parse_body(self, body):
        try:
            d = json.loads(body or b"null")
        except Exception:
            self.kv_error(400, "BadParameter", "The request body is not valid JSON.")  # unverified
            return None
        if not isinstance(d, dict):
            self.kv_error(400, "BadParameter", "The request body must be a JSON object.")  # unverified
            return None
        return d

    def check_props(self, d):
        """Validates contentType, tags, attributes of a PUT/PATCH body; answers 400 if bad."""
        tags = d.get("tags")
        if tags is not None:
            if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in tags.items()):
                self.kv_error(400, "BadParameter", "Tags must be an object of string values.")
                return False
            if len(tags) > MAX_TAGS:
                self.kv_error(400, "BadParameter", f"The number of tags exceeds the limit of {MAX_TAGS}.")
                return False
            if any(len(k) > 512 or len(v) > 256 for k, v in tags.items()):
                self.kv_error(400, "BadParameter", "Tag names are limited to 512 characters and tag "
                                                   "values to 256 characters.")
                return False
        ct = d.get("contentType")
        if ct is not None and (not isinstance(ct, str) or len(ct) > 255):
            self.kv_error(400, "BadParameter", "contentType must be a string of at most 255 characters.")
            return False
        attrs = d.get("attributes")
        if attrs is not None:
            if not isinstance(attrs, dict):
                self.kv_error(400, "BadParameter", "attributes must be an object.")
                return False
            for k in ("nbf", "exp"):
                if attrs.get(k) is not None and not isinstance(attrs[k], int):
                    self.kv_error(400, "BadParameter", f"attributes.{k} must be an integer (Unix time).")
                    return False
            if attrs.get("enabled") is not None and not isinstance(attrs["enabled"], bool):
                self.kv_error(400, "BadParameter", "attributes.enabled must be a boolean.")
                return False
        return True

    def op_set(self, claims, name, body):
        if self.rbac_denied(claims, "setSecret", name):
            return
        st = self.state
        d = self.parse_body(body)
        if d is None:
            return
        value = d.get("value")
        if not isinstance(value, str):
            return self.kv_error(400, "BadParameter", "Property value is required.")  # unverified
        if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
            return self.kv_error(400, "BadParameter", "Secret value exceeds the maximum size of 25 KB.")
        if not self.check_props(d):
            return
        s = st.secrets.get(name.lower())
        if s is not None and s.state != "active":
            return self.conflict_for_state(s, write=True)
        attrs = d.get("attributes") or {}
        now = st.clock.now_int()
        if s is None:
            s = Secret(name)
            st.secrets[name.lower()] = s
        v = Version(st.ids.next_hex(s.name.lower()), value, d.get("contentType"), d.get("tags"),
                    attrs.get("enabled", True) is not False, attrs.get("nbf"), attrs.get("exp"), now)
        s.versions.append(v)
        self.kv_ok(200, self.bundle(s, v))

    def conflict_for_state(self, s, write):
        n = s.name
        if s.state == "deleted":
            return self.kv_error(409, "Conflict",
                                 f"Secret {n} is currently in a deleted but recoverable state, and its "
                                 "name cannot be reused; in this state, the secret can only be "
                                 "recovered or purged.", "ObjectIsDeletedButRecoverable")
        if s.state in ("deleting", "purging"):
            msg = (f"Secret {n} is currently being deleted and cannot be re-created; retry later."
                   if write else "Secret is currently being deleted.")
            return self.kv_error(409, "Conflict", msg, "ObjectIsBeingDeleted")
        if s.state == "recovering":
            msg = (f"Secret {n} is currently being recovered and cannot be re-created; retry later."
                   if write else "Secret is currently being recovered.")
            return self.kv_error(409, "Conflict", msg, "ObjectIsBeingRecovered")
        return self.secret_not_found(n)

    def op_update(self, claims, name, version, body):
        if self.rbac_denied(claims, "update", name):
            return
        st = self.state
        d = self.parse_body(body)
        if d is None:
            return
        if not self.check_props(d):
            return
        s = self.active(name)
        if s is None:
            return self.secret_not_found(name, version)
        if version:
            v = next((x for x in s.versions if x.version.lower() == version.lower()), None)
            if v is None:
                return self.secret_not_found(name, version)
        else:
            v = s.latest
        if "contentType" in d:
            v.content_type = d["contentType"]
        if "tags" in d:
            v.tags = dict(d["tags"]) if d["tags"] is not None else None
        attrs = d.get("attributes") or {}
        if attrs.get("enabled") is not None:
            v.enabled = attrs["enabled"]
        for k in ("nbf", "exp"):
            if k in attrs:
                setattr(v, k, attrs[k])
        v.updated = st.clock.now_int()
        self.kv_ok(200, self.bundle(s, v, with_value=False))

    def op_delete(self, claims, name):
        if self.rbac_denied(claims, "delete", name):
            return
        st = self.state
        s = self.active(name)
        if s is None:
            return self.secret_not_found(name)
        now = st.clock.now()
        b = self.bundle(s, s.latest, with_value=False)
        if "Recoverable" not in st.recovery_level:  # soft delete off: gone at once
            del st.secrets[s.name.lower()]
            return self.kv_ok(200, b)
        s.deleted_date = int(now)
        s.scheduled_purge_date = int(now) + st.recoverable_days * 86400
        if st.delete_delay > 0:
            s.state, s.until = "deleting", now + st.delete_delay
        else:
            s.state = "deleted"
        self.kv_ok(200, self.deleted_fields(s, b))

    def op_get_deleted(self, claims, name):
        if self.rbac_denied(claims, "readMetadata", name):
            return
        s = self.state.secrets.get(name.lower())
        if s is None or s.state != "deleted":
            return self.deleted_not_found(name)
        self.kv_ok(200, self.deleted_fields(s, self.bundle(s, s.latest, with_value=False)))

    def op_list_deleted(self, claims, query):
        if self.rbac_denied(claims, "readMetadata", None):
            return
        st = self.state
        secrets = sorted((s for s in st.secrets.values() if s.state == "deleted"),
                         key=lambda s: s.name.lower())
        items = [self.deleted_fields(s, self.item(s, s.latest, False)) for s in secrets]
        for i, s in zip(items, secrets):
            i["id"] = f"{base_url(self)}/secrets/{s.name}"
        r = self.page(items, query, "/deletedsecrets")
        if r is not None:
            self.kv_ok(200, {"value": r[0], "nextLink": r[1]})

    def op_recover(self, claims, name):
        if self.rbac_denied(claims, "recover", name):
            return
        st = self.state
        s = st.secrets.get(name.lower())
        if s is None or s.state == "active":
            return self.deleted_not_found(name)
        if s.state != "deleted":
            return self.conflict_for_state(s, write=False)
        b = self.bundle(s, s.latest, with_value=False)
        s.deleted_date = s.scheduled_purge_date = None
        if st.recover_delay > 0:
            s.state, s.until = "recovering", st.clock.now() + st.recover_delay
        else:
            s.state = "active"
        self.kv_ok(200, b)

    def op_purge(self, claims, name):
        if self.rbac_denied(claims, "purge", name):
            return
        st = self.state
        s = st.secrets.get(name.lower())
        if s is None or s.state == "active":
            return self.deleted_not_found(name)
        if s.state != "deleted":
            return self.conflict_for_state(s, write=False)
        if "Purgeable" not in st.recovery_level:
            return self.kv_error(403, "Forbidden", "Operation \"purge\" is not enabled for this vault.")  # unverified
        if st.purge_delay > 0:
            s.state, s.until = "purging", st.clock.now() + st.purge_delay
        else:
            del st.secrets[s.name.lower()]
        self.kv_ok(204, None)
