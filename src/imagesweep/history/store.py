"""The history store: every sweep's devices, images and findings, in one SQLite file.

Behind :class:`HistoryStore` (a small protocol) so a server database can take the place of
:class:`SQLiteHistory` without touching the rules, which only ever see
:class:`~imagesweep.baseline.prior.PriorState` records.

Crash safety: a sweep's rows are written in one transaction at the end of the sweep, so a
sweep killed at any point (SIGKILL included) leaves the history as it was before it; WAL
mode keeps readers (``imagesweep history``, the ``sqlite3`` shell) working meanwhile.
The tables (read them with ``sqlite3 FILE``) are documented in docs/history.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from imagesweep.baseline.prior import PriorImage, PriorState
from imagesweep.errors import ConfigError
from imagesweep.files import make_dir

# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRecord:
    path: str
    size: int | None = None
    md5: str = ""
    sha512: str = ""
    verdict: str = ""
    known_good: str = ""
    running: bool = False
    boot_target: bool = False
    first_seen: datetime | None = None  # filled in by the store
    sweeps: int = 1
    modified: str = ""  # the file's timestamp as listed
    digested_at: datetime | None = None  # when the device computed the digest (not reused)


@dataclass(frozen=True)
class FindingRecord:
    rule: str
    severity: str
    summary: str
    first_seen: datetime | None = None  # filled in by the store
    last_seen: datetime | None = None


@dataclass(frozen=True)
class DeviceSnapshot:
    """One device in one sweep. ``None`` fields: the sweep did not obtain them."""

    host: str
    platform: str
    audited_at: datetime
    status: str
    address: str = ""
    hostname: str = ""
    model: str = ""
    serial: str = ""
    hash_status: str = ""
    version: str | None = None
    running_image: str | None = None
    boot_entries: tuple[str, ...] | None = None
    config_register: str | None = None
    config_register_next: str | None = None
    rommon: str | None = None
    uptime: str | None = None
    uptime_seconds: int | None = None
    storage_complete: bool = False  # every filesystem listed: ``images`` is the whole set
    memory_text: str | None = None
    images: tuple[ImageRecord, ...] = ()
    findings: tuple[FindingRecord, ...] = ()

    @property
    def reload_at(self) -> datetime | None:
        if self.uptime_seconds is None:
            return None
        return self.audited_at - timedelta(seconds=self.uptime_seconds)


@dataclass(frozen=True)
class SweepSnapshot:
    id: str
    started_at: datetime
    finished_at: datetime | None = None
    source: str = ""  # the run directory
    devices: tuple[DeviceSnapshot, ...] = ()


@dataclass(frozen=True)
class SweepInfo:
    id: str
    started_at: datetime
    finished_at: datetime | None
    source: str
    devices: int
    finished: bool = True
    counts: dict[str, int] = field(default_factory=dict)  # status -> devices


class HistoryStore(Protocol):
    """What imagesweep needs of a history, whatever holds it."""

    def record(self, sweep: SweepSnapshot) -> bool:
        """Store a whole sweep at once; ``False`` when a sweep of that id is already held."""
        ...

    def latest(self, hosts: Iterable[str] | None = None) -> dict[str, DeviceSnapshot]:
        """Each host's snapshot from the newest finished sweep that holds it."""
        ...

    def previous(self, hosts: Iterable[str] | None = None) -> dict[str, PriorState]: ...

    def sweeps(self, since: datetime | None = None) -> list[SweepInfo]: ...

    def snapshot(self, sweep_id: str) -> dict[str, DeviceSnapshot]: ...

    def timeline(self, host: str, since: datetime | None = None) -> list[DeviceSnapshot]: ...

    def prune(self, keep_days: int, now: datetime | None = None) -> int: ...

    def close(self) -> None: ...


# --- schema ---------------------------------------------------------------------------------

