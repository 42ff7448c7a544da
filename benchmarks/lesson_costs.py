"""What each lesson costs one student: Run All in a fresh kernel on ONE CPU, measured.

    python benchmarks/lesson_costs.py                      # every lesson, printed as a table
    python benchmarks/lesson_costs.py 05 07 --repeats 3    # some lessons, the median of 3 runs
    python benchmarks/lesson_costs.py --write-classroom    # also fill docs/CLASSROOM.md's table

Each lesson runs top to bottom with nbclient (as nbval does) in a new kernel started under
``taskset -c 0`` (one CPU; the lessons use one torch thread anyway). Measured from the kernel
process itself (psutil), so other programs on the machine change the wall time but hardly the
rest:

* **CPU s**: the kernel's user + system CPU time for Run All (start-up excluded);
* **wall s**: Run All's wall time (on an idle machine about the CPU time; on a busy one more);
* **peak RSS**: the kernel's largest resident memory, sampled every 50 ms.

The lessons promise Run All in at most 60 s on one CPU thread; the table marks each lesson.
The notebooks are executed in a temporary copy, so the committed files are not touched.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CLASSROOM = ROOT / "docs" / "CLASSROOM.md"
BUDGET_S = 60.0
BINDER_BYTES = 2 * 1024**3


def lesson_paths(which: list[str]) -> list[Path]:
    every = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not which:
        return every
    chosen = [p for p in every if any(p.name.startswith(w.zfill(2)) for w in which)]
    if len(chosen) != len(which):
        known = ", ".join(p.name[:2] for p in every)
        raise SystemExit(f"lesson_costs: unknown lesson in {which}; lessons are {known}")
    return chosen


class _Peak(threading.Thread):
    """Samples a process's RSS (with its children) until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.proc, self.peak, self._done = psutil.Process(pid), 0, threading.Event()

    def run(self):
        while not self._done.is_set():
            try:
                rss = self.proc.memory_info().rss + sum(c.memory_info().rss for c in self.proc.children(recursive=True))
                self.peak = max(self.peak, rss)
            except Exception:  # noqa: BLE001 - the kernel may be gone between two samples
                return
            self._done.wait(0.05)

    def stop(self) -> int:
        self._done.set()
        self.join(timeout=1)
        return self.peak


def measure(path: Path, timeout: int = 900) -> dict:
    import nbformat
    import psutil
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="gan_edu_cost_") as tmp:
        work = Path(tmp) / path.name
        shutil.copy(path, work)
        nb = nbformat.read(work, as_version=4)
        env = {**os.environ, "GAN_EDU_PROGRESS": str(Path(tmp) / "progress.json"), "MPLBACKEND": "Agg"}
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": tmp}})
        client.km = client.create_kernel_manager()
        client.km.kernel_cmd = ["taskset", "-c", "0", *client.km.format_kernel_cmd()]
        with client.setup_kernel(env=env):
            pid = client.km.provisioner.process.pid
            kernel = psutil.Process(pid)
            cpu0 = kernel.cpu_times()
            sampler = _Peak(pid)
            sampler.start()
            t0 = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            wall = time.perf_counter() - t0
            cpu1 = kernel.cpu_times()
            peak = sampler.stop()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {"lesson": path.name, "cpu_s": cpu, "wall_s": wall, "peak_rss": peak}


def table(rows: list[dict]) -> str:
    lines = [f"{'lesson':<34} {'CPU s':>7} {'wall s':>7} {'peak RSS':>9}  ≤ {BUDGET_S:.0f} s on one thread?"]
    for r in rows:
        ok = "yes" if r["cpu_s"] <= BUDGET_S else "NO"
        lines.append(f"{r['lesson']:<34} {r['cpu_s']:>7.1f} {r['wall_s']:>7.1f} {r['peak_rss'] / 2**20:>6.0f} MB  {ok}")
    return "\n".join(lines)


def write_classroom(rows: list[dict], command: str) -> None:
    """Replace the marked table in docs/CLASSROOM.md with these figures."""
    text = CLASSROOM.read_text()
    start, end = "<!-- MEASURED FIGURES", "<!-- END MEASURED FIGURES -->"
    if start not in text or end not in text:
        raise SystemExit(f"lesson_costs: {CLASSROOM} has no marked table ({start} ... {end})")
    head = text[: text.index(start)]
    tail = text[text.index(end) + len(end):]
    body = [f"{start}: made by `{command}` on {time.strftime('%Y-%m-%d')} — do not edit by hand -->",
            "| lesson | peak kernel memory (RSS) | CPU-seconds (Run All) | wall-seconds (Run All, one CPU) "
            "| ≤ 60 s on one thread? | fits Binder's 2 GB? |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        name = r["lesson"].removesuffix(".ipynb").replace("_", " ")
        body.append(f"| {name} | {r['peak_rss'] / 2**20:.0f} MB | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | "
                    f"{'yes' if r['cpu_s'] <= BUDGET_S else 'no'} | {'yes' if r['peak_rss'] < BINDER_BYTES else 'no'} |")
    CLASSROOM.write_text(head + "\n".join(body) + "\n" + end + tail)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per lesson; the median of each figure is shown")
    ap.add_argument("--write-classroom", action="store_true", help="fill docs/CLASSROOM.md's measured table")
    args = ap.parse_args(argv)
    if shutil.which("taskset") is None:
        raise SystemExit("lesson_costs: needs taskset (util-linux) to pin each kernel to one CPU")
    rows = []
    for path in lesson_paths(args.lessons):
        runs = [measure(path) for _ in range(max(1, args.repeats))]
        rows.append({k: (statistics.median(r[k] for r in runs) if k != "lesson" else path.name) for k in runs[0]})
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print("\n" + table(rows))
    if args.write_classroom:
        lessons = " ".join(a for a in args.lessons)
        command = re.sub(r"\s+", " ", f"python benchmarks/lesson_costs.py {lessons} --repeats {args.repeats} --write-classroom")
        write_classroom(rows, command)
        print(f"\nwrote the table into {CLASSROOM.relative_to(ROOT)}")
    return 0 if all(r["cpu_s"] <= BUDGET_S for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
