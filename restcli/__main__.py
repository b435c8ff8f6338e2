"""Entry point: runs the CLI and maps every outcome to an exit code, in one place."""

from __future__ import annotations

import os
import sys

from . import errors
from .app import App
from .cli.fast import complete_profiles, hoist_config, parse, parse_run


def main(argv: list[str] | None = None, app: App | None = None) -> int:
    application = app or App()
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _run(args, application)
    except BaseException as exc:  # noqa: BLE001 - this is the one place that maps outcomes
        code = _handle(exc, application)
    _flush_quietly(application)
    if argv is None:
        sys.exit(code)
    return code


def _run(args: list[str], application: App) -> int:
    args = hoist_config(args)
    # An ordinary request, and bash or zsh completion of a profile name, are answered without
    # Typer (see cli/fast.py); everything else goes through the full CLI.
    if "_RESTCLI_COMPLETE" in application.environ:
        answer = complete_profiles(application.environ)
        if answer is not None:
            application.out.line(answer)
            return 0
    else:
        parsed = parse(args)
        if parsed is not None:
            # The call pipeline is loaded only for a request (start-up of other commands).
            from .call import call
            from .cli.options import call_options, split_target

            application.config_option = parsed.config
            path, items = split_target(parsed.api, parsed.path, parsed.items)
            return call(application, parsed.method, parsed.api, path, items, call_options(parsed.values))
        run = parse_run(args)
        if run is not None:
            # The runner is loaded only for `run` (start-up of other commands).
            from .commands.run import run_from_values

            application.config_option, files, values = run
            return run_from_values(application, files, values)
    # Typer and the Typer app only for what the fast parser does not take (start-up).
    from typer.main import get_command

    from .cli.app import app

    result = get_command(app).main(
        args=args, prog_name="restcli", standalone_mode=False, obj=application
    )
    return result if isinstance(result, int) else 0


def _handle(exc: BaseException, application: App) -> int:
    # Typer is only loaded when the full CLI ran; the fast path's failures never need it.
    typer = sys.modules.get("typer")
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 1
    if typer is not None and isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt) or (
        typer is not None and isinstance(exc, typer.Abort)
    ):
        # Click turns Ctrl-C at a prompt into Abort: interrupted, either way.
        application.err.line("\nrestcli: interrupted")
        return errors.INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`| head`): stop quietly, as a signalled C tool would.
        _silence_stdout(application)
        return errors.BROKEN_PIPE
    if typer is not None and isinstance(exc, typer.TyperException):
        # Click's own usage errors (exit 2) and friends, in restcli's one format.
        return _click_error(exc, application)
    exc = errors.translate(exc)
    if isinstance(exc, errors.RestcliError):
        application.error(exc.message, exc.hint)
        for problem in getattr(exc, "problems", []):
            application.err.line(f"  {problem}")
        return exc.exit_code
    if application.environ.get("RESTCLI_DEBUG"):
        # traceback (and tokenize, linecache) only with RESTCLI_DEBUG (start-up)
        import traceback

        application.err.write("".join(traceback.format_exception(exc)))
    first = str(exc).splitlines()[0] if str(exc) else ""
    application.error(
        f"unexpected {type(exc).__name__}: {first}".rstrip(": "),
        hint="set RESTCLI_DEBUG=1 for a traceback, and report it",
    )
    return errors.UNEXPECTED


def _click_error(exc, application: App) -> int:
    """A Click error (missing argument, unknown option, bad value) as every other usage
    error is shown: `restcli: error: ...`, then where to look."""
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    hint = f"see '{ctx.command_path} -h'" if ctx is not None else "see 'restcli -h'"
    # Click words it "Missing argument 'API'."; restcli's lines end without a full stop.
    application.error((message[:1].lower() + message[1:]).rstrip("."), hint)
    return getattr(exc, "exit_code", errors.USAGE)


def _silence_stdout(application: App) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, application.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _flush_quietly(application: App) -> None:
    try:
        application.flush()
    except (BrokenPipeError, ValueError, OSError):
        _silence_stdout(application)


if __name__ == "__main__":
    main()
