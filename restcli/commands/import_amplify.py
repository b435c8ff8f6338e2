"""`restcli import FILE`: profiles from an Amplify app's config (Gen 2, Gen 1 web, native).

aws-exports.js is read as data: the object literal is converted to JSON, never run.
"""

from __future__ import annotations

import json
import re
from ..record import Factory, record
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, UsageError

if TYPE_CHECKING:
    from ..app import App

# The native config's authorizationType -> restcli mode.
NATIVE_MODES = {
    "AWS_IAM": "iam",
    "API_KEY": "api_key",
    "AMAZON_COGNITO_USER_POOLS": "cognito",
    "NONE": "none",
}


@record
class Found:
    """What an Amplify config says about one REST API."""

    name: str
    endpoint: str
    region: str | None = None
    mode: str | None = None
    auth: dict[str, Any] = Factory(dict)

    def profile(self) -> dict[str, Any]:
        table: dict[str, Any] = {"endpoint": self.endpoint.rstrip("/")}
        table["auth"] = self.mode or "iam"
        if self.region:
            table["region"] = self.region
        table.update(self.auth)
        if table["auth"] == "api_key":
            # Never a literal key in the profiles file: the user exports it.
            table["api_key"] = "env:" + re.sub(r"\W", "_", self.name).upper() + "_API_KEY"
        return table


def read(path: Path, custom_key: str = "API") -> list[Found]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    try:
        data = json.loads(text) if path.suffix != ".js" else js_object(text)
    except ValueError as e:
        raise ConfigError(f"{path}: not an Amplify config: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not an Amplify config: the top level is not an object")
    if "aws_cloud_logic_custom" in data or "aws_user_pools_id" in data:
        found = _gen1_web(data)
    elif isinstance(data.get("api"), dict) and "plugins" in data["api"]:
        found = _native(data)
    else:
        found = _gen2(data, custom_key)
    if not found:
        raise ConfigError(
            f"{path}: no REST APIs found",
            hint="Gen 2 apps list them under custom; pass --custom-key KEY if yours uses "
            "another key than API",
        )
    return found


def _gen2(data: dict, custom_key: str) -> list[Found]:
    auth = data.get("auth") or {}
    region = auth.get("aws_region")
    settings = _auth_settings(
        user_pool_id=auth.get("user_pool_id"),
        client_id=auth.get("user_pool_client_id"),
        identity_pool_id=auth.get("identity_pool_id"),
        region=region,
        oauth=auth.get("oauth") or {},
        scopes_key="scopes",
    )
    apis = (data.get("custom") or {}).get(custom_key) or {}
    if not isinstance(apis, dict):
        raise ConfigError(f"custom.{custom_key} is not an object of REST APIs")
    return [
        Found(name, api["endpoint"], api.get("region") or region, None, dict(settings))
        for name, api in apis.items()
        if isinstance(api, dict) and isinstance(api.get("endpoint"), str)
    ]


def _gen1_web(data: dict) -> list[Found]:
    region = data.get("aws_cognito_region") or data.get("aws_project_region")
    settings = _auth_settings(
        user_pool_id=data.get("aws_user_pools_id"),
        client_id=data.get("aws_user_pools_web_client_id"),
        identity_pool_id=data.get("aws_cognito_identity_pool_id"),
        region=region,
        oauth=data.get("oauth") or {},
        scopes_key="scope",
    )
    return [
        Found(api["name"], api["endpoint"], api.get("region") or region, None, dict(settings))
        for api in data.get("aws_cloud_logic_custom") or []
        if isinstance(api, dict) and api.get("name") and api.get("endpoint")
    ]


