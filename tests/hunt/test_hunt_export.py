"""Detection as data, exported: KQL for Sentinel, a Sigma rule checked and converted by pySigma."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml
from sigma.backends.kusto.kusto import KustoBackend
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule
from sigma.validation import SigmaValidator
from sigma.validators.core import validators

from imagesweep.errors import ConfigError
from imagesweep.hunt import export
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.report import RULE_COLUMNS

# These two fetch MITRE ATT&CK / D3FEND data over the network; the tags they check are
# checked below by format instead.
_OFFLINE = {k: v for k, v in validators.items() if k not in ("attacktag", "d3_fendtag")}


def test_kql_query(ind: Indicators) -> None:
    query = export.kql(ind)
    assert "\nSyslog\n| where TimeGenerated > ago(24h)\n" in query
    assert 'let ImageTransfer = dynamic(["copy tftp", "copy ftp",' in query
    assert '"ROMMON_CONFIG", "SETVAR"' in query
    assert "(SyslogMessage has_any (FlashWrite1) and SyslogMessage has_any (FlashWrite2))" in query
    # the seed's extraction patterns, verbatim
    assert r'extract(@"[Uu]ser[:\s]+([\w\\@\.\-]+)", 1, SyslogMessage)' in query
    assert r'extract(@"logged command[:\s]+(.+?)$", 1, SyslogMessage)' in query
    assert r'extract(@"%([A-Z_\-]+)-\d-", 1, SyslogMessage)' in query
    assert "| project " + ", ".join(RULE_COLUMNS) + "\n| order by TimeGenerated desc\n" in query
    # every indicator of the data file is in the query
    for cls in ind.classes:
        for group in cls.require:
            for i in group:
                assert f'"{i.text}"' in query


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("7d", "ago(7d)"),
        ("2w", "ago(14d)"),
        ("90m", "ago(90m)"),
        (datetime(2024, 3, 3, tzinfo=UTC), "datetime(2024-03-03T00:00:00Z)"),
    ],
)
def test_kql_lookback(ind: Indicators, since: str | datetime, expected: str) -> None:
    assert f"| where TimeGenerated > {expected}\n" in export.kql(ind, since=since)


def test_kql_lookback_refuses_nonsense(ind: Indicators) -> None:
    with pytest.raises(ConfigError):
        export.kql(ind, since="soon")


def test_sigma_rule_validates_and_converts(ind: Indicators) -> None:
    text = export.sigma(ind)
    collection = SigmaCollection.from_yaml(text)
    assert not collection.errors
    (rule,) = collection.rules
    assert isinstance(rule, SigmaRule)
    issues = SigmaValidator(_OFFLINE.values()).validate_rules(iter([rule]))
    assert issues == []
    assert [str(t) for t in rule.tags] == ["attack.defense-evasion", "attack.t1601.001"]
    assert all(re.fullmatch(r"attack\.(t\d{4}(\.\d{3})?|[a-z-]+)", str(t)) for t in rule.tags)
    assert rule.level is not None and rule.level.name == "HIGH"

    (query,) = KustoBackend().convert(collection)
    assert 'SyslogMessage contains "copy tftp"' in query
    assert 'SyslogMessage contains "IOS_RESILIENCE"' in query
    # flash write keeps both halves joined by "and"
    assert re.search(r'contains "\.qcow2"\) and \(SyslogMessage contains "flash:"', query)


def test_sigma_rule_is_stable_and_lists_low_confidence(ind: Indicators) -> None:
    first, second = export.sigma(ind), export.sigma(ind)
    assert first == second
    data = yaml.safe_load(first)
    assert data["id"] == str(export.RULE_ID)
    for low in (
        "FLASH-4-WRITE_FAILED",
        "SIGNATURE_FAILED",
        "INTEGRITY_FAILED",
        "ROMMON_CONFIG",
        "SETVAR",
    ):
        assert low in data["description"]
    assert data["detection"]["condition"] == (
        "imageTransfer or bootManipulation or integrityAlert or (flashWrite1 and flashWrite2)"
    )
