"""End-to-end fixtures: labs on loopback, stopped when the module ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imagesweep.lab.fleet import Fleet
from imagesweep.lab.server import Lab


@pytest.fixture(scope="module")
def lab_of() -> Iterator[Callable[[Fleet, Path], Path]]:
    """``lab_of(fleet, directory) -> inventory dir``: serve a fleet for the whole module."""
    labs: list[Lab] = []

    def start(fleet: Fleet, directory: Path) -> Path:
        lab = Lab(fleet)
        lab.start()
        labs.append(lab)
        inventory = lab.write_inventory(directory / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        return inventory

    yield start
    for lab in labs:
        lab.stop()
