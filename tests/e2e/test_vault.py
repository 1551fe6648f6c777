"""The vault backend against tests/fakes/vault.py (spec/providers.md §4, spec/kestra.md §5): Kestra's
paths, both KV versions, every auth method, namespaces and tenants, the mount preflight, versions,
check-and-set, faults, TLS and leaks. Each test starts its own fake from a seed (tests/data/vault)."""
import copy
import json
import os
import subprocess
import time

from kshelp import SOURCE_DIR, TLS_DIR as TLS, KsTestCase, start_fake

DATA = os.path.join(SOURCE_DIR, "tests", "data")
CONFIGS = os.path.join(DATA, "configs")
with open(os.path.join(DATA, "vault", "seed.json"), encoding="utf-8") as f:
    SEED = json.load(f)
TOKEN = "hvs.vaulttokenvalue0001"       # policy kestra (read/write secret/, kv1/)
PASSWORD = "vaultuserpassword0001"
SECRET_ID = "vaultsecretid0001"
ROOT = {"token": {"token": "root-token"}}
JWT = SEED["kubernetes"]["kestra"]["jwt"]


def seed_with(**changes):
    """seed.json plus extra secrets/namespaces for the tests below."""
    s = copy.deepcopy(SEED)
    s["secrets"]["secret/main/company/KEY2"] = {"value": "parent"}
    s["secrets"]["secret/tagged/a"] = {"versions": [{"value": "1"}], "custom_metadata": {"team": "data"}}
    s["secrets"]["secret/tagged/b"] = {"versions": [{"value": "2"}], "custom_metadata": {"team": "web"}}
    s["namespaces"]["admin"]["secrets"]["business-unit/my-app"] = {"NEON_PASSWORD": "neon"}
    s["policies"]["no-undelete"]["secret/metadata/*"] = ["read", "list"]
    s.update(changes)
    return s


