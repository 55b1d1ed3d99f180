"""Fleet files: the lab's simulated devices as data, one scenario per device.

A fleet file is YAML with three sections::

    defaults:                    # credentials every device accepts unless it sets its own
      username: admin
      password: admin
      secret: cisco              # the enable secret
    images:                      # the image library: what an image file holds
      c2900-universalk9-mz.SPA.157-3.M8.bin:
        size: 112452876          # bytes
        version: "15.7(3)M8"     # as the image's show version prints it
        platform: cisco_ios      # Netmiko device_type: one of PLATFORMS
        known_good: true         # listed in the lab's known-good catalogue
        md5: <32 hex>            # optional: digests default to image_digests(name)
        sha512: <128 hex>        # optional
        bytes: true              # real content (imagesweep.lab.content): served over SCP/SFTP
                                 # for --offbox; md5/sha512 are then those of the bytes
    devices:
      - name: r1-clean           # inventory host name, unique
        persona: ios_router      # ios_router | ios_switch | iosxe_switch | iosxe_router |
                                 # nxos | iosxr | junos | panos (imagesweep.lab.hardware)
        hostname: R1             # what the prompt says (default: name)
        model: CISCO2911/K9      # default: the persona's model
        serial: FTX1234A0BC      # default: derived from name
        version: "15.7(3)M8"     # show version's version ("17.9.4a" on IOS-XE)
        running_image: flash:c2900-universalk9-mz.SPA.157-3.M8.bin   # printed verbatim;
                                 # required where show version names a file (IOS, IOS-XE,
                                 # NX-OS); XR, Junos and PAN-OS print none
        boot: [flash:c2900-universalk9-mz.SPA.157-3.M8.bin]   # next-boot entries; [] = unset
        config_register: "0x2102"     # default: the persona's usual value
        config_register_next: ""      # "0x2142" prints "(will be 0x2142 at next reload)"
        manual_boot: false            # Catalyst "Manual Boot : yes", IOS-XE MANUAL_BOOT=yes
        members: 1                    # stack size (ios_switch, iosxe_switch): flash2:/flash-2:
        privilege: 1                  # 1: login lands in user EXEC (needs enable); 15: in "#"
                                      # (default 15 on personas without enable)
        uptime: "12 weeks, 3 days, 4 hours, 10 minutes"
        rommon: "System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)"  # ios_router
        memory_text: ""               # IOS, IOS-XE: the code in memory; another text (say
                                      # "hooked") changes its digest
        release: "RELEASE SOFTWARE (fc2)"   # build tag on show version's version line
        digest_seconds: 0             # how long each digest takes (verify prints dots meanwhile)
        housekeeping: true            # add the family's usual non-image files and directories
        username: ...                 # password:, secret: override the defaults
        files:
          - {path: flash:c2900-universalk9-mz.SPA.157-3.M8.bin, image: <library name>}
          - {path: flash:c2900-universalk9-mz.SPA.157-3.M8.bin, image: <name>, patched: true}
          - {path: flash:x.bin, image: <name>, md5: <hex>, sha512: <hex>}  # explicit digests
          - {path: flash:x.bin, image: <bytes image>, lies: true}  # verify prints the
                                 # image's digests, the bytes are patched (a lying device)
          - {path: flash:sub/dir/x.bin, size: 1234}           # any file; parent dirs implied
          - {path: flash:notes.txt, content: "text for more"}  # size from the content
          - {path: flash:empty-dir/}                          # a directory
          - {path: flash:y.bin, size: 10, modified: "2023-03-07 10:12:40"}
          - {path: panos:10.2.9-h1, image: <name>, uploaded: true}  # PAN-OS: a held version
        faults: {}                    # see imagesweep.lab.faults (unreachable, auth_fail, ...)
        expect: [HASH_MISMATCH]       # rule IDs the audit should report; informational

Platform-specific device keys (each refused on personas it means nothing to):

- ``packages`` (iosxe_*, iosxr): IOS-XE install mode (``running_image: flash:packages.conf``):
  the ``.pkg`` file names ``packages.conf`` provisions, beside it; the lab writes
  ``packages.conf`` itself, and each package file from the library entry of that name, unless
  ``files`` lists them (a patched package, say). IOS XR: the active packages as
  ``show install active`` prints them, the boot image first (default ``ncs5500-xr-<version>``).
- ``committed_version`` (iosxe_*): the release ``show install summary`` shows committed (C);
  when it differs from ``version``, the running release shows as activated and not committed
  (U) and the auto-abort timer runs. Default: ``version``.
- ``committed_packages`` (iosxr): what ``show install committed`` lists (default: packages).
- ``kickstart_image`` (nxos): the running kickstart image of a kickstart/system release
  (N5K/N7K/MDS); show version then prints kickstart and system lines, and show boot prints
  boot entries whose name holds "kickstart" as the kickstart variable, others as system.
- ``backup_version`` (junos): the release on the backup root slice (default: ``version``).
- ``integrity`` (iosxe_*): Boot Integrity Visibility, signed by the lab PKI
  (:mod:`imagesweep.lab.pki`): ``genuine``; ``not_in_kgv`` (an OS hash the KGV lacks);
  ``lies`` (prints the genuine hashes, its signed PCRs replay another list); ``bad_signature``;
  ``replay`` (signed over an old nonce); ``secure_boot_off`` (compliance, iosxe_switch);
  ``busy_once`` (genuine, but ``% Please Try After Few Seconds`` the first time each nonce
  is asked for).
  The ISR answers ``show platform integrity|sudi``, the Catalyst ``show system integrity``
  (one location per stack member). Without the key the release has no such commands.
- ``image_type`` (iosxe_*): ``show software authenticity``'s Image type (default
  Production; ``Special`` is a development image); ``file_serial``: the certificate serial
  ``show software authenticity file`` prints (default: the running image's).

Paths use the device's filesystems (``flash:``, ``flash2:`` on a stack member,
``bootflash:``...); aliases such as ``flash1:`` are stored under the primary name. Junos paths
are absolute (``/var/tmp/junos-srxsme-15.1X49-D170.4-domestic.tgz``); PAN-OS keeps versions,
not files: ``panos:<version>`` entries are what ``request system software info`` lists as
downloaded (``uploaded: true``: uploaded by hand), the one equal to ``version`` as current.
``patched: true`` keeps the image's name and size and derives other digests, the way a
backdoored image keeps the original's size. Digests are deterministic (:func:`image_digests`),
so a catalogue written from the library matches the clean devices of any fleet.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from imagesweep.errors import ConfigError
from imagesweep.lab import content as lab_content
from imagesweep.lab.faults import Faults, FaultValueError, parse_faults
from imagesweep.lab.hardware import PERSONAS, PersonaSpec
from imagesweep.paths import canonical, filesystem, is_network
from imagesweep.platforms import profiles

DIGEST_SALT = "imagesweep-lab/1"
PLATFORMS = tuple(profiles())  # the audit's platforms, by their canonical key
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
_CONFREG = re.compile(r"0x[0-9a-fA-F]{1,4}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_EPOCH = datetime(2023, 1, 2, 8, 0, 0)


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    secret: str


@dataclass(frozen=True)
class Image:
    """One library entry: what a file holding this image looks like."""

    name: str
    size: int
    version: str
    platform: str
    known_good: bool
    md5: str
    sha512: str
    content_seed: str = ""  # real bytes (imagesweep.lab.content), "" for digests only


@dataclass(frozen=True)
class LabFile:
    path: str  # canonical, primary filesystem name: "flash:sub/x.bin"
    size: int = 0
    md5: str = ""
    sha512: str = ""
    image: str = ""  # library image the file holds, "" for other files
    modified: datetime = _EPOCH
    content: str = ""
    is_dir: bool = False
    uploaded: bool = False  # PAN-OS: uploaded by hand, not downloaded from the update server
    content_seed: str = ""  # real bytes: imagesweep.lab.content seed ("" for none)
    content_patch: str = ""  # real bytes: the patch overlaid on them ("" for none)


@dataclass(frozen=True)
class Device:
    name: str
    persona: str
    hostname: str
    model: str
    serial: str
    version: str
    running_image: str
    credentials: Credentials
    boot: tuple[str, ...] = ()
    config_register: str = ""
    config_register_next: str = ""
    manual_boot: bool = False
    members: int = 1
    privilege: int = 1
    uptime: str = "12 weeks, 3 days, 4 hours, 10 minutes"
    release: str = "RELEASE SOFTWARE (fc2)"
    digest_seconds: float = 0.0
    files: tuple[LabFile, ...] = ()
    faults: Faults = field(default_factory=Faults)
    expect: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # IOS-XE packages.conf entries; XR active packages
    committed_packages: tuple[str, ...] = ()  # XR
    committed_version: str = ""  # IOS-XE install mode
    kickstart_image: str = ""  # NX-OS kickstart/system releases
    backup_version: str = ""  # Junos backup root slice
    rommon: str = ""  # ios_router: the ROM: line's text ("" = the persona's usual)
    memory_text: str = ""  # IOS: what system:memory/text holds (its digest changes with it)
    integrity: str = ""  # IOS-XE Boot Integrity Visibility scenario (lab.personas.signed)
    image_type: str = "Production"  # show software authenticity's Image type
    file_serial: str = ""  # authenticity file's certificate serial ("" = the running one's)

    @property
    def install_mode(self) -> bool:
        """IOS-XE booted from a provisioning file (``packages.conf``)."""
        return self.running_image.endswith(".conf")

    @property
    def spec(self) -> PersonaSpec:
        return PERSONAS[self.persona]

    @property
    def platform(self) -> str:
        return self.spec.platform


@dataclass(frozen=True)
class Fleet:
    devices: tuple[Device, ...]
    images: tuple[Image, ...] = ()
    defaults: Credentials = Credentials("admin", "admin", "cisco")
    source: str = "<memory>"

    def device(self, name: str) -> Device:
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)

    def image(self, name: str) -> Image:
        for image in self.images:
            if image.name == name:
                return image
        raise KeyError(name)

    def known_good(self) -> tuple[Image, ...]:
        return tuple(image for image in self.images if image.known_good)


# --- digests -------------------------------------------------------------------------------


def _digests(text: str) -> tuple[str, str]:
    data = f"{DIGEST_SALT}:{text}".encode()
    return hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


def image_digests(name: str) -> tuple[str, str]:
    """(md5, sha512) of the library image ``name``: the same in every fleet."""
    return _digests(f"image:{name}")


def file_digests(device: str, path: str, *, variant: str = "file") -> tuple[str, str]:
    """(md5, sha512) of a non-library file, or of a patched copy of an image."""
    return _digests(f"{variant}:{device}:{path}")


# --- loading -------------------------------------------------------------------------------


class _Map(dict[str, Any]):
    line = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.key_lines: dict[str, int] = {}


class _Seq(list[Any]):
    line = 0


class _Loader(yaml.SafeLoader):
    """Keeps the line of every mapping and sequence, and rejects duplicate keys."""


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ConfigError(f"line {key_node.start_mark.line + 1}: keys must be text: {key!r}")
        if key in result:
            raise ConfigError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_fleet(path: Path | str) -> Fleet:
    """Read and validate a fleet file; :class:`ConfigError` names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read fleet file: {exc.strerror or exc}") from exc
    try:
        raw = yaml.load(text, Loader=_Loader)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {reason}") from exc
    return _Builder(str(path)).fleet(raw)


