"""One table of backends for the cross-backend suites (test_leaks.py, test_faults.py).

A Target starts its store (a fake from tests/fakes, moto behind the faulty proxy tests/fakes/faults.py,
or an env file), seeds it with distinctive values, writes the configuration the binary runs with, and
injects faults into the read of one secret. Every value and credential a target uses contains
`LEAKCANARY` (or is listed in `credentials`), so a leak is a plain substring search.

    t = TARGETS["vault"](testcase)      # starts and seeds the store
    testcase.ks(*t.args, "get", t.key_a, env=t.env)
    t.inject({"status": 503, "times": 2})   # fakelib fault format, on the read of t.key_a

Harness files (seeds, configurations, proxy records) live in `t.dir`, outside the test's temporary
directory, so the suites can check that the binary writes nothing else there.
"""
import base64
import copy
import json
import os
import re
import shutil
import tempfile
import uuid

from kshelp import CA_FILE, SOURCE_DIR, server_state, start_fake

DATA = os.path.join(SOURCE_DIR, "tests", "data")
MARK = "LEAKCANARY"
# Any JWT (service-account assertions, Azure and Kubernetes tokens) and the fakes' token formats.
JWT = r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+"


def pem_lines(path):
    """The base64 body lines of a PEM file: each one is a credential on its own."""
    with open(path) as f:
        return [line for line in f.read().splitlines() if line and not line.startswith("-----")]


class Target:
    """A backend under test. Subclasses set `name` and implement start/seed/inject."""

    name = ""
    key_a, key_json = "leakA", "leakJson"   # a text secret, and a JSON object with a "password"
    unsupported = ()                          # commands that exit 2 on this backend
    read_match = ""                           # fakelib `match` of the read of key_a
    bulk_read_match = None                    # of the read export makes, when it is another one
    token_match = None                        # fakelib `match` of a token request, if any
    read_overhead = 0                         # reads of key_a a run makes besides the read itself
    secret_setting = "vault.token.token"      # a credential key under kestra.secret

    def __init__(self, tc, tls=False):
        self.tc, self.tls = tc, tls
        self.dir = tempfile.mkdtemp(prefix=f"ks-{self.name}-")
        tc.addCleanup(shutil.rmtree, self.dir, True)
        n = self.name
        self.value_a = f"{MARK}-{n}-value-1"
        self.value_field = f"{MARK}-{n}-value-2"
        self.value_json = json.dumps({"user": "u", "password": self.value_field}, separators=(",", ":"))
        self.credentials = []     # strings that must never be printed
        self.patterns = [JWT]     # regular expressions of issued tokens
        self.env = {}
        self.server = None
        self.log_start = None
        self.start()
        self.args = ["-c", self.write_config(self.config())] + (["--ca-file", CA_FILE] if self.tls else [])
        self.seed()

    # --- what subclasses provide ------------------------------------------------------------------
    def start(self):
        raise NotImplementedError

    def config(self, wrong=False):
        """kestra.secret (and kestra.elasticsearch) as a dict; `wrong`: with a wrong credential."""
        raise NotImplementedError

    def seed(self):
        """Stores key_a and key_json (default: through the binary's own import)."""
        rc, _, err = self.tc.ks(*self.args, "import", self.harness_file("seed.env", (
            f"{self.key_a}={self.value_a}\n{self.key_json}='{self.value_json}'\n")), env=self.env)
        self.tc.assertEqual(rc, 0, f"seeding {self.name}: {err}")

    def inject(self, *faults, operation=None):
        """fakelib faults on one operation (`match`; default: the read of key_a)."""
        self.mark()
        self.server.faults(*[{"match": operation or self.read_match, **f} for f in faults])

    def log(self):
        """The requests the store received (as fakelib logs them)."""
        return self.server.requests()

    def mark(self):
        """From the first fault on, requests() counts only what came after it (not the seeding)."""
        if self.log_start is None:
            self.log_start = len(self.log())

    def requests(self, match):
        return [r for r in self.log()[self.log_start or 0:] if match in f"{r['method']} {r['path']}"]

    def expired_token_faults(self):
        """Faults that make the store reject the current token once, as it does an expired one."""
        return [{"status": 401, "times": 1}]

    # --- shared plumbing ------------------------------------------------------------------------------
    @property
    def values(self):
        return [self.value_a, self.value_json, self.value_field]

    @property
    def secrets(self):
        """Everything that must not leak: values, credentials and their Base64 forms."""
        plain = self.values + self.credentials
        return plain + [base64.b64encode(s.encode()).decode().rstrip("=") for s in plain]

    def harness_file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def write_config(self, doc, name="config.yml"):
        return self.harness_file(name, json.dumps({"kestra": doc}))

    def wrong_args(self):
        return ["-c", self.write_config(self.config(wrong=True), "wrong.yml")] + self.args[2:]

    def bad_config_args(self):
        """A configuration with every credential in it and a misspelt key that holds a credential."""
        doc = copy.deepcopy(self.config())
        block = doc["secret"][doc["secret"]["type"]]
        block["pasword"] = f"{MARK}-{self.name}-typo-credential"
        block["read-only"] = "maybe"
        self.credentials.append(block["pasword"])
        return ["-c", self.write_config(doc, "bad.yml")] + self.args[2:]


