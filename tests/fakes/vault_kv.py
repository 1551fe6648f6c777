"""KV secrets engines (v1 and v2) of the Vault fake: storage and the documented responses.

Each function returns (status, body) where body is a dict (sent as JSON), None (no body: 204, or
the empty 404 `{"errors":[]}` decided by the router), or a ("raw", dict) pair for Vault's
`RespondWithStatusCode` answers (a full response envelope sent with a non-200 status).
Written from api-docs/secret/kv/kv-v1.mdx and kv-v2.mdx (spec/providers.md §4.2, §4.3, §4.6).
"""

DEFAULT_MAX_VERSIONS = 10          # the KV v2 plugin's default when max_versions is 0 everywhere
DEFAULT_LEASE_TTL = 2764800        # 768h, the system default lease TTL shown by KV v1 reads


class Clock:
    """A deterministic clock: every tick is one second after 2024-01-01T00:00:00Z."""

    def __init__(self):
        self.t = 1704067200

    def tick(self):
        self.t += 1
        return self.t

    @staticmethod
    def iso(t):
        if t is None:
            return ""
        import datetime
        # Go's RFC3339Nano (trailing zeros of the fraction dropped), with a deterministic fraction.
        frac = f"{(t * 7919) % 1000000000:09d}".rstrip("0")
        base = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return base + ("." + frac if frac else "") + "Z"


class Err(Exception):
    """A Vault error answer: status + {"errors": [...]}."""

    def __init__(self, status, *msgs):
        super().__init__(msgs[0] if msgs else "")
        self.status = status
        self.msgs = list(msgs)


def list_children(keys, prefix):
    """Immediate children of `prefix` among the stored `keys`, folders with a trailing '/'."""
    out = set()
    for k in keys:
        if k.startswith(prefix) and len(k) > len(prefix):
            rest = k[len(prefix):]
            out.add(rest.split("/", 1)[0] + "/" if "/" in rest else rest)
    return sorted(out)