class VaultTests(KsTestCase):
    def setUp(self):
        super().setUp()
        self.proc = None
        self.start(seed_with())

    # --- the fake -------------------------------------------------------------------------
    def start(self, seed, tls=False):
        self.stop()
        path = self.write("seed.json", json.dumps(seed))
        self.proc = start_fake(self, "vault.py", "--seed", path, tls=tls)
        self.port, self.scheme, self.url = self.proc.port, self.proc.scheme, self.proc.url

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None

    def fake(self, method, path, body=None):
        return self.proc.call(method, path, body)

    def requests(self):
        return self.proc.requests()

    def faults(self, *faults):
        self.proc.faults(*faults)

    def kv(self, ns=""):
        return self.fake("GET", "/_fake/vault/dump")[ns]["mounts"]

    # --- running the binary ---------------------------------------------------------------
    def config(self, **block):
        """A config file: kestra.secret.vault = block (address defaults to the fake)."""
        block.setdefault("address", self.url)
        read_only = block.pop("read_only_top", None)
        secret = {"type": "vault", "vault": block}
        if read_only is not None:
            secret["read-only"] = read_only
        return self.write("kestra.json.yml", json.dumps({"kestra": {"secret": secret}}))

    def vks(self, *args, block=None, env=None, stdin=None):
        cfg = self.config(**(block if block is not None else {"token": {"token": TOKEN}}))
        return self.ks("-c", cfg, *args, env=env, stdin=stdin)

    def out(self, *args, **kw):
        rc, out, err = self.vks(*args, **kw)
        self.assertEqual(rc, 0, err)
        return out.decode()

    # --- priority 1: token, get/list/put/delete, errors -------------------------------------
    def test_get_fields_and_subkey(self):
        blk = {"token": {"token": TOKEN}, "secret-path-prefix": "app1"}
        self.assertEqual(self.out("get", "db", block=blk), '{"PASSWORD":"s3cr3t","USER":"app"}')
        self.assertEqual(self.out("get", "db", "--subkey", "PASSWORD", block=blk), "s3cr3t")
        doc = json.loads(self.out("-o", "json", "get", "db", block=blk))
        self.assertEqual(doc["version"], "1")
        reads = [r["path"] for r in self.requests() if "/data/" in r["path"]]
        self.assertIn("/v1/secret/data/app1/db", reads)

    def test_seed_readonly_example(self):
        seed = seed_with(userpass={"john": {"password": "vaultuserpassword0002", "policies": ["kestra-ro"]}})
        self.start(seed)
        cfg = os.path.join(CONFIGS, "vault-readonly-seed.yml")
        rc, out, err = self.ks("-c", cfg, "--set", f"vault.address={self.url}", "get", "db", "--subkey", "PASSWORD")
        self.assertEqual((rc, out), (0, b"s3cr3t"), err)
        rc, out, err = self.ks("-c", cfg, "--set", f"vault.address={self.url}", "get", "api", "--version", "2",
                               "--subkey", "API_TOKEN")
        self.assertEqual((rc, out), (0, b"v2"), err)
        self.fake("POST", "/_fake/reset")
        rc, _, err = self.ks("-c", cfg, "--set", f"vault.address={self.url}", "put", "db", "--value", "x")
        self.assertEqual(rc, 6, err)
        self.assertEqual(self.requests(), [], "a read-only put must send nothing")

    def test_enterprise_example(self):
        cfg = os.path.join(CONFIGS, "vault-enterprise.yml")
        rc, out, err = self.ks("-c", cfg, "--set", f"vault.address={self.url}", "get", "my-app", "--subkey", "NEON_PASSWORD")
        self.assertEqual((rc, out), (0, b"neon"), err)
        self.assertTrue(all(r["headers"].get("X-Vault-Namespace") == "admin" for r in self.requests()))
        rc, out, err = self.ks("-c", cfg, "--set", f"vault.address={self.url}", "get", "app1/db")
        self.assertEqual((rc, out), (0, b'{"PASSWORD":"admin-bu"}'), err)

    def test_put_plain_value_then_get_and_delete(self):
        rc, _, err = self.vks("put", "plain", "--value", "hello")
        self.assertEqual(rc, 0, err)
        keys = self.kv()["secret/"]["keys"]
        self.assertEqual(self.out("get", "plain"), "hello")
        self.assertIn("plain", json.dumps(keys))
        rc, out, err = self.vks("-o", "json", "put", "plain", "--value", "again")
        self.assertEqual(json.loads(out)["version"], "2", err)
        self.assertEqual(json.loads(self.out("-o", "json", "get", "plain"))["value"], "again")
        self.assertEqual(self.vks("delete", "plain")[0], 0)
        rc, _, err = self.vks("get", "plain")
        self.assertEqual(rc, 4, err)
        self.assertIn("restore", err)
        rc, _, err = self.vks("restore", "plain")
        self.assertEqual(rc, 5, "policy kestra grants no secret/undelete/*")
        self.assertIn("undelete", err)
        self.assertEqual(self.vks("restore", "plain", block=ROOT)[0], 0)
        self.assertEqual(self.out("get", "plain"), "again")
        self.assertEqual(self.vks("delete", "plain", "--purge", "--yes")[0], 0)
        self.assertEqual(self.vks("restore", "plain", block=ROOT)[0], 4)

    def test_put_fields_and_subkey(self):
        self.assertEqual(self.vks("put", "multi", "--fields", stdin=b'{"A":"1","B":2}')[0], 0)
        self.assertEqual(self.vks("put", "multi", "--subkey", "C", "--value", "3")[0], 0)
        self.assertEqual(self.out("get", "multi"), '{"A":"1","B":2,"C":"3"}')
        cas = [json.loads(r["body"]) for r in self.requests() if r["method"] in ("POST", "PUT") and "multi" in r["path"]]
        self.assertEqual(cas[-1]["options"], {"cas": 1})
        self.assertEqual(self.vks("delete", "multi", "--subkey", "A")[0], 0)
        self.assertEqual(self.out("get", "multi"), '{"B":2,"C":"3"}')

    def test_concurrent_subkey_writers_one_conflict(self):
        # Both writers read version 1; their writes are held 1 s, so the second one's CAS fails.
        self.faults({"match": "POST /v1/secret/data/app1/db", "delay": 1.0, "times": 2})
        blk = {"token": {"token": TOKEN}, "secret-path-prefix": "app1"}
        cfg = self.config(**blk)
        procs = [subprocess.Popen([os.environ["KS_BIN"], "-c", cfg, "put", "db", "--subkey", f"W{i}", "--value", "x"],
                                  env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in (1, 2)]
        codes = sorted(p.wait(timeout=30) for p in procs)
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(codes, [0, 8])
        fields = json.loads(self.out("get", "db", block=blk))
        self.assertEqual(len([k for k in fields if k.startswith("W")]), 1)
        self.assertEqual(fields["PASSWORD"], "s3cr3t")

    def test_list_walks_and_namespaces(self):
        keys = json.loads(self.out("-o", "json", "list"))
        names = [k["key"] for k in keys]
        for k in ("app1/db", "app1/api", "main/company/team/KEY", "main/company/KEY2", "gone"):
            self.assertIn(k, names)
        self.assertTrue(all(k["namespace"] is None for k in keys))
        ns = json.loads(self.out("-o", "json", "-n", "company", "list"))
        self.assertEqual([(k["key"], k["namespace"]) for k in ns], [("KEY2", "company")])
        listed = [r for r in self.requests() if "list=true" in r["path"]]
        self.assertTrue(listed[-1]["path"].startswith("/v1/secret/metadata/main/company/"))
        blk = {"token": {"token": TOKEN}, "secret-path-prefix": "app1"}
        self.assertEqual(sorted(k["key"] for k in json.loads(self.out("-o", "json", "list", block=blk))), ["api", "db"])

    def test_namespace_tenant_and_parent_fallback(self):
        self.assertEqual(self.out("-n", "company.team", "get", "KEY"), "team-secret")
        self.assertEqual(self.out("-n", "company.team.sub", "get", "KEY2"), "parent")
        self.assertEqual(self.vks("-n", "company.team", "get", "--no-inherit", "KEY2")[0], 4)
        rc, _, err = self.vks("--tenant", "other", "-n", "company.team", "get", "KEY")
        self.assertEqual(rc, 4, err)
        self.assertEqual(self.vks("--tenant", "t2", "-n", "a.b", "put", "K", "--value", "v")[0], 0)
        self.assertIn("t2/a/b/K", json.dumps(self.kv()["secret/"]["keys"]))

    def test_prefix_option(self):
        blk = {"token": {"token": TOKEN}, "secret-path-prefix": "app1", "prefix": "p_"}
        rc, _, err = self.vks("put", "x", "--value", "1", block=blk)
        self.assertEqual(rc, 0, err)
        self.assertIn("/v1/secret/data/app1/p_x", [r["path"] for r in self.requests()])
        self.assertEqual([k["key"] for k in json.loads(self.out("-o", "json", "list", block=blk))], ["x"])

    def test_errors_not_found_denied_malformed(self):
        rc, _, err = self.vks("get", "nope")
        self.assertEqual(rc, 4, err)
        self.assertIn("Cannot find secret for key 'nope'.", err)
        rc, _, err = self.vks("put", "app1/db", "--value", "x", block={"token": {"token": "ro-token"}})
        self.assertEqual(rc, 5, err)
        rc, _, err = self.vks("get", "app1/db", block={"token": {"token": "bad-token"}})
        self.assertEqual(rc, 5, err)
        self.faults({"match": "GET /v1/secret/data/app1/db", "fault": "garbage"})
        rc, _, err = self.vks("get", "app1/db")
        self.assertEqual(rc, 9, err)
        rc, _, err = self.vks("get", "gone")
        self.assertEqual(rc, 4, err)
        self.assertIn("destroyed", err)

    def test_sealed_is_unavailable_within_timeout(self):
        self.fake("POST", "/_fake/vault/state", {"sealed": True})
        t = time.time()
        rc, _, err = self.vks("--timeout", "5", "get", "app1/db")
        self.assertEqual(rc, 7, err)
        self.assertLess(time.time() - t, 10)
        self.assertGreater(len(self.requests()), 1, "sealed answers are retried")

    def test_standby_and_412_retried(self):
        self.faults({"match": "GET /v1/secret/data/app1/db", "status": 412, "body": {"errors": []}, "times": 1},
                    {"match": "GET /v1/secret/data/app1/db", "status": 500,
                     "body": {"errors": ["local node not active but active cluster node not found"]}, "times": 1})
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER"), "app")
        self.assertEqual(len([r for r in self.requests() if r["path"] == "/v1/secret/data/app1/db"]), 3)

    # --- priority 2: v1, preflight, describe/versions, auth methods --------------------------
    def test_kv1(self):
        blk = {"token": {"token": TOKEN}, "engine-version": 1, "root-engine": "kv1"}
        self.assertEqual(self.out("get", "app1/legacy", block=blk), "old")
        self.assertEqual(self.vks("put", "app1/new", "--value", "n", block=blk)[0], 0)
        self.assertEqual(self.kv()["kv1/"]["data"]["app1/new"], {"value": "n"})
        self.assertEqual(self.vks("get", "app1/new", "--version", "1", block=blk)[0], 2)
        self.assertEqual(self.vks("versions", "app1/new", block=blk)[0], 2)
        self.assertEqual([k["key"] for k in json.loads(self.out("-o", "json", "list", block=blk))], ["app1/legacy", "app1/new"])
        self.assertEqual(self.vks("delete", "app1/new", block=blk)[0], 0)
        self.assertEqual(self.vks("get", "app1/new", block=blk)[0], 4)

    def test_preflight(self):
        rc, _, err = self.vks("get", "app1/db", block={"token": {"token": TOKEN}, "engine-version": 1})
        self.assertEqual(rc, 3, err)
        self.assertIn("secret/", err)
        self.assertIn("version 2", err)
        rc, _, err = self.vks("get", "app1/db", block={"token": {"token": TOKEN}, "root-engine": "secrte"})
        self.assertEqual(rc, 3, err)
        self.assertIn("root-engine", err)
        self.vks("get", "app1/db")
        self.vks("list")
        pre = [r for r in self.requests() if "/sys/internal/ui/mounts/" in r["path"]]
        self.assertEqual(len(pre), 4, "one preflight per run")

    def test_describe_versions_tags(self):
        d = json.loads(self.out("-o", "json", "describe", "app1/api"))
        self.assertEqual((d["version"], d["tags"]), ("3", {"env": "prod"}))
        self.assertIsNotNone(d["deleted"])
        v = json.loads(self.out("-o", "json", "versions", "app1/api"))
        self.assertEqual([(x["version"], x["state"]) for x in v], [("3", "deleted"), ("2", "enabled"), ("1", "enabled")])
        blk = {"token": {"token": "root-token"}, "secret-path-prefix": "tagged", "filter-on-tags": {"tags": {"team": "data"}}}
        self.assertEqual([k["key"] for k in json.loads(self.out("-o", "json", "list", block=blk))], ["a"])
        self.assertEqual(self.vks("get", "b", block=blk)[0], 4)
        blk = {"token": {"token": "root-token"}, "tags": {"owner": "me"}}
        self.assertEqual(self.vks("put", "t1", "--value", "v", "--tag", "x=y", block=blk)[0], 0)
        self.assertEqual(json.loads(self.out("-o", "json", "describe", "t1"))["tags"], {"owner": "me", "x": "y"})

    def test_restore_denied_hint(self):
        rc, _, err = self.vks("restore", "app1/api", block={"token": {"token": "nou-token"}})
        self.assertEqual(rc, 5, err)
        self.assertIn("undelete", err)
        self.assertEqual(self.vks("restore", "app1/api", block=ROOT)[0], 0)
        self.assertEqual(self.out("get", "app1/api", "--subkey", "API_TOKEN"), "v3")

    def test_auth_userpass_approle_kubernetes(self):
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER",
                                  block={"password": {"user": "john", "password": PASSWORD}}), "app")
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER", block={"app-role": {
            "role-id": "11111111-2222-3333-4444-555555555555", "secret-id": SECRET_ID}}), "app")
        jwt = self.write("sa-token", JWT + "\n")
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER",
                                  block={"kubernetes": {"role": "kestra", "token-file": jwt}}), "app")
        logins = [r["path"] for r in self.requests() if "/login" in r["path"]]
        self.assertEqual(logins, ["/v1/auth/userpass/login/john", "/v1/auth/approle/login", "/v1/auth/kubernetes/login"])
        rc, _, err = self.vks("get", "app1/db", block={"password": {"user": "john", "password": "wrong"}})
        self.assertEqual(rc, 5, err)
        rc, _, err = self.vks("get", "app1/db", block={"kubernetes": {"role": "kestra", "token-file": self.write("bad", "x")}})
        self.assertEqual(rc, 5, err)

    def test_default_token_chain(self):
        rc, _, err = self.vks("get", "app1/db", block={})
        self.assertEqual(rc, 5, err)
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER", block={}, env={"VAULT_TOKEN": TOKEN}), "app")
        with open(os.path.join(self.home, ".vault-token"), "w") as f:
            f.write(TOKEN + "\n")
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER", block={}), "app")

    def test_probe(self):
        rc, out, err = self.vks("check-config", "--connect")
        self.assertEqual(rc, 0, err + out.decode())
        text = out.decode() + err
        self.assertIn("token-kestra", text)
        self.assertIn("kv v2", text)

    # --- priority 3: TLS, leaks --------------------------------------------------------------
    def test_https_with_ca_file_and_vault_cacert(self):
        self.start(seed_with(), tls=True)
        ca = os.path.join(TLS, "ca.pem")
        rc, _, err = self.vks("get", "app1/db")
        self.assertEqual(rc, 7, err)
        self.assertEqual(self.out("--ca-file", ca, "get", "app1/db", "--subkey", "USER"), "app")
        self.assertEqual(self.out("get", "app1/db", "--subkey", "USER", env={"VAULT_CACERT": ca}), "app")

    def test_no_credentials_in_traces(self):
        for blk in ({"token": {"token": TOKEN}}, {"password": {"user": "john", "password": PASSWORD}},
                    {"app-role": {"role-id": "11111111-2222-3333-4444-555555555555", "secret-id": SECRET_ID}},
                    {"kubernetes": {"role": "kestra", "token-file": self.write("sa", JWT)}}):
            rc, out, err = self.vks("-vv", "get", "app1/db", block=blk)
            self.assertEqual(rc, 0, err)
            for s in (TOKEN, PASSWORD, SECRET_ID, JWT, "s3cr3t", "hvs."):
                self.assertNotIn(s, err)
