"""The ``imagesweep`` command: one click group (:mod:`imagesweep.cli.app`, the one error
boundary) and one module per subcommand, each a thin layer over the library."""

from __future__ import annotations

from imagesweep.cli import audit, history, hunt, known_good, lab, parse, report
from imagesweep.cli.app import main

main.add_command(audit.audit)
main.add_command(parse.parse)
main.add_command(known_good.known_good)
main.add_command(lab.lab)
main.add_command(lab.demo)
main.add_command(hunt.hunt)
main.add_command(hunt.syslog_sample)
main.add_command(history.history)
main.add_command(history.diff_command)
main.add_command(report.report)

__all__ = ["main"]
