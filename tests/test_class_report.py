"""The instructor's class report (gan_edu.quiz.report) on a generated class of 31 learners.

The generator answers the kit's real questions the way learners do (several tries, a popular wrong
option, lessons not started) and keeps its own tally of what it did; the report's figures are
checked against that tally, and the class holds what a real collection holds: damaged files, v1
files without a learner id, a hand-in copy beside the live file, a second session on a laptop,
hidden checkpoint copies, other JSON, and hostile learner ids."""
import csv
import functools
import html
import io
import itertools
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from gan_edu.quiz import answer_hash
from gan_edu.quiz import report as R
from gan_edu.quiz.questions import ALL as BANK

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {"s27": '=HYPERLINK("http://x")', "s28": "<script>alert(1)</script>"}


# --------------------------------------------------------------------------- a class, generated
@functools.cache
def right_answer(q):
    """The accepted answer of a bank question, found from its hash like an instructor would."""
    if q.kind == "choice":
        keys = sorted(q.options)
        if q.multiple:
            subsets = (list(c) for n in range(1, len(keys) + 1) for c in itertools.combinations(keys, n))
            return next(c for c in subsets if answer_hash(q.qid, c) == q.answer)
        return next(k for k in keys if answer_hash(q.qid, k) == q.answer)
    if q.kind == "numeric":
        grid = itertools.chain.from_iterable((k, -k) for k in itertools.count())     # 0, 0, 1, -1, 2, -2, ...
        return next(k * q.step for k in grid if answer_hash(q.qid, k) in q.accepted)
    return None


def wrong_answer(q, rng, right):
    if q.kind == "numeric":          # a value outside the accepted band (bands can be several steps wide)
        far = [right + q.step * k for k in (7, 20, 55, 400, 3000) if not q.accepts(right + q.step * k)]
        return rng.choice(far[:3])
    wrong = [k for k in sorted(q.options) if (k not in right if q.multiple else k != right)] or sorted(q.options)
    pick = wrong[0] if rng.random() < 0.6 else rng.choice(wrong)       # one wrong option is popular
    return sorted({pick, *right}) if q.multiple and rng.random() < 0.5 else [pick] if q.multiple else pick


def logged(q, value):
    """What the quiz writes into "answers": a list of keys for a choice, a key for a prediction, a number."""
    if q.kind == "choice":
        return sorted(value) if isinstance(value, list) else [value]
    return value


def answer_sequence(q, rng, skill):
    """The answers one learner gives to q: (value, right?) until right or three tries (one for a prediction)."""
    right = right_answer(q)
    if q.kind == "prediction":
        outcome, guess = rng.choice(sorted(q.options)), rng.choice(sorted(q.options))
        return [(guess, guess == outcome)]
    seq = []
    for _ in range(3):
        ok = rng.random() < skill
        seq.append((right if ok else wrong_answer(q, rng, right), ok))
        if ok:
            break
    return seq


def learner_answers(rng, day="2026-11-30"):
    """{qid: entry} as the quiz would save it, for one learner."""
    skill = rng.uniform(0.3, 0.9)
    out, clock = {}, itertools.count()
    lessons = sorted({q.lesson for q in BANK.values()})
    started = [k for k in lessons if rng.random() < 0.8]
    for qid, q in BANK.items():
        if q.lesson not in started or rng.random() < 0.1:
            continue
        seq = answer_sequence(q, rng, skill)
        t0, t1 = next(clock), next(clock)
        out[qid] = {"lesson": q.lesson, "kind": q.kind, "attempts": len(seq), "first_try": seq[0][1],
                    "correct": any(ok for _, ok in seq), "answers": [logged(q, v) for v, _ in seq][-10:],
                    "first_time": f"{day}T09:{t0 // 60:02d}:{t0 % 60:02d}",
                    "time": f"{day}T09:{t1 // 60:02d}:{t1 % 60:02d}", "shown_without_prediction": False}
    return out


def record(learner, answers, version=2):
    rec = {"format": "gan_edu.progress", "version": version, "kit_version": "0.1.0", "learner": learner,
           "saved": "2026-11-30T10:00:00", "answers": answers}
    if version == 1:        # version-1 files: no version, kit version or learner; entries without first_time
        rec = {"format": "gan_edu.progress", "saved": "2026-11-20T10:00:00",
               "answers": {k: {f: v for f, v in e.items() if f not in ("first_time", "shown_without_prediction")}
                           for k, e in answers.items()}}
    return json.dumps(rec, indent=1)