def demo_fleet_path() -> Path:
    """The packaged demo fleet: one device per audit scenario."""
    return Path(__file__).parent / "fleets" / "demo.yaml"


class _Builder:
    """Turns the raw YAML tree into records, with file:line in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: object, message: str, key: str = "") -> ConfigError:
        line = getattr(node, "key_lines", {}).get(key) or getattr(node, "line", 0)
        where = f"{self.source}:{line}" if line else self.source
        return ConfigError(f"{where}: {message}")

    def mapping(self, node: object, what: str, parent: object) -> _Map:
        if node is None:
            return _Map()
        if not isinstance(node, dict):
            raise self.fail(parent, f"{what} must be a mapping")
        result = node if isinstance(node, _Map) else _Map(node)
        if not isinstance(node, _Map):
            result.line = getattr(parent, "line", 0)
        return result

    def keys(self, node: _Map, allowed: tuple[str, ...], what: str) -> None:
        unknown = sorted(set(node) - set(allowed))
        if unknown:
            raise self.fail(node, f"unknown key(s) in {what}: {', '.join(unknown)}", unknown[0])

    def text(self, node: _Map, key: str, default: str | None = None) -> str:
        value = node.get(key, default)
        if value is None:
            raise self.fail(node, f"missing required key {key!r}", key)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(node, f"{key} must be text, got {value!r}", key)
        return str(value)

    def integer(self, node: _Map, key: str, default: int, *, low: int = 0) -> int:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(node, f"{key} must be an integer >= {low}, got {value!r}", key)
        return value

    def number(self, node: _Map, key: str, default: float) -> float:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(node, f"{key} must be a number >= 0, got {value!r}", key)
        return float(value)

    def flag(self, node: _Map, key: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(node, f"{key} must be true or false, got {value!r}", key)
        return value

    def strings(self, node: _Map, key: str) -> tuple[str, ...]:
        value = node.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(node, f"{key} must be a list of text entries", key)
        return tuple(value)

    # --- sections --------------------------------------------------------------------------

    def fleet(self, raw: object) -> Fleet:
        top = self.mapping(raw, "a fleet file", raw)
        self.keys(top, ("defaults", "images", "devices"), "the fleet file")
        defaults_node = self.mapping(top.get("defaults"), "defaults", top)
        self.keys(defaults_node, ("username", "password", "secret"), "defaults")
        defaults = Credentials(
            username=self.text(defaults_node, "username", "admin"),
            password=self.text(defaults_node, "password", "admin"),
            secret=self.text(defaults_node, "secret", "cisco"),
        )
        images_node = self.mapping(top.get("images"), "images", top)
        images = tuple(self.image(name, node, images_node) for name, node in images_node.items())
        library = {image.name: image for image in images}
        devices_node = top.get("devices")
        if not isinstance(devices_node, list) or not devices_node:
            raise self.fail(top, "devices must be a non-empty list")
        devices = []
        seen: set[str] = set()
        for node in devices_node:
            device = self.device(self.mapping(node, "a device", devices_node), defaults, library)
            if device.name in seen:
                raise self.fail(node, f"duplicate device name {device.name!r}", "name")
            seen.add(device.name)
            devices.append(device)
        return Fleet(devices=tuple(devices), images=images, defaults=defaults, source=self.source)

    def image(self, name: str, raw: object, parent: _Map) -> Image:
        node = self.mapping(raw, f"image {name}", parent)
        self.keys(
            node, ("size", "version", "platform", "known_good", "md5", "sha512", "bytes"), name
        )
        platform = self.text(node, "platform")
        if platform not in PLATFORMS:
            raise self.fail(
                node, f"image {name}: platform must be one of {', '.join(PLATFORMS)}", "platform"
            )
        md5, sha512 = image_digests(name)
        size = self.integer(node, "size", 0, low=1)
        seed = ""
        if self.flag(node, "bytes", False):
            if "md5" in node or "sha512" in node:
                raise self.fail(node, f"image {name}: bytes: true digests its own bytes", "md5")
            if size > lab_content.MAX_SIZE:
                raise self.fail(node, f"image {name}: bytes: true is for images <= 1 GiB", "size")
            seed = f"image:{name}"
            md5, sha512 = lab_content.digests(seed, size)
        return Image(
            name=name,
            size=size,
            version=self.text(node, "version"),
            platform=platform,
            known_good=self.flag(node, "known_good", False),
            md5=self.digest(node, "md5", md5),
            sha512=self.digest(node, "sha512", sha512),
            content_seed=seed,
        )

    def digest(self, node: _Map, key: str, default: str) -> str:
        value = self.text(node, key, default).lower()
        pattern = _HEX32 if key == "md5" else _HEX128
        if not pattern.fullmatch(value):
            raise self.fail(node, f"{key} must be {32 if key == 'md5' else 128} hex digits", key)
        return value

    def device(self, node: _Map, defaults: Credentials, library: dict[str, Image]) -> Device:
        self.keys(node, _DEVICE_KEYS, "a device")
        name = self.text(node, "name")
        if not _NAME.fullmatch(name):
            raise self.fail(node, f"device name {name!r}: letters, digits, '.', '_', '-' only")
        persona = self.text(node, "persona")
        spec = PERSONAS.get(persona)
        if spec is None:
            raise self.fail(
                node,
                f"{name}: unknown persona {persona!r} (known: {', '.join(PERSONAS)})",
                "persona",
            )
        members = self.integer(node, "members", 1, low=1)
        if members > spec.max_members:
            raise self.fail(
                node,
                f"{name}: persona {persona} has at most {spec.max_members} member(s)",
                "members",
            )
        hostname = self.text(node, "hostname", name)
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]{0,62}", hostname):
            raise self.fail(
                node, f"{name}: hostname {hostname!r} is not a valid IOS hostname", "hostname"
            )
        confreg = self.text(node, "config_register", spec.config_register)
        confreg_next = self.text(node, "config_register_next", "")
        for key, value in (("config_register", confreg), ("config_register_next", confreg_next)):
            if value and not _CONFREG.fullmatch(value):
                raise self.fail(node, f"{name}: config register {value!r} is not like 0x2102", key)
        privilege = self.integer(node, "privilege", spec.default_privilege, low=1)
        if privilege not in (1, 15):
            raise self.fail(node, f"{name}: privilege must be 1 or 15", "privilege")
        try:
            faults = parse_faults(
                self.mapping(node.get("faults"), "faults", node),
                default_fs="" if spec.unix_paths else spec.default_fs,
            )
        except FaultValueError as exc:
            raise self.fail(node, f"{name}: {exc}", "faults") from None
        self.platform_keys(node, name, spec)
        version = self.text(node, "version")
        running_image = self.text(node, "running_image", None if spec.needs_running_image else "")
        aliases = _fs_aliases(spec, members)
        files = self.files(node, name, spec, aliases, library)
        packages = self.strings(node, "packages")
        if spec.platform == "cisco_xr" and not packages:
            packages = (f"ncs5500-xr-{version}",)
        if running_image.endswith(".conf") and spec.platform == "cisco_xe":
            conf = canonical(running_image, spec.default_fs)
            if packages:
                files = self.provisioning(files, name, conf, packages, version)
                files = self.package_files(node, files, name, conf, packages, library)
            elif not any(f.path == conf for f in files):
                raise self.fail(
                    node,
                    f"{name}: install mode ({running_image}) needs packages, or the file itself",
                    "packages",
                )
        elif packages and spec.platform == "cisco_xe":
            raise self.fail(
                node, f"{name}: packages needs running_image: <fs>:packages.conf", "packages"
            )
        return Device(
            name=name,
            persona=persona,
            hostname=hostname,
            model=self.text(node, "model", spec.model),
            serial=self.text(node, "serial", _serial(spec.serial_prefix, name)),
            version=version,
            running_image=running_image,
            packages=packages,
            committed_packages=self.strings(node, "committed_packages") or packages,
            committed_version=self.text(node, "committed_version", version),
            kickstart_image=self.text(node, "kickstart_image", ""),
            backup_version=self.text(node, "backup_version", version),
            rommon=self.text(node, "rommon", ""),
            memory_text=self.text(node, "memory_text", ""),
            integrity=self.scenario(node, name),
            image_type=self.text(node, "image_type", "Production"),
            file_serial=self.text(node, "file_serial", ""),
            credentials=Credentials(
                username=self.text(node, "username", defaults.username),
                password=self.text(node, "password", defaults.password),
                secret=self.text(node, "secret", defaults.secret),
            ),
            boot=self.strings(node, "boot"),
            config_register=confreg,  # verbatim: Catalysts print "0xF", routers "0x2102"
            config_register_next=confreg_next,
            manual_boot=self.flag(node, "manual_boot", False),
            members=members,
            privilege=privilege,
            uptime=self.text(node, "uptime", Device.uptime),
            release=self.text(node, "release", Device.release),
            digest_seconds=self.number(node, "digest_seconds", 0.0),
            files=files,
            faults=faults,
            expect=self.strings(node, "expect"),
        )

    def scenario(self, node: _Map, name: str) -> str:
        value = self.text(node, "integrity", "")
        if value and value not in INTEGRITY_SCENARIOS:
            raise self.fail(
                node,
                f"{name}: integrity must be one of {', '.join(INTEGRITY_SCENARIOS)}",
                "integrity",
            )
        return value

    def platform_keys(self, node: _Map, name: str, spec: PersonaSpec) -> None:
        """Refuse device keys that mean nothing to the persona's platform."""
        for key, platforms in _PLATFORM_KEYS.items():
            if key in node and spec.platform not in platforms:
                raise self.fail(
                    node, f"{name}: {key} is for {', '.join(platforms)} devices only", key
                )

    def provisioning(
        self,
        files: tuple[LabFile, ...],
        name: str,
        conf: str,
        packages: tuple[str, ...],
        version: str,
    ) -> tuple[LabFile, ...]:
        """Add the IOS-XE provisioning file unless the fleet lists it."""
        if any(f.path == conf for f in files):
            return files
        content = packages_conf(packages, version)
        md5, sha512 = file_digests(name, conf)
        lab_file = LabFile(
            path=conf,
            size=len(content.encode()),
            md5=md5,
            sha512=sha512,
            modified=_default_modified(name, conf),
            content=content,
        )
        return (lab_file, *files)

    def package_files(
        self,
        node: _Map,
        files: tuple[LabFile, ...],
        name: str,
        conf: str,
        packages: tuple[str, ...],
        library: dict[str, Image],
    ) -> tuple[LabFile, ...]:
        """The package files ``packages.conf`` names, from the library, beside it, unless
        the fleet lists them (patched, or with other digests)."""
        base = conf[: max(conf.rfind("/"), conf.find(":")) + 1]
        added = []
        for package in packages:
            path = canonical(base + package)
            if any(f.path == path for f in files):
                continue
            image = library.get(package)
            if image is None:
                raise self.fail(
                    node, f"{name}: package {package} is neither in files: nor in images:",
                    "packages",
                )  # fmt: skip
            added.append(
                LabFile(
                    path=path,
                    size=image.size,
                    md5=image.md5,
                    sha512=image.sha512,
                    image=package,
                    modified=_default_modified(name, path),
                    content_seed=image.content_seed,
                )
            )
        return (*files, *added)

    def files(
        self,
        node: _Map,
        name: str,
        spec: PersonaSpec,
        aliases: dict[str, str],
        library: dict[str, Image],
    ) -> tuple[LabFile, ...]:
        raw_files = node.get("files") or []
        if not isinstance(raw_files, list):
            raise self.fail(node, f"{name}: files must be a list")
        result: list[LabFile] = []
        for raw in raw_files:
            entry = self.mapping(raw, "a file entry", raw_files)
            result.append(self.file(entry, name, spec, aliases, library))
        if self.flag(node, "housekeeping", True):
            for rel, size in spec.housekeeping:
                path = _join(spec, rel).rstrip("/")
                if not any(f.path == path for f in result):
                    result.append(_plain_file(name, path, size=size, is_dir=rel.endswith("/")))
        seen: set[str] = set()
        for lab_file in result:
            if lab_file.path in seen:
                raise self.fail(raw_files, f"{name}: file {lab_file.path} is listed twice")
            seen.add(lab_file.path)
        return tuple(result)

    def file(
        self,
        entry: _Map,
        device: str,
        spec: PersonaSpec,
        aliases: dict[str, str],
        library: dict[str, Image],
    ) -> LabFile:
        self.keys(
            entry,
            ("path", "image", "size", "md5", "sha512", "patched", "content", "modified",
             "uploaded", "lies"),
            "a file entry",
        )  # fmt: skip
        raw_path = self.text(entry, "path")
        if is_network(raw_path):
            raise self.fail(entry, f"{device}: {raw_path}: files live on local filesystems", "path")
        is_dir = raw_path.endswith("/")
        path = self.local_path(entry, device, raw_path, spec, aliases)
        if path.endswith(":") or path in aliases:
            raise self.fail(entry, f"{device}: {raw_path}: a file path needs a name", "path")
        uploaded = self.flag(entry, "uploaded", False)
        if uploaded and spec.platform != "paloalto_panos":
            raise self.fail(entry, f"{device}: uploaded is for PAN-OS versions only", "uploaded")
        modified = self.modified(entry, device, path)
        if is_dir:
            return LabFile(path=path, is_dir=True, modified=modified)
        image_name = self.text(entry, "image", "")
        text = self.text(entry, "content", "")
        seed = patch = ""
        if image_name:
            image = library.get(image_name)
            if image is None:
                raise self.fail(
                    entry, f"{device}: {path}: image {image_name!r} is not in images:", "image"
                )
            md5, sha512 = image.md5, image.sha512
            size = image.size
            seed = image.content_seed
        else:
            md5, sha512 = file_digests(device, path)
            size = len(text.encode()) if text else 0
        patched, lies = self.flag(entry, "patched", False), self.flag(entry, "lies", False)
        if (patched or lies) and seed:
            patch = f"{device}:{path}"
        if lies and not seed:
            raise self.fail(entry, f"{device}: {path}: lies needs an image with bytes", "lies")
        if patched:
            md5, sha512 = (
                lab_content.digests(seed, size, patch)
                if seed
                else file_digests(device, path, variant="patched")
            )
        if "md5" in entry:
            md5 = self.digest(entry, "md5", md5)
            if "sha512" not in entry:  # keep the two digests telling the same story
                sha512 = hashlib.sha512(f"{DIGEST_SALT}:md5:{md5}".encode()).hexdigest()
        if "sha512" in entry:
            sha512 = self.digest(entry, "sha512", sha512)
        return LabFile(
            path=path,
            size=self.integer(entry, "size", size),
            md5=md5,
            sha512=sha512,
            image=image_name,
            modified=modified,
            content=text,
            uploaded=uploaded,
            content_seed=seed,
            content_patch=patch,
        )

    def local_path(
        self, entry: _Map, device: str, raw_path: str, spec: PersonaSpec, aliases: dict[str, str]
    ) -> str:
        """The stored form of a fleet path: primary filesystem name, or a Unix path."""
        if spec.unix_paths:
            path = re.sub(r"/{2,}", "/", raw_path).rstrip("/")
            if not any(path.startswith(d.rstrip("/") + "/") for d in aliases):
                known = ", ".join(sorted(aliases))
                raise self.fail(
                    entry, f"{device}: {raw_path}: not under a listed directory ({known})", "path"
                )
            return path
        fs = filesystem(canonical(raw_path, spec.default_fs))
        if fs not in aliases:
            known = ", ".join(sorted(aliases))
            raise self.fail(
                entry, f"{device}: {raw_path}: no filesystem {fs} here (have {known})", "path"
            )
        return canonical(aliases[fs] + canonical(raw_path, spec.default_fs)[len(fs) :]).rstrip("/")

    def modified(self, entry: _Map, device: str, path: str) -> datetime:
        value = entry.get("modified")
        if value is None:
            return _default_modified(device, path)
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise self.fail(
                entry, f"{device}: modified must be 'YYYY-MM-DD HH:MM:SS'", "modified"
            ) from None


