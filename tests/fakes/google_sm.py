"""Secret Manager v1 side of the Google fake (google.py): the data model and the REST methods."""
import base64
import json
import re
import unicodedata

from google_common import ApiError, b64, b64decode_std, crc32c, error_info, invalid, rfc3339
from google_filter import Filter

ENUM_INT = {"ENABLED": 1, "DISABLED": 2, "DESTROYED": 3}
SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
LOCATION = re.compile(r"[a-z]+(?:-[a-z]+)+[0-9]+")
ANNOT_KEY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
SECRET_FIELDS = {"name", "replication", "createTime", "labels", "topics", "expireTime", "ttl",
                 "etag", "rotation", "versionAliases", "annotations", "versionDestroyTtl",
                 "customerManagedEncryption", "tags", "secretType"}
PASSTHROUGH = ("topics", "expireTime", "rotation", "versionDestroyTtl",
               "customerManagedEncryption", "secretType")
MASKABLE = {"labels": "labels", "annotations": "annotations", "version_aliases": "versionAliases",
            "versionAliases": "versionAliases", "topics": "topics", "expire_time": "expireTime",
            "expireTime": "expireTime", "rotation": "rotation",
            "version_destroy_ttl": "versionDestroyTtl", "versionDestroyTtl": "versionDestroyTtl"}


def _snake_to_camel(obj):
    if isinstance(obj, dict):
        return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), k): v for k, v in obj.items()}
    return obj


def _label_ok(text, first):
    if len(text) > 63 or len(text.encode()) > 128 or (first and not text):
        return False
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if cat in ("Ll", "Lo"):
            continue
        if i == 0 and first:
            return False
        if not (cat.startswith("N") or ch in "_-"):
            return False
    return True


def check_labels(labels):
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise invalid("Invalid JSON payload received. 'labels' must be a map of strings.")
    if len(labels) > 64:
        raise invalid("A resource cannot have more than 64 labels.")
    for k, v in labels.items():
        if not _label_ok(k, True):
            raise invalid(f"Label key [{k}] is invalid: keys must be 1-63 characters, start with a "
                          "lower-case letter and contain only lower-case letters, digits, "
                          "underscores and dashes.")
        if not _label_ok(v, False):
            raise invalid(f"Label value [{v}] for key [{k}] is invalid: values must be 0-63 "
                          "characters of lower-case letters, digits, underscores and dashes.")


def check_annotations(ann):
    if not isinstance(ann, dict) or not all(isinstance(v, str) for v in ann.values()):
        raise invalid("Invalid JSON payload received. 'annotations' must be a map of strings.")
    for k in ann:
        if not ANNOT_KEY.fullmatch(k) or len(k.encode()) > 128:
            raise invalid(f"Annotation key [{k}] is invalid: keys must be 1-63 characters, begin "
                          "and end with an alphanumeric character and contain only "
                          "alphanumerics, dashes, underscores and dots.")
    if sum(len(k.encode()) + len(v.encode()) for k, v in ann.items()) >= 16 * 1024:
        raise invalid("The total size of annotation keys and values must be less than 16KiB.")


def check_aliases(al):
    if not isinstance(al, dict):
        raise invalid("Invalid JSON payload received. 'versionAliases' must be a map.")
    out = {}
    for k, v in al.items():
        if not ALIAS.fullmatch(k) or k in ("latest", "NEW"):
            raise invalid(f"Version alias [{k}] is invalid.")
        try:
            out[k] = int(v)
        except (TypeError, ValueError):
            raise invalid(f"Invalid value at 'secret.version_aliases[{k}]' (TYPE_INT64), {v!r}")
    return out


class Version:
    def __init__(self, number, data, now_ns, client_crc=False):
        self.number, self.data, self.client_crc = number, data, client_crc
        self.create_ns = self.update_ns = now_ns
        self.state, self.destroy_ns = "ENABLED", None


class Secret:
    def __init__(self, name, location, replication, now_ns):
        self.name, self.location, self.replication = name, location, replication
        self.create_ns = self.update_ns = now_ns
        self.labels, self.annotations, self.aliases, self.extra = {}, {}, {}, {}
        self.versions, self.next_version, self.corrupt_crc = {}, 1, False

    @property
    def etag(self):
        return f'"{self.update_ns // 1000:x}"'


def version_etag(v):
    return f'"{v.update_ns // 1000:x}"'


