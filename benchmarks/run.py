#!/usr/bin/env python3
"""restcli benchmarks: start-up CPU, wall time and peak memory against comparable tools.

Not part of the test suite. Run from the repository root inside the project's venv:

    . /work/venv/bin/activate            # or your .venv with `pip install -e .`
    python benchmarks/run.py             # every row, median of 15 rounds (transfers: 3)
    python benchmarks/run.py --breakdown            # + where restcli's start-up goes
    python benchmarks/run.py -n 7 --big-runs 2      # quicker
    python benchmarks/run.py --skip-big             # start-up rows only
    python benchmarks/run.py --typer-compare        # Typer 0.28 vs 0.29 (why typer<0.29)
    python benchmarks/run.py --no-wheel             # this venv's (editable) restcli only
    python benchmarks/run.py --restcli PATH/restcli # that restcli only
    python benchmarks/run.py --rev HEAD             # a commit (git archive), not the working tree

Needs curl and GNU time (/usr/bin/time) on the machine, and pip access to the package
index on the first run (comparator venvs). benchmarks/RESULTS.md records a run.

Which restcli: by default a wheel of the working tree is built (from a temp copy of
pyproject.toml, README.md and restcli/, so the build leaves nothing in the repository) and
installed, not editable, in <cache-dir>/restcli-wheel-venv with its dependencies pinned to
this venv's versions (made once; the wheel is reinstalled on every run). The targets are
judged on that install: an editable install (pip install -e) runs setuptools'
`__editable___restcli_*_finder` from a .pth file at every interpreter start in its venv,
a cost users of a normal install do not pay. This Python's (editable) restcli is measured
too, in rows marked [editable], with its own python+requests and `import typer` baselines
run by its own venv's Python (--no-editable skips them). With --rev COMMIT the wheel and
tests/gateway.py come from `git archive COMMIT` instead, so others' uncommitted or
concurrent edits cannot change the figures mid-run (the editable rows are skipped then).

What it does, in one run on one machine:

* starts the test gateway (tests/gateway.py) on 127.0.0.1 in this process;
* writes temporary restcli profiles (api_key; iam with env credentials; iam with the named
  AWS profile "bench", plain keys in the credentials file, which restcli reads with
  configparser; iam with the named AWS profile "benchproc", a credential_process (a shell
  script printing the same keys as JSON), which restcli leaves to boto3/botocore) in a
  temporary AWS config dir: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at temp
  files and HOME is a temp dir, so ~/.aws and ~/.netrc are never read or touched. awscurl
  reads ~/.aws/credentials itself and otherwise asks botocore.session.get_session(), which
  takes the profile from AWS_PROFILE: its benchproc row sets AWS_PROFILE=benchproc (and
  restcli's gets the same environment);
* runs every command from an empty temp dir (from the repository, `python -c` would
  import ./restcli instead of the install measured);
* creates (first run only) a separate venv with HTTPie and awscurl under the cache dir
  (default /tmp/restcli-bench, --cache-dir) so the project's venv is not polluted;
* runs every command once to check it works (a command that fails is reported as
  "not available" with its last stderr line: e.g. the iam rows while restcli/auth/iam.py
  is missing, the cognito row while restcli/auth/cognito.py is missing);
* measures each command as a child process: whole-process user+sys CPU from the kernel's
  rusage (os.posix_spawn + os.wait4), wall time from spawn to exit, peak RSS from GNU
  time's %M (see spawn_measure for why not wait4's); one warm-up run each, then N rounds
  in which every command runs once, the order rotated each round so background noise
  spreads over all tools; every measured run is checked (exit 0, and the body or the
  byte count where it matters);
* prints a table of absolute figures (medians), the ratios against the comparators and
  each target of issue 6 with PASS/MISS. A ratio is the median of the per-round ratios
  (two commands of one round ran seconds apart, so drifting load from other work on the
  machine cancels out), shown with its interquartile range;
* with --breakdown, a ladder of stand-in commands that splits restcli's start-up into
  layers (interpreter, requests, restcli's modules, Typer, restcli's command tree, boto3
  vs botocore), plus two stand-ins for suggested fixes ("fix?");
* then `python -X importtime` top offenders for restcli's paths (--no-importtime skips).

The cached-cognito row needs restcli/auth/cognito.py and `restcli login`: the token cache
is filled by restcli itself (`restcli login --password-stdin` against moto's Cognito on
127.0.0.1, in a temp XDG_CACHE_HOME), so the cache is always in restcli's own format; the
measured calls then point every AWS endpoint variable at a loopback counter that must
see no request. Any failure there skips the row with a note.

Peak RSS of a pipe row is restcli's (or curl's) own; the consumer (`wc -c`) is not counted.
The "os.fsync patched out" download row is a reference, not a target: restcli's own code
run with os.fsync a no-op, to show what syncing the -o file to disk costs (curl does not).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

API_KEY = "bench-key-0123456789abcdef"
AKID = "AKIDBENCHEXAMPLE0001"
SECRET = "bench/secret+key/0123456789abcdefghijKLMN"
REGION = "us-east-1"
GIB = 1 << 30
MIB = 1 << 20
DOWNLOAD_BYTES = GIB
UPLOAD_BYTES = 256 * MIB
TOOLS = ("httpie", "awscurl")
BIG_KEYS = ("restcli_dl_file", "restcli_dl_nosync", "restcli_dl_pipe", "restcli_upload_iam")


# ---------------------------------------------------------------------------
# measuring one process


@dataclass
class Run:
    cpu: float  # user + sys seconds
    wall: float
    rss_kib: int
    rc: int
    out: bytes  # captured stdout (or, for a pipe row, the byte count as text)
    err: bytes


@dataclass
class Cmd:
    key: str
    label: str
    argv: list[str]
    env: dict
    stdout: str = "capture"  # capture | pipe (through a pipe into `wc -c`)
    check: Optional[Callable[[Run], Optional[str]]] = None  # returns a problem or None
    before: Optional[Callable[[], None]] = None  # e.g. remove the output file
    runs: list[Run] = field(default_factory=list)
    unavailable: Optional[str] = None
    over: Optional[str] = None  # --breakdown: the step this one adds a layer to

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def spawn_measure(argv: list[str], env: dict, stdout: str = "capture") -> Run:
    """Run argv to completion and measure it.

    CPU (user+sys) and wall time come from os.wait4 on the spawned process. Peak RSS
    cannot: a child spawned from this (large) process starts with this process's
    high-water mark, which Linux keeps in ru_maxrss across exec. So the command runs under
    GNU time (a small C program that forks it), whose %M is the command's own peak RSS;
    wait4's CPU figure then also holds time's own, well under a millisecond. Without
    /usr/bin/time, wait4's ru_maxrss is used and is only an upper bound.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="restcli-bench-rss-") as rss:
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, "--", *argv]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        consumer = None
        if stdout == "pipe":
            r, w = os.pipe()
            consumer = os.posix_spawnp(
                "wc", ["wc", "-c"], os.environ,
                file_actions=[(os.POSIX_SPAWN_DUP2, r, 0), (os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
            )
            actions.append((os.POSIX_SPAWN_DUP2, w, 1))
        else:
            actions.append((os.POSIX_SPAWN_DUP2, out.fileno(), 1))
        t0 = time.perf_counter()
        try:
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
        finally:
            if stdout == "pipe":
                os.close(w)
                os.close(r)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        if consumer is not None:
            os.waitpid(consumer, 0)
        out.seek(0)
        err.seek(0)
        rss_kib = ru.ru_maxrss
        if GNU_TIME:
            try:  # "Command exited with non-zero status N" may come first
                rss_kib = int(Path(rss.name).read_text().split()[-1])
            except (OSError, ValueError, IndexError):
                rss_kib = -1
        return Run(
            cpu=ru.ru_utime + ru.ru_stime,
            wall=wall,
            rss_kib=rss_kib,
            rc=os.waitstatus_to_exitcode(status),
            out=out.read(),
            err=err.read(),
        )


def last_line(data: bytes) -> str:
    lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:160] if lines else "(no stderr)"


def problem_of(cmd: Cmd, run: Run) -> Optional[str]:
    if run.rc != 0:
        return f"exit {run.rc}: {last_line(run.err)}"
    if cmd.check is not None:
        return cmd.check(run)
    return None


def measure(cmds: list[Cmd], rounds: int, log) -> None:
    """Warm up and check each command once, then `rounds` rotated rounds."""
    live = []
    for cmd in cmds:
        if cmd.unavailable:
            continue
        if cmd.before:
            cmd.before()
        try:
            run = spawn_measure(cmd.argv, cmd.env, cmd.stdout)
        except OSError as exc:  # e.g. a comparator that is not installed
            cmd.unavailable = f"cannot run {cmd.argv[0]}: {exc.strerror or exc}"
            log(f"  {cmd.label}: not available ({cmd.unavailable})")
            continue
        problem = problem_of(cmd, run)
        if problem:
            cmd.unavailable = problem
            log(f"  {cmd.label}: not available ({problem})")
        else:
            live.append(cmd)
    for i in range(rounds):
        k = i % len(live) if live else 0
        for cmd in live[k:] + live[:k]:
            if cmd.unavailable:
                continue
            if cmd.before:
                cmd.before()
            run = spawn_measure(cmd.argv, cmd.env, cmd.stdout)
            problem = problem_of(cmd, run)
            if problem:  # worked in the warm-up, failed now: report, never count it
                cmd.unavailable = f"failed in round {i + 1}: {problem}"
                log(f"  {cmd.label}: {cmd.unavailable}")
                continue
            cmd.runs.append(run)
        log(f"  round {i + 1}/{rounds} done")


# ---------------------------------------------------------------------------
# environment: gateway, profiles, AWS files, comparator venv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counter:
    """A loopback HTTP server that counts every request (stands in for Cognito/STS)."""

    def __init__(self):
        counter = self
        self.hits: list[str] = []

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _any(self):
                counter.hits.append(f"{self.command} {self.path}")
                body = b'{"message":"benchmark: no AWS request expected"}'
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def make_venv(venv: Path, packages: list[str], log) -> None:
    """Create venv with packages, once; a marker file records what was installed."""
    marker = venv / ".restcli-bench"
    want = " ".join(packages)
    if marker.exists() and marker.read_text() == want:
        return
    if venv.exists():
        shutil.rmtree(venv)
    log(f"creating {venv} with {want} (first run only)")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages],
        check=True, stderr=subprocess.DEVNULL if not os.environ.get("BENCH_VERBOSE") else None,
    )
    marker.write_text(want)


