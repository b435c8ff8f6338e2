"""The environment of a run (gateway, profiles, AWS files, venvs) and its rows as commands."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import checks
from .consts import (
    AKID,
    API_KEY,
    DOWNLOAD_BYTES,
    MB,
    MIB,
    REGION,
    REPO,
    SECRET,
    TOOLS,
    TTY_SIZES_MB,
    UPLOAD_BYTES,
)
from .measure import Cmd, last_line
from .rows import BIG_ROWS, BREAKDOWN_ROWS, RUN_FILE_ROWS, SMALL_ROWS, TTY_ROWS, Row
from .servers import Counter, JsonServer
from .venvs import (
    build_normal_install,
    export_rev,
    install_kind,
    make_venv,
    python_beside,
    venv_python,
)

PROFILES = """# written by benchmarks/run.py
[profiles.keyed]
endpoint = "{url}/key"
auth = "api_key"
api_key = "env:BENCH_API_KEY"

[profiles.iamenv]
endpoint = "{url}/iam"
auth = "iam"
region = "{region}"

[profiles.iamprof]
endpoint = "{url}/iam"
auth = "iam"
region = "{region}"
aws_profile = "bench"

[profiles.iamproc]
endpoint = "{url}/iam"
auth = "iam"
region = "{region}"
aws_profile = "benchproc"

