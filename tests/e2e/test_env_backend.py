"""The env backend's reads (spec/kestra.md §3): SECRET_ variables and an .env_encoded file."""
import base64
import json

from kshelp import KsTestCase


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


class EnvBackendTests(KsTestCase):
    def test_get_prints_exact_bytes_without_added_newline(self):
        rc, out, _ = self.assertExit(self.ks("get", "db", env={"SECRET_DB": b64("p@ss\n")}), 0)
        self.assertEqual(out, b"p@ss\n")

    def test_lookup_is_case_insensitive_and_keys_are_upper_cased(self):
        env = {"SECRET_my_key": b64("v1")}
        self.assertEqual(self.ks("get", "MY_KEY", env=env)[1], b"v1")
        self.assertEqual(self.ks("get", "my_key", env=env)[1], b"v1")
        self.assertEqual(self.ks("list", env=env)[1], b"MY_KEY\n")

    def test_prefix_is_case_sensitive(self):
        rc, out, _ = self.ks("list", env={"secret_LOWER": b64("x"), "SECRET_UPPER": b64("y")})
        self.assertEqual(out, b"UPPER\n")

    def test_list_is_sorted_by_bytes(self):
        env = {"SECRET_b": b64("1"), "SECRET_A": b64("2"), "SECRET__Z": b64("3"), "SECRET_a1": b64("4")}
        self.assertEqual(self.ks("list", env=env)[1], b"A\nA1\nB\n_Z\n")

    def test_list_pattern_is_a_glob(self):
        env = {"SECRET_DB_USER": b64("1"), "SECRET_DB_PASS": b64("2"), "SECRET_API": b64("3")}
        self.assertEqual(self.ks("list", "DB_*", env=env)[1], b"DB_PASS\nDB_USER\n")

    def test_java_line_breaks_are_removed_before_decoding(self):
        enc = b64("a long value that wraps")
        wrapped = enc[:8] + "\r\n" + enc[8:16] + "\n" + enc[16:20] + "\u2028" + enc[20:]
        self.assertEqual(self.ks("get", "W", env={"SECRET_W": wrapped})[1], b"a long value that wraps")

    def test_padding_is_optional(self):
        self.assertEqual(self.ks("get", "P", env={"SECRET_P": b64("ab").rstrip("=")})[1], b"ab")

    def test_invalid_base64_is_skipped_with_a_warning_naming_the_variable_not_the_value(self):
        rc, out, err = self.ks("list", env={"SECRET_BAD": "not*base64!hunter2", "SECRET_OK": b64("x")})
        self.assertEqual(rc, 0)
        self.assertEqual(out, b"OK\n")
        self.assertIn("SECRET_BAD", err)
        self.assertNotIn("hunter2", err)
        rc, out, err = self.ks("get", "BAD", env={"SECRET_BAD": "not*base64!hunter2"})
        self.assertEqual(rc, 4)
        self.assertNotIn("hunter2", err)

    def test_binary_values_come_out_byte_exact(self):
        raw = bytes(range(256))
        self.assertEqual(self.ks("get", "BIN", env={"SECRET_BIN": b64(raw)})[1], raw)

    def test_missing_key_is_exit_4_with_kestras_message(self):
        rc, out, err = self.assertExit(self.ks("get", "nope"), 4)
        self.assertEqual(out, b"")
        self.assertIn("Cannot find secret for key 'nope'.", err)
        self.assertTrue(err.startswith("kestra-secrets: error: "))

    def test_subkey_follows_kestras_rules(self):
        env = {"SECRET_DB": b64('{"USER":"u","PORT":5432,"TLS":true,"OPTS":{"b":1,"a":[1,2]}}')}
        self.assertEqual(self.ks("get", "db", "--subkey", "USER", env=env)[1], b"u")
        self.assertEqual(self.ks("get", "db", "--subkey", "PORT", env=env)[1], b"5432")
        self.assertEqual(self.ks("get", "db", "--subkey", "TLS", env=env)[1], b"true")
        self.assertEqual(self.ks("get", "db", "--subkey", "OPTS", env=env)[1], b'{"a":[1,2],"b":1}')
        rc, _, err = self.ks("get", "db", "--subkey", "NOPE", env=env)
        self.assertEqual(rc, 4)
        self.assertIn("Cannot find secret sub-key 'NOPE' in secret 'db'.", err)

    def test_subkey_on_a_non_json_value_is_exit_9_without_the_value(self):
        rc, _, err = self.ks("get", "db", "--subkey", "X", env={"SECRET_DB": b64("hunter2")})
        self.assertEqual(rc, 9)
        self.assertIn("Ensure the secret contains valid JSON value.", err)
        self.assertNotIn("hunter2", err)

    def test_env_file_wins_over_the_environment(self):
        f = self.write(".env_encoded", f"# generated\nSECRET_DB={b64('from-file')}\nOTHER=ignored\n")
        env = {"SECRET_DB": b64("from-env"), "SECRET_ONLY_ENV": b64("e")}
        self.assertEqual(self.ks("--env-file", f, "get", "db", env=env)[1], b"from-file")
        self.assertEqual(self.ks("get", "db", "--env-file", f, env=env)[1], b"from-file")
        self.assertEqual(self.ks("--env-file", f, "list", env=env)[1], b"DB\nONLY_ENV\n")

    def test_missing_env_file_reads_as_empty_and_says_so(self):
        rc, out, err = self.assertExit(self.ks("--env-file", self.path("absent"), "list"), 0)
        self.assertEqual(out, b"")
        self.assertIn("does not exist", err)
        rc, out, err = self.assertExit(self.ks("--env-file", self.path("absent"), "get", "x"), 4)
        self.assertIn("does not exist", err)

    def test_unreadable_env_file_is_a_config_error(self):
        self.assertExit(self.ks("--env-file", self.tmp, "list"), 3)

    def test_json_output_shapes(self):
        env = {"SECRET_A": b64("va"), "SECRET_BIN": b64(b"\xff\xfe")}
        rc, out, _ = self.assertExit(self.ks("-o", "json", "list", env=env), 0)
        self.assertEqual(json.loads(out), [
            {"key": "A", "namespace": None, "name": "SECRET_A", "tags": {}, "updated": None},
            {"key": "BIN", "namespace": None, "name": "SECRET_BIN", "tags": {}, "updated": None}])
        rc, out, _ = self.assertExit(self.ks("get", "a", "-o", "json", env=env), 0)
        self.assertEqual(json.loads(out), {"key": "a", "namespace": None, "value": "va", "version": None})
        rc, out, _ = self.assertExit(self.ks("get", "bin", "-o", "json", env=env), 0)
        doc = json.loads(out)
        self.assertIsNone(doc["value"])
        self.assertEqual(base64.b64decode(doc["value_base64"]), b"\xff\xfe")

    def test_json_errors_are_one_document_on_stderr_and_stdout_is_empty(self):
        rc, out, err = self.ks("-o", "json", "get", "missing")
        self.assertEqual(rc, 4)
        self.assertEqual(out, b"")
        doc = json.loads(err)
        self.assertEqual(doc["error"]["kind"], "not_found")
        self.assertEqual(doc["error"]["exit"], 4)
        self.assertEqual(doc["error"]["message"], "Cannot find secret for key 'missing'.")

    def test_namespace_and_tenant_are_accepted_and_change_nothing(self):
        env = {"SECRET_DB": b64("v")}
        self.assertEqual(self.ks("get", "-n", "company.team", "--tenant", "t1", "db", env=env)[1], b"v")

    def test_usage_errors_are_exit_2(self):
        self.assertExit(self.ks("get"), 2)
        self.assertExit(self.ks("frobnicate"), 2)
        self.assertExit(self.ks("get", "x", "--no-such-flag"), 2)
        self.assertExit(self.ks("-o", "yaml", "list"), 2)

    def test_version_and_help(self):
        rc, out, _ = self.assertExit(self.ks("--version"), 0)
        self.assertTrue(out.startswith(b"kestra-secrets "))
        rc, out, _ = self.assertExit(self.ks("--help"), 0)
        self.assertIn(b"encode-env", out)

    def test_full_prints_value_and_metadata(self):
        rc, out, _ = self.assertExit(self.ks("get", "db", "--full", env={"SECRET_DB": b64("v")}), 0)
        doc = json.loads(out)
        self.assertEqual(doc["value"], "v")
        self.assertIn("metadata", doc)
        self.assertExit(self.ks("get", "db", "--full", "--subkey", "A", env={"SECRET_DB": b64("v")}), 2)

    def test_unknown_backend_type_is_exit_3(self):
        rc, _, err = self.assertExit(self.ks("-t", "hashicorp", "list"), 3)
        self.assertIn("hashicorp", err)
