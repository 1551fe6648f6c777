#!/usr/bin/env python3
"""A fake Elasticsearch 8.x REST server for the end-to-end tests, written from Elastic's REST docs.

Usage: elasticsearch.py [--port N] [--tls-cert F --tls-key F] [--max-seconds S]
                        [--seed FILE] [--no-auto-create] [--preload INDEX:N[:kestra]]
Prints `READY <port> <scheme>` when listening (fakelib). Seed (JSON, every key optional; format and
an example in tests/data/elasticsearch/README.md and seed.json):
    {"security": bool (default: true when users/api_keys/tokens are given, else off),
     "users": {"name": {"password": "...", "roles": ["superuser" | seeded role, ...], "enabled": true}},
     "roles": {"name": {"cluster": ["monitor"|"manage"|"all"|action pattern],
                        "indices": [{"names": ["kestra_*"], "privileges": ["read", "write", ...]}]}},
     "api_keys": [{"id": "...", "api_key": "...", "name": "...", "owner": "elastic",
                   "roles": [role names] | "role_descriptors": {name: descriptor} (default: the owner's)}],
     "tokens": {"bearer-token": "username"},
     "auto_create_index": true, "refresh_interval_seconds": null (never; else refresh at search time),
     "preload": [{"index": "kestra_secrets", "mappings": "kestra" | {...}, "settings": {...},
                  "docs": [{"_id": "...", "_source": {...}}],
                  "generate": {"count": N, "tenant": "main", "namespaces": ["company.team"],
                               "key_format": "KEY_{i:05d}", "value": "", "updated": "2024-01-01T00:00:00Z"},
                  "refresh": true}]}
Generated documents have the id `<tenant>/<namespace>/<key>` and Kestra's layout (spec/kestra.md §7);
`--preload INDEX:N` is `{"index": INDEX, "generate": {"count": N}}` with Kestra's strict mapping. Control endpoints under /_fake/ (faults,
request log, reset) come from fakelib; a fault with a "status" and no "body" gets Elasticsearch's error
body for that status (429 es_rejected_execution_exception, 503 ..., see DEFAULT_FAULT_BODIES). Extra:
    POST /_fake/refresh      refresh every index now
    GET  /_fake/state        {"indices": {name: {"docs", "searchable", "mappings"}}, "pits": N}

Models:
- Every response carries `X-elastic-product: Elasticsearch` (and echoes X-Opaque-Id).
- GET|HEAD / (cluster info, version 8.19.2), GET /_cluster/health, GET|PUT /_cluster/settings
  (only action.auto_create_index), GET /_security/_authenticate.
- Auth when the seed enables security: Basic (seeded users), `ApiKey base64(id:key)` (seeded keys),
  Bearer (seeded tokens); 401 security_exception with three WWW-Authenticate headers; 403
  security_exception "action [...] is unauthorized for user [...] with effective roles [...] on indices
  [...], this action is granted by the index privileges [...]" from role descriptors (cluster + index
  privileges, wildcard index names; per item in _bulk and _mget).
- Strict Content-Type on bodies: application/json, application/x-ndjson and the versioned
  application/vnd.elasticsearch+json|+x-ndjson;compatible-with=7|8, else 406 {"error":"Content-Type
  header [...] is not supported","status":406}; versions other than 7/8, or Accept and Content-Type
  versions that differ, → 400 media_type_header_exception. Responses use the vnd type when asked for.
- Indices: PUT (settings, mappings; exists → resource_already_exists_exception; bad type →
  mapper_parsing_exception; name rules → invalid_index_name_exception), HEAD, GET, DELETE,
  GET /{index}/_mapping, POST|GET /{index}/_refresh and /_refresh.
- Mappings: dynamic true (fields inferred: text+keyword, long, float, boolean, date, object), false,
  strict (strict_dynamic_mapping_exception), per-object `dynamic`; dotted field names; value checks for
  date/number/boolean/object fields (document_parsing_exception).
- Documents: PUT|POST /{i}/_doc/{id}, POST /{i}/_doc (generated id), PUT|POST /{i}/_create/{id},
  ?op_type=create, ?if_seq_no&if_primary_term (409 version_conflict_engine_exception), ?refresh=
  true|wait_for|false, GET|HEAD /{i}/_doc/{id} (realtime; ?realtime=false reads the refreshed view;
  _source filters), GET /{i}/_source/{id}, DELETE (404 result:not_found), POST /{i}/_update/{id}
  (doc, doc_as_upsert, upsert, noop); _version/_seq_no/_primary_term as ES counts them (deletes and
  not_found deletes take a seq_no; versions survive deletes); ids percent-decoded per path segment,
  > 512 bytes → 400; auto-create of a missing index on write (off: 404 "... and
  [action.auto_create_index] is [false]"); unknown query parameters → 400 like ES.
- Refresh: writes are visible to GET at once but to _search/_count only after a refresh (the refresh
  parameter, the _refresh API, or the seed's `refresh_interval_seconds`, checked at search time).
- _mget (ids or docs; missing index → per-item error), _bulk (index/create/update/delete, NDJSON
  that must end with a newline, per-item errors), _search (query: match_all, match_none, ids, term,
  terms, match, prefix, wildcard, exists, range, bool, constant_score; sort on keyword/date/numeric/
  boolean fields, _score, _doc, missing/mode/unmapped_type; sorting on _id, text or doc_values:false
  refused as ES does; search_after; from+size > index.max_result_window → search_phase_execution_exception;
  hits.total capped by track_total_hits (default 10000, "gte"); rest_total_hits_as_int; _source
  filtering; version; seq_no_primary_term), _count, PIT (POST /{i}/_pit?keep_alive=, POST /_search
  with "pit", implicit _shard_doc tiebreaker, expiry → 404 search_context_missing_exception,
  DELETE /_pit), comma lists and wildcards of index names in search/count/pit.
Does NOT model: scroll, aggregations, highlighting, scoring (every hit scores 1.0, or 0.0 in pure
filter context), analyzers beyond lower-case word splitting, aliases, data streams, templates,
ingest pipelines, routing, external versioning, YAML/CBOR/SMILE bodies (406 here), the 7.x
compatibility rewrites of responses (_type), wait_for_active_shards, cluster blocks, shards other than
one primary per index, API-key creation, filter_path (accepted, ignored), `[1:N]` positions in parse
errors (approximate), Accept-Encoding (responses are never compressed; gzip request bodies are read).
"""
import base64
import gzip
import hashlib
import json
import os
import socket
import sys
import time
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402
from elasticsearch_docs import DocsMixin  # noqa: E402
from elasticsearch_search import Searcher  # noqa: E402
from elasticsearch_security import Security  # noqa: E402
from elasticsearch_store import (CLUSTER_NAME, CLUSTER_UUID, NODE_NAME, VERSION, EsError, Index,  # noqa: E402
                                 bad_request, cause, check_mappings, err, flatten_settings, index_not_found,
                                 simple_err, validate_id, validate_index_name, validation_failed)