def write(path: Path, text) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class on disk and the generator's own tally: {learner id: {qid: entry}}."""
    rng = random.Random(12)
    root = tmp_path_factory.mktemp("class")
    truth = {}
    for i in range(1, 29):
        sid = f"s{i:02d}"
        lid = HOSTILE.get(sid, sid)
        truth[lid] = learner_answers(rng)
        write(root / "homes" / sid / "gan_edu_progress.json", record(lid, truth[lid]))
    # s05 handed in a copy earlier: the same histories, cut short (same first_time) -> the live file wins
    early = {k: {**e, "attempts": 1, "answers": e["answers"][:1], "correct": e["first_try"]}
             for k, e in list(truth["s05"].items())[:6]}
    write(root / "handin" / "gan_edu_progress_s05_2026-11-30.json", record("s05", early))
    # s07 also worked on a laptop the day before (other sessions) -> attempts add up
    laptop = learner_answers(random.Random(99), day="2026-11-29")
    write(root / "laptop" / "s07.json", record("s07", laptop))
    truth["s07"] = merge_by_hand(laptop, truth["s07"])
    # version-1 files (no learner id): a learner each, named from the path, never merged
    for path, name in [("nbgrader/zoe+lesson03+2026-11-30/gan_edu_progress.json", "zoe (no id)"),
                       ("v1/gan_edu_progress_yan_2026-11-20.json", "yan (no id)"),
                       ("legacy/s02/gan_edu_progress.json", "s02 (no id)")]:
        truth[name] = learner_answers(rng)
        write(root / path, record(None, truth[name], version=1))
        for e in truth[name].values():
            e.pop("first_time")
    # s04's file has one hostile entry among good ones: the entry is skipped, the rest read
    good = json.loads((root / "homes/s04/gan_edu_progress.json").read_text())
    good["answers"]["99-bogus"] = "not an entry"
    write(root / "homes/s04/gan_edu_progress.json", json.dumps(good))
    # damaged files: each gets one line, the rest of the class is still reported
    valid = record("s29", learner_answers(rng))
    damaged = {"s29": valid[: len(valid) // 2], "s30": bytes(rng.randrange(256) for _ in range(300)),
               "s31": json.dumps({"format": "something.else", "answers": {}}), "s32": "",
               "s33": json.dumps({"format": "gan_edu.progress", "answers": [1, 2]}),
               "s34": json.dumps([{"format": "gan_edu.progress"}])}
    for sid, text in damaged.items():
        write(root / "homes" / sid / "gan_edu_progress.json", text)
    # not records, or not to be read
    write(root / "homes/s01/.ipynb_checkpoints/gan_edu_progress-checkpoint.json", record("ghost", truth["s01"]))
    write(root / "homes/s03/settings.json", json.dumps({"theme": "dark"}))
    write(root / "homes/s03/notes.txt", "not json at all")
    return root, truth, set(damaged)


def merge_by_hand(earlier: dict, later: dict) -> dict:
    """Two sessions of one learner, merged the way the report documents (written out separately)."""
    out = {k: dict(v) for k, v in later.items()}
    for qid, e in earlier.items():
        if qid not in out:
            out[qid] = dict(e)
            continue
        l = out[qid]
        out[qid] = {**l, "attempts": e["attempts"] + l["attempts"], "first_try": e["first_try"],
                    "correct": e["correct"] or l["correct"], "answers": e["answers"] + l["answers"],
                    "first_time": e["first_time"]}
    return out


@pytest.fixture(scope="module")
def made(klass, tmp_path_factory):
    root, truth, damaged = klass
    out = tmp_path_factory.mktemp("report")
    return R.class_report([root], out), out


# --------------------------------------------------------------------------- the figures
def expected_wrong(qid, truth) -> Counter:
    """Per question: how many learners chose each wrong answer at least once (from the tally)."""
    q, right = BANK[qid], right_answer(BANK[qid])
    tally = Counter()
    for answers in truth.values():
        e = answers.get(qid)
        if not e:
            continue
        if q.kind == "prediction":
            given = set() if e["correct"] else set(e["answers"])
        elif q.kind == "numeric":
            given = {v for v in e["answers"] if v != right}
        else:
            given = {tuple(v) for v in e["answers"] if (v != right if q.multiple else v != [right])}
        tally.update(given)
    return tally


def test_learners_are_told_apart_by_their_id(made, klass):
    rep, _ = made
    _, truth, _ = klass
    assert sorted(l.id for l in rep.learners) == sorted(truth)
    assert len(rep.learners) == 31
    by_id = {l.id: l for l in rep.learners}
    assert len(by_id["s05"].files) == 2 and len(by_id["s07"].files) == 2          # merged across files
    assert not by_id["zoe (no id)"].named_by_record and by_id["s02"].named_by_record
    assert by_id["s02 (no id)"].files != by_id["s02"].files                      # same folder name, not merged
    assert "ghost" not in by_id                                                   # hidden folders skipped


def test_every_figure_matches_the_generators_tally(made, klass):
    rep, _ = made
    _, truth, _ = klass
    n = len(truth)
    for q in rep.questions:
        entries = [a[q.qid] for a in truth.values() if q.qid in a]
        assert q.learners == n
        assert q.answered == len(entries), q.qid
        assert q.first_try_right == sum(e["first_try"] for e in entries), q.qid
        assert q.finally_right == sum(e["correct"] for e in entries), q.qid
        assert q.attempts == sum(e["attempts"] for e in entries), q.qid
        assert sorted(w.learners for w in q.wrong) == sorted(expected_wrong(q.qid, truth).values()), q.qid
    assert all(q.in_bank for q in rep.questions) and [q.qid for q in rep.questions] == list(BANK)


def test_the_most_chosen_wrong_option_is_named_in_the_questions_words(made, klass):
    rep, _ = made
    _, truth, _ = klass
    for q in rep.questions:
        tally = expected_wrong(q.qid, truth)
        if not tally or BANK[q.qid].kind == "numeric":
            continue
        top = max(tally.values())
        labels = {" + ".join(BANK[q.qid].options[k] for k in (v if isinstance(v, tuple) else (v,)))
                  for v, c in tally.items() if c == top}
        assert q.wrong[0].learners == top and q.wrong[0].label in labels, q.qid


def test_completion_and_lessons_not_started(made, klass):
    rep, _ = made
    _, truth, _ = klass
    lessons = sorted({q.lesson for q in BANK.values()})
    done = rep.completion()
    for lid, answers in truth.items():
        for k in lessons:
            assert done[lid][k] == sum(1 for qid in answers if BANK[qid].lesson == k), (lid, k)
    for k, missing in rep.not_started().items():
        assert sorted(missing) == sorted(lid for lid, a in truth.items() if not any(BANK[q].lesson == k for q in a))
    assert any(rep.not_started().values())          # the generator leaves lessons unstarted


def test_hardest_questions_come_first(made):
    rep, out = made
    shares = [(q.first_try_right / q.answered, q.finally_right / q.answered) for q in rep.hardest()]
    assert shares == sorted(shares) and len(shares) == sum(1 for q in rep.questions if q.answered)
    page = (out / "index.html").read_text()
    hardest = page[page.index('id="hardest"'): page.index('id="learners"')]
    order = [hardest.index(f"<b>{q.qid}</b>") for q in rep.hardest()[:R.HARDEST]]
    assert order == sorted(order) and hardest.count("<b>") == R.HARDEST


def test_one_line_per_unreadable_file_and_the_rest_still_reported(made, klass):
    rep, out = made
    root, _, damaged = klass
    unread = {Path(p.path).parent.name: p.message for p in rep.problems if p.entry is None}
    assert set(unread) == damaged
    assert "not valid JSON" in unread["s29"] and "not valid JSON" in unread["s32"]
    assert "not text" in unread["s30"] or "not valid JSON" in unread["s30"]
    assert "not a gan_edu progress record" in unread["s31"] and "not a gan_edu progress record" in unread["s34"]
    assert '"answers" must be an object' in unread["s33"]
    notes = [p for p in rep.problems if p.entry]
    assert [(Path(p.path).parent.name, p.entry) for p in notes] == [("s04", "99-bogus")]
    assert rep.skipped == [str(root / "homes/s03/settings.json")]
    page = (out / "index.html").read_text()
    for p in rep.problems:
        assert html.escape(p.message) in page


def test_csv_has_one_row_per_learner_and_question(made, klass):
    rep, out = made
    _, truth, _ = klass
    rows = list(csv.DictReader(io.StringIO((out / "answers.csv").read_text())))
    assert list(rows[0]) == R.CSV_COLUMNS
    assert len(rows) == len(truth) * len(BANK)
    by_key = {(r["learner"].lstrip("'"), r["question"]): r for r in rows}
    for lid, answers in truth.items():
        for qid in BANK:
            r, e = by_key[(lid, qid)], answers.get(qid)
            if e is None:
                assert (r["attempts"], r["first_try_right"], r["finally_right"], r["last_answer"]) == ("0", "", "", "")
                continue
            last = e["answers"][-1]
            assert r["attempts"] == str(e["attempts"]) and r["lesson"] == BANK[qid].lesson
            assert (r["first_try_right"], r["finally_right"]) == (str(int(e["first_try"])), str(int(e["correct"])))
            assert r["last_answer"] == (";".join(last) if isinstance(last, list) else f"{last:g}"
                                        if isinstance(last, float) else str(last))
            assert r["time"] == e["time"]
            assert r["learner_id_from"] == ("record" if "(no id)" not in lid else r["learner_id_from"])
    assert by_key[(HOSTILE["s27"], "00-keep")]["learner"].startswith("'=")         # no spreadsheet formula
    assert by_key[("zoe (no id)", "00-keep")]["learner_id_from"].startswith("file path: ")


def test_the_page_is_self_contained_and_escapes_what_learners_wrote(made):
    _, out = made
    page = (out / "index.html").read_text()
    assert "<script" not in page and "http://" not in page.replace("http://x", "")
    assert "https://" not in page and "src=" not in page and "@import" not in page and "url(" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "font:20px" in page                         # projector size
    assert "#0072B2" in page and "#D55E00" in page     # Okabe-Ito colours, and each share is written as a number


# --------------------------------------------------------------------------- misconceptions
def test_the_most_chosen_wrong_option_shows_the_misconception_it_signals(tmp_path):
    from gan_edu.quiz.misconceptions import MISCONCEPTIONS

    q = BANK["00-copies"]
    right = next(k for k in q.options if R.answer_hash(q.qid, k) == q.answer)
    tagged = next(k for k in q.options if k != right and q.misconceptions_of(k))
    other = next(k for k in q.options if k not in (right, tagged))
    for i in range(5):
        chosen = [tagged] if i < 3 else [other]
        entry = {"lesson": "00", "kind": "choice", "attempts": 2, "first_try": False, "correct": True,
                 "answers": [chosen, [right]],
                 "first_time": "2026-11-30T09:00:00", "time": "2026-11-30T09:01:00"}
        write(tmp_path / "in" / f"{i}.json", record(f"l{i}", {"00-copies": entry}))
    rep = R.class_report([tmp_path / "in"], tmp_path / "out")
    stats = next(s for s in rep.questions if s.qid == "00-copies")
    signal = MISCONCEPTIONS["g-stores-images"].text
    assert (stats.wrong[0].label, stats.wrong[0].learners, stats.wrong[0].misconception) == (q.options[tagged], 3, signal)
    assert (tmp_path / "out/index.html").read_text().count("signals: ") >= 1


def test_misconception_of_reads_the_quiz_tags():
    from gan_edu.quiz.misconceptions import MISCONCEPTIONS

    q = BANK["02-low-d-loss"]
    assert R.misconception_of(q, "a") == MISCONCEPTIONS["low-d-loss-good"].text
    assert R.misconception_of(q, ["a", "d"]) == MISCONCEPTIONS["low-d-loss-good"].text      # said once
    assert R.misconception_of(q, "b") is None or R.misconception_of(q, "b")                 # untagged or tagged, never an error
    assert R.misconception_of(object(), "a") is None                                        # not a kit question


# --------------------------------------------------------------------------- merging duplicates
def entry(attempts, first_try, correct, answers, first_time, time):
    return {"lesson": "03", "kind": "choice", "attempts": attempts, "first_try": first_try, "correct": correct,
            "answers": answers, "first_time": first_time, "time": time}


def test_a_copy_of_the_same_history_is_not_counted_twice(tmp_path):
    live = entry(3, False, True, [["a"], ["b"], ["c"]], "2026-11-30T09:00:00", "2026-11-30T09:05:00")
    copy = entry(1, False, False, [["a"]], "2026-11-30T09:00:00", "2026-11-30T09:00:00")
    write(tmp_path / "a/gan_edu_progress.json", record("ada", {"03-copies": live}))
    write(tmp_path / "b/gan_edu_progress_ada_2026-11-30.json", record("ada", {"03-copies": copy}))
    (learner,) = R.gather([tmp_path]).learners
    a = learner.answers["03-copies"]
    assert (a.attempts, a.first_try, a.correct, a.answers) == (3, False, True, [["a"], ["b"], ["c"]])


def test_two_sessions_add_up_in_either_order(tmp_path):
    hub = entry(1, True, True, [["c"]], "2026-11-30T09:00:00", "2026-11-30T09:00:00")
    laptop = entry(2, False, True, [["a"], ["c"]], "2026-11-29T20:00:00", "2026-11-29T20:01:00")
    write(tmp_path / "x/1.json", record("ada", {"03-copies": hub}))
    write(tmp_path / "y/2.json", record("ada", {"03-copies": laptop}))
    for order in ([tmp_path / "x", tmp_path / "y"], [tmp_path / "y", tmp_path / "x"]):
        (learner,) = R.gather(order).learners
        a = learner.answers["03-copies"]
        assert (a.attempts, a.first_try, a.correct) == (3, False, True)
        assert a.answers == [["a"], ["c"], ["c"]] and a.time == "2026-11-30T09:00:00"


def test_the_same_file_named_twice_is_read_once(tmp_path):
    path = write(tmp_path / "h/gan_edu_progress.json", record("ada", {"03-copies": entry(
        2, False, True, [["a"], ["c"]], "2026-11-30T09:00:00", "2026-11-30T09:01:00")}))
    got = R.gather([path, tmp_path, str(tmp_path / "*/*.json")])
    assert got.files_read == 1 and got.learners[0].answers["03-copies"].attempts == 2


# --------------------------------------------------------------------------- inputs and outputs
def test_globs_folders_and_missing_inputs(tmp_path):
    write(tmp_path / "a/gan_edu_progress.json", record("ada", {}))
    write(tmp_path / "b/gan_edu_progress.json", record("bob", {}))
    got = R.gather([str(tmp_path / "*" / "gan_edu_progress.json"), tmp_path / "nope", str(tmp_path / "zz*.json")])
    assert [l.id for l in got.learners] == ["ada", "bob"]
    assert [(Path(p.path).name, p.message) for p in got.problems] == [
        ("nope", "no such file or folder"), ("zz*.json", "no file matches this pattern")]


def test_an_existing_report_is_replaced_only_with_force(tmp_path):
    write(tmp_path / "in/gan_edu_progress.json", record("ada", {}))
    R.class_report([tmp_path / "in"], tmp_path / "out")
    with pytest.raises(R.ReportError, match="already holds a class report.*--force"):
        R.class_report([tmp_path / "in"], tmp_path / "out")
    write(tmp_path / "in2/gan_edu_progress.json", record("bob", {}))
    R.class_report([tmp_path / "in2"], tmp_path / "out", force=True)
    assert "bob" in (tmp_path / "out/index.html").read_text()


@pytest.mark.parametrize("where", ["write", "replace"])
def test_a_failed_write_leaves_the_previous_report_whole(tmp_path, monkeypatch, where):
    write(tmp_path / "in/gan_edu_progress.json", record("ada", {}))
    R.class_report([tmp_path / "in"], tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    write(tmp_path / "in/gan_edu_progress.json", record("bob", {}))

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(R.os, "fsync" if where == "write" else "replace", disk_full)
    with pytest.raises(R.ReportError, match="cannot write the report.*No space left"):
        R.class_report([tmp_path / "in"], tmp_path / "out", force=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before     # no temp file left


def test_nothing_readable_is_an_error_and_writes_nothing(tmp_path):
    write(tmp_path / "in/gan_edu_progress.json", "{truncated")
    with pytest.raises(R.ReportError, match="no progress record could be read.*not valid JSON"):
        R.class_report([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out/index.html").exists()


@pytest.mark.parametrize("out, error", [("", "give the folder"), ("file.txt", "is a file, not a folder")])
def test_bad_output_folders(tmp_path, out, error):
    write(tmp_path / "in/gan_edu_progress.json", record("ada", {}))
    write(tmp_path / "file.txt", "x")
    with pytest.raises(R.ReportError, match=error):
        R.class_report([tmp_path / "in"], str(tmp_path / out) if out else out)


def run_cli(args_code: str, cwd: Path):
    code = f"import sys; from gan_edu.quiz.report import main_from_args; sys.exit(main_from_args({args_code}))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_main_from_args_exit_codes_and_messages(made, klass, tmp_path):
    root, _, _ = klass
    ok = run_cli(f"[{str(root)!r}], 'out', False", tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "class report: 31 learners" in ok.stdout and (tmp_path / "out/index.html").exists()
    assert "6 file(s) could not be read" in ok.stderr and "s29" in ok.stderr
    again = run_cli(f"[{str(root)!r}], 'out', False", tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert run_cli(f"[{str(root)!r}], 'out', True", tmp_path).returncode == 0
    usage = run_cli("[], 'out', False", tmp_path)
    assert usage.returncode == 2 and "missing PATHS" in usage.stderr
    assert run_cli(f"[{str(root)!r}], '', False", tmp_path).returncode == 2
    empty = run_cli(f"[{str(tmp_path / 'nothing')!r}], 'out2', False", tmp_path)
    assert empty.returncode == 1 and "no such file or folder" in empty.stderr
    for r in (ok, again, usage, empty):
        assert "Traceback" not in r.stderr
