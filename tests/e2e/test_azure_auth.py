"""Azure credential sources without a configured client secret (spec/providers.md §2.5): the
environment, workload identity, App Service and IMDS managed identity, the Azure CLI, Azure Arc
(unsupported) and nothing at all, each against the fake."""
import json
import os
import socket
import sys
import time

from test_azure import CA, CLIENT1, DATA, SECRET1, TENANT, AzureCase

CLIENT3 = "33333333-3333-4333-8333-333333333333"
MI_USER = "66666666-6666-4666-8666-666666666666"

AZ_SCRIPT = """#!{python}
import json, ssl, sys, urllib.parse, urllib.request
with open({record!r}, "w") as f:
    json.dump(sys.argv[1:], f)
body = urllib.parse.urlencode({{"client_id": {client!r}, "client_secret": {secret!r},
                                "scope": "https://vault.azure.net/.default", "grant_type": "client_credentials"}})
ctx = ssl.create_default_context(cafile={ca!r})
with urllib.request.urlopen({base!r} + "/{tenant}/oauth2/v2.0/token", body.encode(), context=ctx) as r:
    tok = json.load(r)["access_token"]
print(json.dumps({{"accessToken": tok, "expires_on": 4102444800, "tenant": {tenant!r}, "tokenType": "Bearer"}}))
"""


class AzureAuthTests(AzureCase):
    def setUp(self):
        super().setUp()
        self.nocreds = self.config("nocreds.yml", client=None)
        self.bindir = self.path("bin")
        os.mkdir(self.bindir)
        self.env["PATH"] = self.bindir + ":/usr/bin:/bin"

    def connect(self, env):
        rc, out, err = self.kz("check-config", "--connect", cfg=self.nocreds, env=env)
        self.assertEqual(rc, 0, err)
        return out.decode() + err

    def assert_reads(self, env):
        rc, out, err = self.kz("get", "top-secret", cfg=self.nocreds, env=env)
        self.assertEqual((rc, out), (0, b"classified"), err)

    def test_environment_client_secret(self):
        env = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT1, "AZURE_CLIENT_SECRET": SECRET1}
        self.assert_reads(env)
        text = self.connect(env)
        self.assertIn("AZURE_CLIENT_SECRET", text)
        self.assertIn(CLIENT1, text)
        self.assertNotIn(SECRET1, text)

    def test_workload_identity_token_file(self):
        env = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT3,
               "AZURE_FEDERATED_TOKEN_FILE": os.path.join(DATA, "azure", "federated-token.txt")}
        self.assert_reads(env)
        self.assertIn("workload identity", self.connect(env))
        token = [r for r in self.requests() if "/oauth2/v2.0/token" in r["path"]][-1]
        self.assertIn("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
                      token["body"])

    def test_app_service_managed_identity(self):
        env = {"IDENTITY_ENDPOINT": self.base + "/msi/token", "IDENTITY_HEADER": "fake-identity-header"}
        self.assert_reads(env)
        self.assertIn("App Service", self.connect(env))
        msi = [r for r in self.requests() if r["path"].startswith("/msi/token")]
        self.assertIn("resource=https%3A%2F%2Fvault.azure.net", msi[0]["path"])

    def test_imds_system_and_user_assigned(self):
        self.assert_reads({})
        self.assertIn("IMDS", self.connect({}))
        self.assert_reads({"AZURE_CLIENT_ID": MI_USER})
        text = self.connect({"AZURE_CLIENT_ID": MI_USER})
        self.assertIn(MI_USER, text)

    def test_azure_cli_on_path(self):
        record = self.path("az-args.json")
        script = AZ_SCRIPT.format(python=sys.executable, record=record, client=CLIENT1, secret=SECRET1, ca=CA,
                                  base=self.base, tenant=TENANT)
        self.write("bin/az", script, 0o755)
        env = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
        self.assert_reads(env)
        with open(record) as f:
            self.assertEqual(json.load(f), ["account", "get-access-token", "--resource", "https://vault.azure.net",
                                            "--output", "json"])
        self.assertIn("Azure CLI", self.connect(env))

    def test_azure_arc_is_reported_unsupported(self):
        env = {"IDENTITY_ENDPOINT": "http://127.0.0.1:9/metadata/identity/oauth2/token",
               "IMDS_ENDPOINT": "http://127.0.0.1:9"}
        rc, _, err = self.assertExit(self.kz("get", "top-secret", cfg=self.nocreds, env=env), 5)
        self.assertIn("Arc", err)

    def test_no_source_is_denied_quickly_naming_what_was_tried(self):
        env = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
        start = time.monotonic()
        rc, _, err = self.assertExit(self.kz("get", "top-secret", cfg=self.nocreds, env=env), 5)
        self.assertLess(time.monotonic() - start, 10)
        for tried in ("AZURE_CLIENT_SECRET", "workload identity", "IMDS", "Azure CLI"):
            self.assertIn(tried, err)

    def test_imds_probe_does_not_hang_on_a_silent_host(self):
        # A loopback listener that accepts and never answers: the probe gives up after its short timeout.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        try:
            env = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": f"http://127.0.0.1:{silent.getsockname()[1]}"}
            start = time.monotonic()
            rc, _, err = self.assertExit(self.kz("get", "top-secret", cfg=self.nocreds, env=env), 5)
            self.assertLess(time.monotonic() - start, 6)
            self.assertIn("IMDS", err)
        finally:
            silent.close()
