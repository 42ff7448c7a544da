"""The quiz progress record: every answer a learner gives, in one JSON file that never loses one.

Storage only -- the standard library and ``filelock``, no torch and no ipywidgets -- so the
instructor's class report and the command line can read records without a notebook stack::

    from gan_edu.quiz import record
    doc, skipped = record.read("alice/gan_edu_progress.json")   # raises record.Damaged if unreadable

Where
-----
``$GAN_EDU_PROGRESS`` if it is set, else ``gan_edu_progress.json`` in the working directory (the
notebook folder). A hub sets ``GAN_EDU_PROGRESS`` to a file in each user's home.

The file (format version 2)
---------------------------
::

    {"format": "gan_edu.progress", "version": 2, "kit_version": "0.1.0",
     "learner": "ada",                  # or null; see Store.learner()
     "learner_source": "set_learner",   # or "GAN_EDU_LEARNER", "JUPYTERHUB_USER", null
     "anonymous_id": "9f2c41d07a3be865",# random, made once; seeds the option order when no learner is set
     "saved": "2026-11-30T10:00:00",    # local time of the last write
     "answers": {
       "03-detach": {"lesson": "03", "kind": "choice",   # or "numeric", "prediction"
                     "attempts": 3,         # every check (every scored prediction), from every kernel
                     "first_try": false,    # was the first attempt right?
                     "correct": true,       # right at least once
                     "answers": ["b", "d"], # the last 20: an option key (str), a sorted list of keys
                                            # (several-answer questions) or a number (numeric questions)
                     "first_time": "2026-11-30T09:58:12", "time": "2026-11-30T10:00:00",
                     "shown_without_prediction": false}}}   # predictions only: outcome seen unpredicted

A prediction whose outcome was shown without a prediction has ``attempts`` 0 until one is made.
Version 1 files (no ``"version"``; the same ``"answers"`` layout without ``"first_time"``) are read
and written back as version 2 at the next write.

The promises (each proved by ``tests/test_quiz_record.py``)
-----------------------------------------------------------
* **Atomic writes.** The new file is written to a temporary file in the same folder, flushed to
  disk and renamed over the old one (``os.replace``): a reader, or a crash, sees the old file or
  the new one, never half of one.
* **Concurrent kernels merge.** Each kernel keeps what it answered since its last write as
  *pending deltas* (attempts to add, answers to append). Under a lock (``<file>.lock``) it reads
  the file, adds its deltas to what is there and writes the result. Two notebooks answering the
  same question add their attempts up; neither overwrites the other.
* **A damaged file is kept.** A file that is not a progress record (broken or truncated JSON,
  ``{"answers": [1, 2]}``, string records, wrong types) is moved aside to
  ``<name>.damaged-<date>-<time>.json`` and never overwritten; entries that can still be read
  are carried over. One :class:`ProgressWarning` says where the backup is.
* **Answers are never silently lost.** When the file cannot be written (a read-only file or
  folder, a folder at the path, a missing folder, a file from a newer kit), the answers stay in
  memory, one :class:`ProgressWarning` per session says so and how to fix it, and the next
  successful write saves them all.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as _dt
import json
import math
import os
import secrets
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import filelock

__all__ = ["FORMAT", "VERSION", "KEEP", "STORE", "Store", "SaveResult", "ProgressWarning", "Damaged",
           "NewerFormat", "default_path", "read", "parse", "empty_document"]

FORMAT = "gan_edu.progress"
VERSION = 2
KEEP = 20                       # answers kept per question
KINDS = ("choice", "numeric", "prediction")
SOURCES = ("set_learner", "GAN_EDU_LEARNER", "JUPYTERHUB_USER")
LOCK_TIMEOUT = 20.0             # seconds; a lock held longer means something is wrong: keep answers in memory
MAX_BYTES = 16 * 2**20          # a progress record is a few kB; anything this large is not one

FIX = ("To fix it, set the environment variable GAN_EDU_PROGRESS to a file in a folder you can write "
       "(in a notebook: import os; os.environ['GAN_EDU_PROGRESS'] = os.path.expanduser('~/gan_edu_progress.json')), "
       "or make {path} a writable file in an existing folder you can write.")


class ProgressWarning(UserWarning):
    """Answers cannot be saved (they are kept in memory), or a damaged file was moved aside."""


class Damaged(ValueError):
    """The file at the progress path is not a progress record this kit can read."""


class NewerFormat(ValueError):
    """The file was written by a newer gan_edu (a higher format version): read-only for this kit."""


class CannotSave(OSError):
    """Why the record cannot be written right now (the answers stay pending)."""


def default_path() -> Path:
    """``$GAN_EDU_PROGRESS``, else ``gan_edu_progress.json`` in the working directory."""
    return Path(os.environ.get("GAN_EDU_PROGRESS") or "gan_edu_progress.json")


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _kit_version() -> str:
    from .. import __version__

    return __version__


def empty_document() -> dict:
    return {"format": FORMAT, "version": VERSION, "kit_version": _kit_version(), "learner": None,
            "learner_source": None, "anonymous_id": None, "saved": None, "answers": {}}


# --------------------------------------------------------------------------- reading and checking
def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _answer_value(v):
    """One stored answer, checked: an option key, a list of keys, or a finite number."""
    if isinstance(v, str) or (_is_int(v)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"answer {v!r} is not a finite number")
        return v
    if isinstance(v, list) and all(isinstance(k, str) for k in v):
        return list(v)
    raise ValueError(f"answer {v!r} is not an option key, a list of keys or a number")


def _clean_entry(qid: str, rec) -> dict:
    """A version-2 entry from a version-1 or version-2 one; ValueError saying what is wrong."""
    if not isinstance(rec, dict):
        raise ValueError(f"is a {type(rec).__name__}, not an object")
    kind = rec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    lesson = rec.get("lesson", qid.split("-", 1)[0])
    attempts = rec.get("attempts")
    if not isinstance(lesson, str) or not _is_int(attempts) or attempts < 0:
        raise ValueError(f"lesson {lesson!r} or attempts {attempts!r} has the wrong type")
    first_try = rec.get("first_try")
    first_try = False if first_try is None and attempts == 0 else first_try
    flags = {"correct": rec.get("correct"), "first_try": first_try,
             "shown_without_prediction": rec.get("shown_without_prediction", False)}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise ValueError(f"flags {flags} must be true or false")
    answers = rec.get("answers", [])
    if not isinstance(answers, list):
        raise ValueError(f"answers is a {type(answers).__name__}, not a list")
    time = rec.get("time", "")
    first_time = rec.get("first_time", time)
    if not isinstance(time, str) or not isinstance(first_time, str):
        raise ValueError("time and first_time must be strings")
    out = {"lesson": lesson, "kind": kind, "attempts": attempts, "first_try": flags["first_try"],
           "correct": flags["correct"], "answers": [_answer_value(a) for a in answers][-KEEP:],
           "first_time": first_time, "time": time}
    if kind == "prediction":
        out["shown_without_prediction"] = flags["shown_without_prediction"]
    return out


def parse(text: str) -> tuple[dict, list[str]]:
    """A version-2 document from the text of a version-1 or -2 file, and a list of what could not
    be read in it (``"03-detach: is a str, not an object"``); the rest is kept. Raises
    :class:`Damaged` when the text is not a progress record at all, :class:`NewerFormat` when a
    newer kit wrote it."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise Damaged(f"it is not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise Damaged(f"it holds a JSON {type(data).__name__}, not a progress record")
    if data.get("format") != FORMAT:
        raise Damaged(f'it is not a gan_edu progress record (its "format" is {data.get("format")!r})')
    version = data.get("version", 1)
    if not _is_int(version) or version < 1:
        raise Damaged(f"its version {version!r} is not a format version")
    if version > VERSION:
        raise NewerFormat(f"it was written by a newer gan_edu (format version {version}; this kit writes {VERSION})")
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise Damaged(f'its "answers" is a JSON {type(answers).__name__}, not an object')
    doc, skipped = empty_document(), []
    for key in ("learner", "anonymous_id", "kit_version", "saved"):
        value = data.get(key, doc[key])
        if value is None or (isinstance(value, str) and len(value) <= 200):
            doc[key] = value
        else:
            skipped.append(f"{key}: {value!r} is not a short string")
    source = data.get("learner_source")
    doc["learner_source"] = source if source in SOURCES else None
    for qid, rec in answers.items():
        try:
            doc["answers"][qid] = _clean_entry(qid, rec)
        except ValueError as err:
            skipped.append(f"{qid}: {err}")
    return doc, skipped


