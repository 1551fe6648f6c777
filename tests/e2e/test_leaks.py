"""No secret value or credential ever leaks (spec/cli.md "Output and errors", DESIGN.md conventions),
on every backend (tests/e2e/targets.py), for every command, with -vv HTTP tracing, on success and on
error paths (wrong credentials, missing secret, server errors, cut responses, bad configuration).

Every seeded value and credential contains LEAKCANARY. After each run: stderr holds none of them
(nor their Base64, nor any issued token); stdout holds none except the values the command was asked
to print (get, export, exec); and no file the run created or changed in the test's directory holds
one, except the store itself (the env file).

LeakCases holds the scenarios; one class per backend below runs them all (tests/e2e/list_tests.py
lists inherited test methods)."""
import base64
import os

from kshelp import KsTestCase
from targets import MARK, TARGETS, find_leaks

FIXTURES = ["moto"]
EXPORT_FORMATS = ("dotenv", "shell", "docker", "json", "yaml", "env-encoded")


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            out[p] = (st.st_mtime_ns, st.st_size)
    return out


class LeakCases:
    backend = ""

    def setUp(self):
        super().setUp()
        self.t = TARGETS[self.backend](self)
        self.new_value = f"{MARK}-{self.backend}-new-value"

    # --- the check ------------------------------------------------------------------------------------
    def run_ks(self, *args, code=0, prints=(), stdin=None, base=None, env=None, outputs=()):
        """Runs the binary with -vv; asserts the exit code and that nothing leaked. `prints`: the
        values this command may write to stdout; `outputs`: files it is meant to write them to."""
        before = snapshot(self.tmp)
        full_env = {**self.t.env, **(env or {})}
        rc, out, err = self.ks("-vv", *(self.t.args if base is None else base), *args, env=full_env, stdin=stdin)
        if code is not None:
            self.assertEqual(rc, code, f"{args}: exit {rc}; stderr: {err[-3000:]}")
        secrets = self.t.secrets + [self.new_value]
        leaks = find_leaks(err, secrets, self.t.patterns)
        self.assertEqual(leaks, [], f"stderr of {args} leaks: {err[max(0, err.find(leaks[0]) - 300):][:800] if leaks else ''}")
        shown = out.decode("utf-8", "replace")
        prints = [*prints, *(base64.b64encode(v.encode()).decode().rstrip("=") for v in prints)]
        for v in sorted(prints, key=len, reverse=True):
            shown = shown.replace(v, "")
        self.assertEqual(find_leaks(shown, secrets, self.t.patterns), [], f"stdout of {args} leaks: {shown[:500]!r}")
        for path, stamp in snapshot(self.tmp).items():
            if before.get(path) == stamp or path in (getattr(self.t, "file", None), *outputs):
                continue
            with open(path, "rb") as f:
                self.assertEqual(find_leaks(f.read(), secrets, self.t.patterns), [], f"{args} wrote {path}")
        return rc, out, err

    def expect(self, command):
        return 2 if command in self.t.unsupported else 0

    # --- successful commands -------------------------------------------------------------------------
    def test_list(self):
        rc, out, _ = self.run_ks("list")
        self.assertIn(self.t.key_a.encode(), out)

    def test_list_json(self):
        self.run_ks("-o", "json", "list")

    def test_get(self):
        rc, out, err = self.run_ks("get", self.t.key_a, prints=[self.t.value_a])
        self.assertEqual(out, self.t.value_a.encode())
        if self.backend != "env":
            self.assertIn("http: < body", err, "-vv traces the HTTP bodies (redacted)")

    def test_get_json(self):
        self.run_ks("-o", "json", "get", self.t.key_a, prints=[self.t.value_a])

    def test_get_subkey(self):
        rc, out, _ = self.run_ks("get", self.t.key_json, "--subkey", "password", prints=[self.t.value_field])
        self.assertEqual(out, self.t.value_field.encode())

    def test_get_full(self):
        self.run_ks("get", "--full", self.t.key_json, prints=[self.t.value_json, self.t.value_field])

    def test_put(self):
        self.run_ks("put", "leakNew", stdin=self.new_value.encode())
        self.run_ks("-o", "json", "put", "leakNew", "--description", "d", stdin=self.new_value.encode(), code=None)

    def test_put_subkey(self):
        self.run_ks("put", self.t.key_json, "--subkey", "password", stdin=self.new_value.encode())

    def test_put_value_flag(self):
        self.run_ks("put", "leakFlag", "--value", self.t.value_a)

    def test_put_dry_run(self):
        self.run_ks("put", "leakDry", "--dry-run", stdin=self.new_value.encode())

    def test_delete(self):
        self.run_ks("delete", self.t.key_a, "--purge", "--yes")

    def test_delete_subkey(self):
        self.run_ks("delete", self.t.key_json, "--subkey", "password")

    def test_describe(self):
        self.run_ks("-o", "json", "describe", self.t.key_json, code=self.expect("describe"))

    def test_versions(self):
        self.run_ks("-o", "json", "versions", self.t.key_a, code=self.expect("versions"))

    def check_export(self, fmt):
        rc, out, _ = self.run_ks("export", "--format", fmt, prints=self.t.values)
        self.assertTrue(out)

    def test_export_dotenv(self):
        self.check_export("dotenv")

    def test_export_shell(self):
        self.check_export("shell")

    def test_export_docker(self):
        self.check_export("docker")

    def test_export_json(self):
        self.check_export("json")

    def test_export_yaml(self):
        self.check_export("yaml")

    def test_export_env_encoded(self):
        self.check_export("env-encoded")

    def test_exec(self):
        rc, out, _ = self.run_ks("exec", "--", "env", prints=self.t.values + list(self.t.env.values()))
        self.assertIn(self.t.value_a.encode(), out)

    def test_import(self):
        path = self.write("in.env", f"leakImported={self.new_value}\n{self.t.key_a}={self.new_value}\n")
        self.run_ks("import", path)
        self.run_ks("-o", "json", "import", path, "--dry-run")

    def test_check_config(self):
        self.run_ks("check-config")
        self.run_ks("-o", "json", "check-config")

    def test_check_config_connect(self):
        self.run_ks("check-config", "--connect")

    def test_copy_and_diff(self):
        dest = self.path("dest.env")
        to = self.t.harness_file("dest.yml", '{"kestra": {"secret": {"type": "env", "env": {"file": "%s"}}}}' % dest)
        self.run_ks("copy", "--to", to, outputs=[dest])
        self.run_ks("-o", "json", "diff", "--to", to, code=None)
        with open(dest, "a") as f:
            f.write(f"SECRET_{self.t.key_a.upper()}={base64.b64encode(self.new_value.encode()).decode()}\n")
        self.run_ks("diff", "--to", to, code=10)
        self.run_ks("copy", "--to", to, "--dry-run", code=None)

    def test_adopt(self):
        self.run_ks("adopt", "--all", "--dry-run", code=None)
        self.run_ks("-o", "json", "adopt", "--all", code=None)

    def test_check_flows(self):
        os.mkdir(self.path("flows"))
        flow = self.write("flows/leak.yml", (
            "id: leak\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n"
            f"    message: \"{{{{ secret('{self.t.key_a}') }}}} {{{{ secret('{self.t.key_json}', subkey='password') }}}}"
            " {{ secret('leakMissing') }}\"\n"))
        self.run_ks("check-flows", os.path.dirname(flow), code=4)
        self.run_ks("-o", "json", "check-flows", flow, code=4)
        self.run_ks("check-flows", "--format", "github", flow, code=4)

    def test_overrides(self):
        """A credential given by --set, by a KESTRA_SECRET_ variable or through a ${VAR} placeholder,
        misspelt or not, is redacted in check-config's effective configuration."""
        canary = f"{MARK}-{self.backend}-override"
        self.t.credentials.append(canary)
        path = self.t.secret_setting
        variable = "KESTRA_SECRET_" + path.upper().replace(".", "_").replace("-", "_")
        for extra, env in ((["--set", f"{path}={canary}"], None), ([], {variable: canary}),
                           (["--set", path + "=${LEAK_VAR}"], {"LEAK_VAR": canary}),
                           (["--set", f"{path[:-2]}={canary}"], None)):
            self.run_ks(*extra, "check-config", env=env, code=None)
            self.run_ks(*extra, "-o", "json", "check-config", env=env, code=None)

    def test_bad_values(self):
        self.run_ks("put", "leakFields", "--fields", stdin=f"not json {self.new_value}".encode(), code=2)
        rc, _, _ = self.run_ks("get", self.t.key_a, "--subkey", "password", code=None)
        self.assertIn(rc, (4, 9))  # a field store has no such field; elsewhere the value is not JSON

    # --- error paths ---------------------------------------------------------------------------------
    def test_missing_secret(self):
        self.run_ks("get", "leakMissing", code=4)
        self.run_ks("get", self.t.key_json, "--subkey", "nope", code=4)

    def test_wrong_credentials(self):
        base = self.t.wrong_args()
        code = 0 if self.backend == "env" else 5
        self.run_ks("get", self.t.key_a, base=base, code=code, prints=[self.t.value_a])
        self.run_ks("put", "leakNew", base=base, stdin=self.new_value.encode(), code=code)
        self.run_ks("check-config", "--connect", base=base, code=None)

    def test_bad_config(self):
        base = self.t.bad_config_args()
        self.run_ks("check-config", base=base, code=3)
        self.run_ks("-o", "json", "check-config", "--connect", base=base, code=3)
        self.run_ks("get", self.t.key_a, base=base, code=3)

    def test_server_error(self):
        if self.backend == "env":
            self.t.broken_file(f'SECRET_LEAK_BROKEN="{MARK}-env-unterminated\n')
            self.t.credentials.append(f"{MARK}-env-unterminated")
            self.run_ks("get", self.t.key_a, code=9)
            self.run_ks("put", "leakNew", stdin=self.new_value.encode(), code=9)
            return
        self.t.inject({"status": 500, "times": 20})
        if self.t.bulk_read_match:
            self.t.inject({"status": 500, "times": 20}, operation=self.t.bulk_read_match)
        self.run_ks("--timeout", "20", "get", self.t.key_a, code=7)
        self.run_ks("--timeout", "20", "export", code=7)

    def test_cut_response(self):
        if self.backend == "env":
            cut = base64.b64encode(f"{MARK}-env-cut-value".encode()).decode()[:-3]
            self.t.broken_file(f"SECRET_LEAK_CUT={cut}\n")
            self.run_ks("get", "LEAK_CUT", code=4)
            return
        self.t.inject({"fault": "cut", "cut_after": self.t.value_a[:len(MARK) + 4], "times": 5})
        rc, _, err = self.run_ks("get", self.t.key_a, code=None)
        self.assertIn(rc, (7, 9), err)


class EnvLeaks(LeakCases, KsTestCase):
    backend = "env"


class VaultLeaks(LeakCases, KsTestCase):
    backend = "vault"


class AzureLeaks(LeakCases, KsTestCase):
    backend = "azure"


class GoogleLeaks(LeakCases, KsTestCase):
    backend = "google"


class ElasticsearchLeaks(LeakCases, KsTestCase):
    backend = "elasticsearch"


class AwsLeaks(LeakCases, KsTestCase):
    backend = "aws"
