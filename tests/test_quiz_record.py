"""The progress record never loses an answer (issue 11 §1): every failure path is injected.

* format: the version-2 schema, version-1 files read and upgraded, the learner and kit version;
* atomic writes: a failure at any point of a write leaves the old file byte-for-byte;
* damaged files (truncated, garbage, hostile JSON) are moved aside and kept, never overwritten;
* unwritable places (read-only file or folder, a folder at the path, a missing folder, a newer
  file, a lock held too long): one warning, answers kept in memory, saved by the next good write;
* concurrency: several processes answering the same and different questions add up exactly;
* kill -9 of a writer at random moments never leaves an unreadable file.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from gan_edu import __version__, quiz
from gan_edu.quiz import record

ROOT = Path(__file__).resolve().parents[1]
KEY_FIELDS = {"lesson", "kind", "attempts", "first_try", "correct", "answers", "first_time", "time"}


def choice(qid="99-demo"):
    return quiz.MultipleChoice(qid, "Which network do you keep?", options={"a": "D", "b": "G", "c": "both"},
                               feedback={"a": "D only judges.", "b": "G makes samples.", "c": "D is not needed."},
                               answer=quiz.answer_hash(qid, "b"))


def answer(q, key):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ok = q.select(key).check()
    return ok, [w for w in caught if issubclass(w.category, record.ProgressWarning)]


def on_disk(path):
    doc, skipped = record.read(path)
    assert skipped == []
    return doc


# --------------------------------------------------------------------------- the format
def test_schema_version_2_with_learner_and_kit_version(progress_file, monkeypatch):
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    q = choice()
    answer(q, "a")
    answer(q, "b")
    raw = json.loads(progress_file.read_text())
    assert raw["format"] == "gan_edu.progress" and raw["version"] == 2 and raw["kit_version"] == __version__
    assert raw["learner"] is None and len(raw["anonymous_id"]) == 16 and raw["saved"]
    entry = raw["answers"]["99-demo"]
    assert set(entry) == KEY_FIELDS
    assert entry["attempts"] == 2 and entry["first_try"] is False and entry["correct"] is True
    assert entry["answers"] == ["a", "b"] and entry["kind"] == "choice" and entry["lesson"] == "99"
    assert entry["first_time"] <= entry["time"]
    assert "saved" in q.status.value


def test_answers_keep_the_last_twenty(progress_file):
    q = choice()
    for i in range(25):
        answer(q, "abc"[i % 3])
    entry = on_disk(progress_file)["answers"]["99-demo"]
    assert entry["attempts"] == 25 and len(entry["answers"]) == 20 and entry["answers"][-1] == "a"


def test_version_1_files_are_read_and_upgraded(progress_file):
    v1 = {"format": "gan_edu.progress", "saved": "2025-01-01T10:00:00",
          "answers": {"00-keep": {"lesson": "00", "kind": "choice", "attempts": 2, "correct": True, "first_try": False,
                                  "answers": [["a"], ["b"]], "time": "2025-01-01T10:00:00"}}}
    progress_file.write_text(json.dumps(v1))
    assert quiz.progress()["00-keep"]["attempts"] == 2
    answer(choice(), "b")
    doc = json.loads(progress_file.read_text())
    assert doc["version"] == 2
    assert doc["answers"]["00-keep"]["first_time"] == "2025-01-01T10:00:00"
    assert doc["answers"]["00-keep"]["answers"] == [["a"], ["b"]]
    assert doc["answers"]["99-demo"]["attempts"] == 1
    assert not list(progress_file.parent.glob("*.damaged-*"))


def test_learner_from_set_learner_env_or_hub(progress_file, monkeypatch, capsys):
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    answer(choice(), "b")
    assert on_disk(progress_file)["learner"] == "hubuser"
    monkeypatch.setenv("GAN_EDU_LEARNER", "envname")
    assert quiz.learner() == "envname"
    quiz.set_learner("  Ada   Lovelace ")
    assert "Ada Lovelace" in capsys.readouterr().out
    doc = on_disk(progress_file)
    assert (doc["learner"], doc["learner_source"]) == ("Ada Lovelace", "set_learner")
    quiz.reset_progress()                     # a new session: the name is remembered by the record
    assert quiz.learner() == "Ada Lovelace"
    answer(choice(), "a")
    assert on_disk(progress_file)["learner"] == "Ada Lovelace"
    with pytest.raises(TypeError, match="name must be a string"):
        quiz.set_learner(42)
    with pytest.raises(ValueError, match="1 to 100 printable"):
        quiz.set_learner("   ")


def test_anonymous_id_is_made_once(progress_file, monkeypatch):
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    first = record.STORE.seed_id()
    assert first.startswith("anonymous:") and progress_file.exists()
    assert record.Store().seed_id() == first            # another kernel, or the next session
    monkeypatch.setenv("GAN_EDU_LEARNER", "bo")
    assert record.Store().seed_id() == "learner:bo"


def test_export_holds_everything_and_the_learner(progress_file, tmp_path):
    quiz.set_learner("ada")
    answer(choice(), "b")
    copy = quiz.save_progress(tmp_path / "hand_in.json")
    doc = on_disk(copy)
    assert doc["learner"] == "ada" and doc["answers"]["99-demo"]["attempts"] == 1


# --------------------------------------------------------------------------- atomic writes
@pytest.mark.parametrize("where", ["write", "fsync", "chmod", "replace"])
def test_a_failed_write_leaves_the_old_file_and_keeps_the_answer(progress_file, monkeypatch, where):
    q = choice()
    answer(q, "a")
    before = progress_file.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    if where == "write":                        # half the text reaches the temporary file, then the disk is full
        real_fdopen = os.fdopen

        def half_then_full(fd, *a, **k):
            f = real_fdopen(fd, *a, **k)
            write = f.write
            f.write = lambda text: (write(text[: len(text) // 2]), boom())
            return f
        monkeypatch.setattr(record.os, "fdopen", half_then_full)
    else:
        monkeypatch.setattr(record.os, where, boom)
    ok, warned = answer(q, "b")
    assert ok is True and progress_file.read_bytes() == before
    assert len(warned) == 1 and "kept in memory" in str(warned[0].message)
    assert "not saved" in q.status.value and "ge-quiz-warning" in q.notes.value
    assert not list(progress_file.parent.glob(".*.tmp"))
    assert quiz.progress()["99-demo"]["attempts"] == 2          # in memory
    monkeypatch.undo()
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(progress_file))
    ok, warned = answer(q, "c")
    assert warned == [] and on_disk(progress_file)["answers"]["99-demo"]["attempts"] == 3


# --------------------------------------------------------------------------- damaged files
VALID = {"format": "gan_edu.progress", "version": 2,
         "answers": {"00-keep": {"lesson": "00", "kind": "choice", "attempts": 4, "first_try": False, "correct": True,
                                 "answers": ["a", "b"], "first_time": "t0", "time": "t1"}}}
DAMAGED = {
    "truncated": json.dumps(VALID)[:57],
    "garbage": "\x00\x01 not json at all",
    "not utf-8": b"\xff\xfe\xfa{}",
    "answers is a list": '{"answers": [1, 2]}',
    "top level is a list": "[1, 2, 3]",
    "top level is a string": '"progress"',
    "someone else's JSON": '{"name": "my-config", "answers": {}}',
    "version is a string": '{"format": "gan_edu.progress", "version": "2", "answers": {}}',
    "empty file": "",
}
PARTLY = {   # entries that cannot be read beside one that can: the good one is kept
    "string record": {"00-bad": "b"},
    "attempts is a string": {"00-bad": {**VALID["answers"]["00-keep"], "attempts": "3"}},
    "answers is a dict": {"00-bad": {**VALID["answers"]["00-keep"], "answers": {"x": 1}}},
    "unknown kind": {"00-bad": {**VALID["answers"]["00-keep"], "kind": "essay"}},
    "correct is a string": {"00-bad": {**VALID["answers"]["00-keep"], "correct": "yes"}},
    "learner is a number": {},
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_file_is_moved_aside_never_overwritten(progress_file, case):
    content = DAMAGED[case]
    data = content if isinstance(content, bytes) else content.encode()
    progress_file.write_bytes(data)
    assert quiz.progress() == {}                                  # reading never raises
    q = choice()
    ok, warned = answer(q, "b")
    assert ok is True
    backups = list(progress_file.parent.glob("progress.damaged-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes() == data              # kept, byte for byte
    assert len(warned) == 1 and backups[0].name in str(warned[0].message)
    assert backups[0].name in q.notes.value and "saved" in q.status.value
    assert on_disk(progress_file)["answers"]["99-demo"]["attempts"] == 1


@pytest.mark.parametrize("case", list(PARTLY))
def test_entries_that_cannot_be_read_are_backed_up_and_the_rest_kept(progress_file, case):
    doc = json.loads(json.dumps(VALID))
    doc["answers"].update(PARTLY[case])
    if case == "learner is a number":
        doc["learner"] = 12
    progress_file.write_text(json.dumps(doc))
    data = progress_file.read_bytes()
    assert quiz.progress()["00-keep"]["attempts"] == 4
    ok, warned = answer(choice(), "b")
    backups = list(progress_file.parent.glob("progress.damaged-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes() == data
    assert len(warned) == 1 and "could not be read" in str(warned[0].message)
    kept = on_disk(progress_file)["answers"]
    assert kept["00-keep"]["attempts"] == 4 and kept["99-demo"]["attempts"] == 1 and "00-bad" not in kept


def test_an_oversized_file_is_moved_aside(progress_file, monkeypatch):
    monkeypatch.setattr(record, "MAX_BYTES", 1000)
    progress_file.write_text(json.dumps({**VALID, "pad": "x" * 2000}))
    answer(choice(), "b")
    assert len(list(progress_file.parent.glob("progress.damaged-*.json"))) == 1


# --------------------------------------------------------------------------- places that cannot be written
def _cannot_save(progress_file, monkeypatch, setup):
    """Answer twice where the record cannot be written: one warning, answers in memory; then fix it."""
    target = setup(progress_file)
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(target))
    q = choice()
    ok1, warned1 = answer(q, "a")
    ok2, warned2 = answer(q, "b")
    assert (ok1, ok2) == (False, True)
    assert len(warned1) == 1 and warned2 == []                 # one warning per session
    message = str(warned1[0].message)
    assert "kept in memory" in message and "GAN_EDU_PROGRESS" in message
    assert q.notes.value.count("ge-quiz-warning") == 1 and "not saved" in q.status.value
    assert quiz.progress()["99-demo"]["attempts"] == 2
    good = progress_file.parent / "fixed" / "progress.json"
    good.parent.mkdir()
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(good))
    answer(q, "c")
    assert on_disk(good)["answers"]["99-demo"]["attempts"] == 3      # nothing lost
    return message


def test_a_folder_at_the_path(progress_file, monkeypatch):
    def setup(p):
        p.mkdir()
        return p
    assert "is a folder" in _cannot_save(progress_file, monkeypatch, setup)


def test_a_missing_folder(progress_file, monkeypatch):
    message = _cannot_save(progress_file, monkeypatch, lambda p: p.parent / "no" / "such" / "progress.json")
    assert "does not exist" in message
    assert not (progress_file.parent / "no").exists()                # not created behind the learner's back


def test_a_file_from_a_newer_kit_is_not_overwritten(progress_file, monkeypatch):
    def setup(p):
        p.write_text(json.dumps({"format": "gan_edu.progress", "version": 3, "answers": {}}))
        return p
    before = progress_file.read_bytes() if progress_file.exists() else None
    message = _cannot_save(progress_file, monkeypatch, setup)
    assert "newer gan_edu" in message and before is None
    assert json.loads(progress_file.read_text())["version"] == 3


def test_a_lock_held_too_long(progress_file, monkeypatch):
    import filelock

    monkeypatch.setattr(record, "LOCK_TIMEOUT", 0.2)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import filelock, time
        with filelock.FileLock({str(progress_file) + '.lock'!r}):
            print('held', flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        q = choice()
        ok, warned = answer(q, "b")
        assert ok and len(warned) == 1 and "lock" in str(warned[0].message)
    finally:
        holder.kill()
        holder.wait()
    with filelock.FileLock(str(progress_file) + ".lock", timeout=5):
        pass
    answer(q, "a")
    assert on_disk(progress_file)["answers"]["99-demo"]["attempts"] == 2


def test_a_damaged_file_reported_when_the_checkpoint_is_shown(progress_file, monkeypatch):
    """ask() checks the record first: the learner sees the problem before answering."""
    progress_file.write_text('{"answers": [1, 2]}')
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    with pytest.warns(record.ProgressWarning, match="moved aside"):
        quiz.ask("00-keep")


UNWRITABLE = textwrap.dedent("""
    import json, sys, warnings
    from gan_edu.quiz import record
    store = record.Store(sys.argv[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [store.add("99-demo", "99", "choice", k, k == "b") for k in "ab"]
    print(json.dumps({"saved": [r.saved for r in results], "warnings": [str(w.message) for w in caught],
                      "attempts": store.answers()["99-demo"]["attempts"],
                      "old": store.answers().get("00-keep", {}).get("attempts")}))
""")


def as_nobody() -> list[str]:
    """A command prefix that drops root (root may write anywhere, so permissions would test nothing)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot drop to an unprivileged user")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("what", ["read-only file", "read-only folder"])
def test_read_only_file_or_folder(what):
    """Real permissions, in a process that is not root (root may write anywhere)."""
    folder = Path(tempfile.mkdtemp(prefix="gan_edu_ro_"))
    try:
        path = folder / "progress.json"
        path.write_text(json.dumps(VALID))
        before = path.read_bytes()
        os.chmod(path, 0o444 if what == "read-only file" else 0o644)
        os.chmod(folder, 0o777 if what == "read-only file" else 0o555)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(folder)}
        out = subprocess.run([*as_nobody(), sys.executable, "-c", UNWRITABLE, str(path)], capture_output=True,
                             text=True, env=env, timeout=120, cwd="/")
        assert out.returncode == 0, out.stderr
        res = json.loads(out.stdout)
        assert res["saved"] == [False, False] and len(res["warnings"]) == 1
        assert "read-only" in res["warnings"][0] or "permission denied" in res["warnings"][0]
        assert res["attempts"] == 2 and res["old"] == 4                  # in memory, on top of what was saved
        assert path.read_bytes() == before
    finally:
        os.chmod(folder, 0o755)
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


# --------------------------------------------------------------------------- concurrency
WORKER = textwrap.dedent("""
    import json, random, sys, time, warnings
    from gan_edu import quiz
    me, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    def make(qid):
        return quiz.MultipleChoice(qid, "?", options={"a": "A", "b": "B"}, feedback={"a": ".", "b": "."},
                                   answer=quiz.answer_hash(qid, "b"))
    mine, shared = make(f"99-own-{me}"), make("99-shared")
    counts = {mine.qid: 0, shared.qid: 0}
    rng = random.Random(me)
    while time.time() < start:
        time.sleep(0.001)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        while time.time() < start + seconds:
            q = mine if rng.random() < 0.5 else shared
            q.select(rng.choice("ab")).check()
            counts[q.qid] += 1
    left = quiz.save_progress()
    print(json.dumps({"counts": counts, "warnings": len(caught), "pending": len(quiz.record.STORE.pending())}))
""")


def test_concurrent_kernels_add_up_exactly(progress_file):
    workers, seconds = 3, 4.0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GAN_EDU_PROGRESS": str(progress_file)}
    start = time.time() + 3.0                      # all start together, after their imports
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(i), str(start), str(seconds)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(workers)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    doc = on_disk(progress_file)["answers"]
    total_shared = sum(r["counts"]["99-shared"] for r in results)
    for i, r in enumerate(results):
        assert r["warnings"] == 0 and r["pending"] == 0
        assert doc[f"99-own-{i}"]["attempts"] == r["counts"][f"99-own-{i}"] > 0
    assert doc["99-shared"]["attempts"] == total_shared
    made = sum(sum(r["counts"].values()) for r in results)
    print(f"\n{workers} processes, {seconds:.0f} s: {made} answers made, "
          f"{sum(e['attempts'] for e in doc.values())} on disk ({total_shared} to the shared question)")
    assert made > 100                              # they really overlapped


KILLED = textwrap.dedent("""
    import sys
    from gan_edu.quiz import record
    store = record.Store(sys.argv[1])
    for i in range(200):                           # a record of realistic size
        store._pending[f"50-q{i}"] = {"lesson": "50", "kind": "choice", "attempts": 1, "first_try": True,
                                      "correct": True, "answers": ["a"] * 20, "first_time": "t", "time": "t"
                                      , "shown_without_prediction": False}
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        assert store.add("99-demo", "99", "choice", "b", True).saved
""")


def test_kill_9_mid_write_never_leaves_an_unreadable_file(progress_file):
    rng = random.Random(0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    last = 0
    for _ in range(25):
        p = subprocess.Popen([sys.executable, "-c", KILLED, str(progress_file)], env=env, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        doc = on_disk(progress_file)                          # parses, nothing skipped
        attempts = doc["answers"]["99-demo"]["attempts"] if "99-demo" in doc["answers"] else 0
        assert attempts >= last                               # what was saved stays saved
        last = attempts
    assert not list(progress_file.parent.glob("*.damaged-*"))
    assert last > 0
    answer(choice(), "b")                                      # the next writer removes leftover temporary files
    assert not list(progress_file.parent.glob(".*.tmp"))


def test_killed_between_temp_file_and_rename(progress_file):
    """The worst moment, made certain: the process dies right before os.replace."""
    answer(choice(), "a")
    before = progress_file.read_bytes()
    code = textwrap.dedent("""
        import os, signal, sys
        from gan_edu.quiz import record
        record.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        record.Store(sys.argv[1]).add("99-demo", "99", "choice", "b", True)
    """)
    p = subprocess.run([sys.executable, "-c", code, str(progress_file)], env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == -signal.SIGKILL
    assert progress_file.read_bytes() == before and list(progress_file.parent.glob(".*.tmp"))
    answer(choice(), "b")
    assert on_disk(progress_file)["answers"]["99-demo"]["attempts"] == 2
    assert not list(progress_file.parent.glob(".*.tmp"))


def test_record_module_imports_no_ipywidgets_or_torch():
    """Also: the quiz's Check button (anywidget) loads only when a checkpoint is drawn."""
    probe = ("import sys, gan_edu.quiz.record, gan_edu.quiz.questions\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'ipywidgets', 'IPython', 'numpy', "
             "'anywidget'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"
