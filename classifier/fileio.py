"""Safe file writing and forgiving-but-strict text/CSV reading.

Writes go to a temporary file in the target folder and are renamed into place,
so a crash or an error never leaves a half-written or overwritten user file.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

from classifier.errors import InputError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside ``target``; rename it over ``target`` only on success.

    The file keeps the mode of the one it replaces, and a new one is readable by others
    (0644) like any file a user writes, not private as temp files are made."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_csv(target: Path, frame: pd.DataFrame, *, for_spreadsheet: bool = False) -> None:
    """Write ``frame`` atomically, with Unix line endings (byte-identical re-runs)."""
    if for_spreadsheet:
        frame = neutralise_formulas(frame)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_text_file(path: Path) -> bytes:
    """Refuse a missing, empty or binary file (one-line InputError); returns its first 8 KiB."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head.strip() and path.stat().st_size <= len(head):
        raise InputError(f"{path}: file is empty")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: looks like a binary file, not text")
    return head


def read_text(path: Path) -> str:
    """Read a UTF-8 text file or raise a one-line InputError saying what is wrong."""
    check_text_file(path)
    return decode_text(Path(path).read_bytes(), path)


def decode_text(data: bytes, name: object) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 text (byte {exc.start}); re-save it as UTF-8"
        ) from None


def read_csv(path: Path) -> pd.DataFrame:
    """Read a user's CSV with every column as text, or raise a one-line InputError."""
    text = read_text(path)
    import io

    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable CSV ({first})") from None
    if frame.empty and len(frame.columns) == 0:
        raise InputError(f"{path}: CSV has no columns")
    return frame


def read_csv_header(path: Path) -> list[str]:
    """Column names of a CSV (one-line errors as read_text)."""
    text = read_text(path)
    import io

    try:
        return list(pd.read_csv(io.StringIO(text), dtype=str, nrows=0).columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
