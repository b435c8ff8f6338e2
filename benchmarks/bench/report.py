"""The results table, the targets with PASS/MISS, the breakdown ladder, `restcli run`."""

from __future__ import annotations

import statistics

from .consts import RUN_ENTRIES
from .measure import Cmd
from .rows import ALL_ROWS, BIG_TARGETS, CASES, PER_INSTALL, RUN_FILE_PAIRS, STARTUP_TARGETS, Target

HEADER = ("| case | command | runs | CPU s (user+sys) | wall s | peak RSS MiB "
          "| ratio, median of per-round ratios (CPU unless noted) |")


def paired_ratios(a: Cmd | None, b: Cmd | None, attr: str = "cpu") -> list[float]:
    """a/b for each round in which both ran. The load of a shared machine drifts over a
    run; two commands of one round ran seconds apart, so the median of the per-round
    ratios is steadier than the ratio of the medians."""
    if a is None or b is None or a.unavailable or b.unavailable or not a.runs or not b.runs:
        return []
    if len(a.runs) != len(b.runs):  # not the same rounds: fall back to the medians
        return [a.median(attr) / b.median(attr)] if b.median(attr) else []
    return [getattr(x, attr) / getattr(y, attr) for x, y in zip(a.runs, b.runs, strict=True) if getattr(y, attr)]


def fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


class Figures:
    """Medians and per-round ratios of the rows measured, by key."""

    def __init__(self, cmds: list[Cmd]):
        self.by = {c.key: c for c in cmds}

    def med(self, key: str, attr: str) -> float | None:
        c = self.by.get(key)
        if c is None or c.unavailable or not c.runs:
            return None
        return c.median(attr)

    def ratio(self, a: str, b: str, attr: str = "cpu") -> float | None:
        r = paired_ratios(self.by.get(a), self.by.get(b), attr)
        return statistics.median(r) if r else None

    def spread(self, a: str, b: str, attr: str = "cpu") -> str:
        r = paired_ratios(self.by.get(a), self.by.get(b), attr)
        if len(r) < 4:
            return ""
        q = statistics.quantiles(r, n=4)
        return f" (IQR {q[0]:.2f}-{q[2]:.2f})"

    def na(self, *keys: str) -> str:
        for k in keys:
            c = self.by.get(k)
            if c is None:
                return f"{k} not run"
            if c.unavailable:
                return f"{c.label}: {c.unavailable}"
        return ""


def ratio_columns(fig: Figures) -> tuple[dict, set]:
    """Each row's ratio columns (rows.Row.vs), and the rows shown on wall time too. An
    [editable] row compares with the same install's baselines ("[same venv]")."""
    ratio_of = {r.key: list(r.vs) for r in ALL_ROWS if r.vs}
    for key in list(ratio_of):
        if key.startswith("restcli_") and "ed_" + key in fig.by:
            ratio_of["ed_" + key] = [(("ed_" + o) if o in PER_INSTALL else o,
                                      n + (" [same venv]" if o in PER_INSTALL else "")) for o, n in ratio_of[key]]
    return ratio_of, {r.key for r in ALL_ROWS if r.wall_ratio}


