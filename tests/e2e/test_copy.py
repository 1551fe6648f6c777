"""copy, diff and adopt (issue #20, spec/cli.md): moving secrets between two configurations with the
destination's Kestra naming and tags, and tagging existing provider secrets for a read-only Kestra.
Pairs: env file → AWS on moto, AWS → Vault, Vault → Azure, Google → Elasticsearch; values must
survive the trip byte for byte, re-runs write nothing, --dry-run sends no write, and a fault half-way
leaves every key copied or reported."""
import base64
import json
import os
import uuid

import kshelp
from kshelp import CA_FILE, SOURCE_DIR, KsTestCase, start_fake

FIXTURES = ["moto"]
DATA = os.path.join(SOURCE_DIR, "tests", "data")
VAULT_TOKEN = "hvs.vaulttokenvalue0001"
BINARY = bytes(range(256))
MULTILINE = b"line one\nline two\n  indented\ttab \xc3\xa9\n"


def encoded_line(key, value):
    return f"SECRET_{key}={base64.b64encode(value).decode()}\n"


class CopyCase(KsTestCase):
    """moto (shared, per-test prefix) plus the fakes a test starts; config files for each store."""

    def setUp(self):
        super().setUp()
        self.moto = kshelp.use_moto(self)
        self.tag = "c" + uuid.uuid4().hex[:10]

    def boto(self):
        import boto3
        u = self.moto["users"]["admin"]
        return boto3.client("secretsmanager", endpoint_url=self.moto["endpoint"], region_name="us-east-1",
                            aws_access_key_id=u["key"], aws_secret_access_key=u["secret"])

    def aws_tags(self, name):
        return {t["Key"]: t["Value"] for t in self.boto().describe_secret(SecretId=name).get("Tags", [])}

    # --- configurations -------------------------------------------------------------------
    def aws_cfg(self, name="aws.yml", extra=""):
        return self.write(name, "kestra:\n  secret:\n    type: aws-secret-manager\n    aws-secret-manager:\n"
                                f"      prefix: {self.tag}/\n{extra}")

    def env_cfg(self, path, name="env.yml"):
        return self.write(name, f"kestra:\n  secret:\n    type: env\n    env:\n      file: {path}\n")

    def vault_cfg(self, name="vault.yml", prefix="copied"):
        if not hasattr(self, "vault"):
            self.vault = start_fake(self, "vault.py", "--seed", os.path.join(DATA, "vault", "seed.json"))
        return self.write(name, "kestra:\n  secret:\n    type: vault\n    vault:\n"
                                f"      address: {self.vault.url}\n      secret-path-prefix: {prefix}\n"
                                f"      token:\n        token: {VAULT_TOKEN}\n")

    def azure_cfg(self, name="azure.yml", secrets=()):
        import test_azure
        if not hasattr(self, "azure"):
            with open(test_azure.SEED) as f:
                seed = {**json.load(f), "secrets": list(secrets)}
            seed = self.write("azure-seed.json", json.dumps(seed))
            self.azure = start_fake(self, "azure.py", "--seed", seed, "--http-port", "0", tls=True)
            self.env["AZURE_AUTHORITY_HOST"] = self.azure.url
        return self.write(name, "kestra:\n  secret:\n    type: azure-key-vault\n    azure-key-vault:\n"
                                f"      key-vault-uri: {self.azure.url}\n      client-secret:\n"
                                f"        tenant-id: {test_azure.TENANT}\n        client-id: {test_azure.CLIENT1}\n"
                                f"        client-secret: {test_azure.SECRET1}\n")

    def google_cfg(self, name="google.yml"):
        if not hasattr(self, "google"):
            self.google = start_fake(self, "google.py", "--seed", os.path.join(DATA, "google", "seed.json"))
            self.env["GCE_METADATA_HOST"] = f"127.0.0.1:{self.google.port}"
        with open(os.path.join(DATA, "google", "service-account.json")) as f:
            key = json.load(f)
        key["token_uri"] = f"{self.google.url}/token"
        return self.write(name, "kestra:\n  secret:\n    type: google-secret-manager\n    google-secret-manager:\n"
                                f"      project: kestra-test\n      endpoint-override: {self.google.url}/\n"
                                f"      prefix: {self.tag}_\n"
                                f"      service-account: {json.dumps(json.dumps(key))}\n")

    def es_cfg(self, name="es.yml"):
        if not hasattr(self, "es"):
            self.es = start_fake(self, "elasticsearch.py")
        key = base64.b64encode(bytes(range(32))).decode()
        return self.write(name, f"kestra:\n  secret:\n    type: elasticsearch\n    elasticsearch:\n      secret: '{key}'\n"
                                f"  elasticsearch:\n    client:\n      http-hosts: [{self.es.url}]\n")

    # --- helpers ----------------------------------------------------------------------------
    def run_json(self, *args, code=0):
        rc, out, err = self.assertExit(self.ks("-o", "json", "--ca-file", CA_FILE, *args), code)
        return json.loads(out)

    def statuses(self, *args, code=0):
        return {(r["key"], r["namespace"]): r["status"] for r in self.run_json(*args, code=code)}

    def get(self, cfg, key, *args):
        rc, out, err = self.assertExit(self.ks("-c", cfg, "--ca-file", CA_FILE, "get", key, *args), 0)
        return out

    def assert_no_values(self, text, values):
        for v in values:
            self.assertNotIn(v, text if isinstance(text, bytes) else text.encode())


