"""Every HTTP backend under the faults a real service or network produces (tests/e2e/targets.py; the
fakes' /_fake/faults, and tests/fakes/faults.py as a proxy in front of moto): each run ends in success
after its retries, or in the documented exit code (spec/cli.md) within --timeout, with a clear message
and no partial output. Then writes to the env file under a full disk: nothing partial is left behind.

FaultCases holds the scenarios; one class per backend below runs them all."""
import os
import resource
import signal
import time

from kshelp import CA_FILE, KsTestCase, skip_under_wrapper
from targets import HTTP_TARGETS

FIXTURES = ["moto"]
TIMEOUT = 4            # --timeout of the runs that must give up
MARGIN = 2.5           # process start, fakes and a loaded machine
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class FaultCases:
    backend = ""

    def setUp(self):
        super().setUp()
        skip_under_wrapper(self, "wall-time limits")
        self.t = HTTP_TARGETS[self.backend](self)

    def get(self, timeout=20):
        start = time.monotonic()
        rc, out, err = self.ks(*self.t.args, "--timeout", str(timeout), "get", self.t.key_a, env=self.t.env)
        return rc, out, err, time.monotonic() - start

    def reads(self, overhead=True):
        """Attempts to read key_a; with `overhead`, less the challenge a first unauthenticated
        request answers (Azure) when the run got past it."""
        return len(self.t.requests(self.t.read_match)) - (self.t.read_overhead if overhead else 0)

    def assert_recovers(self, *faults, reads):
        self.t.inject(*faults)
        rc, out, err, _ = self.get()
        self.assertEqual((rc, out), (0, self.t.value_a.encode()), err)
        self.assertEqual(self.reads(), reads)

    def assert_gives_up(self, *faults, code, words=(), timeout=TIMEOUT):
        self.t.inject(*faults)
        rc, out, err, took = self.get(timeout=timeout)
        self.assertEqual((rc, out), (code, b""), err)
        self.assertLess(took, timeout + MARGIN, err)
        self.assertEqual(err.count("kestra-secrets: error:"), 1, err)
        for w in words:
            self.assertIn(w, err)
        return err

    # --- retried, then success ---------------------------------------------------------------------
    def test_429_retry_after_then_success(self):
        start = time.monotonic()
        self.assert_recovers({"status": 429, "headers": {"Retry-After": "1"}, "times": 1}, reads=2)
        self.assertGreaterEqual(time.monotonic() - start, 1.0, "Retry-After: 1 was honoured")

    def test_500_then_success(self):
        self.assert_recovers({"status": 500, "times": 1}, reads=2)

    def test_503_twice_then_success(self):
        self.assert_recovers({"status": 503, "times": 2}, reads=3)

    def test_reset_mid_body_then_success(self):
        self.assert_recovers({"fault": "reset", "times": 1}, reads=2)

    def test_connection_closed_then_success(self):
        self.assert_recovers({"fault": "close", "times": 1}, reads=2)

    def test_slow_answer_within_timeout_is_fine(self):
        self.assert_recovers({"delay": 1.0, "times": 1}, reads=1)

    # --- given up, with the documented exit code ----------------------------------------------------
    def test_persistent_503_is_unavailable(self):
        self.assert_gives_up({"status": 503, "times": 50}, code=7, words=("503",), timeout=10)
        self.assertEqual(self.reads(overhead=False), 3)

    def test_persistent_reset_is_unavailable(self):
        self.assert_gives_up({"fault": "reset", "times": 50}, code=7, timeout=10)

    def test_retry_after_too_long_gives_up_at_once(self):
        self.assert_gives_up({"status": 429, "headers": {"Retry-After": "3600"}, "times": 50}, code=7,
                             words=("retry after",), timeout=30)
        self.assertEqual(self.reads(overhead=False), 1)

    def test_slow_answer_past_timeout(self):
        err = self.assert_gives_up({"delay": 30, "times": 50}, code=7, words=("timed out",), timeout=3)
        self.assertIn("--timeout", err)

    def test_truncated_json_is_bad_data(self):
        self.assert_gives_up({"fault": "cut", "times": 50}, code=9, words=("JSON",))
        self.assertEqual(self.reads(), 1, "a complete answer that cannot be used is not retried")

    def test_html_error_page_from_a_proxy_is_unavailable(self):
        self.assert_gives_up({"status": 502, "body": HTML, "headers": {"Content-Type": "text/html"}, "times": 50},
                             code=7, words=("502",), timeout=10)

    def test_html_page_with_200_is_bad_data(self):
        err = self.assert_gives_up({"status": 200, "body": HTML, "headers": {"Content-Type": "text/html"},
                                    "times": 50}, code=9, words=("text/html",))
        self.assertNotIn("Bad Gateway", err)

    def test_expired_token(self):
        self.t.inject(*self.t.expired_token_faults())
        tokens = len(self.t.requests(self.t.token_match)) if self.t.token_match else 0
        rc, out, err, _ = self.get()
        if self.backend in ("azure", "google", "vault"):
            # a token from a login: renewed once, then the read succeeds
            self.assertEqual((rc, out), (0, self.t.value_a.encode()), err)
            self.assertEqual(len(self.t.requests(self.t.token_match)) - tokens, 2)
        else:
            # static credentials (AWS keys, Elasticsearch basic auth): nothing to renew
            self.assertEqual(rc, 5, err)
            self.assertIn("expired" if self.backend == "aws" else "401", err.lower())

    # --- no partial output ---------------------------------------------------------------------------
    def test_export_fails_as_a_whole(self):
        self.t.inject({"status": 500, "times": 50}, operation=self.t.bulk_read_match)
        rc, out, err = self.ks(*self.t.args, "--timeout", "10", "export", "--format", "json", env=self.t.env)
        self.assertEqual((rc, out), (7, b""), err)

    def test_exec_does_not_start_the_command(self):
        self.t.inject({"status": 503, "times": 50})
        if self.t.bulk_read_match:
            self.t.inject({"status": 503, "times": 50}, operation=self.t.bulk_read_match)
        marker = self.path("started")
        rc, out, err = self.ks(*self.t.args, "--timeout", "10", "exec", "--only", self.t.key_a, "--", "touch", marker,
                               env=self.t.env)
        self.assertEqual(rc, 7, err)
        self.assertFalse(os.path.exists(marker))