def table_lines(fig: Figures) -> list[str]:
    ratio_of, wall_keys = ratio_columns(fig)
    lines = [HEADER, "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for case, keys in CASES.items():
        for key in keys:
            c = fig.by.get(key)
            if c is None:
                continue
            if c.unavailable or not c.runs:
                lines.append(f"| {case} | {c.label} | 0 | not available: {c.unavailable or 'not run'} | | | |")
                continue
            attrs = ("cpu", "wall") if key in wall_keys else ("cpu",)
            rs = "; ".join(
                ("wall " if attr == "wall" else "CPU " if len(attrs) > 1 else "")
                + f"{fmt_ratio(fig.ratio(key, other, attr))} {name}"
                for other, name in ratio_of.get(key, []) for attr in attrs
                if fig.ratio(key, other, attr) is not None
            )
            lines.append(f"| {case} | {c.label} | {len(c.runs)} | {c.median('cpu'):.3f} | {c.median('wall'):.3f} | "
                         f"{c.median('rss_kib') / 1024:.1f} | {rs} |")
    return lines


def evaluate(t: Target, fig: Figures, bench, x: str = "") -> dict:
    """One target's figure and verdict; x prefixes the keys of per-install rows ("ed_")."""
    a = x + t.a if t.a in PER_INSTALL else t.a
    b = x + t.b if t.b in PER_INSTALL else t.b
    pair: tuple = ()
    strict = False
    if t.kind == "ratio":
        value, unit, note, pair = fig.ratio(a, b, t.attr), "x", fig.na(a, b), (a, b, t.attr)
    elif t.kind == "rss":
        rss = fig.med(a, "rss_kib")
        value, unit, note, strict = None if rss is None else rss / 1024, "MiB", fig.na(a), True
    else:  # cognito_requests
        note = fig.na(a)
        value = None if note or bench.counter is None else float(len(bench.counter.hits))
        unit = "requests"
    if value is None:
        result = "n/a"
    else:
        result = "PASS" if (value < t.limit if strict else value <= t.limit) else "MISS"
    return {"target": t.name, "value": value, "limit": t.limit, "unit": unit, "result": result,
            "note": note if value is None else "", "spread": fig.spread(*pair) if pair else ""}


def target_table(title: str, rows: list[dict]) -> list[str]:
    lines = ["", f"| {title} | measured | result |", "| --- | ---: | --- |"]
    for t in rows:
        if t["value"] is None:
            shown = f"n/a ({t['note']})" if t["note"] else "n/a"
        elif t["unit"] == "x":
            shown = f"{t['value']:.2f}x{t['spread']}"
        elif t["unit"] == "MiB":
            shown = f"{t['value']:.1f} MiB"
        else:
            shown = f"{t['value']:g} {t['unit']}"
        lines.append(f"| {t['target']} | {shown} | {t['result']} |")
    return lines


def report(bench, small: list[Cmd], big: list[Cmd], extra: list[Cmd] = ()) -> tuple[str, list[dict]]:
    """The table of every row measured, then the targets; (text, targets as dicts)."""
    fig = Figures(small + big + list(extra))
    lines = table_lines(fig)
    targets = [evaluate(t, fig, bench) for t in (STARTUP_TARGETS if small else ())]
    targets += [evaluate(t, fig, bench) for t in (BIG_TARGETS if big else ())]
    editable = [evaluate(t, fig, bench, "ed_") for t in STARTUP_TARGETS] if small and bench.alt else []
    lines += target_table(f"target, restcli {bench.install} install", targets)
    if editable:
        lines.append("")
        lines.append(f"For information, the same start-up targets with the {bench.alt[2]} install "
                     f"({bench.alt[0]}); its python+requests and `import typer` baselines run in its own venv:")
        lines += target_table(f"start-up target, restcli {bench.alt[2]} install", editable)
    for t in editable:
        t["install"] = bench.alt[2]
    return "\n".join(lines), targets + editable


def breakdown_report(cmds: list[Cmd]) -> str:
    fig = Figures(cmds)
    m = fig.med
    lines = ["| step | runs | CPU s | + over | delta ms (median of per-round differences) |",
             "| --- | ---: | ---: | --- | ---: |"]
    for c in cmds:
        key, prev = c.key, c.over
        if m(key, "cpu") is None:
            lines.append(f"| {c.label} | 0 | not available: {c.unavailable} | | |")
            continue
        delta = ""
        if prev is not None and m(prev, "cpu") is not None:
            a, b = fig.by[key].runs, fig.by[prev].runs
            if len(a) == len(b):
                d = [x.cpu - y.cpu for x, y in zip(a, b, strict=True)]
            else:
                d = [m(key, "cpu") - m(prev, "cpu")]
            delta = f"{statistics.median(d) * 1000:+.0f}"
        lines.append(f"| {c.label} | {len(c.runs)} | {m(key, 'cpu'):.3f} | "
                     f"{fig.by[prev].label.split()[0] if prev else ''} | {delta} |")
    return "\n".join(lines)


def _per_round(a: Cmd, b: Cmd, f) -> list[float]:
    if len(a.runs) == len(b.runs):
        return [f(x, y) for x, y in zip(a.runs, b.runs, strict=True)]
    return [f(a.runs[len(a.runs) // 2], b.runs[len(b.runs) // 2])]  # not the same rounds: the middle runs


def run_file_report(cmds: list[Cmd]) -> tuple[str, dict]:
    """Per entry of `restcli run`: (its wall - one `restcli get`'s wall) / RUN_ENTRIES, the
    median over rounds (and the same on CPU); beside it, one `restcli get` of the loop (its
    wall / RUN_ENTRIES)."""
    fig = Figures(cmds)
    lines = [(f"| profile | run: wall s | one get: wall s | per entry ms, (run - one get) / {RUN_ENTRIES} "
              f"| the same on CPU, ms | {RUN_ENTRIES} x get: wall s | per get ms | run / {RUN_ENTRIES} x get, wall |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    figures = {}
    for name, run_key, loop_key, one_key in RUN_FILE_PAIRS:
        why = fig.na(run_key, one_key)
        if why or not fig.by[run_key].runs or not fig.by[one_key].runs:
            lines.append(f"| {name} | not available: {why or 'not run'} | | | | | | |")
            continue
        run, one = fig.by[run_key], fig.by[one_key]
        per_entry = statistics.median(_per_round(run, one, lambda x, y: (x.wall - y.wall) / RUN_ENTRIES))
        per_entry_cpu = statistics.median(_per_round(run, one, lambda x, y: (x.cpu - y.cpu) / RUN_ENTRIES))
        loop_wall = fig.med(loop_key, "wall")
        per_get = "" if loop_wall is None else f"{loop_wall / RUN_ENTRIES * 1000:.1f}"
        lines.append(f"| {name} | {run.median('wall'):.3f} | {one.median('wall'):.3f} | {per_entry * 1000:.2f} "
                     f"| {per_entry_cpu * 1000:.2f} | {'' if loop_wall is None else f'{loop_wall:.3f}'} | {per_get} "
                     f"| {fmt_ratio(fig.ratio(run_key, loop_key, 'wall'))} |")
        figures[name] = {"per_entry_ms": per_entry * 1000, "per_entry_cpu_ms": per_entry_cpu * 1000,
                         "run_wall": run.median("wall"),
                         "one_get_wall": one.median("wall"), "loop_wall": loop_wall}
    return "\n".join(lines), figures