class EnvTarget(Target):
    """The env backend: SECRET_ variables and a file of them. It has no server: its faults are a
    value that is not Base64, a file with a syntax error, and a value cut short."""

    name = "env"
    key_a, key_json = "LEAK_A", "LEAK_JSON"
    unsupported = ("versions",)

    def start(self):
        self.file = self.tc.path("secrets.env")   # the store: the binary writes it
        self.value_env = f"{MARK}-env-value-3"
        self.env["SECRET_LEAK_ENV"] = base64.b64encode(self.value_env.encode()).decode()

    @property
    def values(self):
        return super().values + [self.value_env]

    def config(self, wrong=False):
        return {"secret": {"type": "env", "env": {"file": self.file}}}

    def seed(self):
        with open(self.file, "w") as f:
            for k, v in ((self.key_a, self.value_a), (self.key_json, self.value_json)):
                f.write(f"SECRET_{k}={base64.b64encode(v.encode()).decode()}\n")

    def inject(self, *faults, operation=None):
        raise NotImplementedError("the env backend has no server")

    def wrong_args(self):
        self.env["SECRET_LEAK_BROKEN"] = f"{MARK}-env-not-base64!"
        self.credentials.append(self.env["SECRET_LEAK_BROKEN"])
        return self.args

    def broken_file(self, text):
        with open(self.file, "a") as f:
            f.write(text)


class VaultTarget(Target):
    name, secret_setting = "vault", "vault.password.password"
    read_match, token_match = "GET /v1/secret/data/leakA", "/login/"

    def start(self):
        self.user_password = f"{MARK}-vault-password"
        self.token = f"hvs.{MARK}-vault-token"
        self.credentials += [self.user_password, self.token, f"hvs.{MARK}-vault-wrong-token"]
        self.patterns.append(r"hvs\.[0-9a-f]{24}")
        seed = {"mounts": {"secret/": 2},
                "tokens": {self.token: {"policies": ["root"], "display_name": "token-leak"}},
                "userpass": {"leaker": {"password": self.user_password, "policies": ["root"]}},
                "secrets": {f"secret/{self.key_a}": {"value": self.value_a},
                            f"secret/{self.key_json}": {"user": "u", "password": self.value_field}}}
        self.server = start_fake(self.tc, "vault.py", "--seed", self.harness_file("seed.json", json.dumps(seed)),
                                 tls=self.tls)

    def config(self, wrong=False):
        auth = {"token": {"token": f"hvs.{MARK}-vault-wrong-token"}} if wrong else \
            {"password": {"user": "leaker", "password": self.user_password}}
        return {"secret": {"type": "vault", "vault": {"address": self.server.url, **auth}}}

    def seed(self):
        pass  # in the fake's seed: Vault stores fields

    def inject(self, *faults, operation=None):
        body = {"errors": ["injected"]}
        super().inject(*[{"body": body, **f} if "status" in f else f for f in faults], operation=operation)

    def expired_token_faults(self):
        return [{"status": 403, "body": {"errors": ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]},
                 "times": 1}]