_DEVICE_KEYS = (
    "name", "persona", "hostname", "model", "serial", "version", "running_image", "boot",
    "config_register", "config_register_next", "manual_boot", "members", "privilege", "uptime",
    "release", "digest_seconds", "housekeeping", "username", "password", "secret", "files",
    "faults", "expect", "packages", "committed_packages", "committed_version",
    "kickstart_image", "backup_version", "rommon", "memory_text", "integrity", "image_type",
    "file_serial",
)  # fmt: skip
_PLATFORM_KEYS = {
    "packages": ("cisco_xe", "cisco_xr"),
    "committed_packages": ("cisco_xr",),
    "committed_version": ("cisco_xe",),
    "kickstart_image": ("cisco_nxos",),
    "backup_version": ("juniper_junos",),
    "memory_text": ("cisco_ios", "cisco_xe"),
    "integrity": ("cisco_xe",),
    "image_type": ("cisco_xe",),
    "file_serial": ("cisco_xe",),
}
INTEGRITY_SCENARIOS = (
    "genuine", "not_in_kgv", "lies", "bad_signature", "replay", "secure_boot_off", "busy_once",
)  # fmt: skip


def _join(spec: PersonaSpec, rel: str) -> str:
    if spec.unix_paths:
        return f"{spec.default_fs.rstrip('/')}/{rel}"
    return canonical(f"{spec.default_fs}{rel}")


