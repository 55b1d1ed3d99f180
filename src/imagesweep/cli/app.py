"""The ``imagesweep`` click group and the one error boundary of the command line.

Every subcommand runs inside :class:`Boundary`: an :class:`ImagesweepError` (bad inventory,
catalogue, arguments, files) or an ``OSError`` the library did not already word becomes
``imagesweep: error: <one line>`` and exit status 2; ``--debug`` shows the traceback instead.
Nothing else in the package prints errors or calls ``sys.exit``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from rich.console import Console

from imagesweep import __version__
from imagesweep.errors import ImagesweepError
from imagesweep.sanitize import terminal

# Piped into a log or CI, a terminal's 80 columns would squeeze the rules column to nothing.
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 140)

USAGE_EXIT = 2


def fail(message: str, status: int = USAGE_EXIT) -> None:
    """Print the one-line error and exit 2 (for checks made in the CLI itself)."""
    click.echo(f"imagesweep: error: {terminal(message)}", err=True)
    sys.exit(status)


class Boundary(click.Group):
    """A click group whose subcommands' errors become one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except ImagesweepError as exc:
            if debug:
                raise
            # An error may carry its own status (SweepLocked: 75, "try again later").
            fail(str(exc), int(getattr(exc, "exit_status", USAGE_EXIT)))
        except OSError as exc:
            if debug:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        return None


@click.group(cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imagesweep")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
def main(debug: bool) -> None:
    """Audit routers, switches and firewalls over SSH for tampered OS images."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        # paramiko logs every failed negotiation as ERROR with a traceback; the device's row
        # already says what happened, in one line.
        logging.getLogger("paramiko").setLevel(logging.CRITICAL)
