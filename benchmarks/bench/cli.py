"""The command line of benchmarks/run.py, and one run from set-up to report."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .consts import REPO
from .importtime import importtime_report
from .measure import Cmd, measure
from .report import breakdown_report, report, run_file_report
from .runner import Bench
from .typer_compare import typer_compare
from .venvs import dist_versions, git_state, machine_info, python_beside

IMPORTTIME_KEYS = ("restcli_api_key", "restcli_iam_env", "restcli_iam_profile", "restcli_iam_proc",
                   "restcli_help", "restcli_complete", "restcli_cognito", "py_requests", "import_typer",
                   "ed_restcli_api_key", "ed_py_requests")


def build_parser(doc: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "15")),
                    help="measured rounds for the start-up rows (median reported; default 15)")
    ap.add_argument("--big-runs", type=int, default=3, help="rounds for the 1 GiB / 256 MiB rows (default 3)")
    ap.add_argument("--skip-big", action="store_true", help="skip the download and upload rows")
    ap.add_argument("--skip-small", action="store_true", help="skip the start-up rows")
    ap.add_argument("--tty-runs", type=int, default=3,
                    help="rounds for the rows pretty-printing 1 MB / 5 MB of JSON on a terminal (default 3)")
    ap.add_argument("--skip-tty", action="store_true", help="skip the pretty-printing-on-a-terminal rows")
    ap.add_argument("--run-file-runs", type=int, default=3,
                    help="rounds for the `restcli run FILE` rows (default 3)")
    ap.add_argument("--skip-run-file", action="store_true", help="skip the `restcli run FILE` rows")
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
                    help="build the wheel (and take the test gateway) from this commit (git archive), not the "
                         "working tree, so uncommitted work by others does not change the figures mid-run; "
                         "the editable rows are then skipped (they would run the working tree)")
    ap.add_argument("--no-editable", action="store_true",
                    help="do not also measure this Python's (editable) restcli beside the wheel install")
    return ap


def parse_args(doc: str, argv=None) -> argparse.Namespace:
    ap = build_parser(doc)
    args = ap.parse_args(argv)
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
    return args


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def measure_groups(bench: Bench, args) -> dict[str, list[Cmd]]:
    """Every group of rows asked for, measured in this order; each group's rows rotate
    among themselves, each with its own number of rounds."""
    plan = [
        ("small", not args.skip_small, bench.small_cmds, args.runs, "start-up rows"),
        ("big", not args.skip_big, bench.big_cmds, args.big_runs, "transfer rows"),
        ("breakdown", args.breakdown, bench.breakdown_cmds, args.runs, "breakdown ladder"),
        ("tty", not args.skip_tty, bench.tty_cmds, args.tty_runs, "pretty-printing on a terminal"),
        ("run_file", not args.skip_run_file, bench.run_file_cmds, args.run_file_runs, "restcli run FILE"),
    ]
    groups: dict[str, list[Cmd]] = {}
    for name, wanted, make, rounds, what in plan:
        groups[name] = make() if wanted else []
        if groups[name] and all(c.unavailable for c in groups[name]):
            log(f"{what}: skipped ({groups[name][0].unavailable})")
        elif groups[name]:
            log(f"{what}: {len(groups[name])} commands x {rounds} rounds")
            measure(groups[name], rounds, log)
    return groups


def print_header(bench: Bench, info: dict, cmdline: str, t_start: float) -> None:
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


def print_importtimes(small: list[Cmd]) -> dict:
    print("\n### `python -X importtime`, restcli's paths (median of 5 runs)\n")
    by = {c.key: c for c in small}
    importtimes = {}
    for key in IMPORTTIME_KEYS:
        c = by.get(key)
        if c is None or c.unavailable:
            continue
        py = python_beside(c.argv[0])
        argv = c.argv if c.argv[0] == py else [py, *c.argv]
        rep = importtime_report(argv, c.env)
        importtimes[key] = rep
        print(f"{c.label}:\n{rep}\n")
    return importtimes


def write_json(path: str, bench: Bench, info: dict, cmdline: str, groups: dict, targets, importtimes,
               run_file: dict) -> None:
    Path(path).write_text(json.dumps({
        "machine": info, "command": cmdline,
        "restcli": {"targets_on": bench.restcli, "install": bench.install, "python": bench.python,
                    "also": list(bench.alt) if bench.alt else None},
        "rows": {c.key: {"label": c.label, "unavailable": c.unavailable,
                         "runs": [{"cpu": r.cpu, "wall": r.wall, "rss_kib": r.rss_kib} for r in c.runs]}
                 for cmds in groups.values() for c in cmds},
        "targets": targets, "importtime": importtimes,
        "cognito_requests": None if bench.counter is None else bench.counter.hits,
        "run_file_per_entry": run_file,
    }, indent=2))


def run(bench: Bench, args, t_start: float) -> None:
    bench.setup()
    # Every command runs in an empty temp dir, as from a user's working directory: from
    # the repository, `python -c` would import restcli from ./restcli (sys.path[0] is
    # the cwd) instead of the install being measured, and find ./restcli.egg-info.
    os.chdir(bench.tmp)
    info = machine_info(None if args.no_tools else bench.tools_venv)
    info["restcli_tree"] = (f"commit {args.rev} (git archive; the checkout is not used)" if args.rev
                            else git_state())
    groups = measure_groups(bench, args)
    info["loadavg_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if not args.rev and args.normal_install and git_state() != info["restcli_tree"]:
        info["restcli_tree"] += (f"; WARNING: the checkout changed during the run (now {git_state()}): the "
                                 "wheel rows ran the state at the start, the editable rows a moving tree")
    small, big = groups["small"], groups["big"]
    table, targets = report(bench, small, big, groups["tty"] + groups["run_file"])
    cmdline = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    print_header(bench, info, cmdline, t_start)
    print(table)
    if groups["breakdown"]:
        print(f"\n### Start-up breakdown (CPU medians of {args.runs}; each step adds one layer)\n")
        print(breakdown_report(groups["breakdown"]))
    run_file = {}
    if groups["run_file"]:
        text, run_file = run_file_report(groups["run_file"])
        print(f"\n### `restcli run FILE`: per-entry overhead (wall medians of {args.run_file_runs})\n")
        print(text)
    importtimes = print_importtimes(small) if not args.no_importtime and small else {}
    if args.json:
        write_json(args.json, bench, info, cmdline, groups, targets, importtimes, run_file)


def main(doc: str, argv=None) -> int:
    args = parse_args(doc, argv)
    if args.typer_compare:
        print(typer_compare(args, log))
        return 0
    bench = Bench(args, log)
    t_start = time.time()
    cwd = os.getcwd()
    try:
        run(bench, args, t_start)
        return 0
    finally:
        os.chdir(cwd)
        bench.close()
