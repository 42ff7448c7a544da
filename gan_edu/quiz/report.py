"""The instructor's class report: what a class understood, read from its learners' progress files.

    gan-edu class-report /srv/homes --out report/            # every home on a hub
    gan-edu class-report 'collected/*.json' --out report/    # files gathered by hand

    from gan_edu.quiz.report import class_report
    rep = class_report(["/srv/homes"], "report")             # -> Report (learners, questions, problems)

**Inputs** are progress files (what :mod:`gan_edu.quiz` saves after every Check), folders and glob
patterns, in any mix: files gathered by hand, an nbgrader exchange, or every home folder on a hub.
A folder is searched recursively (hidden folders such as ``.ipynb_checkpoints`` are skipped): every
``gan_edu_progress*.json`` in it must be a progress record, and any other ``*.json`` is read too and
used when it is one (the rest are listed as "not progress records", not silently dropped).

**Learners** are told apart by the ``learner`` id the record carries (``ge.quiz.set_learner``,
``$GAN_EDU_LEARNER`` or the hub's ``$JUPYTERHUB_USER``), never by the file's name. A record without
one (a version-1 file) becomes a learner of its own, named from its path and marked "(no id)"; it is
never merged with anyone. Several files with the same id (a hand-in copy next to the live file, a
laptop and a hub) are merged per question:

* the same question *begun at the same moment* (equal ``first_time``) is one history copied twice:
  the copy with more attempts wins;
* begun at different moments, they are separate sessions: attempts add up, the first try is the
  earliest session's, right if right in any, the answers are both sessions' in time order (so the
  last answer is the latest one).

**Outputs**, both written atomically (a temporary file in ``DIR``, then ``os.replace``):
``DIR/index.html``, one self-contained page (no script, no external file, readable on a projector,
colour-blind-safe, every colour also written as a number) and ``DIR/answers.csv``, one row per
learner x question for a gradebook. A file that cannot be read (truncated, not JSON, another
format) gets one line saying why, in the page and on stderr, and everything else is still reported.
"""
from __future__ import annotations

import csv
import datetime as _dt
import glob
import html
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import answer_hash

__all__ = ["class_report", "gather", "main_from_args", "misconception_of", "Report", "ReportError"]

FORMAT = "gan_edu.progress"
KNOWN_VERSIONS = (1, 2)
MAX_BYTES = 20_000_000          # a class's worth of answers is a few kB; anything this big is not one
_GLOB = re.compile(r"[*?\[]")
HARDEST = 10                    # questions in the page's "hardest first" table


class ReportError(ValueError):
    """The report cannot be made at all (no record found, the output folder is unusable)."""


@dataclass
class Problem:
    """One input that could not be used (``entry`` set: one question of a file that was otherwise read)."""

    path: str
    message: str
    entry: str | None = None

    def line(self) -> str:
        return f"{self.path}: {self.entry + ': ' if self.entry else ''}{self.message}"


@dataclass
class Answer:
    """One learner's record of one question (merged across files)."""

    qid: str
    lesson: str
    kind: str
    attempts: int
    correct: bool
    first_try: bool | None
    answers: list
    first_time: str | None
    time: str | None


@dataclass
class Learner:
    id: str
    named_by_record: bool                       # False: the record had no id; ``id`` comes from its path
    files: list[str] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)


@dataclass
class WrongOption:
    label: str                                  # what the learners chose, in the question's words
    learners: int                               # how many learners chose it at least once
    misconception: str | None                   # the misconception it signals, when the option is tagged


@dataclass
class QuestionStats:
    qid: str
    lesson: str
    prompt: str                                 # plain text, shortened
    in_bank: bool                               # False: answered in a record but not a question of this kit
    learners: int                               # the whole class
    answered: int
    first_try_right: int
    finally_right: int
    attempts: int
    wrong: list[WrongOption]                    # most chosen first

    def share(self, n: int) -> float | None:
        return n / self.answered if self.answered else None


