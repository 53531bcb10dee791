"""Entry point. The paths hit all day (list, switch, `-`, Tab) avoid argparse, argcomplete and
boto3; everything else goes through the argparse grammar in `cli.py`."""

from __future__ import annotations

import os
import sys

from awsctx import envvars, shells, switch
from awsctx.commands.table import COMMANDS, FOLDER_HOOK
from awsctx.errors import UserError, WaitExpired


def fast_request(argv: list[str]) -> switch.Request | None:
    """The request for the common command lines, as `cli` would parse them; None for the rest."""
    if not argv:
        return switch.Request(switch.LIST)
    if len(argv) == 1:
        only = argv[0]
        if only == "-":
            return switch.Request(switch.PREVIOUS)
        if only in ("-u", "--unset"):
            return switch.Request(switch.UNSET)
        if only in ("-c", "--current"):
            return switch.Request(switch.CURRENT)
    words = argv[1:] if argv[0] == "use" else argv
    region = None
    if len(words) >= 2 and words[-2] == "-r":
        region = words[-1]
        words = words[:-2]
        if not region or region.startswith("-"):
            return None
    if len(words) > 1 or any(word.startswith("-") or not word for word in words):
        return None
    if not words:
        return switch.Request(switch.REGION_ONLY, None, region) if region and argv[0] != "use" else None
    if argv[0] != "use" and words[0] in COMMANDS:
        return None
    return switch.Request(switch.SWITCH, words[0], region)


def main(argv: list[str] | None = None) -> int:
    if sys.stdout is None:  # started with stdout closed (`awsctx >&-`): Python gives None
        from awsctx import output

        output.error("cannot write the output (standard output is closed)")
        return 1
    code = _main(argv)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
    except (OSError, ValueError) as error:
        # stdout closed or full (`awsctx > /dev/full`): say so once, not in a traceback at exit.
        _drop_stdout()
        from awsctx import output

        reason = getattr(error, "strerror", None) or str(error)
        output.error(f"cannot write the output ({reason})")
        return 1
    return code


def run_for_shell() -> None:
    """The shell integration's entry point: `main`, then out of the process at once.

    The interpreter's teardown frees every module and object one by one: about a millisecond, a
    tenth of a switch. It is skipped when it has nothing else to do: no atexit handler registered
    (logging, temporary folders and the like register one) and no other thread running.
    """
    code = main()
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    import atexit

    threading = sys.modules.get("threading")
    if getattr(atexit, "_ncallbacks", lambda: 1)() == 0 and (threading is None or threading.active_count() == 1):
        os._exit(code)
    sys.exit(code)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit has nothing left to fail on."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


def _main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    environ = os.environ
    try:
        if "_ARGCOMPLETE" in environ:
            from awsctx import complete

            if not complete.fast_complete(environ):
                complete.argcomplete_complete(complete.words_before_cursor(environ))
            return 0
        if len(arguments) == 2 and arguments[0] == "process" and not arguments[1].startswith("-"):
            # SDKs run this for every client they create: no argparse.
            from awsctx.commands import process

            return process.serve(arguments[1])
        if len(arguments) == 3 and arguments[:2] == ["process", "--keyring"] and not arguments[2].startswith("-"):
            from awsctx.commands import process

            return process.serve_keyring(arguments[2])
        shell = environ.get(envvars.SHELL_MODE) or None
        if shell is not None and shell not in shells.SUPPORTED:
            shell = None
        interactive = environ.get(envvars.INTERACTIVE) == "1"
        if arguments[:1] == [FOLDER_HOOK]:
            from awsctx import folders

            return folders.hook(arguments[1:], shell, interactive)
        request = fast_request(arguments)
        if request is not None:
            return switch.run(request, shell, interactive)
        from awsctx import cli

        return cli.run(arguments, shell, interactive)
    except (UserError, WaitExpired) as error:
        from awsctx import output

        output.error(str(error))
        if environ.get(envvars.DEBUG):
            output.cause_chain(error)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `awsctx | head`: the reader left; that is not an error.
        _drop_stdout()
        return 0
    except OSError as error:
        if error.filename is not None or not _is_stdout_error(error):
            raise
        _drop_stdout()
        from awsctx import output

        output.error(f"cannot write the output ({error.strerror or error})")
        return 1


def _is_stdout_error(error: OSError) -> bool:
    import errno

    return error.errno in (errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT)
