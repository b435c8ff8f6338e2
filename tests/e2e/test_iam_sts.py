"""An assume-role AWS profile whose STS call goes to moto's server on 127.0.0.1.

The gateway checks the signature with the temporary credentials moto issued (looked up
in moto's backend by key id), session token included.
"""

from __future__ import annotations

import logging
import os
import socket
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

ROLE_ARN = "arn:aws:iam::123456789012:role/restcli-test"


@pytest.fixture(scope="module")
def sts_server():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class MotoIssued(Mapping):
    """access key id -> (secret, session token) of every role session moto has handed out."""

    def _all(self) -> dict:
        from moto.sts.models import sts_backends

        issued = {}
        for regions in sts_backends.values():
            for backend in regions.values():
                for role in backend.assumed_roles:
                    issued[role.access_key_id] = (role.secret_access_key, role.session_token)
        return issued

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


def test_assume_role_profile(cli, write_config, gateway, sts_server):
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n"
    )
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        textwrap.dedent(
            f"""\
            [profile deploy]
            role_arn = {ROLE_ARN}
            source_profile = base
            region = us-east-1
            endpoint_url = {sts_server}
            """
        )
    )
    gateway.credentials = MotoIssued()
    config = write_config(
        f"""
        [profiles.api]
        endpoint = "{gateway.url}/iam"
        aws_profile = "deploy"
        """
    )
    r = cli("--config", config, "get", "api", "/items")
    assert r.code == 0, r.stderr
    principal = r.json()["principal"]
    assert principal in MotoIssued() and principal != "AKIDBASE"
    secret, token = MotoIssued()[principal]
    assert gateway.last.header("x-amz-security-token") == token
    assert secret not in r.out + r.stderr and token not in r.stderr


def test_assume_role_refused(cli, write_config, gateway, sts_server, tmp_path):
    # the source profile is missing: botocore cannot even ask STS
    Path(os.environ["AWS_CONFIG_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        f"[profile deploy]\nrole_arn = {ROLE_ARN}\nsource_profile = gone\nregion = us-east-1\n"
        f"endpoint_url = {sts_server}\n"
    )
    config = write_config(f'[profiles.api]\nendpoint = "{gateway.url}/iam"\n')
    r = cli("--config", config, "get", "api", "/items", "--aws-profile", "deploy")
    assert r.code == 9, r.stderr
    assert "deploy" in r.stderr
    assert not gateway.received
