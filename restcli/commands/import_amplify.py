"""`restcli import FILE`: profiles from an Amplify app's config (Gen 2, Gen 1 web, native).

aws-exports.js is read as data: the object literal is converted to JSON, never run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import MAX_FILE, Validator, all_params
from ..errors import ConfigError, UsageError
from ..hosts import escaped
from ..output import print_table
from ..record import Factory, record
from ..secrets import read_regular
from .document import print_document
from .profiles_edit import edit

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


class Shape(ValueError):
    """A value of the wrong type where an Amplify config has an object, list or string."""


def _obj(data: Any, *keys: str) -> dict:
    """data[k1][k2]...; a missing or null one is {}, one of another type is a Shape error."""
    for i, key in enumerate(keys):
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            dotted = ".".join(keys[: i + 1])
            raise Shape(f"{dotted} is {_json_kind(value)}, not an object")
        data = value
    return data


def _str(data: dict, key: str, where: str = "") -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise Shape(f"{where + '.' if where else ''}{key} is {_json_kind(value)}, not a string")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {str: "a string", list: "a list", dict: "an object", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def read(path: Path, custom_key: str = "API") -> list[Found]:
    try:
        text = read_regular(path, MAX_FILE).decode("utf-8")
    except (OSError, ValueError) as e:
        if isinstance(e, UnicodeDecodeError):
            raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})") from None
        raise UsageError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        data = json.loads(text) if path.suffix != ".js" else js_object(text)
    except RecursionError:
        raise ConfigError(f"{path}: not an Amplify config: nested too deeply") from None
    except ValueError as e:
        raise ConfigError(f"{path}: not an Amplify config: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not an Amplify config: the top level is not an object")
    try:
        if "aws_cloud_logic_custom" in data or "aws_user_pools_id" in data:
            found = _gen1_web(data)
        elif isinstance(data.get("api"), dict) and "plugins" in data["api"]:
            found = _native(data)
        else:
            found = _gen2(data, custom_key)
    except Shape as e:
        raise ConfigError(f"{path}: not an Amplify config: {e}") from None
    if not found:
        raise ConfigError(
            f"{path}: no REST APIs found",
            hint="Gen 2 apps list them under custom; pass --custom-key KEY if yours uses "
            "another key than API",
        )
    return found


def _gen2(data: dict, custom_key: str) -> list[Found]:
    auth = _obj(data, "auth")
    region = _str(auth, "aws_region", "auth")
    settings = _auth_settings(
        user_pool_id=_str(auth, "user_pool_id", "auth"),
        client_id=_str(auth, "user_pool_client_id", "auth"),
        identity_pool_id=_str(auth, "identity_pool_id", "auth"),
        region=region,
        oauth=_obj(auth, "oauth"),
        scopes_key="scopes",
    )
    apis = _obj(data, "custom", custom_key)
    return [
        Found(name, api["endpoint"], _str(api, "region", name) or region, None, dict(settings))
        for name, api in apis.items()
        if isinstance(api, dict) and isinstance(api.get("endpoint"), str)
    ]


def _gen1_web(data: dict) -> list[Found]:
    region = _str(data, "aws_cognito_region") or _str(data, "aws_project_region")
    settings = _auth_settings(
        user_pool_id=_str(data, "aws_user_pools_id"),
        client_id=_str(data, "aws_user_pools_web_client_id"),
        identity_pool_id=_str(data, "aws_cognito_identity_pool_id"),
        region=region,
        oauth=_obj(data, "oauth"),
        scopes_key="scope",
    )
    apis = data.get("aws_cloud_logic_custom") or []
    if not isinstance(apis, list):
        raise Shape(f"aws_cloud_logic_custom is {_json_kind(apis)}, not a list")
    found = []
    for api in apis:
        if not (isinstance(api, dict) and api.get("name") and api.get("endpoint")):
            continue
        name = _str(api, "name", "aws_cloud_logic_custom[]")
        endpoint = _str(api, "endpoint", name)
        found.append(Found(name, endpoint, _str(api, "region", name) or region, None,
                           dict(settings)))
    return found


def _native(data: dict) -> list[Found]:
    plugin = _obj(data, "auth", "plugins", "awsCognitoAuthPlugin")
    pool = _obj(plugin, "CognitoUserPool", "Default")
    identity = _obj(plugin, "CredentialsProvider", "CognitoIdentity", "Default")
    oauth = _obj(plugin, "Auth", "Default", "OAuth")
    settings = _auth_settings(
        user_pool_id=_str(pool, "PoolId", "CognitoUserPool"),
        client_id=_str(pool, "AppClientId", "CognitoUserPool"),
        identity_pool_id=_str(identity, "PoolId", "CognitoIdentity"),
        region=_str(pool, "Region", "CognitoUserPool") or _str(identity, "Region", "CognitoIdentity"),
        oauth={"domain": _str(oauth, "WebDomain", "OAuth"), "scopes": oauth.get("Scopes")},
        scopes_key="scopes",
    )
    apis = _obj(data, "api", "plugins", "awsAPIPlugin")
    found = []
    for name, api in apis.items():
        if not isinstance(api, dict) or api.get("endpointType", "REST") != "REST":
            continue  # GraphQL APIs are not REST APIs
        if not isinstance(api.get("endpoint"), str):
            continue
        mode = NATIVE_MODES.get(str(api.get("authorizationType", "")).upper())
        found.append(Found(name, api["endpoint"], _str(api, "region", name), mode,
                           dict(settings)))
    return found


def check(path: Path, planned: dict[str, dict[str, Any]]) -> None:
    """Refuse (exit 8) a value that would decide a host badly, before anything is shown."""
    params = all_params()
    problems = []
    endpoints = Validator({}, "", path)
    for name, table in planned.items():
        if not name.isprintable():
            problems.append(f"{path}: profile name {escaped(name)} holds control characters")
            continue
        endpoints.check_endpoint(("profiles", name), table["endpoint"])
        for key, value in table.items():
            param = params.get(key)
            problem = param.problem(value) if param is not None else None
            if problem:
                problems.append(f"{path}: profile {escaped(name)}: {key}: {problem}")
    problems += [p for scope in endpoints.problems.values() for p in scope]
    if problems:
        raise ConfigError(problems[0] if len(problems) == 1 else
                          f"{path}: {len(problems)} values cannot be imported",
                          problems=problems if len(problems) > 1 else None)


def _auth_settings(user_pool_id, client_id, identity_pool_id, region, oauth, scopes_key):
    settings: dict[str, Any] = {}
    if identity_pool_id:
        settings["identity_pool_id"] = identity_pool_id
    if user_pool_id and client_id:
        settings["user_pool_id"] = user_pool_id
        settings["client_id"] = client_id
    if isinstance(oauth, dict):
        if oauth.get("domain"):
            if not isinstance(oauth["domain"], str):
                raise Shape(f"oauth.domain is {_json_kind(oauth['domain'])}, not a string")
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
    app: App,
    path: Path,
    custom_key: str,
    prefix: str,
    force: bool,
    dry_run: bool,
    as_json: bool = False,
) -> None:
    """`as_json`: the plan as one JSON document ({"file", "profiles": [...]}) instead of a
    table; with --dry-run nothing else happens."""
    found = read(path, custom_key)
    planned = {prefix + f.name: f.profile() for f in found}
    check(path, planned)
    existing = app.config.profiles if app.config.exists else {}
    rows = []
    for name, table in planned.items():
        if name not in existing:
            action = "add"
        elif force:
            action = "replace"
        else:
            action = "skip (exists; --force replaces)"
        rows.append((name, table["endpoint"], table["auth"], table.get("region", ""),
                     table.get("domain", ""), action))
    if as_json:
        print_document(app, {"file": str(path), "config": str(app.config_path), "profiles": [
            {"name": name, "action": action.split(" ")[0], "settings": planned[name]}
            for name, *_, action in rows
        ]})
    else:
        print_table(app, ("profile", "endpoint", "auth", "region", "domain", "action"), rows)
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
