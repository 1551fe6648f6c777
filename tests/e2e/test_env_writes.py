"""Writes through the env backend's file, and the commands every backend gets (put, delete,
export, exec, import): spec/cli.md, spec/kestra.md §1 and §3."""
import base64
import json
import os
import signal
import stat
import subprocess
import sys
import time

from kshelp import BIN, WRAPPER, KsTestCase


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


class EnvWriteTests(KsTestCase):
    def setUp(self):
        super().setUp()
        self.file = self.path("secrets.env_encoded")
        self.env["KESTRA_SECRETS_TEST"] = "1"

    def kf(self, *args, **kw):
        return self.ks("--env-file", self.file, *args, **kw)

    def read_file(self):
        with open(self.file, "rb") as f:
            return f.read()

    def test_put_reads_stdin_bytes_exactly_and_creates_the_file_0600(self):
        self.assertExit(self.kf("put", "db", stdin=b"p@ss\n"), 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.file).st_mode), 0o600)
        self.assertEqual(self.read_file(), f"SECRET_DB={b64('p@ss' + chr(10))}\n".encode())
        self.assertEqual(self.kf("get", "db")[1], b"p@ss\n")

    def test_put_is_quiet_on_success(self):
        rc, out, err = self.kf("put", "db", stdin=b"v")
        self.assertEqual((rc, out, err), (0, b"", ""))

    def test_put_keeps_other_lines_and_comments_and_replaces_in_place(self):
        self.write("secrets.env_encoded", f"# keep me\nSECRET_A={b64('a')}\n\nOTHER=x\nSECRET_db={b64('old')}\n", 0o600)
        self.assertExit(self.kf("put", "DB", stdin=b"new"), 0)
        self.assertEqual(self.read_file(), f"# keep me\nSECRET_A={b64('a')}\n\nOTHER=x\nSECRET_db={b64('new')}\n".encode())
        self.assertExit(self.kf("delete", "a"), 0)
        self.assertEqual(self.read_file(), f"# keep me\n\nOTHER=x\nSECRET_db={b64('new')}\n".encode())

    def test_a_key_defined_twice_is_rewritten_once(self):
        self.write("secrets.env_encoded", f"SECRET_DB={b64('one')}\n# c\nSECRET_DB={b64('two')}\n", 0o600)
        self.assertEqual(self.kf("get", "db")[1], b"two")  # the last one wins, as for Kestra
        self.assertExit(self.kf("put", "db", stdin=b"three"), 0)
        self.assertEqual(self.read_file(), f"SECRET_DB={b64('three')}\n# c\n".encode())
        self.assertExit(self.kf("delete", "db"), 0)
        self.assertEqual(self.read_file(), b"# c\n")

    def test_put_from_file_and_binary_bytes(self):
        raw = bytes(range(256))
        src = self.write("value.bin", raw)
        self.assertExit(self.kf("put", "bin", "--from-file", src), 0)
        self.assertEqual(self.kf("get", "bin")[1], raw)

    def test_put_value_flag_warns_about_argv(self):
        rc, _, err = self.kf("put", "k", "--value", "visible")
        self.assertEqual(rc, 0)
        self.assertIn("command line", err)
        self.assertNotIn("visible", err)

    def test_two_sources_or_empty_value_are_usage_errors(self):
        src = self.write("v", "x")
        self.assertExit(self.kf("put", "k", "--from-file", src, "--value", "y"), 2)
        self.assertExit(self.kf("put", "k", stdin=b""), 2)
        self.assertExit(self.kf("put", "k", "--allow-empty", stdin=b""), 0)
        self.assertEqual(self.kf("get", "k")[1], b"")
        self.assertExit(self.kf("put", "k", "--from-file", self.path("missing")), 2)

    def test_without_a_file_writes_are_read_only(self):
        rc, _, err = self.assertExit(self.ks("put", "k", stdin=b"v"), 6)
        self.assertIn("--env-file", err)
        self.assertExit(self.ks("delete", "k"), 6)
        self.assertExit(self.ks("import", self.write(".env", "A=1\n")), 6)

    def test_subkey_put_and_delete_read_modify_write_a_json_object(self):
        self.assertExit(self.kf("put", "db", "--subkey", "USER", stdin=b"u"), 0)
        self.assertExit(self.kf("put", "db", "--subkey", "PASSWORD", stdin=b"p"), 0)
        self.assertEqual(self.kf("get", "db")[1], b'{"PASSWORD":"p","USER":"u"}')
        self.assertExit(self.kf("delete", "db", "--subkey", "USER"), 0)
        self.assertEqual(self.kf("get", "db")[1], b'{"PASSWORD":"p"}')
        self.assertExit(self.kf("delete", "db", "--subkey", "NOPE"), 4)
        self.assertExit(self.kf("put", "plain", stdin=b"not json"), 0)
        rc, _, err = self.assertExit(self.kf("put", "plain", "--subkey", "F", stdin=b"v"), 9)
        self.assertNotIn("not json", err)

    def test_delete_missing_is_4_and_env_only_is_6(self):
        self.assertExit(self.kf("delete", "nope"), 4)
        self.assertExit(self.kf("delete", "inherited", env={"SECRET_INHERITED": b64("x")}), 6)

    def test_dry_run_writes_nothing(self):
        rc, out, _ = self.assertExit(self.kf("put", "db", "--dry-run", stdin=b"v"), 0)
        self.assertIn(b"would write", out)
        self.assertFalse(os.path.exists(self.file))
        self.assertExit(self.kf("put", "db", stdin=b"v"), 0)
        before = self.read_file()
        self.assertExit(self.kf("delete", "db", "--dry-run"), 0)
        self.assertEqual(self.read_file(), before)

    def test_json_results_of_put_and_delete(self):
        rc, out, _ = self.assertExit(self.kf("-o", "json", "put", "db", stdin=b"v"), 0)
        self.assertEqual(json.loads(out), {"key": "db", "namespace": None, "version": None, "created": True})
        rc, out, _ = self.assertExit(self.kf("-o", "json", "put", "db", stdin=b"w"), 0)
        self.assertFalse(json.loads(out)["created"])
        rc, out, _ = self.assertExit(self.kf("-o", "json", "delete", "db"), 0)
        self.assertEqual(json.loads(out), {"key": "db", "namespace": None, "purged": True, "recoverable_until": None})

    def test_recovery_days_is_not_supported_by_env(self):
        self.assertExit(self.kf("put", "db", stdin=b"v"), 0)
        rc, _, err = self.assertExit(self.kf("delete", "db", "--recovery-days", "7"), 2)
        self.assertIn("env", err)

    def test_concurrent_writers_lose_nothing(self):
        procs = []
        env = dict(self.env)
        for i in range(16):
            procs.append(subprocess.Popen([BIN, "--env-file", self.file, "put", f"k{i}"], stdin=subprocess.PIPE,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env))
        for i, p in enumerate(procs):
            p.communicate(f"value-{i}".encode(), timeout=30)
            self.assertEqual(p.returncode, 0)
        out = self.kf("export", "--format", "json")[1]
        self.assertEqual(json.loads(out), {f"K{i}": f"value-{i}" for i in range(16)})

    def test_export_formats(self):
        for k, v in (("a", "x y"), ("b", "it's"), ("c", "line1\nline2")):
            self.assertExit(self.kf("put", k, stdin=v.encode()), 0)
        rc, out, _ = self.assertExit(self.kf("export", "--format", "shell"), 0)
        script = out.decode() + 'printf "%s|%s|%s" "$A" "$B" "$C"'
        res = subprocess.run(["bash", "-c", script], capture_output=True)
        self.assertEqual(res.stdout, b"x y|it's|line1\nline2")
        rc, out, _ = self.assertExit(self.kf("export", "--format", "json"), 0)
        self.assertEqual(json.loads(out), {"A": "x y", "B": "it's", "C": "line1\nline2"})
        rc, out, _ = self.assertExit(self.kf("export", "--format", "env-encoded", "A"), 0)
        self.assertIn(f"SECRET_A={b64('x y')}".encode(), out)
        self.assertExit(self.kf("export", "--format", "docker"), 2)  # newline in C cannot be carried
        self.assertExit(self.kf("export", "--format", "nope"), 2)

    def test_export_names_are_mapped_and_collisions_refused(self):
        self.write("secrets.env_encoded", f"SECRET_A.B={b64('1')}\nSECRET_A-B={b64('2')}\nSECRET_9X={b64('3')}\n", 0o600)
        rc, _, err = self.assertExit(self.kf("export", "--format", "shell"), 2)
        self.assertIn("A.B", err)
        self.assertIn("A-B", err)
        rc, out, _ = self.assertExit(self.kf("export", "--format", "shell", "9*"), 0)
        self.assertIn(b"export _9X=", out)

    def test_exec_passes_secrets_and_exit_status(self):
        self.assertExit(self.kf("put", "db_password", stdin=b"s3cret"), 0)
        rc, out, _ = self.kf("exec", "--", "sh", "-c", 'printf %s "$DB_PASSWORD"; exit 3')
        self.assertEqual((rc, out), (3, b"s3cret"))
        self.assertEqual(self.kf("exec", "--", "/nonexistent/cmd")[0], 127)
        noexec = self.write("noexec.sh", "#!/bin/sh\n", 0o644)
        # Not under KS_WRAPPER: valgrind runs posix_spawn's child as a fork, whose failed exec exits 127.
        if not WRAPPER:
            self.assertEqual(self.kf("exec", "--", noexec)[0], 126)
        self.assertExit(self.kf("exec", "--only", "missing", "--", "true"), 4)
        rc, out, _ = self.kf("exec", "--only", "DB_PASSWORD", "--", "sh", "-c", 'printf %s "$DB_PASSWORD"')
        self.assertEqual((rc, out), (0, b"s3cret"))

    def test_exec_forwards_signals_and_reports_128_plus_n(self):
        self.assertExit(self.kf("put", "x", stdin=b"1"), 0)
        p = subprocess.Popen([BIN, "--env-file", self.file, "exec", "--", "sleep", "30"], env=self.env)
        time.sleep(0.5)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 128 + signal.SIGTERM)

    def test_import_reports_per_key_and_is_idempotent(self):
        src = self.write(".env", "A=1\nB='two words'\n")
        rc, out, err = self.assertExit(self.kf("-o", "json", "import", src), 0)
        self.assertEqual([(r["key"], r["status"]) for r in json.loads(out)], [("A", "created"), ("B", "created")])
        rc, out, _ = self.assertExit(self.kf("-o", "json", "import", src), 0)
        self.assertEqual([r["status"] for r in json.loads(out)], ["unchanged", "unchanged"])
        src2 = self.write(".env2", "A=changed\nC=3\n")
        rc, out, _ = self.assertExit(self.kf("-o", "json", "import", "--no-overwrite", src2), 0)
        self.assertEqual([(r["key"], r["status"]) for r in json.loads(out)], [("A", "skipped"), ("C", "created")])
        self.assertEqual(self.kf("get", "b")[1], b"two words")
        rc, out, _ = self.assertExit(self.kf("-o", "json", "import", "--dry-run", src2), 0)
        enc = self.write("enc", f"SECRET_D={b64('dee')}\n")
        self.assertExit(self.kf("import", "--encoded", enc), 0)
        self.assertEqual(self.kf("get", "d")[1], b"dee")
        self.assertExit(self.kf("import", self.path("nofile")), 2)

    def test_describe_and_unsupported_versions(self):
        self.assertExit(self.kf("put", "db", stdin=b"v"), 0)
        rc, out, _ = self.assertExit(self.kf("-o", "json", "describe", "db"), 0)
        self.assertEqual(json.loads(out)["name"], "SECRET_DB")
        self.assertNotIn(b'"v"', out)
        rc, _, err = self.assertExit(self.kf("versions", "db"), 2)
        self.assertIn("not supported by the env backend", err)
        self.assertExit(self.kf("restore", "db"), 2)
        self.assertExit(self.kf("get", "db", "--version", "1"), 2)
