"""`python -X importtime` summaries of a command."""

from __future__ import annotations

import statistics
import subprocess


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
        name = name.removeprefix(" ")
        depth = (len(name) - len(name.lstrip(" "))) // 2
        try:
            rows.append((int(self_us), int(cum_us), depth, name.strip()))
        except ValueError:
            continue
    return rows


def _one_run(argv: list[str], env: dict) -> tuple[dict, dict, int, int]:
    """Self time by top-level package, cumulative time of top-level imports, total, count."""
    res = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, check=False)
    rows = parse_importtime(res.stderr)
    pkg: dict[str, int] = {}
    topc: dict[str, int] = {}
    for self_us, cum_us, depth, name in rows:
        root = name.split(".")[0]
        pkg[root] = pkg.get(root, 0) + self_us
        if depth == 0:
            topc[name] = topc.get(name, 0) + cum_us
    return pkg, topc, sum(r[0] for r in rows), len(rows)


def importtime_report(argv: list[str], env: dict, runs: int = 5, top: int = 12) -> str:
    """Median over runs of each module's self time, grouped by top-level package, and the
    top-level imports by cumulative time."""
    per_pkg: dict[str, list[int]] = {}
    per_top: dict[str, list[int]] = {}
    totals = []
    modules = []
    for _ in range(runs):
        pkg, topc, total, count = _one_run(argv, env)
        for k, v in pkg.items():
            per_pkg.setdefault(k, []).append(v)
        for k, v in topc.items():
            per_top.setdefault(k, []).append(v)
        totals.append(total)
        modules.append(count)
    out = [(f"  modules imported: {int(statistics.median(modules))}; total import time "
            f"{statistics.median(totals) / 1000:.0f} ms (median of {runs}; -X importtime inflates it)")]
    pk = sorted(((statistics.median(v), k) for k, v in per_pkg.items()), reverse=True)[:top]
    out.append("  by top-level package (self time, ms): " + ", ".join(f"{k} {v / 1000:.0f}" for v, k in pk))
    tc = sorted(((statistics.median(v), k) for k, v in per_top.items()), reverse=True)[:top]
    out.append("  top-level imports (cumulative, ms): " + ", ".join(f"{k} {v / 1000:.0f}" for v, k in tc))
    return "\n".join(out)
