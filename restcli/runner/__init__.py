"""Run Hurl files with restcli's auth: parse, template, send, assert, report.

`run_files()` in restcli.runner.api is the entry point; nothing is imported here, so
`import restcli.runner` costs nothing until a run starts.

Exit codes of a run (the worst over all files; restcli's own 3-9 keep their meaning and
are never returned by the runner, and 10 is `-e`'s "the filter selected nothing"):

| code | meaning |
| --- | --- |
| 0 | every file ran and every assert held |
| 2 | a file could not be parsed: nothing of that file was sent (a file that cannot |
|   | be read at all is a usage error before any file runs, also exit 2) |
| 11 | a runtime error: connection, timeout, TLS, redirect limit, a failed capture, |
|    | an undefined variable, a body over the size limit, an auth hook that raised, |
|    | an error no check foresaw (kept to its entry) |
| 12 | an assert failed, or an error while checking one (as Hurl counts it), and no |
|    | file had a runtime or parse error |

Precedence: 2, then 11, then 12 (Hurl's 2 parse / 3 runtime / 4 assert, moved past
restcli's 3-10).
"""
