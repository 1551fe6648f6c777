"""Shared helpers of the Azure fake (azure.py): clock, ids, tokens, form/query parsing.

Tokens are JWT-shaped (header.payload.signature, base64url) and signed with HMAC-SHA256 under the
fake's own key, so the vault can tell the tokens this fake issued from forged or foreign ones. Real
Entra tokens are RS256; clients must treat access tokens as opaque, which is what this checks.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse

KEY_VAULT_RESOURCE = "https://vault.azure.net"
KEY_VAULT_APP_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
# Resources the token endpoints know (App ID URIs). Other `<uri>/.default` scopes -> AADSTS500011.
KNOWN_RESOURCES = {
    KEY_VAULT_RESOURCE: KEY_VAULT_RESOURCE,
    KEY_VAULT_APP_ID: KEY_VAULT_RESOURCE,
    "https://management.azure.com": "https://management.azure.com",
    "https://management.core.windows.net": "https://management.core.windows.net",
    "https://storage.azure.com": "https://storage.azure.com",
    "https://graph.microsoft.com": "https://graph.microsoft.com",
}


class Clock:
    """Wall clock plus an offset that tests can advance (POST /_fake/azure/clock)."""

    def __init__(self):
        self.offset = 0.0

    def now(self):
        return time.time() + self.offset

    def now_int(self):
        return int(self.now())


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    text = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text.encode())


def make_token(key, claims):
    header = {"typ": "JWT", "alg": "HS256", "kid": "azure-fake"}
    signing_input = b64url(json.dumps(header, separators=(",", ":"))) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")))
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def decode_jwt_unverified(token):
    """(header, claims) of a JWT-shaped string, or None if it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except Exception:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims


def verify_token(key, token):
    """Claims of a token this fake issued (signature checked), else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(key, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, b64url_decode(parts[2])):
            return None
        claims = json.loads(b64url_decode(parts[1]))
    except Exception:
        return None
    return claims if isinstance(claims, dict) else None


class Ids:
    """Deterministic ids: versions (32 hex), request ids (GUID-shaped)."""

    def __init__(self):
        self.versions = 0   # separate counters: versions depend only on the writes made
        self.guids = 0

    def next_hex(self, salt=""):
        self.versions += 1
        return hashlib.md5(f"{salt}:{self.versions}".encode()).hexdigest()

    def guid(self):
        self.guids += 1
        h = hashlib.md5(f"guid:{self.guids}".encode()).hexdigest()
        return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def split_url(path):
    """(path, {name: [values]}) with the path percent-decoded per segment later by callers."""
    parsed = urllib.parse.urlsplit(path)
    return parsed.path, urllib.parse.parse_qs(parsed.query, keep_blank_values=True)


def q1(query, name):
    v = query.get(name)
    return v[0] if v else None


def parse_form(body):
    try:
        return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8"),
                                                          keep_blank_values=True).items()}
    except Exception:
        return {}


def base_url(handler):
    """scheme://host[:port] as the client addressed this server (from the Host header)."""
    scheme = "https" if handler.server_scheme == "https" else "http"
    host = handler.headers.get("Host") or f"127.0.0.1:{handler.server.server_address[1]}"
    return f"{scheme}://{host}"
