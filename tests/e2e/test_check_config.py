"""End-to-end tests of `kestra-secrets check-config` (spec/cli.md): configuration sources and their
order, overrides, validation verdicts and exit codes, the -o json shape, and that no seeded secret is
ever echoed. Runs the built binary (KS_BIN) with a clean environment; contacts nothing."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("KS_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
CONFIGS = os.path.join(SOURCE_DIR, "tests", "data", "configs")

VALID = [
    "aws-camel.yml", "aws-kebab-readonly.yml", "aws-camel-readonly.yml", "aws-default-chain.yml",
    "azure-alias.yml", "azure-uri-readonly.yml", "azure-alias-block.yml", "google-camel.yml",
    "google-kebab-readonly.yml", "vault-token.yml", "vault-userpass.yml", "vault-approle.yml",
    "vault-kubernetes.yml", "vault-enterprise.yml", "vault-readonly-seed.yml", "elasticsearch.yml",
    "elasticsearch-fragment.yml", "dotted.yml", "kestra-full.yml", "env-file.yml",
]
BROKEN = {  # file -> a path the report must name as an error
    "broken-typo.yml": "kestra.secret.vault.adress",
    "broken-type.yml": "kestra.secret.vault.engine-version",
    "broken-url.yml": "kestra.secret.aws-secret-manager.endpoint-override",
    "broken-es-short-key.yml": "kestra.secret.elasticsearch.secret",
    "broken-engine-v3.yml": "kestra.secret.vault.engine-version",
    "broken-vault-v1-tags.yml": "kestra.secret.vault.tags",
    "broken-aws-partial.yml": "kestra.secret.aws-secret-manager.secret-key-id",
    "broken-azure-no-vault.yml": "kestra.secret.azure-key-vault.vault-name",
    "broken-type-name.yml": "kestra.secret.type",
    "broken-google-sa.yml": "kestra.secret.google-secret-manager.service-account",
}
SEEDED_SECRETS = [
    "mysuperaccesskey", "mysupersecretkey", "mysupersessiontoken", "hvs.", "PRIVATE KEY",
    "googlePRIVATEKEY", "azure-client-secret-value", "elasticpassword", "elasticapikey",
    "a-secure-32-character-minimum-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
    "vaultsecretid", "vaultuserpassword", "vaulttypotoken", "vaulttypopassword",
    "tokenwherethemappingbelongs", "googlebrokensa", "AKIAPARTIALKEY", "k3str4-datasource",
]


class CheckConfigTest(unittest.TestCase):
    def setUp(self):
        self.bin = os.environ.get("KS_BIN")
        if not self.bin:
            self.fail("KS_BIN is not set")
        self.tmp = tempfile.mkdtemp(prefix="ks_check_config_")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "LC_ALL": "C.UTF-8",
            "VAULT_ADDR_FOR_KESTRA": "https://vault.example.com:8200",
        }

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_cli(self, *args, env=None, cwd=None):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run([self.bin, *args], env=e, cwd=cwd or self.tmp, capture_output=True,
                              text=True, timeout=60)

    def fixture(self, name):
        return os.path.join(CONFIGS, name)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def report(self, *args, env=None, expect=0):
        r = self.run_cli("check-config", "-o", "json", *args, env=env)
        self.assertEqual(r.returncode, expect, r.stdout + r.stderr)
        return json.loads(r.stdout)

    def assert_no_secret(self, text):
        for s in SEEDED_SECRETS:
            self.assertNotIn(s, text)

    def test_no_configuration_is_the_env_backend(self):
        r = self.run_cli("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("type: env", r.stdout)
        self.assertIn("none (embedded default: env)", r.stdout)
        self.assertIn("configuration valid", r.stdout)

    def test_documentation_examples_are_valid(self):
        for name in VALID:
            with self.subTest(name=name):
                r = self.run_cli("check-config", "-c", self.fixture(name))
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("configuration valid", r.stdout)

    def test_broken_configurations_exit_3_naming_the_key(self):
        for name, path in BROKEN.items():
            with self.subTest(name=name):
                doc = self.report("-c", self.fixture(name), expect=3)
                self.assertFalse(doc["valid"])
                self.assertIn(path, [e["path"] for e in doc["errors"]])

    def test_no_seeded_secret_is_echoed(self):
        for name in VALID + list(BROKEN) + ["broken-yaml.yml"]:
            for fmt in ("text", "json"):
                with self.subTest(name=name, fmt=fmt):
                    r = self.run_cli("check-config", "-o", fmt, "-c", self.fixture(name))
                    self.assert_no_secret(r.stdout + r.stderr)

    def test_json_shape(self):
        doc = self.report("-c", self.fixture("vault-token.yml"))
        self.assertEqual(set(doc), {"valid", "type", "config_source", "credential_source", "errors",
                                    "warnings", "effective"})
        self.assertTrue(doc["valid"])
        self.assertEqual(doc["type"], "vault")
        self.assertEqual(doc["config_source"], "-c " + self.fixture("vault-token.yml"))
        self.assertEqual(doc["credential_source"], "token in configuration")
        self.assertEqual(doc["effective"]["kestra"]["secret"]["vault"]["token"]["token"], "<redacted>")
        for w in doc["warnings"]:
            self.assertEqual(set(w), {"path", "message", "hint"})

    def test_global_options_before_or_after_the_subcommand(self):
        before = self.run_cli("-o", "json", "-c", self.fixture("vault-token.yml"), "check-config")
        after = self.run_cli("check-config", "-c", self.fixture("vault-token.yml"), "-o", "json")
        self.assertEqual(before.returncode, 0, before.stderr)
        self.assertEqual(json.loads(before.stdout), json.loads(after.stdout))

    def test_missing_config_file_is_exit_3(self):
        r = self.run_cli("check-config", "-c", os.path.join(self.tmp, "nope.yml"))
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, "")
        self.assertIn("nope.yml", r.stderr)
        self.assertIn("does not exist", r.stderr)

    def test_invalid_yaml_names_file_and_line(self):
        r = self.run_cli("check-config", "-c", self.fixture("broken-yaml.yml"))
        self.assertEqual(r.returncode, 3)
        self.assertIn("broken-yaml.yml", r.stderr)
        self.assertIn("line", r.stderr)
        j = self.run_cli("-o", "json", "check-config", "-c", self.fixture("broken-yaml.yml"))
        self.assertEqual(j.returncode, 3)
        self.assertEqual(j.stdout, "")
        self.assertEqual(json.loads(j.stderr)["error"]["kind"], "config")

    def test_later_c_file_overrides_earlier_key_by_key(self):
        a = self.write("a.yml", "kestra:\n  secret:\n    type: vault\n    vault:\n"
                                "      address: https://a.example.com:8200\n      namespace: ns-a\n"
                                "      token: {token: hvs.one}\n")
        b = self.write("b.yml", "kestra: {secret: {vault: {address: 'https://b.example.com:8200'}}}\n")
        doc = self.report("-c", a, "-c", b)
        vault = doc["effective"]["kestra"]["secret"]["vault"]
        self.assertEqual(vault["address"], "https://b.example.com:8200")
        self.assertEqual(vault["namespace"], "ns-a")
        self.assertEqual(doc["config_source"], "-c %s, %s" % (a, b))

    def test_source_order(self):
        m = self.write("m.yml", "kestra: {secret: {type: vault, vault: {address: 'https://m:8200', token: {token: t}}}}\n")
        self.write("home/.kestra/config.yml", "kestra: {secret: {type: google-secret-manager, "
                                              "google-secret-manager: {project: p}}}\n")
        env = {"KESTRA_CONFIGURATION": "kestra: {secret: {type: aws-secret-manager}}", "MICRONAUT_CONFIG_FILES": m}
        self.assertEqual(self.report(env=env)["config_source"], "KESTRA_CONFIGURATION")
        del env["KESTRA_CONFIGURATION"]
        doc = self.report(env=env)
        self.assertEqual(doc["type"], "vault")
        self.assertEqual(doc["config_source"], "MICRONAUT_CONFIG_FILES (%s)" % m)
        doc = self.report()
        self.assertEqual(doc["type"], "google-secret-manager")
        self.assertEqual(doc["config_source"], "~/.kestra/config.yml")

    def test_environment_set_and_type_overrides(self):
        env = {"KESTRA_SECRET_VAULT_APP_ROLE_ROLE_ID": "role-1",
               "KESTRA_SECRET_VAULT_APP_ROLE_SECRET_ID": "vaultsecretid-env",
               "KESTRA_SECRET_VAULT_ADDRESS": "https://env.example.com:8200"}
        doc = self.report("-t", "vault", "--set", "vault.namespace=team-a", env=env)
        vault = doc["effective"]["kestra"]["secret"]["vault"]
        self.assertEqual(vault["app-role"]["role-id"], "role-1")
        self.assertEqual(vault["app-role"]["secret-id"], "<redacted>")
        self.assertEqual(vault["address"], "https://env.example.com:8200")
        self.assertEqual(vault["namespace"], "team-a")
        self.assertTrue(doc["credential_source"].startswith("AppRole login"))
        doc = self.report("--set", "vault.address=https://set.example.com:8200", "-t", "vault", env=env)
        self.assertEqual(doc["effective"]["kestra"]["secret"]["vault"]["address"], "https://set.example.com:8200")

    def test_placeholder_without_default_is_exit_3(self):
        r = self.run_cli("check-config", "--set", "vault.address=${KS_TEST_UNSET_VARIABLE}", "-t", "vault")
        self.assertEqual(r.returncode, 3)
        self.assertIn("KS_TEST_UNSET_VARIABLE", r.stderr)

    def test_unknown_key_did_you_mean(self):
        r = self.run_cli("check-config", "-c", self.fixture("broken-typo.yml"))
        self.assertEqual(r.returncode, 3)
        self.assertIn("did you mean 'address'", r.stdout)
        self.assertIn("did you mean 'password'", r.stdout)

    def test_secret_variables_colliding_after_upper_casing(self):
        r = self.run_cli("check-config", env={"SECRET_db": "eA==", "SECRET_DB": "eQ=="})
        self.assertEqual(r.returncode, 3)
        self.assertIn("SECRET_DB, SECRET_db", r.stdout)
        self.assertNotIn("eA==", r.stdout)

    def test_connect_probes_the_backend_and_reports_its_facts(self):
        r = self.run_cli("check-config", "--connect", env={"SECRET_A": "eA=="})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("connection: ok", r.stdout)
        self.assertIn("secrets: 1", r.stdout)
        r = self.run_cli("-o", "json", "check-config", "--connect", env={"SECRET_A": "eA=="})
        self.assertEqual(json.loads(r.stdout)["connection"]["secrets"], "1")

    def test_connect_is_not_attempted_on_an_invalid_configuration(self):
        r = self.run_cli("check-config", "--connect", "--set", "vault.engine-version=3", "-t", "vault")
        self.assertEqual(r.returncode, 3)
        self.assertNotIn("connection: ok", r.stdout)

    def test_type_this_build_cannot_serve_is_reported(self):
        # Holds as backends land: a type the report calls unavailable is exit 3 under --connect.
        for name in ("aws-camel.yml", "azure-alias.yml", "google-camel.yml", "vault-token.yml", "elasticsearch.yml"):
            with self.subTest(name=name):
                doc = self.report("-c", self.fixture(name))
                notes = [w["message"] for w in doc["warnings"] if "this build cannot connect to" in w["message"]]
                if not notes:
                    continue
                self.assertIn("cannot connect to %s yet" % doc["type"], notes[0])
                r = self.run_cli("check-config", "--connect", "-c", self.fixture(name))
                self.assertEqual(r.returncode, 3, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
