"""Where the profiles file is: small, so that shell completion need not load the config code."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "RESTCLI_CONFIG"
FILE_NAME = "profiles.toml"


def default_path() -> Path:
    # platformdirs only when no --config or RESTCLI_CONFIG names the file (start-up)
    from platformdirs import user_config_dir

    return Path(user_config_dir("restcli", appauthor=False)) / FILE_NAME


def find_path(explicit: str | None) -> Path:
    """--config, then RESTCLI_CONFIG, then the user config dir; never the current directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_path()


def cache_dir() -> Path:
    """restcli's user cache dir (~/.cache/restcli on Linux): token and credential caches."""
    # platformdirs only when a cache is used (start-up)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("restcli", appauthor=False))


def profile_names(explicit: str | None) -> list[str]:
    """The profile names in the file, for completion: a bare TOML read, no validation."""
    # tomllib only for completion (start-up)
    import tomllib

    try:
        with open(find_path(explicit), "rb") as f:
            profiles = tomllib.load(f).get("profiles", {})
    except (OSError, ValueError):
        return []
    return [n for n in profiles if isinstance(n, str)] if isinstance(profiles, dict) else []
