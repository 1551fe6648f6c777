"""Azure Key Vault backend against the fake (tests/fakes/azure.py, HTTPS with the test CA):
naming, tags, namespaces, paging, soft delete, errors and faults (spec/providers.md §2,
spec/kestra.md §5-6). AzureCase is the shared harness (test_azure_auth.py imports it)."""
import json
import os
import time

from kshelp import CA_FILE as CA, SOURCE_DIR, KsTestCase, start_fake

DATA = os.path.join(SOURCE_DIR, "tests", "data")
SEED = os.path.join(DATA, "azure", "seed.json")
TENANT = "72f988bf-0000-4000-8000-000000000001"
CLIENT1, SECRET1 = "11111111-1111-4111-8111-111111111111", "s3cr3t-value~1"
CLIENT2, SECRET2 = "22222222-2222-4222-8222-222222222222", "limited-secret"


class AzureCase(KsTestCase):
    """Starts the fake with the seed (optionally modified) and runs the binary against it."""

    seed_changes = None

    def setUp(self):
        super().setUp()
        with open(SEED) as f:
            seed = json.load(f)
        seed.update(self.seed_changes or {})
        seed_file = self.write("seed.json", json.dumps(seed))
        self.server = start_fake(self, "azure.py", "--seed", seed_file, "--http-port", "0", tls=True, max_seconds=110)
        self.http_port = int(self.server.preamble[0].split()[1])
        self.port = self.server.port
        self.base = f"https://127.0.0.1:{self.port}"
        self.env["AZURE_AUTHORITY_HOST"] = self.base
        self.env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = f"http://127.0.0.1:{self.http_port}"
        self.cfg = self.config()

    def config(self, name="azure.yml", client=(CLIENT1, SECRET1), extra=""):
        creds = ""
        if client:
            creds = (f"      client-secret:\n        tenant-id: {TENANT}\n        client-id: {client[0]}\n"
                     f"        client-secret: {client[1]}\n")
        return self.write(name, "kestra:\n  secret:\n    type: azure-key-vault\n    azure-key-vault:\n"
                                f"      key-vault-uri: {self.base}\n{creds}{extra}")

    def read_cfg(self):
        with open(self.cfg) as f:
            return f.read()

    def kz(self, *args, cfg=None, **kw):
        return self.ks("-c", cfg or self.cfg, "--ca-file", CA, *args, **kw)

    def fake(self, path, body=None):
        return self.server.call("GET" if body is None else "POST", path, body)

    def requests(self):
        return self.fake("/_fake/requests")

    def reset_log(self):
        self.server.reset()

    def faults(self, faults):
        self.server.faults(*faults)

    def secret_state(self, name):
        for s in self.fake("/_fake/azure/state")["secrets"]:
            if s["name"].lower() == name.lower():
                return s
        return None