class CopyEnvToAwsTests(CopyCase):
    def source(self):
        self.values = {"DB_PASSWORD": b"p@ss\nw0rd", "BIN": BINARY, "TEXT": MULTILINE, "JSON": b'{"b":1,"a":"x"}'}
        path = self.write(".env_encoded", "".join(encoded_line(k, v) for k, v in self.values.items()))
        return self.env_cfg(path, "src.yml")

    def test_values_survive_byte_exact_with_kestras_tags_and_a_rerun_writes_nothing(self):
        src, dst = self.source(), self.aws_cfg()
        got = self.statuses("-c", src, "copy", "--to", dst, "-n", "company.team")
        self.assertEqual(got, {(k, "company.team"): "created" for k in self.values})
        for key, value in self.values.items():
            self.assertEqual(self.get(dst, key, "-n", "company.team"), value, key)
        self.assertEqual(self.aws_tags(f"{self.tag}/company.team/DB_PASSWORD"),
                         {"key": "DB_PASSWORD", "namespace": "company.team", "prefix": f"{self.tag}/"})
        def versions():
            found = self.boto().list_secret_version_ids(SecretId=f"{self.tag}/company.team/BIN")["Versions"]
            return sorted(v["VersionId"] for v in found)
        before = versions()
        again = self.statuses("-c", src, "copy", "--to", dst, "-n", "company.team")
        self.assertEqual(set(again.values()), {"unchanged"})
        self.assertEqual(versions(), before, "an unchanged key must cost no write")
        self.assertExit(self.ks("-c", src, "diff", "--to", dst, "-n", "company.team"), 0)

    def test_dry_run_writes_nothing_and_reports_the_plan(self):
        src, dst = self.source(), self.aws_cfg()
        rc, out, err = self.assertExit(self.ks("-c", src, "copy", "--to", dst, "--dry-run"), 0)
        self.assertIn("created    DB_PASSWORD: dry-run: not written", err)
        names = [s["Name"] for s in self.boto().list_secrets(MaxResults=100)["SecretList"]]
        self.assertFalse([n for n in names if n.startswith(self.tag)], "a dry run created secrets")
        self.assert_no_values(err + out.decode(), [b"p@ss"])

    def test_existing_different_values_are_refused_unless_overwrite_or_skip(self):
        src, dst = self.source(), self.aws_cfg()
        self.assertExit(self.ks("-c", dst, "put", "TEXT", stdin=b"old"), 0)
        rc, out, err = self.assertExit(self.ks("-c", src, "copy", "--to", dst, "TEXT"), 8)
        self.assertIn("refused    TEXT: the destination holds another value", err)
        self.assertEqual(self.get(dst, "TEXT"), b"old")
        # The other keys were copied anyway (the pattern is a glob on the key).
        rc, out, err = self.assertExit(self.ks("-c", src, "copy", "--to", dst), 8)
        self.assertEqual(self.get(dst, "DB_PASSWORD"), b"p@ss\nw0rd")
        got = self.statuses("-c", src, "copy", "--to", dst, "--skip-existing")
        self.assertEqual(got[("TEXT", None)], "skipped")
        self.assertEqual(self.get(dst, "TEXT"), b"old")
        got = self.statuses("-c", src, "copy", "--to", dst, "--overwrite")
        self.assertEqual(got[("TEXT", None)], "updated")
        self.assertEqual(got[("BIN", None)], "unchanged")
        self.assertEqual(self.get(dst, "TEXT"), MULTILINE)
        rc, _, err = self.assertExit(self.ks("-c", src, "copy", "--to", dst, "--overwrite", "--skip-existing"), 2)

    def test_diff_reports_each_side_and_never_a_value(self):
        src, dst = self.source(), self.aws_cfg()
        self.assertExit(self.ks("-c", dst, "put", "TEXT", stdin=b"other"), 0)
        self.assertExit(self.ks("-c", dst, "put", "JSON", stdin=b'{"b":1,"a":"x"}'), 0)
        self.assertExit(self.ks("-c", dst, "put", "extra", stdin=b"only-here"), 0)
        rc, out, err = self.assertExit(self.ks("-c", src, "diff", "--to", dst), 10)
        self.assertEqual(out.decode().splitlines(), [
            "only-source BIN", "only-source DB_PASSWORD", "different  TEXT", "only-destination extra"])
        self.assert_no_values(out + err.encode(), [b"other", b"only-here", b"p@ss", MULTILINE[:8]])
        doc = self.run_json("-c", src, "diff", "--to", dst, code=10)
        self.assertEqual(doc, [
            {"key": "BIN", "namespace": None, "status": "only-source"},
            {"key": "DB_PASSWORD", "namespace": None, "status": "only-source"},
            {"key": "JSON", "namespace": None, "status": "equal"},
            {"key": "TEXT", "namespace": None, "status": "different"},
            {"key": "extra", "namespace": None, "status": "only-destination"}])

    def test_read_only_destination_is_refused_before_any_request(self):
        src = self.source()
        dst = self.aws_cfg(extra="      read-only: true\n")
        rc, out, err = self.assertExit(self.ks("-c", src, "copy", "--to", dst), 6)
        self.assertIn("read-only", err)
        dst_rw = self.aws_cfg("rw.yml")
        self.assertEqual(self.ks("-c", dst_rw, "list")[1], b"")

    def test_to_set_and_kestra_secret_variables_configure_one_side_only(self):
        src = self.source()
        dst = self.aws_cfg()
        env = {"KESTRA_SECRET_TYPE": "vault", "SECRET_LEAKED": base64.b64encode(b"x").decode()}
        # KESTRA_SECRET_TYPE and SECRET_ variables configure the source only (-t env wins there);
        # --to-set configures the destination only.
        rc, out, err = self.assertExit(self.ks("-o", "json", "-c", src, "-t", "env", "copy", "--to", dst, "--to-set",
                                               f"aws-secret-manager.prefix={self.tag}/other/", "DB_*", env=env), 0)
        self.assertEqual([r["key"] for r in json.loads(out)], ["DB_PASSWORD"])
        other = self.write("other.yml", "kestra:\n  secret:\n    type: aws-secret-manager\n    aws-secret-manager:\n"
                                        f"      prefix: {self.tag}/other/\n")
        self.assertEqual(self.get(other, "DB_PASSWORD"), b"p@ss\nw0rd")
        self.assertEqual(self.ks("-c", dst, "list")[1], b"", "--to-set must not reach the plain destination")

    def test_env_file_destination_is_written_with_mode_0600(self):
        src = self.source()
        target = self.path("out.env_encoded")
        rc, out, err = self.assertExit(self.ks("-c", src, "copy", "--to", self.env_cfg(target, "dst.yml")), 0)
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o600)
        for key, value in self.values.items():
            self.assertEqual(self.get(self.env_cfg(target, "dst.yml"), key), value)


