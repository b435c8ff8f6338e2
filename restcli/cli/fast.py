"""Parse an ordinary request command line without Typer, from the shared option table.

Anything this parser does not take plainly (help, a command other than a request, an
unknown or malformed option, combined short flags) returns None, and the full Typer CLI
handles the whole command line instead, with its usage errors and help. So there is one
definition of the options and one behaviour; this only saves Typer's start-up.
"""

from __future__ import annotations

from typing import Any

from .options import METHODS, OPTIONS, RUN_OPTIONS

_BY_FLAG = {flag: opt for opt in OPTIONS for flag in opt.flags}
_RUN_BY_FLAG = {flag: opt for opt in RUN_OPTIONS for flag in opt.flags}
_HELP = {"-h", "--help"}


class Parsed:
    __slots__ = ("config", "method", "api", "path", "items", "values")

    def __init__(self, config, method, api, path, items, values):
        self.config = config
        self.method = method
        self.api = api
        self.path = path
        self.items = items
        self.values = values


def hoist_config(argv: list[str]) -> list[str]:
    """`--config PATH` anywhere before `--` moved to the front, where the CLI takes it:
    `restcli get api /x --config f.toml` and `restcli profiles list --config f.toml` work."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if i > 0 and arg == "--config" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if i > 0 and arg.startswith("--config="):
            front.append(arg)
        else:
            opt = _BY_FLAG.get(arg)
            rest.append(arg)
            if opt is not None and opt.kind is not bool and i + 1 < len(argv):
                # An option's value is never taken for --config (-H --config is a header).
                rest.append(argv[i + 1])
                i += 1
        i += 1
    return front + rest if front else argv


def parse(argv: list[str]) -> Parsed | None:
    config, args = _global_config(list(argv))
    if not args:
        return None
    command, args = args[0], args[1:]
    if command in METHODS:
        method = command.upper()
    elif command == "request" and args and not args[0].startswith("-"):
        method, args = args[0].upper(), args[1:]
    else:
        return None
    found = _options(args, _BY_FLAG)
    if found is None:
        return None
    values, positional = found
    if not positional:
        return None
    api, path, items = positional[0], (positional[1] if len(positional) > 1 else ""), positional[2:]
    return Parsed(config, method, api, path, items, values)


def _global_config(args: list[str]) -> tuple[str | None, list[str]]:
    if args and args[0] == "--config" and len(args) > 1:
        return args[1], args[2:]
    if args and args[0].startswith("--config="):
        return args[0].split("=", 1)[1], args[1:]
    return None, args


def parse_run(argv: list[str]) -> tuple[str | None, list[str], dict[str, Any]] | None:
    """`restcli run FILE... [options]`: (config, files, option values), or None for Typer."""
    config, args = _global_config(list(argv))
    if not args or args[0] != "run":
        return None
    found = _options(args[1:], _RUN_BY_FLAG)
    if found is None or not found[1]:
        return None
    return config, found[1], found[0]


def _options(args: list[str], by_flag: dict) -> tuple[dict[str, Any], list[str]] | None:
    """Option values by name and the positional words; None for anything Typer should see."""
    values: dict[str, Any] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positional += args[i:]
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        flag, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = by_flag.get(flag)
        if opt is None or arg in _HELP or (opt.kind is bool and eq):
            return None  # help, unknown, or combined short flags: Typer decides
        if opt.kind is bool:
            values[opt.name] = True
            continue
        if not eq and i >= len(args):
            return None
        raw = inline if eq else args[i]
        i += 0 if eq else 1
        value = _convert(opt, raw)
        if value is None:
            return None
        if opt.multiple:
            values.setdefault(opt.name, []).append(value)
        else:
            values[opt.name] = value
    return values, positional


def _convert(opt, raw: str) -> Any:
    if opt.kind is str:
        return raw
    try:
        return opt.kind(raw)
    except ValueError:
        return None


# Commands whose first argument (after the command words) is a profile name.
_PROFILE_FIRST = {(m,) for m in METHODS} | {
    ("profiles", "show"), ("profiles", "set"), ("profiles", "unset"), ("profiles", "remove"),
    ("profiles", "rename"), ("env",), ("login",), ("logout",), ("auth", "status"),
    ("auth", "token"),
}


def complete_profiles(environ) -> str | None:
    """Profile names for bash or zsh completion without loading Typer, or None for Typer.

    Only the case a person meets most (`restcli get <TAB>`); the words in and the lines
    out follow Typer's protocol for those shells (COMP_WORDS/COMP_CWORD for bash,
    _TYPER_COMPLETE_ARGS for zsh). Other shells, positions and commands go to Typer.
    """
    import shlex  # only for completion (start-up)

    shell = environ.get("_RESTCLI_COMPLETE")
    try:
        if shell == "complete_bash":
            words = shlex.split(environ.get("COMP_WORDS", ""))
            cword = int(environ.get("COMP_CWORD", ""))
            args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
        elif shell == "complete_zsh":
            line = environ.get("_TYPER_COMPLETE_ARGS", "")
            args = shlex.split(line)[1:]
            incomplete = args.pop() if args and not line.endswith(" ") else ""
        else:
            return None
    except ValueError:
        return None
    config = None
    if len(args) >= 2 and args[0] == "--config":
        config, args = args[1], args[2:]
    if incomplete.startswith("-") or any(a.startswith("-") for a in args):
        return None
    if args[:1] == ["request"]:
        if len(args) != 2:
            return None
        args = ["get"]  # `request METHOD API`: API is where a method command has it
    if tuple(args) not in _PROFILE_FIRST:
        return None
    from ..locations import profile_names  # only for completion (start-up)

    names = [n for n in profile_names(config) if n.startswith(incomplete)]
    if shell == "complete_bash":
        return "\n".join(names)
    if not names:
        return "_files"
    quoted = "\n".join(f'"{_zsh_escape(n)}"' for n in names)
    return f"_arguments '*: :(({quoted}))'"


def _zsh_escape(s: str) -> str:
    return (
        s.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
        .replace(":", r"\\:")
    )