def _native(data: dict) -> list[Found]:
    plugin = ((data.get("auth") or {}).get("plugins") or {}).get("awsCognitoAuthPlugin") or {}
    pool = (plugin.get("CognitoUserPool") or {}).get("Default") or {}
    identity = ((plugin.get("CredentialsProvider") or {}).get("CognitoIdentity") or {}).get(
        "Default"
    ) or {}
    oauth = ((plugin.get("Auth") or {}).get("Default") or {}).get("OAuth") or {}
    settings = _auth_settings(
        user_pool_id=pool.get("PoolId"),
        client_id=pool.get("AppClientId"),
        identity_pool_id=identity.get("PoolId"),
        region=pool.get("Region") or identity.get("Region"),
        oauth={"domain": oauth.get("WebDomain"), "scopes": oauth.get("Scopes")},
        scopes_key="scopes",
    )
    apis = ((data.get("api") or {}).get("plugins") or {}).get("awsAPIPlugin") or {}
    found = []
    for name, api in apis.items():
        if not isinstance(api, dict) or api.get("endpointType", "REST") != "REST":
            continue  # GraphQL APIs are not REST APIs
        if not isinstance(api.get("endpoint"), str):
            continue
        mode = NATIVE_MODES.get(str(api.get("authorizationType", "")).upper())
        found.append(Found(name, api["endpoint"], api.get("region"), mode, dict(settings)))
    return found


def _auth_settings(user_pool_id, client_id, identity_pool_id, region, oauth, scopes_key):
    settings: dict[str, Any] = {}
    if identity_pool_id:
        settings["identity_pool_id"] = identity_pool_id
    if user_pool_id and client_id:
        settings["user_pool_id"] = user_pool_id
        settings["client_id"] = client_id
    if isinstance(oauth, dict):
        if oauth.get("domain"):
            settings["domain"] = oauth["domain"]
        scopes = oauth.get(scopes_key)
        if isinstance(scopes, list) and scopes:
            settings["scopes"] = " ".join(str(s) for s in scopes)
    return settings


_JS_TOKEN = re.compile(
    r"""
    (?P<comment>//[^\n]*|/\*[\s\S]*?\*/)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)
  | (?P<word>[A-Za-z_$][\w$]*)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<punct>[{}\[\]:,])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)


def js_object(text: str) -> Any:
    """The first object literal assigned in a JS module, as data. Nothing is executed."""
    start = _first_object(text)
    out: list[str] = []
    depth = 0
    prev = ""
    for m in _JS_TOKEN.finditer(text, start):
        kind, tok = m.lastgroup, m.group()
        if kind in ("comment", "space"):
            continue
        if kind == "string":
            tok = _js_string(tok)
        elif kind == "word":
            if tok in ("true", "false", "null"):
                pass
            elif prev in ("{", ","):
                tok = json.dumps(tok)  # a bare key
            else:
                raise ValueError(f"an expression ({tok}) where data was expected")
        elif kind == "punct":
            if tok in "}]" and out and out[-1] == ",":
                out.pop()  # trailing comma
            depth += tok in "{["
            depth -= tok in "}]"
        elif kind == "other":
            raise ValueError(f"unexpected {tok!r} in the object literal")
        out.append(tok)
        prev = tok if kind == "punct" else kind
        if depth == 0:
            break
    return json.loads("".join(out))


def _first_object(text: str) -> int:
    m = re.search(r"(?:=|export\s+default|module\.exports\s*=)\s*{", text)
    if not m:
        raise ValueError("no object literal found")
    return m.end() - 1


def _js_string(tok: str) -> str:
    quote, body = tok[0], tok[1:-1]
    if quote == "`" and "${" in body:
        raise ValueError("a template string with expressions")
    if quote != '"':
        body = body.replace('\\' + quote, quote).replace('"', '\\"')
    return '"' + body + '"'


def run(
    app: "App",
    path: Path,
    custom_key: str,
    prefix: str,
    force: bool,
    dry_run: bool,
) -> None:
    from .profiles_edit import edit

    found = read(path, custom_key)
    planned = {prefix + f.name: f.profile() for f in found}
    existing = app.config.profiles if app.config.exists else {}
    rows = []
    for name, table in planned.items():
        if name not in existing:
            action = "add"
        elif force:
            action = "replace"
        else:
            action = "skip (exists; --force replaces)"
        rows.append((name, table["endpoint"], table["auth"], action))
    from ..output import print_table

    print_table(app, ("profile", "endpoint", "auth", "action"), rows)
    if dry_run:
        return
    todo = {name: planned[name] for name, *_, action in rows if not action.startswith("skip")}
    if not todo:
        app.note("nothing to write")
        return

    def change(doc: dict) -> str:
        profiles = doc.setdefault("profiles", {})
        profiles.update(todo)
        return f"wrote {len(todo)} profile{'s' if len(todo) != 1 else ''} to {app.config_path}"

    edit(app, change)
