"""Start-up: with credentials in the environment, an iam call never imports boto3/botocore.

Measured this way: `python -X importtime -m restcli --config F get prof /iam/x
--offline` in a separate process, whose import log must not name either package.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest


def imported(stderr: str) -> set[str]:
    """Top-level packages in a -X importtime log."""
    names = set()
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", line.strip())
        if m:
            names.add(m.group(1).split(".")[0])
    return names


@pytest.fixture
def profile(write_config, gateway):
    return write_config(
        f"""
        [profiles.prof]
        endpoint = "{gateway.url}"
        region = "us-east-1"
        """
    )


def importtime(config, *extra, env=None):
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "restcli", "--config", str(config),
         "get", "prof", "/iam/x", "--offline", *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_env_fast_path_imports_neither_boto3_nor_botocore(profile):
    proc = importtime(
        profile, env={"AWS_ACCESS_KEY_ID": "AKIDFAST", "AWS_SECRET_ACCESS_KEY": "fastsecret"}
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Credential=AKIDFAST/" in proc.stdout
    names = imported(proc.stderr)
    assert "requests_aws4auth" in names  # the log is real: the signer was loaded
    assert "boto3" not in names and "botocore" not in names


def test_a_static_named_profile_does_not_load_boto3(profile):
    config = os.environ["AWS_CONFIG_FILE"]
    os.makedirs(os.path.dirname(config), exist_ok=True)
    with open(config, "w") as f:
        f.write("[profile dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n")
    proc = importtime(profile, "--aws-profile", "dev")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Credential=AKIDDEV/" in proc.stdout
    assert "boto3" not in imported(proc.stderr)


def test_a_named_profile_botocore_must_resolve_does_load_boto3(profile):
    # the converse, so that the checks above cannot pass by not seeing imports at all
    config = os.environ["AWS_CONFIG_FILE"]
    os.makedirs(os.path.dirname(config), exist_ok=True)
    with open(config, "w") as f:
        f.write(
            "[profile dev]\ncredential_process = "
            f"{sys.executable} -c \"print('{{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIDDEV\\\", "
            "\\\"SecretAccessKey\\\": \\\"s\\\"}')\"\n"
        )
    proc = importtime(profile, "--aws-profile", "dev")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Credential=AKIDDEV/" in proc.stdout
    assert "botocore" in imported(proc.stderr)
