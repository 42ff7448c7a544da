"""Files that are never half-written, and the folder for files the kit can rebuild.

A file is written to a temporary name in the same folder, flushed to disk, then renamed
over the old one with ``os.replace`` (atomic on POSIX and Windows): a crash, a full disk or
a Ctrl-C leaves either the old file or the new one, never a mix. This is how git writes its
files, and how every output of the command line and the unpacked MNIST files are written.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_bytes", "write_text", "is_temporary", "cache_dir"]

_TMP = ".tmp"


def _default_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix, so writers that go by the suffix -- PIL,
    matplotlib -- pick the right format). Write the file there; when the block ends without an
    error the file replaces ``path`` at once. On any error (or Ctrl-C) it is deleted and
    ``path`` is untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f"{_TMP}{path.suffix}")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:          # on disk before the rename, so a power cut cannot leave 0 bytes
            os.fsync(f.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.is_file() else _default_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def is_temporary(path) -> bool:
    """True for a file :func:`atomic_path` left behind (a process killed mid-write)."""
    name = Path(path).name
    return name.startswith(".") and _TMP in name


def cache_dir() -> Path:
    """Where the kit keeps files it can always rebuild (e.g. unpacked MNIST when the data folder is
    read-only): ``$GAN_EDU_CACHE``, else ``$XDG_CACHE_HOME/gan_edu``, else ``~/.cache/gan_edu``."""
    if os.environ.get("GAN_EDU_CACHE"):
        return Path(os.environ["GAN_EDU_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gan_edu"