class AzureTests(AzureCase):
    def test_put_names_tags_and_get_round_trip(self):
        self.assertExit(self.kz("-n", "company.team", "put", "ns_key", stdin=b"v1 \xc3\xa9\n"), 0)
        s = self.secret_state("company-team-ns-key")
        self.assertIsNotNone(s, "the legal name of <NS>/<KEY>")
        latest = s["versions"][-1]
        self.assertEqual(latest["tags"], {"key": "ns_key", "namespace": "company.team"})
        self.assertEqual(latest["contentType"], "text/plain; charset=utf-8")
        self.assertEqual(self.kz("-n", "company.team", "get", "ns_key")[1], "v1 é\n".encode())
        self.assertExit(self.kz("get", "ns_key"), 4)  # without -n only untagged-namespace secrets match

    def test_get_by_tag_search_by_version_and_untagged(self):
        self.assertEqual(self.kz("-n", "company.team", "get", "DB_PASSWORD")[1], b"new-pass")
        rc, out, _ = self.kz("-n", "company.team", "get", "DB_PASSWORD", "--version", "0123456789abcdef0123456789abcdef")
        self.assertEqual((rc, out), (0, b"old-pass"))
        self.assertEqual(self.kz("get", "top-secret")[1], b"classified")
        self.assertEqual(self.kz("-n", "company.team.sub", "get", "DB_PASSWORD")[1], b"new-pass")  # parent climb
        rc, out, _ = self.kz("-o", "json", "-n", "company.team", "get", "DB_PASSWORD")
        self.assertEqual(json.loads(out)["version"], "fedcba9876543210fedcba9876543210")

    def test_missing_disabled_and_deleted_are_not_found(self):
        rc, _, err = self.assertExit(self.kz("get", "nope"), 4)
        self.assertIn("Cannot find secret for key 'nope'.", err)
        self.assertExit(self.kz("get", "DISABLED"), 4)
        self.assertExit(self.kz("get", "OLD"), 4)

    def test_list_json_namespaces_and_describe(self):
        self.kz("put", "plain", stdin=b"x")
        rc, out, _ = self.assertExit(self.kz("-o", "json", "list"), 0)
        rows = {r["key"]: r for r in json.loads(out)}
        self.assertEqual(set(rows), {"DB_PASSWORD", "DISABLED", "top-secret", "plain"})
        self.assertEqual(rows["DB_PASSWORD"]["namespace"], "company.team")
        self.assertEqual(rows["DB_PASSWORD"]["name"], "db-password")
        self.assertTrue(rows["top-secret"]["updated"].endswith("Z"))
        self.assertEqual(self.kz("-n", "company.team", "list")[1], b"DB_PASSWORD\n")
        rc, out, _ = self.assertExit(self.kz("-o", "json", "-n", "company.team", "describe", "DB_PASSWORD"), 0)
        d = json.loads(out)
        self.assertEqual((d["name"], d["version"]), ("db-password", "fedcba9876543210fedcba9876543210"))
        self.assertNotIn("new-pass", out.decode())

    def test_put_existing_adds_version_keeps_tags_and_versions_newest_first(self):
        self.assertExit(self.kz("-n", "company.team", "put", "DB_PASSWORD", "--tag", "team=x", stdin=b"third"), 0)
        s = self.secret_state("db-password")
        self.assertEqual(len(s["versions"]), 3)
        self.assertEqual(s["versions"][-1]["tags"], {"key": "DB_PASSWORD", "namespace": "company.team", "team": "x"})
        rc, out, _ = self.assertExit(self.kz("-o", "json", "-n", "company.team", "versions", "DB_PASSWORD"), 0)
        vs = json.loads(out)
        self.assertEqual(len(vs), 3)
        self.assertEqual(vs[1]["version"], "fedcba9876543210fedcba9876543210")
        self.assertEqual(vs[2]["version"], "0123456789abcdef0123456789abcdef")
        self.assertEqual(self.kz("-n", "company.team", "get", "DB_PASSWORD")[1], b"third")

    def test_name_collision_is_conflict_and_leaves_the_other_untouched(self):
        self.assertExit(self.kz("put", "a_b", stdin=b"first"), 0)
        rc, _, err = self.assertExit(self.kz("put", "a-b", stdin=b"second"), 8)
        self.assertIn("a-b", err)
        s = self.secret_state("a-b")
        self.assertEqual(len(s["versions"]), 1)
        self.assertEqual(self.kz("get", "a_b")[1], b"first")

    def test_long_name_and_non_utf8_are_usage_errors(self):
        self.assertExit(self.kz("put", "k" * 128, stdin=b"v"), 2)
        self.assertExit(self.kz("put", "bin", stdin=b"\xff\xfe"), 2)
        self.assertEqual([r for r in self.requests() if r["method"] == "PUT"], [])

    def test_soft_delete_restore_and_purge(self):
        self.kz("put", "tmp", stdin=b"v")
        rc, out, _ = self.assertExit(self.kz("-o", "json", "delete", "tmp"), 0)
        d = json.loads(out)
        self.assertFalse(d["purged"])
        self.assertTrue(d["recoverable_until"].endswith("Z"))
        rc, _, err = self.assertExit(self.kz("get", "tmp"), 4)
        self.assertIn("restore", err)
        rc, _, err = self.assertExit(self.kz("put", "tmp", stdin=b"w"), 8)
        self.assertIn("restore", err)
        self.assertExit(self.kz("restore", "tmp"), 0)
        self.assertEqual(self.kz("get", "tmp")[1], b"v")
        rc, out, _ = self.assertExit(self.kz("-o", "json", "delete", "tmp", "--purge", "--yes"), 0)
        self.assertTrue(json.loads(out)["purged"])
        self.assertIsNone(self.secret_state("tmp"))
        self.assertExit(self.kz("restore", "OLD"), 0)
        self.assertEqual(self.kz("get", "OLD")[1], b"was-deleted")

    def test_purge_of_an_already_deleted_secret_and_recovery_days(self):
        self.assertExit(self.kz("delete", "OLD", "--purge", "--yes"), 0)
        self.assertIsNone(self.secret_state("old-secret"))
        self.kz("put", "x", stdin=b"v")
        self.assertExit(self.kz("delete", "x", "--recovery-days", "7"), 2)

    def reseed(self, **changes):
        with open(SEED) as f:
            seed = json.load(f)
        seed.update(changes)
        self.fake("/_fake/azure/seed", seed)

    def test_purge_polls_until_the_deletion_completed(self):
        self.reseed(delete_delay=2)
        self.kz("put", "slow", stdin=b"v")
        self.reset_log()
        rc, out, err = self.kz("-o", "json", "delete", "slow", "--purge", "--yes", "--timeout", "20")
        self.assertEqual(rc, 0, err)
        self.assertTrue(json.loads(out)["purged"])
        self.assertIsNone(self.secret_state("slow"))
        polls = [r for r in self.requests() if r["method"] == "GET" and r["path"].startswith("/deletedsecrets/slow")]
        self.assertGreater(len(polls), 1)

    def test_being_deleted_is_retried_then_conflict(self):
        self.reseed(delete_delay=30)
        self.kz("put", "busy", stdin=b"v")
        self.assertExit(self.kz("delete", "busy"), 0)
        start = time.monotonic()
        rc, _, err = self.assertExit(self.kz("put", "busy", "--timeout", "3", stdin=b"w"), 8)
        self.assertLess(time.monotonic() - start, 10)
        self.assertIn("ObjectIsBeingDeleted", err)
        self.assertGreater(len([r for r in self.requests() if r["method"] == "PUT"]), 2)

    def test_prefix_names_tags_and_hides_others(self):
        cfg = self.config("p.yml", extra="      prefix: kestra_\n")
        self.assertExit(self.kz("put", "KEY", cfg=cfg, stdin=b"v"), 0)
        s = self.secret_state("kestra-KEY")
        self.assertEqual(s["versions"][-1]["tags"], {"key": "KEY", "prefix": "kestra_"})
        self.assertEqual(self.kz("list", cfg=cfg)[1], b"KEY\n")
        self.assertEqual(self.kz("get", "KEY", cfg=cfg)[1], b"v")
        self.assertExit(self.kz("get", "top-secret", cfg=cfg), 4)

    def test_read_only_refuses_writes_before_any_request(self):
        ro = self.write("ro.yml", self.read_cfg().replace(
            "    azure-key-vault:\n", "    read-only: true\n    azure-key-vault:\n"))
        self.reset_log()
        self.assertExit(self.kz("put", "k", cfg=ro, stdin=b"v"), 6)
        self.assertExit(self.kz("delete", "k", cfg=ro), 6)
        self.assertEqual(self.requests(), [])

    def test_filter_on_tags_and_configured_tags(self):
        cfg = self.config("f.yml", extra="      tags:\n        env: prod\n")
        self.assertExit(self.kz("put", "tagged", cfg=cfg, stdin=b"v"), 0)
        self.assertEqual(self.secret_state("tagged")["versions"][-1]["tags"]["env"], "prod")
        ro = self.write("ro.yml", f"kestra:\n  secret:\n    type: azure-key-vault\n    read-only: true\n"
                                  f"    azure-key-vault:\n      key-vault-uri: {self.base}\n      client-secret:\n"
                                  f"        tenant-id: {TENANT}\n        client-id: {CLIENT1}\n"
                                  f"        client-secret: {SECRET1}\n      filter-on-tags:\n        tags:\n          env: prod\n")
        rc, out, err = self.kz("list", cfg=ro)
        self.assertEqual((rc, out), (0, b"tagged\n"), err)
        self.assertExit(self.kz("get", "top-secret", cfg=ro), 4)

    def test_paging_past_pages_with_empty_pages(self):
        with open(SEED) as f:
            seed = json.load(f)
        seed.update({"page_size": 2, "empty_pages": True})
        seed["secrets"] += [{"name": f"bulk-{i}", "value": f"v{i}", "tags": {"key": f"BULK_{i}"}} for i in range(9)]
        self.fake("/_fake/azure/seed", seed)
        self.reset_log()
        rc, out, err = self.assertExit(self.kz("list", "BULK_*"), 0)
        self.assertEqual(out.decode().split(), sorted(f"BULK_{i}" for i in range(9)))
        lists = [r for r in self.requests() if r["path"].startswith("/secrets?") or "skiptoken" in r["path"]]
        self.assertGreater(len(lists), 6)
        self.assertEqual(self.kz("get", "BULK_8")[1], b"v8")  # found by the tag search across pages

    def test_limited_client_is_denied_with_the_service_reason(self):
        cfg = self.config("lim.yml", client=(CLIENT2, SECRET2))
        rc, _, err = self.assertExit(self.kz("put", "x", cfg=cfg, stdin=b"v"), 5)
        self.assertIn("setSecret", err)
        self.assertExit(self.kz("get", "top-secret", cfg=cfg), 5)
        self.assertEqual(self.kz("-n", "company.team", "get", "DB_PASSWORD", cfg=cfg)[1], b"new-pass")

    def test_challenge_first_then_one_token_per_run(self):
        self.reset_log()
        self.assertExit(self.kz("get", "top-secret"), 0)
        log = self.requests()
        vault = [r for r in log if r["path"].startswith("/secrets")]
        self.assertNotIn("Authorization", {k.title() for k in vault[0]["headers"]})
        self.assertIn("api-version=7.5", vault[0]["path"])
        tokens = [r for r in log if "/oauth2/v2.0/token" in r["path"]]
        self.assertEqual(len(tokens), 1)
        self.assertIn(f"/{TENANT}/oauth2/v2.0/token", tokens[0]["path"])
        self.assertIn("scope=https%3A%2F%2Fvault.azure.net%2F.default", tokens[0]["body"])

    def test_a_mid_run_401_renews_the_token_once(self):
        self.kz("put", "a", stdin=b"1")
        self.reset_log()
        www = f'Bearer authorization="{self.base}/{TENANT}", resource="https://vault.azure.net"'
        err401 = {"error": {"code": "Unauthorized", "message": "AKV10000: token expired"}}
        self.faults([{"match": "GET /secrets/a?", "status": 401, "headers": {"WWW-Authenticate": www},
                      "body": err401, "times": 1}])
        # the first (unauthenticated) GET takes the fault as its challenge; the second gets a fresh 401 below
        self.faults([{"match": "GET /secrets/a?", "status": 401, "headers": {"WWW-Authenticate": www},
                      "body": err401, "times": 1}])
        rc, out, err = self.kz("get", "a")
        self.assertEqual((rc, out), (0, b"1"), err)
        tokens = [r for r in self.requests() if "/oauth2/v2.0/token" in r["path"]]
        self.assertEqual(len(tokens), 2)
        self.faults([{"match": "GET /secrets/a?", "status": 401, "headers": {"WWW-Authenticate": www},
                      "body": err401, "times": 3}])
        self.assertExit(self.kz("get", "a"), 5)

    def test_other_tenant_and_bad_secret_are_denied(self):
        bad = self.config("b.yml", client=(CLIENT1, "not-the-secret-xyz"))
        rc, _, err = self.assertExit(self.kz("get", "top-secret", cfg=bad), 5)
        self.assertIn("AADSTS", err)
        self.assertNotIn("not-the-secret-xyz", err)
        other = self.write("o.yml", self.read_cfg().replace(TENANT, "33e01921-0000-4000-8000-000000000002")
                           .replace(CLIENT1, "44444444-4444-4444-8444-444444444444").replace(SECRET1, "other-tenant-secret"))
        self.assertExit(self.kz("get", "top-secret", cfg=other), 5)

    def test_faults_retry_after_then_unavailable_then_garbage(self):
        self.faults([{"match": "GET /secrets/top-secret", "status": 429, "headers": {"Retry-After": "1"},
                      "body": {"error": {"code": "Throttled", "message": "slow down"}}, "times": 1}])
        rc, out, err = self.kz("get", "top-secret", "--timeout", "20")
        self.assertEqual((rc, out), (0, b"classified"), err)
        self.faults([{"match": "GET /secrets/top-secret", "status": 503,
                      "body": {"error": {"code": "ServiceUnavailable", "message": "busy"}}, "times": 50}])
        self.assertExit(self.kz("get", "top-secret", "--timeout", "8"), 7)
        self.reset_log()
        self.faults([{"match": "GET /secrets/top-secret", "fault": "garbage", "status": 200, "times": 2}])
        self.assertExit(self.kz("get", "top-secret", "--timeout", "8"), 9)

    def test_no_client_secret_or_token_in_stderr_at_vv(self):
        rc, out, err = self.kz("-vv", "-n", "company.team", "get", "DB_PASSWORD")
        self.assertEqual(rc, 0, err)
        self.assertIn("oauth2", err)  # the trace is there
        for leak in (SECRET1, "new-pass", "eyJ"):
            self.assertNotIn(leak, err)
        rc, _, err = self.kz("-vv", "put", "leak", stdin=b"supersecretvalue")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("supersecretvalue", err)

    def test_check_config_connect_facts(self):
        rc, out, err = self.kz("check-config", "--connect")
        self.assertEqual(rc, 0, err)
        text = out.decode() + err
        for fact in ("client secret (configuration)", TENANT, CLIENT1, self.base):
            self.assertIn(fact, text)
        self.assertNotIn(SECRET1, text)
