"""google-secret-manager credential sources (spec/providers.md §3.5): inline key, then
GOOGLE_APPLICATION_CREDENTIALS (service_account, authorized_user), gcloud's ADC file under
$CLOUDSDK_CONFIG, the metadata server; none → exit 5."""
import json
import os
import shutil

from kshelp import KsTestCase
from test_google import DATA, GoogleFakeMixin


class GoogleAuthTests(GoogleFakeMixin, KsTestCase):
    def setUp(self):
        super().setUp()
        self.start_fake()
        self.cfg = self.config(inline_key=False)

    def g(self, *args, **kw):
        return self.ks("-c", self.cfg, *args, **kw)

    def authorized_user(self):
        with open(os.path.join(DATA, "authorized-user.json")) as f:
            doc = json.load(f)
        doc["token_uri"] = f"{self.url}/token"
        return self.write("adc.json", json.dumps(doc))

    def test_google_application_credentials_service_account(self):
        key = self.write("key.json", self.key_text())
        self.assertEqual(self.g("get", "readable", env={"GOOGLE_APPLICATION_CREDENTIALS": key})[1], b"hello")

    def test_google_application_credentials_authorized_user(self):
        env = {"GOOGLE_APPLICATION_CREDENTIALS": self.authorized_user()}
        self.assertEqual(self.g("get", "readable", env=env)[1], b"hello")
        token_calls = [r for r in self.requests() if r["path"] == "/token"]
        self.assertIn("grant_type=refresh_token", token_calls[0]["body"])

    def test_cloudsdk_config_adc_file(self):
        conf = self.path("gcloud")
        os.mkdir(conf)
        shutil.copy(self.authorized_user(), os.path.join(conf, "application_default_credentials.json"))
        self.assertEqual(self.g("get", "readable", env={"CLOUDSDK_CONFIG": conf})[1], b"hello")

    def test_home_gcloud_adc_file(self):
        conf = os.path.join(self.home, ".config", "gcloud")
        os.makedirs(conf)
        shutil.copy(self.authorized_user(), os.path.join(conf, "application_default_credentials.json"))
        self.assertEqual(self.g("get", "readable")[1], b"hello")

    def test_metadata_server(self):
        self.assertEqual(self.g("get", "readable")[1], b"hello")
        paths = [r["path"] for r in self.requests()]
        self.assertTrue(any("/computeMetadata/v1/instance/service-accounts/default/token" in p for p in paths))
        rc, out, err = self.assertExit(self.g("check-config", "--connect"), 0)
        self.assertIn("vm-sa@kestra-test.iam.gserviceaccount.com", out.decode() + err)
        self.assertExit(self.g("put", "x", stdin=b"v"), 5)  # vm-sa is viewer + accessor only

    def test_no_source_is_denied_quickly(self):
        env = {"GCE_METADATA_HOST": "127.0.0.1:9"}
        rc, _, err = self.assertExit(self.g("get", "readable", env=env, timeout=20), 5)
        self.assertIn("no Google credentials", err)

    def test_project_from_metadata_when_not_configured(self):
        self.cfg = self.config(project=None)
        self.assertEqual(self.g("get", "readable")[1], b"hello")  # metadata project-id