def read(path) -> tuple[dict, list[str]]:
    """The record at ``path`` (see :func:`parse`); a missing file is an empty record. Raises
    :class:`Damaged`, :class:`NewerFormat`, or ``OSError`` when the file cannot be read."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return empty_document(), []
    if len(raw) > MAX_BYTES:
        raise Damaged(f"it is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Damaged("it is not UTF-8 text") from None
    return parse(text)


# --------------------------------------------------------------------------- writing
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path, doc: dict) -> None:
    """Write ``doc`` as JSON to ``path``: a temporary file in the same folder, flushed to disk,
    then renamed over ``path``. A crash leaves the old file or the new one, never a mix."""
    path = Path(path)
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())       # mkstemp makes 0600; a record is as readable as any file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stale_temps(path: Path) -> None:
    """Temporary files left by a writer killed mid-write (called under the lock: no writer is active)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _backup_name(path: Path) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        cand = path.with_name(f"{path.stem}.damaged-{stamp}{'' if n == 1 else f'-{n}'}{path.suffix or '.json'}")
        if not cand.exists():
            return cand
    raise CannotSave(f"too many backups of {path.name} in {path.parent}")


def merge_entry(old: dict | None, delta: dict) -> dict:
    """``old`` (the file's entry, or None) with one kernel's pending ``delta`` added to it."""
    if old is None or (old["attempts"] == 0 and delta["attempts"] > 0):
        first_try = bool(delta["first_try"]) if delta["attempts"] else False
    else:
        first_try = old["first_try"]
    old = old or {"attempts": 0, "correct": False, "answers": [], "first_time": delta["first_time"], "time": ""}
    out = {"lesson": delta["lesson"], "kind": delta["kind"], "attempts": old["attempts"] + delta["attempts"],
           "first_try": first_try, "correct": bool(old["correct"] or delta["correct"]),
           "answers": (old["answers"] + delta["answers"])[-KEEP:], "first_time": old["first_time"] or delta["first_time"],
           "time": max(old["time"], delta["time"])}
    if delta["kind"] == "prediction":
        out["shown_without_prediction"] = bool(old.get("shown_without_prediction") or delta["shown_without_prediction"])
    return out