def python_beside(exe: str) -> str:
    """The Python of the venv a console script lives in (its bin/python), else this one."""
    py = Path(exe).parent / "python"
    return str(py) if py.exists() else sys.executable


def install_kind(python: str) -> str:
    """How restcli is installed for `python`: "editable" or "normal" (PEP 610 direct_url.json)."""
    code = (
        "import json\nfrom importlib import metadata\n"
        "d = metadata.distribution('restcli')\n"
        "u = json.loads(d.read_text('direct_url.json') or '{}')\n"
        "print('editable' if u.get('dir_info', {}).get('editable') else 'normal')\n"
    )
    # cwd "/": from the repository, `python -c` would find ./restcli.egg-info first
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd="/")
    return res.stdout.strip() or "unknown"


WHEEL_SOURCES = ("pyproject.toml", "README.md", "restcli")


def export_rev(rev: str) -> Path:
    """The files of commit `rev` (git archive) in a temp dir: the wheel's source and the
    gateway, independent of uncommitted work in the checkout."""
    out = Path(tempfile.mkdtemp(prefix="restcli-bench-rev-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def build_normal_install(cache: Path, log, source: Path = REPO) -> Path:
    """A wheel of the working tree, installed (not editable) in its own venv; returns it.

    The wheel is rebuilt on every run (from a copy of pyproject.toml, README.md and
    restcli/, so the build leaves nothing in the repository) and reinstalled; the venv and
    its dependencies are made once, pinned to this Python's versions (pip freeze as
    constraints) so both installs run the same dependency code.
    """
    wheel_dir = cache / "wheel"
    venv = cache / "restcli-wheel-venv"
    src = Path(tempfile.mkdtemp(prefix="restcli-bench-src-"))
    try:
        for name in WHEEL_SOURCES:
            if (source / name).is_dir():
                shutil.copytree(source / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source / name, src / name)
        shutil.rmtree(wheel_dir, ignore_errors=True)
        log(f"building a wheel of {source} into {wheel_dir}")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
                        "-w", str(wheel_dir), str(src)], check=True)
    finally:
        shutil.rmtree(src, ignore_errors=True)
    wheel = next(wheel_dir.glob("restcli-*.whl"))
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable",
                             "--disable-pip-version-check"], capture_output=True, text=True, check=True).stdout
    pins = "".join(ln + "\n" for ln in freeze.splitlines()
                   if ln and not ln.startswith(("#", "-e", "restcli")) and "==" in ln)
    marker = venv / ".restcli-bench"
    if not (marker.exists() and marker.read_text() == pins):
        if venv.exists():
            shutil.rmtree(venv)
        log(f"creating {venv}: restcli's wheel and its dependencies (first run only)")
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        (cache / "constraints.txt").write_text(pins)
        subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-c", str(cache / "constraints.txt"), str(wheel)], check=True)
        marker.write_text(pins)
    subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--force-reinstall", "--no-deps", str(wheel)], check=True)
    return venv


def dist_versions(python: Path | str, names: list[str]) -> dict:
    code = (
        "import json, sys\nfrom importlib import metadata\nout = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try:\n        out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError:\n        out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    res = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True)
    try:
        return json.loads(res.stdout)
    except ValueError:
        return {n: None for n in names}


def machine_info(tools_venv: Optional[Path]) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    deps = [
        "restcli", "typer", "click", "rich", "requests", "urllib3", "boto3", "botocore",
        "requests-aws4auth", "platformdirs", "filelock", "jmespath", "tomli_w", "pycognito",
        "shellingham",
    ]
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "loadavg_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "restcli_deps": dist_versions(sys.executable, deps),
        "curl": subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0],
        "restcli_tree": None,
    }
    if tools_venv is not None:
        info["comparators"] = dist_versions(venv_python(tools_venv), ["httpie", "awscurl", "requests", "botocore"])
    return info


