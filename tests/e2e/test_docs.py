"""The man page and the shell completions: they render, load in the real shells, and install where
spec/cli.md says."""
import os
import shutil
import subprocess

from kshelp import BIN, SOURCE_DIR, KsTestCase, in_ci

MAN = os.path.join(SOURCE_DIR, "man", "kestra-secrets.1")
COMP = os.path.join(SOURCE_DIR, "completions")


class DocsTests(KsTestCase):
    def need(self, tool):
        if shutil.which(tool) is None:
            if in_ci():
                self.fail(f"{tool} is not installed (scripts/setup installs it)")
            self.skipTest(f"{tool} not installed")

    def test_man_page_renders_without_warnings(self):
        self.need("groff")
        p = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.need("man")
        p = subprocess.run(["man", "-l", MAN], capture_output=True, text=True, env={**self.env, "MANWIDTH": "80"})
        self.assertEqual(p.returncode, 0, p.stderr)
        for section in ("SYNOPSIS", "EXIT STATUS", "encode-env", "check-config"):
            self.assertIn(section, p.stdout)

    def test_man_page_names_every_command(self):
        rc, out, _ = self.ks("--help")
        with open(MAN, encoding="utf-8") as f:
            man = f.read().replace("\\-", "-")
        commands = [line.split()[0] for line in out.decode().split("Subcommands:")[1].splitlines() if line.strip()]
        self.assertGreater(len(commands), 10)
        for c in commands:
            self.assertIn(c, man, f"man page lacks command {c}")

    def test_completion_command_prints_the_shipped_scripts(self):
        for shell, name in (("bash", "kestra-secrets.bash"), ("zsh", "_kestra-secrets"), ("fish", "kestra-secrets.fish")):
            rc, out, _ = self.assertExit(self.ks("completion", shell), 0)
            with open(os.path.join(COMP, name), "rb") as f:
                self.assertEqual(out, f.read())
        self.assertExit(self.ks("completion", "tcsh"), 2)

    def test_bash_completion_completes_commands_and_options(self):
        self.need("bash")
        script = (f"source {COMP}/kestra-secrets.bash\n"
                  "COMP_WORDS=(kestra-secrets enc); COMP_CWORD=1; _kestra_secrets; echo \"${COMPREPLY[*]}\"\n"
                  "COMP_WORDS=(kestra-secrets get db --sub); COMP_CWORD=3; _kestra_secrets; echo \"${COMPREPLY[*]}\"\n"
                  "COMP_WORDS=(kestra-secrets -t v); COMP_CWORD=2; _kestra_secrets; echo \"${COMPREPLY[*]}\"\n")
        p = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True)
        self.assertEqual(p.stdout.splitlines(), ["encode-env", "--subkey", "vault"], p.stderr)

    def test_zsh_completion_is_registered_by_compinit(self):
        self.need("zsh")
        script = (f"fpath=({COMP} $fpath); autoload -U compinit; compinit -u -d {self.tmp}/zcomp; "
                  "print -r -- ${_comps[kestra-secrets]}")
        p = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, env=self.env)
        self.assertEqual(p.stdout.strip(), "_kestra-secrets", p.stderr)
        p = subprocess.run(["zsh", "-n", os.path.join(COMP, "_kestra-secrets")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_fish_completion_completes_commands_and_options(self):
        self.need("fish")
        p = subprocess.run(["fish", "--no-config", "-c",
                            f"source {COMP}/kestra-secrets.fish; complete -C 'kestra-secrets enc'; "
                            "complete -C 'kestra-secrets export --format '"],
                           capture_output=True, text=True, env=self.env)
        lines = [l.split("\t")[0] for l in p.stdout.splitlines()]
        self.assertIn("encode-env", lines, p.stderr)
        self.assertIn("env-encoded", lines)

    def test_cmake_install_puts_files_where_the_spec_says(self):
        build_dir = os.path.dirname(BIN)
        dest = os.path.join(self.tmp, "root")
        p = subprocess.run(["cmake", "--install", build_dir, "--prefix", "/usr"], capture_output=True, text=True,
                           env={**self.env, "DESTDIR": dest})
        self.assertEqual(p.returncode, 0, p.stderr)
        for rel in ("usr/bin/kestra-secrets", "usr/share/man/man1/kestra-secrets.1",
                    "usr/share/bash-completion/completions/kestra-secrets",
                    "usr/share/zsh/vendor-completions/_kestra-secrets",
                    "usr/share/fish/vendor_completions.d/kestra-secrets.fish"):
            self.assertTrue(os.path.isfile(os.path.join(dest, rel)), rel)
