"""Venvs (comparators, the restcli wheel), the commit measured, and machine info."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .consts import REPO

WHEEL_SOURCES = ("pyproject.toml", "README.md", "restcli")
PIP_Q = ("-m", "pip", "install", "-q", "--disable-pip-version-check")
RESTCLI_DEPS = [
    "restcli", "typer", "click", "rich", "requests", "urllib3", "boto3", "botocore",
    "requests-aws4auth", "platformdirs", "filelock", "jmespath", "tomli_w", "pycognito",
    "shellingham",
]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _new_venv(venv: Path) -> None:
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)


def make_venv(venv: Path, packages: list[str], log) -> None:
    """Create venv with packages, once; a marker file records what was installed."""
    marker = venv / ".restcli-bench"
    want = " ".join(packages)
    if marker.exists() and marker.read_text() == want:
        return
    if venv.exists():
        shutil.rmtree(venv)
    log(f"creating {venv} with {want} (first run only)")
    _new_venv(venv)
    subprocess.run(
        [str(venv_python(venv)), *PIP_Q, *packages],
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
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd="/", check=False)
    return res.stdout.strip() or "unknown"


def export_rev(rev: str) -> Path:
    """The files of commit `rev` (git archive) in a temp dir: the wheel's source and the
    gateway, independent of uncommitted work in the checkout."""
    out = Path(tempfile.mkdtemp(prefix="restcli-bench-rev-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def _build_wheel(source: Path, wheel_dir: Path, log) -> Path:
    """A wheel of source's pyproject.toml, README.md and restcli/, built from a temp copy."""
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
    return next(wheel_dir.glob("restcli-*.whl"))


def _pins() -> str:
    """This Python's distributions as pip constraints (restcli and editables left out)."""
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable",
                             "--disable-pip-version-check"], capture_output=True, text=True, check=True).stdout
    return "".join(ln + "\n" for ln in freeze.splitlines()
                   if ln and not ln.startswith(("#", "-e", "restcli")) and "==" in ln)


def build_normal_install(cache: Path, log, source: Path = REPO) -> Path:
    """A wheel of the working tree, installed (not editable) in its own venv; returns it.

    The wheel is rebuilt on every run (from a copy of pyproject.toml, README.md and
    restcli/, so the build leaves nothing in the repository) and reinstalled; the venv and
    its dependencies are made once, pinned to this Python's versions (pip freeze as
    constraints) so both installs run the same dependency code.
    """
    venv = cache / "restcli-wheel-venv"
    wheel = _build_wheel(source, cache / "wheel", log)
    pins = _pins()
    marker = venv / ".restcli-bench"
    if not (marker.exists() and marker.read_text() == pins):
        if venv.exists():
            shutil.rmtree(venv)
        log(f"creating {venv}: restcli's wheel and its dependencies (first run only)")
        _new_venv(venv)
        (cache / "constraints.txt").write_text(pins)
        subprocess.run([str(venv_python(venv)), *PIP_Q, "-c", str(cache / "constraints.txt"), str(wheel)],
                       check=True)
        marker.write_text(pins)
    # A dependency the wheel gained since the venv was made is installed (pinned); then the
    # wheel itself replaces the last one.
    subprocess.run([str(venv_python(venv)), *PIP_Q, "-c", str(cache / "constraints.txt"), str(wheel)],
                   check=True)
    subprocess.run([str(venv_python(venv)), *PIP_Q, "--force-reinstall", "--no-deps", str(wheel)], check=True)
    return venv


def dist_versions(python: Path | str, names: list[str]) -> dict:
    code = (
        "import json, sys\nfrom importlib import metadata\nout = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try:\n        out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError:\n        out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    res = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True, check=False)
    try:
        return json.loads(res.stdout)
    except ValueError:
        return {n: None for n in names}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine_info(tools_venv: Path | None) -> dict:
    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "loadavg_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "restcli_deps": dist_versions(sys.executable, RESTCLI_DEPS),
        "curl": subprocess.run(["curl", "--version"], capture_output=True, text=True,
                               check=False).stdout.split("\n")[0],
        "restcli_tree": None,
    }
    if tools_venv is not None:
        info["comparators"] = dist_versions(venv_python(tools_venv), ["httpie", "awscurl", "requests", "botocore"])
    return info


def git_state() -> str:
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
