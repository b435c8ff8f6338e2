"""Every benchmark row and target, declared as data.

A row's argv and label are templates: `{name}` is filled from runner.Bench.context()
(restcli, py, config, url, api_key, region, tools, ...); any other brace is left as it is.
`env` names an environment and `check` a check of runner.Bench (a check may take an
argument after a colon). `vs` lists the rows its ratio columns compare it with. Targets
(the start-up and transfer targets) name the rows they compare and the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from .consts import RUN_ENTRIES, TTY_SIZES_MB


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    argv: tuple[str, ...]
    env: str = "key"  # key | iam | plain | proc | complete | cognito | tty
    check: str | None = None  # a check of runner.Bench.check()
    vs: tuple[tuple[str, str], ...] = ()  # ratio columns: (row key, name shown)
    per_install: bool = False  # also run for the [editable] install, as "ed_" + key
    needs_tools: bool = False  # a comparator of the tools venv (--no-tools skips it)
    stdout: str = "capture"  # capture | pipe | tty
    before: str | None = None  # a hook of runner.Bench.before()
    over: str | None = None  # --breakdown: the step this one adds a layer to
    wall_ratio: bool = False  # ratio columns on wall time as well as CPU
    when: str | None = None  # only if this condition of runner.Bench holds


@dataclass(frozen=True)
class Target:
    name: str
    a: str
    b: str = ""  # a ratio target: a / b, the median of the per-round ratios
    limit: float = 0
    attr: str = "cpu"
    kind: str = "ratio"  # ratio | rss (a's peak RSS in MiB, strictly under) | cognito_requests


RC = ("{restcli}", "--config", "{config}")
GET_KEY = "requests.get('{url}/key/items', headers={'X-Api-Key': '{api_key}'})"
AWSCURL = ("{tools}/awscurl", "--fail-with-body")
SIGV4 = ("--service", "execute-api", "--region", "{region}")

# ---------------------------------------------------------------------------
# start-up rows (the order is the order of each round)

SMALL_ROWS = (
    Row("restcli_api_key", "restcli get (api_key)", (*RC, "get", "keyed", "/items"), check="keyed",
        per_install=True, vs=(("py_requests", "python+requests"), ("httpie", "HTTPie"), ("curl", "curl"))),
    Row("py_requests", "python -c 'import requests; requests.get(...)'",
        ("{py}", "-c", "import requests; " + GET_KEY), per_install=True),
    Row("httpie", "HTTPie http GET", ("{tools}/http", "--ignore-stdin", "--check-status", "GET", "{url}/key/items",
                                      "X-Api-Key:{api_key}"), check="keyed", needs_tools=True),
    Row("curl", "curl", ("curl", "-fsS", "-H", "X-Api-Key: {api_key}", "{url}/key/items"), check="keyed"),
    Row("restcli_iam_env", "restcli get (iam, env credentials)", (*RC, "get", "iamenv", "/items"), env="iam",
        check="signed", per_install=True,
        vs=(("awscurl_env", "awscurl"), ("restcli_api_key", "restcli api_key"))),
    Row("restcli_iam_profile", "restcli get (iam, AWS profile, static keys: configparser)",
        (*RC, "get", "iamprof", "/items"), env="plain", check="signed", per_install=True,
        vs=(("awscurl_profile", "awscurl --profile bench"), ("restcli_iam_env", "restcli iam env"))),
    Row("restcli_iam_proc", "restcli get (iam, AWS profile, credential_process: boto3)",
        (*RC, "get", "iamproc", "/items"), env="proc", check="signed", per_install=True,
        vs=(("awscurl_proc", "awscurl --profile benchproc"), ("restcli_iam_env", "restcli iam env"))),
    Row("restcli_help", "restcli --help", ("{restcli}", "--help"), env="plain", check="has:Usage",
        per_install=True, vs=(("py_requests", "python+requests"),)),
    Row("restcli_complete", "restcli completion (profile names)", ("{restcli}",), env="complete",
        check="has:keyed", per_install=True, vs=(("import_typer", "import typer"),)),
    Row("import_typer", "python -c 'import typer'", ("{py}", "-c", "import typer"), env="plain", per_install=True),
    Row("awscurl_env", "awscurl (env credentials)", (*AWSCURL, *SIGV4, "{url}/iam/items"), env="iam",
        check="signed", needs_tools=True),
    Row("awscurl_profile", "awscurl --profile bench (static keys: configparser)",
        (*AWSCURL, "--profile", "bench", *SIGV4, "{url}/iam/items"), env="plain", check="signed", needs_tools=True),
    # awscurl reads only ~/.aws/credentials itself; a profile that is not there goes
    # to botocore.session.get_session(), which takes the profile from AWS_PROFILE.
    Row("awscurl_proc", "awscurl --profile benchproc (credential_process: botocore)",
        (*AWSCURL, "--profile", "benchproc", *SIGV4, "{url}/iam/items"), env="proc", check="signed",
        needs_tools=True),
    # needs restcli/auth/cognito.py and a `restcli login` against moto (runner.Bench.cognito_problem)
    Row("restcli_cognito", "restcli get (cognito, cached token)", (*RC, "get", "cog", "/items"), env="cognito",
        check="authorized", per_install=True, vs=(("restcli_api_key", "restcli api_key"),)),
)

# ---------------------------------------------------------------------------
# transfer rows

BYTES_QUERY = ("n=={n}", "chunk=={mib}")
BYTES_URL = "{url}/open/bytes?n={n}&chunk={mib}"
NOSYNC = ("import os, sys; os.fsync = lambda fd: None; sys.argv = "
          + repr(["restcli", "--config", "{config}", "get", "open", "/bytes", *BYTES_QUERY, "-o", "{out}"])
          + "; from restcli.__main__ import main; main()")

BIG_ROWS = (
    Row("restcli_dl_file", "restcli get 1 GiB -o FILE", (*RC, "get", "open", "/bytes", *BYTES_QUERY, "-o", "{out}"),
        env="plain", check="file", before="rm_out", wall_ratio=True, vs=(("curl_dl_file", "curl"),)),
    Row("curl_dl_file", "curl 1 GiB -o FILE", ("curl", "-fsS", "-o", "{out}", BYTES_URL), env="plain",
        check="file", before="rm_out"),
    # restcli's own code with os.fsync made a no-op: what syncing the -o file costs
    # (curl does not sync). Run by the measured install's Python.
    Row("restcli_dl_nosync", "restcli get 1 GiB -o FILE, os.fsync patched out (reference)",
        ("{py}", "-c", NOSYNC), env="plain", check="file", before="rm_out", wall_ratio=True,
        vs=(("curl_dl_file", "curl"), ("restcli_dl_file", "restcli -o"))),
    Row("restcli_dl_pipe", "restcli get 1 GiB, stdout a pipe to wc -c", (*RC, "get", "open", "/bytes", *BYTES_QUERY),
        env="plain", stdout="pipe", check="pipe", wall_ratio=True, vs=(("curl_dl_pipe", "curl"),)),
    Row("curl_dl_pipe", "curl 1 GiB, stdout a pipe to wc -c", ("curl", "-fsS", BYTES_URL), env="plain",
        stdout="pipe", check="pipe"),
    Row("restcli_upload_iam", "restcli post (iam) -d @256MiB", (*RC, "post", "iamenv", "/upload", "-d", "@{up}"),
        env="iam", check="uploaded", wall_ratio=True, vs=(("curl_upload", "curl"), ("awscurl_upload", "awscurl"))),
    Row("curl_upload", "curl -T 256MiB (no auth, reference)",
        ("curl", "-fsS", "-H", "Expect:", "-T", "{up}", "{url}/open/upload"), env="plain", check="uploaded"),
    Row("awscurl_upload", "awscurl -d @256MiB (reference)",
        (*AWSCURL, "-X", "POST", "--data-binary", "-d", "@{up}", *SIGV4, "{url}/iam/upload"), env="iam",
        check="uploaded", needs_tools=True),
)

# ---------------------------------------------------------------------------
# pretty-printing on a terminal: stdout a pseudo-terminal, same JSON body for every tool


def _tty_rows(mb: int) -> tuple[Row, ...]:
    url = f"{{json_url}}/json/{mb}"
    httpie = ("--ignore-stdin", "--check-status", "GET", url)
    return (
        Row(f"restcli_tty_{mb}mb", f"restcli get {mb} MB JSON, stdout a terminal",
            (*RC[:2], "{tty_config}", "get", "pretty", f"/json/{mb}"), env="tty", stdout="tty",
            check=f"rendered:{mb}", wall_ratio=True,
            vs=((f"httpie_tty_{mb}mb", "HTTPie"), (f"httpie_tools_tty_{mb}mb", "HTTPie [tools venv]"))),
        Row(f"httpie_tty_{mb}mb", f"HTTPie http GET {mb} MB JSON, stdout a terminal (project venv)",
            ("{venv_http}", *httpie), env="tty", stdout="tty", check=f"rendered:{mb}", when="venv_http"),
        Row(f"httpie_tools_tty_{mb}mb", f"HTTPie http GET {mb} MB JSON, stdout a terminal (tools venv)",
            ("{tools}/http", *httpie), env="tty", stdout="tty", check=f"rendered:{mb}", needs_tools=True),
    )


TTY_ROWS = tuple(row for mb in TTY_SIZES_MB for row in _tty_rows(mb))

# ---------------------------------------------------------------------------
# `restcli run FILE` (RUN_ENTRIES x GET {{endpoint}}/items) against as many `restcli get`


LOOP = f'i=0; while [ "$i" -lt {RUN_ENTRIES} ]; do "$0" "$@" || exit 1; i=$((i + 1)); done'


def _run_rows(name: str, profile: str, env: str, check: str) -> tuple[Row, ...]:
    get = (*RC, "get", profile, "/items")
    return (
        Row(f"run_file_{name}", f"restcli run FILE, {RUN_ENTRIES} entries ({name})",
            (*RC, "run", "{run_file}", "--profile", profile), env=env, check=f"requests:{RUN_ENTRIES}",
            before="count_requests", wall_ratio=True,
            vs=((f"run_loop_{name}", f"{RUN_ENTRIES} x restcli get"), (f"run_one_{name}", "one restcli get"))),
        Row(f"run_loop_{name}", f"{RUN_ENTRIES} x restcli get ({name}), one process each",
            ("sh", "-c", LOOP, *get), env=env, check=f"{check}:{RUN_ENTRIES}", before="count_requests"),
        Row(f"run_one_{name}", f"restcli get ({name}), one process start-up", get, env=env, check=check),
    )


RUN_FILE_ROWS = _run_rows("api_key", "keyed", "key", "keyed") + _run_rows("iam", "iamenv", "iam", "signed")
RUN_FILE_PAIRS = (("api_key", "run_file_api_key", "run_loop_api_key", "run_one_api_key"),
                  ("iam, env credentials", "run_file_iam", "run_loop_iam", "run_one_iam"))

# ---------------------------------------------------------------------------
# --breakdown: a ladder of stand-ins; each step adds one layer to the step it is "over"

MODS = ("import restcli.__main__, restcli.app, restcli.cli.fast, restcli.cli.options, restcli.call, "
        "restcli.client, restcli.config, restcli.output, restcli.request, restcli.secrets, "
        "restcli.auth.api_key")
CREDS = "get_credentials().get_frozen_credentials()"
BOTOCORE_SESSION = (
    "import botocore.session, restcli.aws.credentials as c\n"
    "class S:  # what restcli uses of boto3.Session, on a botocore Session\n"
    "    def __init__(self, p): self.s = botocore.session.Session(profile=p)\n"
    "    def get_credentials(self): return self.s.get_credentials()\n"
    "    region_name = property(lambda self: self.s.get_config_variable('region'))\n"
    "c._boto_session = S\n"
)
# requests imports a charset detector (charset_normalizer) only for
# Response.text/.apparent_encoding on bodies without a charset; None in sys.modules
# makes both candidates ImportError, and requests then warns once at import.
NO_CHARSET_DETECTION = (
    "import warnings\nsys.modules['chardet'] = sys.modules['charset_normalizer'] = None\n"
    "warnings.filterwarnings('ignore', 'Unable to find acceptable character detection')\n"
)
FAST_COMPLETE = (
    "import os, tomllib, restcli.__main__, restcli.app\n"
    "from restcli.locations import find_path\n"
    "with open(find_path(None), 'rb') as f: names = tomllib.load(f).get('profiles', {})\n"
    "print('\\n'.join(n for n in names if n.startswith('ke')))\n"
)


def main_via_c(*args: str, patch: str = "") -> tuple[str, ...]:
    """restcli's entry point run by `python -c`, after an optional patch (a fix?)."""
    argv = ["restcli", "--config", "{config}", *args]
    return ("{py}", "-c", f"import sys\n{patch}sys.argv = {argv!r}\nfrom restcli.__main__ import main; main()\n")


