"""What happens at a terminal (spec/cli.md): the hidden prompt of `put` and the confirmation of
`delete --purge`, driven through a real pseudo-terminal with tmux (send-keys, capture-pane)."""
import base64
import os
import shutil
import subprocess
import time
import uuid

from kshelp import BIN, KsTestCase, in_ci


class TerminalTests(KsTestCase):
    def setUp(self):
        super().setUp()
        if shutil.which("tmux") is None:
            if in_ci():
                self.fail("tmux is not installed (scripts/setup installs it)")
            self.skipTest("tmux not installed")
        self.sock = "ks-" + uuid.uuid4().hex[:8]
        self.file = self.path("secrets.env_encoded")
        self.addCleanup(lambda: subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True))

    def run_in_terminal(self, *args):
        """Starts the binary in a tmux pane; its exit status lands in the file `rc`."""
        script = self.write("run.sh", "#!/bin/sh\n" + "".join(f"export {k}='{v}'\n" for k, v in self.env.items()) +
                            " ".join(f"'{a}'" for a in [BIN, "--env-file", self.file, *args]) +
                            f"\necho $? > '{self.path('rc')}'\nsleep 30\n", 0o755)
        subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", "new-session", "-d", "-x", "150", "-y", "20",
                        script], check=True, env={**os.environ, "TMUX": ""})

    def screen(self):
        return subprocess.run(["tmux", "-L", self.sock, "capture-pane", "-p"], capture_output=True, text=True).stdout

    def wait_for(self, predicate, what, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}; screen:\n{self.screen()}")

    def type(self, text):
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "-l", text], check=True)
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "Enter"], check=True)

    def exit_status(self):
        self.wait_for(lambda: os.path.exists(self.path("rc")) and open(self.path("rc")).read().strip(), "exit")
        with open(self.path("rc")) as f:
            return int(f.read())

    def test_put_prompts_for_the_value_without_echoing_it(self):
        self.run_in_terminal("put", "api_token")
        self.wait_for(lambda: "input hidden" in self.screen(), "the prompt")
        self.type("s3cr3t-typed")
        self.assertEqual(self.exit_status(), 0)
        self.assertNotIn("s3cr3t-typed", self.screen())
        with open(self.file) as f:
            self.assertIn(base64.b64encode(b"s3cr3t-typed").decode(), f.read())

    def test_purge_asks_and_a_no_deletes_nothing(self):
        self.assertExit(self.ks("--env-file", self.file, "put", "db", stdin=b"v"), 0)
        self.run_in_terminal("delete", "db", "--purge")
        self.wait_for(lambda: "[y/N]" in self.screen(), "the confirmation")
        self.type("n")
        self.assertEqual(self.exit_status(), 2)
        self.assertEqual(self.ks("--env-file", self.file, "get", "db")[1], b"v")

    def test_purge_proceeds_on_yes_and_never_asks_without_a_terminal(self):
        self.assertExit(self.ks("--env-file", self.file, "put", "db", stdin=b"v"), 0)
        self.run_in_terminal("delete", "db", "--purge")
        self.wait_for(lambda: "[y/N]" in self.screen(), "the confirmation")
        self.type("y")
        self.assertEqual(self.exit_status(), 0)
        self.assertExit(self.ks("--env-file", self.file, "get", "db"), 4)
        self.assertExit(self.ks("--env-file", self.file, "put", "db", stdin=b"v"), 0)
        self.assertExit(self.ks("--env-file", self.file, "delete", "db", "--purge", stdin=b""), 0)
