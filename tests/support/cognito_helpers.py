"""Constants and small helpers shared by the Cognito tests (fixtures: cognito_fixtures.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

REGION = "us-east-1"
PASSWORD = "Corr3ct-Horse-Battery!"
NEW_PASSWORD = "N3w-Horse-Battery-Staple!"
# What moto's identity pools hand out (and the gateway's /iam routes then accept).
MOTO_KEY, MOTO_SECRET, MOTO_TOKEN = "TESTACCESSKEY12345", "ABCSECRETKEY", "ABC12345"


def login_args(profile: str = "app", user: str = "alice") -> list[str]:
    return ["login", profile, "--username", user, "--password-stdin"]


def cache_dir(home: Path) -> Path:
    return home / ".cache" / "restcli" / "cognito"


def cache_entries(home: Path, kind: str = "tokens") -> list[Path]:
    return sorted(cache_dir(home).glob(f"{kind}-*.json"))


def entry(home: Path, kind: str = "tokens") -> tuple[Path, dict]:
    (path,) = cache_entries(home, kind)
    return path, json.loads(path.read_text())


def expire(home: Path, seconds_left: float = 10, kind: str = "tokens") -> dict:
    """Make the cached tokens look nearly expired (moto always issues 3600 s tokens)."""
    path, data = entry(home, kind)
    data["expires_at"] = time.time() + seconds_left
    path.write_text(json.dumps(data))
    return data


def claims(token: str) -> dict:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})


def fields(text: str) -> dict[str, str]:
    """`auth status` output as a dict: "key: value" lines."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out
