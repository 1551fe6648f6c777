"""Shared pieces of the Google fake (google.py): the error envelope, timestamps, CRC32C, base64."""
import base64
import binascii
import time

# google.rpc.Code names and their HTTP mapping (cloud.google.com/apis/design/errors).
HTTP_OF = {
    "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ABORTED": 409,
    "ALREADY_EXISTS": 409, "RESOURCE_EXHAUSTED": 429, "CANCELLED": 499, "DATA_LOSS": 500,
    "UNKNOWN": 500, "INTERNAL": 500, "NOT_IMPLEMENTED": 501, "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
STATUS_OF_HTTP = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED",
                  500: "INTERNAL", 501: "NOT_IMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
                  504: "DEADLINE_EXCEEDED"}
DEFAULT_MESSAGE = {
    "RESOURCE_EXHAUSTED": "Quota exceeded for quota metric 'Access requests' and limit 'Access "
                          "requests per minute per project' of service 'secretmanager.googleapis.com'.",
    "UNAVAILABLE": "The service is currently unavailable.",
    "INTERNAL": "Internal error encountered.",
    "DEADLINE_EXCEEDED": "Deadline exceeded.",
}


class ApiError(Exception):
    """A google.rpc.Status answer: {"error": {"code", "message", "status", "details"?}}."""

    def __init__(self, status, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = HTTP_OF[status]
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self):
        err = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def envelope(http_status, status=None, message=None):
    status = status or STATUS_OF_HTTP.get(http_status, "UNKNOWN")
    return {"error": {"code": http_status, "message": message or DEFAULT_MESSAGE.get(status, status),
                      "status": status}}


def error_info(reason, domain, metadata):
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
            "domain": domain, "metadata": metadata}


def invalid(message):
    return ApiError("INVALID_ARGUMENT", message)


def rfc3339(ns):
    """proto3 JSON Timestamp: UTC, 'Z', 0/3/6/9 fractional digits (the fewest that are exact)."""
    secs, frac = divmod(int(ns), 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    if frac == 0:
        return base + "Z"
    if frac % 1_000_000 == 0:
        return f"{base}.{frac // 1_000_000:03d}Z"
    if frac % 1000 == 0:
        return f"{base}.{frac // 1000:06d}Z"
    return f"{base}.{frac:09d}Z"


def parse_rfc3339(s):
    """Returns ns since the epoch, or None."""
    import datetime
    import re
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", s or "")
    if not m:
        return None
    dt = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    off = 0
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        off = sign * (int(m.group(3)[1:3]) * 3600 + int(m.group(3)[4:6]) * 60)
    secs = int(dt.replace(tzinfo=datetime.timezone.utc).timestamp()) - off
    frac = int((m.group(2) or "0").ljust(9, "0"))
    return secs * 1_000_000_000 + frac


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def b64decode_std(s):
    """proto3 JSON bytes: standard or URL-safe base64, padding optional. Raises ValueError."""
    s = s.strip()
    s = s.replace("-", "+").replace("_", "/")
    s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(str(e))


def b64url_nopad_decode(s):
    if not isinstance(s, str) or any(c in s for c in "+/= \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError) as e:
        raise ValueError(str(e))


def b64(data):
    return base64.b64encode(data).decode()
