"""Document APIs of the Elasticsearch fake (index, create, get, delete, update, _mget, _bulk).

A mixin of EsHandler (elasticsearch.py): it uses self.state, self.params, self.principal, self.authz
and self.check_params from there. Python 3 standard library only.
"""
import json

from elasticsearch_store import (EsError, bad_request, cause, err, index_not_found, validate_id,
                                 validate_index_name, validation_failed)

WRITE_PARAMS = {"refresh", "op_type", "if_seq_no", "if_primary_term", "routing", "timeout", "version",
                "version_type", "wait_for_active_shards", "pipeline", "require_alias", "require_data_stream",
                "include_source_on_error", "list_executed_pipelines"}
GET_PARAMS = {"_source", "_source_includes", "_source_excludes", "_source_exclude_vectors", "realtime", "refresh",
              "routing", "stored_fields", "version", "version_type", "preference", "force_synthetic_source"}


class DocsMixin:
    # --- documents -------------------------------------------------------------------------
    def refresh_param(self):
        r = self.params.get("refresh")
        if r is None or r == "false":
            return None
        if r in ("", "true"):
            return "true"
        if r == "wait_for":
            return "wait_for"
        raise bad_request(f"Unknown value for refresh: [{r}].")

    def cas_params(self, src=None):
        src = self.params if src is None else src
        s, t = src.get("if_seq_no"), src.get("if_primary_term")
        if s is None and t is None:
            return None, None
        try:
            s = int(s) if s is not None else None
            t = int(t) if t is not None else 0
        except ValueError:
            raise bad_request("Failed to parse if_seq_no or if_primary_term")
        if s is None:
            raise validation_failed(f"ifSeqNo is unassigned, but primary term is [{t}]")
        if t == 0:
            raise validation_failed("ifSeqNo is set, but primary term is [0]")
        return s, t

    def target_for_write(self, name, action):
        """The index to write to, auto-creating it as ES does (after the write privilege check)."""
        self.authz(action, name)
        idx = self.state.indices.get(name)
        if idx is None:
            validate_index_name(name)
            if not self.state.auto_create:
                raise index_not_found(name, f"no such index [{name}] and [action.auto_create_index] is [false]")
            self.authz("indices:admin/auto_create", name)
            idx = self.state.create_index(name)
        return idx

    def after_write(self, idx, out):
        r = self.refresh_param()
        if r:
            idx.refresh()
            if r == "true":
                out["forced_refresh"] = True

    def write(self, name, doc_id, body, op_type):
        self.check_params(WRITE_PARAMS)
        if op_type not in ("index", "create"):
            raise bad_request(f"opType must be 'create' or 'index', found: [{op_type}]")
        if doc_id is not None:
            validate_id(doc_id)
        self.refresh_param()
        cas = self.cas_params()
        if op_type == "create" and cas[0] is not None:
            raise validation_failed("create operations do not support compare and set. use index instead")
        source = self.json_body(body, True)
        action = "indices:data/write/index:create" if op_type == "create" else "indices:data/write/index"
        idx = self.target_for_write(name, action)
        if doc_id is None:
            doc_id = self.state.new_id()
        status, out = idx.put(doc_id, source, op_type, cas[0], cas[1], body.decode("utf-8", "replace"))
        self.after_write(idx, out)
        h = {"Location": f"/{name}/_doc/{doc_id}"} if status == 201 else {}
        return status, out, h

    def update(self, name, doc_id, body):
        self.check_params(WRITE_PARAMS | {"retry_on_conflict", "_source", "_source_includes", "_source_excludes", "lang"})
        validate_id(doc_id)
        self.refresh_param()
        cas = self.cas_params()
        b = self.json_body(body, True)
        idx = self.target_for_write(name, "indices:data/write/update")
        status, out = idx.update(doc_id, b, cas[0], cas[1], body.decode("utf-8", "replace"))
        self.after_write(idx, out)
        return status, out, {}

    def delete(self, name, doc_id):
        self.check_params(WRITE_PARAMS - {"op_type", "pipeline", "require_alias", "require_data_stream"})
        validate_id(doc_id)
        self.refresh_param()
        cas = self.cas_params()
        self.authz("indices:data/write/delete", name)
        idx = self.state.indices.get(name)
        if idx is None:
            raise index_not_found(name)
        status, out = idx.delete(doc_id, cas[0], cas[1])
        self.after_write(idx, out)
        return status, out, {}

    def source_filter(self, params):
        s = params.get("_source")
        inc, exc = params.get("_source_includes"), params.get("_source_excludes")
        if inc or exc:
            return {"includes": [x for x in (inc or "").split(",") if x], "excludes": [x for x in (exc or "").split(",") if x]}
        if s is None or s == "true" or s is True:
            return None
        if s == "false" or s is False:
            return False
        return s

    def get(self, name, doc_id):
        self.check_params(GET_PARAMS)
        self.authz("indices:data/read/get", name)
        idx = self.state.indices.get(name)
        if idx is None:
            raise index_not_found(name)
        if self.params.get("refresh") in ("", "true"):
            idx.refresh()
        if self.params.get("realtime") == "false":
            d = (idx.view.get(doc_id) or (None,))[0]
        else:
            d = idx.docs.get(doc_id)
        out = idx.get_response(doc_id, d, self.source_filter(self.params))
        return (200 if d is not None else 404), out, {}

    def mget(self, name, body):
        self.check_params(GET_PARAMS)
        b = self.json_body(body, True)
        if not isinstance(b, dict):
            raise bad_request("unexpected token, expected an object")
        items = []
        if "ids" in b:
            if name is None:
                raise validation_failed(*[f"index is missing for doc {i}" for i in range(len(b["ids"]))] or ["no documents to get"])
            items = [{"_index": name, "_id": str(i)} for i in b["ids"]]
        elif "docs" in b:
            for n, d in enumerate(b["docs"]):
                ix = d.get("_index", name)
                if ix is None:
                    raise validation_failed(f"index is missing for doc {n}")
                items.append(dict(d, _index=ix))
        else:
            raise bad_request("unknown parameter [%s]" % next(iter(b), "")) if b else validation_failed("no documents to get")
        if not items:
            raise validation_failed("no documents to get")
        default_filter = self.source_filter(self.params)
        docs = []
        for it in items:
            ix, doc_id = it["_index"], str(it.get("_id", ""))
            if not self.state.security.allowed(self.principal, "indices:data/read/mget", ix):
                e = self.state.security.denied(self.principal, "indices:data/read/mget", ix).body["error"]
                docs.append({"_index": ix, "_id": doc_id, "error": {k: v for k, v in e.items() if k != "root_cause"}})
                continue
            idx = self.state.indices.get(ix)
            if idx is None:
                e = index_not_found(ix).body["error"]
                docs.append({"_index": ix, "_id": doc_id, "error": {k: v for k, v in e.items() if k != "root_cause"}})
                continue
            f = it.get("_source", default_filter)
            docs.append(idx.get_response(doc_id, idx.docs.get(doc_id), f))
        return 200, {"docs": docs}, {}

    def bulk(self, name, body):
        self.check_params(WRITE_PARAMS - {"op_type", "if_seq_no", "if_primary_term", "version", "version_type"} |
                          {"_source", "_source_includes", "_source_excludes"})
        r = self.refresh_param()
        if not body:
            raise validation_failed("no requests added")
        if not body.endswith(b"\n"):
            raise bad_request("The bulk request must be terminated by a newline [\\n]")
        try:
            lines = body.decode("utf-8").split("\n")[:-1]
        except UnicodeDecodeError:
            raise bad_request("Invalid UTF-8 start byte in the bulk request body")
        items = []
        touched = set()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except ValueError:
                raise bad_request(f"Malformed action/metadata line [{i}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]")
            if not isinstance(action, dict) or len(action) != 1:
                raise bad_request(f"Malformed action/metadata line [{i}], expected START_OBJECT but found [{type(action).__name__}]")
            (op, meta), = action.items()
            if op not in ("index", "create", "update", "delete"):
                raise bad_request(f"Malformed action/metadata line [{i}], expected field [create], [delete], [index] or [update] but found [{op}]")
            meta = meta or {}
            source_raw = None
            if op != "delete":
                if i >= len(lines):
                    raise validation_failed("no requests added")
                source_raw = lines[i]
                i += 1
            ix = meta.get("_index", name)
            doc_id = meta.get("_id")
            if ix is None:
                raise validation_failed("index is missing")
            items.append({op: self.bulk_item(op, ix, doc_id, meta, source_raw, touched)})
        if r:
            for ix in touched:
                if ix in self.state.indices:
                    self.state.indices[ix].refresh()
        return 200, {"errors": any("error" in list(it.values())[0] for it in items), "took": 1, "items": items}, {}

    def bulk_item(self, op, ix, doc_id, meta, source_raw, touched):
        try:
            if doc_id is not None:
                doc_id = str(doc_id)
                validate_id(doc_id)
            elif op in ("update", "delete"):
                raise validation_failed("id is missing")
            cas = self.cas_params({k: meta[k] for k in ("if_seq_no", "if_primary_term") if k in meta})
            source = None
            if source_raw is not None:
                try:
                    source = json.loads(source_raw)
                except ValueError:
                    raise err(400, "document_parsing_exception", "[1:2] failed to parse",
                              caused_by=cause("x_content_parse_exception", "[1:2] Unexpected character"))
            op_type = "create" if op == "create" else "index"
            if op in ("index", "create"):
                idx = self.target_for_write(ix, "indices:data/write/index:create" if op == "create" else "indices:data/write/index")
                if doc_id is None:
                    doc_id = self.state.new_id()
                    op_type = "create"
                status, out = idx.put(doc_id, source, op_type, cas[0], cas[1], source_raw)
            elif op == "update":
                idx = self.target_for_write(ix, "indices:data/write/update")
                status, out = idx.update(doc_id, source, cas[0], cas[1], source_raw)
            else:
                self.authz("indices:data/write/delete", ix)
                idx = self.state.indices.get(ix)
                if idx is None:
                    raise index_not_found(ix)
                status, out = idx.delete(doc_id, cas[0], cas[1])
            touched.add(ix)
            out["status"] = status
            return out
        except EsError as e:
            error = e.body.get("error")
            if isinstance(error, dict):
                error = {k: v for k, v in error.items() if k != "root_cause"}
            return {"_index": ix, "_id": doc_id, "status": e.status, "error": error}
