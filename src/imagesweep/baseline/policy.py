"""The policy file (``--policy FILE``): what a team decides beyond the defaults.

```yaml
severity:                 # rule ID -> severity, overriding the default
  MANUAL_BOOT: low
approved_versions:        # platform -> releases allowed (VERSION_NOT_APPROVED otherwise)
  cisco_xe: ["17.9.4a", "17.12.3"]
accept_unverifiable: [paloalto_panos]   # platforms with no on-box digest, accepted as such
approved_rommon:          # platform or model -> ROMMON versions allowed (ROMMON_UNEXPECTED)
  cisco_xe: ["16.12(2r)", "17.6(1r)"]
  ISR4321/K9: ["16.9(1r)"]          # a model's list wins over its platform's
rommon_region: ReadOnly   # the ROMMON region devices must run from (where they say)
```

Unknown keys, rule IDs, severities or platforms are a :class:`ConfigError` naming the file.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from imagesweep.baseline.context import Policy
from imagesweep.errors import ConfigError
from imagesweep.files import load_yaml
from imagesweep.platforms import canonical
from imagesweep.records import SEVERITIES, Severity

_KEYS = (
    "severity",
    "approved_versions",
    "accept_unverifiable",
    "approved_rommon",
    "rommon_region",
)


def load(path: Path, *, rule_ids: Collection[str]) -> Policy:
    """The policy in ``path``; ``rule_ids`` are the rules a severity override may name."""
    data: Any = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with {', '.join(_KEYS)}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(_KEYS)})"
        )
    severity: dict[str, Severity] = {}
    for rule, value in (data.get("severity") or {}).items():
        if rule not in rule_ids:
            raise ConfigError(f"{path}: severity: unknown rule {rule!r}")
        if value not in SEVERITIES:
            raise ConfigError(
                f"{path}: severity: {rule}: {value!r} is not one of {', '.join(SEVERITIES)}"
            )
        severity[rule] = value
    approved: dict[str, tuple[str, ...]] = {}
    for platform, versions in (data.get("approved_versions") or {}).items():
        platform = _platform(path, "approved_versions", platform)
        if not isinstance(versions, list) or not all(
            isinstance(v, str | int | float) for v in versions
        ):
            raise ConfigError(f"{path}: approved_versions: {platform}: expected a list")
        approved[platform] = tuple(str(v) for v in versions)
    accept = data.get("accept_unverifiable") or []
    if not isinstance(accept, list):
        raise ConfigError(f"{path}: accept_unverifiable: expected a list of platforms")
    accepted = frozenset(_platform(path, "accept_unverifiable", p) for p in accept)
    rommon: dict[str, tuple[str, ...]] = {}
    for key, versions in (data.get("approved_rommon") or {}).items():
        try:
            key = canonical(str(key))
        except ConfigError:
            key = str(key)  # a model ("ISR4321/K9"), not a platform
        if not isinstance(versions, list) or not all(
            isinstance(v, str | int | float) for v in versions
        ):
            raise ConfigError(f"{path}: approved_rommon: {key}: expected a list")
        rommon[key] = tuple(str(v) for v in versions)
    region = str(data.get("rommon_region") or "")
    if region not in ("", "ReadOnly", "Upgrade"):
        raise ConfigError(f"{path}: rommon_region: {region!r} is not ReadOnly or Upgrade")
    return Policy(
        severity=severity,
        approved_versions=approved,
        accept_unverifiable=accepted,
        approved_rommon=rommon,
        rommon_region=region,
    )


def _platform(path: Path, key: str, platform: object) -> str:
    try:
        return canonical(str(platform))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {key}: {exc}") from None