def _git_state() -> str:
    """The commit measured, and whether restcli/ had uncommitted changes (others edit it)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "restcli"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    n = len(dirty.splitlines())
    return f"commit {head}" + (f" + uncommitted changes to {n} paths under restcli/" if n else "")


class Bench:
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
        self.alt: Optional[tuple[str, str, str]] = None  # (restcli, python, install kind)
        self.here = here
        self.counter: Optional[Counter] = None

    @property
    def bindir(self) -> Path:
        return Path(self.python).parent

    # -- environment ---------------------------------------------------------
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

    def setup(self) -> None:
        self.source = REPO
        if self.args.rev:
            self.source = export_rev(self.args.rev)
            self.log(f"measuring commit {self.args.rev}: wheel and gateway from git archive in {self.source}")
            sys.path.insert(0, str(self.source))
        from tests.gateway import Gateway

        if not self.args.no_tools:
            make_venv(self.tools_venv, list(TOOLS), self.log)
        if self.args.normal_install:
            venv = build_normal_install(self.cache_dir, self.log, self.source)
            if self.here and not self.args.no_editable and not self.args.rev:
                py = python_beside(self.here)
                self.alt = (str(Path(self.here).absolute()), py, install_kind(py))
            self.restcli = str(venv / "bin" / "restcli")
            self.python = str(venv_python(venv))
            self.install = install_kind(self.python)
        self.gw = Gateway(api_keys={API_KEY}, credentials={AKID: (SECRET, None)}, region=REGION).start()
        self.url = self.gw.url
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
        self.config = self.tmp / "profiles.toml"
        self.write_config()
        self.config.chmod(0o600)
        self.upload_file = self.tmp / "upload.bin"
        self.download_file = self.tmp / "download.bin"

    def write_config(self, extra: str = "") -> None:
        self.config.write_text(
            f"""# written by benchmarks/run.py
[profiles.keyed]
endpoint = "{self.url}/key"
auth = "api_key"
api_key = "env:BENCH_API_KEY"

[profiles.iamenv]
endpoint = "{self.url}/iam"
auth = "iam"
region = "{REGION}"

[profiles.iamprof]
endpoint = "{self.url}/iam"
auth = "iam"
region = "{REGION}"
aws_profile = "bench"

[profiles.iamproc]
endpoint = "{self.url}/iam"
auth = "iam"
region = "{REGION}"
aws_profile = "benchproc"

