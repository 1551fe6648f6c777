"""The layering rules of DESIGN.md, checked on the sources: arrows point cmd -> backends -> src, and
only src/http includes curl, only src/crypto includes OpenSSL, only src/config includes yaml-cpp."""
import os
import re
import unittest

from kshelp import SOURCE_DIR

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def sources(top):
    for root, _, files in os.walk(os.path.join(SOURCE_DIR, top)):
        for f in files:
            if f.endswith((".cpp", ".hpp")):
                path = os.path.join(root, f)
                with open(path, encoding="utf-8") as fh:
                    yield os.path.relpath(path, SOURCE_DIR), INCLUDE.findall(fh.read())


class LayeringTests(unittest.TestCase):
    def offenders(self, tops, pattern, allowed_prefix):
        bad = []
        for top in tops:
            for path, includes in sources(top):
                if path.startswith(allowed_prefix):
                    continue
                bad += [f"{path}: {inc}" for inc in includes if re.match(pattern, inc)]
        return bad

    def test_only_src_http_includes_curl(self):
        self.assertEqual(self.offenders(["src", "backends", "cmd"], r"curl/", "src/http/"), [])

    def test_only_src_crypto_includes_openssl(self):
        self.assertEqual(self.offenders(["src", "backends", "cmd"], r"openssl/", "src/crypto/"), [])

    def test_only_src_config_includes_yaml_cpp(self):
        self.assertEqual(self.offenders(["src", "backends", "cmd"], r"yaml-cpp/", "src/config/"), [])

    def test_src_never_includes_backends_or_cmd(self):
        self.assertEqual(self.offenders(["src"], r"(backends|cmd)/", "-"), [])

    def test_backends_never_include_cmd(self):
        self.assertEqual(self.offenders(["backends"], r"cmd/", "-"), [])

    def test_a_provider_includes_no_other_provider(self):
        providers = ["aws", "azure", "google", "vault", "elasticsearch", "env"]
        bad = []
        for p in providers:
            others = "|".join(o for o in providers if o != p)
            bad += self.offenders([f"backends/{p}"], rf"backends/({others})/", "-")
        self.assertEqual(bad, [])
