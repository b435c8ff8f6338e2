"""The profile-file factory writes what config.py reads back."""

import tomllib

from restcli.config import parse
from tests.support.profiles import profile_file, profiles_toml


def test_values_round_trip_through_toml():
    text = profiles_toml(
        defaults={"timeout": 5.5, "headers": {"X-Client": "t"}},
        api={"endpoint": "https://h.example/dev", "auth": "api_key", "api_key": "env:K",
             "retries": 0, "headers": {"X-Quote": 'a "b"'}},
        **{"odd name": {"endpoint": "http://127.0.0.1:1/x", "auth": "none", "guest": True}},
    )
    doc = tomllib.loads(text)
    assert doc["defaults"] == {"timeout": 5.5, "headers": {"X-Client": "t"}}
    assert doc["profiles"]["api"]["headers"] == {"X-Quote": 'a "b"'}
    assert doc["profiles"]["odd name"]["guest"] is True


def test_the_file_is_private_and_valid(tmp_path):
    path = profile_file(tmp_path, api={"endpoint": "https://h.example/dev", "auth": "none"})
    assert path.stat().st_mode & 0o077 == 0
    config = parse(path.read_bytes(), path)
    assert config.profile("api").endpoint == "https://h.example/dev"
