from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imagesweep.hunt import indicators
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.match import Matcher
from imagesweep.hunt.timestamps import TimeContext

# Fixed "now" for year inference: the sample files are from March 2024.
NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def ind() -> Indicators:
    return indicators.load()


@pytest.fixture(scope="session")
def matcher(ind: Indicators) -> Matcher:
    return indicators.matcher_for(ind)


@pytest.fixture
def ctx() -> TimeContext:
    return TimeContext(now=NOW)
