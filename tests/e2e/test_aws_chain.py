"""The AWS default credential chain end to end (spec/providers.md §1.9, spec/kestra.md §2 aws row):
the built binary against moto (STS AssumeRole with signature checking on; AssumeRoleWithWebIdentity
on the auth-off moto, since moto refuses unsigned calls when checking is on), and against
tests/fakes/aws_metadata.py for the container endpoint, EC2 IMDSv2 and the SSO portal. Every
endpoint is on loopback (AWS_ENDPOINT_URL*, AWS_EC2_METADATA_SERVICE_ENDPOINT,
AWS_CONTAINER_CREDENTIALS_FULL_URI)."""
import json
import os
import socket
import sys
import time
import urllib.request
import uuid

import kshelp
from kshelp import KsTestCase

FIXTURES = ["moto", "moto-noauth"]

PYTHON = os.environ.get("KS_PYTHON3") or sys.executable
CONFIG = "kestra: {secret: {type: aws-secret-manager, aws-secret-manager: {region: us-east-1}}}"
FAST_FAIL_SECONDS = 3.0


class AwsChainTests(KsTestCase):
    def setUp(self):
        super().setUp()
        self.env["KESTRA_CONFIGURATION"] = CONFIG
        self.key = "chain-" + uuid.uuid4().hex[:10]

    # --- helpers -------------------------------------------------------------------------------
    def moto(self, name="moto"):
        state = kshelp.server_state(self, name)
        self.env["AWS_ENDPOINT_URL"] = state["endpoint"]
        return state

    def fake(self, *args):
        """Starts tests/fakes/aws_metadata.py; returns its base URL."""
        return kshelp.start_fake(self, "aws_metadata.py", *args, max_seconds=120).url

    def fake_requests(self, base):
        with urllib.request.urlopen(base + "/_fake/requests", timeout=5) as r:
            return json.load(r)

    def aws_files(self, config="", credentials=""):
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        self.write("home/.aws/config", config)
        self.write("home/.aws/credentials", credentials)

    def boto(self, service, state, user="admin"):
        import boto3
        u = state["users"][user]
        return boto3.client(service, endpoint_url=state["endpoint"], region_name="us-east-1",
                            aws_access_key_id=u["key"], aws_secret_access_key=u["secret"])

    def role(self, state):
        """An IAM role allowed everything on the auth-on moto; its ARN."""
        iam = self.boto("iam", state)
        name = "kestra-" + uuid.uuid4().hex[:8]
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        return arn

    def round_trip(self, env=None):
        """put, get and list through whatever credentials the chain finds."""
        self.assertExit(self.ks("put", self.key, env=env, stdin=b"v-" + self.key.encode()), 0)
        rc, out, err = self.assertExit(self.ks("get", self.key, env=env), 0)
        self.assertEqual(out, b"v-" + self.key.encode())
        rc, out, err = self.assertExit(self.ks("list", env=env), 0)
        self.assertIn(self.key.encode(), out)

    def assert_no_credentials(self, result):
        rc, out, err = self.assertExit(result, 5)
        self.assertIn("no AWS credentials found", err)
        return err

    # --- assume role ---------------------------------------------------------------------------
    def test_assume_role_with_source_profile_signed_against_moto(self):
        state = self.moto()
        arn = self.role(state)
        admin = state["users"]["admin"]
        self.aws_files(
            config=f"[profile app]\nrole_arn = {arn}\nsource_profile = base\nrole_session_name = kestra-e2e\n"
                   f"duration_seconds = 900\nexternal_id = ext-1\n"
                   f"[profile chained]\nrole_arn = {arn}\nsource_profile = app\n",
            credentials=f"[base]\naws_access_key_id = {admin['key']}\naws_secret_access_key = {admin['secret']}\n")
        self.env["AWS_PROFILE"] = "app"
        self.round_trip()
        self.env["AWS_PROFILE"] = "chained"
        self.assertExit(self.ks("get", self.key), 0)

    def test_assume_role_with_a_wrong_source_secret_is_denied(self):
        state = self.moto()
        arn = self.role(state)
        admin = state["users"]["admin"]
        self.aws_files(config=f"[profile app]\nrole_arn = {arn}\nsource_profile = base\n",
                       credentials=f"[base]\naws_access_key_id = {admin['key']}\naws_secret_access_key = wrong-secret\n")
        self.env["AWS_PROFILE"] = "app"
        rc, out, err = self.assertExit(self.ks("list"), 5)
        self.assertIn("AssumeRole", err)
        self.assertNotIn("wrong-secret", err)

    def test_assume_role_loop_is_a_configuration_error(self):
        self.moto()
        self.aws_files(config="[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n"
                              "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n")
        self.env["AWS_PROFILE"] = "a"
        rc, out, err = self.assertExit(self.ks("list"), 3)
        self.assertIn("loops", err)

    def test_assume_role_with_credential_source_ec2_instance_metadata(self):
        self.moto("moto-noauth")
        base = self.fake()
        self.env.update({"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": base})
        self.aws_files(config="[default]\nrole_arn = arn:aws:iam::123456789012:role/from-ec2\n"
                              "credential_source = Ec2InstanceMetadata\n")
        self.round_trip()
        paths = [r["path"] for r in self.fake_requests(base)]
        self.assertIn("/latest/api/token", paths)

    # --- web identity --------------------------------------------------------------------------
    def test_web_identity_from_the_environment_unsigned(self):
        self.moto("moto-noauth")
        token = self.write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl")
        self.env.update({"AWS_WEB_IDENTITY_TOKEN_FILE": token,
                         "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
                         "AWS_ROLE_SESSION_NAME": "kestra-web"})
        self.round_trip()
        rc, out, err = self.ks("-vv", "get", self.key)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl", err)  # the tracer hides the token

    def test_web_identity_from_a_profile(self):
        self.moto("moto-noauth")
        token = self.write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.e30.cHJvZmlsZQ")
        self.aws_files(config=f"[profile web]\nweb_identity_token_file = {token}\n"
                              "role_arn = arn:aws:iam::123456789012:role/web\n")
        self.env["AWS_PROFILE"] = "web"
        self.round_trip()

    # --- container -----------------------------------------------------------------------------
    def test_container_full_uri_with_token_file(self):
        self.moto("moto-noauth")
        base = self.fake("--container-token", "Bearer ctoken-1")
        token_file = self.write("ctoken", "Bearer ctoken-1\n")
        self.env.update({"AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/v1/creds",
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})
        self.round_trip()
        reqs = [r for r in self.fake_requests(base) if r["path"].startswith("/container")]
        self.assertTrue(reqs)
        self.assertEqual(reqs[0]["headers"].get("Authorization"), "Bearer ctoken-1")
        self.assertEqual(len(reqs), 3, "fetched once per run")

    def test_container_wrong_token_is_denied_and_non_loopback_http_refused(self):
        self.moto("moto-noauth")
        base = self.fake("--container-token", "right")
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds",
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"}
        rc, out, err = self.assertExit(self.ks("list", env=env), 5)
        self.assertNotIn("wrong", err.replace("went wrong", ""))
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.1.2.3/creds"
        self.assertExit(self.ks("list", env=env), 3)

    def expired_once_proxy(self, times):
        """tests/fakes/faults.py in front of the auth-off moto: GetSecretValue answers
        ExpiredTokenException `times` times, then goes through."""
        state = self.moto("moto-noauth")
        expired = {"status": 400, "body": json.dumps({"__type": "ExpiredTokenException",
                                                      "message": "The security token included in the request is expired"})}
        script = {"upstream": state["endpoint"],
                  "routes": {"secretsmanager.GetSecretValue": [expired] * times + [{"proxy": True}]}}
        return kshelp.start_fake(self, "faults.py", "--script", json.dumps(script), max_seconds=None).url

    def test_expired_temporary_credentials_are_renewed_once_and_the_request_sent_again(self):
        self.moto("moto-noauth")
        base = self.fake()
        container = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds"}
        self.assertExit(self.ks("put", self.key, env=container, stdin=b"v1"), 0)
        self.env["AWS_ENDPOINT_URL"] = self.expired_once_proxy(1)
        fetched = len([r for r in self.fake_requests(base) if r["path"].startswith("/container")])
        rc, out, err = self.assertExit(self.ks("get", self.key, env=container), 0)
        self.assertEqual(out, b"v1")
        again = [r for r in self.fake_requests(base) if r["path"].startswith("/container")]
        self.assertEqual(len(again) - fetched, 2, "fetched at start, then once more after ExpiredTokenException")

    def test_credentials_still_expired_after_renewal_are_exit_5(self):
        self.moto("moto-noauth")
        base = self.fake()
        container = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds"}
        self.assertExit(self.ks("put", self.key, env=container, stdin=b"v1"), 0)
        fetched = len([r for r in self.fake_requests(base) if r["path"].startswith("/container")])
        self.env["AWS_ENDPOINT_URL"] = self.expired_once_proxy(50)
        rc, out, err = self.assertExit(self.ks("get", self.key, env=container), 5)
        self.assertIn("ExpiredTokenException", err)
        self.assertEqual(len([r for r in self.fake_requests(base) if r["path"].startswith("/container")]) - fetched, 2)

    def test_long_term_keys_are_not_renewed(self):
        self.moto("moto-noauth")
        keys = {"AWS_ACCESS_KEY_ID": "AKIDLONGTERM", "AWS_SECRET_ACCESS_KEY": "long-term-secret"}
        self.assertExit(self.ks("put", self.key, env=keys, stdin=b"v1"), 0)
        self.env["AWS_ENDPOINT_URL"] = self.expired_once_proxy(1)
        rc, out, err = self.assertExit(self.ks("get", self.key, env=keys), 5)
        self.assertIn("expired", err)

    # --- EC2 IMDS ------------------------------------------------------------------------------
    def test_imds_v2_token_then_role_then_credentials(self):
        self.moto("moto-noauth")
        base = self.fake()
        self.env.update({"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": base})
        self.round_trip()
        reqs = self.fake_requests(base)[:3]
        self.assertEqual([(r["method"], r["path"]) for r in reqs], [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            ("GET", "/latest/meta-data/iam/security-credentials/kestra-instance-role")])
        self.assertEqual(reqs[0]["headers"].get("X-aws-ec2-metadata-token-ttl-seconds"), "21600")
        self.assertTrue(reqs[1]["headers"].get("X-aws-ec2-metadata-token"))

    def test_imds_that_never_answers_fails_fast_with_no_credentials(self):
        self.moto("moto-noauth")
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(16)  # accepts connections (the backlog) and never answers
            port = silent.getsockname()[1]
            self.env.update({"AWS_EC2_METADATA_DISABLED": "false",
                             "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{port}"})
            start = time.monotonic()
            err = self.assert_no_credentials(self.ks("list"))
            elapsed = time.monotonic() - start
        self.assertLess(elapsed, FAST_FAIL_SECONDS)
        self.assertIn("EC2 instance metadata", err)

    def test_imds_disabled_is_not_contacted(self):
        self.moto("moto-noauth")
        base = self.fake()
        self.env.update({"AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": base})
        self.assert_no_credentials(self.ks("list"))
        self.assertEqual(self.fake_requests(base), [])

    # --- credential_process --------------------------------------------------------------------
    def test_credential_process_with_quoted_arguments(self):
        state = self.moto()
        admin = state["users"]["admin"]
        doc = json.dumps({"Version": 1, "AccessKeyId": admin["key"], "SecretAccessKey": admin["secret"]})
        script = self.write("my helper.py", f"import sys\nassert sys.argv[1] == 'two words'\nprint({doc!r})\n")
        self.aws_files(config=f"[default]\ncredential_process = {PYTHON} '{script}' \"two words\"\n")
        self.round_trip()

    def test_credential_process_failure_is_denied_without_stdout(self):
        self.moto()
        script = self.write("fail.sh", "#!/bin/sh\necho LEAKED-STDOUT\necho 'session expired' >&2\nexit 2\n", 0o755)
        self.aws_files(config=f"[default]\ncredential_process = {script}\n")
        rc, out, err = self.assertExit(self.ks("list"), 5)
        self.assertIn("session expired", err)
        self.assertNotIn("LEAKED-STDOUT", err)

    # --- SSO -----------------------------------------------------------------------------------
    def sso_profile(self, base, expires):
        self.env["AWS_ENDPOINT_URL_SSO"] = base
        self.aws_files(config="[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
                              "sso_role_name = kestra-reader\n"
                              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                              "sso_region = eu-west-1\n")
        import hashlib
        cache = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(cache)
        with open(os.path.join(cache, hashlib.sha1(b"corp").hexdigest() + ".json"), "w") as f:
            json.dump({"accessToken": "sso-token-1", "expiresAt": expires, "region": "eu-west-1"}, f)
        self.env["AWS_PROFILE"] = "sso"

    def test_sso_session_profile_with_cached_token(self):
        self.moto("moto-noauth")
        base = self.fake("--sso-token", "sso-token-1")
        self.sso_profile(base, "2100-01-01T00:00:00Z")
        self.round_trip()
        reqs = [r for r in self.fake_requests(base) if r["path"].startswith("/federation")]
        self.assertEqual(len(reqs), 3)
        self.assertEqual(reqs[0]["headers"].get("x-amz-sso_bearer_token"), "sso-token-1")

    def test_sso_expired_token_asks_for_sso_login(self):
        self.moto("moto-noauth")
        base = self.fake("--sso-token", "sso-token-1")
        self.sso_profile(base, "2001-01-01T00:00:00Z")
        rc, out, err = self.assertExit(self.ks("list"), 5)
        self.assertIn("aws sso login", err)
        self.assertNotIn("sso-token-1", err)
        self.assertEqual(self.fake_requests(base), [])

    # --- precedence ----------------------------------------------------------------------------
    def test_environment_keys_win_over_container_and_imds(self):
        state = self.moto()
        admin = state["users"]["admin"]
        base = self.fake()
        self.env.update({"AWS_ACCESS_KEY_ID": admin["key"], "AWS_SECRET_ACCESS_KEY": admin["secret"],
                         "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds",
                         "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": base})
        self.round_trip()
        self.assertEqual(self.fake_requests(base), [])

    def test_credentials_file_wins_over_credential_process_and_imds(self):
        state = self.moto()
        admin = state["users"]["admin"]
        base = self.fake()
        marker = self.path("process-ran")
        self.aws_files(config=f"[default]\ncredential_process = /bin/sh -c 'touch {marker}; exit 1'\n",
                       credentials=f"[default]\naws_access_key_id = {admin['key']}\n"
                                   f"aws_secret_access_key = {admin['secret']}\n")
        self.env.update({"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": base})
        self.round_trip()
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(self.fake_requests(base), [])

    def test_web_identity_wins_over_container(self):
        self.moto("moto-noauth")
        base = self.fake()
        token = self.write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.e30.d2lucw")
        self.env.update({"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
                         "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds"})
        self.round_trip()
        self.assertEqual(self.fake_requests(base), [])
