"""Report tests: helpers in report_support.py beside this file, importable in either of
pytest's import modes."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
