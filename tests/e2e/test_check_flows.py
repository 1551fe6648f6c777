"""check-flows (GitHub issue #21): every secret() of Kestra flow files resolved as Kestra would, against
the env backend (SECRET_ variables, --env-file) and AWS on moto (namespaces by tag, parent climb).
The flows are the corpus in tests/data/flows, copied under a temporary directory so that paths in the
reports are short and exact."""
import base64
import json
import os
import shutil
import uuid

import kshelp
from kshelp import KsTestCase

FIXTURES = ["moto"]

CORPUS = os.path.join(kshelp.SOURCE_DIR, "tests", "data", "flows")
POSTGRES = "flows/company/team/postgres_to_s3.yml"
VAULT = "flows/company/team/vault_plugin_defaults.yml"
TRIGGERS = "flows/company/team/triggers_inputs.yml"
PARENT = "flows/company/team/project/parent_fallback.yml"
NESTED = "flows/company/data/nested_subflows.yml"


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def value_of(key):
    """A distinctive value per key, searched for in every output: none may ever show one."""
    return f"v4lue-{key}-c0ffee"


MY_APP = json.dumps({"NEON_HOST": value_of("host"), "NEON_USER": value_of("user"),
                     "NEON_PASSWORD": value_of("password")})
ALL = {
    "POSTGRES_USERNAME": value_of("POSTGRES_USERNAME"), "POSTGRES_PASSWORD": value_of("POSTGRES_PASSWORD"),
    "AWS_ACCESS_KEY_ID": value_of("AWS_ACCESS_KEY_ID"), "AWS_SECRET_ACCESS_KEY": value_of("AWS_SECRET_ACCESS_KEY"),
    "my-app": MY_APP,
    "API_TOKEN": value_of("API_TOKEN"), "ENV_NAME": value_of("ENV_NAME"), "GITHUB_TOKEN": value_of("GITHUB_TOKEN"),
    "SLACK": json.dumps({"channel": value_of("channel")}), "WEBHOOK_KEY": value_of("WEBHOOK_KEY"),
    "PROJECT_TOKEN": value_of("PROJECT_TOKEN"), "SHARED_DB_URL": value_of("SHARED_DB_URL"),
    "REPORTING_KEY": value_of("REPORTING_KEY"),
    "DEEP_SECRET": value_of("DEEP_SECRET"), "CHILD_TOKEN": value_of("CHILD_TOKEN"),
    "CHILD_ONLY": value_of("CHILD_ONLY"),
}


def row(file, line, flow, ns, key, status, subkey=None):
    return {"file": file, "line": line, "flow": flow, "namespace": ns, "key": key, "subkey": subkey,
            "status": status}


class FlowsTestCase(KsTestCase):
    def setUp(self):
        super().setUp()
        shutil.copytree(CORPUS, self.path("flows"))
        os.remove(self.path("flows/README.md"))

    def assertNoValues(self, *outputs):
        for out in outputs:
            text = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
            self.assertNotIn("v4lue-", text)
            self.assertNotIn("c0ffee", text)

    def flow(self, name, text):
        os.makedirs(os.path.dirname(self.path(name)), exist_ok=True)
        return self.write(name, text)


