"""Per-platform data (``platforms.yaml``) as frozen records."""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import yaml

from imagesweep.errors import ConfigError


@dataclass(frozen=True)
class Profile:
    platform: str  # Netmiko device_type
    name: str
    parser: str  # module under imagesweep.parse
    steps: dict[str, tuple[str, ...]]
    digest: dict[str, str]  # algorithm -> command template with {path}
    image_patterns: tuple[str, ...]
    default_filesystems: tuple[str, ...] = ()
    storage_kinds: tuple[str, ...] = ()
    usual_config_registers: tuple[str, ...] = ()
    rejected_markers: tuple[str, ...] = ()
    optional_steps: tuple[str, ...] = ()
    digest_unavailable: str = ""  # why the platform has no on-box digest, if it has none
    extra: dict[str, Any] = field(default_factory=dict)

    def is_image(self, path: str) -> bool:
        """True when the file's base name looks like an OS image of this platform."""
        base = path.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
        return any(fnmatch.fnmatchcase(base, pattern.lower()) for pattern in self.image_patterns)

    def rejection(self, output: str) -> str:
        """The device's "command not supported" line in ``output``, or ""."""
        for line in output.splitlines():
            stripped = line.strip()
            if any(stripped.startswith(marker) for marker in self.rejected_markers):
                return stripped
        return ""


_KNOWN = {
    "name",
    "parser",
    "steps",
    "digest",
    "image_patterns",
    "default_filesystems",
    "storage_kinds",
    "usual_config_registers",
    "rejected_markers",
    "optional_steps",
    "digest_unavailable",
}


def _build(platform: str, raw: dict[str, Any]) -> Profile:
    def tup(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in raw.get(key, ()) or ())

    return Profile(
        platform=platform,
        name=str(raw["name"]),
        parser=str(raw["parser"]),
        steps={k: tuple(v) for k, v in (raw.get("steps") or {}).items()},
        digest={k: str(v) for k, v in (raw.get("digest") or {}).items()},
        image_patterns=tup("image_patterns"),
        default_filesystems=tup("default_filesystems"),
        storage_kinds=tup("storage_kinds"),
        usual_config_registers=tup("usual_config_registers"),
        rejected_markers=tup("rejected_markers"),
        optional_steps=tup("optional_steps"),
        digest_unavailable=str(raw.get("digest_unavailable", "")),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


@functools.cache
def profiles() -> dict[str, Profile]:
    text = files("imagesweep.platforms").joinpath("profiles.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {name: _build(name, raw) for name, raw in data.items()}


def profile(platform: str) -> Profile:
    try:
        return profiles()[platform]
    except KeyError:
        known = ", ".join(sorted(profiles()))
        raise ConfigError(f"unsupported platform {platform!r} (supported: {known})") from None


def markdown_table() -> str:
    """The README's table of supported platforms and the commands each runs (generated)."""
    lines = [
        "| platform (Netmiko device_type) | version | boot | storage | other | digest |",
        "|---|---|---|---|---|---|",
    ]

    def cmds(values: tuple[str, ...]) -> str:
        return " / ".join(f"`{v}`" for v in values) or "-"

    for key, prof in profiles().items():
        steps = dict(prof.steps)
        version = cmds(steps.pop("version", ()))
        boot = cmds(steps.pop("boot", ()))
        storage = cmds(steps.pop("filesystems", ()) + steps.pop("listing", ()))
        other = "<br>".join(cmds(v) for v in steps.values()) or "-"
        digest = cmds(tuple(prof.digest.values())) if prof.digest else "none on the device"
        lines.append(
            f"| {prof.name} (`{key}`) | {version} | {boot} | {storage} | {other} | {digest} |"
        )
    return "\n".join(lines) + "\n"