@dataclass
class Report:
    learners: list[Learner]
    questions: list[QuestionStats]              # bank order
    lessons: dict[str, int]                     # lesson -> number of questions
    problems: list[Problem]                     # files (or entries) that could not be read
    skipped: list[str]                          # other JSON files in the folders that are not progress records
    files_read: int
    generated: str
    html_path: Path | None = None
    csv_path: Path | None = None

    def completion(self) -> dict[str, dict[str, int]]:
        """learner id -> lesson -> questions of the kit answered in that lesson."""
        bank = {q.qid: q.lesson for q in self.questions if q.in_bank}
        return {l.id: {k: sum(1 for qid, a in l.answers.items() if bank.get(qid) == k and a.attempts > 0)
                       for k in self.lessons} for l in self.learners}

    def not_started(self) -> dict[str, list[str]]:
        """lesson -> the learners who have answered none of its questions."""
        done = self.completion()
        return {k: [l.id for l in self.learners if not done[l.id][k]] for k, n in self.lessons.items() if n}

    def hardest(self) -> list[QuestionStats]:
        """Questions someone answered, hardest first: fewest right at the first try, then fewest right at all."""
        done = [q for q in self.questions if q.answered]
        return sorted(done, key=lambda q: (q.share(q.first_try_right), q.share(q.finally_right), -q.answered, q.qid))


# --------------------------------------------------------------------------- finding the files
def find_files(paths) -> tuple[list[tuple[Path, bool]], list[Problem]]:
    """(file, must be a record) for every input, each file once, and a Problem for each input that
    names nothing. Explicit files, glob matches and ``gan_edu_progress*.json`` must be records."""
    found: dict[Path, bool] = {}
    problems = []
    for raw in paths:
        text = os.fspath(raw)
        matches = sorted(glob.glob(os.path.expanduser(text), recursive=True)) if _GLOB.search(text) else [text]
        if not matches:
            problems.append(Problem(text, "no file matches this pattern"))
        for match in map(Path, matches):
            if match.is_dir():
                for path in _walk(match):
                    key = path.resolve()
                    found[key] = found.get(key, False) or path.name.startswith("gan_edu_progress")
            elif match.is_file():
                found[match.resolve()] = True
            else:
                problems.append(Problem(text, "no such file or folder"))
    return sorted(found.items()), problems


def _walk(folder: Path):
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".json") and not name.startswith("."):
                yield Path(here) / name


# --------------------------------------------------------------------------- reading one record
@dataclass
class Record:
    path: Path
    learner: str | None
    answers: dict[str, Answer]
    notes: list[Problem]


class NotARecord(ValueError):
    """The file is readable JSON but not a gan_edu progress record."""


def read_record(path: Path) -> Record:
    """One progress file. Raises ``ValueError`` (``NotARecord`` for other JSON) saying why it cannot
    be used; a bad entry inside a good file is skipped and noted in ``Record.notes``."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise NotARecord(f"{path.stat().st_size:,} bytes: too large to be a progress record")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise ValueError(f"cannot be read ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise ValueError("not text (not UTF-8): not a progress record") from err
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON, perhaps cut short by a crash ({err.msg} line {err.lineno} column {err.colno})") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotARecord(f'not a gan_edu progress record (no "format": "{FORMAT}")')
    version = data.get("version", 1)
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        raise ValueError(f"version must be a whole number >= 1, got {version!r}")
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise ValueError(f'"answers" must be an object (question id -> record), got {type(answers).__name__}')
    learner, notes = data.get("learner"), []
    if version not in KNOWN_VERSIONS:
        notes.append(Problem(str(path), f"written by a newer kit (record version {version}); read as version 2"))
    if learner is not None and not isinstance(learner, str):
        notes.append(Problem(str(path), f"learner must be text, got {learner!r}; treated as a record without an id"))
        learner = None
    learner = (learner or "").strip()[:200] or None
    good = {}
    for qid, entry in answers.items():
        try:
            good[qid] = _answer(qid, entry)
        except ValueError as err:
            notes.append(Problem(str(path), f"skipped: {err}", entry=str(qid)[:80]))
    return Record(path, learner, good, notes)


def _answer(qid, entry) -> Answer:
    """One question's entry, checked field by field (a hostile file must not crash the report)."""
    if not isinstance(qid, str) or not qid.strip():
        raise ValueError("the question id must be text")
    if not isinstance(entry, dict):
        raise ValueError(f"the entry must be an object, got {type(entry).__name__}")
    attempts = entry.get("attempts", 0)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 0:
        raise ValueError(f"attempts must be a whole number >= 0, got {attempts!r}")
    for name in ("correct", "first_try"):
        if not isinstance(entry.get(name), bool) and not (name == "first_try" and entry.get(name) is None):
            raise ValueError(f"{name} must be true or false, got {entry.get(name)!r}")
    answers = entry.get("answers", [])
    if not isinstance(answers, list):
        raise ValueError(f"answers must be a list, got {type(answers).__name__}")
    lesson = entry.get("lesson")
    text = {k: entry.get(k) if isinstance(entry.get(k), str) else None for k in ("kind", "first_time", "time")}
    return Answer(qid=qid, lesson=lesson if isinstance(lesson, str) and lesson else qid.split("-", 1)[0],
                  kind=text["kind"] or "?", attempts=attempts, correct=entry["correct"], first_try=entry.get("first_try"),
                  answers=answers, first_time=text["first_time"], time=text["time"])