class TlsCases:
    """The store behind HTTPS with the test CA: untrusted without it, fine with --ca-file."""

    backend = ""

    def setUp(self):
        super().setUp()
        self.t = HTTP_TARGETS[self.backend](self, tls=True)

    def test_unknown_ca_then_ca_file(self):
        args = [a for a in self.t.args if a not in ("--ca-file", CA_FILE)]
        start = time.monotonic()
        rc, out, err = self.ks(*args, "--timeout", "10", "get", self.t.key_a, env=self.t.env)
        self.assertEqual(rc, 7, err)
        self.assertLess(time.monotonic() - start, 10)
        self.assertIn("certificate", err)
        self.assertIn("--ca-file", err)
        rc, out, err = self.ks(*args, "--ca-file", CA_FILE, "get", self.t.key_a, env=self.t.env)
        self.assertEqual((rc, out), (0, self.t.value_a.encode()), err)


class VaultFaults(FaultCases, KsTestCase):
    backend = "vault"


class AzureFaults(FaultCases, KsTestCase):
    backend = "azure"


class GoogleFaults(FaultCases, KsTestCase):
    backend = "google"


class ElasticsearchFaults(FaultCases, KsTestCase):
    backend = "elasticsearch"


class AwsFaults(FaultCases, KsTestCase):
    backend = "aws"


class VaultTls(TlsCases, KsTestCase):
    backend = "vault"


class AzureTls(TlsCases, KsTestCase):
    backend = "azure"


class GoogleTls(TlsCases, KsTestCase):
    backend = "google"


class ElasticsearchTls(TlsCases, KsTestCase):
    backend = "elasticsearch"


class AwsTls(TlsCases, KsTestCase):
    backend = "aws"


def full_disk(limit):
    """A preexec_fn: files may not grow past `limit` bytes, and a write past it fails with EFBIG
    (SIGXFSZ ignored) instead of killing the process: a disk that fills up mid-write."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


class EnvFileFaults(KsTestCase):
    """Writes of the env file and of encode-env's output are atomic: under a full disk, the command
    fails and the old file is left whole, with no temporary file beside it."""

    ORIGINAL = "SECRET_KEEP=a2VlcA==\n# a comment\n"

    def setUp(self):
        super().setUp()
        skip_under_wrapper(self, "a file size limit on the wrapper too")
        self.dir = self.path("store")
        os.mkdir(self.dir)
        self.file = os.path.join(self.dir, "secrets.env")
        with open(self.file, "w") as f:
            f.write(self.ORIGINAL)

    def assert_untouched(self, rc, err, *inputs):
        self.assertNotEqual(rc, 0, "the write cannot have succeeded")
        self.assertIn("File too large", err)
        with open(self.file) as f:
            self.assertEqual(f.read(), self.ORIGINAL)
        left = sorted(n for n in os.listdir(self.dir) if not n.endswith(".lock"))
        self.assertEqual(left, sorted({os.path.basename(self.file), *inputs}), "no temporary file is left")

    def run_full(self, *args, stdin=None):
        limit = len(self.ORIGINAL) + 8
        return self.ks("--env-file", self.file, *args, stdin=stdin, preexec_fn=full_disk(limit))

    def test_put_on_a_full_disk(self):
        rc, _, err = self.run_full("put", "big", stdin=b"v" * 4096)
        self.assert_untouched(rc, err)

    def test_delete_on_a_full_disk(self):
        with open(self.file, "a") as f:
            f.write("SECRET_GONE=Z29uZQ==\n" + "# padding\n" * 10)
        self.ORIGINAL = open(self.file).read()
        rc, _, err = self.ks("--env-file", self.file, "delete", "GONE", preexec_fn=full_disk(8))
        self.assert_untouched(rc, err)

    def write_input(self):
        with open(os.path.join(self.dir, "in.env"), "w") as f:
            f.write("".join(f"K{i}={'v' * 200}\n" for i in range(20)))
        return os.path.join(self.dir, "in.env")

    def test_import_on_a_full_disk(self):
        rc, _, err = self.run_full("import", self.write_input())
        self.assert_untouched(rc, err, "in.env")

    def test_encode_env_output_on_a_full_disk(self):
        src = self.write_input()
        self.file = os.path.join(self.dir, ".env_encoded")
        os.rename(os.path.join(self.dir, "secrets.env"), self.file)
        rc, _, err = self.ks("encode-env", src, "-O", self.file, preexec_fn=full_disk(len(self.ORIGINAL) + 8))
        self.assert_untouched(rc, err, "in.env")