KESTRA_MAPPINGS = {"dynamic": "strict", "properties": {
    "key": {"type": "keyword"}, "namespace": {"type": "keyword"}, "tenant": {"type": "keyword"},
    "value": {"type": "keyword", "index": False, "doc_values": False}, "description": {"type": "text"},
    "tags": {"type": "object", "properties": {"key": {"type": "keyword"}, "value": {"type": "keyword"}}},
    "updated": {"type": "date"}}}

DEFAULT_FAULT_BODIES = {
    429: ("es_rejected_execution_exception", "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
          "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]"),
    502: ("no_shard_available_action_exception", "No shard available"),
    503: ("cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master];"),
    504: ("master_not_discovered_exception", "master not discovered"),
    500: ("exception", "internal error"),
}
MAPPING_KEYS = {"dynamic", "properties", "_source", "_meta", "dynamic_templates", "date_detection",
                "numeric_detection", "_routing", "enabled", "runtime", "subobjects"}
COMMON_PARAMS = {"pretty", "human", "error_trace", "filter_path", "format", "source", "source_content_type"}
JSON_TYPES = {"application/json", "application/x-ndjson", "application/vnd.elasticsearch+json",
              "application/vnd.elasticsearch+x-ndjson"}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def parse_media(value):
    """(type, compatible-with version or None) of the first media type in a header value."""
    if not value:
        return None, None
    first = value.split(",")[0]
    parts = [p.strip() for p in first.split(";")]
    ver = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "compatible-with":
            ver = v.strip()
    return parts[0].lower(), ver