BREAKDOWN_ROWS = (
    Row("bd_pass", "P  python -c pass (interpreter)", ("{py}", "-c", "pass")),
    Row("bd_pass_ed", "P' python -c pass, {here_kind} venv ({here_venv})", ("{here_py}", "-c", "pass"),
        over="bd_pass", when="other_python"),
    Row("bd_a", "A  import requests; requests.get(URL)", ("{py}", "-c", "import requests; " + GET_KEY), over="bd_pass"),
    Row("bd_d", "D  A + import restcli's request-path modules", ("{py}", "-c", f"import requests; {MODS}; " + GET_KEY),
        over="bd_a"),
    Row("bd_e", "E  restcli get keyed /items (the real call)", (*RC, "get", "keyed", "/items"), over="bd_d",
        check="keyed"),
    Row("bd_e_ed", "E' the same, {alt_kind} install", ("{alt_restcli}", *RC[1:], "get", "keyed", "/items"),
        over="bd_e", check="keyed", when="alt"),
    Row("bd_i", "I  restcli get iamenv /items (iam, env credentials)", (*RC, "get", "iamenv", "/items"), env="iam",
        over="bd_e", check="signed"),
    Row("bd_i0", "I0 I by `python -c` calling restcli.__main__.main()", main_via_c("get", "iamenv", "/items"),
        env="iam", over="bd_i", check="signed"),
    Row("bd_j", "J  fix? I0 with requests' charset detection (charset_normalizer) kept out",
        main_via_c("get", "iamenv", "/items", patch=NO_CHARSET_DETECTION), env="iam", over="bd_i0", check="signed"),
    Row("bd_t", "T  import typer", ("{py}", "-c", "import typer"), over="bd_pass"),
    Row("bd_t2", "T2 T + import restcli.__main__, restcli.cli.app",
        ("{py}", "-c", "import typer, restcli.__main__, restcli.cli.app"), over="bd_t"),
    Row("bd_t3", "T3 T2 + typer.main.get_command(app) (builds every command)",
        ("{py}", "-c",
         "import typer.main, restcli.__main__; from restcli.cli.app import app; typer.main.get_command(app)"),
        over="bd_t2"),
    Row("bd_g", "G  restcli completion (the real one)", ("{restcli}",), env="complete", over="bd_t3",
        check="has:keyed"),
    Row("bd_f", "F  fix? completion without Typer: restcli.__main__ + tomllib read of the names",
        ("{py}", "-c", FAST_COMPLETE), env="complete", over="bd_pass", check="has:keyed"),
    Row("bd_h", "H  A + boto3.Session('benchproc') credentials (credential_process)",
        ("{py}", "-c", f"import requests, boto3; boto3.Session(profile_name='benchproc').{CREDS}"), env="proc",
        over="bd_a"),
    Row("bd_h2", "H2 A + botocore Session('benchproc') credentials (credential_process)",
        ("{py}", "-c", f"import requests, botocore.session; botocore.session.Session(profile='benchproc').{CREDS}"),
        env="proc", over="bd_a"),
    Row("bd_r", "R  I0 with the credential_process profile (restcli get iamproc /items)",
        main_via_c("get", "iamproc", "/items"), env="proc", over="bd_i0", check="signed"),
    Row("bd_x", "X  fix? R with botocore.session.Session in place of boto3.Session",
        main_via_c("get", "iamproc", "/items", patch=BOTOCORE_SESSION), env="proc", over="bd_r", check="signed"),
)

