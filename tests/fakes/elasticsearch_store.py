"""Data model of the Elasticsearch fake: errors, index names, mappings, documents and refresh.

See elasticsearch.py for what the fake models and what it does not. Python 3 standard library only.
"""
import base64
import copy
import hashlib
import json
import re
from datetime import datetime, timezone

NODE_NAME = "fake-node-1"
NODE_ID = "ZmFrZS1ub2RlLWlkLTAwMQ"
CLUSTER_NAME = "fake-cluster"
CLUSTER_UUID = "kMB1dC9KQx2mXgU7rS3fYw"
VERSION = "8.19.2"
SHARDS_WRITE = {"total": 2, "successful": 1, "failed": 0}  # one primary, one unassigned replica
MAX_ID_BYTES = 512


# --- errors ----------------------------------------------------------------------------------
class EsError(Exception):
    """An answer other than success; `body` is the JSON Elasticsearch sends."""

    def __init__(self, status, body, headers=None):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def cause(type_, reason, **extra):
    d = {"type": type_, "reason": reason}
    d.update(extra)
    return d


def err(status, type_, reason, caused_by=None, root_cause=None, headers=None, **extra):
    """The standard envelope {"error":{"root_cause":[...],"type","reason",...},"status":N}."""
    top = cause(type_, reason, **extra)
    if caused_by is not None:
        top["caused_by"] = caused_by
    root = root_cause if root_cause is not None else [cause(type_, reason, **extra)]
    top = {"root_cause": root, **top}
    return EsError(status, {"error": top, "status": status}, headers)


def simple_err(status, message):
    """The bare form used below the REST layer: {"error":"...","status":N}."""
    return EsError(status, {"error": message, "status": status})


def index_not_found(name, reason=None):
    return err(404, "index_not_found_exception", reason or f"no such index [{name}]",
               **{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name})


def bad_request(reason, type_="illegal_argument_exception"):
    return err(400, type_, reason)


def validation_failed(*msgs):
    text = "Validation Failed: " + "".join(f"{i + 1}: {m};" for i, m in enumerate(msgs))
    return err(400, "action_request_validation_exception", text)


def shard_failure(index_name, c, status=400):
    """search_phase_execution_exception "all shards failed" wrapping the shard-level cause `c`."""
    root = {k: v for k, v in c.items() if k != "caused_by"}
    top_cause = dict(c)
    if c["type"] == "illegal_argument_exception" and "caused_by" not in c:
        top_cause["caused_by"] = dict(c)
    return err(status, "search_phase_execution_exception", "all shards failed", root_cause=[root],
               caused_by=top_cause, phase="query", grouped=True,
               failed_shards=[{"shard": 0, "index": index_name, "node": NODE_ID, "reason": c}])


def index_uuid(name):
    return base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()[:16]).decode().rstrip("=")


# --- names -----------------------------------------------------------------------------------
INVALID_CHARS = set('\\/*?"<>| ,')


def validate_index_name(name):
    """Raises invalid_index_name_exception like MetadataCreateIndexService."""
    def bad(msg):
        return err(400, "invalid_index_name_exception", f"Invalid index name [{name}], {msg}",
                   index_uuid="_na_", index=name)
    if name == "":
        raise bad("must not be empty")
    if any(c in INVALID_CHARS for c in name):
        raise bad('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]')
    if "#" in name:
        raise bad("must not contain '#'")
    if ":" in name:
        raise bad("must not contain ':'")
    if name[0] in "_-+":
        raise bad("must not start with '_', '-', or '+'")
    if name != name.lower():
        raise bad("must be lowercase")
    if name in (".", ".."):
        raise bad("must not be '.' or '..'")
    n = len(name.encode())
    if n > 255:
        raise err(400, "invalid_index_name_exception",
                  f"Invalid index name [{name}], index name is too long, ({n} > 255)", index_uuid="_na_", index=name)


def validate_id(doc_id):
    n = len(doc_id.encode())
    if n > MAX_ID_BYTES:
        raise validation_failed(f"id [{doc_id}] is too long, must be no longer than 512 bytes but was: {n}")
    if doc_id == "":
        raise validation_failed("if _id is specified it must not be empty")


