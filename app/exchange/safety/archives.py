"""Reading files that come from other people's machines without trusting them.

**ZIP archives** (bundles, ``.qdpx``): :class:`SafeZip` checks the whole directory before any
member is read and refuses absolute paths, ``..``, drive letters, symlinks, encrypted or duplicate
members, too many members, too much declared data and members that expand suspiciously (a zip
bomb: more than 100:1 for a member over 10 MB). Members are never extracted to disk by name; they
are read as capped streams, so a member that produces more bytes than it declared is refused as
well.

**JSON** sets are read by :mod:`app.exchange.safety.json_stream`: streamed, capped, refused
before parsing when too large.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.errors import BadInput
from app.exchange.safety.json_stream import GIB, KIB, MIB

# -- ZIP ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP may hold before Dossier refuses it."""

    max_entries: int = 100_000
    max_total_bytes: int = 16 * GIB
    max_entry_bytes: int = 2 * GIB
    #: A member larger than ``ratio_floor_bytes`` may not expand more than ``max_ratio`` times.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 10 * MIB
    max_directory_bytes: int = 64 * MIB


_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def check_member_name(name: str, where: str) -> None:
    """Refuse a member name that could point outside the folder it would be unpacked into."""
    if not name or "\x00" in name:
        raise BadInput(f"{where}: a member has an empty or NUL-containing name; refused")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise BadInput(f"{where}: member {name!r} has an absolute path; refused (an archive may "
                       "only hold relative paths)")
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        raise BadInput(f"{where}: member {name!r} climbs out of the archive with '..'; refused")


def _declared_entries(fh: IO[bytes], where: str, limits: ZipLimits) -> tuple[int, int]:
    """(number of members, central directory size) read from the end record, before parsing."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise BadInput(f"{where}: not a ZIP archive (no end-of-directory record)")
    _, _, _, _, entries, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    locator = at - 20
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and locator >= 0 \
            and tail[locator:locator + 4] == _EOCD64_LOCATOR:
        (offset,) = struct.unpack("<Q", tail[locator + 8:locator + 16])
        fh.seek(offset)
        record = fh.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            raise BadInput(f"{where}: damaged ZIP64 directory; refused")
        entries, cd_size = struct.unpack("<QQ", record[32:48])
    if entries > limits.max_entries:
        raise BadInput(f"{where}: holds {entries} members, more than the {limits.max_entries} "
                       "Dossier accepts; refused")
    if cd_size > limits.max_directory_bytes:
        raise BadInput(f"{where}: its ZIP directory is {cd_size} bytes, too large; refused")
    return entries, cd_size


class _CappedReader(io.RawIOBase):
    """A member's bytes, refused as soon as they exceed what was declared or allowed."""

    def __init__(self, owner: SafeZip, raw: IO[bytes], name: str, cap: int) -> None:
        super().__init__()
        self._owner = owner
        self._raw = raw
        self._name = name
        self._cap = cap
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise BadInput(f"{self._owner.where}: member {self._name!r} is damaged ({exc}); "
                           "refused") from exc
        n = len(data)
        self._count += n
        if self._count > self._cap:
            raise BadInput(f"{self._owner.where}: member {self._name!r} expands beyond "
                           f"{self._cap} bytes; refused")
        self._owner._account(n)
        view[:n] = data
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class SafeZip:
    """A ZIP archive whose directory has been checked; members are read as capped streams."""

    path: Path
    where: str = ""
    limits: ZipLimits = field(default_factory=ZipLimits)
    _zip: zipfile.ZipFile = field(init=False, repr=False)
    _members: dict[str, zipfile.ZipInfo] = field(init=False, default_factory=dict)
    _read_total: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.where = self.where or str(self.path)
        try:
            with self.path.open("rb") as fh:
                _declared_entries(fh, self.where, self.limits)
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError as exc:
            raise BadInput(f"{self.where}: no such file; check the path") from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
                struct.error) as exc:
            raise BadInput(f"{self.where}: not a readable ZIP archive ({exc})") from exc
        try:
            self._check_directory()
        except BaseException:
            self._zip.close()
            raise

    def _check_directory(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise BadInput(f"{self.where}: holds {len(infos)} members, more than the "
                           f"{self.limits.max_entries} Dossier accepts; refused")
        total = 0
        for info in infos:
            name = info.filename
            check_member_name(name, self.where)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise BadInput(f"{self.where}: member {name!r} is a symbolic link; refused")
            if info.flag_bits & 0x1:
                raise BadInput(f"{self.where}: member {name!r} is encrypted; refused")
            if info.is_dir():
                continue
            if name in self._members:
                raise BadInput(f"{self.where}: member {name!r} appears twice; refused")
            size = info.file_size
            if size > self.limits.max_entry_bytes:
                raise BadInput(f"{self.where}: member {name!r} declares {size} bytes, more than "
                               f"{self.limits.max_entry_bytes}; refused")
            if size > self.limits.ratio_floor_bytes and \
                    size > self.limits.max_ratio * max(info.compress_size, 1):
                raise BadInput(
                    f"{self.where}: member {name!r} expands from {info.compress_size} to {size} "
                    f"bytes (more than {self.limits.max_ratio:.0f}:1): a possible zip bomb; "
                    "refused")
            total += size
            if total > self.limits.max_total_bytes:
                raise BadInput(f"{self.where}: its members declare more than "
                               f"{self.limits.max_total_bytes} bytes in all; refused")
            self._members[name] = info

    def _account(self, n: int) -> None:
        self._read_total += n
        if self._read_total > self.limits.max_total_bytes:
            raise BadInput(f"{self.where}: expands beyond {self.limits.max_total_bytes} bytes; "
                           "refused")

    # -- access ---------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every file member (directories left out), in archive order."""
        return list(self._members)

    def has(self, name: str) -> bool:
        """True when a file member has exactly this name."""
        return name in self._members

    def size(self, name: str) -> int:
        """The declared uncompressed size of a member."""
        return self._info(name).file_size

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._members.get(name)
        if info is None:
            raise BadInput(f"{self.where}: has no member {name!r}")
        return info

    def open(self, name: str, *, max_bytes: int | None = None) -> IO[bytes]:
        """A binary stream of a member that refuses to produce more than allowed."""
        info = self._info(name)
        cap = min(info.file_size, max_bytes if max_bytes is not None else info.file_size)
        if info.file_size > cap:
            raise BadInput(f"{self.where}: member {name!r} is {info.file_size} bytes, more than "
                           f"the {cap} allowed for it; refused")
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise BadInput(f"{self.where}: member {name!r} cannot be read ({exc}); refused") \
                from exc
        return io.BufferedReader(_CappedReader(self, raw, name, cap), buffer_size=256 * KIB)

    def read(self, name: str, *, max_bytes: int) -> bytes:
        """A member's bytes, at most ``max_bytes`` of them."""
        with self.open(name, max_bytes=max_bytes) as fh:
            return fh.read()

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(path: Path) -> bool:
    """True when the file starts like a ZIP archive."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False
