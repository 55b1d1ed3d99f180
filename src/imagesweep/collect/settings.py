"""The collector's knobs, one frozen record shared by the CLI, the audit and the login."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CollectSettings:
    command_timeout: float = 120.0
    digest_timeout: float = 900.0  # real devices digest 1-2 GB images in minutes
    connect_timeout: float = 20.0
    device_timeout: float = 3600.0  # the whole plan on one device
    # Retries of refused/timed-out TCP connects and of SSH handshakes the device ended
    # before authentication; never of a failed login.
    connect_retries: int = 2
    known_hosts: Path | None = None  # imagesweep's own known_hosts (trust on first use)
    strict_host_keys: bool = False  # refuse keys not already in known_hosts
    max_concurrent_logins: int = 50
    logins_per_second: float = 25.0
    login_jitter: float = 0.0  # seconds: each login waits a random time up to this first
    max_output_chars: int = 16 * 1024 * 1024
    # File base name -> digest algorithms the catalogue needs beyond the platform default.
    algorithms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Off-box verification (opt-in): copy images off the device and hash them here.
    memory_text: bool = False  # also digest the code in memory (IOS: system:memory/text)
    offbox: str = ""  # "" (off) | "running" | "all" (every image in the digest scope)
    offbox_workers: int = 2  # copies at once across the sweep: images are hundreds of MB
    offbox_rate: float = 0.0  # bytes per second per copy; 0 = no cap
    offbox_max_bytes: int = 4_000_000_000  # refuse (and report) a larger file
    offbox_timeout: float = 1800.0  # seconds one copy may take
    keep_images: str = ""  # directory to keep the copied bytes in; "" = never written to disk
    # "% Please Try After Few Seconds" (the Trust Anchor is busy signing): resend this many
    # times, this many seconds apart, then keep the answer as evidence (unverified).
    busy_retries: int = 3
    busy_delay: float = 2.0
