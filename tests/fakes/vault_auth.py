"""Tokens, ACL policies and login methods of the Vault fake.

Written from api-docs/auth/{token,userpass,approle,kubernetes}.mdx, docs/concepts/policies.mdx and
docs/concepts/tokens.mdx ("Error Responses"), see spec/providers.md §4.5, §4.6, §4.8.
"""
import hashlib

from vault_kv import Clock, Err

DEFAULT_TOKEN_TTL = 2764800   # 768h: the system default TTL of tokens issued by a login

# Messages of a 403 (docs/concepts/tokens.mdx, "Error Responses"; observed bodies):
DENIED_NO_TOKEN = "permission denied"
DENIED_BAD_TOKEN = "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"
DENIED_POLICY = "1 error occurred:\n\t* permission denied\n\n"

# The built-in `default` policy (the part of it that matters to a client of this tool).
DEFAULT_POLICY = {
    "auth/token/lookup-self": ["read"],
    "auth/token/renew-self": ["update"],
    "auth/token/revoke-self": ["update"],
    "sys/capabilities-self": ["update"],
    "sys/internal/ui/resultant-acl": ["read"],
    "cubbyhole/*": ["create", "read", "update", "delete", "list"],
}


def _rule_key(path):
    """Vault's priority among matching rules (policies.mdx, "Priority Matching"): the higher wins."""
    first_wild = min([i for i, c in enumerate(path) if c in "+*"] or [len(path) + 1])
    return (first_wild, not path.endswith("*"), -path.count("+"), len(path), path)


def _match(rule, path):
    glob = rule.endswith("*")
    r = rule[:-1] if glob else rule
    rs, ps = r.split("/"), path.split("/")
    if "+" not in rs:
        return path.startswith(r) if glob else path == r
    # segment-wise with '+' wildcards
    if glob:
        if len(ps) < len(rs):
            return False
        for i, seg in enumerate(rs):
            if i == len(rs) - 1:
                return (seg == "+") or ps[i].startswith(seg)
            if seg != "+" and seg != ps[i]:
                return False
        return True
    if len(ps) != len(rs):
        return False
    return all(seg == "+" or seg == p for seg, p in zip(rs, ps))


class Token:
    def __init__(self, tid, ns, policies, *, display_name="token", ttl=0, num_uses=0, meta=None,
                 path="auth/token/create", renewable=None, issued=0, entity_id=""):
        self.id = tid
        self.ns = ns                       # namespace path, "" (root) or "admin/" ...
        self.policies = sorted(set(policies))
        self.display_name = display_name
        self.ttl = int(ttl)
        self.num_uses = int(num_uses)
        self.meta = meta
        self.path = path
        self.renewable = (self.ttl > 0) if renewable is None else bool(renewable)
        self.issued = issued
        self.entity_id = entity_id
        self.accessor = "acc." + hashlib.sha256(("acc" + tid).encode()).hexdigest()[:24]
        self.revoked = False

    def lookup(self):
        expire = None if self.ttl == 0 else Clock.iso(self.issued + self.ttl)
        return {
            "accessor": self.accessor, "creation_time": self.issued, "creation_ttl": self.ttl,
            "display_name": self.display_name, "entity_id": self.entity_id, "expire_time": expire,
            "explicit_max_ttl": 0, "id": self.id, "issue_time": Clock.iso(self.issued),
            "meta": self.meta, "num_uses": self.num_uses, "orphan": True, "path": self.path,
            "policies": self.policies, "renewable": self.renewable, "ttl": self.ttl, "type": "service",
            "namespace_path": self.ns,
        }

    def auth_block(self, metadata=None):
        return {
            "client_token": self.id, "accessor": self.accessor, "policies": self.policies,
            "token_policies": self.policies, "metadata": metadata if metadata is not None else self.meta,
            "lease_duration": self.ttl, "renewable": self.renewable, "entity_id": self.entity_id,
            "token_type": "service", "orphan": True, "mfa_requirement": None, "num_uses": self.num_uses,
        }