# --------------------------------------------------------------------------- the class
@dataclass
class Gathered:
    learners: list[Learner]
    problems: list[Problem]
    skipped: list[str]
    files_read: int


def gather(paths) -> Gathered:
    """Read every input and merge the records into learners (see the module docstring for how)."""
    files, problems = find_files(paths)
    skipped, records = [], []
    for path, must_be_record in files:
        try:
            record = read_record(path)
        except NotARecord as err:
            if must_be_record:
                problems.append(Problem(str(path), str(err)))
            else:
                skipped.append(str(path))
            continue
        except ValueError as err:        # unreadable or damaged: always said, whatever the file's name
            problems.append(Problem(str(path), str(err)))
            continue
        problems.extend(record.notes)
        records.append(record)
    return Gathered(_learners(records, [p for p, _ in files]), problems, skipped, len(records))


def _learners(records: list[Record], all_files: list[Path]) -> list[Learner]:
    by_id: dict[str, Learner] = {}
    base = Path(os.path.commonpath([str(p.parent) for p in all_files])) if all_files else Path(".")
    for record in records:
        if record.learner is not None:
            learner = by_id.setdefault(record.learner, Learner(record.learner, True))
        else:
            name = _name_from_path(record.path, base)
            key = next(k for k in (f"{name} (no id)" if i == 1 else f"{name} (no id, {i})" for i in itertools.count(1))
                       if k not in by_id)
            learner = by_id.setdefault(key, Learner(key, False))
        learner.files.append(str(record.path))
        for qid, answer in record.answers.items():
            learner.answers[qid] = _merge(learner.answers[qid], answer) if qid in learner.answers else answer
    return sorted(by_id.values(), key=lambda l: (not l.named_by_record, l.id.lower(), l.id))


def _name_from_path(path: Path, base: Path) -> str:
    """A readable name for a record without an id: the name in a hand-in copy
    (``gan_edu_progress_ada_2026-11-30.json``), else the folder it sits in (a home, an nbgrader
    ``student+assignment+time`` folder), else the file's name."""
    m = re.fullmatch(r"gan_edu_progress_(.+?)(_\d{4}-\d{2}-\d{2})?\.json", path.name)
    if m:
        return m.group(1)
    if path.name.startswith("gan_edu_progress") and path.parent != base and path.parent.name:
        return path.parent.name.split("+", 1)[0]
    return path.stem


def _when(stamp: str | None) -> _dt.datetime | None:
    try:
        when = _dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
    return when.replace(tzinfo=None) if when else None