class EsState(fakelib.FakeState):
    def __init__(self, seed, auto_create=True):
        super().__init__()
        self.seed = seed
        self.security = Security(seed)
        self.auto_create = bool(seed.get("auto_create_index", auto_create)) and auto_create
        self.refresh_interval = seed.get("refresh_interval_seconds")
        self.last_refresh = time.monotonic()
        self.indices = {}
        self.searcher = Searcher()
        self.id_seq = 0
        self.clock_ms = int(seed.get("creation_date_ms", 1704067200000))

    def new_id(self):
        self.id_seq += 1
        return base64.urlsafe_b64encode(hashlib.sha1(f"fake-id-{self.id_seq}".encode()).digest()[:15]).decode()

    def create_index(self, name, mappings=None, settings=None):
        validate_index_name(name)
        if name in self.indices:
            idx = self.indices[name]
            raise err(400, "resource_already_exists_exception", f"index [{name}/{idx.uuid}] already exists",
                      index_uuid=idx.uuid, index=name)
        mappings = dict(mappings or {})
        for k in mappings:
            if k not in MAPPING_KEYS:
                raise err(400, "mapper_parsing_exception",
                          f"Failed to parse mapping: Root mapping definition has unsupported parameters:  [{k} : "
                          f"{json.dumps(mappings[k])}]",
                          caused_by=cause("mapper_parsing_exception",
                                          f"Root mapping definition has unsupported parameters:  [{k} : {json.dumps(mappings[k])}]"))
        check_mappings(mappings)
        self.clock_ms += 1
        idx = Index(name, mappings, flatten_settings(settings), self.clock_ms)
        self.indices[name] = idx
        return idx

    def maybe_auto_refresh(self):
        if self.refresh_interval is not None and time.monotonic() - self.last_refresh >= float(self.refresh_interval):
            self.refresh_all()

    def refresh_all(self):
        for idx in self.indices.values():
            idx.refresh()
        self.last_refresh = time.monotonic()

    def preload(self, spec):
        name = spec["index"]
        mappings = spec.get("mappings", "kestra")
        if mappings == "kestra":
            mappings = KESTRA_MAPPINGS
        idx = self.indices.get(name) or self.create_index(name, mappings, spec.get("settings"))
        for d in spec.get("docs") or []:
            doc_id = d.get("_id") or self.new_id()
            validate_id(doc_id)
            idx.put(doc_id, d["_source"])
        g = spec.get("generate")
        if g:
            n = int(g.get("count", 0))
            tenant = g.get("tenant", "main")
            nss = g.get("namespaces") or ["company.team"]
            fmt = g.get("key_format", "KEY_{i:05d}")
            value = g.get("value", "")
            updated = g.get("updated", "2024-01-01T00:00:00Z")
            for i in range(n):
                ns = nss[i % len(nss)]
                key = fmt.format(i=i)
                src = {"key": key, "namespace": ns, "tenant": tenant, "value": value, "description": None,
                       "tags": [], "updated": updated}
                idx.put(f"{tenant}/{ns}/{key}", src)
        if spec.get("refresh", True):
            idx.refresh()


