"""What the rules compare a device with: the known-good catalogue and the policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from imagesweep.baseline.catalogue import Catalogue
from imagesweep.baseline.indicators import Indicator
from imagesweep.baseline.kgv import KnownGoodValues, Trust
from imagesweep.baseline.prior import HistoryContext
from imagesweep.records import Severity


@dataclass(frozen=True)
class Policy:
    severity: dict[str, Severity] = field(default_factory=dict)  # rule ID -> override
    approved_versions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # platform -> ...
    accept_unverifiable: frozenset[str] = frozenset()  # platforms without on-box digests
    emulators: frozenset[str] = frozenset()  # hosts known to be emulators
    approved_rommon: dict[str, tuple[str, ...]] = field(default_factory=dict)  # platform|model
    rommon_region: str = ""  # "ReadOnly" | "Upgrade" | "" (no expectation)


@dataclass(frozen=True)
class Context:
    catalogue: Catalogue = field(default_factory=Catalogue)
    policy: Policy = field(default_factory=Policy)
    indicators: tuple[Indicator, ...] = ()  # published implant indicators (IMPLANT_MARKERS)
    history: HistoryContext = field(default_factory=HistoryContext)  # earlier sweeps, as data
    # Signed evidence (issue 10): SUDI / KGV trust anchors and the --kgv file, if any.
    # An empty Trust (no roots) makes every signature unverifiable, never valid.
    trust: Trust = field(default_factory=Trust)
    kgv: KnownGoodValues | None = None