class AzureTarget(Target):
    name, secret_setting = "azure", "azure-key-vault.client-secret.client-secret"
    read_match, token_match = "GET /secrets/leakA", "/oauth2/v2.0/token"
    read_overhead = 1                         # the first request goes without a token (the challenge)
    tenant, client = "72f988bf-0000-4000-8000-000000000001", "11111111-1111-4111-8111-111111111111"

    def __init__(self, tc, tls=True):
        super().__init__(tc, tls=True)   # Key Vault is HTTPS only

    def start(self):
        self.client_secret = f"{MARK}-azure-client-secret"
        self.credentials += [self.client_secret, f"{MARK}-azure-wrong-secret"]
        with open(os.path.join(DATA, "azure", "seed.json")) as f:
            seed = json.load(f)
        seed["clients"][0]["client_secrets"] = [self.client_secret]
        seed["secrets"] = []
        self.server = start_fake(self.tc, "azure.py", "--seed", self.harness_file("seed.json", json.dumps(seed)),
                                 "--http-port", "0", tls=True)
        self.env["AZURE_AUTHORITY_HOST"] = self.server.url
        self.env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:" + self.server.preamble[0].split()[1]

    def config(self, wrong=False):
        cred = {"tenant-id": self.tenant, "client-id": self.client,
                "client-secret": f"{MARK}-azure-wrong-secret" if wrong else self.client_secret}
        return {"secret": {"type": "azure-key-vault",
                           "azure-key-vault": {"key-vault-uri": self.server.url, "client-secret": cred}}}

    def inject(self, *faults, operation=None):
        body = {"error": {"code": "Injected", "message": "injected"}}
        super().inject(*[{"body": body, **f} if "status" in f else f for f in faults], operation=operation)

    def expired_token_faults(self):
        www = f'Bearer authorization="{self.server.url}/{self.tenant}", resource="https://vault.azure.net"'
        fault = {"status": 401, "headers": {"WWW-Authenticate": www},
                 "body": {"error": {"code": "Unauthorized", "message": "AKV10000: token expired"}}, "times": 1}
        # The first GET is the unauthenticated challenge, which takes one 401 as its answer.
        return [fault, fault]


class GoogleTarget(Target):
    name, secret_setting = "google", "google-secret-manager.service-account"
    read_match, token_match = "/secrets/leakA/versions/latest:access", "POST /token"

    def start(self):
        g = os.path.join(DATA, "google")
        self.credentials += pem_lines(os.path.join(g, "sa_private.pem")) + pem_lines(os.path.join(g, "other_private.pem"))
        self.patterns.append(r"ya29\.")
        with open(os.path.join(g, "seed.json")) as f:
            seed = json.load(f)
        for sa in seed["service_accounts"]:
            sa["public_key_file"] = os.path.join(g, sa["public_key_file"])
        seed["secrets"] = []
        self.server = start_fake(self.tc, "google.py", "--seed", self.harness_file("seed.json", json.dumps(seed)),
                                 tls=self.tls)

    def config(self, wrong=False):
        g = os.path.join(DATA, "google")
        with open(os.path.join(g, "service-account.json")) as f:
            key = json.load(f)
        key["token_uri"] = self.server.url + "/token"
        if wrong:
            with open(os.path.join(g, "other_private.pem")) as f:
                key["private_key"] = f.read()
        return {"secret": {"type": "google-secret-manager", "google-secret-manager": {
            "project": "kestra-test", "endpoint-override": self.server.url, "service-account": json.dumps(key)}}}


class ElasticsearchTarget(Target):
    name, secret_setting = "elasticsearch", "elasticsearch.secret"
    read_match, bulk_read_match = "GET /kestra_secrets/_doc/", "/_mget"
    unsupported = ("versions",)

    def start(self):
        self.basic_password = f"{MARK}-es-password"
        self.aes_key = base64.b64encode(f"{MARK}-es-aes-key-0123456789".encode()).decode()
        self.credentials += [self.basic_password, self.aes_key, f"{MARK}-es-wrong-password",
                             base64.b64encode(f"elastic:{self.basic_password}".encode()).decode()]
        seed = {"users": {"elastic": {"password": self.basic_password, "roles": ["superuser"]}}}
        self.server = start_fake(self.tc, "elasticsearch.py", "--seed",
                                 self.harness_file("seed.json", json.dumps(seed)), tls=self.tls)

    def config(self, wrong=False):
        return {"secret": {"type": "elasticsearch", "elasticsearch": {"secret": self.aes_key}},
                "elasticsearch": {"client": {"http-hosts": [self.server.url], "basic-auth": {
                    "username": "elastic", "password": f"{MARK}-es-wrong-password" if wrong else self.basic_password}}}}