def xe_versions(version: str) -> tuple[str, str]:
    """("17.9.4a", "17.09.04a"): IOS-XE prints both forms (show version, file names)."""
    parts = version.split(".")
    short = ".".join([parts[0], *(re.sub(r"^0(?=\d)", "", p) for p in parts[1:])])
    long = ".".join(
        [parts[0], *(p if not p[:1].isdigit() or p[1:2].isdigit() else "0" + p for p in parts[1:])]
    )
    return short, long


# Roles in packages.conf by package component, as Catalyst 9000 releases list them
_PACKAGE_ROLES = {
    "rpbase": (("rp", "rp_base"), ("rp", "rp_daemons"), ("rp", "rp_iosd"), ("rp", "rp_security"),
               ("fp", "fp"), ("cc", "cc")),
    "webui": (("rp", "rp_webui"),),
    "wlc": (("rp", "rp_wlc"),),
    "cc_srdriver": (("cc", "cc_srdriver"),),
}  # fmt: skip


def packages_conf(packages: tuple[str, ...], version: str) -> str:
    """An IOS-XE ``packages.conf`` provisioning the given package files, in the layout the
    install process writes: the ``boot`` line of the rpboot package, then ``iso`` lines, one
    per role a package fills (the rpbase package fills several, as on a Catalyst 9000)."""
    long = xe_versions(version)[1]
    boot, iso = [], []
    for package in packages:
        stem = package.split(".", 1)[0]
        component = stem.split("-", 1)[1] if "-" in stem else stem
        if component == "rpboot":  # both route processor slots
            boot += [f"boot  rp {slot} 0   rp_boot       {package}" for slot in (0, 1)]
            continue
        for slot, role in _PACKAGE_ROLES.get(component, (("rp", component),)):
            iso.append(f"iso   {slot} 0 0   {role:<13} {package}")
    lines = boot + ([""] if boot and iso else []) + iso
    body = "\n".join(lines)
    sha1 = hashlib.sha1(body.encode()).hexdigest()
    return (
        "#! /usr/binos/bin/packages_conf.sh\n\n"
        f"sha1sum: {sha1}\n"
        "# sha1sum above - used to verify that this file is not corrupted.\n#\n"
        f"# package.conf: provisioned software file for build {long}\n#\n"
        "# NOTE: Editing this file by hand is not recommended. It is generated\n"
        "#       as part of the build process, and is subject to boot-time\n"
        "#       consistency checks.\n\n"
        f"{body}\n\n"
        "# -start- superpackage .pkginfo\n#\n"
        "# pkginfo: Name: rp_super\n"
        f"# pkginfo: Build: {long}\n"
        "# pkginfo: PackageName: universalk9\n#\n"
        "# -end- superpackage .pkginfo\n"
    )


