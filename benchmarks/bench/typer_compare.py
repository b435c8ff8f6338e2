"""--typer-compare: a minimal Typer app under typer 0.28.* and 0.29.* (why typer<0.29)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .importtime import importtime_report
from .measure import Cmd, measure
from .venvs import dist_versions, make_venv, venv_python

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


def _rows_of(spec: str, py: str, app: Path, env: dict) -> tuple[str, list[Cmd]]:
    """The info line and the three commands of one Typer version."""
    vers = dist_versions(py, ["typer", "click", "rich", "pydantic", "pydantic-core", "shellingham"])
    loaded = [
        subprocess.run([py, str(app), *a], capture_output=True, text=True, check=False,
                       env=dict(env, BENCH_SHOW_MODULES="1")).stdout.strip().splitlines()[-1].removeprefix("loaded: ")
        for a in (["--name", "x"], ["--help"])
    ]
    info = (f"- typer {spec}.*: " + ", ".join(f"{k} {v}" for k, v in vers.items() if v)
            + f"; heavy modules after `app.py --name x`: {loaded[0]}, after `--help`: {loaded[1]}")
    cmds = [
        Cmd(f"app_{spec}", f"Typer {vers.get('typer')} minimal app `--name x`", [py, str(app), "--name", "x"],
            env, check=lambda r: None if b"hello x" in r.out else f"output {r.out[:80]!r}"),
        Cmd(f"help_{spec}", f"Typer {vers.get('typer')} minimal app `--help`", [py, str(app), "--help"], env),
        Cmd(f"import_{spec}", f"Typer {vers.get('typer')} `python -c 'import typer'`",
            [py, "-c", "import typer"], env),
    ]
    return info, cmds


def _table(info: list[str], cmds: list[Cmd]) -> list[str]:
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
    return lines


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
            line, rows = _rows_of(spec, str(venv_python(venv)), app, env)
            info.append(line)
            cmds += rows
        log(f"typer compare: {args.runs} rounds")
        measure(cmds, args.runs, log)
        lines = _table(info, cmds)
        for spec, venv in venvs.items():
            lines.append(f"\n`python -X importtime` of the minimal app, typer {spec}:")
            lines.append(importtime_report([str(venv_python(venv)), str(app), "--name", "x"], env, runs=3, top=8))
        return "\n".join(lines)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