# --- dates -----------------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                   r"(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$")


def date_millis(v):
    """strict_date_optional_time||epoch_millis → epoch millis, or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if not isinstance(v, str):
        return None
    if re.fullmatch(r"-?\d+", v) and len(v) != 4:
        return int(v)
    m = _DATE.match(v)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
                      tzinfo=timezone.utc)
    except ValueError:
        return None
    ms = int(dt.timestamp() * 1000) + (int((frac or "0").ljust(3, "0")[:3]))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        off = int(digits[:2]) * 60 + int(digits[2:4] or 0)
        ms -= sign * off * 60000
    return ms


# --- mappings --------------------------------------------------------------------------------
FIELD_TYPES = {"keyword", "text", "date", "long", "integer", "short", "byte", "double", "float",
               "half_float", "scaled_float", "boolean", "object", "nested", "flattened", "constant_keyword",
               "wildcard", "match_only_text", "ip", "binary", "unsigned_long", "date_nanos"}
NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}


def check_mappings(m, path=""):
    """Raises mapper_parsing_exception for unknown field types (the check ES does first)."""
    for name, fm in (m.get("properties") or {}).items():
        if not isinstance(fm, dict):
            raise err(400, "mapper_parsing_exception", f"Expected map for property [fields] on field [{name}] but got a class java.lang.String")
        t = fm.get("type", "object" if "properties" in fm else None)
        if t is None:
            t = "object"
        if t not in FIELD_TYPES:
            raise err(400, "mapper_parsing_exception", "Failed to parse mapping: No handler for type [%s] declared on field [%s]" % (t, name),
                      caused_by=cause("mapper_parsing_exception", f"No handler for type [{t}] declared on field [{name}]"),
                      root_cause=[cause("mapper_parsing_exception", f"No handler for type [{t}] declared on field [{name}]")])
        if t in ("object", "nested"):
            check_mappings(fm, path + name + ".")


def field_type(fm):
    if fm is None:
        return None
    return fm.get("type", "object")


def resolve_field(mappings, path):
    """(source path, field mapping or None) for a field name, following multi-fields (x.keyword)."""
    parts = path.split(".")
    node = mappings
    src = []
    i = 0
    fm = None
    while i < len(parts):
        props = node.get("properties") or {}
        p = parts[i]
        if p in props:
            fm = props[p]
            src.append(p)
            node = fm
            i += 1
            continue
        sub = (fm or {}).get("fields") or {}
        if fm is not None and p in sub and i == len(parts) - 1:
            return ".".join(src), sub[p]
        return path, None
    if field_type(fm) in ("object", "nested"):
        return path, None
    return ".".join(src), fm


def source_values(src, path):
    """Leaf values of a dotted path in a document source (arrays flattened, objects walked)."""
    if "." not in path:
        v = src.get(path)
        if v is None:
            return []
        if type(v) is list:
            return [x for x in v if x is not None]
        return [v]
    cur = [src]
    for p in path.split("."):
        nxt = []
        for c in cur:
            if isinstance(c, dict):
                if p in c:
                    v = c[p]
                    if isinstance(v, list):
                        nxt.extend(x for x in v if x is not None)
                    elif v is not None:
                        nxt.append(v)
            elif isinstance(c, list):
                for e in c:
                    if isinstance(e, dict) and p in e and e[p] is not None:
                        v = e[p]
                        nxt.extend(v if isinstance(v, list) else [v])
        cur = nxt
    out = []
    for v in cur:
        if isinstance(v, list):
            out.extend(v)
        else:
            out.append(v)
    return out


def keyword_of(v):
    if type(v) is str:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return str(v)


def infer_mapping(v):
    if isinstance(v, bool):
        return {"type": "boolean"}
    if isinstance(v, int):
        return {"type": "long"}
    if isinstance(v, float):
        return {"type": "float"}
    if isinstance(v, dict):
        return {"properties": {}}
    if isinstance(v, str):
        if _DATE.match(v) and "-" in v and date_millis(v) is not None:
            return {"type": "date"}
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
    return None


class NeedsMapping(Exception):
    """A read-only parse met a field that dynamic mapping would add."""


class DocParser:
    """Checks a source against a mapping, adding dynamic fields to a copy of the mapping."""

    def __init__(self, mappings, doc_id, raw, mutate=False):
        self.mappings = copy.deepcopy(mappings) if mutate else mappings
        self.mutate = mutate
        self.changed = False
        self.doc_id = doc_id
        self.raw = raw or ""

    def pos(self, key):
        i = self.raw.find(json.dumps(key))
        return f"[1:{i + len(json.dumps(key)) + 1 if i >= 0 else 1}]"

    def parse(self, source):
        if not isinstance(source, dict):
            raise err(400, "mapper_parsing_exception", "failed to parse, document is empty" if source in (None, "") else
                      "failed to parse", caused_by=cause("not_x_content_exception", "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes"))
        self.walk(self.mappings, source, "", "_doc", str(self.mappings.get("dynamic", "true")).lower())
        return self.mappings if self.changed else None

    def walk(self, node, obj, prefix, within, dynamic):
        props = node.setdefault("properties", {}) if self.mutate else (node.get("properties") or {})
        for k, v in obj.items():
            if k == "" or k.strip() == "":
                raise err(400, "document_parsing_exception", f"{self.pos(k)} field name cannot be an empty string")
            if "." in k:  # dotted names expand into objects
                head, rest = k.split(".", 1)
                self.walk(node, {head: {rest: v}}, prefix, within, dynamic)
                continue
            full = prefix + k
            fm = props.get(k)
            if fm is None:
                if v is None:
                    continue
                if dynamic == "strict":
                    raise err(400, "strict_dynamic_mapping_exception",
                              f"{self.pos(k)} mapping set to strict, dynamic introduction of [{k}] within [{within}] is not allowed")
                if dynamic in ("false", "runtime"):
                    continue
                probe = v[0] if isinstance(v, list) and v else v
                fm = infer_mapping(probe)
                if fm is None:
                    continue
                if not self.mutate:
                    raise NeedsMapping()
                props[k] = fm
                self.changed = True
            self.value(fm, v, full, k, dynamic)

    def value(self, fm, v, full, k, dynamic):
        t = field_type(fm)
        if v is None:
            return
        if isinstance(v, list):
            for e in v:
                self.value(fm, e, full, k, dynamic)
            return
        if t in ("object", "nested"):
            if not isinstance(v, dict):
                raise err(400, "document_parsing_exception",
                          f"{self.pos(k)} object mapping for [{full}] tried to parse field [{k}] as object, but found a concrete value")
            if fm.get("enabled", True) is False:
                return
            self.walk(fm, v, full + ".", full, str(fm.get("dynamic", dynamic)).lower())
            return
        if t == "flattened":
            return
        if isinstance(v, dict):
            raise self.failed(full, t, v, cause("illegal_argument_exception" if t != "keyword" else "illegal_state_exception",
                                                f"Can't get text on a START_OBJECT at {self.pos(k)[1:-1]}"), k)
        if t == "date" or t == "date_nanos":
            if date_millis(v) is None:
                raise self.failed(full, t, v, cause("illegal_argument_exception",
                                  f"failed to parse date field [{v}] with format [strict_date_optional_time||epoch_millis]"), k)
        elif t in NUMERIC:
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
            if isinstance(v, str):
                try:
                    float(v)
                    ok = True
                except ValueError:
                    ok = False
            if not ok:
                raise self.failed(full, t, v, cause("number_format_exception", f'For input string: "{v}"'), k)
        elif t == "boolean":
            if not (isinstance(v, bool) or v in ("true", "false", "")):
                raise self.failed(full, t, v, cause("illegal_argument_exception",
                                  f"Failed to parse value [{v}] as only [true] or [false] are allowed."), k)

    def failed(self, full, t, v, c, k):
        preview = json.dumps(v) if isinstance(v, dict) else keyword_of(v)
        return err(400, "document_parsing_exception",
                   f"{self.pos(k)} failed to parse field [{full}] of type [{t}] in document with id '{self.doc_id}'. "
                   f"Preview of field's value: '{preview}'", caused_by=c)


# --- indices and documents -------------------------------------------------------------------
class Doc:
    __slots__ = ("source", "version", "seq_no", "primary_term")

    def __init__(self, source, version, seq_no, primary_term=1):
        self.source = source
        self.version = version
        self.seq_no = seq_no
        self.primary_term = primary_term


class Index:
    def __init__(self, name, mappings=None, settings=None, created_ms=0):
        self.name = name
        self.uuid = index_uuid(name)
        self.mappings = mappings if mappings is not None else {}
        self.settings = settings or {}
        self.created_ms = created_ms
        self.docs = {}       # id -> Doc: the realtime view (GET by id)
        self.versions = {}   # id -> last version, deletes included (tombstones)
        self.view = {}       # id -> (Doc, ordinal): what search sees, as of the last refresh
        self.pending = set()
        self.seq = -1
        self.ordinal = 0
        self.gen = 0

    @property
    def max_result_window(self):
        return int(self.settings.get("max_result_window", 10000))

    def next_seq(self):
        self.seq += 1
        return self.seq

    def refresh(self):
        if not self.pending:
            return
        for doc_id in self.pending:
            d = self.docs.get(doc_id)
            self.view.pop(doc_id, None)
            if d is not None:
                self.view[doc_id] = (d, self.ordinal)
                self.ordinal += 1
        self.pending.clear()
        self.gen += 1

    def meta(self, doc_id, d, result):
        out = {"_index": self.name, "_id": doc_id, "_version": d.version, "result": result,
               "_shards": dict(SHARDS_WRITE), "_seq_no": d.seq_no, "_primary_term": d.primary_term}
        return out

    def conflict(self, doc_id, reason):
        return err(409, "version_conflict_engine_exception", f"[{doc_id}]: version conflict, {reason}",
                   index_uuid=self.uuid, shard="0", index=self.name)

    def check_cas(self, doc_id, if_seq_no, if_primary_term):
        if if_seq_no is None:
            return
        cur = self.docs.get(doc_id)
        if cur is None:
            raise self.conflict(doc_id, f"required seqNo [{if_seq_no}], primary term [{if_primary_term}]. but no document was found")
        if cur.seq_no != if_seq_no or cur.primary_term != if_primary_term:
            raise self.conflict(doc_id, f"required seqNo [{if_seq_no}], primary term [{if_primary_term}]. "
                                         f"current document has seqNo [{cur.seq_no}] and primary term [{cur.primary_term}]")

    def parse_source(self, doc_id, source, raw):
        try:
            new_mappings = DocParser(self.mappings, doc_id, raw).parse(source)
        except NeedsMapping:
            new_mappings = DocParser(self.mappings, doc_id, raw, mutate=True).parse(source)
        if new_mappings is not None:
            self.mappings = new_mappings

    def put(self, doc_id, source, op_type="index", if_seq_no=None, if_primary_term=None, raw=None):
        """Index (upsert) or create; returns (http status, response body)."""
        cur = self.docs.get(doc_id)
        if op_type == "create" and cur is not None:
            raise self.conflict(doc_id, f"document already exists (current version [{cur.version}])")
        self.check_cas(doc_id, if_seq_no, if_primary_term)
        self.parse_source(doc_id, source, raw)
        version = self.versions.get(doc_id, 0) + 1
        d = Doc(source, version, self.next_seq())
        self.docs[doc_id] = d
        self.versions[doc_id] = version
        self.pending.add(doc_id)
        created = cur is None
        return (201 if created else 200), self.meta(doc_id, d, "created" if created else "updated")

    def delete(self, doc_id, if_seq_no=None, if_primary_term=None):
        cur = self.docs.get(doc_id)
        self.check_cas(doc_id, if_seq_no, if_primary_term)
        version = self.versions.get(doc_id, 0) + 1
        seq = self.next_seq()
        self.versions[doc_id] = version
        if cur is None:
            return 404, self.meta(doc_id, Doc(None, version, seq), "not_found")
        del self.docs[doc_id]
        self.pending.add(doc_id)
        return 200, self.meta(doc_id, Doc(None, version, seq), "deleted")

    def update(self, doc_id, body, if_seq_no=None, if_primary_term=None, raw=None):
        """The _update API with a partial `doc` (merged), `doc_as_upsert` and `upsert`."""
        if not isinstance(body, dict) or not ("doc" in body or "upsert" in body):
            raise validation_failed("script or doc is missing")
        cur = self.docs.get(doc_id)
        if cur is None:
            if body.get("doc_as_upsert") and "doc" in body:
                return self.put(doc_id, body["doc"], "create", raw=raw)
            if "upsert" in body:
                return self.put(doc_id, body["upsert"], "create", raw=raw)
            raise err(404, "document_missing_exception", f"[{doc_id}]: document missing",
                      index_uuid=self.uuid, shard="0", index=self.name)
        self.check_cas(doc_id, if_seq_no, if_primary_term)
        merged = deep_merge(copy.deepcopy(cur.source), body.get("doc") or {})
        if merged == cur.source and body.get("detect_noop", True):
            return 200, self.meta(doc_id, cur, "noop")
        return self.put(doc_id, merged, "index", raw=raw)

    def get_response(self, doc_id, d, source_filter=None):
        if d is None:
            return {"_index": self.name, "_id": doc_id, "found": False}
        out = {"_index": self.name, "_id": doc_id, "_version": d.version, "_seq_no": d.seq_no,
               "_primary_term": d.primary_term, "found": True}
        src = filter_source(d.source, source_filter)
        if src is not None:
            out["_source"] = src
        return out

    def describe(self):
        s = {"index": {"routing": {"allocation": {"include": {"_tier_preference": "data_content"}}},
                       "number_of_shards": str(self.settings.get("number_of_shards", 1)),
                       "provided_name": self.name, "creation_date": str(self.created_ms),
                       "number_of_replicas": str(self.settings.get("number_of_replicas", 1)),
                       "uuid": self.uuid, "version": {"created": "8536000"}}}
        for k, v in self.settings.items():
            if k not in ("number_of_shards", "number_of_replicas"):
                s["index"][k] = str(v) if not isinstance(v, dict) else v
        return {"aliases": {}, "mappings": self.mappings, "settings": s}


def deep_merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            deep_merge(a[k], v)
        else:
            a[k] = v
    return a


def flatten_settings(s, prefix=""):
    out = {}
    for k, v in (s or {}).items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten_settings(v, key + "."))
        else:
            out[key] = v
    return {k[len("index."):] if k.startswith("index.") else k: v for k, v in out.items()}


def filter_source(src, f):
    """_source filtering: None/True = all, False = none, list or {includes,excludes} of paths/prefixes."""
    if f is None or f is True:
        return src
    if f is False:
        return None
    inc, exc = [], []
    if isinstance(f, str):
        inc = [x for x in f.split(",") if x]
    elif isinstance(f, list):
        inc = f
    elif isinstance(f, dict):
        inc = f.get("includes", f.get("include", [])) or []
        exc = f.get("excludes", f.get("exclude", [])) or []
        inc = [inc] if isinstance(inc, str) else inc
        exc = [exc] if isinstance(exc, str) else exc

    def match(path, pats):
        import fnmatch
        return any(fnmatch.fnmatchcase(path, p) or path.startswith(p + ".") for p in pats)

    def walk(obj, prefix):
        out = {}
        for k, v in obj.items():
            path = prefix + k
            if exc and match(path, exc):
                continue
            if inc and not match(path, inc):
                if isinstance(v, dict) and any(p.startswith(path + ".") for p in inc):
                    sub = walk(v, path + ".")
                    if sub:
                        out[k] = sub
                continue
            out[k] = v
        return out
    return walk(src, "")
