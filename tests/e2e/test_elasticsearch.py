"""The elasticsearch backend against tests/fakes/elasticsearch.py (spec/providers.md §5, spec/kestra.md
§7): Kestra's encryption and storage layout, every command, auth, fail-over, faults and leaks."""
import base64
import json
import os
import socket
import urllib.parse

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kshelp import SOURCE_DIR, KsTestCase, start_fake

DATA = os.path.join(SOURCE_DIR, "tests", "data")
SEED = os.path.join(DATA, "elasticsearch", "seed.json")
KEY32 = base64.b64encode(bytes(range(32))).decode()
ELASTIC = ("elastic", "elasticpassword0001")
API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
INDEX = "kestra_secrets"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kestra_encrypt(key, text):
    iv = os.urandom(12)
    return base64.b64encode(iv + AESGCM(key).encrypt(iv, text.encode(), None)).decode()


def kestra_decrypt(key, stored):
    raw = base64.b64decode(stored)
    return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()


class ElasticsearchTests(KsTestCase):
    def setUp(self):
        super().setUp()
        self.proc = None
        self.start("--seed", SEED)

    # --- the fake -------------------------------------------------------------------------
    def start(self, *args, tls=False):
        self.stop()
        self.proc = start_fake(self, "elasticsearch.py", *args, tls=tls)
        self.port, self.scheme, self.url = self.proc.port, self.proc.scheme, self.proc.url

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None

    def fake(self, method, path, body=None, auth=ELASTIC):
        headers = {"Authorization": "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()} if auth else {}
        return self.proc.call(method, path, body, headers)

    def requests(self):
        return self.proc.requests()

    def faults(self, *faults):
        self.proc.faults(*faults)

    def source(self, doc_id):
        return self.fake("GET", f"/{INDEX}/_doc/" + urllib.parse.quote(doc_id, safe=""))

    # --- the binary -----------------------------------------------------------------------
    def config(self, secret=KEY32, hosts=None, auth=ELASTIC, api_key=None, extra_secret="", extra_client="", name="c.yml"):
        hosts = hosts or [self.url]
        lines = ["kestra:", "  secret:", "    type: elasticsearch", "    elasticsearch:", f"      secret: '{secret}'"]
        lines += ["      " + x for x in extra_secret.splitlines()]
        lines += ["  elasticsearch:", "    client:", "      http-hosts: [" + ", ".join(hosts) + "]"]
        if auth:
            lines += ["      basic-auth:", f"        username: {auth[0]}", f"        password: {auth[1]}"]
        if api_key:
            lines += [f"      api-key: {api_key}"]
        lines += ["      " + x for x in extra_client.splitlines()]
        return self.write(name, "\n".join(lines) + "\n")

    def es(self, *args, cfg=None, stdin=None, timeout=60):
        return self.ks("-c", cfg or self.config(), "--timeout", "20", *args, stdin=stdin, timeout=timeout)

    def put(self, key, value, *args, cfg=None):
        return self.assertExit(self.es("put", key, *args, cfg=cfg, stdin=value.encode()), 0)

    # --- priority 1 -----------------------------------------------------------------------
    def test_put_get_list_delete_round_trip(self):
        self.put("db", "p@ss\nword")
        self.assertEqual(self.es("get", "db")[1], b"p@ss\nword")
        self.put("api", "x")
        self.assertEqual(self.es("list")[1], b"api\ndb\n")
        self.assertExit(self.es("delete", "db"), 0)
        rc, _, err = self.assertExit(self.es("get", "db"), 4)
        self.assertIn("Cannot find secret for key 'db'.", err)
        self.assertExit(self.es("delete", "db"), 4)
        self.assertEqual(self.es("list")[1], b"api\n")

    def test_index_created_with_strict_mapping_and_kestra_document(self):
        self.put("db", "hunter2", "--tag", "env=prod", "--description", "the db")
        mapping = self.fake("GET", f"/{INDEX}/_mapping")[INDEX]["mappings"]
        self.assertEqual(mapping["dynamic"], "strict")
        self.assertEqual(mapping["properties"]["value"], {"type": "keyword", "index": False, "doc_values": False})
        creates = [r for r in self.requests() if r["method"] == "PUT" and r["path"] == f"/{INDEX}"]
        self.assertEqual(len(creates), 1)
        doc = self.source("main//db")
        self.assertTrue(doc["found"])
        src = doc["_source"]
        self.assertEqual((src["key"], src["namespace"], src["tenant"]), ("db", "", "main"))
        self.assertEqual(src["tags"], [{"key": "env", "value": "prod"}])
        self.assertEqual(src["description"], "the db")
        self.assertRegex(src["updated"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        self.assertNotIn("hunter2", src["value"])
        self.assertEqual(kestra_decrypt(bytes(range(32)), src["value"]), "hunter2")
        writes = [r for r in self.requests() if r["method"] == "PUT" and "/_doc/" in r["path"]]
        self.assertIn("/_doc/main%2F%2Fdb?", writes[0]["path"])
        self.assertIn("refresh=wait_for", writes[0]["path"])
        self.put("db2", "x")  # a second write in another process: the index exists, no second create
        creates = [r for r in self.requests() if r["method"] == "PUT" and r["path"] == f"/{INDEX}"]
        self.assertEqual(len(creates), 1)

    def test_reads_values_kestra_encrypted_with_each_key_form(self):
        keys = {"b16": os.urandom(16), "b24": os.urandom(24), "b32": os.urandom(32)}
        forms = {name: (base64.b64encode(k).decode(), k) for name, k in keys.items()}
        utf8 = "a-secure-32-character-minimum-key"
        forms["utf8"] = (utf8, utf8.encode()[:32])
        for name, (configured, raw) in forms.items():
            with self.subTest(name):
                self.fake("PUT", f"/{INDEX}/_doc/main%2F%2F{name}?refresh=true",
                          {"key": name, "namespace": "", "tenant": "main", "value": kestra_encrypt(raw, "v-" + name),
                           "tags": [], "updated": "2024-01-01T00:00:00Z"})
                cfg = self.config(secret=configured, name=f"{name}.yml")
                self.assertEqual(self.es("get", name, cfg=cfg)[1], ("v-" + name).encode())
                self.put(name + "_w", "w-" + name, cfg=cfg)
                stored = self.source(f"main//{name}_w")["_source"]["value"]
                self.assertEqual(kestra_decrypt(raw, stored), "w-" + name)

    def test_empty_value_is_stored_empty_unencrypted(self):
        self.assertExit(self.es("put", "e", "--allow-empty", stdin=b""), 0)
        self.assertEqual(self.source("main//e")["_source"]["value"], "")
        rc, out, _ = self.assertExit(self.es("get", "e"), 0)
        self.assertEqual(out, b"")

    def test_wrong_key_is_9_naming_the_key_only(self):
        self.put("db", "topsecret")
        other = self.config(secret=base64.b64encode(b"\x07" * 32).decode(), name="other.yml")
        rc, out, err = self.assertExit(self.es("get", "db", cfg=other), 9)
        self.assertIn("'db'", err)
        self.assertNotIn("topsecret", err)
        self.assertEqual(out, b"")

    def test_missing_index_lists_nothing_and_get_is_4(self):
        rc, out, _ = self.assertExit(self.es("list"), 0)
        self.assertEqual(out, b"")
        self.assertExit(self.es("get", "db"), 4)
        self.assertExit(self.es("describe", "db"), 4)
        self.assertExit(self.es("delete", "db"), 4)

    def test_denied_401_and_403(self):
        self.assertExit(self.es("list", cfg=self.config(auth=("elastic", "wrongpassword0001"))), 5)
        self.assertExit(self.es("get", "db", cfg=self.config(auth=("nobody", "nobodypassword0001"))), 5)
        self.put("db", "v")
        reader = self.config(auth=("reader", "readerpassword0001"), name="reader.yml")
        self.assertEqual(self.es("get", "db", cfg=reader)[1], b"v")
        self.assertExit(self.es("put", "db", cfg=reader, stdin=b"w"), 5)
        self.assertExit(self.es("delete", "db", cfg=reader), 5)

    def test_writer_without_create_index_privilege(self):
        writer = self.config(auth=("writer", "writerpassword0001"), name="writer.yml")
        self.assertExit(self.es("put", "db", cfg=writer, stdin=b"v"), 5)
        self.put("first", "x")  # the superuser creates the index
        self.assertExit(self.es("put", "db", cfg=writer, stdin=b"v"), 0)
        self.assertEqual(self.es("get", "db", cfg=writer)[1], b"v")

    def test_subkey_writes_are_conditional(self):
        self.put("cfg", '{"a":"1"}')
        self.assertExit(self.es("put", "cfg", "--subkey", "b", stdin=b"2"), 0)
        self.assertEqual(json.loads(self.es("get", "cfg")[1]), {"a": "1", "b": "2"})
        cas = [r for r in self.requests() if r["method"] == "PUT" and "if_seq_no=" in r["path"]]
        self.assertEqual(len(cas), 1)
        self.assertIn("if_primary_term=", cas[0]["path"])
        self.faults({"match": "if_seq_no=", "status": 409, "times": 1,
                     "body": {"error": {"type": "version_conflict_engine_exception", "reason": "conflict"}, "status": 409}})
        self.assertExit(self.es("put", "cfg", "--subkey", "c", stdin=b"3"), 8)
        self.assertExit(self.es("delete", "cfg", "--subkey", "a"), 0)
        self.assertEqual(json.loads(self.es("get", "cfg")[1]), {"b": "2"})

    def test_real_conflict_from_a_stale_version(self):
        self.put("cfg", '{"a":"1"}')
        doc = self.source("main//cfg")
        stale_seq = doc["_seq_no"]
        self.put("cfg", '{"a":"2"}')
        r = self.fake("PUT", f"/{INDEX}/_doc/main%2F%2Fcfg?if_seq_no={stale_seq}&if_primary_term=1",
                      dict(doc["_source"]))
        self.assertEqual(r["status"], 409)  # the fake enforces what the binary relies on

    # --- priority 2 -----------------------------------------------------------------------
    def test_namespaces_climb_and_list_is_exact(self):
        self.put("db", "team", "-n", "company.team")
        self.put("shared", "parent", "-n", "company")
        self.put("root", "none")
        self.assertTrue(self.source("main/company.team/db")["found"])
        self.assertEqual(self.es("get", "-n", "company.team", "shared")[1], b"parent")
        self.assertExit(self.es("get", "-n", "company.team", "--no-inherit", "shared"), 4)
        self.assertExit(self.es("get", "root", "-n", "company"), 4)
        self.assertEqual(self.es("list", "-n", "company")[1], b"shared\n")
        listed = json.loads(self.es("list", "-o", "json")[1])
        self.assertEqual({(e["key"], e["namespace"], e["name"]) for e in listed},
                         {("db", "company.team", "main/company.team/db"), ("shared", "company", "main/company/shared"),
                          ("root", None, "main//root")})

    def test_tenant_isolates(self):
        self.put("db", "main-value")
        self.put("db", "acme-value", "--tenant", "acme")
        self.assertEqual(self.es("get", "db", "--tenant", "acme")[1], b"acme-value")
        self.assertEqual(self.es("get", "db")[1], b"main-value")
        self.assertEqual(self.es("list", "--tenant", "other")[1], b"")

    def test_export_uses_one_mget(self):
        for k in ("a", "b", "c"):
            self.put(k, "v" + k)
        self.fake("POST", "/_fake/reset")
        rc, out, _ = self.assertExit(self.es("export", "--format", "json"), 0)
        self.assertEqual(json.loads(out), {"a": "va", "b": "vb", "c": "vc"})
        paths = [r["method"] + " " + r["path"] for r in self.requests()]
        self.assertEqual(sum("_mget" in p for p in paths), 1, paths)
        self.assertFalse(any("/_doc/" in p for p in paths), paths)

    def test_list_pages_past_10000(self):
        self.start("--preload", f"{INDEX}:12000")
        rc, out, _ = self.assertExit(self.es("list", cfg=self.config(auth=None), timeout=120), 0)
        keys = out.decode().split()
        self.assertEqual(len(keys), 12000)
        self.assertEqual(keys[0], "KEY_00000")
        self.assertEqual(keys[-1], "KEY_11999")
        searches = [r for r in self.requests() if "_search" in r["path"]]
        for s in searches:
            self.assertNotIn('"_id"', s["body"])
            self.assertNotIn('"from"', s["body"])

    def test_api_key_auth(self):
        cfg = self.config(auth=None, api_key=API_KEY)
        self.put("db", "v", cfg=cfg)
        self.assertEqual(self.es("get", "db", cfg=cfg)[1], b"v")
        auths = {r["headers"].get("Authorization") or r["headers"].get("authorization") for r in self.requests()}
        self.assertEqual(auths, {"ApiKey " + API_KEY})
        self.assertExit(self.es("get", "db", cfg=self.config(auth=None, api_key="bm9wZTpub3Bl", name="bad.yml")), 5)

    def test_fail_over_to_the_next_host(self):
        cfg = self.config(hosts=[f"http://127.0.0.1:{closed_port()}", self.url])
        self.put("db", "v", cfg=cfg)
        self.assertEqual(self.es("get", "db", cfg=cfg)[1], b"v")

    def test_all_hosts_down_is_7(self):
        cfg = self.config(hosts=[f"http://127.0.0.1:{closed_port()}", f"http://127.0.0.1:{closed_port()}"])
        self.assertExit(self.es("get", "db", cfg=cfg), 7)

    def test_read_only_sends_nothing(self):
        self.fake("POST", "/_fake/reset")
        cfg = self.config(extra_secret="read-only: true")
        self.assertExit(self.es("put", "db", cfg=cfg, stdin=b"v"), 6)
        self.assertExit(self.es("delete", "db", cfg=cfg), 6)
        self.assertEqual(self.requests(), [])

    def test_versions_restore_unsupported_purge_is_delete(self):
        self.put("db", "v")
        self.assertExit(self.es("versions", "db"), 2)
        self.assertExit(self.es("restore", "db"), 2)
        self.assertExit(self.es("delete", "db", "--purge", "--yes"), 0)
        self.assertFalse(self.source("main//db")["found"])

    def test_describe_shows_metadata_never_the_value(self):
        self.put("db", "hunter2", "--tag", "env=prod", "--description", "the db", "-n", "company")
        rc, out, _ = self.assertExit(self.es("describe", "db", "-n", "company", "-o", "json"), 0)
        d = json.loads(out)
        self.assertEqual((d["key"], d["namespace"], d["name"]), ("db", "company", "main/company/db"))
        self.assertEqual((d["tags"], d["description"]), ({"env": "prod"}, "the db"))
        self.assertIsNotNone(d["updated"])
        self.assertNotIn(b"hunter2", out)
        gets = [r for r in self.requests() if r["method"] == "GET" and "/_doc/" in r["path"]]
        self.assertIn("_source_excludes=value", gets[-1]["path"])

    def test_non_utf8_and_long_ids_are_2(self):
        self.assertExit(self.es("put", "bin", stdin=b"\xff\xfe"), 2)
        self.assertExit(self.es("put", "k" * 600, stdin=b"v"), 2)
        self.assertExit(self.es("get", "k" * 600), 2)

    # --- priority 3 -----------------------------------------------------------------------
    def test_429_and_503_are_retried(self):
        self.put("db", "v")
        self.faults({"match": "GET /kestra_secrets/_doc/", "status": 429, "times": 1},
                    {"match": "GET /kestra_secrets/_doc/", "status": 503, "times": 1})
        self.assertEqual(self.es("get", "db")[1], b"v")

    def test_persistent_503_is_7_within_the_timeout(self):
        self.put("db", "v")
        self.faults({"match": "/_doc/", "status": 503, "times": 100})
        rc, _, err = self.ks("-c", self.config(), "--timeout", "4", "get", "db", timeout=30)
        self.assertEqual(rc, 7, err)

    def test_malformed_body_is_9(self):
        self.put("db", "v")
        self.faults({"match": "GET /kestra_secrets/_doc/", "status": 200, "body": "not json", "times": 1})
        self.assertExit(self.es("get", "db"), 9)

    def test_no_value_or_credential_in_stderr_at_vv(self):
        self.put("db", "hunter2-value")
        rc, out, err = self.assertExit(self.es("-vv", "get", "db"), 0)
        rc2, _, err2 = self.assertExit(self.es("-vv", "put", "db2", stdin=b"other-value"), 0)
        cfg = self.config(auth=None, api_key=API_KEY, name="k.yml")
        rc3, _, err3 = self.assertExit(self.es("-vv", "get", "db", cfg=cfg), 0)
        for text in (err, err2, err3):
            for leak in ("hunter2-value", "other-value", KEY32, "elasticpassword0001", API_KEY,
                         base64.b64encode(b"elastic:elasticpassword0001").decode()):
                self.assertNotIn(leak, text)

    def test_tls_ca_file_and_trust_all_ssl(self):
        self.start("--seed", SEED, tls=True)
        self.assertEqual(self.scheme, "https")
        self.assertExit(self.es("list", cfg=self.config(name="plain.yml")), 7)
        ca = self.config(extra_secret="ca-file: " + os.path.join(DATA, "tls", "ca.pem"), name="ca.yml")
        self.put("db", "v", cfg=ca)
        trust = self.config(extra_client="trust-all-ssl: true", name="trust.yml")
        rc, out, err = self.assertExit(self.es("get", "db", cfg=trust), 0)
        self.assertEqual(out, b"v")
        self.assertIn("trust-all-ssl", err)
