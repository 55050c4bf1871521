"""The ``entra-rulegen`` command line: global options, error handling, commands.

Loaded by :func:`generator.cli.main`, which answers a Ctrl-C that comes while
these modules are still being imported.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from generator import __version__
from generator.cli import INTERRUPTED
from generator.commands import options
from generator.console import configure_logging, err
from generator.errors import EXIT_INTERRUPTED, EXIT_USAGE, RulegenError


class RulegenGroup(TyperGroup):
    """Keeps the raw arguments for option pairing and turns errors into exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[options.RAW_ARGS_KEY] = list(args)
        rest = super().parse_args(ctx, args)
        at = _command_index(args)  # the global options are all flags
        command = self.get_command(ctx, args[at]) if at < len(args) else None
        if command is not None:
            _refuse_repeated_options(command, args[at + 1 :])
        return rest

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv[: _command_index(argv)]
        try:
            code = super().main(
                argv, prog_name or "entra-rulegen", complete_var, False, **extra
            )
        except click.exceptions.Abort:
            code = EXIT_INTERRUPTED
        except click.UsageError as error:
            _show_usage_error(error)
            code = error.exit_code
        except click.ClickException as error:
            error.show(file=sys.stderr)
            code = error.exit_code
        except RulegenError as error:
            if debug:
                traceback.print_exc()
            err.print(f"entra-rulegen: error: {error}", markup=False, soft_wrap=True)
            code = error.exit_code
        except Exception as error:  # the last line of defence
            if isinstance(error.__cause__, KeyboardInterrupt):  # a cut import
                raise KeyboardInterrupt from None
            if debug:
                raise
            name = type(error).__name__
            err.print(
                f"entra-rulegen: internal error ({name}); run again with --debug",
                markup=False,
            )
            code = 1
        if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a quiet Exit(130)
            err.print(INTERRUPTED, markup=False)
        if not standalone_mode:
            return code
        sys.exit(code or 0)


def _show_usage_error(error: click.UsageError) -> None:
    """The same one-line shape as every other error, then where to read more."""
    err.print(f"entra-rulegen: error: {error.format_message()}", markup=False)
    if error.ctx is not None:
        err.print(f"Try '{error.ctx.command_path} --help'.", markup=False)


def _refuse_repeated_options(command: click.Command, args: list[str]) -> None:
    """An option that takes one value, given twice, is a mistake; click keeps the last.

    ``--marker a --marker b`` must not silently mean ``b``.
    """
    for param in command.params:
        if not isinstance(param, click.Option) or param.multiple:
            continue
        if param.is_flag or param.count:
            continue
        names = param.opts
        given = [a for a in args if a in names or a.split("=", 1)[0] in names]
        if len(given) > 1:
            raise click.UsageError(f"{names[0]} may be given only once", None)


def _command_index(argv: list[str]) -> int:
    for index, token in enumerate(argv):
        if not token.startswith("-"):
            return index
    return len(argv)


app = typer.Typer(
    cls=RulegenGroup,
    name="entra-rulegen",
    help="Find the attribute that marks partner accounts in Active Directory, prove "
    "it against the users, and write the Entra Connect change that syncs them "
    "as Guests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"entra-rulegen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show version."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            metavar="",  # a counting flag takes no value: no INTEGER in --help
            show_default=False,
            help="More detail on stderr; repeat for more (-v, -vv).",
        ),
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Errors only on stderr.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for errors.")
    ] = False,
) -> None:
    if verbose and quiet:
        raise click.UsageError("-v and -q exclude each other")
    configure_logging(2 if debug else verbose, quiet)


def _register() -> None:
    from generator.commands import (  # noqa: PLC0415 - after the app exists
        diff,
        document,
        generate,
        inspect,
        lint,
        plan,
        preview,
        recommend,
        snapshot,
        validate,
    )

    for module in (
        inspect, recommend, validate, preview, generate, plan, lint, snapshot,
        document, diff,
    ):  # fmt: skip
        module.register(app)


_register()


def run() -> int:
    """Run the command line on ``sys.argv``; returns the exit status."""
    code: int | None = app(standalone_mode=False)
    return code or 0


__all__ = ["EXIT_USAGE", "app", "run"]
