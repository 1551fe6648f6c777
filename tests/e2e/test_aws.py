"""AWS Secrets Manager end to end against moto with signature checking on (spec/providers.md §1,
spec/kestra.md §5-6). Each test works under its own name prefix, so tests can share one moto."""
import base64
import json
import os
import time
import uuid

import kshelp
from kshelp import KsTestCase

FIXTURES = ["moto"]


class AwsTests(KsTestCase):
    def setUp(self):
        super().setUp()
        self.moto = kshelp.server_state(self, "moto")
        admin = self.moto["users"]["admin"]
        self.tag = "t" + uuid.uuid4().hex[:10]
        self.env.update({
            "AWS_ACCESS_KEY_ID": admin["key"], "AWS_SECRET_ACCESS_KEY": admin["secret"],
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.moto["endpoint"],
        })

    def aws(self, *args, prefix=True, sets=(), **kw):
        """Runs the binary on AWS with this test's name prefix (isolation in the shared moto)."""
        full = ["-t", "aws-secret-manager"]
        if prefix:
            full += ["--set", f"aws-secret-manager.prefix={self.tag}/"]
        for s in sets:
            full += ["--set", s]
        return self.ks(*full, *args, **kw)

    def boto(self, user="admin"):
        import boto3
        u = self.moto["users"][user]
        return boto3.client("secretsmanager", endpoint_url=self.moto["endpoint"], region_name="us-east-1",
                            aws_access_key_id=u["key"], aws_secret_access_key=u["secret"])

    # --- values -----------------------------------------------------------------------------
    def test_put_get_round_trip_text_and_binary(self):
        self.assertExit(self.aws("put", "db", stdin=b"p@ss\n"), 0)
        self.assertEqual(self.aws("get", "db")[1], b"p@ss\n")
        raw = bytes(range(256))
        self.assertExit(self.aws("put", "bin", stdin=raw), 0)
        self.assertEqual(self.aws("get", "bin")[1], raw)
        stored = self.boto().get_secret_value(SecretId=f"{self.tag}/bin")
        self.assertEqual(stored["SecretBinary"], raw)  # not valid UTF-8: SecretBinary
        self.assertEqual(self.boto().get_secret_value(SecretId=f"{self.tag}/db")["SecretString"], "p@ss\n")

    def test_put_tags_the_secret_for_kestra_and_updates_in_place(self):
        self.assertExit(self.aws("put", "-n", "company.team", "api", stdin=b"v1",
                                 sets=["aws-secret-manager.tags.team=data"]), 0)
        d = self.boto().describe_secret(SecretId=f"{self.tag}/company.team/api")
        tags = {t["Key"]: t["Value"] for t in d["Tags"]}
        self.assertEqual(tags, {"key": "api", "namespace": "company.team", "prefix": f"{self.tag}/", "team": "data"})
        self.assertExit(self.aws("put", "-n", "company.team", "api", stdin=b"v2"), 0)
        self.assertEqual(self.aws("get", "-n", "company.team", "api")[1], b"v2")
        rc, out, _ = self.assertExit(self.aws("-o", "json", "versions", "-n", "company.team", "api"), 0)
        self.assertEqual(len(json.loads(out)), 2)

    def test_subkey_reads_and_writes_a_json_secret(self):
        self.assertExit(self.aws("put", "db", stdin=b'{"USER":"u","PASSWORD":"p","PORT":5432}'), 0)
        self.assertEqual(self.aws("get", "db", "--subkey", "PASSWORD")[1], b"p")
        self.assertEqual(self.aws("get", "db", "--subkey", "PORT")[1], b"5432")
        self.assertExit(self.aws("put", "db", "--subkey", "PASSWORD", stdin=b"new"), 0)
        self.assertEqual(json.loads(self.aws("get", "db")[1]), {"USER": "u", "PASSWORD": "new", "PORT": 5432})
        rc, _, err = self.assertExit(self.aws("get", "db", "--subkey", "NOPE"), 4)
        self.assertIn("Cannot find secret sub-key 'NOPE' in secret 'db'.", err)

    # --- lookup and naming ---------------------------------------------------------------------
    def test_missing_secret_is_exit_4_with_kestras_words(self):
        rc, out, err = self.assertExit(self.aws("get", "nope"), 4)
        self.assertEqual(out, b"")
        self.assertIn("Cannot find secret for key 'nope'.", err)

    def test_key_tag_finds_a_secret_whose_name_differs(self):
        self.boto().create_secret(Name=f"{self.tag}/legacy-name", SecretString="found-by-tag",
                                  Tags=[{"Key": "key", "Value": "db"}, {"Key": "prefix", "Value": f"{self.tag}/"}])
        self.assertEqual(self.aws("get", "db")[1], b"found-by-tag")
        rc, out, _ = self.assertExit(self.aws("list"), 0)
        self.assertEqual(out, b"db\n")

    def test_two_secrets_claiming_one_key_is_exit_8(self):
        for n in ("one", "two"):
            self.boto().create_secret(Name=f"{self.tag}/{n}", SecretString=n,
                                      Tags=[{"Key": "key", "Value": "dup"}, {"Key": "prefix", "Value": f"{self.tag}/"}])
        rc, _, err = self.assertExit(self.aws("get", "dup"), 8)
        self.assertIn("-n", err)

    def test_a_name_taken_by_another_key_is_refused_and_left_untouched(self):
        self.assertExit(self.aws("put", "a b", stdin=b"first"), 0)   # name <tag>/a_b, key "a b"
        rc, _, err = self.assertExit(self.aws("put", "a_b", stdin=b"second"), 8)
        self.assertEqual(self.aws("get", "a b")[1], b"first")

    def test_namespaces_climb_to_parents_and_list_filters(self):
        self.assertExit(self.aws("put", "-n", "company", "db", stdin=b"parent"), 0)
        self.assertExit(self.aws("put", "-n", "company.team", "api", stdin=b"child"), 0)
        self.assertEqual(self.aws("get", "-n", "company.team.project", "db")[1], b"parent")
        self.assertExit(self.aws("get", "-n", "company.team.project", "db", "--no-inherit"), 4)
        self.assertExit(self.aws("get", "db"), 4)  # without -n only untagged-namespace secrets match
        rc, out, _ = self.assertExit(self.aws("-o", "json", "list"), 0)
        self.assertEqual(sorted((e["key"], e["namespace"]) for e in json.loads(out)),
                         [("api", "company.team"), ("db", "company")])
        self.assertEqual(self.aws("list", "-n", "company")[1], b"db\n")

    def test_prefix_hides_other_secrets(self):
        self.boto().create_secret(Name=f"{self.tag}-outside", SecretString="x")
        self.assertExit(self.aws("put", "inside", stdin=b"y"), 0)
        self.assertEqual(self.aws("list")[1], b"inside\n")
        self.assertExit(self.aws("get", "outside"), 4)

    # --- filters and read-only ----------------------------------------------------------------
    def test_filter_on_tags_and_excluded_tags(self):
        b = self.boto()
        base = [{"Key": "prefix", "Value": f"{self.tag}/"}]
        b.create_secret(Name=f"{self.tag}/ok", SecretString="1", Tags=base + [{"Key": "app", "Value": "kestra"}])
        b.create_secret(Name=f"{self.tag}/other", SecretString="2", Tags=base + [{"Key": "app", "Value": "other"}])
        b.create_secret(Name=f"{self.tag}/old", SecretString="3",
                        Tags=base + [{"Key": "app", "Value": "kestra"}, {"Key": "retired", "Value": "yes"}])
        sets = ["aws-secret-manager.filter-on-tags.tags.app=kestra", "aws-secret-manager.excluded-tags.retired=yes"]
        self.assertEqual(self.aws("list", sets=sets)[1], b"ok\n")
        self.assertEqual(self.aws("get", "ok", sets=sets)[1], b"1")
        self.assertExit(self.aws("get", "other", sets=sets), 4)
        self.assertExit(self.aws("get", "old", sets=sets), 4)

    def test_filter_on_prefix_and_keep_prefix(self):
        b = self.boto()
        b.create_secret(Name=f"{self.tag}prod_db", SecretString="p")
        b.create_secret(Name=f"{self.tag}dev_db", SecretString="d")
        sets = [f"aws-secret-manager.filter-on-prefix.prefix={self.tag}prod_"]
        self.assertEqual(self.aws("list", prefix=False, sets=sets)[1], b"db\n")
        self.assertEqual(self.aws("get", "db", prefix=False, sets=sets)[1], b"p")
        keep = sets + ["aws-secret-manager.filter-on-prefix.keep-prefix=true"]
        self.assertEqual(self.aws("list", prefix=False, sets=keep)[1], f"{self.tag}prod_db\n".encode())
        self.assertEqual(self.aws("get", f"{self.tag}prod_db", prefix=False, sets=keep)[1], b"p")

    def test_read_only_refuses_writes_before_any_request(self):
        # The endpoint is a closed port: a request would be exit 7, a refusal before any is exit 6.
        env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
        for args in (["put", "x"], ["delete", "x"], ["restore", "x"]):
            rc, _, err = self.aws(*args, sets=["read-only=true"], env=env, stdin=b"v")
            self.assertEqual(rc, 6, err)

    # --- delete / restore ---------------------------------------------------------------------
    def test_soft_delete_restore_and_purge(self):
        self.assertExit(self.aws("put", "db", stdin=b"v"), 0)
        rc, out, _ = self.assertExit(self.aws("-o", "json", "delete", "db", "--recovery-days", "7"), 0)
        doc = json.loads(out)
        self.assertFalse(doc["purged"])
        self.assertIsNotNone(doc["recoverable_until"])
        rc, _, err = self.assertExit(self.aws("get", "db"), 4)
        self.assertIn("restore", err)
        rc, _, err = self.assertExit(self.aws("put", "db", stdin=b"w"), 8)
        self.assertIn("restore", err)
        self.assertExit(self.aws("restore", "db"), 0)
        self.assertEqual(self.aws("get", "db")[1], b"v")
        self.assertExit(self.aws("delete", "db", "--purge", "--yes"), 0)
        self.assertExit(self.aws("get", "db"), 4)
        self.assertExit(self.aws("delete", "db", "--recovery-days", "3"), 4)

    def test_recovery_days_out_of_range_is_usage(self):
        self.assertExit(self.aws("put", "db", stdin=b"v"), 0)
        self.assertExit(self.aws("delete", "db", "--recovery-days", "3"), 2)

    def test_describe_never_shows_the_value(self):
        self.assertExit(self.aws("put", "db", "--description", "the db", stdin=b"hunter2"), 0)
        rc, out, _ = self.assertExit(self.aws("-o", "json", "describe", "db"), 0)
        doc = json.loads(out)
        self.assertEqual((doc["key"], doc["description"], doc["name"]), ("db", "the db", f"{self.tag}/db"))
        self.assertNotIn(b"hunter2", out)

    # --- credentials and errors ----------------------------------------------------------------
    def test_wrong_secret_key_is_exit_5_with_the_code(self):
        rc, _, err = self.assertExit(self.aws("list", env={"AWS_SECRET_ACCESS_KEY": "wrong"}), 5)
        self.assertIn("SignatureDoesNotMatch", err)
        self.assertNotIn("wrong", err)

    def test_a_policy_without_put_secret_value_is_exit_5_on_update(self):
        self.assertExit(self.aws("put", "db", stdin=b"v"), 0)
        limited = self.moto["users"]["limited"]
        env = {"AWS_ACCESS_KEY_ID": limited["key"], "AWS_SECRET_ACCESS_KEY": limited["secret"]}
        self.assertEqual(self.aws("get", "db", env=env)[1], b"v")
        rc, _, err = self.assertExit(self.aws("put", "db", env=env, stdin=b"w"), 5)
        self.assertIn("AccessDenied", err)

    def test_static_keys_from_a_configuration_file_in_seed_spelling(self):
        admin = self.moto["users"]["admin"]
        cfg = self.write("application.yml", f"""
kestra:
  secret:
    type: aws-secret-manager
    aws-secret-manager:
      accessKeyId: {admin['key']}
      secretKeyId: {admin['secret']}
      region: us-east-1
      endpointOverride: {self.moto['endpoint']}
      prefix: {self.tag}/
""")
        env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ENDPOINT_URL": "", "AWS_REGION": ""}
        self.assertExit(self.ks("-c", cfg, "put", "k", stdin=b"from-config", env=env), 0)
        self.assertEqual(self.ks("-c", cfg, "get", "k", env=env)[1], b"from-config")

    def test_profile_from_the_shared_files(self):
        admin = self.moto["users"]["admin"]
        os.makedirs(os.path.join(self.home, ".aws"))
        with open(os.path.join(self.home, ".aws", "credentials"), "w") as f:
            f.write(f"[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n"
                    f"[dev]\naws_access_key_id = {admin['key']}\naws_secret_access_key = {admin['secret']}\n")
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write("[profile dev]\nregion = us-east-1\n")
        env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": "", "AWS_PROFILE": "dev"}
        self.assertExit(self.aws("put", "p", stdin=b"profiled", env=env), 0)
        self.assertEqual(self.aws("get", "p", env=env)[1], b"profiled")
        self.assertExit(self.aws("get", "p", env={**env, "AWS_PROFILE": "missing"}), 3)

    def test_no_credentials_is_exit_5_and_no_region_is_exit_3(self):
        env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
        rc, _, err = self.assertExit(self.aws("list", env=env), 5)
        self.assertIn("no AWS credentials", err)
        self.assertExit(self.aws("list", env={"AWS_REGION": ""}), 3)

    def test_check_config_connect_reports_the_principal(self):
        rc, out, err = self.assertExit(self.aws("check-config", "--connect"), 0)
        self.assertIn(b"arn:aws:iam::123456789012:user/admin", out)

    # --- bulk ------------------------------------------------------------------------------------
    def test_paging_past_100_and_export_in_batches(self):
        b = self.boto()
        for i in range(120):
            b.create_secret(Name=f"{self.tag}/k{i:03d}", SecretString=f"v{i}")
        rc, out, _ = self.assertExit(self.aws("list"), 0)
        self.assertEqual(len(out.splitlines()), 120)
        rc, out, _ = self.assertExit(self.aws("export", "--format", "json"), 0)
        doc = json.loads(out)
        self.assertEqual(len(doc), 120)
        self.assertEqual(doc["k007"], "v7")

    def test_exec_and_export_shell(self):
        self.assertExit(self.aws("put", "db_password", stdin=b"it's secret"), 0)
        rc, out, _ = self.aws("exec", "--upper", "--", "sh", "-c", 'printf %s "$DB_PASSWORD"')
        self.assertEqual((rc, out), (0, b"it's secret"))

    def test_trace_redacts_credentials_and_values(self):
        self.assertExit(self.aws("put", "db", stdin=b"hunter2-value"), 0)
        rc, out, err = self.assertExit(self.aws("-vv", "get", "db"), 0)
        self.assertEqual(out, b"hunter2-value")
        self.assertIn("X-Amz-Target", err)
        for secret in ("hunter2-value", self.moto["users"]["admin"]["secret"]):
            self.assertNotIn(secret, err)

    # --- faults (scripted loopback server) ---------------------------------------------------------
    def fault_server(self, script):
        return kshelp.start_fake(self, "faults.py", "--script", json.dumps(script), max_seconds=None).url

    def test_throttling_is_retried_then_exit_7(self):
        throttled = {"status": 400, "body": json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})}
        ok = {"status": 200, "body": json.dumps({"Name": "db", "SecretString": "after-retry", "VersionId": "v1",
                                                   "Tags": [{"Key": "key", "Value": "db"}]})}
        url = self.fault_server({"routes": {"/": [throttled, ok]}})
        rc, out, err = self.aws("get", "db", prefix=False, env={"AWS_ENDPOINT_URL": url})
        self.assertEqual((rc, out), (0, b"after-retry"), err)
        url = self.fault_server({"routes": {"/": [throttled]}})
        start = time.time()
        rc, _, err = self.aws("--timeout", "5", "get", "db", prefix=False, env={"AWS_ENDPOINT_URL": url})
        self.assertEqual(rc, 7, err)
        self.assertLess(time.time() - start, 8)

    def test_malformed_response_is_exit_9_and_unreachable_is_7(self):
        url = self.fault_server({"routes": {"/": [{"status": 200, "body": "<html>not json"}]}})
        self.assertExit(self.aws("get", "db", prefix=False, env={"AWS_ENDPOINT_URL": url}), 9)
        self.assertExit(self.aws("--timeout", "5", "get", "db", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}), 7)