class CheckFlowsEnvTests(FlowsTestCase):
    """The env backend: no namespaces, so a key is found whatever the flow's namespace."""

    def check(self, *args, secrets=ALL, env=None):
        """check-flows with the secrets in an --env-file, but for keys that are not shell names
        (`my-app`), which go to the environment: in a file the env backend warns about them."""
        shell = {k: v for k, v in secrets.items() if "-" not in k}
        f = self.write(".env_encoded", "".join(f"SECRET_{k}={b64(v)}\n" for k, v in shell.items()))
        env = dict(env or {}, **{f"SECRET_{k}": b64(v) for k, v in secrets.items() if k not in shell})
        result = self.ks("--env-file", f, "check-flows", *args, env=env)
        self.assertNoValues(result[1], result[2])
        return result

    def test_everything_found_is_exit_0_quiet_but_for_a_summary(self):
        rc, out, err = self.assertExit(self.check(POSTGRES, VAULT, PARENT, NESTED), 0)
        self.assertEqual(out, b"")
        self.assertEqual(err, "kestra-secrets: check-flows: 13 references in 5 flows (4 files): 13 found\n")
        rc, out, err = self.assertExit(self.check("-q", POSTGRES), 0)
        self.assertEqual((out, err), (b"", ""))

    def test_secrets_from_the_environment_count_too(self):
        env = {f"SECRET_{k}": b64(ALL[k]) for k in ("POSTGRES_USERNAME", "POSTGRES_PASSWORD", "AWS_ACCESS_KEY_ID",
                                                      "AWS_SECRET_ACCESS_KEY")}
        rc, out, err = self.assertExit(self.ks("check-flows", POSTGRES, env=env), 0)
        self.assertNoValues(out, err)

    def test_a_missing_secret_is_one_line_on_stdout_and_exit_4(self):
        secrets = {k: v for k, v in ALL.items() if k != "AWS_SECRET_ACCESS_KEY"}
        rc, out, err = self.assertExit(self.check(POSTGRES, secrets=secrets), 4)
        self.assertEqual(out.decode(), f"{POSTGRES}:21: flow company.team/postgres_to_s3: "
                                       "secret 'AWS_SECRET_ACCESS_KEY': missing\n")
        self.assertEqual(err, "kestra-secrets: check-flows: 4 references in 1 flow (1 file): 3 found, 1 missing\n")

    def test_subkeys_follow_kestras_rules(self):
        no_host = dict(ALL, **{"my-app": json.dumps({"NEON_USER": "u", "NEON_PASSWORD": value_of("p")})})
        rc, out, _ = self.assertExit(self.check(VAULT, secrets=no_host), 4)
        self.assertEqual(out.decode(), f"{VAULT}:12: flow company.team/neon_with_vault: secret 'my-app' (subkey "
                                       "NEON_HOST): subkey-missing: Cannot find secret sub-key 'NEON_HOST' in secret "
                                       "'my-app'.\n")
        not_json = dict(ALL, **{"my-app": value_of("plain")})
        rc, out, _ = self.assertExit(self.check(VAULT, secrets=not_json), 9)
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[2], f"{VAULT}:14: flow company.team/neon_with_vault: secret 'my-app' (subkey "
                                   "NEON_PASSWORD): not-json: Failed to read secret sub-key 'NEON_PASSWORD' from "
                                   "secret 'my-app'. Ensure the secret contains valid JSON value.")

    def test_json_report_shape_exactly(self):
        secrets = dict(ALL, SLACK=value_of("not-json"), **{"my-app": json.dumps({"NEON_USER": "u",
                                                                                 "NEON_PASSWORD": "p"})})
        del secrets["CHILD_ONLY"]
        rc, out, err = self.assertExit(self.check("-o", "json", "flows/company", secrets=secrets), 9)
        self.assertEqual(err, "")
        t = "company.team"
        self.assertEqual(json.loads(out), [
            row(NESTED, 13, "parent_with_subflows", "company.data", "DEEP_SECRET", "found"),
            row(NESTED, 23, "parent_with_subflows", "company.data", "CHILD_TOKEN", "found"),
            row(NESTED, 35, "child", "company.data.child", "CHILD_ONLY", "missing"),
            row(POSTGRES, 9, "postgres_to_s3", t, "POSTGRES_USERNAME", "found"),
            row(POSTGRES, 10, "postgres_to_s3", t, "POSTGRES_PASSWORD", "found"),
            row(POSTGRES, 20, "postgres_to_s3", t, "AWS_ACCESS_KEY_ID", "found"),
            row(POSTGRES, 21, "postgres_to_s3", t, "AWS_SECRET_ACCESS_KEY", "found"),
            row(PARENT, 8, "parent_fallback", "company.team.project", "PROJECT_TOKEN", "found"),
            row(PARENT, 9, "parent_fallback", "company.team.project", "SHARED_DB_URL", "found"),
            row(PARENT, 10, "parent_fallback", "company.reporting", "REPORTING_KEY", "found"),
            row(TRIGGERS, 8, "triggers_and_inputs", t, "API_TOKEN", "found"),
            row(TRIGGERS, 17, "triggers_and_inputs", t, "ENV_NAME", "found"),
            row(TRIGGERS, 21, "triggers_and_inputs", t, "API_TOKEN", "found"),
            row(TRIGGERS, 22, "triggers_and_inputs", t, "GITHUB_TOKEN", "found"),
            row(TRIGGERS, 25, "triggers_and_inputs", t, None, "dynamic"),
            row(TRIGGERS, 28, "triggers_and_inputs", t, "SLACK", "not-json", subkey="channel"),
            row(TRIGGERS, 34, "triggers_and_inputs", t, "WEBHOOK_KEY", "found"),
            row(VAULT, 12, "neon_with_vault", t, "my-app", "subkey-missing", subkey="NEON_HOST"),
            row(VAULT, 13, "neon_with_vault", t, "my-app", "found", subkey="NEON_USER"),
            row(VAULT, 14, "neon_with_vault", t, "my-app", "found", subkey="NEON_PASSWORD"),
        ])

    def test_dynamic_references_warn_and_strict_makes_them_exit_4(self):
        rc, out, _ = self.assertExit(self.check(TRIGGERS), 0)
        self.assertEqual(out.decode(), f"{TRIGGERS}:25: flow company.team/triggers_and_inputs: "
                                       "secret(inputs.webhook_name): dynamic: the key is not a string literal; "
                                       "not checked\n")
        rc, out2, err = self.assertExit(self.check("--strict", TRIGGERS), 4)
        self.assertEqual(out2, out)
        self.assertIn("6 found, 1 dynamic", err)

    def test_github_format_one_workflow_command_per_problem_escaped(self):
        self.flow("odd,dir:x/f.yml", "id: f\nnamespace: t\n"
                  "a: \"{{ secret('100%') }}\"\n"
                  "b: \"{{ secret('line1\\nline2') }}\"\n"
                  "c: \"{{ secret(inputs.k) }}\"\n"
                  "d: \"{{ secret('POSTGRES_USERNAME') }}\"\n")
        rc, out, err = self.assertExit(self.check("--format", "github", "odd,dir:x"), 4)
        self.assertEqual(out.decode().splitlines(), [
            "::error file=odd%2Cdir%3Ax/f.yml,line=3::flow t/f: secret '100%25': missing",
            "::error file=odd%2Cdir%3Ax/f.yml,line=4::flow t/f: secret 'line1%0Aline2': missing",
            "::warning file=odd%2Cdir%3Ax/f.yml,line=5::flow t/f: secret(inputs.k): dynamic: the key is not a "
            "string literal; not checked",
        ])
        rc, out, _ = self.assertExit(self.check("--format", "github", "--strict", "odd,dir:x"), 4)
        self.assertTrue(out.decode().splitlines()[2].startswith("::error file=odd%2Cdir%3Ax/f.yml,line=5::"))
        self.assertExit(self.check("--format", "github", "-o", "json", POSTGRES), 2)
        self.assertExit(self.check("--format", "xml", POSTGRES), 2)

    def test_invalid_yaml_is_exit_9_naming_file_and_line_and_the_rest_is_still_checked(self):
        secrets = {k: v for k, v in ALL.items() if k != "POSTGRES_USERNAME"}
        rc, out, err = self.assertExit(self.check("flows", secrets=secrets), 9)
        lines = out.decode().splitlines()
        self.assertTrue(lines[0].startswith("flows/broken/broken.yml:9: invalid YAML: "), lines[0])
        self.assertIn(f"{POSTGRES}:9: flow company.team/postgres_to_s3: secret 'POSTGRES_USERNAME': missing", lines)
        self.assertIn("1 missing, 1 dynamic, 1 invalid-yaml", err)
        rc, out, _ = self.assertExit(self.check("-o", "json", "flows/broken"), 9)
        self.assertEqual(json.loads(out), [row("flows/broken/broken.yml", 9, None, None, None, "invalid-yaml")])

    def test_a_yaml_file_that_is_not_a_flow_is_exit_9(self):
        self.flow("other/compose.yaml", "services:\n  db:\n    image: postgres\n")
        rc, out, _ = self.assertExit(self.check("other"), 9)
        self.assertEqual(out, b"other/compose.yaml:1: not a flow: no top-level id and namespace\n")

    def test_directories_are_walked_sorted_skipping_hidden_and_other_files(self):
        self.flow("d/b.yaml", "id: b\nnamespace: n\nx: \"{{ secret('B') }}\"\n")
        self.flow("d/a/z.yml", "id: z\nnamespace: n\nx: \"{{ secret('Z') }}\"\n")
        self.flow("d/a.yml", "id: a\nnamespace: n\nx: \"{{ secret('A') }}\"\n")
        self.flow("d/.hidden/h.yml", "not: [valid")
        self.flow("d/.h.yml", "not: [valid")
        self.flow("d/notes.txt", "{{ secret('TXT') }}")
        self.flow("explicit.txt", "id: e\nnamespace: n\nx: \"{{ secret('E') }}\"\n")
        rc, out, _ = self.assertExit(self.check("-o", "json", "d", "explicit.txt", "d/a.yml", secrets={}), 4)
        self.assertEqual([(r["file"], r["key"]) for r in json.loads(out)],
                         [("d/a.yml", "A"), ("d/a/z.yml", "Z"), ("d/b.yaml", "B"), ("explicit.txt", "E")])

    def test_usage_and_configuration_errors(self):
        rc, out, err = self.assertExit(self.check("no-such-dir"), 2)
        self.assertEqual(out, b"")
        self.assertIn("no-such-dir", err)
        self.assertExit(self.ks("check-flows"), 2)
        self.assertExit(self.check("-n", "company", POSTGRES), 2)
        rc, out, err = self.assertExit(self.ks("-c", self.path("absent.yml"), "check-flows", POSTGRES), 3)
        self.assertEqual(out, b"")

    def test_values_never_appear_even_verbose(self):
        broken = dict(ALL, SLACK=value_of("slack-plain"))
        for args in (["-vv", "flows/company"], ["-vv", "-o", "json", "flows/company"],
                     ["-vv", "--format", "github", "flows/company"]):
            rc, out, err = self.check(*args, secrets=broken)
            self.assertEqual(rc, 9)
            self.assertNoValues(out, err)
        rc, _, err = self.assertExit(self.check("-v", POSTGRES), 0)
        self.assertIn(f"{POSTGRES}:9: flow company.team/postgres_to_s3: secret 'POSTGRES_USERNAME': found", err)


