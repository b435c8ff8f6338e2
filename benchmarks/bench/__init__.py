"""restcli benchmarks (see benchmarks/run.py, the entry point, for what they measure).

consts: fixed figures and credentials; measure: one process timed (Run, Cmd, spawn_measure,
measure); rows: every row and target declared as data; runner: the environment (gateway,
profiles, AWS files) and the rows made into commands; venvs: comparator and wheel venvs,
machine info; servers: loopback helpers (a request counter, fixed JSON bodies); cognito:
the cached-token row's sign-in; report: the table and the targets; importtime: `python -X
importtime` summaries; typer_compare: Typer 0.28 vs 0.29; cli: the command line.
"""