# MIGRATIONS[n] takes a file from user_version n to n + 1; the newest version is the length.
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema
    """
    CREATE TABLE sweeps (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,          -- ISO 8601 UTC
        finished_at TEXT,
        source TEXT NOT NULL DEFAULT '',   -- the run directory
        finished INTEGER NOT NULL DEFAULT 0,
        devices INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE devices (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        platform TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        hostname TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        serial TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        hash_status TEXT NOT NULL DEFAULT '',
        audited_at TEXT NOT NULL,
        version TEXT,                      -- NULL: not obtained by that sweep
        running_image TEXT,
        boot_entries TEXT,                 -- JSON list
        config_register TEXT,
        config_register_next TEXT,
        rommon TEXT,
        uptime TEXT,
        uptime_seconds INTEGER,
        reload_at TEXT,                    -- audited_at - uptime
        storage_complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sweep_id, host)
    );
    CREATE TABLE images (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER,
        md5 TEXT NOT NULL DEFAULT '',
        sha512 TEXT NOT NULL DEFAULT '',
        verdict TEXT NOT NULL DEFAULT '',
        known_good TEXT NOT NULL DEFAULT '',
        running INTEGER NOT NULL DEFAULT 0,
        boot_target INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sweep_id, host, path)
    );
    CREATE TABLE findings (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE INDEX findings_device ON findings (sweep_id, host);
    """,
    # 1 -> 2: memory text digest, digest baselines, a host index for timelines
    """
    ALTER TABLE devices ADD COLUMN memory_text TEXT;
    ALTER TABLE images ADD COLUMN first_seen TEXT;
    ALTER TABLE images ADD COLUMN sweeps INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX devices_host ON devices (host, audited_at);
    """,
    # 2 -> 3: what --rehash-after needs: the listed timestamp, when the digest was computed
    """
    ALTER TABLE images ADD COLUMN modified TEXT NOT NULL DEFAULT '';
    ALTER TABLE images ADD COLUMN digested_at TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _iso(stamp: datetime | None) -> str | None:
    return None if stamp is None else stamp.astimezone(UTC).isoformat(timespec="seconds")


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _same_digest(a: ImageRecord, b: ImageRecord) -> bool:
    pairs = [(x, y) for x, y in ((a.sha512, b.sha512), (a.md5, b.md5)) if x and y]
    return bool(pairs) and all(x == y for x, y in pairs)


def to_prior(snap: DeviceSnapshot, sweep_id: str) -> PriorState:
    return PriorState(
        host=snap.host,
        sweep=sweep_id,
        swept_at=snap.audited_at,
        version=snap.version,
        running_image=snap.running_image,
        boot_entries=snap.boot_entries,
        config_register=snap.config_register,
        config_register_next=snap.config_register_next,
        rommon=snap.rommon,
        uptime_seconds=snap.uptime_seconds,
        images=tuple(
            PriorImage(
                i.path, i.size, i.md5, i.sha512, i.first_seen, i.sweeps, i.modified, i.digested_at
            )
            for i in snap.images
        )
        if snap.storage_complete
        else None,
        memory_text=snap.memory_text,
        status=snap.status,
    )


class SQLiteHistory:
    """:class:`HistoryStore` in one SQLite file (created ``0600`` in a ``0700`` directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        make_dir(path.parent)
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            path.chmod(0o600)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{path}: not a usable history database: {exc}") from exc
        self._sweep_of: dict[str, str] = {}

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path}: history schema {current} is newer than this imagesweep "
                f"understands ({SCHEMA_VERSION}); upgrade imagesweep"
            )
        for n in range(current, SCHEMA_VERSION):
            with self._transaction():
                for statement in MIGRATIONS[n].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {n + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # --- writing ----------------------------------------------------------------------------

    def record(self, sweep: SweepSnapshot) -> bool:
        with self._transaction():
            if self.db.execute("SELECT 1 FROM sweeps WHERE id = ?", (sweep.id,)).fetchone():
                return False
            before = self._latest(
                [d.host for d in sweep.devices], before=sweep.started_at, with_findings=True
            )
            self.db.execute(
                "INSERT INTO sweeps (id, started_at, finished_at, source, finished, devices) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (
                    sweep.id,
                    _iso(sweep.started_at),
                    _iso(sweep.finished_at),
                    sweep.source,
                    len(sweep.devices),
                ),
            )
            for device in sweep.devices:
                self._insert(sweep.id, device, before.get(device.host))
            self.db.execute("UPDATE sweeps SET finished = 1 WHERE id = ?", (sweep.id,))
        return True

    def _insert(self, sweep_id: str, d: DeviceSnapshot, prior: DeviceSnapshot | None) -> None:
        self.db.execute(
            "INSERT INTO devices (sweep_id, host, platform, address, hostname, model, serial, "
            "status, hash_status, audited_at, version, running_image, boot_entries, "
            "config_register, config_register_next, rommon, uptime, uptime_seconds, reload_at, "
            "storage_complete, memory_text) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sweep_id,
                d.host,
                d.platform,
                d.address,
                d.hostname,
                d.model,
                d.serial,
                d.status,
                d.hash_status,
                _iso(d.audited_at),
                d.version,
                d.running_image,
                None if d.boot_entries is None else json.dumps(list(d.boot_entries)),
                d.config_register,
                d.config_register_next,
                d.rommon,
                d.uptime,
                d.uptime_seconds,
                _iso(d.reload_at),
                int(d.storage_complete),
                d.memory_text,
            ),
        )
        earlier = {i.path: i for i in prior.images} if prior else {}
        rows = []
        for image in d.images:
            old = earlier.get(image.path)
            if old and old.first_seen and _same_digest(old, image):
                image = replace(image, first_seen=old.first_seen, sweeps=old.sweeps + 1)
            else:
                image = replace(image, first_seen=d.audited_at, sweeps=1)
            rows.append(
                (
                    sweep_id,
                    d.host,
                    image.path,
                    image.size,
                    image.md5,
                    image.sha512,
                    image.verdict,
                    image.known_good,
                    int(image.running),
                    int(image.boot_target),
                    _iso(image.first_seen),
                    image.sweeps,
                    image.modified,
                    _iso(image.digested_at),
                )
            )
        self.db.executemany(
            "INSERT OR REPLACE INTO images (sweep_id, host, path, size, md5, sha512, verdict, "
            "known_good, running, boot_target, first_seen, sweeps, modified, digested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        seen = {(f.rule, f.summary): f.first_seen for f in prior.findings} if prior else {}
        self.db.executemany(
            "INSERT INTO findings (sweep_id, host, rule, severity, summary, first_seen, "
            "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sweep_id,
                    d.host,
                    f.rule,
                    f.severity,
                    f.summary,
                    _iso(seen.get((f.rule, f.summary)) or d.audited_at),
                    _iso(d.audited_at),
                )
                for f in d.findings
            ],
        )

    def prune(self, keep_days: int, now: datetime | None = None) -> int:
        """Delete sweeps that started more than ``keep_days`` ago; how many went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
        with self._transaction():
            gone = self.db.execute(
                "DELETE FROM sweeps WHERE started_at < ?", (_iso(cutoff),)
            ).rowcount
            # Unfinished sweeps (none are written today) would never be read: drop them too.
            gone += self.db.execute("DELETE FROM sweeps WHERE finished = 0").rowcount
        return int(gone)

    # --- reading ----------------------------------------------------------------------------

    _DEVICE_COLUMNS = (
        "d.sweep_id, d.host, d.platform, d.audited_at, d.status, d.address, d.hostname, "
        "d.model, d.serial, d.hash_status, d.version, d.running_image, d.boot_entries, "
        "d.config_register, d.config_register_next, d.rommon, d.uptime, d.uptime_seconds, "
        "d.storage_complete, d.memory_text"
    )

    def _devices(
        self, where: str, params: Sequence[object], with_findings: bool = True
    ) -> list[tuple[str, DeviceSnapshot]]:
        rows = self.db.execute(
            f"SELECT {self._DEVICE_COLUMNS} FROM devices d JOIN sweeps s ON s.id = d.sweep_id "
            f"WHERE s.finished = 1 AND {where} ORDER BY d.audited_at, d.host",
            params,
        ).fetchall()
        keys = [(r[0], r[1]) for r in rows]
        images: dict[tuple[str, str], list[ImageRecord]] = {}
        findings: dict[tuple[str, str], list[FindingRecord]] = {}
        sweeps = sorted({k[0] for k in keys})
        wanted = set(keys)
        for sweep_id in sweeps:
            for r in self.db.execute(
                "SELECT host, path, size, md5, sha512, verdict, known_good, running, "
                "boot_target, first_seen, sweeps, modified, digested_at FROM images "
                "WHERE sweep_id = ? ORDER BY path",
                (sweep_id,),
            ):
                if (sweep_id, r[0]) in wanted:
                    images.setdefault((sweep_id, r[0]), []).append(
                        ImageRecord(
                            r[1],
                            r[2],
                            r[3],
                            r[4],
                            r[5],
                            r[6],
                            bool(r[7]),
                            bool(r[8]),
                            _when(r[9]),
                            int(r[10] or 1),
                            r[11] or "",
                            _when(r[12]),
                        )
                    )
            if not with_findings:
                continue
            for r in self.db.execute(
                "SELECT host, rule, severity, summary, first_seen, last_seen FROM findings "
                "WHERE sweep_id = ?",
                (sweep_id,),
            ):
                if (sweep_id, r[0]) in wanted:
                    findings.setdefault((sweep_id, r[0]), []).append(
                        FindingRecord(r[1], r[2], r[3], _when(r[4]), _when(r[5]))
                    )
        out = []
        for r in rows:
            key = (r[0], r[1])
            out.append(
                (
                    r[0],
                    DeviceSnapshot(
                        host=r[1],
                        platform=r[2],
                        audited_at=_when(r[3]) or datetime.min.replace(tzinfo=UTC),
                        status=r[4],
                        address=r[5],
                        hostname=r[6],
                        model=r[7],
                        serial=r[8],
                        hash_status=r[9],
                        version=r[10],
                        running_image=r[11],
                        boot_entries=None if r[12] is None else tuple(json.loads(r[12])),
                        config_register=r[13],
                        config_register_next=r[14],
                        rommon=r[15],
                        uptime=r[16],
                        uptime_seconds=r[17],
                        storage_complete=bool(r[18]),
                        memory_text=r[19],
                        images=tuple(images.get(key, ())),
                        findings=tuple(findings.get(key, ())),
                    ),
                )
            )
        return out

    def _latest(
        self,
        hosts: Iterable[str] | None,
        *,
        before: datetime | None = None,
        with_findings: bool = True,
    ) -> dict[str, DeviceSnapshot]:
        # The newest finished sweep of each host (started no later than ``before``, when
        # given: times are to the second, and a sweep recorded earlier in the same second
        # came before). Ties in started_at go to the sweep recorded last (rowid).
        cond = "s2.started_at <= ?" if before else "1"
        params: list[object] = [_iso(before)] if before else []
        latest = self.db.execute(
            "SELECT host, sweep_id FROM (SELECT d2.host, d2.sweep_id, ROW_NUMBER() OVER "
            "(PARTITION BY d2.host ORDER BY s2.started_at DESC, s2.rowid DESC) AS n "
            f"FROM devices d2 JOIN sweeps s2 ON s2.id = d2.sweep_id "
            f"WHERE s2.finished = 1 AND {cond}) WHERE n = 1",
            params,
        ).fetchall()
        chosen = dict(latest)
        if hosts is not None:
            wanted = set(hosts)
            chosen = {h: s for h, s in chosen.items() if h in wanted}
        out: dict[str, DeviceSnapshot] = {}
        by_sweep: dict[str, set[str]] = {}
        for host, sweep_id in chosen.items():
            by_sweep.setdefault(sweep_id, set()).add(host)
        for sweep_id, members in by_sweep.items():
            for sid, snap in self._devices("d.sweep_id = ?", (sweep_id,), with_findings):
                if snap.host in members:
                    out[snap.host] = snap
                    self._sweep_of[snap.host] = sid
        return out

    def latest(self, hosts: Iterable[str] | None = None) -> dict[str, DeviceSnapshot]:
        return self._latest(hosts)

    def previous(self, hosts: Iterable[str] | None = None) -> dict[str, PriorState]:
        snaps = self._latest(hosts, with_findings=False)
        return {h: to_prior(s, self._sweep_of.get(h, "")) for h, s in snaps.items()}

    def snapshot(self, sweep_id: str) -> dict[str, DeviceSnapshot]:
        return {s.host: s for _, s in self._devices("d.sweep_id = ?", (sweep_id,))}

    def timeline(self, host: str, since: datetime | None = None) -> list[DeviceSnapshot]:
        where, params = "d.host = ?", [host]
        if since:
            where, params = where + " AND d.audited_at >= ?", [host, _iso(since) or ""]
        return [s for _, s in self._devices(where, params)]

    def sweeps(self, since: datetime | None = None) -> list[SweepInfo]:
        rows = self.db.execute(
            "SELECT id, started_at, finished_at, source, devices, finished FROM sweeps "
            "WHERE started_at >= ? ORDER BY started_at, rowid",
            (_iso(since) or "",),
        ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for sweep_id, status, n in self.db.execute(
            "SELECT sweep_id, status, COUNT(*) FROM devices GROUP BY sweep_id, status"
        ):
            counts.setdefault(sweep_id, {})[status] = n
        return [
            SweepInfo(
                r[0],
                _when(r[1]) or datetime.min.replace(tzinfo=UTC),
                _when(r[2]),
                r[3],
                r[4],
                bool(r[5]),
                counts.get(r[0], {}),
            )
            for r in rows
        ]