def _fs_aliases(spec: PersonaSpec, members: int) -> dict[str, str]:
    """Every name a filesystem answers to -> its primary name."""
    result: dict[str, str] = {}
    for fs in spec.filesystems(members):
        for alias in (fs.name, *fs.shown_aliases, *fs.hidden_aliases):
            result[alias] = fs.name
    return result


def _serial(prefix: str, name: str) -> str:
    tail = hashlib.md5(f"{DIGEST_SALT}:serial:{name}".encode()).hexdigest().upper()
    return f"{prefix}{int(tail[:6], 16) % 10000:04d}{tail[6:10]}"


def _default_modified(device: str, path: str) -> datetime:
    seed = int(hashlib.md5(f"{DIGEST_SALT}:mtime:{device}:{path}".encode()).hexdigest()[:8], 16)
    return _EPOCH + timedelta(days=seed % 700, seconds=seed % 86_400)


def _plain_file(device: str, path: str, *, size: int, is_dir: bool) -> LabFile:
    md5, sha512 = file_digests(device, path)
    return LabFile(
        path=path,
        size=0 if is_dir else size,
        md5="" if is_dir else md5,
        sha512="" if is_dir else sha512,
        modified=_default_modified(device, path),
        is_dir=is_dir,
    )


# --- generation ----------------------------------------------------------------------------