class Authz:
    """Per-namespace policy tables; the token store is global (tokens remember their namespace)."""

    def __init__(self, clock):
        self.clock = clock
        self.tokens = {}
        self.counter = 0

    def new_token_id(self, ns, what):
        self.counter += 1
        h = hashlib.sha256(f"{ns}|{what}|{self.counter}".encode()).hexdigest()
        return "hvs." + h[:24]

    @staticmethod
    def rules_for(nsobj, policies):
        rules = {}
        for p in policies:
            table = DEFAULT_POLICY if p == "default" else nsobj.policies.get(p, {})
            for path, caps in table.items():
                rules.setdefault(path, set()).update(caps)
        return rules

    def allowed(self, token, nsobj, rel_path, cap):
        """Is `cap` granted on `rel_path` (relative to the token's namespace)?"""
        if "root" in token.policies:
            return True
        rules = self.rules_for(nsobj, token.policies)
        matches = [r for r in rules if _match(r, rel_path)]
        if not matches:
            return False
        best = max(matches, key=_rule_key)
        caps = rules[best]
        return "deny" not in caps and cap in caps

    def has_mount_access(self, token, nsobj, mount_rel):
        """sys/internal/ui/mounts: does any rule grant anything at or under the mount?"""
        if "root" in token.policies:
            return True
        for r, caps in self.rules_for(nsobj, token.policies).items():
            if "deny" in caps or not caps:
                continue
            rr = r[:-1] if r.endswith("*") else r
            if rr.startswith(mount_rel) or (r.endswith("*") and mount_rel.startswith(rr)) \
                    or _match(r, mount_rel) or _match(r, mount_rel + "x"):
                return True
        return False


class LoginMethods:
    """userpass / approle / kubernetes auth mounts of one namespace."""

    @staticmethod
    def login(authz, ns_path, kind, mount, rest, body, cfg):
        """Returns (token, metadata) or raises Err. `rest` is the path after `auth/<mount>/`."""
        clock = authz.clock
        if kind == "userpass":
            if not rest.startswith("login/") or rest == "login/":
                raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
            user = rest[len("login/"):].lower()
            pw = body.get("password")
            if not pw:
                raise Err(400, "missing password")
            u = cfg.get(user)
            if u is None or u.get("password") != pw:
                raise Err(400, "invalid username or password")
            meta = {"username": user}
            tok = Token(authz.new_token_id(ns_path, f"userpass:{user}"), ns_path,
                        ["default"] + list(u.get("policies", [])),
                        display_name=f"{mount.rstrip('/')}-{user}", ttl=u.get("token_ttl", DEFAULT_TOKEN_TTL),
                        num_uses=u.get("token_num_uses", 0), meta=meta, path=f"auth/{mount}login/{user}",
                        renewable=True, issued=clock.t, entity_id=_entity(ns_path, mount, user))
            return tok, meta
        if kind == "approle":
            if rest != "login":
                raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
            role_id = str(body.get("role_id") or "").strip()
            if not role_id:
                raise Err(500, "missing role_id")
            name, role = next(((n, r) for n, r in cfg.items() if r.get("role_id") == role_id), (None, None))
            if role is None:
                raise Err(400, "invalid role or secret ID")
            if role.get("bind_secret_id", True):
                sid = str(body.get("secret_id") or "").strip()
                if not sid:
                    raise Err(400, "missing secret_id")
                if sid != role.get("secret_id"):
                    raise Err(400, "invalid role or secret ID")
            meta = {"role_name": name}
            tok = Token(authz.new_token_id(ns_path, f"approle:{name}"), ns_path,
                        ["default"] + list(role.get("policies", [])), display_name=mount.rstrip("/"),
                        ttl=role.get("token_ttl", DEFAULT_TOKEN_TTL), num_uses=role.get("token_num_uses", 0),
                        meta=meta, path=f"auth/{mount}login", renewable=True, issued=clock.t,
                        entity_id=_entity(ns_path, mount, name))
            return tok, meta
        if kind == "kubernetes":
            if rest != "login":
                raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")
            role_name = body.get("role")
            if not role_name:
                raise Err(400, "missing role")
            jwt = body.get("jwt")
            if not jwt:
                raise Err(400, "missing jwt")
            role = cfg.get(role_name)
            if role is None:
                raise Err(400, f"invalid role name \"{role_name}\"")
            if jwt != role.get("jwt"):
                raise Err(403, "permission denied")
            sa, sans = role.get("service_account_name", "default"), role.get("service_account_namespace", "default")
            meta = {"role": role_name, "service_account_name": sa, "service_account_namespace": sans,
                    "service_account_secret_name": "",
                    "service_account_uid": hashlib.sha256(f"{sans}/{sa}".encode()).hexdigest()[:32]}
            tok = Token(authz.new_token_id(ns_path, f"k8s:{role_name}"), ns_path,
                        ["default"] + list(role.get("policies", [])),
                        display_name=f"{mount.rstrip('/')}-{sans}-{sa}", ttl=role.get("token_ttl", DEFAULT_TOKEN_TTL),
                        num_uses=role.get("token_num_uses", 0), meta=meta, path=f"auth/{mount}login",
                        renewable=True, issued=clock.t, entity_id=_entity(ns_path, mount, role_name))
            return tok, meta
        raise Err(405, "1 error occurred:\n\t* unsupported operation\n\n")


def _entity(ns, mount, who):
    h = hashlib.sha256(f"{ns}{mount}{who}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
