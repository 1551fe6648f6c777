"""Auth side of the Google fake (google.py): the OAuth 2.0 token endpoint (JWT bearer grant with RS256
verification, refresh_token grant), the GCE metadata server, access tokens and IAM checks."""
import base64
import hashlib
import json
import re
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from google_common import ApiError, b64url_nopad_decode, error_info

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
SM_SERVICE = "secretmanager.googleapis.com"
TIME_MSG = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim.")
NO_CREDS_MSG = ("Request is missing required authentication credential. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project.")
BAD_CREDS_MSG = ("Request had invalid authentication credentials. Expected OAuth 2 access token, "
                 "login cookie or other valid authentication credential. See "
                 "https://developers.google.com/identity/sign-in/web/devconsole-project.")

ALL_PERMS = {
    "secretmanager.secrets.list", "secretmanager.secrets.create", "secretmanager.secrets.get",
    "secretmanager.secrets.update", "secretmanager.secrets.delete", "secretmanager.versions.add",
    "secretmanager.versions.list", "secretmanager.versions.get", "secretmanager.versions.access",
    "secretmanager.versions.enable", "secretmanager.versions.disable",
    "secretmanager.versions.destroy",
}
_VIEW = {"secretmanager.secrets.get", "secretmanager.secrets.list", "secretmanager.versions.get",
         "secretmanager.versions.list"}
ROLES = {
    "roles/owner": ALL_PERMS, "roles/editor": ALL_PERMS, "roles/viewer": _VIEW,
    "roles/secretmanager.admin": ALL_PERMS,
    "roles/secretmanager.viewer": _VIEW,
    "roles/secretmanager.secretAccessor": {"secretmanager.versions.access"},
    "roles/secretmanager.secretVersionAdder": {"secretmanager.versions.add"},
    "roles/secretmanager.secretVersionManager": {
        "secretmanager.versions.add", "secretmanager.versions.enable",
        "secretmanager.versions.disable", "secretmanager.versions.destroy",
        "secretmanager.versions.get", "secretmanager.versions.list"},
}


class OAuthError(Exception):
    def __init__(self, http, error, description):
        super().__init__(description)
        self.http, self.error, self.description = http, error, description


def load_public_key(spec, base_dir):
    import os
    pem = spec.get("public_key_pem")
    if not pem and spec.get("public_key_file"):
        with open(os.path.join(base_dir, spec["public_key_file"])) as f:
            pem = f.read()
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("service account keys must be RSA")
    return key