def parse_ttl(v):
    """KV v1's per-secret `ttl`/`lease` (seconds or Go-style 1h30m10s); None when invalid."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if s.isdigit():
            return int(s)
        total, num = 0, ""
        units = {"h": 3600, "m": 60, "s": 1}
        for ch in s:
            if ch.isdigit():
                num += ch
            elif ch in units and num:
                total, num = total + int(num) * units[ch], ""
            else:
                return None
        return total if not num else None
    return None


class KV1:
    version = 1

    def __init__(self, clock):
        self.clock = clock
        self.data = {}

    def exists(self, rel):
        return rel in self.data

    def handle(self, op, rel, body, query):
        if op == "list":
            prefix = rel if rel == "" or rel.endswith("/") else rel + "/"
            keys = list_children(self.data.keys(), prefix)
            return 200, ({"keys": keys} if keys else None), {}
        if op == "read":
            if rel not in self.data:
                return 404, None, {}
            d = self.data[rel]
            ttl = DEFAULT_LEASE_TTL
            raw = d.get("ttl", d.get("lease"))
            if raw is not None and parse_ttl(raw) is not None:
                ttl = parse_ttl(raw)
            return 200, dict(d), {"lease_duration": ttl}
        if op in ("create", "update"):
            if rel == "":
                raise Err(400, "missing path")
            if not body:
                raise Err(400, "missing data fields")
            self.data[rel] = dict(body)
            return 204, None, {}
        if op == "delete":
            self.data.pop(rel, None)
            return 204, None, {}
        raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")


class Meta:
    def __init__(self, now):
        self.current = 0
        self.oldest = 0
        self.created = now
        self.updated = now
        self.max_versions = 0
        self.cas_required = False
        self.delete_version_after = 0
        self.custom_metadata = None
        self.versions = {}  # n -> {"created", "deleted" (t|None), "destroyed", "data" (dict|None)}


class KV2:
    version = 2
    SUBPATHS = ("data", "metadata", "delete", "undelete", "destroy", "config")

    def __init__(self, clock, max_versions=0, cas_required=False):
        self.clock = clock
        self.keys = {}  # key -> Meta
        self.config = {"max_versions": int(max_versions or 0), "cas_required": bool(cas_required),
                       "delete_version_after": 0}

    # --- helpers -------------------------------------------------------------------------------
    @staticmethod
    def split(rel):
        """('data', 'app1/db') for 'data/app1/db'; (rel, None) when not a v2 API path."""
        head, sep, rest = rel.partition("/")
        if head in KV2.SUBPATHS and (sep or head == "config"):
            return head, rest
        return rel, None

    def exists(self, rel):
        sub, key = self.split(rel)
        return key is not None and key in self.keys

    def vmeta(self, m, n):
        v = m.versions[n]
        return {"created_time": Clock.iso(v["created"]), "deletion_time": Clock.iso(v["deleted"]),
                "destroyed": v["destroyed"]}

    def is_deleted(self, v):
        return v["deleted"] is not None and v["deleted"] <= self.clock.t

    def add_version(self, key, data):
        now = self.clock.tick()
        m = self.keys.get(key)
        if m is None:
            m = self.keys[key] = Meta(now)
        m.current += 1
        m.versions[m.current] = {"created": now, "deleted": None, "destroyed": False, "data": data}
        m.updated = now
        mx = max(m.max_versions, self.config["max_versions"]) or DEFAULT_MAX_VERSIONS
        if m.current - m.oldest >= mx:
            to_delete = m.current - mx
            for i in range(m.oldest, to_delete + 1):
                m.versions.pop(i, None)
            m.oldest = to_delete + 1
        return m

    def check_cas(self, body, m):
        opts = body.get("options") if isinstance(body.get("options"), dict) else {}
        if "cas" in opts:
            cas = opts["cas"]
            try:
                if isinstance(cas, bool):
                    cas = int(cas)
                elif isinstance(cas, str):
                    cas = int(cas.strip() or "0")
                elif isinstance(cas, float) and cas == int(cas):
                    cas = int(cas)
                elif not isinstance(cas, int):
                    raise ValueError
            except ValueError:
                raise Err(400, "error parsing check-and-set parameter")
            if cas != (m.current if m else 0):
                raise Err(400, "check-and-set parameter did not match the current version")
        elif self.config["cas_required"] or (m is not None and m.cas_required):
            raise Err(400, "check-and-set parameter required for this call")

    @staticmethod
    def versions_arg(body):
        vs = body.get("versions")
        if isinstance(vs, (int, str)):
            vs = [vs]
        out = []
        for v in vs or []:
            try:
                out.append(int(v))
            except (TypeError, ValueError):
                raise Err(400, "1 error occurred:\n\t* error converting input for field \"versions\"\n\n")
        return out

    @staticmethod
    def invalid_path(op, rel):
        if rel in KV2.SUBPATHS[:5]:
            msg = "Non-listing operations on the root of a K/V v2 mount are not supported."
        else:
            sub = {"read": "get", "create": "put", "update": "put", "patch": "patch",
                   "list": "list", "delete": "delete"}[op]
            msg = ("Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate "
                   f"API endpoints to use. If using the Vault CLI, use 'vault kv {sub}' for this operation.")
        return 404, ("raw", {"data": None, "warnings": [msg]}), {}

    # --- dispatch ------------------------------------------------------------------------------
    def handle(self, op, rel, body, query):
        sub, key = self.split(rel)
        if key is None:
            return self.invalid_path(op, rel)
        fn = getattr(self, f"{sub}_{op}", None)
        if op == "create":
            fn = fn or getattr(self, f"{sub}_update", None)
        if fn is None:
            raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
        return fn(key, body, query)

    # config
    def config_read(self, key, body, query):
        c = self.config
        return 200, {"max_versions": c["max_versions"], "cas_required": c["cas_required"],
                     "delete_version_after": "0s"}, {}

    def config_update(self, key, body, query):
        if "max_versions" in body:
            self.config["max_versions"] = int(body["max_versions"])
        if "cas_required" in body:
            self.config["cas_required"] = bool(body["cas_required"])
        return 204, None, {}

    # data
    def data_read(self, key, body, query):
        m = self.keys.get(key)
        if m is None:
            return 404, None, {}
        n = m.current
        vq = query.get("version", "")
        if vq not in ("", None):
            try:
                vn = int(vq)
            except ValueError:
                raise Err(400, f"1 error occurred:\n\t* error converting input {vq} for field \"version\"\n\n")
            if vn > 0:
                n = vn
        v = m.versions.get(n)
        if v is None:
            return 404, None, {}
        meta = {"created_time": Clock.iso(v["created"]), "custom_metadata": m.custom_metadata,
                "deletion_time": Clock.iso(v["deleted"]), "destroyed": v["destroyed"], "version": n}
        if self.is_deleted(v) or v["destroyed"]:
            return 404, ("raw", {"data": {"data": None, "metadata": meta}}), {}
        return 200, {"data": dict(v["data"]), "metadata": meta}, {}

    def data_update(self, key, body, query):
        if key == "":
            raise Err(400, "missing path")
        if "data" not in body or body["data"] is None:
            raise Err(400, "no data provided")
        if not isinstance(body["data"], dict):
            raise Err(400, "1 error occurred:\n\t* error converting input for field \"data\"\n\n")
        m = self.keys.get(key)
        self.check_cas(body, m)
        m = self.add_version(key, dict(body["data"]))
        return 200, dict(self.vmeta(m, m.current), version=m.current, custom_metadata=m.custom_metadata), {}

    def data_patch(self, key, body, query):
        if "data" not in body or not isinstance(body["data"], dict):
            raise Err(400, "no data provided")
        m = self.keys.get(key)
        if m is None or m.current not in m.versions:
            return 404, None, {}
        self.check_cas(body, m)
        v = m.versions[m.current]
        if self.is_deleted(v) or v["destroyed"]:
            return 404, ("raw", {"data": dict(self.vmeta(m, m.current), version=m.current,
                                              custom_metadata=m.custom_metadata)}), {}
        merged = dict(v["data"])
        for k, val in body["data"].items():
            if val is None:
                merged.pop(k, None)
            else:
                merged[k] = val
        m = self.add_version(key, merged)
        return 200, dict(self.vmeta(m, m.current), version=m.current, custom_metadata=m.custom_metadata), {}

    def data_delete(self, key, body, query):
        m = self.keys.get(key)
        if m is None:
            return 204, None, {}
        v = m.versions.get(m.current)
        if v is None or v["destroyed"] or self.is_deleted(v):
            return 204, None, {}
        v["deleted"] = self.clock.tick()
        return 204, None, {}

    # delete / undelete / destroy
    def delete_update(self, key, body, query):
        vs = self.versions_arg(body)
        if not vs:
            raise Err(400, "No version number provided")
        m = self.keys.get(key)
        if m is not None:
            now = self.clock.tick()
            for n in vs:
                v = m.versions.get(n)
                if v is None or v["destroyed"] or self.is_deleted(v):
                    continue
                v["deleted"] = now
        return 204, None, {}

    def undelete_update(self, key, body, query):
        vs = self.versions_arg(body)
        if not vs:
            raise Err(400, "No version number provided")
        m = self.keys.get(key)
        if m is not None:
            for n in vs:
                v = m.versions.get(n)
                if v is None or v["destroyed"]:
                    continue
                v["deleted"] = None
        return 204, None, {}

    def destroy_update(self, key, body, query):
        vs = self.versions_arg(body)
        if not vs:
            raise Err(400, "no version number provided")
        m = self.keys.get(key)
        if m is not None:
            for n in vs:
                v = m.versions.get(n)
                if v is None or v["destroyed"]:
                    continue
                v["destroyed"] = True
                v["data"] = None
        return 204, None, {}

    # metadata
    def metadata_list(self, key, body, query):
        prefix = key if key == "" or key.endswith("/") else key + "/"
        keys = list_children(self.keys.keys(), prefix)
        return 200, ({"keys": keys} if keys else None), {}

    def metadata_read(self, key, body, query):
        m = self.keys.get(key)
        if m is None:
            return 404, None, {}
        return 200, {
            "cas_required": m.cas_required,
            "created_time": Clock.iso(m.created),
            "current_version": m.current,
            "custom_metadata": m.custom_metadata,
            "delete_version_after": "0s" if not m.delete_version_after else f"{m.delete_version_after}s",
            "max_versions": m.max_versions,
            "oldest_version": m.oldest,
            "updated_time": Clock.iso(m.updated),
            "versions": {str(n): self.vmeta(m, n) for n in sorted(m.versions)},
        }, {}

    def metadata_update(self, key, body, query):
        if key == "":
            raise Err(400, "missing path")
        fields = [f for f in ("max_versions", "cas_required", "delete_version_after", "custom_metadata") if f in body]
        if not fields:
            return 204, None, {}
        cm = None
        if "custom_metadata" in body:
            raw = body["custom_metadata"]
            if not isinstance(raw, dict):
                raise Err(400, "1 error occurred:\n\t* error converting input for field \"custom_metadata\"\n\n")
            cm = {}
            for k, v in raw.items():
                if isinstance(v, (dict, list)):
                    raise Err(400, f"custom_metadata validation failed: '' expected type 'string', got unconvertible type '{type(v).__name__}'")
                cm[k] = "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
            errs = []
            if len(cm) > 64:
                errs.append(f"custom_metadata validation failed: payload must contain at most 64 keys, provided {len(cm)}")
            else:
                for k, v in cm.items():
                    if not 0 < len(k) <= 128:
                        errs.append(f"custom_metadata validation failed: length of key \"{k}\" is {len(k)} but must be 0 < len(key) <= 128")
                    if not 0 < len(v) <= 512:
                        errs.append(f"custom_metadata validation failed: length of value for key \"{k}\" is {len(v)} but must be 0 < len(value) <= 512")
            if errs:
                n = len(errs)
                raise Err(400, f"{n} error{'s' if n > 1 else ''} occurred:\n" + "".join(f"\t* {e}\n" for e in errs) + "\n")
        m = self.keys.get(key)
        if m is None:
            m = self.keys[key] = Meta(self.clock.tick())
        if "max_versions" in body:
            m.max_versions = int(body["max_versions"])
        if "cas_required" in body:
            m.cas_required = bool(body["cas_required"])
        if "delete_version_after" in body:
            dva = parse_ttl(body["delete_version_after"])
            m.delete_version_after = dva or 0
        if cm is not None:
            m.custom_metadata = cm
        return 204, None, {}

    def metadata_patch(self, key, body, query):
        m = self.keys.get(key)
        if m is None:
            return 404, None, {}
        if "custom_metadata" in body and isinstance(body["custom_metadata"], dict):
            cm = dict(m.custom_metadata or {})
            for k, v in body["custom_metadata"].items():
                if v is None:
                    cm.pop(k, None)
                else:
                    cm[k] = str(v)
            body = dict(body, custom_metadata=cm)
        return self.metadata_update(key, body, query)

    def metadata_delete(self, key, body, query):
        self.keys.pop(key, None)
        return 204, None, {}

    # --- seeding / dump --------------------------------------------------------------------------
    def seed_key(self, key, spec):
        """spec: {"FIELD": "v"} (one version), or {"versions": [{...}, ...], "deleted": [n],
        "destroyed": [n], "custom_metadata": {...}, "max_versions": N, "cas_required": bool}."""
        if "versions" in spec and isinstance(spec["versions"], list):
            for d in spec["versions"]:
                self.add_version(key, dict(d))
            m = self.keys.get(key) or Meta(self.clock.tick())
            self.keys[key] = m
            for n in spec.get("deleted", []):
                if n in m.versions:
                    m.versions[n]["deleted"] = self.clock.tick()
            for n in spec.get("destroyed", []):
                if n in m.versions:
                    m.versions[n].update(destroyed=True, data=None)
            if "custom_metadata" in spec:
                m.custom_metadata = {k: str(v) for k, v in spec["custom_metadata"].items()}
            m.max_versions = int(spec.get("max_versions", 0))
            m.cas_required = bool(spec.get("cas_required", False))
        else:
            self.add_version(key, dict(spec))

    def dump(self):
        out = {}
        for k, m in sorted(self.keys.items()):
            out[k] = {"current_version": m.current, "oldest_version": m.oldest,
                      "custom_metadata": m.custom_metadata, "cas_required": m.cas_required,
                      "max_versions": m.max_versions,
                      "versions": {str(n): {"data": v["data"], "deleted": self.is_deleted(v),
                                            "destroyed": v["destroyed"]} for n, v in sorted(m.versions.items())}}
        return out