# ---------------------------------------------------------------------------
# the table's cases (rows in this order; a key not run is left out)

CASES = {
    "api_key GET": ["restcli_api_key", "ed_restcli_api_key", "py_requests", "ed_py_requests", "httpie", "curl"],
    "iam, env credentials": ["restcli_iam_env", "ed_restcli_iam_env", "awscurl_env"],
    "iam, named AWS profile, static keys": ["restcli_iam_profile", "ed_restcli_iam_profile", "awscurl_profile"],
    "iam, named AWS profile, credential_process": ["restcli_iam_proc", "ed_restcli_iam_proc", "awscurl_proc"],
    "help": ["restcli_help", "ed_restcli_help"],
    "completion": ["restcli_complete", "ed_restcli_complete", "import_typer", "ed_import_typer"],
    "cognito, cached token": ["restcli_cognito", "ed_restcli_cognito"],
    "1 GiB download -o FILE": ["restcli_dl_file", "curl_dl_file", "restcli_dl_nosync"],
    "1 GiB download into a pipe": ["restcli_dl_pipe", "curl_dl_pipe"],
    "256 MiB upload": ["restcli_upload_iam", "curl_upload", "awscurl_upload"],
    **{f"{mb} MB JSON pretty-printed on a terminal": [r.key for r in _tty_rows(mb)] for mb in TTY_SIZES_MB},
    **{f"restcli run, {RUN_ENTRIES} entries ({name})": [r.key for r in _run_rows(name, "", "", "")]
       for name in ("api_key", "iam")},
}

