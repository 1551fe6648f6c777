"""Shared helpers for the end-to-end tests: run the built binary as a user would, in a clean
environment (no inherited SECRET_ or KESTRA_ variables, HOME in a temporary directory)."""
import json
import os
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

BIN = os.environ.get("KS_BIN", "")
# KS_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") is put before the binary in ks(); a check that
# cannot hold under it is guarded by `if not WRAPPER`, with the reason. Sanitizer settings reach the
# binary too.
WRAPPER = shlex.split(os.environ.get("KS_WRAPPER", ""))
SANITIZER_VARS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
SOURCE_DIR = os.environ.get("KS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FAKES_DIR = os.path.join(SOURCE_DIR, "tests", "fakes")
TLS_DIR = os.path.join(SOURCE_DIR, "tests", "data", "tls")
CA_FILE = os.path.join(TLS_DIR, "ca.pem")
# fakelib's options for HTTPS with the test CA's server certificate (tests/data/tls).
TLS_ARGS = ("--tls-cert", os.path.join(TLS_DIR, "server.pem"), "--tls-key", os.path.join(TLS_DIR, "server.key"))


def in_ci():
    return os.environ.get("CI") == "true"


def base_env(home):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "GCE_METADATA_HOST": "127.0.0.1:9",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9",
        "NO_PROXY": "*",
    }
    env.update({k: os.environ[k] for k in SANITIZER_VARS if k in os.environ})
    return env


def skip_under_wrapper(testcase, reason):
    """Skips a test that cannot run with KS_WRAPPER (timing, resource limits), saying why."""
    if WRAPPER:
        testcase.skipTest(f"not under KS_WRAPPER: {reason}")


class KsTestCase(unittest.TestCase):
    """A test case with a private temporary HOME and a `ks()` runner."""

    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.fail("KS_BIN does not name the built kestra-secrets binary")
        self.tmp = tempfile.mkdtemp(prefix="ks-e2e-")
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.env = base_env(self.home)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data, mode=0o644):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(p, mode)
        return p

    def ks(self, *args, env=None, stdin=None, cwd=None, timeout=60, preexec_fn=None):
        """Runs the binary; returns (exit code, stdout bytes, stderr text)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        p = subprocess.run([*WRAPPER, BIN, *args], input=stdin, capture_output=True, env=full_env,
                           cwd=cwd or self.tmp, timeout=timeout * (10 if WRAPPER else 1), preexec_fn=preexec_fn)
        err = p.stderr.decode("utf-8", "replace")
        # A sanitizer report fails the test whatever exit code the test expects.
        if any(m in err for m in SANITIZER_MARKS):
            self.fail(f"sanitizer report from kestra-secrets {' '.join(args)}:\n{err}")
        return p.returncode, p.stdout, err

    def assertExit(self, result, code, msg=None):
        rc, out, err = result
        self.assertEqual(rc, code, msg or f"exit {rc}, expected {code}; stderr: {err!r}; stdout: {out[:300]!r}")
        return result


def server_state(testcase, name):
    """The state of the shared server NAME (tests/e2e/servers.py), or a skip (a failure in CI)."""
    import json
    path = os.path.join(os.environ.get("KS_STATE_DIR", ""), f"{name}.json")
    try:
        with open(path) as f:
            state = json.load(f)
    except OSError:
        testcase.fail(f"shared server {name} is not running (no {path}); run the test through ctest")
    if "missing" in state:
        if in_ci():
            testcase.fail(state["missing"])
        testcase.skipTest(state["missing"])
    return state


def use_moto(testcase, user="admin"):
    """Points the test case's environment at the shared moto server (AWS_ENDPOINT_URL, us-east-1) with
    the IAM user USER's keys; returns the server's state."""
    state = server_state(testcase, "moto")
    keys = state["users"][user]
    testcase.env.update({"AWS_ACCESS_KEY_ID": keys["key"], "AWS_SECRET_ACCESS_KEY": keys["secret"],
                         "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": state["endpoint"]})
    return state


class Fake:
    """A running fake server (tests/fakes/*.py): `port`, `scheme`, `url`, the process, and the lines
    it printed before its READY line (`preamble`, e.g. the Azure fake's `HTTP <port>`)."""

    def __init__(self, proc, port, scheme, preamble):
        self.proc, self.port, self.scheme, self.preamble = proc, port, scheme, preamble
        self.url = f"{scheme}://127.0.0.1:{port}"

    def call(self, method, path, body=None, headers=None):
        """One request to the fake (control endpoints under /_fake/, or the API itself): the
        decoded JSON answer (None when empty), also for an HTTP error status."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        ctx = ssl.create_default_context(cafile=CA_FILE) if self.scheme == "https" else None
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                text = r.read()
        except urllib.error.HTTPError as e:
            text = e.read()
        return json.loads(text) if text else None

    def requests(self):
        """The fake's request log (fakelib's /_fake/requests), control calls left out."""
        return [r for r in self.call("GET", "/_fake/requests") if not r["path"].startswith("/_fake/")]

    def faults(self, *faults):
        self.call("POST", "/_fake/faults", list(faults))

    def reset(self):
        self.call("POST", "/_fake/reset", {})

    def stop(self):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc = None


def start_fake(testcase, script, *args, tls=False, max_seconds=300, scheme="http"):
    """Starts tests/fakes/SCRIPT with ARGS (plus fakelib's TLS options when `tls`, and
    --max-seconds unless it is None), waits for its `READY <port> <scheme>` line (or, from
    faults.py, a bare port: its scheme is `scheme`), and stops it when the test ends (stopping it
    earlier with `stop()` is fine). Returns a Fake."""
    cmd = [sys.executable, os.path.join(FAKES_DIR, script), *args, *(TLS_ARGS if tls else ())]
    if max_seconds is not None:
        cmd += ["--max-seconds", str(max_seconds)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=FAKES_DIR)
    fake = Fake(proc, 0, scheme, [])
    testcase.addCleanup(fake.stop)
    while True:
        parts = proc.stdout.readline().split()
        if not parts:
            testcase.fail(f"the fake {script} did not start")
        if parts[0] == "READY":
            fake.__init__(proc, int(parts[1]), parts[2] if len(parts) > 2 else scheme, fake.preamble)
            return fake
        if len(parts) == 1 and parts[0].isdigit():
            fake.__init__(proc, int(parts[0]), scheme, fake.preamble)
            return fake
        fake.preamble.append(" ".join(parts))
