"""Entry point: runs the CLI and maps every outcome to an exit code, in one place."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    from . import errors
    from .app import App

    application = App()
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _run(args, application)
    except BaseException as exc:  # noqa: BLE001 - this is the one place that maps outcomes
        code = _handle(exc, errors, application)
    _flush_quietly()
    if argv is None:
        sys.exit(code)
    return code


def _run(args: list[str], application) -> int:
    # An ordinary request, and bash or zsh completion of a profile name, are answered without
    # Typer (see fast_argv.py); everything else goes through the full CLI.
    if "_RESTCLI_COMPLETE" in os.environ:
        from .fast_argv import complete_profiles

        answer = complete_profiles(os.environ)
        if answer is not None:
            sys.stdout.write(answer + "\n")
            return 0
    else:
        from .fast_argv import parse

        parsed = parse(args)
        if parsed is not None:
            from .call import call
            from .request_options import call_options, split_target

            application.config_option = parsed.config
            path, items = split_target(parsed.api, parsed.path, parsed.items)
            return call(application, parsed.method, parsed.api, path, items, call_options(parsed.values))
    from typer.main import get_command

    from .cli import app

    result = get_command(app).main(
        args=args, prog_name="restcli", standalone_mode=False, obj=application
    )
    return result if isinstance(result, int) else 0


def _handle(exc: BaseException, errors, application) -> int:
    report = application.error
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
        sys.stderr.write("\nrestcli: interrupted\n")
        return errors.INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`| head`): stop quietly, as a signalled C tool would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    if typer is not None and isinstance(exc, typer.TyperException):
        # Click's own usage errors (exit 2) and friends.
        exc.show()
        return getattr(exc, "exit_code", errors.USAGE)
    exc = errors.translate(exc)
    if isinstance(exc, errors.RestcliError):
        report(exc.message, exc.hint)
        for problem in getattr(exc, "problems", []):
            sys.stderr.write(application.redactor.scrub(f"  {problem}") + "\n")
        return exc.exit_code
    if os.environ.get("RESTCLI_DEBUG"):
        import traceback

        text = "".join(traceback.format_exception(exc))
        sys.stderr.write(application.redactor.scrub(text))
    first = str(exc).splitlines()[0] if str(exc) else ""
    report(
        f"unexpected {type(exc).__name__}: {first}".rstrip(": "),
        hint="set RESTCLI_DEBUG=1 for a traceback, and report it",
    )
    return errors.UNEXPECTED


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError, OSError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    main()
