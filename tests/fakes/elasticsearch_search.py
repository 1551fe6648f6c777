"""Queries, sorting, _search, _count and point-in-time for the Elasticsearch fake.

See elasticsearch.py for what is modelled. Python 3 standard library only.
"""
import base64
import bisect
import fnmatch
import functools
import hashlib
import json
import re
import time

from elasticsearch_store import (NUMERIC, bad_request, cause, date_millis, err, field_type, keyword_of,
                                 filter_source, resolve_field, shard_failure, source_values, validation_failed)

LMAX = 9223372036854775807
LMIN = -9223372036854775808
DEFAULT_TRACK_TOTAL = 10000


def parsing(reason, **extra):
    return err(400, "parsing_exception", reason, **extra)


@functools.total_ordering
class Rev:
    """Inverts the order of a value (descending sorts)."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __eq__(self, o):
        return self.v == o.v

    def __lt__(self, o):
        return o.v < self.v


class Ctx:
    """Field resolution per index (cached) and the checks ES makes on the fields a query touches."""

    def __init__(self, indices):
        self.indices = indices
        self.cache = {}

    def field(self, idx, name, for_query=True):
        k = (idx.name, name, for_query)
        r = self.cache.get(k)
        if r is None:
            r = resolve_field(idx.mappings, name)
            fm = r[1]
            if for_query and fm is not None and fm.get("index") is False and field_type(fm) not in ("date",) + tuple(NUMERIC) and not fm.get("doc_values", field_type(fm) != "text"):
                raise shard_failure(idx.name, cause(
                    "query_shard_exception", f"failed to create query: Cannot search on field [{name}] since it is not indexed.",
                    index_uuid=idx.uuid, index=idx.name,
                    caused_by=cause("illegal_argument_exception", f"Cannot search on field [{name}] since it is not indexed.")))
            self.cache[k] = r
        return r

    def check_all(self, name):
        for idx in self.indices:
            self.field(idx, name)


def tokens(v):
    return re.findall(r"\w+", keyword_of(v).lower())


def _field_and_value(kind, body, value_key="value"):
    if not isinstance(body, dict) or not body:
        raise parsing(f"[{kind}] query malformed, no start_object after query name")
    if len(body) > 1:
        names = [k for k in body if k not in ("boost", "_name")]
        if len(names) > 1:
            raise parsing(f"[{kind}] query doesn't support multiple fields, found [{names[0]}] and [{names[1]}]")
    field = [k for k in body if k not in ("boost", "_name")][0]
    spec = body[field]
    opts = {}
    if isinstance(spec, dict):
        opts = spec
        if value_key not in spec and kind != "range":
            raise parsing(f"[{kind}] query does not support [{field}]" if not spec else f"[{kind}] query requires a value")
        value = spec.get(value_key)
    else:
        value = spec
    return field, value, opts


def _typed_values(e, ctx, field):
    idx = e[0]
    sp, fm = ctx.field(idx, field)
    if fm is None:
        return None, []
    return field_type(fm), source_values(e[2].source, sp)


def _eq(t, v, q, ci=False):
    if not ci and type(v) is str and type(q) is str and t == "keyword":
        return v == q
    if t in ("keyword", "constant_keyword", "wildcard", "flattened", "ip"):
        a, b = keyword_of(v), keyword_of(q)
        return a.lower() == b.lower() if ci else a == b
    if t in ("text", "match_only_text"):
        return keyword_of(q) in tokens(v) if not ci else keyword_of(q).lower() in tokens(v)
    if t in ("date", "date_nanos"):
        return date_millis(v) is not None and date_millis(v) == date_millis(q)
    if t in NUMERIC:
        try:
            return float(v) == float(q)
        except (TypeError, ValueError):
            return False
    if t == "boolean":
        return keyword_of(v) == keyword_of(q)
    return keyword_of(v) == keyword_of(q)


def compile_query(q, ctx):
    """A predicate over entries (index, id, Doc, ordinal), for the query DSL subset the fake knows."""
    if q is None:
        return lambda e: True
    if not isinstance(q, dict) or len(q) != 1:
        raise parsing("[_na] query malformed, must start with start_object" if not isinstance(q, dict)
                      else f"[{next(iter(q), '_na')}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]")
    (kind, body), = q.items()
    if kind == "match_all":
        return lambda e: True
    if kind == "match_none":
        return lambda e: False
    if kind == "ids":
        vals = set(map(str, (body or {}).get("values", [])))
        return lambda e: e[1] in vals
    if kind in ("term", "terms"):
        if kind == "term":
            field, value, opts = _field_and_value(kind, body)
            values = [value]
        else:
            fields = [k for k in body if k not in ("boost", "_name")]
            if len(fields) != 1:
                raise parsing("[terms] query does not support multiple fields" if fields else "[terms] query requires a field")
            field, values, opts = fields[0], body[fields[0]], {}
            if not isinstance(values, list):
                raise parsing(f"[terms] query does not support [{field}]")
        ci = bool(opts.get("case_insensitive"))
        if field == "_id":
            s = set(map(str, values))
            return lambda e: e[1] in s
        if field == "_index":
            s = set(map(str, values))
            return lambda e: e[0].name in s
        ctx.check_all(field)

        def term_pred(e):
            t, vals = _typed_values(e, ctx, field)
            return any(_eq(t, v, x, ci) for v in vals for x in values)
        return term_pred
    if kind == "match":
        field, value, opts = _field_and_value(kind, body, "query")
        if field == "_id":
            return lambda e: e[1] == str(value)
        ctx.check_all(field)
        qtok = tokens(value)
        op_and = str(opts.get("operator", "or")).lower() == "and"

        def match_pred(e):
            t, vals = _typed_values(e, ctx, field)
            if t in ("text", "match_only_text"):
                have = set()
                for v in vals:
                    have.update(tokens(v))
                return all(x in have for x in qtok) if op_and else any(x in have for x in qtok)
            return any(_eq(t, v, value) for v in vals)
        return match_pred
    if kind in ("prefix", "wildcard"):
        field, value, opts = _field_and_value(kind, body)
        ci = bool(opts.get("case_insensitive"))
        value = keyword_of(value)
        if ci:
            value = value.lower()

        def test(s):
            s = s.lower() if ci else s
            return s.startswith(value) if kind == "prefix" else fnmatch.fnmatchcase(s, value)
        if field == "_id":
            return lambda e: test(e[1])
        ctx.check_all(field)

        def prefix_pred(e):
            t, vals = _typed_values(e, ctx, field)
            if t in ("text", "match_only_text"):
                return any(test(tok) for v in vals for tok in tokens(v))
            if t in ("keyword", "constant_keyword", "wildcard", "flattened"):
                return any(test(keyword_of(v)) for v in vals)
            return False
        return prefix_pred
    if kind == "exists":
        field = (body or {}).get("field")
        if not field:
            raise parsing("[exists] must be provided with a [field]")
        if field == "_id":
            return lambda e: True
        return lambda e: bool(_typed_values(e, ctx, field)[1])
    if kind == "range":
        field, _, opts = _field_and_value(kind, body)
        ctx.check_all(field)
        bounds = [(op, opts[op]) for op in ("gt", "gte", "lt", "lte") if op in opts]

        def conv(t, v):
            if t in ("date", "date_nanos"):
                return date_millis(v)
            if t in NUMERIC:
                return float(v)
            return keyword_of(v)

        def range_pred(e):
            t, vals = _typed_values(e, ctx, field)
            for v in vals:
                try:
                    x = conv(t, v)
                    ok = all({"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
                              "lte": lambda a, b: a <= b}[op](x, conv(t, b)) for op, b in bounds)
                except (TypeError, ValueError):
                    ok = False
                if ok:
                    return True
            return False
        return range_pred
    if kind == "constant_score":
        return compile_query((body or {}).get("filter"), ctx)
    if kind == "bool":
        if not isinstance(body, dict):
            raise parsing("[bool] query malformed, no start_object after query name")
        for k in body:
            if k not in ("must", "filter", "should", "must_not", "minimum_should_match", "boost", "_name"):
                raise parsing(f"[bool] query does not support [{k}]")

        def clauses(name):
            c = body.get(name) or []
            c = c if isinstance(c, list) else [c]
            return [compile_query(x, ctx) for x in c]
        must = clauses("must") + clauses("filter")
        should = clauses("should")
        must_not = clauses("must_not")
        msm = body.get("minimum_should_match")
        if msm is None:
            msm = 0 if must else (1 if should else 0)
        else:
            s = str(msm)
            msm = int(len(should) * int(s[:-1]) / 100) if s.endswith("%") else int(s)
            if msm < 0:
                msm = max(0, len(should) + msm)

        def bool_pred(e):
            for p in must:
                if not p(e):
                    return False
            for p in must_not:
                if p(e):
                    return False
            if msm:
                n = 0
                for p in should:
                    if p(e):
                        n += 1
                        if n >= msm:
                            return True
                return False
            return True
        return bool_pred
    raise err(400, "parsing_exception", f"unknown query [{kind}]", line=1, col=1 + len(kind),
              caused_by=cause("named_object_not_found_exception", f"[1:{1 + len(kind)}] unknown field [{kind}]"))


def scores_zero(q):
    if isinstance(q, dict) and len(q) == 1:
        (kind, body), = q.items()
        if kind == "bool" and isinstance(body, dict):
            return not body.get("must") and not body.get("should")
    return False


# --- sorting ---------------------------------------------------------------------------------
def parse_sort(sort):
    if sort is None:
        return []
    items = sort if isinstance(sort, list) else [sort]
    out = []
    for it in items:
        if isinstance(it, str):
            name, spec = it, {}
        elif isinstance(it, dict) and len(it) == 1:
            (name, spec), = it.items()
            spec = {"order": spec} if isinstance(spec, str) else (spec or {})
        else:
            raise parsing("malformed sort format, within the sort array, an object, or an actual string are allowed")
        default = "desc" if name == "_score" else "asc"
        order = str(spec.get("order", default)).lower()
        if order not in ("asc", "desc"):
            raise err(400, "x_content_parse_exception", f"[1:1] [sort] failed to parse field [order]",
                      caused_by=cause("illegal_argument_exception", f"Unknown SortOrder [{order}]"))
        out.append({"field": name, "order": order, "missing": spec.get("missing", "_last"),
                    "unmapped_type": spec.get("unmapped_type"), "mode": spec.get("mode")})
    return out


def check_sort(sorts, ctx, pit):
    for s in sorts:
        f = s["field"]
        if f in ("_score", "_doc"):
            continue
        if f == "_shard_doc":
            if not pit:
                raise validation_failed("[_shard_doc] sort field cannot be used without [point in time]")
            continue
        for idx in ctx.indices:
            if f == "_id":
                raise shard_failure(idx.name, cause(
                    "illegal_argument_exception", "Fielddata access on the _id field is disallowed, you can re-enable it "
                    "by updating the dynamic cluster setting: indices.id_field_data.enabled"))
            _, fm = ctx.field(idx, f, for_query=False)
            t = field_type(fm)
            if fm is None:
                if s["unmapped_type"]:
                    continue
                raise shard_failure(idx.name, cause("query_shard_exception", f"No mapping found for [{f}] in order to sort on",
                                                    index_uuid=idx.uuid, index=idx.name))
            if t in ("text", "match_only_text") and not fm.get("fielddata"):
                raise shard_failure(idx.name, cause(
                    "illegal_argument_exception", "Text fields are not optimised for operations that require per-document "
                    "field data like aggregations and sorting, so these operations are disabled by default. Please use a "
                    f"keyword field instead. Alternatively, set fielddata=true on [{f}] in order to load field data by "
                    "uninverting the inverted index. Note that this can use significant memory."))
            if fm.get("doc_values") is False:
                raise shard_failure(idx.name, cause(
                    "illegal_argument_exception", f"Can't load fielddata on [{f}] because fielddata is unsupported on "
                    f"fields of type [{t}]. Use doc values instead."))


def sort_value(e, s, ctx, score, shard_pos):
    """The JSON sort value of an entry for one sort field (None = missing keyword)."""
    f = s["field"]
    if f == "_score":
        return score
    if f in ("_doc", "_shard_doc"):
        return (shard_pos << 32) | e[3]
    idx = e[0]
    sp, fm = ctx.field(idx, f, for_query=False)
    t = field_type(fm) if fm else (s["unmapped_type"] or "keyword")
    vals = source_values(e[2].source, sp) if fm else []
    if len(vals) == 1 and type(vals[0]) is str and t in ("keyword", "constant_keyword", "wildcard", "ip"):
        return vals[0]
    conv = []
    for v in vals:
        if t in ("date", "date_nanos"):
            x = date_millis(v)
        elif t in NUMERIC:
            try:
                x = float(v) if t in ("double", "float", "half_float", "scaled_float") else int(float(v))
            except (TypeError, ValueError):
                x = None
        elif t == "boolean":
            x = 1 if keyword_of(v) == "true" else 0
        else:
            x = keyword_of(v)
        if x is not None:
            conv.append(x)
    if not conv:
        if t in ("keyword", "constant_keyword", "wildcard", "ip"):
            return None
        return LMAX if s["order"] == "asc" else LMIN
    mode = s["mode"] or ("min" if s["order"] == "asc" else "max")
    return max(conv) if mode == "max" else min(conv)


def key_part(v, s, is_keyword):
    missing = v is None or (not is_keyword and v in (LMAX, LMIN) and s["field"] not in ("_doc", "_shard_doc"))
    if missing:
        return (1, 0) if s["missing"] != "_first" else (-1, 0)
    return (0, v if s["order"] == "asc" else Rev(v))


def is_keyword_sort(s, ctx):
    f = s["field"]
    if f in ("_score", "_doc", "_shard_doc"):
        return False
    for idx in ctx.indices:
        _, fm = ctx.field(idx, f, for_query=False)
        if fm is not None:
            return field_type(fm) not in ("date", "date_nanos", "boolean") and field_type(fm) not in NUMERIC
    return True


# --- search ----------------------------------------------------------------------------------
def parse_time(v):
    m = re.fullmatch(r"(\d+)(d|h|m|s|ms|micros|nanos)", str(v or ""))
    if not m:
        raise err(400, "parse_exception", f"failed to parse setting [keep_alive] with value [{v}] as a time value: "
                  "unit is missing or unrecognized")
    n, u = int(m.group(1)), m.group(2)
    return n * {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001, "micros": 1e-6, "nanos": 1e-9}[u]


def _int(v, name):
    try:
        return int(v)
    except (TypeError, ValueError):
        raise bad_request(f"Failed to parse int parameter [{name}] with value [{v}]")


SEARCH_KEYS = {"query", "size", "from", "sort", "search_after", "pit", "track_total_hits", "_source", "version",
               "seq_no_primary_term", "track_scores", "timeout", "terminate_after", "stored_fields", "explain"}
UNMODELLED_KEYS = {"aggs", "aggregations", "post_filter", "highlight", "collapse", "fields", "docvalue_fields",
                   "min_score", "profile", "runtime_mappings", "indices_boost", "stats", "ext", "slice", "rescore",
                   "suggest", "script_fields", "knn", "retriever", "rank", "sub_searches", "point_in_time"}


def check_body_keys(body):
    for k, v in body.items():
        if k in SEARCH_KEYS:
            continue
        if k in UNMODELLED_KEYS:
            raise bad_request(f"[fake] the search body key [{k}] is not modelled by the Elasticsearch fake")
        token = ("START_OBJECT" if isinstance(v, dict) else "START_ARRAY" if isinstance(v, list) else
                 "VALUE_BOOLEAN" if isinstance(v, bool) else "VALUE_NUMBER" if isinstance(v, (int, float)) else
                 "VALUE_NULL" if v is None else "VALUE_STRING")
        raise parsing(f"Unknown key for a {token} in [{k}].", line=1, col=1)


class Searcher:
    """Runs _search/_count over indices or a PIT; caches sorted matches by (index generation, query, sort)."""

    def __init__(self):
        self.cache = {}
        self.pits = {}
        self.pit_seq = 0

    def entries(self, indices):
        out = []
        for idx in indices:
            out.extend((idx, i, d, o) for i, (d, o) in idx.view.items())
        return out

    # PIT --------------------------------------------------------------------------------------
    def open_pit(self, indices, keep_alive):
        if keep_alive is None:
            raise validation_failed("[keep_alive] is not specified")
        secs = parse_time(keep_alive)
        self.pit_seq += 1
        names = ",".join(i.name for i in indices)
        pid = base64.urlsafe_b64encode(f"fakepit:{self.pit_seq}:{names}".encode()).decode().rstrip("=")
        self.pits[pid] = {"entries": self.entries(indices), "indices": list(indices),
                          "expires": time.monotonic() + secs}
        n = len(indices)
        return {"id": pid, "_shards": {"total": n, "successful": n, "skipped": 0, "failed": 0}}

    def close_pit(self, pid):
        p = self.pits.pop(pid, None)
        ok = p is not None and p["expires"] > time.monotonic()
        return (200 if ok else 404), {"succeeded": True, "num_freed": 1 if ok else 0}

    def get_pit(self, pit):
        pid = (pit or {}).get("id") if isinstance(pit, dict) else None
        if not pid:
            raise validation_failed("[pit] id is required")
        p = self.pits.get(pid)
        if p is None or p["expires"] <= time.monotonic():
            self.pits.pop(pid, None)
            ctx_id = int.from_bytes(hashlib.sha256(pid.encode()).digest()[:3], "big")
            c = cause("search_context_missing_exception", f"No search context found for id [{ctx_id}]")
            raise shard_failure(None, c, status=404)
        if pit.get("keep_alive"):
            p["expires"] = time.monotonic() + parse_time(pit["keep_alive"])
        return pid, p

    # search -----------------------------------------------------------------------------------
    def search(self, indices, body, params, path_has_index):
        body = body or {}
        if not isinstance(body, dict):
            raise parsing("Unknown key for a VALUE_STRING in [query].")
        pit = body.get("pit")
        pid = None
        if pit is not None:
            if path_has_index:
                raise validation_failed("[indices] cannot be used with point in time. Do not specify any index with point in time.")
            pid, p = self.get_pit(pit)
            indices = p["indices"]
        size = _int(params.get("size", body.get("size", 10)), "size")
        frm = _int(params.get("from", body.get("from", 0)), "from")
        if size < 0:
            raise bad_request(f"[size] parameter cannot be negative, found [{size}]")
        if frm < 0:
            raise bad_request(f"[from] parameter cannot be negative, found [{frm}]")
        check_body_keys(body)
        psort = params.get("sort")
        if psort:
            psort = [{f: o} if o else f for f, _, o in (x.partition(":") for x in psort.split(","))]
        sorts = parse_sort(psort or body.get("sort"))
        after = body.get("search_after")
        if after is not None and frm > 0:
            raise validation_failed("[from] parameter must be set to 0 when [search_after] is used")
        if after is not None and not sorts and pid is None:
            raise shard_failure(indices[0].name if indices else None,
                                cause("illegal_argument_exception", "Sort must contain at least one field."))
        ctx = Ctx(indices)
        q = body.get("query")
        pred = compile_query(q, ctx)
        check_sort(sorts, ctx, pid is not None)
        for idx in indices:
            if frm + size > idx.max_result_window:
                raise shard_failure(idx.name, cause(
                    "illegal_argument_exception", f"Result window is too large, from + size must be less than or equal "
                    f"to: [{idx.max_result_window}] but was [{frm + size}]. See the scroll api for a more efficient way "
                    "to request large data sets. This limit can be set by changing the [index.max_result_window] index "
                    "level setting."))
        if pid is not None:
            if not sorts:
                sorts = [{"field": "_score", "order": "desc", "missing": "_last", "unmapped_type": None, "mode": None}]
            if not any(s["field"] == "_shard_doc" for s in sorts):
                sorts = sorts + [{"field": "_shard_doc", "order": "asc", "missing": "_last", "unmapped_type": None, "mode": None}]
        if after is not None and len(after) != len(sorts):
            raise bad_request(f"search_after has {len(after)} value(s) but sort has {len(sorts)}.")
        score = 0.0 if scores_zero(q) else 1.0
        kw = [is_keyword_sort(s, ctx) for s in sorts]
        ck = (pid or tuple((i.name, i.gen) for i in indices), json.dumps(q, sort_keys=True),
              json.dumps(sorts, sort_keys=True))
        hit = self.cache.get(ck)
        if hit is None:
            src = self.pits[pid]["entries"] if pid else self.entries(indices)
            pos = {idx.name: n for n, idx in enumerate(indices)}
            matched = [e for e in src if pred(e)]
            rows = []
            for e in matched:
                sp = pos[e[0].name]
                vals = [sort_value(e, s, ctx, score, sp) for s in sorts]
                key = tuple(key_part(v, s, k) for v, s, k in zip(vals, sorts, kw)) + ((sp, e[3]),)
                rows.append((key, vals, e))
            rows.sort(key=lambda r: r[0])
            hit = ([r[0] for r in rows], rows)
            if len(self.cache) > 32:
                self.cache.clear()
            self.cache[ck] = hit
        keys, rows = hit
        total = len(rows)
        start = 0
        if after is not None:
            ak = []
            for v, s, k in zip(after, sorts, kw):
                if not k and isinstance(v, str) and s["field"] not in ("_score",):
                    dm = date_millis(v)
                    v = dm if dm is not None else v
                ak.append(key_part(v, s, k))
            # like ES, entries whose sort values equal `after` are skipped too (the implicit
            # tiebreaker compares as the largest possible)
            start = bisect.bisect_right(keys, tuple(ak) + ((1 << 62, 0),))
        page = rows[start + frm: start + frm + size]
        scored = not sorts or any(s["field"] == "_score" for s in sorts) or bool(body.get("track_scores"))
        hits = []
        src_filter = body.get("_source", params.get("_source"))
        if isinstance(src_filter, str) and src_filter in ("true", "false"):
            src_filter = src_filter == "true"
        for key, vals, e in page:
            idx, doc_id, d, _ = e
            h = {"_index": idx.name, "_id": doc_id, "_score": score if scored else None}
            if body.get("version") or params.get("version") == "true":
                h["_version"] = d.version
            if body.get("seq_no_primary_term") or params.get("seq_no_primary_term") == "true":
                h["_seq_no"] = d.seq_no
                h["_primary_term"] = d.primary_term
            src = filter_source(d.source, src_filter)
            if src is not None:
                h["_source"] = src
            if sorts:
                h["sort"] = vals
            hits.append(h)
        hits_obj = {}
        tth = body.get("track_total_hits", params.get("track_total_hits"))
        as_int = params.get("rest_total_hits_as_int") == "true"
        if isinstance(tth, str):
            tth = True if tth == "true" else False if tth == "false" else _int(tth, "track_total_hits")
        if tth is None:
            tth = True if as_int else DEFAULT_TRACK_TOTAL
        if tth is not False:
            cap = None if tth is True else int(tth)
            if cap is not None and total > cap:
                hits_obj["total"] = cap if as_int else {"value": cap, "relation": "gte"}
            else:
                hits_obj["total"] = total if as_int else {"value": total, "relation": "eq"}
        hits_obj["max_score"] = score if scored and rows else None
        hits_obj["hits"] = hits
        n = len(indices)
        out = {}
        if pid is not None:
            out["pit_id"] = pid
        out.update({"took": 1, "timed_out": False,
                    "_shards": {"total": n, "successful": n, "skipped": 0, "failed": 0}, "hits": hits_obj})
        return out

    def count(self, indices, body):
        body = body or {}
        for k in body:
            if k != "query":
                raise parsing(f"request does not support [{k}]")
        ctx = Ctx(indices)
        pred = compile_query(body.get("query"), ctx)
        n = sum(1 for e in self.entries(indices) if pred(e))
        return {"count": n, "_shards": {"total": len(indices), "successful": len(indices), "skipped": 0, "failed": 0}}