# ---------------------------------------------------------------------------
# targets. The start-up ones are also shown for the [editable] install, with
# the keys of per-install rows prefixed "ed_".

STARTUP_TARGETS = (
    Target("api_key: CPU <= 1.15x python+requests", "restcli_api_key", "py_requests", 1.15),
    Target("api_key: CPU <= 0.6x HTTPie", "restcli_api_key", "httpie", 0.6),
    Target("iam env credentials: CPU <= 0.6x awscurl", "restcli_iam_env", "awscurl_env", 0.6),
    Target("iam named AWS profile, static keys: CPU <= 1.0x awscurl", "restcli_iam_profile", "awscurl_profile", 1.0),
    Target("iam named AWS profile, credential_process (boto3 path): CPU <= 1.0x awscurl", "restcli_iam_proc",
           "awscurl_proc", 1.0),
    Target("cognito cached: CPU <= 1.3x api_key call", "restcli_cognito", "restcli_api_key", 1.3),
    Target("cognito cached: Cognito/AWS requests == 0", "restcli_cognito", kind="cognito_requests"),
    Target("--help: CPU <= 1.0x python+requests", "restcli_help", "py_requests", 1.0),
    Target("completion: CPU <= 1.2x import typer", "restcli_complete", "import_typer", 1.2),
)

BIG_TARGETS = (
    Target("1 GiB -o FILE: peak RSS < 80 MiB", "restcli_dl_file", limit=80, kind="rss"),
    Target("1 GiB -o FILE: wall <= 2x curl", "restcli_dl_file", "curl_dl_file", 2.0, "wall"),
    Target("1 GiB into a pipe: peak RSS < 80 MiB", "restcli_dl_pipe", limit=80, kind="rss"),
    Target("1 GiB into a pipe: wall <= 2x curl", "restcli_dl_pipe", "curl_dl_pipe", 2.0, "wall"),
    Target("256 MiB upload (iam): peak RSS < 100 MiB", "restcli_upload_iam", limit=100, kind="rss"),
)

ALL_ROWS = SMALL_ROWS + BIG_ROWS + TTY_ROWS + RUN_FILE_ROWS + BREAKDOWN_ROWS
PER_INSTALL = frozenset(r.key for r in SMALL_ROWS if r.per_install)