def _merge(a: Answer, b: Answer) -> Answer:
    """The same learner's records of one question from two files (rules in the module docstring)."""
    same_start = a.first_time is not None and a.first_time == b.first_time
    if same_start or (a.first_time is None and b.first_time is None and (a.time, a.attempts) == (b.time, b.attempts)):
        return max(a, b, key=lambda r: (r.attempts, _when(r.time) or _dt.datetime.min))
    first = min(a, b, key=lambda r: _when(r.first_time) or _when(r.time) or _dt.datetime.max)
    earlier, last = sorted((a, b), key=lambda r: _when(r.time) or _dt.datetime.min)
    return Answer(qid=a.qid, lesson=a.lesson, kind=a.kind, attempts=a.attempts + b.attempts,
                  correct=a.correct or b.correct, first_try=first.first_try, answers=earlier.answers + last.answers,
                  first_time=first.first_time, time=last.time)


# --------------------------------------------------------------------------- judging answers
def misconception_of(question, answer) -> str | None:
    """The misconception that giving ``answer`` (an option key, a list of keys or a number) signals,
    in the curriculum's words, or None. The one place that reads the quiz's tags: the question's
    ``misconceptions_of(answer)`` (ids) and the registry in :mod:`gan_edu.quiz.misconceptions`.
    A question without tags, or an id the registry does not know, gives None or the bare id."""
    from .misconceptions import MISCONCEPTIONS

    find = getattr(question, "misconceptions_of", None)
    ids = tuple(find(answer)) if callable(find) else ()
    words = [getattr(MISCONCEPTIONS.get(mid), "text", mid) for mid in dict.fromkeys(ids)]
    return "; ".join(words) or None


