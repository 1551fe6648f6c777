"""The google-secret-manager backend against tests/fakes/google.py (spec/providers.md §3,
spec/kestra.md §5-§6): service-account JWT auth, get/list/put/delete/describe/versions, naming,
labels vs annotations, filters, read-only, paging, CRC, regional secrets, faults, no leaks."""
import json
import os

from kshelp import SOURCE_DIR, TLS_DIR as TLS, KsTestCase, start_fake

DATA = os.path.join(SOURCE_DIR, "tests", "data", "google")


class GoogleFakeMixin:
    """Starts the fake for one test; helpers for its control endpoints."""

    def start_fake(self, seed=None, tls=False):
        self.server = start_fake(self, "google.py", "--seed", seed or os.path.join(DATA, "seed.json"), tls=tls,
                                 max_seconds=110)
        self.port, self.url = self.server.port, self.server.url
        self.env["GCE_METADATA_HOST"] = f"127.0.0.1:{self.port}"

    def stop_fake(self):
        self.server.stop()

    def control(self, path, body=None):
        return self.server.call("GET" if body is None else "POST", path, body)

    def requests(self):
        return self.server.requests()

    def api_requests(self):
        return [r for r in self.requests() if r["path"].startswith("/v1/")]

    def key_text(self, name="service-account.json"):
        with open(os.path.join(DATA, name)) as f:
            doc = json.load(f)
        doc["token_uri"] = f"{self.url}/token"
        return json.dumps(doc)

    def config(self, extra="", inline_key=True, project="kestra-test", endpoint=True):
        lines = ["kestra:", "  secret:", "    type: google-secret-manager", "    google-secret-manager:"]
        if project:
            lines.append(f"      project: {project}")
        if endpoint:
            lines.append(f"      endpoint-override: {self.url}/")
        if inline_key:
            lines.append(f"      service-account: {json.dumps(self.key_text())}")
        text = "\n".join(lines) + "\n" + extra
        return self.write("application.yml", text)