class CopyBetweenProvidersTests(CopyCase):
    def test_aws_to_vault_keeps_bytes_and_fields_only_with_fields(self):
        src = self.aws_cfg()
        self.assertExit(self.ks("-c", src, "put", "db", stdin=b'{"USER":"u","PASSWORD":"p"}'), 0)
        self.assertExit(self.ks("-c", src, "put", "plain", stdin=MULTILINE), 0)
        dst = self.vault_cfg()
        self.assertEqual(self.statuses("-c", src, "copy", "--to", dst),
                         {("db", None): "created", ("plain", None): "created"})
        self.assertEqual(self.get(dst, "plain"), MULTILINE)
        self.assertEqual(self.get(dst, "db"), b'{"USER":"u","PASSWORD":"p"}')
        # Without --fields the JSON text is the one field `value`: Kestra's subkey finds no PASSWORD.
        self.assertExit(self.ks("-c", dst, "get", "db", "--subkey", "PASSWORD"), 4)
        # --fields: the JSON object becomes fields; `get` then prints the compact sorted JSON.
        dst2 = self.vault_cfg("vault2.yml", prefix="fields")
        self.statuses("-c", src, "copy", "--to", dst2, "--fields")
        self.assertEqual(self.get(dst2, "db"), b'{"PASSWORD":"p","USER":"u"}')
        self.assertEqual(self.get(dst2, "db", "--subkey", "PASSWORD"), b"p")
        stored = self.vault.call("GET", "/v1/secret/data/fields/db", headers={"X-Vault-Token": VAULT_TOKEN})
        self.assertEqual(stored["data"]["data"], {"USER": "u", "PASSWORD": "p"})
        self.assertEqual(set(self.statuses("-c", src, "copy", "--to", dst2, "--fields").values()), {"unchanged"})

    def test_vault_to_azure_multi_field_secret_becomes_compact_sorted_json(self):
        src = self.vault_cfg(prefix="app1")
        dst = self.azure_cfg()
        # The seed's `api` has its latest version deleted: it cannot be read, is reported, and
        # the other keys are copied anyway.
        got = self.statuses("-c", src, "copy", "--to", dst, code=4)
        self.assertEqual((got[("db", None)], got[("api", None)]), ("created", "failed"))
        self.assertEqual(self.get(dst, "db"), self.get(src, "db"))
        self.assertEqual(self.get(dst, "db"), b'{"PASSWORD":"s3cr3t","USER":"app"}')
        self.assertEqual(self.statuses("-c", src, "copy", "--to", dst, "db"), {("db", None): "unchanged"})
        self.assertExit(self.ks("-c", src, "--ca-file", CA_FILE, "diff", "--to", dst, "db"), 0)

    def test_google_to_elasticsearch_and_back_is_byte_exact(self):
        src = self.google_cfg()
        for key, value in [("a", MULTILINE), ("b", BINARY), ("c", b"")]:
            if value:
                self.assertExit(self.ks("-c", src, "put", key, stdin=value), 0)
        dst = self.es_cfg()
        got = self.run_json("-c", src, "copy", "--to", dst, code=2)
        by_key = {r["key"]: r for r in got}
        self.assertEqual(by_key["a"]["status"], "created")
        # Elasticsearch holds text only: a binary value fails with exit 2, the rest is copied.
        self.assertEqual((by_key["b"]["status"], by_key["b"]["exit"]), ("failed", 2))
        self.assertEqual(self.get(dst, "a"), MULTILINE)

    def test_a_fault_half_way_leaves_every_key_copied_or_reported_and_the_rerun_completes(self):
        src = self.aws_cfg()
        keys = [f"k{i:02d}" for i in range(12)]
        for k in keys:
            self.assertExit(self.ks("-c", src, "put", k, stdin=f"value-{k}".encode()), 0)
        dst = self.vault_cfg()
        self.vault.faults({"match": "/v1/secret/data/copied/k03", "status": 503, "times": 10},
                          {"match": "/v1/secret/data/copied/k07", "fault": "reset", "times": 10})
        doc = self.run_json("-c", src, "--timeout", "30", "copy", "--to", dst, code=7)
        status = {r["key"]: r["status"] for r in doc}
        self.assertEqual(set(status), set(keys))
        self.assertTrue(all(status[k] == "created" for k in keys if k not in ("k03", "k07")), status)
        self.assertEqual((status["k03"], status["k07"]), ("failed", "failed"))
        self.vault.reset()
        after = self.statuses("-c", src, "copy", "--to", dst)
        # k03 never reached the store; k07's write did (the reset came with the answer), so the
        # re-run finds it equal.
        self.assertEqual(after[("k03", None)], "created")
        self.assertIn(after[("k07", None)], ("created", "unchanged"))
        self.assertEqual({s for (k, _), s in after.items() if k not in ("k03", "k07")}, {"unchanged"})
        for k in keys:
            self.assertEqual(self.get(dst, k), f"value-{k}".encode())

    def test_dry_run_into_vault_sends_no_write(self):
        src = self.aws_cfg()
        self.assertExit(self.ks("-c", src, "put", "one", stdin=b"1"), 0)
        dst = self.vault_cfg()
        self.vault.reset()
        self.assertEqual(self.statuses("-c", src, "copy", "--to", dst, "--dry-run"), {("one", None): "created"})
        writes = [r for r in self.vault.requests() if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
                  and "/auth/" not in r["path"]]
        self.assertEqual(writes, [])