class SecretManager:
    """Holds the secrets; `call` serves one REST request. Runs under the state's lock."""

    def __init__(self, state):
        self.st = state  # google.GoogleState: projects, auth, clock, secrets

    # --- rendering --------------------------------------------------------------------------
    def secret_json(self, s):
        out = {"name": s.name, "createTime": rfc3339(s.create_ns), "etag": s.etag}
        if s.location is None:
            out["replication"] = s.replication
        if s.labels:
            out["labels"] = dict(s.labels)
        if s.annotations:
            out["annotations"] = dict(s.annotations)
        if s.aliases:
            out["versionAliases"] = {k: str(v) for k, v in s.aliases.items()}
        out.update(s.extra)
        return out

    def version_json(self, s, v, numeric):
        out = {"name": f"{s.name}/versions/{v.number}", "createTime": rfc3339(v.create_ns),
               "state": ENUM_INT[v.state] if numeric else v.state, "etag": version_etag(v)}
        if v.destroy_ns is not None:
            out["destroyTime"] = rfc3339(v.destroy_ns)
        if s.location is None:
            if "userManaged" in s.replication:
                reps = [{"location": r.get("location")} for r in
                        s.replication["userManaged"].get("replicas", [])]
                out["replicationStatus"] = {"userManaged": {"replicas": reps}}
            else:
                out["replicationStatus"] = {"automatic": {}}
        if v.client_crc:
            out["clientSpecifiedPayloadChecksum"] = True
        return out

    # --- helpers ----------------------------------------------------------------------------
    def _need(self, req, perm, written, canonical):
        if not self.st.auth.allowed(req.principal, perm, canonical, self.st.canon):
            raise ApiError("PERMISSION_DENIED", f"Permission '{perm}' denied for resource "
                           f"'{written}' (or it may not exist).",
                           [error_info("IAM_PERMISSION_DENIED", "iam.googleapis.com",
                                       {"permission": perm, "resource": written})])

    def _secret(self, canonical):
        s = self.st.secrets.get(canonical)
        if s is None:
            raise ApiError("NOT_FOUND", f"Secret [{canonical}] not found.")
        return s

    def _version(self, s, vid):
        if vid == "latest":
            if not s.versions:
                raise ApiError("NOT_FOUND", f"Secret [{s.name}] not found or has no versions.")
            return s.versions[max(s.versions)]
        if vid.isdigit() and int(vid) > 0:
            v = s.versions.get(int(vid))
        elif vid in s.aliases:
            v = s.versions.get(s.aliases[vid])
        elif ALIAS.fullmatch(vid):
            raise ApiError("NOT_FOUND", f"Alias [{vid}] not found for secret [{s.name}].")
        else:
            raise invalid(f"Invalid version id [{vid}].")
        if v is None:
            raise ApiError("NOT_FOUND", f"Secret Version [{s.name}/versions/{vid}] not found.")
        return v

    @staticmethod
    def _page_args(req):
        raw = req.q1("pageSize", "page_size") or "0"
        try:
            size = int(raw)
        except ValueError:
            raise invalid(f"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\"")
        if size < 0:
            raise invalid("page_size must be non-negative.")
        return size, req.q1("pageToken", "page_token") or "", req.q1("filter") or ""

    def _page(self, items, size, token, ftext, parent):
        """items: [(sort_key, json)] sorted newest first. Token = the last key served, opaque."""
        start = 0
        if token:
            try:
                t = json.loads(base64.urlsafe_b64decode(token.encode() + b"=="))
                assert t["p"] == parent and t["f"] == ftext
                last = tuple(t["k"])
            except Exception:
                raise invalid("Invalid page token.")
            start = next((i for i, (k, _) in enumerate(items) if k < last), len(items))
        cap = self.st.max_page_size
        size = min(size, cap) if size else min(self.st.default_page_size, cap)
        page = items[start:start + size]
        out = {}
        if start + size < len(items):
            tok = {"p": parent, "f": ftext, "k": list(page[-1][0])}
            out["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps(tok, separators=(",", ":")).encode()).decode().rstrip("=")
        return [j for _, j in page], out

    # --- methods ----------------------------------------------------------------------------
    def list_secrets(self, req, parent, written):
        size, token, ftext = self._page_args(req)
        self._need(req, "secretmanager.secrets.list", written, parent)
        fields = {
            "name": lambda s, _: s.name,
            "labels.": lambda s, k: s.labels.get(k),
            "labels": lambda s, _: " ".join(s.labels) if s.labels else None,
            "create_time": lambda s, _: rfc3339(s.create_ns),
            "replication.automatic": lambda s, _: "" if "automatic" in (s.replication or {})
            else None,
            "replication.user_managed.replicas.location": lambda s, _: " ".join(
                r.get("location", "") for r in (s.replication or {}).get("userManaged", {})
                .get("replicas", [])) or None,
            "__text__": lambda s, _: [s.name, *s.labels.keys(), *s.labels.values()],
        }
        flt = Filter(ftext, fields, ["create_time"])
        mine = [s for s in self.st.secrets.values()
                if s.name.startswith(parent + "/secrets/") and flt.matches(s)]
        mine.sort(key=lambda s: (s.create_ns, s.name), reverse=True)
        page, out = self._page([((s.create_ns, s.name), self.secret_json(s)) for s in mine],
                               size, token, ftext, parent)
        if page:
            out["secrets"] = page
        if not ftext and mine:
            out["totalSize"] = len(mine)
        return out

    def create_secret(self, req, parent, written, location):
        sid = req.q1("secretId", "secret_id")
        self._need(req, "secretmanager.secrets.create", written, parent)
        if not sid:
            raise invalid("secret_id is required.")
        if not SECRET_ID.fullmatch(sid):
            raise invalid(f"Secret ID [{sid}] is invalid: it must be at most 255 characters of "
                          "letters, digits, underscores and hyphens.")
        body = _snake_to_camel(req.json_body())
        unknown = set(body) - SECRET_FIELDS
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}" at '
                          "'secret': Cannot find field.")
        rep = _snake_to_camel(body.get("replication"))
        if location is None:
            if not rep or not ({"automatic", "userManaged"} & set(rep)) or len(rep) != 1:
                raise invalid("Secret.replication must specify exactly one of automatic or "
                              "user_managed.")
            if "userManaged" in rep:
                reps = (rep["userManaged"] or {}).get("replicas") or []
                if not reps or not all(LOCATION.fullmatch(str(r.get("location", "")))
                                       for r in reps):
                    raise invalid("Secret.replication.user_managed.replicas must list at least "
                                  "one replica, each with a valid location.")
                rep = {"userManaged": {"replicas": [_snake_to_camel(r) for r in reps]}}
            else:
                rep = {"automatic": _snake_to_camel(rep["automatic"] or {})}
        elif rep:
            raise invalid("Regional secrets do not support a replication policy.")
        check_labels(body.get("labels", {}))
        check_annotations(body.get("annotations", {}))
        aliases = check_aliases(body.get("versionAliases", {}))
        if aliases:
            raise invalid("Version aliases cannot be set when creating a secret: the secret has "
                          "no versions.")
        name = f"{parent}/secrets/{sid}"
        if name in self.st.secrets:
            raise ApiError("ALREADY_EXISTS", f"Secret [{name}] already exists.")
        s = Secret(name, location, rep, self.st.now_ns())
        s.labels, s.annotations = dict(body.get("labels", {})), dict(body.get("annotations", {}))
        s.extra = {k: body[k] for k in PASSTHROUGH if k in body}
        self.st.secrets[name] = s
        return self.secret_json(s)

    def get_secret(self, req, name, written):
        self._need(req, "secretmanager.secrets.get", written, name)
        return self.secret_json(self._secret(name))

    def update_secret(self, req, name, written):
        mask = req.q1("updateMask", "update_mask")
        self._need(req, "secretmanager.secrets.update", written, name)
        body = _snake_to_camel(req.json_body())
        unknown = set(body) - SECRET_FIELDS
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}" at '
                          "'secret': Cannot find field.")
        if not mask:
            raise invalid("update_mask is required.")
        paths = [p.strip() for p in mask.split(",") if p.strip()]
        for p in paths:
            if p not in MASKABLE:
                raise invalid(f"The update_mask path [{p}] is not supported.")
        s = self._secret(name)
        if body.get("etag") and body["etag"] != s.etag:
            raise ApiError("ABORTED", f"The etag provided [{body['etag']}] does not match the "
                           f"current etag of Secret [{name}].")
        fields = {MASKABLE[p] for p in paths}
        if "labels" in fields:
            check_labels(body.get("labels", {}))
        if "annotations" in fields:
            check_annotations(body.get("annotations", {}))
        if "versionAliases" in fields:
            aliases = check_aliases(body.get("versionAliases", {}))
            for k, v in aliases.items():
                if v not in s.versions:
                    raise invalid(f"Version alias [{k}] points to version [{v}], which does not "
                                  "exist.")
            s.aliases = aliases
        if "labels" in fields:
            s.labels = dict(body.get("labels", {}))
        if "annotations" in fields:
            s.annotations = dict(body.get("annotations", {}))
        for f in fields & set(PASSTHROUGH):
            if f in body:
                s.extra[f] = body[f]
            else:
                s.extra.pop(f, None)
        s.update_ns = self.st.now_ns()
        return self.secret_json(s)

    def delete_secret(self, req, name, written):
        etag = req.q1("etag")
        self._need(req, "secretmanager.secrets.delete", written, name)
        s = self._secret(name)
        if etag and etag != s.etag:
            raise ApiError("ABORTED", f"The etag provided [{etag}] does not match the current "
                           f"etag of Secret [{name}].")
        del self.st.secrets[name]
        return {}

    def add_version(self, req, name, written):
        self._need(req, "secretmanager.versions.add", written, name)
        body = req.json_body()
        unknown = set(body) - {"payload", "parent"}
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": '
                          "Cannot find field.")
        payload = _snake_to_camel(body.get("payload") or {})
        unknown = set(payload) - {"data", "dataCrc32c"}
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}" at '
                          "'payload': Cannot find field.")
        try:
            data = b64decode_std(payload.get("data") or "")
        except ValueError:
            raise invalid("Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed "
                          f"for \"{payload.get('data')}\"")
        if len(data) > 64 * 1024:
            raise invalid("Secret Payload cannot be larger than 64KiB.")
        s = self._secret(name)
        client_crc = "dataCrc32c" in payload and payload["dataCrc32c"] is not None
        if client_crc:
            raw = payload["dataCrc32c"]
            try:
                if isinstance(raw, bool) or isinstance(raw, float):
                    raise ValueError
                given = int(raw)
            except (TypeError, ValueError):
                raise invalid(f"Invalid value at 'payload.data_crc32c' (TYPE_INT64), {raw!r}")
            if given != crc32c(data):
                raise invalid("Checksum mismatch: the data_crc32c value provided in the request "
                              "does not match the CRC32C checksum of payload.data computed by "
                              "the server.")
        v = Version(s.next_version, data, self.st.now_ns(), client_crc)
        s.versions[v.number] = v
        s.next_version += 1
        return self.version_json(s, v, req.numeric_enums)

    def list_versions(self, req, name, written):
        size, token, ftext = self._page_args(req)
        self._need(req, "secretmanager.versions.list", written, name)
        s = self._secret(name)
        fields = {"name": lambda v, _: f"{s.name}/versions/{v.number}",
                  "state": lambda v, _: v.state,
                  "create_time": lambda v, _: rfc3339(v.create_ns),
                  "__text__": lambda v, _: [f"{s.name}/versions/{v.number}", v.state]}
        flt = Filter(ftext, fields, ["create_time"])
        mine = sorted((v for v in s.versions.values() if flt.matches(v)),
                      key=lambda v: v.number, reverse=True)
        page, out = self._page([((v.number,), self.version_json(s, v, req.numeric_enums))
                                for v in mine], size, token, ftext, name)
        if page:
            out["versions"] = page
        if not ftext and mine:
            out["totalSize"] = len(mine)
        return out

    def get_version(self, req, name, vid, written):
        self._need(req, "secretmanager.versions.get", written, f"{name}/versions/{vid}")
        s = self._secret(name)
        return self.version_json(s, self._version(s, vid), req.numeric_enums)

    def access(self, req, name, vid, written):
        self._need(req, "secretmanager.versions.access", written, f"{name}/versions/{vid}")
        s = self._secret(name)
        v = self._version(s, vid)
        if v.state != "ENABLED":
            raise ApiError("FAILED_PRECONDITION",
                           f"Secret Version [{s.name}/versions/{v.number}] is in {v.state} state.")
        crc = crc32c(v.data)
        if s.corrupt_crc:
            crc ^= 0x1
        return {"name": f"{s.name}/versions/{v.number}",
                "payload": {"data": b64(v.data), "dataCrc32c": str(crc)}}

    def change_state(self, req, name, vid, verb, written):
        self._need(req, f"secretmanager.versions.{verb}", written, f"{name}/versions/{vid}")
        body = req.json_body()
        unknown = set(body) - {"name", "etag"}
        if unknown:
            raise invalid(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": '
                          "Cannot find field.")
        s = self._secret(name)
        v = self._version(s, vid)
        if body.get("etag") and body["etag"] != version_etag(v):
            raise ApiError("ABORTED", f"The etag provided [{body['etag']}] does not match the "
                           f"current etag of Secret Version [{s.name}/versions/{v.number}].")
        if v.state == "DESTROYED":
            raise ApiError("FAILED_PRECONDITION", "SecretVersion.state is already DESTROYED.")
        if verb == "destroy":
            v.state, v.data, v.destroy_ns = "DESTROYED", None, self.st.now_ns()
            s.aliases = {k: n for k, n in s.aliases.items() if n != v.number}
        else:
            v.state = "ENABLED" if verb == "enable" else "DISABLED"
        v.update_ns = self.st.now_ns()
        return self.version_json(s, v, req.numeric_enums)