class CheckFlowsAwsTests(FlowsTestCase):
    """AWS Secrets Manager on moto: namespaces are tags, and a flow climbs to its parent namespaces."""

    def setUp(self):
        super().setUp()
        kshelp.use_moto(self)
        self.tag = "t" + uuid.uuid4().hex[:10]  # this test's name prefix in the shared moto

    def aws(self, *args, **kw):
        result = self.ks("-t", "aws-secret-manager", "--set", f"aws-secret-manager.prefix={self.tag}/", *args, **kw)
        self.assertNoValues(result[1], result[2])
        return result

    def put(self, ns, key, value=None):
        self.assertExit(self.aws("put", "-n", ns, key, stdin=(value or value_of(key)).encode()), 0)

    def test_namespaces_climb_to_parents(self):
        self.put("company.team.project", "PROJECT_TOKEN")
        self.put("company", "SHARED_DB_URL")            # only in the parent of the flow's parent
        self.put("company.reporting", "REPORTING_KEY")  # the call's namespace= literal
        rc, out, err = self.assertExit(self.aws("check-flows", PARENT), 0)
        self.assertEqual(out, b"")
        self.assertIn("3 found", err)
        rc, out, _ = self.assertExit(self.aws("-o", "json", "check-flows", PARENT), 0)
        self.assertEqual([(r["namespace"], r["key"], r["status"]) for r in json.loads(out)], [
            ("company.team.project", "PROJECT_TOKEN", "found"), ("company.team.project", "SHARED_DB_URL", "found"),
            ("company.reporting", "REPORTING_KEY", "found")])

    def test_a_secret_of_a_sibling_or_child_namespace_is_missing(self):
        self.put("company.team.project", "PROJECT_TOKEN")
        self.put("company.team.project.sub", "SHARED_DB_URL")  # a child is not searched
        self.put("company.team", "REPORTING_KEY")              # nor a sibling of company.reporting
        rc, out, _ = self.assertExit(self.aws("check-flows", PARENT), 4)
        flow = "flow company.team.project/parent_fallback"
        self.assertEqual(out.decode().splitlines(), [
            f"{PARENT}:9: {flow}: secret 'SHARED_DB_URL': missing in namespace company.team.project or its parents",
            f"{PARENT}:10: {flow}: secret 'REPORTING_KEY': missing in namespace company.reporting or its parents",
        ])

    def test_subkeys_and_lookups_shared_by_flows(self):
        self.put("company.team", "my-app", MY_APP)
        for key in ("POSTGRES_USERNAME", "POSTGRES_PASSWORD", "AWS_ACCESS_KEY_ID"):
            self.put("company", key)
        self.put("company.team", "AWS_SECRET_ACCESS_KEY", value_of("not-json"))
        self.flow("flows/extra/sub.yml", "id: sub\nnamespace: company.team\n"
                  "x: \"{{ secret('AWS_SECRET_ACCESS_KEY', subkey='K') }}\"\n")
        rc, out, _ = self.assertExit(self.aws("-o", "json", "check-flows", POSTGRES, VAULT, "flows/extra"), 9)
        self.assertEqual([r["status"] for r in json.loads(out)], ["found"] * 7 + ["not-json"])

    def test_lookups_of_unlisted_keys_go_out_together(self):
        # Twelve keys in a namespace: each direct name's value and metadata requests are sent at
        # once for all of them (bounded by --concurrency), not one key after another. Seen through
        # tests/fakes/faults.py in front of moto, which records how many requests were in flight.
        keys = [f"K{i:02d}" for i in range(12)]
        for key in keys:
            self.put("company.team", key)
        record = self.path("requests.jsonl")
        slow = [{"proxy": True, "delay": 0.2}] * 30
        proxy = kshelp.start_fake(self, "faults.py", "--record", record, "--script", json.dumps({
            "upstream": self.env["AWS_ENDPOINT_URL"],
            "routes": {"secretsmanager.GetSecretValue": slow, "secretsmanager.DescribeSecret": slow}}), max_seconds=None)
        calls = "".join(f"  {k}: \"{{{{ secret('{k}') }}}}\"\n" for k in keys)
        self.flow("flows/many.yml", f"id: many\nnamespace: company.team\nenv:\n{calls}")
        rc, out, err = self.assertExit(self.aws("--concurrency", "8", "check-flows", "flows/many.yml",
                                                env={"AWS_ENDPOINT_URL": proxy.url}), 0)
        self.assertIn("12 found", err)
        with open(record) as f:
            rows = [json.loads(line) for line in f]
        self.assertEqual(len(rows), 24)
        self.assertGreaterEqual(max(r["inflight"] for r in rows), 6)
        self.assertLessEqual(max(r["inflight"] for r in rows), 8)

    def test_a_backend_error_fails_with_its_code_after_the_report(self):
        rc, out, err = self.assertExit(self.aws("-o", "json", "check-flows", POSTGRES,
                                                env={"AWS_SECRET_ACCESS_KEY": "wrong"}), 5)
        self.assertEqual({r["status"] for r in json.loads(out)}, {"error"})
        self.assertEqual(json.loads(err)["error"]["exit"], 5)
        rc, out, err = self.assertExit(self.aws("check-flows", POSTGRES, env={"AWS_SECRET_ACCESS_KEY": "wrong"}), 5)
        self.assertEqual(len(out.decode().splitlines()), 4)
        self.assertIn("kestra-secrets: error: ", err)
        self.assertNotIn("wrong", err)