[profiles.open]
endpoint = "{self.url}/open"
auth = "none"
{extra}"""
        )

    def close(self) -> None:
        try:
            self.gw.stop()
        except Exception:  # noqa: BLE001
            pass
        if self.counter:
            self.counter.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if getattr(self, "source", REPO) != REPO:
            shutil.rmtree(self.source, ignore_errors=True)

    # -- commands -------------------------------------------------------------
    def rc(self, *args: str, exe: Optional[str] = None) -> list[str]:
        return [exe or self.restcli, "--config", str(self.config), *args]

    def tool(self, name: str) -> str:
        return str(self.tools_venv / "bin" / name)

    def small_cmds(self) -> list[Cmd]:
        key_env = self.base_env(BENCH_API_KEY=API_KEY)
        iam_env = self.base_env(**self.env_creds())
        proc_env = self.base_env(AWS_PROFILE="benchproc")
        url_key = f"{self.url}/key/items"
        url_iam = f"{self.url}/iam/items"
        cmds = self.restcli_cmds(self.restcli, self.python, "", "")
        cmds[2:2] = [
            Cmd("httpie", "HTTPie http GET", [self.tool("http"), "--ignore-stdin", "--check-status", "GET", url_key,
                                             f"X-Api-Key:{API_KEY}"], key_env, check=self.keyed),
            Cmd("curl", "curl", ["curl", "-fsS", "-H", f"X-Api-Key: {API_KEY}", url_key], key_env, check=self.keyed),
        ]
        cmds += [
            Cmd("awscurl_env", "awscurl (env credentials)",
                [self.tool("awscurl"), "--fail-with-body", "--service", "execute-api", "--region", REGION, url_iam],
                iam_env, check=self.signed),
            Cmd("awscurl_profile", "awscurl --profile bench (static keys: configparser)",
                [self.tool("awscurl"), "--fail-with-body", "--profile", "bench", "--service", "execute-api",
                 "--region", REGION, url_iam], self.base_env(), check=self.signed),
            # awscurl reads only ~/.aws/credentials itself; a profile that is not there goes
            # to botocore.session.get_session(), which takes the profile from AWS_PROFILE.
            Cmd("awscurl_proc", "awscurl --profile benchproc (credential_process: botocore)",
                [self.tool("awscurl"), "--fail-with-body", "--profile", "benchproc", "--service", "execute-api",
                 "--region", REGION, url_iam], proc_env, check=self.signed),
        ]
        if self.args.no_tools:
            for c in cmds:
                if c.key in ("httpie", "awscurl_env", "awscurl_profile", "awscurl_proc"):
                    c.unavailable = "--no-tools"
        cog = self.cognito_cmd()
        if cog is not None:
            cmds.append(cog)
        if self.alt:
            exe, py, kind = self.alt
            alt = self.restcli_cmds(exe, py, "ed_", f" [{kind}]")
            if cog is not None:
                alt.append(Cmd("ed_" + cog.key, cog.label + f" [{kind}]", [exe, *cog.argv[1:]], cog.env,
                               check=cog.check, unavailable=cog.unavailable))
            cmds += alt
        return cmds

    @staticmethod
    def body_has(text: str):
        def check(run: Run):
            return None if text.encode() in run.out else f"unexpected output: {run.out[:120]!r}"
        return check

    @property
    def signed(self):
        return self.body_has('"principal": "' + AKID)

    @property
    def keyed(self):
        return self.body_has('"principal": "' + API_KEY)

    def restcli_cmds(self, exe: str, py: str, prefix: str, suffix: str) -> list[Cmd]:
        """restcli's start-up rows for one install, with the two baselines run by that
        install's Python (same interpreter, same site setup)."""
        key_env = self.base_env(BENCH_API_KEY=API_KEY)
        iam_env = self.base_env(**self.env_creds())
        url_key = f"{self.url}/key/items"
        return [
            Cmd(prefix + "restcli_api_key", "restcli get (api_key)" + suffix,
                self.rc("get", "keyed", "/items", exe=exe), key_env, check=self.keyed),
            Cmd(prefix + "py_requests", "python -c 'import requests; requests.get(...)'" + suffix,
                [py, "-c", f"import requests; requests.get({url_key!r}, headers={{'X-Api-Key': {API_KEY!r}}})"],
                key_env),
            Cmd(prefix + "restcli_iam_env", "restcli get (iam, env credentials)" + suffix,
                self.rc("get", "iamenv", "/items", exe=exe), iam_env, check=self.signed),
            Cmd(prefix + "restcli_iam_profile", "restcli get (iam, AWS profile, static keys: configparser)" + suffix,
                self.rc("get", "iamprof", "/items", exe=exe), self.base_env(), check=self.signed),
            Cmd(prefix + "restcli_iam_proc", "restcli get (iam, AWS profile, credential_process: boto3)" + suffix,
                self.rc("get", "iamproc", "/items", exe=exe), self.base_env(AWS_PROFILE="benchproc"),
                check=self.signed),
            Cmd(prefix + "restcli_help", "restcli --help" + suffix, [exe, "--help"], self.base_env(),
                check=self.body_has("Usage")),
            Cmd(prefix + "restcli_complete", "restcli completion (profile names)" + suffix, [exe],
                self.base_env(_RESTCLI_COMPLETE="complete_bash", COMP_WORDS="restcli get ke", COMP_CWORD="2",
                              RESTCLI_CONFIG=str(self.config)), check=self.body_has("keyed")),
            Cmd(prefix + "import_typer", "python -c 'import typer'" + suffix, [py, "-c", "import typer"],
                self.base_env()),
        ]

    def breakdown_cmds(self) -> list[Cmd]:
        """A ladder of stand-in commands that splits restcli's start-up cost into layers.

        Each step adds one layer to the step named in its "over" column, so the median of the
        per-round differences is that layer's CPU cost. They run with the Python of the
        install measured (and import restcli's modules from it); a step whose import fails
        is reported as not available. Two steps are stand-ins for suggested fixes (marked
        "fix?"): they show what a change to restcli would save before anyone makes it.
        """
        py = self.python
        env = self.base_env(BENCH_API_KEY=API_KEY)
        proc_env = self.base_env(AWS_PROFILE="benchproc")
        url = f"{self.url}/key/items"
        get = f"requests.get({url!r}, headers={{'X-Api-Key': {API_KEY!r}}})"
        mods = ("import restcli.__main__, restcli.app, restcli.fast_argv, restcli.request_options, restcli.call, "
                "restcli.client, restcli.config, restcli.output, restcli.request, restcli.secrets, "
                "restcli.auth.api_key")
        complete_env = self.base_env(_RESTCLI_COMPLETE="complete_bash", COMP_WORDS="restcli get ke",
                                     COMP_CWORD="2", RESTCLI_CONFIG=str(self.config))
        creds = "get_credentials().get_frozen_credentials()"

        def main_via_c(*args: str, patch: str = "") -> list[str]:
            """restcli's entry point run by `python -c`, after an optional patch (a fix?)."""
            argv = ["restcli", "--config", str(self.config), *args]
            return [py, "-c", f"import sys\n{patch}sys.argv = {argv!r}\nfrom restcli.__main__ import main; main()\n"]

        botocore_session = (
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
        no_charset_detection = (
            "import warnings\nsys.modules['chardet'] = sys.modules['charset_normalizer'] = None\n"
            "warnings.filterwarnings('ignore', 'Unable to find acceptable character detection')\n"
        )
        iam_env = self.base_env(**self.env_creds())
        fast_complete = (
            "import os, tomllib, restcli.__main__, restcli.app\n"
            "from restcli.locations import find_path\n"
            "with open(find_path(None), 'rb') as f: names = tomllib.load(f).get('profiles', {})\n"
            "print('\\n'.join(n for n in names if n.startswith('ke')))\n"
        )
        C = Cmd
        cmds = [
            C("bd_pass", "P  python -c pass (interpreter)", [py, "-c", "pass"], env),
        ]
        here_py = python_beside(self.here) if self.here else sys.executable
        if here_py != py:
            cmds.append(C("bd_pass_ed", f"P' python -c pass, {install_kind(here_py)} venv ({Path(here_py).parent.parent})",
                          [here_py, "-c", "pass"], env, over="bd_pass"))
        cmds += [
            C("bd_a", "A  import requests; requests.get(URL)", [py, "-c", f"import requests; {get}"], env,
              over="bd_pass"),
            C("bd_d", "D  A + import restcli's request-path modules", [py, "-c", f"import requests; {mods}; {get}"],
              env, over="bd_a"),
            C("bd_e", "E  restcli get keyed /items (the real call)", self.rc("get", "keyed", "/items"), env,
              over="bd_d", check=self.keyed),
        ]
        if self.alt:
            cmds.append(C("bd_e_ed", f"E' the same, {self.alt[2]} install",
                          self.rc("get", "keyed", "/items", exe=self.alt[0]), env, over="bd_e", check=self.keyed))
        cmds += [
            C("bd_i", "I  restcli get iamenv /items (iam, env credentials)", self.rc("get", "iamenv", "/items"),
              iam_env, over="bd_e", check=self.signed),
            C("bd_i0", "I0 I by `python -c` calling restcli.__main__.main()", main_via_c("get", "iamenv", "/items"),
              iam_env, over="bd_i", check=self.signed),
            C("bd_j", "J  fix? I0 with requests' charset detection (charset_normalizer) kept out",
              main_via_c("get", "iamenv", "/items", patch=no_charset_detection), iam_env, over="bd_i0",
              check=self.signed),
            C("bd_t", "T  import typer", [py, "-c", "import typer"], env, over="bd_pass"),
            C("bd_t2", "T2 T + import restcli.__main__, restcli.cli", [py, "-c", "import typer, restcli.__main__, "
                                                                              "restcli.cli"], env, over="bd_t"),
            C("bd_t3", "T3 T2 + typer.main.get_command(app) (builds every command)",
              [py, "-c", "import typer.main, restcli.__main__; from restcli.cli import app; "
                         "typer.main.get_command(app)"], env, over="bd_t2"),
            C("bd_g", "G  restcli completion (the real one)", [self.restcli], complete_env, over="bd_t3",
              check=self.body_has("keyed")),
            C("bd_f", "F  fix? completion without Typer: restcli.__main__ + tomllib read of the names",
              [py, "-c", fast_complete], complete_env, over="bd_pass", check=self.body_has("keyed")),
            C("bd_h", "H  A + boto3.Session('benchproc') credentials (credential_process)",
              [py, "-c", f"import requests, boto3; boto3.Session(profile_name='benchproc').{creds}"], proc_env,
              over="bd_a"),
            C("bd_h2", "H2 A + botocore Session('benchproc') credentials (credential_process)",
              [py, "-c", f"import requests, botocore.session; botocore.session.Session(profile='benchproc').{creds}"],
              proc_env, over="bd_a"),
            C("bd_r", "R  I0 with the credential_process profile (restcli get iamproc /items)",
              main_via_c("get", "iamproc", "/items"), proc_env, over="bd_i0", check=self.signed),
            C("bd_x", "X  fix? R with botocore.session.Session in place of boto3.Session",
              main_via_c("get", "iamproc", "/items", patch=botocore_session), proc_env, over="bd_r",
              check=self.signed),
        ]
        return cmds

    def big_cmds(self) -> list[Cmd]:
        n = DOWNLOAD_BYTES
        url = f"{self.url}/open/bytes?n={n}&chunk={MIB}"
        out = str(self.download_file)

        def rm_out():
            for p in self.tmp.glob("download.bin*"):
                p.unlink()
            for p in self.tmp.glob(".download.bin*"):
                p.unlink()

        def file_ok(run: Run):
            try:
                size = os.path.getsize(out)
            except OSError:
                return "no output file"
            return None if size == n else f"output file has {size} bytes, not {n}"

        def pipe_ok(run: Run):
            got = run.out.decode().strip()
            return None if got == str(n) else f"pipe got {got!r} bytes, not {n}"

        if not self.upload_file.exists():
            block = (b"0123456789abcdef" * (MIB // 16))
            with open(self.upload_file, "wb") as f:
                for _ in range(UPLOAD_BYTES // MIB):
                    f.write(block)

        def uploaded(run: Run):
            try:
                got = json.loads(run.out)["body_length"]
            except (ValueError, KeyError, TypeError):
                return f"unexpected output: {run.out[:120]!r}"
            return None if got == UPLOAD_BYTES else f"server got {got} bytes"

        env = self.base_env()
        iam_env = self.base_env(**self.env_creds())
        up = str(self.upload_file)
        cmds = [
            Cmd("restcli_dl_file", "restcli get 1 GiB -o FILE",
                self.rc("get", "open", "/bytes", f"n=={n}", f"chunk=={MIB}", "-o", out), env,
                check=file_ok, before=rm_out),
            Cmd("curl_dl_file", "curl 1 GiB -o FILE", ["curl", "-fsS", "-o", out, url], env, check=file_ok,
                before=rm_out),
            # restcli's own code with os.fsync made a no-op: what syncing the -o file costs
            # (curl does not sync). Run by the measured install's Python.
            Cmd("restcli_dl_nosync", "restcli get 1 GiB -o FILE, os.fsync patched out (reference)",
                [self.python, "-c", "import os, sys; os.fsync = lambda fd: None; sys.argv = "
                 + repr(["restcli", *self.rc("get", "open", "/bytes", f"n=={n}", f"chunk=={MIB}", "-o", out)[1:]])
                 + "; from restcli.__main__ import main; main()"], env, check=file_ok, before=rm_out),
            Cmd("restcli_dl_pipe", "restcli get 1 GiB, stdout a pipe to wc -c",
                self.rc("get", "open", "/bytes", f"n=={n}", f"chunk=={MIB}"), env, stdout="pipe", check=pipe_ok),
            Cmd("curl_dl_pipe", "curl 1 GiB, stdout a pipe to wc -c", ["curl", "-fsS", url], env, stdout="pipe", check=pipe_ok),
            Cmd("restcli_upload_iam", "restcli post (iam) -d @256MiB",
                self.rc("post", "iamenv", "/upload", "-d", f"@{up}"), iam_env, check=uploaded),
            Cmd("curl_upload", "curl -T 256MiB (no auth, reference)",
                ["curl", "-fsS", "-H", "Expect:", "-T", up, f"{self.url}/open/upload"], env, check=uploaded),
            Cmd("awscurl_upload", "awscurl -d @256MiB (reference)",
                [self.tool("awscurl"), "--fail-with-body", "-X", "POST", "--data-binary", "-d", f"@{up}",
                 "--service", "execute-api", "--region", REGION, f"{self.url}/iam/upload"], iam_env, check=uploaded),
        ]
        if self.args.no_tools:
            cmds[-1].unavailable = "--no-tools"
        return cmds

    # -- cognito (built by another issue; skipped gracefully until it works) ---
    def cognito_cmd(self) -> Optional[Cmd]:
        label = "restcli get (cognito, cached token)"
        key = "restcli_cognito"
        if not (self.source / "restcli" / "auth" / "cognito.py").exists():
            return Cmd(key, label, [], {}, unavailable="restcli/auth/cognito.py does not exist yet")
        try:
            env = self.prepare_cognito()
        except Exception as exc:  # noqa: BLE001 - any failure skips the row with its reason
            msg = str(exc).strip().splitlines()
            return Cmd(key, label, [], {}, unavailable=f"cognito setup failed: {type(exc).__name__}: "
                       f"{msg[-1][:160] if msg else ''}")

        def authorized(run: Run):
            return None if b'"principal": "' in run.out and b'"principal": null' not in run.out \
                else f"unexpected output: {run.out[:120]!r}"

        return Cmd(key, label, self.rc("get", "cog", "/items"), env, check=authorized)

    def prepare_cognito(self) -> dict:
        """Sign in once with `restcli login` against moto on 127.0.0.1; return the env for
        cached calls, whose AWS endpoints all point at a counter that must stay at zero."""
        import logging

        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log

        port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        moto_url = f"http://127.0.0.1:{port}"
        try:
            idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto_url,
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
            client = idp.create_user_pool_client(
                UserPoolId=pool, ClientName="bench",
                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]["ClientId"]
            user, password = "bench-user", "Bench-Passw0rd!"
            idp.admin_create_user(UserPoolId=pool, Username=user, TemporaryPassword="Tmp-Passw0rd!1",
                                  MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=pool, Username=user, Password=password, Permanent=True)
            self.gw.jwks_url = f"{moto_url}/{pool}/.well-known/jwks.json"
            profile = (
                f'\n[profiles.cog]\nendpoint = "{self.url}/jwt/id"\nauth = "cognito"\n'
                f'user_pool_id = "{pool}"\nclient_id = "{client}"\nregion = "{REGION}"\n'
            )
            login_env = self.base_env(AWS_ENDPOINT_URL=moto_url, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=moto_url)
            problems = []
            for extra in ("", 'flow = "password"\n'):  # default flow (SRP), then plain password
                self.write_config(profile + extra)
                res = subprocess.run(self.rc("login", "cog", "--username", user, "--password-stdin"),
                                     input=password + "\n", env=login_env, capture_output=True, text=True,
                                     timeout=60)
                if res.returncode == 0:
                    break
                problems.append(f"exit {res.returncode}: {last_line(res.stderr.encode())}")
            else:
                self.write_config()
                raise RuntimeError("restcli login failed: " + "; ".join(problems))
            # one call while moto runs, so the gateway fetches and caches the JWKS
            self.counter = Counter()
            env = self.base_env(AWS_ENDPOINT_URL=self.counter.url,
                                AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=self.counter.url,
                                AWS_ENDPOINT_URL_COGNITO_IDENTITY=self.counter.url,
                                AWS_ENDPOINT_URL_STS=self.counter.url)
            res = subprocess.run(self.rc("get", "cog", "/items"), env=env, capture_output=True, timeout=60)
            if res.returncode != 0:
                raise RuntimeError(f"first cached call: exit {res.returncode}: {last_line(res.stderr)}")
            return env
        finally:
            moto.stop()  # measured calls run without any Cognito


# ---------------------------------------------------------------------------
# report


def paired_ratios(a: Optional[Cmd], b: Optional[Cmd], attr: str = "cpu") -> list[float]:
    """a/b for each round in which both ran. The load of a shared machine drifts over a
    run; two commands of one round ran seconds apart, so the median of the per-round
    ratios is steadier than the ratio of the medians."""
    if a is None or b is None or a.unavailable or b.unavailable or not a.runs or not b.runs:
        return []
    if len(a.runs) != len(b.runs):  # not the same rounds: fall back to the medians
        return [a.median(attr) / b.median(attr)] if b.median(attr) else []
    return [getattr(x, attr) / getattr(y, attr) for x, y in zip(a.runs, b.runs) if getattr(y, attr)]


def fmt_ratio(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def start_up_targets(target, ratio_target, na, bench, x: str = "") -> None:
    """The start-up targets of issue 6 for one install: x is its row-key prefix ("" for the
    install the targets are judged on, "ed_" for the editable one shown for information)."""
    ratio_target("api_key: CPU <= 1.15x python+requests", x + "restcli_api_key", x + "py_requests", 1.15)
    ratio_target("api_key: CPU <= 0.6x HTTPie", x + "restcli_api_key", "httpie", 0.6)
    ratio_target("iam env credentials: CPU <= 0.6x awscurl", x + "restcli_iam_env", "awscurl_env", 0.6)
    ratio_target("iam named AWS profile, static keys: CPU <= 1.0x awscurl", x + "restcli_iam_profile",
                 "awscurl_profile", 1.0)
    ratio_target("iam named AWS profile, credential_process (boto3 path): CPU <= 1.0x awscurl",
                 x + "restcli_iam_proc", "awscurl_proc", 1.0)
    ratio_target("cognito cached: CPU <= 1.3x api_key call", x + "restcli_cognito", x + "restcli_api_key", 1.3)
    target("cognito cached: Cognito/AWS requests == 0",
           None if na(x + "restcli_cognito") or bench.counter is None
           else float(len(bench.counter.hits)), 0, "requests", na(x + "restcli_cognito"))
    ratio_target("--help: CPU <= 1.0x python+requests", x + "restcli_help", x + "py_requests", 1.0)
    ratio_target("completion: CPU <= 1.2x import typer", x + "restcli_complete", x + "import_typer", 1.2)


def report(bench: Bench, small: list[Cmd], big: list[Cmd], args, log) -> tuple[str, list[dict]]:
    by = {c.key: c for c in small + big}

    def med(key: str, attr: str) -> Optional[float]:
        c = by.get(key)
        if c is None or c.unavailable or not c.runs:
            return None
        return c.median(attr)

    def ratio(a: str, b: str, attr: str = "cpu") -> Optional[float]:
        r = paired_ratios(by.get(a), by.get(b), attr)
        return statistics.median(r) if r else None

    def spread(a: str, b: str, attr: str = "cpu") -> str:
        r = paired_ratios(by.get(a), by.get(b), attr)
        if len(r) < 4:
            return ""
        q = statistics.quantiles(r, n=4)
        return f" (IQR {q[0]:.2f}-{q[2]:.2f})"

    lines = []
    p = lines.append
    p("| case | command | runs | CPU s (user+sys) | wall s | peak RSS MiB | ratio, median of per-round ratios (CPU unless noted) |")
    p("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    ratio_of = {
        "restcli_api_key": [("py_requests", "python+requests"), ("httpie", "HTTPie"), ("curl", "curl")],
        "restcli_iam_env": [("awscurl_env", "awscurl"), ("restcli_api_key", "restcli api_key")],
        "restcli_iam_profile": [("awscurl_profile", "awscurl --profile bench"), ("restcli_iam_env", "restcli iam env")],
        "restcli_iam_proc": [("awscurl_proc", "awscurl --profile benchproc"), ("restcli_iam_env", "restcli iam env")],
        "restcli_help": [("py_requests", "python+requests")],
        "restcli_complete": [("import_typer", "import typer")],
        "restcli_cognito": [("restcli_api_key", "restcli api_key")],
        "restcli_dl_file": [("curl_dl_file", "curl")],
        "restcli_dl_nosync": [("curl_dl_file", "curl"), ("restcli_dl_file", "restcli -o")],
        "restcli_dl_pipe": [("curl_dl_pipe", "curl")],
        "restcli_upload_iam": [("curl_upload", "curl"), ("awscurl_upload", "awscurl")],
    }
    own = ("py_requests", "import_typer", "restcli_api_key", "restcli_iam_env")  # per-install baselines
    for key in list(ratio_of):
        if key.startswith("restcli_") and "ed_" + key in by:
            ratio_of["ed_" + key] = [(("ed_" + o) if o in own else o, n + (" [same venv]" if o in own else ""))
                                     for o, n in ratio_of[key]]
    cases = {
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
    }
    for case, keys in cases.items():
        for key in keys:
            c = by.get(key)
            if c is None:
                continue
            if c.unavailable or not c.runs:
                p(f"| {case} | {c.label} | 0 | not available: {c.unavailable or 'not run'} | | | |")
                continue
            attrs = ("cpu", "wall") if key in BIG_KEYS else ("cpu",)
            rs = "; ".join(
                ("wall " if attr == "wall" else "CPU " if len(attrs) > 1 else "")
                + f"{fmt_ratio(ratio(key, other, attr))} {name}"
                for other, name in ratio_of.get(key, []) for attr in attrs
                if ratio(key, other, attr) is not None
            )
            p(f"| {case} | {c.label} | {len(c.runs)} | {c.median('cpu'):.3f} | {c.median('wall'):.3f} | "
              f"{c.median('rss_kib') / 1024:.1f} | {rs} |")

    targets = []
    into = targets

    def target(name: str, value: Optional[float], limit: float, unit: str, why_na: str = "", strict=False,
               pair: tuple = ()):
        if value is None:
            result = "n/a"
        else:
            result = "PASS" if (value < limit if strict else value <= limit) else "MISS"
        into.append({"target": name, "value": value, "limit": limit, "unit": unit, "result": result,
                        "note": why_na if value is None else "", "spread": spread(*pair) if pair else ""})

    def ratio_target(name, a, b, limit, attr="cpu"):
        target(name, ratio(a, b, attr), limit, "x", na(a, b), pair=(a, b, attr))

    def na(*keys):
        for k in keys:
            c = by.get(k)
            if c is None:
                return f"{k} not run"
            if c.unavailable:
                return f"{c.label}: {c.unavailable}"
        return ""

    if small:
        start_up_targets(target, ratio_target, na, bench)
    if big:
        target("1 GiB -o FILE: peak RSS < 80 MiB",
               None if med("restcli_dl_file", "rss_kib") is None else med("restcli_dl_file", "rss_kib") / 1024,
               80, "MiB", na("restcli_dl_file"), strict=True)
        ratio_target("1 GiB -o FILE: wall <= 2x curl", "restcli_dl_file", "curl_dl_file", 2.0, "wall")
        target("1 GiB into a pipe: peak RSS < 80 MiB",
               None if med("restcli_dl_pipe", "rss_kib") is None else med("restcli_dl_pipe", "rss_kib") / 1024,
               80, "MiB", na("restcli_dl_pipe"), strict=True)
        ratio_target("1 GiB into a pipe: wall <= 2x curl", "restcli_dl_pipe", "curl_dl_pipe", 2.0, "wall")
        target("256 MiB upload (iam): peak RSS < 100 MiB",
               None if med("restcli_upload_iam", "rss_kib") is None else med("restcli_upload_iam", "rss_kib") / 1024,
               100, "MiB", na("restcli_upload_iam"), strict=True)

    editable_targets: list[dict] = []
    if small and bench.alt:
        into = editable_targets
        start_up_targets(target, ratio_target, na, bench, "ed_")
        into = targets

    def target_table(title: str, rows: list[dict]) -> None:
        p("")
        p(f"| {title} | measured | result |")
        p("| --- | ---: | --- |")
        for t in rows:
            if t["value"] is None:
                shown = f"n/a ({t['note']})" if t["note"] else "n/a"
            elif t["unit"] == "x":
                shown = f"{t['value']:.2f}x{t['spread']}"
            elif t["unit"] == "MiB":
                shown = f"{t['value']:.1f} MiB"
            else:
                shown = f"{t['value']:g} {t['unit']}"
            p(f"| {t['target']} | {shown} | {t['result']} |")

    target_table(f"target (issue 6), restcli {bench.install} install", targets)
    if editable_targets:
        p("")
        p(f"For information, the same start-up targets with the {bench.alt[2]} install "
          f"({bench.alt[0]}); its python+requests and `import typer` baselines run in its own venv:")
        target_table(f"start-up target, restcli {bench.alt[2]} install", editable_targets)
    for t in editable_targets:
        t["install"] = bench.alt[2]
    return "\n".join(lines), targets + editable_targets


def breakdown_report(cmds: list[Cmd]) -> str:
    by = {c.key: c for c in cmds}

    def m(k):
        c = by.get(k)
        return None if c is None or c.unavailable or not c.runs else c.median("cpu")

    lines = ["| step | runs | CPU s | + over | delta ms (median of per-round differences) |",
             "| --- | ---: | ---: | --- | ---: |"]
    for c in cmds:
        key, prev = c.key, c.over
        if m(key) is None:
            lines.append(f"| {c.label} | 0 | not available: {c.unavailable} | | |")
            continue
        delta = ""
        if prev is not None and m(prev) is not None:
            a, b = by[key].runs, by[prev].runs
            d = [x.cpu - y.cpu for x, y in zip(a, b)] if len(a) == len(b) else [m(key) - m(prev)]
            delta = f"{statistics.median(d) * 1000:+.0f}"
        lines.append(f"| {c.label} | {len(c.runs)} | {m(key):.3f} | {by[prev].label.split()[0] if prev else ''} "
                     f"| {delta} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# python -X importtime


def parse_importtime(stderr: str) -> list[tuple[int, int, int, str]]:
    """(self_us, cumulative_us, depth, module) for each `import time:` line."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3:
            continue
        self_us, cum_us, name = parts
        name = name[1:] if name.startswith(" ") else name
        depth = (len(name) - len(name.lstrip(" "))) // 2
        try:
            rows.append((int(self_us), int(cum_us), depth, name.strip()))
        except ValueError:
            continue
    return rows


def importtime_report(argv: list[str], env: dict, runs: int = 5, top: int = 12) -> str:
    """Median over runs of each module's self time, grouped by top-level package, and the
    top-level imports by cumulative time."""
    per_pkg: dict[str, list[int]] = {}
    per_top: dict[str, list[int]] = {}
    totals = []
    modules = []
    for _ in range(runs):
        res = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL)
        rows = parse_importtime(res.stderr)
        pkg: dict[str, int] = {}
        topc: dict[str, int] = {}
        for self_us, cum_us, depth, name in rows:
            root = name.split(".")[0]
            pkg[root] = pkg.get(root, 0) + self_us
            if depth == 0:
                topc[name] = topc.get(name, 0) + cum_us
        for k, v in pkg.items():
            per_pkg.setdefault(k, []).append(v)
        for k, v in topc.items():
            per_top.setdefault(k, []).append(v)
        totals.append(sum(r[0] for r in rows))
        modules.append(len(rows))
    out = [f"  modules imported: {int(statistics.median(modules))}; total import time "
           f"{statistics.median(totals) / 1000:.0f} ms (median of {runs}; -X importtime inflates it)"]
    pk = sorted(((statistics.median(v), k) for k, v in per_pkg.items()), reverse=True)[:top]
    out.append("  by top-level package (self time, ms): " + ", ".join(f"{k} {v / 1000:.0f}" for v, k in pk))
    tc = sorted(((statistics.median(v), k) for k, v in per_top.items()), reverse=True)[:top]
    out.append("  top-level imports (cumulative, ms): " + ", ".join(f"{k} {v / 1000:.0f}" for v, k in tc))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Typer 0.28 vs 0.29


TYPER_APP = '''\
import typer

if __import__("os").environ.get("BENCH_SHOW_MODULES"):  # which heavy modules the run loaded
    import atexit, sys

    atexit.register(lambda: print("loaded:", sorted(
        m for m in ("pydantic", "pydantic_core", "rich", "annotated_types") if m in sys.modules)))

app = typer.Typer()


@app.command()
def main(name: str = "world", count: int = 1) -> None:
    for _ in range(count):
        print(f"hello {name}")


if __name__ == "__main__":
    app()
'''


def typer_compare(args, log) -> str:
    cache = Path(args.cache_dir)
    venvs = {}
    for spec in ("0.28", "0.29"):
        venv = cache / f"typer-{spec}-venv"
        make_venv(venv, [f"typer=={spec}.*"], log)
        venvs[spec] = venv
    tmp = Path(tempfile.mkdtemp(prefix="restcli-bench-typer-"))
    try:
        app = tmp / "app.py"
        app.write_text(TYPER_APP)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8"}
        cmds = []
        info = []
        for spec, venv in venvs.items():
            py = str(venv_python(venv))
            vers = dist_versions(py, ["typer", "click", "rich", "pydantic", "pydantic-core", "shellingham"])
            loaded = [
                subprocess.run([py, str(app), *a], capture_output=True, text=True,
                               env=dict(env, BENCH_SHOW_MODULES="1")).stdout.strip().splitlines()[-1].removeprefix("loaded: ")
                for a in (["--name", "x"], ["--help"])
            ]
            info.append(f"- typer {spec}.*: " + ", ".join(f"{k} {v}" for k, v in vers.items() if v)
                        + f"; heavy modules after `app.py --name x`: {loaded[0]}, after `--help`: {loaded[1]}")
            cmds += [
                Cmd(f"app_{spec}", f"Typer {vers.get('typer')} minimal app `--name x`", [py, str(app), "--name", "x"],
                    env, check=lambda r: None if b"hello x" in r.out else f"output {r.out[:80]!r}"),
                Cmd(f"help_{spec}", f"Typer {vers.get('typer')} minimal app `--help`", [py, str(app), "--help"], env),
                Cmd(f"import_{spec}", f"Typer {vers.get('typer')} `python -c 'import typer'`",
                    [py, "-c", "import typer"], env),
            ]
        log(f"typer compare: {args.runs} rounds")
        measure(cmds, args.runs, log)
        lines = info + ["", "| command | runs | CPU s | wall s | peak RSS MiB |", "| --- | ---: | ---: | ---: | ---: |"]
        for c in cmds:
            if c.unavailable or not c.runs:
                lines.append(f"| {c.label} | 0 | not available: {c.unavailable} | | |")
            else:
                lines.append(f"| {c.label} | {len(c.runs)} | {c.median('cpu'):.3f} | {c.median('wall'):.3f} | "
                             f"{c.median('rss_kib') / 1024:.1f} |")
        by = {c.key: c for c in cmds}
        for what in ("app", "import"):
            a, b = by[f"{what}_0.29"], by[f"{what}_0.28"]
            if a.runs and b.runs:
                lines.append(f"\n{what}: CPU typer 0.29 / 0.28 = {a.median('cpu') / b.median('cpu'):.2f}x")
        for spec, venv in venvs.items():
            lines.append(f"\n`python -X importtime` of the minimal app, typer {spec}:")
            lines.append(importtime_report([str(venv_python(venv)), str(app), "--name", "x"], env, runs=3, top=8))
        return "\n".join(lines)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 15)),
                    help="measured rounds for the start-up rows (median reported; default 15)")
    ap.add_argument("--big-runs", type=int, default=3, help="rounds for the 1 GiB / 256 MiB rows (default 3)")
    ap.add_argument("--skip-big", action="store_true", help="skip the download and upload rows")
    ap.add_argument("--skip-small", action="store_true", help="skip the start-up rows")
    ap.add_argument("--no-tools", action="store_true", help="do not create the HTTPie/awscurl venv; skip their rows")
    ap.add_argument("--no-importtime", action="store_true", help="skip the -X importtime profiles")
    ap.add_argument("--breakdown", action="store_true",
                    help="also measure a ladder of stand-ins that splits restcli's start-up into layers")
    ap.add_argument("--typer-compare", action="store_true",
                    help="only compare a minimal Typer app under typer 0.28.* and 0.29.* (two throwaway venvs)")
    ap.add_argument("--cache-dir", default=os.environ.get("RESTCLI_BENCH_CACHE", "/tmp/restcli-bench"),
                    help="where the comparator venvs live (default /tmp/restcli-bench)")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    ap.add_argument("--restcli", metavar="EXE",
                    help="measure this restcli executable only (no wheel is built); the python+requests and "
                         "`import typer` baselines and the --breakdown steps run with the Python beside it")
    ap.add_argument("--no-wheel", action="store_true",
                    help="measure this Python's restcli only (usually the editable install; no wheel is built)")
    ap.add_argument("--rev", metavar="COMMIT",
                    help="build the wheel (and take tests/gateway.py) from this commit (git archive), not the "
                         "working tree, so uncommitted work by others does not change the figures mid-run; "
                         "the editable rows are then skipped (they would run the working tree)")
    ap.add_argument("--no-editable", action="store_true",
                    help="do not also measure this Python's (editable) restcli beside the wheel install")
    args = ap.parse_args()
    # By default the targets are judged on a normal (wheel) install of the working tree:
    # an editable install runs setuptools' import finder in every process of its venv.
    args.normal_install = not (args.restcli or args.no_wheel)
    if args.rev:
        if not args.normal_install:
            ap.error("--rev builds a wheel: not with --restcli or --no-wheel")
        args.rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.rev], capture_output=True,
                                  text=True, check=True).stdout.strip()
    for name in ("json", "restcli", "cache_dir"):  # the commands run in a temp dir
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))

    def log(msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    if args.typer_compare:
        print(typer_compare(args, log))
        return 0

    bench = Bench(args, log)
    t_start = time.time()
    cwd = os.getcwd()
    try:
        bench.setup()
        # Every command runs in an empty temp dir, as from a user's working directory: from
        # the repository, `python -c` would import restcli from ./restcli (sys.path[0] is
        # the cwd) instead of the install being measured, and find ./restcli.egg-info.
        os.chdir(bench.tmp)
        info = machine_info(None if args.no_tools else bench.tools_venv)
        info["restcli_tree"] = (f"commit {args.rev} (git archive; the checkout is not used)" if args.rev
                                else _git_state())
        small = [] if args.skip_small else bench.small_cmds()
        big = [] if args.skip_big else bench.big_cmds()
        if small:
            log(f"start-up rows: {len(small)} commands x {args.runs} rounds")
            measure(small, args.runs, log)
        if big:
            log(f"transfer rows: {len(big)} commands x {args.big_runs} rounds")
            measure(big, args.big_runs, log)
        breakdown = bench.breakdown_cmds() if args.breakdown else []
        if breakdown:
            log(f"breakdown ladder: {len(breakdown)} commands x {args.runs} rounds")
            measure(breakdown, args.runs, log)
        info["loadavg_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        if not args.rev and args.normal_install and _git_state() != info["restcli_tree"]:
            info["restcli_tree"] += (f"; WARNING: the checkout changed during the run (now {_git_state()}): the "
                                     "wheel rows ran the state at the start, the editable rows a moving tree")
        table, targets = report(bench, small, big, args, log)
        cmdline = "python benchmarks/run.py " + " ".join(sys.argv[1:])
        print(f"## restcli benchmarks ({time.strftime('%Y-%m-%d %H:%M %Z')}, {time.time() - t_start:.0f} s)\n")
        print(f"command: `{cmdline.strip()}`\n")
        print(f"restcli measured: {info['restcli_tree']}; targets judged on the {bench.install} install "
              f"{bench.restcli} (baselines with {bench.python})"
              + (f"; also the {bench.alt[2]} install {bench.alt[0]} (rows marked [{bench.alt[2]}])" if bench.alt else ""))
        print(f"machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
              f"Linux {info['kernel']}, Python {info['python']}, load average (1/5/15 min) at start "
              f"{info['loadavg_at_start']}, after the measurements {info['loadavg_at_end']}")
        print("restcli deps: " + ", ".join(f"{k} {v}" for k, v in info["restcli_deps"].items() if v))
        if bench.python != sys.executable:
            other = dist_versions(bench.python, list(info["restcli_deps"]))
            diff = {k: v or "not installed" for k, v in other.items() if v != info["restcli_deps"].get(k)}
            print(f"restcli deps in {Path(bench.python).parent.parent}: the same versions"
                  + ("" if not diff else ", except " + ", ".join(f"{k} {v}" for k, v in diff.items())))
        if info.get("comparators"):
            print("comparators: " + ", ".join(f"{k} {v}" for k, v in info["comparators"].items() if v)
                  + f" (in {bench.tools_venv}); {info['curl']}")
        else:
            print(f"comparators: {info['curl']}")
        print()
        print(table)
        if breakdown:
            print(f"\n### Start-up breakdown (CPU medians of {args.runs}; each step adds one layer)\n")
            print(breakdown_report(breakdown))
        importtimes = {}
        if not args.no_importtime and small:
            print("\n### `python -X importtime`, restcli's paths (median of 5 runs)\n")
            by = {c.key: c for c in small}
            for key in ("restcli_api_key", "restcli_iam_env", "restcli_iam_profile", "restcli_iam_proc",
                        "restcli_help", "restcli_complete", "restcli_cognito", "py_requests", "import_typer",
                        "ed_restcli_api_key", "ed_py_requests"):
                c = by.get(key)
                if c is None or c.unavailable:
                    continue
                py = python_beside(c.argv[0])
                argv = c.argv if c.argv[0] == py else [py, *c.argv]
                rep = importtime_report(argv, c.env)
                importtimes[key] = rep
                print(f"{c.label}:\n{rep}\n")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "machine": info, "command": cmdline,
                "restcli": {"targets_on": bench.restcli, "install": bench.install, "python": bench.python,
                            "also": list(bench.alt) if bench.alt else None},
                "rows": {c.key: {"label": c.label, "unavailable": c.unavailable,
                                 "runs": [{"cpu": r.cpu, "wall": r.wall, "rss_kib": r.rss_kib} for r in c.runs]}
                         for c in small + big + breakdown},
                "targets": targets, "importtime": importtimes,
                "cognito_requests": None if bench.counter is None else bench.counter.hits,
            }, indent=2))
        return 0
    finally:
        os.chdir(cwd)
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
