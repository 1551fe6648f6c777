#!/usr/bin/env python3
"""Shared loopback servers for the end-to-end tests, started and stopped by CTest fixtures.

    servers.py start NAME STATE_DIR     starts the server, writes STATE_DIR/NAME.json, returns
    servers.py stop NAME STATE_DIR      stops it

NAME `moto`: moto_server on 127.0.0.1 with signature checking ON (DESIGN.md): an IAM user `admin`
allowed everything, an IAM user `limited` denied secretsmanager:PutSecretValue, then
POST /moto-api/reset-auth with body 0 so every later request must be signed by one of them.
The state file holds {"endpoint", "pid", "users": {"admin": {"key", "secret"}, "limited": {...}}}.
Tests that share a server use their own secret names (a per-test prefix).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

START_TIMEOUT = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=START_TIMEOUT, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def moto_binary():
    exe = os.environ.get("KS_MOTO_SERVER") or ""
    if not exe or not os.path.exists(exe):
        import shutil
        exe = shutil.which("moto_server") or ""
    return exe


def start_moto(state_dir, auth=True):
    exe = moto_binary()
    if not exe:
        raise RuntimeError("moto_server not found")
    port = free_port()
    log = open(os.path.join(state_dir, "moto.log"), "wb")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log,
                            start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    wait_http(endpoint + "/moto-api/", proc=proc)
    users = {}
    if auth:
        import boto3
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        policies = {
            "admin": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            "limited": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "secretsmanager:PutSecretValue", "Resource": "*"}]},
        }
        for name, doc in policies.items():
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(doc))
            key = iam.create_access_key(UserName=name)["AccessKey"]
            users[name] = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
        req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(req, timeout=5).read()
    return {"endpoint": endpoint, "pid": proc.pid, "users": users}


STARTERS = {
    "moto": lambda d: start_moto(d, auth=True),
    "moto-noauth": lambda d: start_moto(d, auth=False),
}


def main():
    action, name, state_dir = sys.argv[1:4]
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, f"{name}.json")
    if action == "start":
        if name.startswith("moto") and not moto_binary():
            # Not here: the tests that need it fail under CI=true and are skipped loudly otherwise.
            if os.environ.get("CI") == "true":
                print("moto_server is not installed (it comes with the machine's image)", file=sys.stderr)
                return 1
            state = {"missing": "moto_server is not installed"}
            with open(path, "w") as f:
                json.dump(state, f)
            return 0
        state = STARTERS[name](state_dir)
        with open(path, "w") as f:
            json.dump(state, f)
        return 0
    if action == "stop":
        try:
            with open(path) as f:
                pid = json.load(f)["pid"]
            os.killpg(pid, signal.SIGTERM)
        except (OSError, ValueError, KeyError):
            pass
        try:
            os.unlink(path)
        except OSError:
            pass
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
