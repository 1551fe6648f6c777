"""Shared helpers for the end-to-end tests: run the built binary as a user would, in a clean
environment (no inherited SECRET_ or KESTRA_ variables, HOME in a temporary directory)."""
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("KS_BIN", "")
SOURCE_DIR = os.environ.get("KS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


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
    return env


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

    def ks(self, *args, env=None, stdin=None, cwd=None, timeout=60):
        """Runs the binary; returns (exit code, stdout bytes, stderr text)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        p = subprocess.run([BIN, *args], input=stdin, capture_output=True, env=full_env,
                           cwd=cwd or self.tmp, timeout=timeout)
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

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
