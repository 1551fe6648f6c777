"""Authentication (Basic, ApiKey, Bearer) and role-based authorisation for the Elasticsearch fake.

Roles use Elasticsearch's role-descriptor shape: {"cluster": [...], "indices": [{"names": [...],
"privileges": [...]}]}; index names may be wildcard patterns. Python 3 standard library only.
"""
import base64
import binascii
import fnmatch

from elasticsearch_store import err

WWW_AUTHENTICATE = ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]

CLUSTER_PRIVS = {
    "cluster:monitor/main": ["monitor", "manage", "all"],
    "cluster:monitor/health": ["monitor", "manage", "all"],
    "cluster:monitor/state": ["monitor", "manage", "all"],
    "cluster:admin/settings/update": ["manage", "all"],
    "cluster:monitor/settings": ["monitor", "manage", "all"],
}
INDEX_PRIVS = {
    "indices:admin/create": ["create_index", "manage", "all"],
    "indices:admin/auto_create": ["auto_configure", "create_index", "manage", "all"],
    "indices:admin/get": ["view_index_metadata", "manage", "all"],
    "indices:admin/mappings/get": ["view_index_metadata", "manage", "all"],
    "indices:admin/delete": ["delete_index", "manage", "all"],
    "indices:admin/refresh": ["maintenance", "manage", "all"],
    "indices:data/read/get": ["read", "all"],
    "indices:data/read/mget": ["read", "all"],
    "indices:data/read/search": ["read", "all"],
    "indices:data/read/open_point_in_time": ["read", "all"],
    "indices:data/write/index:create": ["create_doc", "create", "index", "write", "all"],
    "indices:data/write/index": ["index", "write", "all"],
    "indices:data/write/delete": ["delete", "write", "all"],
    "indices:data/write/update": ["index", "write", "all"],
}
BUILTIN_ROLES = {
    "superuser": {"cluster": ["all"], "indices": [{"names": ["*"], "privileges": ["all"]}]},
}


class Principal:
    def __init__(self, username, roles, descriptors, kind="realm", api_key=None):
        self.username = username
        self.roles = roles
        self.descriptors = descriptors  # list of role descriptors in force
        self.kind = kind
        self.api_key = api_key  # {"id", "name"} for API keys
        self.decisions = {}  # (action, index) -> bool, for this request

    def authenticate_body(self):
        realm = {"name": "default_native", "type": "native"}
        if self.kind == "api_key":
            realm = {"name": "_es_api_key", "type": "_es_api_key"}
        out = {"username": self.username, "roles": self.roles if self.kind != "api_key" else [],
               "full_name": None, "email": None, "metadata": {}, "enabled": True,
               "authentication_realm": realm, "lookup_realm": realm, "authentication_type": self.kind}
        if self.api_key:
            out["api_key"] = dict(self.api_key)
        return out