[profiles.open]
endpoint = "{url}/open"
auth = "none"
{extra}"""


def fill(template: str, ctx: dict) -> str:
    """template with each `{name}` of ctx replaced; other braces (Python code) left alone."""
    return re.sub(r"\{(\w+)\}", lambda m: str(ctx[m[1]]) if m[1] in ctx else m[0], template)


def load_gateway(source: Path):
    """The test gateway: tests/support/gateway.py, or tests/gateway.py in older trees (--rev)."""
    if (source / "tests" / "support" / "gateway.py").exists():
        from tests.support.gateway import Gateway
    else:
        from tests.gateway import Gateway
    return Gateway


class Environment:
    """What every command runs in: a temp HOME with AWS files, restcli profiles, the test
    gateway, the restcli install measured and the comparator venv."""

    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.tmp = Path(tempfile.mkdtemp(prefix="restcli-bench-"))
        self.home = self.tmp / "home"
        (self.home / ".aws").mkdir(parents=True)
        self.cache_dir = Path(args.cache_dir)
        self.tools_venv = self.cache_dir / "tools-venv"
        here = shutil.which("restcli", path=str(Path(sys.executable).parent)) or shutil.which("restcli")
        # The restcli whose rows are measured against the targets, and its venv's Python
        # (the python+requests and `import typer` baselines run with the same interpreter
        # and site setup). --normal-install replaces it in setup() with a wheel install.
        self.restcli = args.restcli or here
        if not self.restcli:
            sys.exit("benchmarks: restcli is not installed in this Python's environment (pip install -e .)")
        self.restcli = str(Path(self.restcli).absolute())
        self.python = python_beside(self.restcli)
        self.install = install_kind(self.python)
        # With --normal-install: the restcli of this Python's environment (usually the
        # editable one), measured too as rows marked [editable], for information.
        self.alt: tuple[str, str, str] | None = None  # (restcli, python, install kind)
        self.here = here
        self.counter: Counter | None = None
        self.json_server: JsonServer | None = None
        self.cognito_env: dict = {}
        self.requests_before = 0

    @property
    def bindir(self) -> Path:
        return Path(self.python).parent

    def base_env(self, **extra) -> dict:
        env = {
            "PATH": f"{self.bindir}:{self.tools_venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "AWS_CONFIG_FILE": str(self.home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / ".aws" / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",  # never wait on an instance-metadata probe
            "COLUMNS": "100",
        }
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def env_creds(self) -> dict:
        return {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET}

    def env(self, name: str) -> dict:
        """The environment a row names (rows.Row.env)."""
        if name == "cognito":
            return self.cognito_env
        extra = {
            "key": {"BENCH_API_KEY": API_KEY},
            "iam": self.env_creds(),
            "plain": {},
            "proc": {"AWS_PROFILE": "benchproc"},
            "complete": {"_RESTCLI_COMPLETE": "complete_bash", "COMP_WORDS": "restcli get ke", "COMP_CWORD": "2",
                         "RESTCLI_CONFIG": str(self.config)},
            "tty": {"TERM": "xterm-256color"},
        }[name]
        return self.base_env(**extra)

    def setup(self) -> None:
        self.source = REPO
        if self.args.rev:
            self.source = export_rev(self.args.rev)
            self.log(f"measuring commit {self.args.rev}: wheel and gateway from git archive in {self.source}")
            sys.path.insert(0, str(self.source))
        Gateway = load_gateway(self.source)
        if not self.args.no_tools:
            make_venv(self.tools_venv, list(TOOLS), self.log)
        if self.args.normal_install:
            self._use_wheel_install()
        self.gw = Gateway(api_keys={API_KEY}, credentials={AKID: (SECRET, None)}, region=REGION).start()
        self.url = self.gw.url
        self._write_aws_files()
        self.config = self.tmp / "profiles.toml"
        self.write_config()
        self.config.chmod(0o600)
        self.upload_file = self.tmp / "upload.bin"
        self.download_file = self.tmp / "download.bin"

    def _use_wheel_install(self) -> None:
        venv = build_normal_install(self.cache_dir, self.log, self.source)
        if self.here and not self.args.no_editable and not self.args.rev:
            py = python_beside(self.here)
            self.alt = (str(Path(self.here).absolute()), py, install_kind(py))
        self.restcli = str(venv / "bin" / "restcli")
        self.python = str(venv_python(venv))
        self.install = install_kind(self.python)

    def _write_aws_files(self) -> None:
        (self.home / ".aws" / "credentials").write_text(
            f"[bench]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
        )
        # A profile botocore must resolve (StaticProfileSource leaves it to boto3): a
        # credential_process printing the same static keys as JSON. A shell script, so the
        # helper process costs both tools ~1 ms (its CPU is inside each row: wait4 counts
        # waited-for descendants).
        self.cred_process = self.tmp / "credential-process.sh"
        self.cred_process.write_text(
            "#!/bin/sh\n"
            f"echo '{{\"Version\": 1, \"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\"}}'\n"
        )
        self.cred_process.chmod(0o755)
        (self.home / ".aws" / "config").write_text(
            f"[profile bench]\nregion = {REGION}\n\n"
            f"[profile benchproc]\nregion = {REGION}\ncredential_process = {self.cred_process}\n"
        )

    def write_config(self, extra: str = "") -> None:
        self.config.write_text(PROFILES.format(url=self.url, region=REGION, extra=extra))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.gw.stop()
        for server in (self.counter, self.json_server):
            if server:
                server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if getattr(self, "source", REPO) != REPO:
            shutil.rmtree(self.source, ignore_errors=True)



class Bench(Environment):
    """The environment, and the rows of rows.py made into commands for it."""

    def rc(self, *args: str, exe: str | None = None) -> list[str]:
        return [exe or self.restcli, "--config", str(self.config), *args]

    def context(self, **over) -> dict:
        """What a row's `{name}` templates are filled with."""
        ctx = {
            "restcli": self.restcli, "py": self.python, "config": self.config, "url": self.url,
            "api_key": API_KEY, "region": REGION, "tools": self.tools_venv / "bin",
            "out": self.download_file, "up": self.upload_file, "n": DOWNLOAD_BYTES, "mib": MIB,
        }
        ctx.update(over)
        return ctx

    def holds(self, condition: str | None, ctx: dict) -> bool:
        if condition is None:
            return True
        if condition == "other_python":
            return ctx["here_py"] != self.python
        if condition == "alt":
            return self.alt is not None
        if condition == "venv_http":
            return bool(ctx.get("venv_http"))
        raise ValueError(condition)

    def command(self, row: Row, ctx: dict, prefix: str = "", suffix: str = "") -> Cmd:
        cmd = Cmd(prefix + row.key, fill(row.label, ctx) + suffix, [fill(a, ctx) for a in row.argv],
                  self.env(row.env), stdout=row.stdout, check=checks.make(self, row.check),
                  before=checks.hook(self, row.before), over=row.over)
        if row.needs_tools and self.args.no_tools and not prefix:
            cmd.unavailable = "--no-tools"
        return cmd

    def commands(self, rows, ctx: dict, prefix: str = "", suffix: str = "") -> list[Cmd]:
        return [self.command(r, ctx, prefix, suffix) for r in rows if self.holds(r.when, ctx)]

    def small_cmds(self) -> list[Cmd]:
        """The start-up rows; with a second install (self.alt), its per-install rows too,
        marked [kind], with the two baselines run by that install's Python."""
        cog_problem = self.cognito_problem()
        cmds = self.commands(SMALL_ROWS, self.context())
        if self.alt:
            exe, py, kind = self.alt
            per_install = [r for r in SMALL_ROWS if r.per_install]
            cmds += self.commands(per_install, self.context(restcli=exe, py=py), "ed_", f" [{kind}]")
        for c in cmds:
            if c.key.endswith("restcli_cognito") and cog_problem:
                c.unavailable = cog_problem
        return cmds

    def big_cmds(self) -> list[Cmd]:
        if not self.upload_file.exists():
            block = (b"0123456789abcdef" * (MIB // 16))
            with open(self.upload_file, "wb") as f:
                f.writelines(block for _ in range(UPLOAD_BYTES // MIB))
        return self.commands(BIG_ROWS, self.context())

    def breakdown_cmds(self) -> list[Cmd]:
        """A ladder of stand-in commands that splits restcli's start-up cost into layers.

        Each step adds one layer to the step named in its "over" column, so the median of the
        per-round differences is that layer's CPU cost. They run with the Python of the
        install measured (and import restcli's modules from it); a step whose import fails
        is reported as not available. Two steps are stand-ins for suggested fixes (marked
        "fix?"): they show what a change to restcli would save before anyone makes it.
        """
        here_py = python_beside(self.here) if self.here else sys.executable
        ctx = self.context(here_py=here_py)
        if here_py != self.python:
            ctx.update(here_kind=install_kind(here_py), here_venv=Path(here_py).parent.parent)
        if self.alt:
            ctx.update(alt_restcli=self.alt[0], alt_kind=self.alt[2])
        return self.commands(BREAKDOWN_ROWS, ctx)

    # -- the rows of other work: skipped with a note until their prerequisite exists --
    def cognito_problem(self) -> str | None:
        """None once `restcli login` has filled the token cache, else why the row is skipped."""
        if not (self.source / "restcli" / "auth" / "cognito.py").exists():
            return "restcli/auth/cognito.py does not exist yet"
        from .cognito import prepare_cognito

        try:
            self.cognito_env = prepare_cognito(self)
        except Exception as exc:  # noqa: BLE001 - any failure skips the row with its reason
            msg = str(exc).strip().splitlines()
            return f"cognito setup failed: {type(exc).__name__}: {msg[-1][:160] if msg else ''}"
        return None

    def tty_cmds(self) -> list[Cmd]:
        """restcli and HTTPie pretty-printing the same JSON bodies into a pseudo-terminal."""
        self.json_server = JsonServer({str(mb): mb * MB for mb in TTY_SIZES_MB})
        tty_config = self.tmp / "pretty.toml"  # its own file: profiles.toml stays as the other rows read it
        tty_config.write_text(f'[profiles.pretty]\nendpoint = "{self.json_server.url}"\nauth = "none"\n')
        venv_http = shutil.which("http", path=str(Path(sys.executable).parent))
        cmds = self.commands(TTY_ROWS, self.context(tty_config=tty_config, json_url=self.json_server.url,
                                                    venv_http=venv_http or ""))
        if not venv_http:
            self.log(f"  HTTPie is not installed in {Path(sys.executable).parent}: its project-venv rows are skipped")
        return cmds

    def run_file_cmds(self) -> list[Cmd]:
        """`restcli run FILE` of RUN_ENTRIES GETs against as many `restcli get` processes."""
        run_file = self.tmp / "items.hurl"
        run_file.write_text(checks.run_file_text())
        cmds = self.commands(RUN_FILE_ROWS, self.context(run_file=run_file))
        res = subprocess.run([self.restcli, "run", "--help"], env=self.env("plain"), capture_output=True,
                             check=False)
        if res.returncode != 0:
            why = f"`restcli run --help` fails (exit {res.returncode}: {last_line(res.stderr or res.stdout)})"
            for c in cmds:
                c.unavailable = why
        return cmds
