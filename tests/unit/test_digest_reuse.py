"""Digest reuse (--rehash-after): what the history offers (history/reuse.py) and what the
collector and the analyze stage keep of it (parse/interpret.still_valid)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from imagesweep.baseline.prior import PriorImage, PriorState
from imagesweep.history.reuse import offers
from imagesweep.parse.interpret import still_valid
from imagesweep.records import ReusedDigest, StorageFile, StorageListing, VersionInfo

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
PATH = "flash:c2900-universalk9-mz.SPA.157-3.M8.bin"
STAMP = "2026-03-07 10:12:40"


def image(**kw: object) -> PriorImage:
    base: dict[str, object] = {
        "path": PATH,
        "size": 100,
        "md5": "a" * 32,
        "modified": STAMP,
        "digested_at": NOW - timedelta(days=2),
    }
    return PriorImage(**{**base, **kw})  # type: ignore[arg-type]


def prior(*images: PriorImage, status: str = "clean") -> PriorState:
    return PriorState("r1", "s1", NOW - timedelta(days=1), images=images, status=status)


def test_offers_only_fresh_complete_digests_of_a_clean_device() -> None:
    (offer,) = offers(prior(image()), NOW, 7)
    assert (offer.path, offer.size, offer.modified, offer.md5) == (PATH, 100, STAMP, "a" * 32)
    assert offer.digested_at == (NOW - timedelta(days=2)).isoformat(timespec="seconds")
    assert offers(prior(image()), NOW, 1) == ()  # digested two days ago
    assert offers(prior(image(), status="findings"), NOW, 7) == ()
    assert offers(prior(image(modified="")), NOW, 7) == ()  # no timestamp to compare
    assert offers(prior(image(size=None)), NOW, 7) == ()
    assert offers(prior(image(md5="")), NOW, 7) == ()
    assert offers(prior(image(digested_at=None)), NOW, 7) == ()
    assert offers(PriorState("r1", "s1", NOW, images=None), NOW, 7) == ()  # storage unlisted


def _offer(**kw: object) -> ReusedDigest:
    base: dict[str, object] = {
        "path": PATH,
        "size": 100,
        "modified": STAMP,
        "md5": "a" * 32,
        "digested_at": (NOW - timedelta(days=2)).isoformat(timespec="seconds"),
    }
    return ReusedDigest(**{**base, **kw})  # type: ignore[arg-type]


def _listing(size: int = 100, modified: str = STAMP) -> list[StorageListing]:
    return [StorageListing("flash:", (StorageFile(PATH, size, modified=modified),))]


def _version(uptime: str = "12 weeks, 3 days, 4 hours, 10 minutes") -> VersionInfo:
    return VersionInfo(version="15.7(3)M8", running_image=PATH, uptime=uptime)


def test_kept_only_when_the_file_and_the_boot_are_unchanged() -> None:
    offer = _offer()
    assert still_valid((offer,), _listing(), _version(), NOW) == {PATH: offer}
    assert still_valid((offer,), _listing(size=101), _version(), NOW) == {}
    assert still_valid((offer,), _listing(modified="2026-12-01 00:00:00"), _version(), NOW) == {}
    assert still_valid((offer,), [], _version(), NOW) == {}  # the file is gone
    assert still_valid((offer,), _listing(), _version("1 day, 2 hours"), NOW) == {}  # reloaded
    assert still_valid((offer,), _listing(), _version(""), NOW) == {}  # uptime not known
    assert still_valid((offer,), _listing(), None, NOW) == {}
    assert still_valid((_offer(digested_at="not a time"),), _listing(), _version(), NOW) == {}


def test_never_kept_for_a_symbolic_link() -> None:
    """A link's size and time are its own; the file behind it may have been replaced."""
    link = StorageFile(PATH, 100, modified=STAMP, attrs=("symlink",))
    listing = [StorageListing("flash:", (link,))]
    assert still_valid((_offer(),), listing, _version(), NOW) == {}
