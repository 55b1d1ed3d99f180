"""The policy file (``--policy FILE``): what a team decides beyond the defaults.

```yaml
severity:                 # rule ID -> severity, overriding the default
  MANUAL_BOOT: low
approved_versions:        # platform -> releases allowed (VERSION_NOT_APPROVED otherwise)
  cisco_xe: ["17.9.4a", "17.12.3"]
accept_unverifiable: [paloalto_panos]   # platforms with no on-box digest, accepted as such
```

Unknown keys, rule IDs, severities or platforms are a :class:`ConfigError` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagesweep.analyze.rules import RULE_IDS, Policy
from imagesweep.errors import ConfigError
from imagesweep.inventory.simple import load_yaml
from imagesweep.platforms import profiles
from imagesweep.records import SEVERITIES, Severity

_KEYS = ("severity", "approved_versions", "accept_unverifiable")


def load(path: Path) -> Policy:
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
        if rule not in RULE_IDS:
            raise ConfigError(f"{path}: severity: unknown rule {rule!r}")
        if value not in SEVERITIES:
            raise ConfigError(
                f"{path}: severity: {rule}: {value!r} is not one of {', '.join(SEVERITIES)}"
            )
        severity[rule] = value
    approved: dict[str, tuple[str, ...]] = {}
    for platform, versions in (data.get("approved_versions") or {}).items():
        _platform(path, "approved_versions", platform)
        if not isinstance(versions, list) or not all(
            isinstance(v, str | int | float) for v in versions
        ):
            raise ConfigError(f"{path}: approved_versions: {platform}: expected a list")
        approved[platform] = tuple(str(v) for v in versions)
    accept = data.get("accept_unverifiable") or []
    if not isinstance(accept, list):
        raise ConfigError(f"{path}: accept_unverifiable: expected a list of platforms")
    for platform in accept:
        _platform(path, "accept_unverifiable", platform)
    return Policy(
        severity=severity, approved_versions=approved, accept_unverifiable=frozenset(accept)
    )


def _platform(path: Path, key: str, platform: object) -> None:
    if platform not in profiles():
        raise ConfigError(
            f"{path}: {key}: unknown platform {platform!r} (known: {', '.join(sorted(profiles()))})"
        )
