"""The Debian package (scripts/package, CPack settings at the end of CMakeLists.txt). Building it is a
cpack run, so it runs only with KS_TEST_PACKAGE=1 (and in .ci/run's `package` stage): the package of
the tested build holds the files of spec/cli.md "Installed files" under /usr, declares its Depends,
and, unpacked, its binary runs and its man page and bash completion load. Where `cmake --install`
puts the files is checked in every run by test_docs.py."""
import os
import subprocess

from kshelp import BIN, SOURCE_DIR, KsTestCase

FILES = ("bin/kestra-secrets", "share/man/man1/kestra-secrets.1", "share/bash-completion/completions/kestra-secrets",
         "share/zsh/vendor-completions/_kestra-secrets", "share/fish/vendor_completions.d/kestra-secrets.fish")


class PackageTests(KsTestCase):
    def run_ok(self, *cmd, env=None):
        p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=900)
        self.assertEqual(p.returncode, 0, f"{cmd}: {p.stderr}")
        return p.stdout

    def test_debian_package(self):
        if os.environ.get("KS_TEST_PACKAGE") != "1":
            self.skipTest("set KS_TEST_PACKAGE=1 to build the .deb (a cpack run)")
        deb = self.run_ok(os.path.join(SOURCE_DIR, "scripts", "package"), "--check",
                          env={"BUILD_DIR": os.path.dirname(BIN)}).strip()
        self.assertTrue(deb.endswith(".deb"), deb)
        info = self.run_ok("dpkg-deb", "-I", deb)
        for field in ("Package: kestra-secrets", "Maintainer:", "Depends:", "libcurl4", "Description:"):
            self.assertIn(field, info)
        root = self.path("root")
        self.run_ok("dpkg-deb", "-x", deb, root)
        usr = os.path.join(root, "usr")
        for rel in FILES:
            self.assertTrue(os.path.isfile(os.path.join(usr, rel)), rel)
        self.assertRegex(self.run_ok(os.path.join(usr, FILES[0]), "--version"), r"^kestra-secrets \d+\.\d+\.\d+")
        page = self.run_ok("man", "-l", os.path.join(usr, FILES[1]), env={"MANPAGER": "cat", "MANWIDTH": "80"})
        self.assertIn("EXIT STATUS", page)
        loaded = self.run_ok("bash", "-c", f"source {os.path.join(usr, FILES[2])} && complete -p kestra-secrets")
        self.assertIn("_kestra_secrets", loaded)