class AuthModel:
    """Seeded identities plus the issued tokens. Every method runs under the state's lock."""

    def __init__(self, seed, base_dir, clock):
        self.clock = clock  # () -> float seconds (the state's clock, which tests can advance)
        self.skew = float(seed.get("clock_skew_seconds", 60))
        self.lifetime = int(seed.get("token_lifetime_seconds", 3599))
        self.extra_audiences = list(seed.get("token_audiences", []))
        self.accounts = {}  # client_email -> {"keys": {kid: pubkey}, "dwd": bool}
        for sa in seed.get("service_accounts", []):
            keys = sa.get("keys") or [sa]
            self.accounts[sa["client_email"]] = {
                "keys": {k.get("private_key_id", ""): load_public_key(k, base_dir) for k in keys},
                "dwd": bool(sa.get("domain_wide_delegation", False))}
        self.users = {u["client_id"]: u for u in seed.get("authorized_users", [])}
        self.metadata = seed.get("metadata")
        self.iam = seed.get("iam", {})
        self.tokens = {}  # access token -> {"principal", "scopes", "expires"}
        self.counter = 0
        for tok, t in seed.get("tokens", {}).items():
            self.tokens[tok] = {"principal": t["principal"],
                                "scopes": set(t.get("scopes", [CLOUD_PLATFORM])),
                                "expires": self.clock() + float(t.get("expires_in", 86400))}

    # --- tokens -----------------------------------------------------------------------------
    def issue(self, principal, scopes):
        self.counter += 1
        digest = hashlib.sha256(f"{principal}|{self.counter}".encode()).hexdigest()[:40]
        tok = f"ya29.fake{self.counter:05d}.{digest}"
        self.tokens[tok] = {"principal": principal, "scopes": set(scopes),
                            "expires": self.clock() + self.lifetime}
        return {"access_token": tok, "expires_in": self.lifetime, "token_type": "Bearer"}

    def expire_all(self):
        for t in self.tokens.values():
            t["expires"] = min(t["expires"], self.clock() - 1)

    # --- token endpoint ---------------------------------------------------------------------
    def token_grant(self, headers, body, own_url):
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "Invalid Content-Type: expected "
                             "application/x-www-form-urlencoded")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                             keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError(400, "invalid_request", "Missing required parameter: grant_type")
        if grant == JWT_BEARER:
            return self._jwt_grant(form, own_url)
        if grant == "refresh_token":
            return self._refresh_grant(form, headers)
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")

    def verify_jwt(self, assertion):
        """Decodes an RS256 JWT signed by a seeded service account; returns (claims, account).
        Raises OAuthError(invalid_grant) as the token endpoint words it."""
        parts = assertion.split(".")
        try:
            if len(parts) != 3:
                raise ValueError("parts")
            header = json.loads(b64url_nopad_decode(parts[0]))
            claims = json.loads(b64url_nopad_decode(parts[1]))
            sig = b64url_nopad_decode(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError("not objects")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError(400, "invalid_grant", "Invalid JWT: could not decode the assertion.")
        if header.get("alg") != "RS256":
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        account = self.accounts.get(claims.get("iss"))
        if account is None:
            raise OAuthError(400, "invalid_grant", "Invalid grant: account not found")
        kid = header.get("kid")
        if kid is not None:
            candidates = [account["keys"][kid]] if kid in account["keys"] else []
        else:
            candidates = list(account["keys"].values())
        signed = f"{parts[0]}.{parts[1]}".encode()
        for key in candidates:
            try:
                key.verify(sig, signed, padding.PKCS1v15(), hashes.SHA256())
                break
            except InvalidSignature:
                continue
        else:
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        iat, exp, now = claims.get("iat"), claims.get("exp"), self.clock()
        if (not isinstance(iat, (int, float)) or not isinstance(exp, (int, float))
                or isinstance(iat, bool) or isinstance(exp, bool)
                or exp <= iat or exp - iat > 3600 or iat > now + self.skew or exp < now - self.skew):
            raise OAuthError(400, "invalid_grant", TIME_MSG)
        return claims, account

    def _jwt_grant(self, form, own_url):
        assertion = form.get("assertion")
        if not assertion:
            raise OAuthError(400, "invalid_request", "Missing required parameter: assertion")
        claims, account = self.verify_jwt(assertion)
        audiences = [own_url] + self.extra_audiences
        if claims.get("aud") not in audiences:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check. The right "
                             f"audience is {own_url}")
        if claims.get("target_audience"):
            raise OAuthError(400, "invalid_request", "ID tokens (target_audience) are not modelled "
                             "by this fake.")
        scopes = (claims.get("scope") or "").split()
        if not scopes or not all(_known_scope(s) for s in scopes):
            raise OAuthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience "
                             "provided.")
        principal = claims["iss"]
        if claims.get("sub") and claims["sub"] != principal:
            if not account["dwd"]:
                raise OAuthError(401, "unauthorized_client", "Client is unauthorized to retrieve "
                                 "access tokens using this method, or client not authorized for "
                                 "any of the scopes requested.")
            principal = claims["sub"]
        return self.issue(principal, scopes)

    def _refresh_grant(self, form, headers):
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = re.match(r"Basic\s+(\S+)", headers.get("Authorization") or "", re.I)
        if basic and not client_id:
            try:
                client_id, _, secret = base64.b64decode(basic.group(1)).decode().partition(":")
            except ValueError:
                pass
        if not client_id:
            raise OAuthError(400, "invalid_request", "Could not determine client ID from request.")
        user = self.users.get(client_id)
        if user is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if secret != user["client_secret"]:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        if not form.get("refresh_token"):
            raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token")
        if form["refresh_token"] != user["refresh_token"]:
            raise OAuthError(400, "invalid_grant", "Bad Request")
        granted = user.get("scopes") or [CLOUD_PLATFORM, "openid",
                                         "https://www.googleapis.com/auth/userinfo.email"]
        asked = (form.get("scope") or "").split()
        if asked and not set(asked) <= set(granted):
            raise OAuthError(400, "invalid_scope", "Some requested scopes were invalid. "
                             f"{{invalid={sorted(set(asked) - set(granted))}}}")
        out = self.issue(user.get("email", client_id), asked or granted)
        out["scope"] = " ".join(asked or granted)
        return out

    # --- API side ---------------------------------------------------------------------------
    def authenticate(self, headers, method_name):
        """Returns the principal of the request's bearer token, or raises ApiError."""
        meta = {"service": SM_SERVICE,
                "method": f"google.cloud.secretmanager.v1.SecretManagerService.{method_name}"}
        www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        auth = headers.get("Authorization")
        if not auth:
            raise ApiError("UNAUTHENTICATED", NO_CREDS_MSG,
                           [error_info("CREDENTIALS_MISSING", "googleapis.com", meta)], www)
        m = re.fullmatch(r"Bearer\s+(\S+)\s*", auth, re.I)
        tok = self.tokens.get(m.group(1)) if m else None
        if tok is None and m and m.group(1).count(".") == 2 and m.group(1).startswith("eyJ"):
            tok = self._self_signed(m.group(1))
        if tok is None:
            raise ApiError("UNAUTHENTICATED", BAD_CREDS_MSG,
                           [error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED", "googleapis.com", meta)],
                           dict(www, **{"WWW-Authenticate": 'Bearer realm="https://accounts.google'
                                        '.com/", error="invalid_token"'}))
        if tok["expires"] <= self.clock():
            raise ApiError("UNAUTHENTICATED", BAD_CREDS_MSG,
                           [error_info("ACCESS_TOKEN_EXPIRED", "googleapis.com", meta)],
                           dict(www, **{"WWW-Authenticate": 'Bearer realm="https://accounts.google'
                                        '.com/", error="invalid_token"'}))
        if CLOUD_PLATFORM not in tok["scopes"]:
            raise ApiError("PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                           [error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "googleapis.com", meta)],
                           {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                            'error="insufficient_scope", scope="' + CLOUD_PLATFORM + '"'})
        return tok["principal"]

    def _self_signed(self, jwt):
        """A self-signed service-account JWT used directly as the bearer token (AIP-4111): iss ==
        sub == the account, and either aud = https://secretmanager[.<loc>.rep].googleapis.com/ or
        a scope claim, never both. Returns a token record, or None when it is not acceptable."""
        try:
            claims, _ = self.verify_jwt(jwt)
        except OAuthError:
            return None
        if claims.get("sub") != claims.get("iss"):
            return None
        aud, scope = claims.get("aud"), claims.get("scope")
        if (aud is None) == (scope is None):
            return None
        if aud is not None and not re.fullmatch(
                r"https://secretmanager(\.[a-z0-9-]+\.rep)?\.googleapis\.com/?", str(aud)):
            return None
        scopes = set(str(scope).split()) if scope is not None else {CLOUD_PLATFORM}
        return {"principal": claims["iss"], "scopes": scopes, "expires": float(claims["exp"])}

    def allowed(self, principal, permission, resource, canon):
        """resource: the canonical name (projects/NUMBER/...); canon maps a seed resource to it."""
        for who in (principal, "allAuthenticatedUsers"):
            for grant in self.iam.get(who, []):
                res = grant.get("resource", "*")
                if res != "*":
                    res = canon(res)
                    if not (resource == res or resource.startswith(res + "/")):
                        continue
                perms = set(grant.get("permissions", []))
                for role in grant.get("roles", []) + ([grant["role"]] if "role" in grant else []):
                    perms |= ROLES.get(role, set())
                if permission in perms or "*" in perms:
                    return True
        return False

    # --- metadata server --------------------------------------------------------------------
    def metadata_get(self, path, query, headers):
        """Returns (status, body, content_type). The caller adds Metadata-Flavor: Google."""
        html = "text/html; charset=UTF-8"
        if path == "/":
            return 200, "computeMetadata/\n", "application/text"
        if not path.startswith("/computeMetadata/"):
            return 404, _html(404, "The requested URL was not found on this server."), html
        if headers.get("Metadata-Flavor") != "Google" or headers.get("X-Forwarded-For"):
            return 403, _html(403, 'Missing required header "Metadata-Flavor": "Google"'), html
        md = self.metadata or {}
        email = md.get("email", "")
        sa = re.fullmatch(r"/computeMetadata/v1/instance/service-accounts/([^/]+)/(token|email|"
                          r"scopes)", path)
        if sa and sa.group(1) in ("default", email) and email:
            scopes = md.get("scopes", [CLOUD_PLATFORM])
            if sa.group(2) == "email":
                return 200, email, "application/text"
            if sa.group(2) == "scopes":
                return 200, "".join(s + "\n" for s in scopes), "application/text"
            asked = [s for s in ",".join(query.get("scopes", [])).split(",") if s]
            return 200, json.dumps(self.issue(email, asked or scopes)), "application/json"
        if path == "/computeMetadata/v1/project/project-id" and md.get("project_id"):
            return 200, md["project_id"], "application/text"
        if path == "/computeMetadata/v1/project/numeric-project-id" and md.get("project_number"):
            return 200, str(md["project_number"]), "application/text"
        return 404, _html(404, "The requested URL was not found on this server."), html


def _known_scope(s):
    return s.startswith("https://www.googleapis.com/auth/") or s in ("openid", "email", "profile")


def _html(code, text):
    return (f"<!DOCTYPE html>\n<html lang=en>\n<title>Error {code}</title>\n"
            f"<p><b>{code}.</b> <ins>That's an error.</ins>\n<p>{text}\n")
