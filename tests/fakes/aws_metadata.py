#!/usr/bin/env python3
"""A loopback fake of the AWS credential endpoints that are not services moto runs, on fakelib.

Written from spec/providers.md §1.9 / §1.9b (botocore's and the SDK reference's descriptions):
- Container credentials (ECS / EKS Pod Identity): GET /container/<anything> with
  `Authorization: <--container-token>` (when given) → 200 {AccessKeyId, SecretAccessKey, Token,
  Expiration, RoleArn}; a wrong or missing token → 401 {"code":"InvalidToken"}.
- EC2 IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1–21600, else 400)
  → a text token; GET /latest/meta-data/iam/security-credentials/ → the role name (text);
  GET …/<role> → {Code: "Success", LastUpdated, Type: "AWS-HMAC", AccessKeyId, SecretAccessKey,
  Token, Expiration}. Without a valid X-aws-ec2-metadata-token header: 401 (IMDSv2 required),
  unless --imds-v1 allows token-less reads. An unknown role → 404.
- IAM Identity Center portal: GET /federation/credentials?role_name=R&account_id=A with
  `x-amz-sso_bearer_token: <--sso-token>` → {"roleCredentials": {accessKeyId, secretAccessKey,
  sessionToken, expiration (epoch ms)}}; a wrong token → 401 UnauthorizedException; another
  role/account than --sso-role/--sso-account → 403 ForbiddenException.
Every source serves the same key pair (--access-key/--secret-key) with a session token naming the
source, so that the auth-off moto accepts them and tests can tell the sources apart by the request
log. Python 3 standard library only.
"""
import datetime
import json
import secrets
import sys
import urllib.parse

from fakelib import BaseFakeHandler, FakeState, parse_args, serve

ROLE = "kestra-instance-role"


class State(FakeState):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.imds_tokens = set()


def expiration(seconds=3600):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseFakeHandler):
    def handle_request(self, body):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/container"):
            return self.container()
        if url.path == "/latest/api/token":
            return self.imds_token()
        if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
            return self.imds_credentials(url.path[len("/latest/meta-data/iam/security-credentials/"):])
        if url.path == "/federation/credentials":
            return self.sso(urllib.parse.parse_qs(url.query))
        self.send_json(404, {"message": "not found"})

    def keys(self, source):
        a = self.state.args
        return a.access_key, a.secret_key, f"fake-session-{source}"

    def container(self):
        if self.command != "GET":
            return self.send_json(405, {"message": "method not allowed"})
        want = self.state.args.container_token
        if want and self.headers.get("Authorization") != want:
            return self.send_json(401, {"code": "InvalidToken", "message": "bad authorization token"})
        key, secret, token = self.keys("container")
        self.send_json(200, {"AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
                             "Expiration": expiration(), "RoleArn": "arn:aws:iam::123456789012:role/container"})

    def imds_token(self):
        if self.command != "PUT":
            return self.send_raw(405, b"", content_type=None)
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.send_raw(400, b"", content_type=None)
        token = secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.imds_tokens.add(token)
        self.send_raw(200, token, {"X-aws-ec2-metadata-token-ttl-seconds": ttl}, content_type="text/plain")

    def imds_credentials(self, role):
        token = self.headers.get("X-aws-ec2-metadata-token")
        with self.state.lock:
            valid = token in self.state.imds_tokens
        if not valid and not (token is None and self.state.args.imds_v1):
            return self.send_raw(401, b"", content_type=None)
        if role == "":
            return self.send_raw(200, ROLE, content_type="text/plain")
        if role != ROLE:
            return self.send_raw(404, b"", content_type=None)
        key, secret, session = self.keys("imds")
        self.send_json(200, {"Code": "Success", "LastUpdated": expiration(0), "Type": "AWS-HMAC",
                             "AccessKeyId": key, "SecretAccessKey": secret, "Token": session,
                             "Expiration": expiration()})

    def sso(self, query):
        a = self.state.args
        if self.headers.get("x-amz-sso_bearer_token") != a.sso_token:
            return self.send_json(401, {"message": "Session token not found or invalid"},
                                  {"x-amzn-ErrorType": "UnauthorizedException"})
        if query.get("role_name") != [a.sso_role] or query.get("account_id") != [a.sso_account]:
            return self.send_json(403, {"message": "No access"}, {"x-amzn-ErrorType": "ForbiddenException"})
        key, secret, session = self.keys("sso")
        exp_ms = int((datetime.datetime.now(datetime.timezone.utc).timestamp() + 3600) * 1000)
        self.send_json(200, {"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret,
                                                 "sessionToken": session, "expiration": exp_ms}})


def extra(p):
    p.add_argument("--access-key", default="AKIAFAKEMETADATA0001")
    p.add_argument("--secret-key", default="fake/metadata/secret/key/0000000000000")
    p.add_argument("--container-token", default="")
    p.add_argument("--imds-v1", action="store_true")
    p.add_argument("--sso-token", default="")
    p.add_argument("--sso-role", default="kestra-reader")
    p.add_argument("--sso-account", default="123456789012")


if __name__ == "__main__":
    args = parse_args(sys.argv[1:], extra)
    serve(Handler, State(args), args)
