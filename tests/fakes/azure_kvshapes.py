"""Key Vault object shapes (SecretBundle, SecretItem, DeletedSecretBundle) and nextLink paging
of the Azure fake (azure.py)."""
import json
import urllib.parse

from azure_common import b64url, b64url_decode, base_url, q1


class ShapesMixin:
    # --- object shapes ---------------------------------------------------------------------
    def attributes(self, v):
        st = self.state
        a = {"enabled": v.enabled}
        if v.nbf is not None:
            a["nbf"] = v.nbf
        if v.exp is not None:
            a["exp"] = v.exp
        a["created"] = v.created
        a["updated"] = v.updated
        a["recoveryLevel"] = st.recovery_level
        if "Recoverable" in st.recovery_level:
            a["recoverableDays"] = st.recoverable_days
        return a

    def bundle(self, s, v, with_value=True):
        b = {}
        if with_value:
            b["value"] = v.value
        if v.content_type is not None:
            b["contentType"] = v.content_type
        b["id"] = f"{base_url(self)}/secrets/{s.name}/{v.version}"
        b["attributes"] = self.attributes(v)
        if v.tags is not None:
            b["tags"] = v.tags
        return b

    def item(self, s, v, with_version):
        i = {"id": f"{base_url(self)}/secrets/{s.name}" + (f"/{v.version}" if with_version else ""),
             "attributes": self.attributes(v)}
        if v.tags is not None:
            i["tags"] = v.tags
        if v.content_type is not None:
            i["contentType"] = v.content_type
        return i

    def deleted_fields(self, s, obj):
        obj["recoveryId"] = f"{base_url(self)}/deletedsecrets/{s.name}"
        obj["deletedDate"] = s.deleted_date
        obj["scheduledPurgeDate"] = s.scheduled_purge_date
        return obj

    # --- paging ----------------------------------------------------------------------------
    def page(self, items, query, path):
        """(value[], nextLink or None) with $skiptoken paging and optional empty pages."""
        st = self.state
        mr = q1(query, "maxresults")
        if mr is not None:
            try:
                size = int(mr)
            except ValueError:
                size = 0
            if size < 1 or size > 25:
                self.kv_error(400, "BadParameter", "invalid maxresults parameter value: must be "
                                                   "between 1 and 25")  # wording unverified
                return None
        else:
            size = st.page_size
        tok = q1(query, "$skiptoken")
        offset, gap_done = 0, False
        if tok:
            try:
                d = json.loads(b64url_decode(tok))
                offset, gap_done = int(d["o"]), bool(d.get("g"))
            except Exception:
                self.kv_error(400, "BadParameter", "The $skiptoken parameter is invalid.")  # unverified
                return None

        def link(o, g):
            q = [("api-version", self.api_version),
                 ("$skiptoken", b64url(json.dumps({"o": o, "g": g}, separators=(",", ":"))))]
            if mr is not None:
                q.append(("maxresults", mr))
            host = base_url(self)
            if ":" not in host.split("://", 1)[1]:
                host += ":443" if host.startswith("https") else ":80"
            return f"{host}{path}?" + urllib.parse.urlencode(q, safe="$")

        if st.empty_pages and not gap_done and (offset < len(items) or offset == 0):
            return [], link(offset, True)
        chunk = items[offset:offset + size]
        nxt = link(offset + size, False) if offset + size < len(items) else None
        return chunk, nxt