@cache
def _demo_library() -> dict[str, Any]:
    raw = yaml.load(demo_fleet_path().read_text(encoding="utf-8"), Loader=_Loader)
    return {"defaults": raw.get("defaults"), "images": raw.get("images")}


def generate_fleet(count: int, *, seed: int = 0, faulty_ratio: float = 0.0) -> Fleet:
    """``count`` devices mixing the personas; about ``faulty_ratio`` of them carry a scenario
    (patched image, dual image, network boot, unreachable, ...) drawn with ``seed``.

    Uses the demo fleet's image library, so the demo catalogue vouches for the clean ones.
    """
    from imagesweep.lab.scenarios import GENERATED_PERSONAS, build_device

    if count < 1:
        raise ConfigError("generate_fleet: count must be at least 1")
    if not 0.0 <= faulty_ratio <= 1.0:
        raise ConfigError("generate_fleet: faulty_ratio must be between 0 and 1")
    rng = random.Random(seed)
    faulty = set(rng.sample(range(count), round(count * faulty_ratio)))
    devices = []
    for index in range(count):
        persona = GENERATED_PERSONAS[index % len(GENERATED_PERSONAS)]
        name = f"lab{index + 1:04d}"
        devices.append(build_device(name, persona, rng=rng, faulty=index in faulty))
    raw = {**_demo_library(), "devices": devices}
    return _Builder(f"<generated seed={seed}>").fleet(raw)
