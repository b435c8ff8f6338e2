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
    python benchmarks/run.py --skip-tty --skip-run-file  # without the two slower groups below

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
the test gateway come from `git archive COMMIT` instead, so others' uncommitted or
concurrent edits cannot change the figures mid-run (the editable rows are skipped then).

What it does, in one run on one machine:

* starts the test gateway (tests/support/gateway.py; tests/gateway.py in trees older than
  that move, e.g. with --rev) on 127.0.0.1 in this process;
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
  each target with PASS/MISS. A ratio is the median of the per-round ratios
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

Two further groups, each with its own rounds, measured after the others:

* pretty-printing on a terminal (--tty-runs, default 3; --skip-tty): `restcli get` of a
  1 MB and a 5 MB JSON body (served by a loopback server of the benchmarks, not the
  gateway) with stdout a pseudo-terminal (os.openpty; 100x50, TERM=xterm-256color), against
  HTTPie's `http` on the same body, from this venv and from the comparator venv. A thread
  of this process drains the terminal; its CPU is not counted. Each run is checked for
  colours and for at least the body's size on the terminal;
* `restcli run FILE` (--run-file-runs, default 3; --skip-run-file): a Hurl file of 100
  `GET {{endpoint}}/items` entries run with `--profile` keyed (api_key) and iamenv (iam),
  against 100 `restcli get` processes (a shell loop) and one `restcli get`; the per-entry
  overhead is (wall of the run - wall of one get) / 100, the median over rounds. Skipped
  with a note while `restcli run --help` fails.

Code: benchmarks/bench/ (rows.py declares every row and target as data; runner.py sets up
the gateway, profiles, AWS files and venvs; measure.py times a process; report.py prints).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench package beside this file

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main(__doc__))