class AdoptTests(CopyCase):
    def test_adopt_names_tags_without_touching_values_and_read_only_kestra_sees_them(self):
        b = self.boto()
        b.create_secret(Name=f"{self.tag}/legacy-db", SecretString="v1")
        b.create_secret(Name=f"{self.tag}/legacy-api", SecretString="v2", Tags=[{"Key": "team", "Value": "x"}])
        ro = self.aws_cfg("ro.yml", "      read-only: true\n      filter-on-tags:\n        tags:\n          managed: kestra\n")
        self.assertExit(self.ks("-c", ro, "get", "db", "-n", "prod"), 4)
        rw = self.aws_cfg("rw.yml", "      tags:\n        managed: kestra\n")
        def versions():  # the versions, without LastAccessedDate (moto sets it on any read, to the second)
            return [(v["VersionId"], v["VersionStages"], v["CreatedDate"])
                    for v in b.list_secret_version_ids(SecretId=f"{self.tag}/legacy-db")["Versions"]]
        before = versions()
        got = self.run_json("-c", rw, "adopt", f"{self.tag}/legacy-db", "--key", "db", "-n", "prod")
        self.assertEqual(got[0]["status"], "updated")
        self.assertEqual(self.aws_tags(f"{self.tag}/legacy-db"),
                         {"key": "db", "namespace": "prod", "prefix": f"{self.tag}/", "managed": "kestra"})
        self.assertEqual(versions(), before)
        self.assertEqual(self.get(ro, "db", "-n", "prod"), b"v1")
        again = self.run_json("-c", rw, "adopt", f"{self.tag}/legacy-db", "--key", "db", "-n", "prod")
        self.assertEqual(again[0]["status"], "unchanged")
        # Retagging a secret Kestra already places elsewhere is refused.
        self.run_json("-c", rw, "adopt", f"{self.tag}/legacy-db", "--key", "other", code=8)
        # Under read-only nothing is sent.
        rc, _, err = self.assertExit(self.ks("-c", ro, "adopt", f"{self.tag}/legacy-api"), 6)
        self.assertEqual(self.aws_tags(f"{self.tag}/legacy-api"), {"team": "x"})
        self.run_json("-c", rw, "adopt", f"{self.tag}/nope", code=4)

    def test_adopt_all_takes_the_name_minus_prefix_and_reports_shared_keys(self):
        b = self.boto()
        b.create_secret(Name=f"{self.tag}/alpha", SecretString="a")
        b.create_secret(Name=f"{self.tag}/beta", SecretString="b")
        b.create_secret(Name=f"{self.tag}/gamma-old", SecretString="g",
                        Tags=[{"Key": "key", "Value": "beta"}])
        cfg = self.aws_cfg()
        got = self.run_json("-c", cfg, "adopt", "--all", "--dry-run", code=8)
        self.assertEqual({r["key"]: r["status"] for r in got},
                         {f"{self.tag}/alpha": "updated", f"{self.tag}/beta": "refused", f"{self.tag}/gamma-old": "refused"})
        self.assertEqual(self.aws_tags(f"{self.tag}/alpha"), {}, "a dry run set tags")
        self.run_json("-c", cfg, "adopt", "--all", f"{self.tag}/a*")
        self.assertEqual(self.aws_tags(f"{self.tag}/alpha"), {"key": "alpha", "prefix": f"{self.tag}/"})

    def test_adopt_on_azure_and_google_patches_tags_only(self):
        az = self.azure_cfg(secrets=[{"name": "legacy", "value": "azv", "created": 1700000000}])
        self.run_json("-c", az, "adopt", "legacy", "--key", "db")
        self.assertEqual(self.get(az, "db"), b"azv")
        gcfg = self.google_cfg()
        self.assertExit(self.ks("-c", gcfg, "put", "x", stdin=b"gv"), 0)
        got = self.run_json("-c", gcfg, "adopt", f"{self.tag}_x", "--key", "y", code=8)
        self.assertIn("already tagged as the key 'x'", got[0]["message"])