def _choice_key(value):
    """An answer as a tuple of option keys (a choice is logged as a list, a prediction as one key)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return (value,) if isinstance(value, str) else None


def _wrong_answers(question, answer: Answer) -> set:
    """The distinct wrong answers one learner gave (option-key tuples, or numbers)."""
    kind = getattr(question, "kind", answer.kind)
    given = list(answer.answers)
    if kind == "choice" and question is not None:
        keys = {k for k in map(_choice_key, given) if k}
        multiple = getattr(question, "multiple", False)
        return {k for k in keys if answer_hash(question.qid, list(k) if multiple else k[0]) != question.answer}
    if kind == "numeric" and question is not None:
        nums = {v for v in given if isinstance(v, (int, float)) and not isinstance(v, bool)}
        step = getattr(question, "step", 1.0)
        return {v for v in nums if not (math.isfinite(v) and answer_hash(question.qid, round(v / step)) in question.accepted)}
    # predictions (the right outcome comes from each run, and is not stored) and questions this kit
    # does not know: only a record that was never right says for sure that its answers were wrong
    wrong = [] if answer.correct else given
    return {k for k in (_choice_key(v) if not isinstance(v, (int, float)) else v for v in wrong) if k is not None}


def _wrong_option(question, value, learners: int) -> WrongOption:
    if isinstance(value, tuple):
        options = getattr(question, "options", {}) or {}
        label = " + ".join(options.get(k, f"option {k!r} (not in this kit's question)") for k in value)
        tags = [m for m in (misconception_of(question, k) for k in value) if m]
        return WrongOption(label, learners, "; ".join(dict.fromkeys(tags)) or None)
    return WrongOption(f"{value:g}" if isinstance(value, float) else str(value), learners,
                       misconception_of(question, value))


# --------------------------------------------------------------------------- statistics
def _bank() -> dict:
    from .questions import ALL

    return ALL


def _plain(prompt: str, limit: int = 160) -> str:
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", prompt or "")).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def question_stats(learners: list[Learner]) -> list[QuestionStats]:
    """Per question (the kit's bank in order, then any other answered question id)."""
    bank = _bank()
    seen = {qid: a.lesson for l in learners for qid, a in l.answers.items()}
    out = []
    for qid in list(bank) + sorted(set(seen) - set(bank)):
        q = bank.get(qid)
        records = [l.answers[qid] for l in learners if qid in l.answers and l.answers[qid].attempts > 0]
        wrong = Counter(v for a in records for v in _wrong_answers(q, a))
        out.append(QuestionStats(
            qid=qid, lesson=q.lesson if q is not None else seen[qid], prompt=_plain(getattr(q, "prompt", "")),
            in_bank=q is not None, learners=len(learners), answered=len(records),
            first_try_right=sum(a.first_try is True for a in records), finally_right=sum(a.correct for a in records),
            attempts=sum(a.attempts for a in records),
            wrong=[_wrong_option(q, v, n) for v, n in sorted(wrong.items(), key=lambda kv: (-kv[1], str(kv[0])))]))
    return out


def build_report(gathered: Gathered) -> Report:
    questions = question_stats(gathered.learners)
    lessons = Counter(q.lesson for q in questions if q.in_bank)
    for q in questions:
        lessons.setdefault(q.lesson, 0)
    return Report(learners=gathered.learners, questions=questions, lessons=dict(sorted(lessons.items())),
                  problems=gathered.problems, skipped=gathered.skipped, files_read=gathered.files_read,
                  generated=_dt.datetime.now().isoformat(timespec="seconds"))


# --------------------------------------------------------------------------- answers.csv
CSV_COLUMNS = ["learner", "lesson", "question", "attempts", "first_try_right", "finally_right", "last_answer", "time",
               "learner_id_from"]


def _cell(value) -> str:
    """A spreadsheet-safe cell: text a learner chose (an id) never starts a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _last_answer(answer: Answer) -> str:
    if not answer.answers:
        return ""
    last = answer.answers[-1]
    return ";".join(map(str, last)) if isinstance(last, list) else f"{last:g}" if isinstance(last, float) else str(last)


def render_csv(report: Report) -> str:
    """One row per learner x question (every question of the kit, answered or not)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for learner in report.learners:
        origin = "record" if learner.named_by_record else "file path: " + "; ".join(learner.files)
        for q in report.questions:
            a = learner.answers.get(q.qid)
            if a is None or a.attempts == 0:
                row = [learner.id, q.lesson, q.qid, 0, "", "", "", "", origin]
            else:
                row = [learner.id, q.lesson, q.qid, a.attempts, "" if a.first_try is None else int(a.first_try),
                       int(a.correct), _last_answer(a), a.time or "", origin]
            writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


# --------------------------------------------------------------------------- index.html
_CSS = """
body{font:20px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#fff;margin:0 auto;
 max-width:1400px;padding:1em 1.5em}
h1{font-size:1.8em;margin:.2em 0} h2{font-size:1.4em;margin-top:1.6em;border-bottom:3px solid #0072B2}
h3{font-size:1.15em;margin:1.2em 0 .3em}
table{border-collapse:collapse;margin:.4em 0 1em;width:100%} th,td{border:1px solid #999;padding:.3em .5em;
 vertical-align:top;text-align:left} th{background:#eee} td.num{text-align:right;white-space:nowrap}
table.q{table-layout:fixed} table.q col.qn{width:30%} table.q col.sh{width:12.5%} table.q col.tr{width:6%}
.bar{display:inline-block;height:.7em;background:#0072B2;margin-right:.3em;vertical-align:middle}
.low .bar{background:#D55E00} .mis{color:#8a3b00;font-style:italic} .muted{color:#555}
.alert{border:3px solid #D55E00;padding:.5em 1em;background:#fff4ec} .note{font-size:.85em;color:#333}
td.c0{background:#fff} td.c1{background:#d6e9f5} td.c2{background:#9ecae6} td.c3{background:#56B4E9}
td.c4{background:#0072B2;color:#fff} code{font-size:.9em}
"""


def _pct(n: int, of: int) -> str:
    return "–" if not of else f"{round(100 * n / of)} %"


def _bar(n: int, of: int) -> str:
    """A share as a bar (Okabe-Ito blue; vermillion below half) AND its number, so colour is never alone."""
    if not of:
        return "<span class='muted'>–</span>"
    width = round(100 * n / of)
    cls = " class='low'" if n / of < 0.5 else ""
    return (f"<span{cls}><span class='bar' style='width:{width * 0.04:.2f}em'></span>{width} %</span>"
            f"<br><span class='muted note'>{n} of {of}</span>")


def _wrong_cell(q: QuestionStats) -> str:
    if not q.wrong:
        return "<span class='muted'>none</span>"
    top = q.wrong[0]
    mis = (f"<br><span class='mis'>signals: {html.escape(top.misconception)}</span>" if top.misconception
           else "")
    return f"“{html.escape(top.label)}” <span class='muted'>({top.learners} learner{'s' * (top.learners != 1)})</span>{mis}"


def _question_rows(questions: list[QuestionStats], n_learners: int) -> str:
    rows = []
    for q in questions:
        flag = "" if q.in_bank else " <span class='muted'>(not a question of this kit)</span>"
        tries = f"{q.attempts / q.answered:.1f}" if q.answered else "–"
        rows.append(
            f"<tr><td><b>{html.escape(q.qid)}</b>{flag}<br><span class='note'>{html.escape(q.prompt)}</span></td>"
            f"<td class='num'>{_bar(q.answered, n_learners)}</td><td class='num'>{_bar(q.first_try_right, q.answered)}</td>"
            f"<td class='num'>{_bar(q.finally_right, q.answered)}</td><td class='num'>{tries}</td>"
            f"<td>{_wrong_cell(q)}</td></tr>")
    head = ("<colgroup><col class='qn'><col class='sh'><col class='sh'><col class='sh'><col class='tr'><col></colgroup>"
            "<tr><th>question</th><th>answered</th><th>right at the first try</th><th>right in the end</th>"
            "<th>tries</th><th>most chosen wrong answer</th></tr>")
    return f"<table class='q'>{head}{''.join(rows)}</table>"


def _completion(report: Report) -> str:
    lessons = [k for k, n in report.lessons.items() if n]
    head = "<tr><th>learner</th>" + "".join(f"<th>{html.escape(k)}</th>" for k in lessons) + "<th>all</th></tr>"
    rows, completion = [], report.completion()
    for learner in report.learners:
        done = completion[learner.id]
        name = html.escape(learner.id) if learner.named_by_record else f"<i>{html.escape(learner.id)}</i> †"
        cells = "".join(f"<td class='num c{min(4, (4 * done[k]) // report.lessons[k])}'>{done[k]}/{report.lessons[k]}</td>"
                        for k in lessons)
        total = sum(done[k] for k in lessons)
        rows.append(f"<tr><td>{name}</td>{cells}<td class='num'>{_pct(total, sum(report.lessons[k] for k in lessons))}</td></tr>")
    legend = ("<p class='note'>Each cell: questions answered / questions in the lesson (darker = more). "
              "† no learner id in the record: the name comes from the file's path (see “Files”).</p>")
    return f"<table>{head}{''.join(rows)}</table>{legend}"


def _not_started(report: Report) -> str:
    items = []
    for lesson, missing in report.not_started().items():
        names = ", ".join(map(html.escape, missing)) if missing else "<span class='muted'>everyone has started</span>"
        items.append(f"<li><b>Lesson {html.escape(lesson)}</b> — {len(missing)} of {len(report.learners)}: {names}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _problems(report: Report) -> str:
    parts = []
    unread = [p for p in report.problems if p.entry is None]
    if report.problems:
        lines = "".join(f"<li><code>{html.escape(p.line())}</code></li>" for p in report.problems)
        parts.append(f"<div class='alert' role='alert'><b>{len(unread)} file(s) could not be read, "
                     f"{len(report.problems) - len(unread)} other note(s)</b> — learners in unreadable files are "
                     f"missing from this report:<ul>{lines}</ul></div>")
    if report.skipped:
        lines = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in report.skipped)
        parts.append(f"<details><summary>{len(report.skipped)} other JSON file(s) in the folders are not progress "
                     f"records and were left out</summary><ul>{lines}</ul></details>")
    return "".join(parts)


def _files(report: Report) -> str:
    rows = "".join(f"<tr><td>{html.escape(l.id)}{'' if l.named_by_record else ' †'}</td><td>"
                   + "<br>".join(f"<code>{html.escape(f)}</code>" for f in l.files) + "</td></tr>" for l in report.learners)
    return f"<details><summary>Files read, per learner</summary><table>{rows}</table></details>"


def render_html(report: Report) -> str:
    n = len(report.learners)
    by_lesson = "".join(
        f"<h3 id='lesson-{html.escape(k)}'>Lesson {html.escape(k)}</h3>"
        + _question_rows([q for q in report.questions if q.lesson == k], n) for k in report.lessons)
    hardest = report.hardest()[:HARDEST]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>gan_edu class report</title><style>{_CSS}</style></head><body>
<h1>Class report</h1>
<p>{n} learner{'s' * (n != 1)} from {report.files_read} progress file{'s' * (report.files_read != 1)}; made {html.escape(report.generated)}.
Shares of “right” are out of the learners who answered. Gradebook: <code>answers.csv</code> beside this page.</p>
{_problems(report)}
<h2 id="hardest">Hardest questions first</h2>
<p class="note">The {len(hardest)} questions with the fewest right answers at the first try (every question is under
“Every question, by lesson” below).</p>
{_question_rows(hardest, n) if hardest else "<p>No question has been answered yet.</p>"}
<h2 id="learners">Completion per learner</h2>
{_completion(report)}
<h2 id="not-started">Who has not started a lesson</h2>
{_not_started(report)}
<h2 id="lessons">Every question, by lesson</h2>
{by_lesson}
{_files(report)}
</body></html>
"""


# --------------------------------------------------------------------------- writing
def _write_atomic(files: dict[Path, str]) -> None:
    """Write every file to a temporary name in its folder, then rename them all into place (a
    crash or a full disk leaves the previous report, never half a page)."""
    temps = {}
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps[path] = tmp
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)


def _out_folder(out, force: bool) -> Path:
    if out is None or not os.fspath(out).strip():
        raise ReportError("out: give the folder to write the report into (e.g. --out report)")
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"--out {str(folder)!r} is a file, not a folder; choose a folder")
    existing = [name for name in ("index.html", "answers.csv") if (folder / name).exists()]
    if existing and not force:
        raise ReportError(f"--out {str(folder)!r} already holds a class report ({', '.join(existing)}); "
                          "add --force to replace it or choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"--out {str(folder)!r} cannot be created: {err.strerror or err}") from err
    return folder


def class_report(paths, out, force: bool = False) -> Report:
    """Read ``paths`` (files, folders, globs), write ``out/index.html`` and ``out/answers.csv``;
    returns the :class:`Report`. Raises :class:`ReportError` when nothing could be read or the
    output folder is unusable; unreadable inputs are listed in ``Report.problems``, not raised."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    if not paths:
        raise ReportError("paths: give at least one progress file, folder or glob pattern")
    folder = _out_folder(out, force)
    gathered = gather(paths)
    if not gathered.learners:
        why = "; ".join(p.line() for p in gathered.problems[:5]) or "no progress file was found"
        raise ReportError(f"no progress record could be read from {', '.join(map(str, paths))}: {why}")
    report = build_report(gathered)
    report.html_path, report.csv_path = folder / "index.html", folder / "answers.csv"
    try:
        _write_atomic({report.html_path: render_html(report), report.csv_path: render_csv(report)})
    except OSError as err:
        raise ReportError(f"cannot write the report into {str(folder)!r}: {err.strerror or err}") from err
    return report


def main_from_args(paths: list[str], out: str, force: bool) -> int:
    """``gan-edu class-report PATHS... --out DIR [--force]``: 0 written, 1 failure, 2 usage."""
    prog = "gan-edu class-report"
    if not paths or not out or not str(out).strip():
        what = "PATHS (progress files, folders or globs)" if not paths else "--out DIR"
        print(f"{prog}: error: missing {what} (see --help)", file=sys.stderr)
        return 2
    try:
        report = class_report(paths, out, force=force)
    except ReportError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 1
    unread = [p for p in report.problems if p.entry is None]
    print(f"class report: {len(report.learners)} learners from {report.files_read} files -> "
          f"{report.html_path}, {report.csv_path}")
    if report.problems:
        print(f"{prog}: {len(unread)} file(s) could not be read, {len(report.problems) - len(unread)} note(s) "
              "(also listed at the top of the page):", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem.line()}", file=sys.stderr)
    return 0