class AwsTarget(Target):
    """AWS Secrets Manager on the shared moto (signature checking on) with a role's temporary
    credentials, always through tests/fakes/faults.py as a proxy, so that faults can be put in front
    of any operation."""

    name, secret_setting = "aws", "aws-secret-manager.secret-key-id"
    read_match, bulk_read_match = "secretsmanager.GetSecretValue", "secretsmanager.BatchGetSecretValue"

    def start(self):
        self.moto = server_state(self.tc, "moto")
        self.prefix = "leak" + uuid.uuid4().hex[:10] + "/"
        self.key_id, self.secret_key, self.session_token = self.temporary_credentials()
        self.credentials += [self.secret_key, self.session_token, self.moto["users"]["admin"]["secret"],
                             f"{MARK}-aws-wrong-secret-key"]
        self.record = os.path.join(self.dir, "requests.jsonl")
        self.routes = {}
        self.proxy()

    def temporary_credentials(self):
        """A role's session on moto (key id, secret key, session token), as CI jobs have them."""
        import boto3
        admin = self.moto["users"]["admin"]
        kw = {"endpoint_url": self.moto["endpoint"], "region_name": "us-east-1",
              "aws_access_key_id": admin["key"], "aws_secret_access_key": admin["secret"]}
        iam, name = boto3.client("iam", **kw), self.prefix.rstrip("/")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                         "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        c = boto3.client("sts", **kw).assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
        return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]

    def proxy(self):
        """(Re)starts the proxy in front of moto with the faults.py routes of self.routes."""
        if self.server:
            self.server.stop()
        script = {"upstream": self.moto["endpoint"], "routes": self.routes}
        tls = ["--tls", os.path.join(DATA, "tls", "server.pem"), os.path.join(DATA, "tls", "server.key")] if self.tls else []
        self.server = start_fake(self.tc, "faults.py", "--script", json.dumps(script), "--record", self.record, *tls,
                                 max_seconds=None, scheme="https" if self.tls else "http")
        self.env["AWS_ENDPOINT_URL"] = self.server.url

    def config(self, wrong=False):
        return {"secret": {"type": "aws-secret-manager", "aws-secret-manager": {
            "access-key-id": self.key_id, "secret-key-id": f"{MARK}-aws-wrong-secret-key" if wrong else self.secret_key,
            "session-token": self.session_token, "region": "us-east-1", "prefix": self.prefix}}}

    def inject(self, *faults, operation=None):
        """fakelib faults, translated to faults.py responses on one operation (default: the read)."""
        seq = []
        for f in faults:
            entry = {k: v for k, v in f.items() if k not in ("times", "match")}
            if "status" in entry:
                body = entry.get("body", {"__type": "InternalServiceError", "Message": "injected"})
                entry["body"] = body if isinstance(body, str) else json.dumps(body)
            else:
                entry["proxy"] = True
            seq += [entry] * f.get("times", 1)
        self.mark()
        self.routes[operation or self.read_match] = seq + [{"proxy": True}]
        self.proxy()

    def log(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            rows = [json.loads(line) for line in f]
        return [{**r, "path": dict(r["headers"]).get("X-Amz-Target", "")} for r in rows]

    def expired_token_faults(self):
        return [{"status": 400, "body": {"__type": "ExpiredTokenException",
                                         "message": "The security token included in the request is expired"}}]


TARGETS = {t.name: t for t in (EnvTarget, VaultTarget, AzureTarget, GoogleTarget, ElasticsearchTarget, AwsTarget)}
HTTP_TARGETS = {k: v for k, v in TARGETS.items() if k != "env"}


def find_leaks(text, secrets, patterns):
    """The secrets and pattern matches found in text (str or bytes)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = [s for s in secrets if s and s in text]
    found += [m.group(0) for p in patterns for m in [re.search(p, text)] if m]
    if MARK in text and not found:
        found.append(text[max(0, text.index(MARK) - 20):text.index(MARK) + 40])
    return found