class Security:
    def __init__(self, seed):
        self.users = dict(seed.get("users") or {})
        self.roles = dict(BUILTIN_ROLES)
        self.roles.update(seed.get("roles") or {})
        self.api_keys = {k["id"]: k for k in (seed.get("api_keys") or [])}
        self.tokens = dict(seed.get("tokens") or {})  # bearer token -> username
        self.enabled = seed.get("security", bool(self.users or self.api_keys or self.tokens))

    def _unauthorized(self, reason, **extra):
        hdr = {"WWW-Authenticate": list(WWW_AUTHENTICATE)}
        return err(401, "security_exception", reason, headers=hdr, header=hdr, **extra)

    def _user(self, name):
        u = self.users[name]
        roles = list(u.get("roles") or [])
        return Principal(name, roles, [self.roles[r] for r in roles if r in self.roles])

    def authenticate(self, authz, uri):
        """The Principal for an Authorization header value, None when security is off; raises 401."""
        if not self.enabled:
            return None
        if not authz:
            raise self._unauthorized(f"missing authentication credentials for REST request [{uri}]")
        scheme, _, cred = authz.strip().partition(" ")
        scheme = scheme.lower()
        cred = cred.strip()
        if scheme == "basic":
            try:
                user, _, pw = base64.b64decode(cred, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise self._unauthorized(f"missing authentication credentials for REST request [{uri}]")
            u = self.users.get(user)
            if u is None or u.get("password") != pw or u.get("enabled") is False:
                raise self._unauthorized(f"unable to authenticate user [{user}] for REST request [{uri}]")
            return self._user(user)
        if scheme == "apikey":
            try:
                kid, _, secret = base64.b64decode(cred, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                kid, secret = "", None
            k = self.api_keys.get(kid)
            if k is None or k.get("api_key") != secret or k.get("invalidated"):
                why = (f"api key [{kid}] does not exist" if k is None else
                       f"invalid credentials for API key [{kid}]")
                raise self._unauthorized("unable to authenticate with provided credentials and anonymous access is "
                                         "not allowed for this request",
                                         additional_unsuccessful_credentials=f"API key: {why}")
            owner = k.get("owner", "elastic")
            if k.get("role_descriptors"):
                descs = list(k["role_descriptors"].values())
            elif k.get("roles"):
                descs = [self.roles[r] for r in k["roles"] if r in self.roles]
            else:
                descs = self._user(owner).descriptors if owner in self.users else [BUILTIN_ROLES["superuser"]]
            return Principal(owner, [], descs, "api_key", {"id": kid, "name": k.get("name", kid)})
        if scheme == "bearer":
            user = self.tokens.get(cred)
            if user is None or user not in self.users:
                raise self._unauthorized("unable to authenticate with provided credentials and anonymous access is "
                                         "not allowed for this request",
                                         additional_unsuccessful_credentials="oauth2 token: token expired")
            p = self._user(user)
            p.kind = "token"
            return p
        raise self._unauthorized(f"missing authentication credentials for REST request [{uri}]")

    @staticmethod
    def _grants(privs, action, needed):
        for p in privs:
            if p in needed or fnmatch.fnmatchcase(action, p):
                return True
        return False

    def _who(self, pr):
        if pr.kind == "api_key":
            return f"API key id [{pr.api_key['id']}] of user [{pr.username}]"
        return f"user [{pr.username}] with effective roles [{','.join(sorted(pr.roles))}]"

    def denied(self, pr, action, index=None):
        """The 403 security_exception for an action (an index action when `index` is given)."""
        if index is None:
            needed = CLUSTER_PRIVS.get(action, ["all"])
            return err(403, "security_exception", f"action [{action}] is unauthorized for {self._who(pr)}, "
                       f"this action is granted by the cluster privileges [{','.join(needed)}]")
        needed = INDEX_PRIVS.get(action, ["all"])
        name = action.split(":create")[0] if action.endswith(":create") else action
        return err(403, "security_exception", f"action [{name}] is unauthorized for {self._who(pr)} on indices "
                   f"[{index}], this action is granted by the index privileges [{','.join(needed)}]")

    def allowed(self, pr, action, index=None):
        if pr is None:
            return True
        k = (action, index)
        r = pr.decisions.get(k)
        if r is None:
            r = pr.decisions[k] = self._allowed(pr, action, index)
        return r

    def _allowed(self, pr, action, index=None):
        if index is None:
            needed = CLUSTER_PRIVS.get(action, ["all"])
            return any(self._grants(d.get("cluster") or [], action, needed) for d in pr.descriptors)
        needed = INDEX_PRIVS.get(action, ["all"])
        real = action.split(":create")[0] if action.endswith(":create") else action
        for d in pr.descriptors:
            for g in d.get("indices") or []:
                names = g.get("names") or []
                names = [names] if isinstance(names, str) else names
                if any(fnmatch.fnmatchcase(index, n) for n in names) and self._grants(g.get("privileges") or [], real, needed):
                    return True
        return False

    def check(self, pr, action, index=None):
        if not self.allowed(pr, action, index):
            raise self.denied(pr, action, index)