@dataclass
class SaveResult:
    """What one write did: ``saved`` (everything answered is on disk), and ``notice``, a message
    to show the learner (set only the first time a problem is met in this session)."""

    saved: bool
    path: Path
    notice: str | None = None
    problem: str | None = None


# --------------------------------------------------------------------------- the store
class Store:
    """One kernel's view of the progress record: pending deltas, the learner, the warnings given.

    ``path`` None follows ``$GAN_EDU_PROGRESS`` at every call (so setting it mid-session works)."""

    def __init__(self, path=None):
        self._path = Path(path) if path is not None else None
        self._pending: dict[str, dict] = {}
        self._learner: str | None = None       # set_learner() in this session
        self._anon: str | None = None
        self._told: set[str] = set()
        self._notices: list[str] = []           # warnings given but not yet shown on a checkpoint
        self._lock = threading.RLock()
        self.problem: str | None = None        # why the last write failed; None once one succeeds

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else default_path()

    # ----------------------------------------------------------------- answering
    def add(self, qid: str, lesson: str, kind: str, answer=None, correct: bool = False, *, attempt: bool = True,
            shown_without_prediction: bool = False) -> SaveResult:
        """Record one attempt (``attempt=False``: only mark a prediction's outcome as shown) and write."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        stamp = now()
        with self._lock:
            d = self._pending.setdefault(qid, {"lesson": lesson, "kind": kind, "attempts": 0, "first_try": None,
                                               "correct": False, "answers": [], "first_time": stamp, "time": stamp,
                                               "shown_without_prediction": False})
            if attempt:
                d["attempts"] += 1
                d["first_try"] = bool(correct) if d["first_try"] is None else d["first_try"]
                d["correct"] = bool(d["correct"] or correct)
                d["answers"] = (d["answers"] + [_answer_value(answer)])[-KEEP:]
            d["shown_without_prediction"] = bool(d["shown_without_prediction"] or shown_without_prediction)
            d["time"] = stamp
            return self.flush()

    def pending(self) -> dict[str, dict]:
        """What this kernel answered that is not on disk yet (a copy)."""
        with self._lock:
            return {k: dict(v) for k, v in self._pending.items()}

    def answers(self) -> dict[str, dict]:
        """Every entry: the file's (if it can be read) with this kernel's pending deltas added."""
        with self._lock:
            doc = self._read_quietly()
            merged = dict(doc["answers"])
            for qid, delta in self._pending.items():
                merged[qid] = merge_entry(merged.get(qid), delta)
            return {k: merged[k] for k in sorted(merged)}

    def saved(self) -> dict[str, dict]:
        """The entries on disk only (nothing pending in memory): what a message may call "saved"."""
        with self._lock:
            return dict(self._read_quietly()["answers"])

    def _read_quietly(self) -> dict:
        try:
            return read(self.path)[0]
        except (OSError, Damaged, NewerFormat):
            return empty_document()

    # ----------------------------------------------------------------- who
    def set_learner(self, name: str) -> SaveResult:
        """Remember who answers (stored in the record; wins over the environment variables)."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a string (your name or id), got {name!r} ({type(name).__name__})")
        clean = " ".join(name.split())
        if not clean or len(clean) > 100 or any(not ch.isprintable() for ch in clean):
            raise ValueError(f"name must be 1 to 100 printable characters, got {name!r}")
        with self._lock:
            self._learner = clean
            return self.flush()

    def _resolve_learner(self, doc: dict) -> tuple[str | None, str | None]:
        if self._learner:
            return self._learner, "set_learner"
        if doc.get("learner") and doc.get("learner_source") == "set_learner":
            return doc["learner"], "set_learner"
        for var in ("GAN_EDU_LEARNER", "JUPYTERHUB_USER"):
            if os.environ.get(var, "").strip():
                return os.environ[var].strip(), var
        return doc.get("learner"), doc.get("learner_source")

    def learner(self) -> str | None:
        """``set_learner`` (this session or remembered in the record), else ``$GAN_EDU_LEARNER``,
        else ``$JUPYTERHUB_USER`` (a hub sets it), else None."""
        with self._lock:
            return self._resolve_learner(self._read_quietly())[0]

    def seed_id(self) -> str:
        """A stable id to seed this learner's option order: the learner, or the record's anonymous id
        (made and saved on first use)."""
        with self._lock:
            who = self.learner()
            if who:
                return f"learner:{who}"
            anon = self._read_quietly().get("anonymous_id")
            if not anon:
                self._anon = self._anon or secrets.token_hex(8)
                self.flush()
                anon = self._anon
            return f"anonymous:{anon}"

    # ----------------------------------------------------------------- writing
    def flush(self) -> SaveResult:
        """Merge the pending deltas into the file under the lock and write it atomically.
        Never raises for a file problem: the answers stay pending and the result says why."""
        with self._lock:
            path = self.path
            try:
                notice = self._sync(path)
            except (OSError, CannotSave) as err:
                self.problem = _reason(err)
                message = (f"Your quiz answers cannot be saved to {path.absolute()}: {self.problem}. They are kept "
                           f"in memory for this session only and will be saved at the next successful write. "
                           + FIX.format(path=path.absolute()))
                return SaveResult(False, path, self._tell(f"cannot:{path}", message), self.problem)
            self.problem = None
            return SaveResult(True, path, notice and self._tell(f"damaged:{notice}", notice))

    def touch(self) -> SaveResult:
        """Make sure the record can be written (showing a checkpoint calls it, so a problem is reported
        before the first answer): writes if there is anything to write, else only checks access."""
        with self._lock:
            path = self.path
            try:
                doc, skipped = read(path)
                up_to_date = (path.is_file() and not skipped and not self._pending and bool(doc["anonymous_id"])
                              and self._resolve_learner(doc) == (doc["learner"], doc["learner_source"]))
            except (OSError, Damaged, NewerFormat):
                up_to_date = False
            if up_to_date and os.access(path.parent.absolute(), os.W_OK) and os.access(path, os.W_OK):
                return SaveResult(True, path)
            return self.flush()

    def _sync(self, path: Path) -> str | None:
        folder = path.absolute().parent
        if not folder.is_dir():
            raise CannotSave(f"the folder {folder} does not exist")
        if path.is_dir():
            raise CannotSave(f"{path.name} is a folder, not a file")
        try:
            lock = filelock.FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT)
            with lock:
                return self._sync_locked(path)
        except filelock.Timeout:
            raise CannotSave(f"another program held the lock {path.name}.lock for over {LOCK_TIMEOUT:.0f} s") from None

    def _sync_locked(self, path: Path) -> str | None:
        notice = None
        try:
            doc, skipped = read(path)
        except NewerFormat as err:
            raise CannotSave(f"{err}; this kit will not overwrite it (update gan_edu)") from None
        except Damaged as err:
            backup = _backup_name(path)
            os.replace(path, backup)
            doc, skipped = empty_document(), []
            notice = (f"{path.absolute()} could not be read: {err}. It was moved aside to {backup.name} in the same "
                      f"folder (kept: nothing was deleted) and a new progress record was started.")
        if skipped:
            backup = _backup_name(path)
            shutil.copy2(path, backup)
            notice = (f"{len(skipped)} part(s) of {path.absolute()} could not be read ({'; '.join(skipped[:3])}"
                      f"{' ...' if len(skipped) > 3 else ''}). The original file was copied to {backup.name} in the "
                      f"same folder; everything that could be read was kept.")
        if path.exists() and not os.access(path, os.W_OK):
            raise CannotSave(f"{path.name} is read-only")
        out = self._merged(doc)
        _remove_stale_temps(path)
        write_atomic(path, out)
        self._pending.clear()
        self._anon = out["anonymous_id"]
        return notice

    def _merged(self, doc: dict) -> dict:
        answers = dict(doc["answers"])
        for qid, delta in self._pending.items():
            answers[qid] = merge_entry(answers.get(qid), delta)
        learner, source = self._resolve_learner(doc)
        return {"format": FORMAT, "version": VERSION, "kit_version": _kit_version(), "learner": learner,
                "learner_source": source, "anonymous_id": doc.get("anonymous_id") or self._anon or secrets.token_hex(8),
                "saved": now(), "answers": {k: answers[k] for k in sorted(answers)}}

    def snapshot(self) -> dict:
        """The whole record as it would be written now: the file's entries, this kernel's pending ones,
        the learner and the kit version."""
        with self._lock:
            return self._merged(self._read_quietly())

    def export(self, dest) -> Path:
        """Write :meth:`snapshot` to ``dest``, atomically. Raises OSError if ``dest`` cannot be written
        (the caller shows it)."""
        dest = Path(dest)
        write_atomic(dest, self.snapshot())
        return dest

    def _tell(self, key: str, message: str) -> str | None:
        """Warn once per session per problem; returns the message the first time, else None."""
        if key in self._told:
            return None
        self._told.add(key)
        self._notices.append(message)
        warnings.warn(message, ProgressWarning, stacklevel=4)
        return message

    def take_notices(self) -> list[str]:
        """The warnings given since the last call (a checkpoint shows them in its own feedback area)."""
        with self._lock:
            out, self._notices = self._notices, []
            return out

    def reset(self, delete_file: bool = False) -> None:
        """Forget this session's pending answers, learner and warnings (and delete the file if asked)."""
        with self._lock:
            self._pending.clear()
            self._learner = self._anon = self.problem = None
            self._told.clear()
            self._notices.clear()
            if delete_file:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()

    def flush_at_exit(self) -> None:
        if self._pending:
            with contextlib.suppress(Exception):
                self.flush()


def _reason(err: OSError) -> str:
    if isinstance(err, CannotSave):
        return str(err)
    what = err.strerror or type(err).__name__
    return f"{what.lower()} ({err.filename})" if err.filename else what.lower()


STORE = Store()
atexit.register(STORE.flush_at_exit)