class EsHandler(DocsMixin, fakelib.BaseFakeHandler):
    server_version = "fake-elasticsearch"

    # --- transport -------------------------------------------------------------------------
    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                out += self.rfile.read(size)
                self.rfile.readline()
            body = out
        else:
            body = super().read_body()
        if body and "gzip" in (self.headers.get("Content-Encoding") or "").lower():
            body = gzip.decompress(body)
        return body

    def send_raw(self, status, body=b"", headers=None, content_type="application/json; charset=UTF-8"):
        if isinstance(body, str):
            body = body.encode()
        if content_type and content_type.startswith("application/json"):
            content_type = getattr(self, "resp_type", None) or "application/json"
        self.send_response(status)
        if content_type and not any(k.lower() == "content-type" for k in (headers or {})):
            self.send_header("Content-Type", content_type)
        self.send_header("X-elastic-product", "Elasticsearch")
        if self.headers.get("X-Opaque-Id"):
            self.send_header("X-Opaque-Id", self.headers["X-Opaque-Id"])
        for k, v in (headers or {}).items():
            for one in (v if isinstance(v, list) else [v]):
                self.send_header(k, one)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _apply_fault(self, f):
        if f.get("delay") and f.get("fault") == "truncate":
            time.sleep(float(f["delay"]))
        if f.get("fault") == "truncate":  # fakelib's, plus the product header every ES response has
            payload = b'{"truncated": "' + b"x" * 50
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-elastic-product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        ver = parse_media(self.headers.get("Accept"))[1]
        self.resp_type = f"application/vnd.elasticsearch+json;compatible-with={ver}" if ver else None
        if "status" in f and "body" not in f and f.get("fault") is None and f["status"] in DEFAULT_FAULT_BODIES:
            t, reason = DEFAULT_FAULT_BODIES[f["status"]]
            f = dict(f, body=compact(err(f["status"], t, reason).body))
        return super()._apply_fault(f)

    def _control(self, body):
        if self.path == "/_fake/refresh" and self.command == "POST":
            with self.state.lock:
                self.state.refresh_all()
            return self.send_json(200, {"ok": True})
        if self.path == "/_fake/state":
            with self.state.lock:
                return self.send_json(200, {"indices": {n: {"docs": len(i.docs), "searchable": len(i.view),
                                                            "mappings": i.mappings}
                                                        for n, i in self.state.indices.items()},
                                            "pits": len(self.state.searcher.pits)})
        return super()._control(body)

    # --- request handling ------------------------------------------------------------------
    def handle_request(self, body):
        self.resp_type = None
        try:
            with self.state.lock:
                status, obj, headers = self.dispatch(body)
        except EsError as e:
            status, obj, headers = e.status, e.body, e.headers
        except Exception as e:  # a bug in the fake: answer like an ES 500, and say what it was
            import traceback
            traceback.print_exc()
            status, obj, headers = 500, err(500, "exception", f"fake bug: {e!r}").body, {}
        if obj is None:
            return self.send_raw(status, b"", headers)
        if self.command == "HEAD":
            return self.send_raw(status, compact(obj) if status < 300 else b"", headers)
        self.send_raw(status, compact(obj), headers)

    def check_media(self, body):
        ct_type, ct_ver = parse_media(self.headers.get("Content-Type"))
        acc_type, acc_ver = parse_media(self.headers.get("Accept"))
        for name, typ, ver in (("Accept", acc_type, acc_ver), ("Content-Type", ct_type, ct_ver)):
            if ver is not None and ver not in ("7", "8"):
                raise err(400, "media_type_header_exception", f"Invalid media-type value on headers [{name}]",
                          caused_by=cause("status_exception", f"{name} version must be either version 8 or 7, but "
                                          f"found {ver}. {name}={self.headers.get(name)}"))
        if body:
            if ct_type is None:
                raise simple_err(406, "Content-Type header is missing")
            if ct_type not in JSON_TYPES:
                raise simple_err(406, f"Content-Type header [{self.headers.get('Content-Type')}] is not supported")
            if acc_type is not None and (ct_ver or acc_ver) and ct_ver != acc_ver:
                raise err(400, "media_type_header_exception", "Invalid media-type value on headers [Accept, Content-Type]",
                          caused_by=cause("status_exception", "A compatible version is required on both Content-Type "
                                          "and Accept headers if either one has requested a compatible version and the "
                                          f"compatible versions must match. Accept={acc_ver}, Content-Type={ct_ver}"))
        ver = acc_ver or (ct_ver if acc_type is None else None)
        if ver:
            self.resp_type = f"application/vnd.elasticsearch+json;compatible-with={ver}"

    def json_body(self, body, required=False):
        if not body:
            if required:
                raise err(400, "parse_exception", "request body is required")
            return None
        try:
            return json.loads(body)
        except ValueError as e:
            raise err(400, "x_content_parse_exception", f"[1:{getattr(e, 'colno', 1)}] Unexpected character: {e.msg}"
                      if hasattr(e, "msg") else "failed to parse JSON")

    def dispatch(self, body):
        url = urlsplit(self.path)
        self.uri = self.path
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.params = q
        self.principal = self.state.security.authenticate(self.headers.get("Authorization"), self.path)
        self.check_media(body)
        segs = [unquote(s) for s in url.path.split("/")[1:]]
        if segs and segs[-1] == "" and len(segs) > 1:
            segs = segs[:-1]
        if segs == [""]:
            segs = []
        m = self.command
        self.state.maybe_auto_refresh()
        if not segs:
            return self.route_root(m)
        head = segs[0]
        if head.startswith("_"):
            return self.route_api(m, segs, body)
        if len(segs) == 1:
            return self.route_index(m, head, body)
        return self.route_index_api(m, head, segs[1:], body)

    def allow(self, m, allowed):
        if m not in allowed:
            raise simple_err(405, f"Incorrect HTTP method for uri [{self.uri}] and method [{m}], allowed: "
                             f"[{', '.join(allowed)}]")

    def check_params(self, allowed):
        for k in self.params:
            if k not in allowed and k not in COMMON_PARAMS:
                raise bad_request(f"request [{urlsplit(self.path).path}] contains unrecognized parameter: [{k}]")

    def no_handler(self):
        return simple_err(400, f"no handler found for uri [{self.uri}] and method [{self.command}]")

    def authz(self, action, index=None):
        self.state.security.check(self.principal, action, index)

    # --- routes ----------------------------------------------------------------------------
    def route_root(self, m):
        self.allow(m, ["GET", "HEAD"])
        self.authz("cluster:monitor/main")
        return 200, {"name": NODE_NAME, "cluster_name": CLUSTER_NAME, "cluster_uuid": CLUSTER_UUID,
                     "version": {"number": VERSION, "build_flavor": "default", "build_type": "docker",
                                 "build_hash": "0000000000000000000000000000000000000000",
                                 "build_date": "2025-08-01T00:00:00.000000000Z", "build_snapshot": False,
                                 "lucene_version": "9.12.2", "minimum_wire_compatibility_version": "7.17.0",
                                 "minimum_index_compatibility_version": "7.0.0"},
                     "tagline": "You Know, for Search"}, {}

    def route_api(self, m, segs, body):
        st = self.state
        head = segs[0]
        if segs == ["_bulk"]:
            self.allow(m, ["POST", "PUT"])
            return self.bulk(None, body)
        if segs == ["_mget"]:
            self.allow(m, ["GET", "POST"])
            return self.mget(None, body)
        if segs == ["_search"]:
            self.allow(m, ["GET", "POST"])
            return self.search(None, body)
        if segs == ["_count"]:
            self.allow(m, ["GET", "POST"])
            return self.count(None, body)
        if segs == ["_refresh"]:
            self.allow(m, ["GET", "POST"])
            for n in st.indices:
                self.authz("indices:admin/refresh", n)
            st.refresh_all()
            n = len(st.indices)
            return 200, {"_shards": {"total": 2 * n, "successful": n, "failed": 0}}, {}
        if segs == ["_pit"]:
            self.allow(m, ["DELETE"])
            b = self.json_body(body, True)
            if not isinstance(b, dict) or not b.get("id"):
                raise validation_failed("point-in-time id must be specified")
            s, out = st.searcher.close_pit(b["id"])
            return s, out, {}
        if segs == ["_cluster", "health"]:
            self.allow(m, ["GET"])
            self.authz("cluster:monitor/health")
            n = len(st.indices)
            return 200, {"cluster_name": CLUSTER_NAME, "status": "yellow" if n else "green", "timed_out": False,
                         "number_of_nodes": 1, "number_of_data_nodes": 1, "active_primary_shards": n,
                         "active_shards": n, "relocating_shards": 0, "initializing_shards": 0,
                         "unassigned_shards": n, "unassigned_primary_shards": 0, "delayed_unassigned_shards": 0,
                         "number_of_pending_tasks": 0, "number_of_in_flight_fetch": 0,
                         "task_max_waiting_in_queue_millis": 0,
                         "active_shards_percent_as_number": 50.0 if n else 100.0}, {}
        if segs == ["_cluster", "settings"]:
            self.allow(m, ["GET", "PUT"])
            if m == "GET":
                self.authz("cluster:monitor/settings")
                return 200, {"persistent": {"action": {"auto_create_index": str(st.auto_create).lower()}},
                             "transient": {}}, {}
            self.authz("cluster:admin/settings/update")
            b = self.json_body(body, True) or {}
            out = {"acknowledged": True, "persistent": {}, "transient": {}}
            for scope in ("persistent", "transient"):
                flat = flatten_settings(b.get(scope) or {})
                if "action.auto_create_index" in flat:
                    v = flat["action.auto_create_index"]
                    st.auto_create = v is None or str(v).lower() != "false"
                    out[scope] = {"action": {"auto_create_index": str(v).lower() if v is not None else None}}
            return 200, out, {}
        if segs == ["_security", "_authenticate"]:
            self.allow(m, ["GET"])
            if self.principal is None:
                return 200, {"username": "_anonymous", "roles": ["superuser"], "full_name": None, "email": None,
                             "metadata": {}, "enabled": True,
                             "authentication_realm": {"name": "__anonymous", "type": "__anonymous"},
                             "lookup_realm": {"name": "__anonymous", "type": "__anonymous"},
                             "authentication_type": "anonymous"}, {}
            return 200, self.principal.authenticate_body(), {}
        if head in ("_search", "_count", "_mget", "_bulk", "_refresh", "_pit", "_cluster", "_security", "_doc",
                    "_cat", "_nodes", "_all", "_mapping", "_settings", "_aliases", "_alias", "_template",
                    "_index_template", "_ingest", "_tasks", "_snapshot", "_sql", "_license", "_xpack",
                    "_data_stream", "_update_by_query", "_delete_by_query", "_field_caps", "_msearch"):
            raise self.no_handler()
        if len(segs) == 1:
            return self.route_index(m, head, body)
        return self.route_index_api(m, head, segs[1:], body)

    def resolve(self, expr, action):
        """Concrete indices for an index expression (comma list, wildcards, _all)."""
        import fnmatch
        out = []
        for part in (expr or "_all").split(","):
            if part in ("_all", "*"):
                names = sorted(self.state.indices)
            elif "*" in part or "?" in part:
                names = sorted(n for n in self.state.indices if fnmatch.fnmatchcase(n, part))
            else:
                if part not in self.state.indices:
                    self.authz(action, part)
                    raise index_not_found(part)
                names = [part]
            for n in names:
                if n not in [i.name for i in out]:
                    out.append(self.state.indices[n])
        for i in out:
            self.authz(action, i.name)
        return out

    def route_index(self, m, name, body):
        st = self.state
        self.allow(m, ["PUT", "GET", "HEAD", "DELETE"])
        if m == "PUT":
            self.check_params({"wait_for_active_shards", "timeout", "master_timeout", "include_type_name"})
            self.authz("indices:admin/create", name)
            b = self.json_body(body) or {}
            for k in b:
                if k not in ("settings", "mappings", "aliases"):
                    raise err(400, "parse_exception", f"unknown key [{k}] for create index")
            st.create_index(name, b.get("mappings"), b.get("settings"))
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}, {}
        if m in ("GET", "HEAD"):
            idxs = self.resolve(name, "indices:admin/get") if m == "GET" else None
            if m == "HEAD":
                self.authz("indices:admin/get", name)
                return (200 if name in st.indices else 404), None, {}
            return 200, {i.name: i.describe() for i in idxs}, {}
        self.authz("indices:admin/delete", name)
        if name not in st.indices:
            raise index_not_found(name)
        del st.indices[name]
        return 200, {"acknowledged": True}, {}

    def route_index_api(self, m, name, rest, body):
        st = self.state
        api = rest[0]
        if api in ("_doc", "_create") and len(rest) == 2:
            doc_id = rest[1]
            if api == "_create":
                self.allow(m, ["PUT", "POST"])
                return self.write(name, doc_id, body, "create")
            self.allow(m, ["GET", "HEAD", "PUT", "POST", "DELETE"])
            if m in ("PUT", "POST"):
                return self.write(name, doc_id, body, self.params.get("op_type", "index"))
            if m == "DELETE":
                return self.delete(name, doc_id)
            return self.get(name, doc_id)
        if api == "_doc" and len(rest) == 1:
            self.allow(m, ["POST"])
            return self.write(name, None, body, "create")
        if api == "_source" and len(rest) == 2:
            self.allow(m, ["GET", "HEAD"])
            s, out, h = self.get(name, rest[1])
            if not out.get("found"):
                raise err(404, "resource_not_found_exception", f"Document not found [{name}]/[{rest[1]}]")
            return 200, out["_source"], h
        if api == "_update" and len(rest) == 2:
            self.allow(m, ["POST"])
            return self.update(name, rest[1], body)
        if len(rest) != 1:
            raise self.no_handler()
        if api == "_mget":
            self.allow(m, ["GET", "POST"])
            return self.mget(name, body)
        if api == "_bulk":
            self.allow(m, ["POST", "PUT"])
            return self.bulk(name, body)
        if api == "_search":
            self.allow(m, ["GET", "POST"])
            return self.search(name, body)
        if api == "_count":
            self.allow(m, ["GET", "POST"])
            return self.count(name, body)
        if api == "_refresh":
            self.allow(m, ["GET", "POST"])
            idxs = self.resolve(name, "indices:admin/refresh")
            for i in idxs:
                i.refresh()
            return 200, {"_shards": {"total": 2 * len(idxs), "successful": len(idxs), "failed": 0}}, {}
        if api == "_mapping":
            self.allow(m, ["GET"])
            return 200, {i.name: {"mappings": i.mappings} for i in self.resolve(name, "indices:admin/mappings/get")}, {}
        if api == "_pit":
            self.allow(m, ["POST"])
            idxs = self.resolve(name, "indices:data/read/open_point_in_time")
            return 200, st.searcher.open_pit(idxs, self.params.get("keep_alive")), {}
        raise self.no_handler()

    # --- search ----------------------------------------------------------------------------
    def search(self, name, body):
        b = self.json_body(body) or {}
        if name is None and isinstance(b, dict) and b.get("pit") is not None:
            idxs = []
        else:
            idxs = self.resolve(name, "indices:data/read/search")
        return 200, self.state.searcher.search(idxs, b, self.params, name is not None), {}

    def count(self, name, body):
        b = self.json_body(body) or {}
        idxs = self.resolve(name, "indices:data/read/search")
        return 200, self.state.searcher.count(idxs, b), {}


def main():
    def extra(p):
        p.add_argument("--seed", help="JSON seed file (users, roles, api_keys, preload, ...)")
        p.add_argument("--no-auto-create", action="store_true", help="action.auto_create_index=false")
        p.add_argument("--preload", action="append", default=[],
                       help="INDEX:N — create INDEX with Kestra's mapping and N generated documents")
    args = fakelib.parse_args(extra=extra)
    seed = {}
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed = json.load(f)
    state = EsState(seed, auto_create=not args.no_auto_create)
    specs = list(seed.get("preload") or [])
    for p in args.preload:
        ix, _, n = p.partition(":")
        specs.append({"index": ix, "generate": {"count": int(n or 0)}})
    for spec in specs:
        state.preload(spec)
    fakelib.serve(EsHandler, state, args)


if __name__ == "__main__":
    main()
