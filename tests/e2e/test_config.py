"""The profiles file through the CLI: where it is found, validation, and the read commands."""

from __future__ import annotations

from tests.conftest import API_KEY


def test_config_path_order(cli, write_config, isolated, monkeypatch, tmp_path):
    default = isolated / ".config" / "restcli" / "profiles.toml"
    assert cli("config", "path").out.strip() == str(default)
    monkeypatch.setenv("RESTCLI_CONFIG", str(tmp_path / "env.toml"))
    assert cli("config", "path").out.strip() == str(tmp_path / "env.toml")
    assert cli("--config", tmp_path / "opt.toml", "config", "path").out.strip() == str(
        tmp_path / "opt.toml"
    )


def test_user_config_dir_is_used(cli, isolated, gateway):
    path = isolated / ".config" / "restcli" / "profiles.toml"
    path.parent.mkdir(parents=True)
    path.write_text(f'[profiles.home]\nendpoint = "{gateway.url}/open"\nauth = "none"\n')
    assert cli("get", "home", "/x").code == 0


def test_current_directory_is_never_read(run, tmp_path, gateway):
    work = tmp_path / "repo"
    work.mkdir()
    marker = tmp_path / "ran"
    (work / "profiles.toml").write_text(
        f'[profiles.evil]\nendpoint = "{gateway.url}/open"\nauth = "token"\n'
        f'token = "command:touch {marker}"\n'
    )
    (work / ".restcli.toml").write_text((work / "profiles.toml").read_text())
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "restcli", "get", "evil", "/x"],
        cwd=work, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
    )
    assert proc.returncode == 8
    assert not marker.exists()


def test_malformed_toml_names_file_and_line(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://x"\nauth = \n')
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert str(cfg) in r.stderr
    assert "line 3" in r.stderr
    assert "Traceback" not in r.stderr


def test_every_problem_reported_at_once(cli, write_config):
    cfg = write_config(
        """
        [defaults]
        timeout = "soon"
        endpoint = "http://not-here"

        [profiles.a]
        endpoint = "http://127.0.0.1:1/a"
        auth = "api_key"
        api_kye = "env:X"

        [profiles.b]
        auth = "tokn"

        [profiles.c]
        endpoint = "ftp://x"
        retries = -1
        [profiles.c.headers]
        "Bad Name" = "x"
        X-Num = 5

        [profile.typo]
        endpoint = "http://x"
        """
    )
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    err = r.stderr
    assert f"{cfg}:3: defaults.timeout: must be a number, not a string" in err
    assert f"{cfg}:4: defaults.endpoint: unknown key" in err
    assert f"{cfg}:9: profiles.a.api_kye: unknown key; did you mean 'api_key'?" in err
    assert "profiles.b: missing required key 'endpoint'" in err
    assert "profiles.b.auth: unknown auth mode 'tokn'; did you mean 'token'?" in err
    assert "profiles.c.endpoint: must be an http(s) URL" in err
    assert "profiles.c.retries: must be from 0 to 10" in err
    assert "profiles.c.headers.Bad Name: is not a valid header name" in err
    assert "profiles.c.headers.X-Num: header values must be strings" in err
    assert "profile: unknown table; did you mean 'profiles'?" in err


def test_invalid_config_blocks_requests_with_exit_8(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1"\ntimeout = true\n')
    assert cli("--config", cfg, "get", "a", "/x").code == 8


def test_config_check_ok(cli, profiles):
    r = cli("config", "check")
    assert r.code == 0
    assert "ok, 4 profiles" in r.out


def test_missing_config_file(cli, tmp_path):
    r = cli("--config", tmp_path / "none.toml", "config", "check")
    assert r.code == 8
    assert "no config file" in r.stderr
    r = cli("--config", tmp_path / "none.toml", "get", "p", "/x")
    assert r.code == 8


def test_profiles_list(cli, profiles, gateway):
    r = cli("profiles", "list")
    assert r.code == 0
    lines = r.out.splitlines()
    assert f"keyed\t{gateway.url}/key\tapi_key" in lines
    assert len(lines) == 4


def test_profiles_show_sources_and_redaction(cli, write_config, gateway):
    cfg = write_config(
        f"""
        [defaults]
        timeout = 7
        [defaults.headers]
        X-Client = "tests"

        [profiles.lit]
        endpoint = "{gateway.url}/key"
        auth = "api_key"
        api_key = "{API_KEY}"
        [profiles.lit.headers]
        Authorization = "literal-authorization-value"
        X-Ref = "env:SOME_VAR"
        """
    )
    r = cli("--config", cfg, "profiles", "show", "lit")
    assert r.code == 0
    out = r.out
    assert API_KEY not in out
    assert "literal-authorization-value" not in out
    assert "api_key" in out and "test…" in out
    assert "env:SOME_VAR" in out  # a reference is shown as written, never resolved
    assert "timeout        = 7   # defaults" in out or "= 7   # defaults" in out
    assert "auth" in out and "# profile" in out
    assert "# built-in" in out


def test_literal_secret_in_readable_file_warns(cli, write_config, gateway):
    cfg = write_config(
        f'[profiles.lit]\nendpoint = "{gateway.url}/key"\nauth = "api_key"\napi_key = "{API_KEY}"\n',
        mode=0o644,
    )
    r = cli("--config", cfg, "get", "lit", "/x")
    assert r.code == 0
    assert f"chmod 600 {cfg}" in r.stderr
    assert API_KEY not in r.stderr
    cfg.chmod(0o600)
    assert "chmod" not in cli("--config", cfg, "get", "lit", "/x").stderr


def test_completion_lists_profile_names(profiles):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "_RESTCLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "restcli get ke",
        "COMP_CWORD": "2",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "restcli"], env=env, capture_output=True, timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert b"keyed" in proc.stdout
    assert b"custom" not in proc.stdout


def test_example_profiles_file_is_valid(cli):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "profiles.example.toml"
    r = cli("--config", example, "config", "check")
    assert r.code == 0, r.stderr
    assert "8 profiles" in r.out


def test_fast_completion_answers_as_typer_does(cli, profiles, monkeypatch):
    import restcli.cli.fast

    cases = [
        ("restcli get ", 2), ("restcli get ke", 2), ("restcli post c", 2),
        ("restcli request GET o", 3), ("restcli profiles show b", 3), ("restcli env ", 2),
        ("restcli login cu", 2), ("restcli auth token ", 3), ("restcli get keyed ", 3),
        ("restcli profiles ", 2), ("restcli get --auth", 2), ("restcli get zz", 2),
    ]

    def both(env: dict):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        fast = cli()
        with monkeypatch.context() as m:
            m.setattr(restcli.cli.fast, "complete_profiles", lambda environ: None)
            typer_answer = cli()
        return fast, typer_answer

    for words, cword in cases:
        fast, typer_answer = both(
            {"_RESTCLI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        )
        assert fast.out == typer_answer.out, words
        assert fast.code == typer_answer.code == 0, words
        line = " ".join(words.split()[: cword + 1]) + (" " if words.endswith(" ") else "")
        fast, typer_answer = both({"_RESTCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
        assert fast.out == typer_answer.out, line
    both({"_RESTCLI_COMPLETE": "complete_bash", "COMP_WORDS": "restcli get ke", "COMP_CWORD": "2"})
    assert cli().out == "keyed\n"