class GoogleTests(GoogleFakeMixin, KsTestCase):
    def setUp(self):
        super().setUp()
        self.start_fake()
        self.cfg = self.config()

    def g(self, *args, cfg=None, **kw):
        return self.ks("-c", cfg or self.cfg, *args, **kw)

    # --- priority 1: auth + get/list/put/delete -------------------------------------------
    def test_get_reads_latest_with_jwt_bearer_auth(self):
        rc, out, err = self.assertExit(self.g("get", "readable"), 0)
        self.assertEqual(out, b"hello")
        token_calls = [r for r in self.requests() if r["path"] == "/token"]
        self.assertEqual(len(token_calls), 1)
        self.assertIn("jwt-bearer", token_calls[0]["body"])

    def test_token_is_fetched_once_per_run(self):
        self.assertExit(self.g("put", "a", stdin=b"1"), 0)  # get, search, create, addVersion
        self.assertGreaterEqual(len(self.api_requests()), 4)
        self.assertEqual(len([r for r in self.requests() if r["path"] == "/token"]), 1)

    def test_put_creates_then_adds_versions_and_get_round_trips_binary(self):
        raw = bytes(range(256))
        self.assertExit(self.g("put", "bin", stdin=raw), 0)
        self.assertEqual(self.g("get", "bin")[1], raw)
        self.assertExit(self.g("put", "bin", stdin=b"v2"), 0)
        self.assertEqual(self.g("get", "bin")[1], b"v2")
        state = self.control("/_fake/google/state")["secrets"]
        s = state["projects/123456789012/secrets/bin"]
        self.assertEqual(s["labels"], {"key": "bin"})
        self.assertEqual(sorted(s["versions"]), ["1", "2"])
        self.assertEqual(s["replication"], {"automatic": {}})

    def test_add_version_sends_crc_and_is_not_retried_on_503(self):
        self.assertExit(self.g("put", "k", stdin=b"v"), 0)
        add = [r for r in self.api_requests() if r["path"].endswith(":addVersion")][0]
        self.assertIn('"dataCrc32c"', add["body"])
        self.control("/_fake/faults", [{"match": ":addVersion", "status": 503, "times": 5}])
        self.assertExit(self.g("put", "k", "--timeout", "20", stdin=b"v2"), 7)
        adds = [r for r in self.api_requests() if r["path"].endswith(":addVersion")]
        self.assertEqual(len(adds), 2)  # the first put, and exactly one attempt of the second

    def test_namespace_key_naming_and_tags(self):
        self.assertExit(self.g("-n", "company.team", "put", "db.password", stdin=b"p"), 0)
        s = self.control("/_fake/google/state")["secrets"]["projects/123456789012/secrets/company_team_db_password"]
        self.assertEqual(s["labels"], {})
        self.assertEqual(s["annotations"], {"key": "db.password", "namespace": "company.team"})
        self.assertEqual(self.g("-n", "company.team", "get", "db.password")[1], b"p")
        self.assertEqual(self.g("-n", "company.team.sub", "get", "db.password")[1], b"p")  # parent climb
        self.assertExit(self.g("get", "db.password"), 4)

    def test_get_by_annotation_key_of_seeded_secret(self):
        self.assertEqual(self.g("-n", "company.team", "get", "API_KEY")[1], b"s3cr3t")
        self.assertEqual(self.g("-n", "company.team", "get", "API_KEY", "--version", "2")[1], b"s3cr3t")
        rc, _, err = self.assertExit(self.g("-n", "company.team", "get", "API_KEY", "--version", "1", "--no-inherit"), 4)
        self.assertIn("disabled", err)

    def test_list_merges_labels_and_annotations_and_paging(self):
        with open(os.path.join(DATA, "seed.json")) as f:
            seed = json.load(f)
        seed["max_page_size"] = 2
        for sa in seed["service_accounts"]:
            sa["public_key_file"] = os.path.join(DATA, sa["public_key_file"])
        self.stop_fake()
        self.start_fake(self.write("seed.json", json.dumps(seed)))
        self.cfg = self.config()
        rc, out, _ = self.assertExit(self.g("list", "-o", "json"), 0)
        items = {i["key"]: i for i in json.loads(out)}
        self.assertIn("readable", items)
        self.assertEqual(items["API_KEY"]["namespace"], "company.team")
        self.assertEqual(items["API_KEY"]["name"], "company_team_API_KEY")
        self.assertEqual(items["API_KEY"]["tags"]["team"], "data")
        self.assertEqual(items["API_KEY"]["tags"]["key"], "API_KEY")
        lists = [r for r in self.api_requests() if r["path"].startswith("/v1/projects/kestra-test/secrets?")]
        self.assertGreaterEqual(len(lists), 3)

    def test_delete_is_permanent_and_restore_recovery_days_unsupported(self):
        self.assertExit(self.g("put", "gone", stdin=b"v"), 0)
        self.assertExit(self.g("delete", "gone", "--recovery-days", "7"), 2)
        self.assertExit(self.g("delete", "gone"), 0)
        self.assertExit(self.g("get", "gone"), 4)
        rc, _, err = self.assertExit(self.g("restore", "gone"), 2)
        self.assertIn("not supported by google-secret-manager", err)
        self.assertExit(self.g("delete", "gone"), 4)

    def test_name_taken_by_another_key_is_conflict(self):
        # a_b (key tag "a.b") occupies the id a_b; putting key a_b must not overwrite it
        self.assertExit(self.g("put", "a.b", stdin=b"one"), 0)
        rc, _, err = self.assertExit(self.g("put", "a_b", stdin=b"two"), 8)
        self.assertIn("a_b", err)
        self.assertEqual(self.g("get", "a.b")[1], b"one")

    def test_id_longer_than_255_is_usage(self):
        self.assertExit(self.g("put", "k" * 256, stdin=b"v"), 2)

    def test_missing_disabled_destroyed_no_versions_are_not_found(self):
        for key in ("nope", "destroyed-one", "no-versions"):
            self.assertExit(self.g("get", key), 4, key)

    def test_permission_denied_is_5(self):
        doc = json.loads(self.key_text("limited-service-account.json"))
        cfg = self.write("limited.yml", "kestra:\n  secret:\n    type: google-secret-manager\n"
                         "    google-secret-manager:\n      project: kestra-test\n"
                         f"      endpoint-override: {self.url}\n      service-account: {json.dumps(json.dumps(doc))}\n")
        self.assertEqual(self.g("get", "readable", cfg=cfg)[1], b"hello")
        self.assertExit(self.g("put", "x", stdin=b"v", cfg=cfg), 5)

    def test_wrong_key_is_denied(self):
        doc = json.loads(self.key_text())
        with open(os.path.join(DATA, "other_private.pem")) as f:
            doc["private_key"] = f.read()
        cfg = self.write("bad.yml", "kestra:\n  secret:\n    type: google-secret-manager\n"
                         "    google-secret-manager:\n      project: kestra-test\n"
                         f"      endpoint-override: {self.url}\n      service-account: {json.dumps(json.dumps(doc))}\n")
        self.assertExit(self.g("get", "readable", cfg=cfg), 5)

    def test_crc_mismatch_is_bad_data(self):
        self.assertExit(self.g("get", "corrupt"), 9)

    def test_429_is_retried_then_unavailable(self):
        self.control("/_fake/faults", [{"match": ":access", "status": 429, "times": 1}])
        self.assertEqual(self.g("get", "readable")[1], b"hello")
        self.control("/_fake/faults", [{"match": ":access", "status": 503, "times": 20}])
        self.assertExit(self.g("get", "readable", "--timeout", "20"), 7)

    def test_garbage_is_bad_data(self):
        self.control("/_fake/faults", [{"match": "GET /v1/", "fault": "garbage", "times": 20}])
        self.assertExit(self.g("describe", "readable", "--timeout", "20"), 9)

    def test_expired_token_is_refreshed_once(self):
        self.control("/_fake/google/expire-tokens", {})
        self.assertEqual(self.g("get", "readable")[1], b"hello")

    # --- priority 2: describe, versions, labels vs annotations, filters, read-only ------------
    def test_describe_and_versions(self):
        rc, out, _ = self.assertExit(self.g("-n", "company.team", "versions", "API_KEY", "-o", "json"), 0)
        vs = json.loads(out)
        self.assertEqual([(v["version"], v["state"]) for v in vs], [("2", "enabled"), ("1", "disabled")])
        rc, out, _ = self.assertExit(self.g("describe", "readable", "-o", "json"), 0)
        self.assertEqual(json.loads(out)["tags"], {"team": "data"})
        self.assertNotIn(b"hello", out)

    def test_configured_tags_go_to_labels_or_annotations(self):
        cfg = self.config("      tags:\n        team: data\n        Owner: Jane Doe\n")
        self.assertExit(self.g("put", "t1", "--tag", "env=prod", stdin=b"v", cfg=cfg), 0)
        s = self.control("/_fake/google/state")["secrets"]["projects/123456789012/secrets/t1"]
        self.assertEqual(s["labels"], {"key": "t1", "team": "data", "env": "prod"})
        self.assertEqual(s["annotations"], {"Owner": "Jane Doe"})
        self.assertExit(self.g("put", "t2", "--tag", "-bad-=x", stdin=b"v", cfg=cfg), 2)

    def test_put_existing_updates_labels(self):
        self.assertExit(self.g("put", "u", stdin=b"1"), 0)
        self.assertExit(self.g("put", "u", "--tag", "env=dev", stdin=b"2"), 0)
        s = self.control("/_fake/google/state")["secrets"]["projects/123456789012/secrets/u"]
        self.assertEqual(s["labels"], {"key": "u", "env": "dev"})

    def test_filter_on_tags_reads_labels_and_annotations(self):
        cfg = self.config("      filter-on-tags:\n        tags:\n          namespace: company.team\n")
        rc, out, _ = self.assertExit(self.g("list", "-o", "json", cfg=cfg), 0)
        self.assertEqual([i["key"] for i in json.loads(out)], ["API_KEY"])
        self.assertExit(self.g("get", "readable", cfg=cfg), 4)

    def test_read_only_sends_no_request(self):
        cfg = self.config("      read-only: true\n")
        self.control("/_fake/reset", {})
        self.assertExit(self.g("put", "x", stdin=b"v", cfg=cfg), 6)
        self.assertExit(self.g("delete", "readable", cfg=cfg), 6)
        self.assertEqual(self.requests(), [])

    def test_prefix_names_and_hides(self):
        cfg = self.config("      prefix: app_\n")
        self.assertExit(self.g("put", "db", stdin=b"v", cfg=cfg), 0)
        s = self.control("/_fake/google/state")["secrets"]["projects/123456789012/secrets/app_db"]
        self.assertEqual(s["labels"], {"key": "db", "prefix": "app_"})
        rc, out, _ = self.assertExit(self.g("list", "-o", "json", cfg=cfg), 0)
        self.assertEqual([i["key"] for i in json.loads(out)], ["db"])
        self.assertExit(self.g("get", "readable", cfg=cfg), 4)

    # --- priority 3: regional, endpoints, probe, leaks ---------------------------------------
    def test_regional_secrets(self):
        cfg = self.config("      location: europe-west1\n")
        self.assertEqual(self.g("get", "regional-one", cfg=cfg)[1], b"eu-value")
        self.assertExit(self.g("put", "eu2", stdin=b"v", cfg=cfg), 0)
        s = self.control("/_fake/google/state")["secrets"]["projects/123456789012/locations/europe-west1/secrets/eu2"]
        self.assertIsNone(s["replication"])

    def test_tls_with_ca_file(self):
        self.stop_fake()
        self.start_fake(tls=True)
        cfg = self.config(f"      ca-file: {os.path.join(TLS, 'ca.pem')}\n")
        self.assertEqual(self.g("get", "readable", cfg=cfg)[1], b"hello")
        self.assertExit(self.g("get", "readable", "--timeout", "10", cfg=self.config()), 7)  # untrusted

    def test_cloudsdk_endpoint_variable(self):
        cfg = self.config(endpoint=False)
        env = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER": f"{self.url}/"}
        self.assertEqual(self.g("get", "readable", cfg=cfg, env=env)[1], b"hello")

    def test_check_config_connect_names_principal(self):
        rc, out, err = self.assertExit(self.g("check-config", "--connect"), 0)
        text = out.decode() + err
        self.assertIn("kestra-sa@kestra-test.iam.gserviceaccount.com", text)
        self.assertIn("kestra-test", text)

    def test_no_private_key_or_token_at_vv(self):
        rc, out, err = self.assertExit(self.g("-vv", "get", "readable"), 0)
        self.assertIn("/token", err)
        self.assertNotIn("PRIVATE KEY", err)
        self.assertNotIn("ya29", err)
        self.assertNotIn("hello", err)
        key = json.loads(self.key_text())["private_key"].splitlines()[1]
        self.assertNotIn(key, err)
        self.assertNotIn("assertion=ey", err)

    def test_export_reads_many_and_fails_as_a_whole_on_crc(self):
        self.assertExit(self.g("put", "e1", stdin=b"one"), 0)
        self.assertExit(self.g("put", "e2", stdin=b"two"), 0)
        rc, out, err = self.assertExit(self.g("export", "--format", "json", "e*"), 0)
        self.assertEqual(json.loads(out), {"e1": "one", "e2": "two"})
        self.assertExit(self.g("export", "--format", "json", "corrupt"), 9)
