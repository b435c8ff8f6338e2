"""`restcli config init`: a first profile from questions at a terminal, never without one;
`--print` shows a starter file; the "no config file" hint points at both."""

from __future__ import annotations

import stat
import tomllib

ENDPOINT = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"


def test_init_asks_and_writes_an_api_key_profile_with_a_reference(terminal, tmp_path):
    cfg = tmp_path / "cfg" / "profiles.toml"
    r = terminal("--config", cfg, "config", "init", stdin=f"shop\n{ENDPOINT}\napi_key\n\n")
    assert r.code == 0, r.stderr
    assert "Profile name [default]: " in r.stderr
    assert "Auth mode (iam, cognito, token, api_key, none) [iam]: " in r.stderr
    assert "api_key: where the secret lives" in r.stderr and "[env:SHOP_API_KEY]" in r.stderr
    assert tomllib.loads(cfg.read_text()) == {"profiles": {"shop": {
        "endpoint": ENDPOINT, "auth": "api_key", "api_key": "env:SHOP_API_KEY"}}}
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert "added profile shop" in r.stderr
    assert terminal("--config", cfg, "config", "check", tty=False).code == 0


def test_init_defaults_to_an_iam_profile_named_default(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    r = terminal("--config", cfg, "config", "init", stdin=f"\n{ENDPOINT}\n\n")
    assert r.code == 0, r.stderr
    assert tomllib.loads(cfg.read_text())["profiles"] == {
        "default": {"endpoint": ENDPOINT, "auth": "iam"}}


def test_init_asks_a_cognito_profile_for_its_user_pool(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    answers = f"app\n{ENDPOINT}\ncognito\neu-west-1_AbC123\nclient42\n"
    r = terminal("--config", cfg, "config", "init", stdin=answers)
    assert r.code == 0, r.stderr
    assert "user_pool_id (" in r.stderr and "client_id (" in r.stderr
    assert tomllib.loads(cfg.read_text())["profiles"]["app"] == {
        "endpoint": ENDPOINT, "auth": "cognito", "user_pool_id": "eu-west-1_AbC123",
        "client_id": "client42"}


def test_init_refuses_a_literal_secret(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    r = terminal("--config", cfg, "config", "init",
                 stdin=f"shop\n{ENDPOINT}\ntoken\nmy-real-token-value\n")
    assert r.code == 2
    assert "refusing to write a literal secret to token" in r.stderr
    assert "env:SHOP_TOKEN" in r.stderr
    assert not cfg.exists()


def test_init_refuses_an_unknown_mode_and_a_missing_endpoint(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    r = terminal("--config", cfg, "config", "init", stdin=f"x\n{ENDPOINT}\nsigv5\n")
    assert r.code == 2 and "unknown auth mode 'sigv5'" in r.stderr
    assert "iam, cognito, token, api_key, none" in r.stderr
    r = terminal("--config", cfg, "config", "init", stdin="x\n\n")
    assert r.code == 2 and "no answer given for: endpoint" in r.stderr
    assert not cfg.exists()


def test_init_writes_through_the_validating_writer(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    r = terminal("--config", cfg, "config", "init", stdin="x\nnot a url\nnone\n")
    assert r.code == 8
    assert "edit refused" in r.stderr and "endpoint" in r.stderr
    assert not cfg.exists()


def test_init_adds_to_an_existing_file_keeping_it_as_written(terminal, write_config):
    original = '# my APIs\n[profiles.old]  # the first one\nendpoint = "https://old.example.com"\n'
    cfg = write_config(original)
    r = terminal("--config", cfg, "config", "init", stdin=f"new\n{ENDPOINT}\nnone\n")
    assert r.code == 0, r.stderr
    text = cfg.read_text()
    assert text.startswith(original)
    assert (cfg.parent / "profiles.toml.bak").read_text() == original
    assert tomllib.loads(text)["profiles"]["new"] == {"endpoint": ENDPOINT, "auth": "none"}
    r = terminal("--config", cfg, "config", "init", stdin=f"old\n{ENDPOINT}\nnone\n")
    assert r.code == 8 and "profile 'old' exists" in r.stderr
    assert "Endpoint" not in r.stderr  # refused before asking more


def test_init_without_a_terminal_names_the_flags_and_reads_nothing(terminal, tmp_path):
    cfg = tmp_path / "p.toml"
    r = terminal("--config", cfg, "config", "init", stdin=f"shop\n{ENDPOINT}\nnone\n", tty=False)
    assert r.code == 2
    assert "restcli profiles add NAME --endpoint URL --auth MODE --set key=value" in r.stderr
    assert "Profile name" not in r.stderr
    assert not cfg.exists()
    # A terminal on stdout alone is not a person at the keyboard.
    r = terminal("--config", cfg, "config", "init", stdin="x\n", stdin_tty=False)
    assert r.code == 2 and not cfg.exists()


def test_print_shows_a_starter_file_that_checks_clean(terminal, tmp_path):
    r = terminal("config", "init", "--print", tty=False)
    assert r.code == 0, r.stderr
    starter = tmp_path / "starter.toml"
    starter.write_bytes(r.stdout)
    starter.chmod(0o600)
    profile = tomllib.loads(r.out)["profiles"]["myApi"]
    assert profile["api_key"].startswith("env:")
    check = terminal("--config", starter, "config", "check", tty=False)
    assert check.code == 0, check.stderr
    assert not (tmp_path / "home" / ".config" / "restcli" / "profiles.toml").exists()


def test_no_config_file_hint_points_at_config_init(cli, tmp_path):
    missing = tmp_path / "none.toml"
    for args in (("get", "shop", "/items"), ("profiles", "list"), ("profiles", "show", "shop")):
        r = cli("--config", missing, *args)
        assert r.code == 8
        assert f"no config file at {missing}" in r.stderr
        assert "restcli config init" in r.stderr and "--print" in r.stderr


def test_config_init_help_ends_with_examples(cli):
    r = cli("config", "init", "--help")
    assert r.code == 0
    assert r.out.rstrip().splitlines()[-1].strip().startswith("restcli config init --print")
