"""How long does each remedy take to cover the ring? And lesson 05's remedies table.

    python benchmarks/bench_mode_collapse.py [--seeds 0 1 2] [--every 250] [--write [PATH]]

For every ring preset (``ge.presets.names("ring")``) and seed, train it from scratch for its
preset's number of steps on one CPU thread and check every ``--every`` steps, with 2500
samples, whether all 8 modes are captured with >= 90 % high-quality samples (3 std). Reports,
per preset: the seconds of training until that first held (training time only, checks
excluded; "never" if it did not within the preset's steps), the final modes / high-quality
share / JS divergence, and the seconds per step relative to ring-vanilla measured in the same
run. Presets run interleaved by seed. Not a test: nothing here asserts a time.

``--write`` also saves the runs as lesson 05's remedies table (a supplement: the lesson runs
one remedy live and reads the rest from it), by default to
``gan_edu/lessons/supplements/05_ring_remedies.json``, with this command, the date, the
versions and each preset's fingerprint inside (``tests/test_lesson05.py`` re-checks it).
"""
from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import torch

import gan_edu as ge
from gan_edu.lessons import collapse, experiments

ROOT = Path(__file__).resolve().parents[1]


def versions() -> dict:
    """What made the numbers: package and library versions, the machine, the git commit."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "gan_edu"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        commit += " (with uncommitted changes in gan_edu/)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown (not a git checkout)"
    return {"gan_edu": ge.__version__, "git_commit": commit, "torch": torch.__version__,
            "python": platform.python_version(), "machine": f"{platform.machine()} {platform.processor()}".strip(),
            "threads": torch.get_num_threads()}


def print_table(rows: dict) -> None:
    base = statistics.median(r["seconds"] / r["steps"] for r in rows.get("ring-vanilla", next(iter(rows.values()))))
    print(f"\n{'preset':20s}{'steps':>7}{'to 8 modes & 90% HQ (s)':>27}{'final modes':>13}{'final HQ':>10}{'JSD':>7}"
          f"{'train s':>9}{'s/step vs vanilla':>19}")
    for name, rs in rows.items():
        shown = ", ".join("never" if r["reached"] is None else f"{r['reached']:.1f}" for r in rs)
        print(f"{name:20s}{rs[0]['steps']:>7}{shown:>27}{statistics.mean(r['modes'] for r in rs):>13.1f}"
              f"{statistics.mean(r['hq'] for r in rs):>10.0%}{statistics.mean(r['jsd'] for r in rs):>7.2f}"
              f"{statistics.median(r['seconds'] for r in rs):>9.1f}"
              f"{statistics.median(r['seconds'] / r['steps'] for r in rs) / base:>19.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--every", type=int, default=250)
    ap.add_argument("--presets", nargs="+", default=ge.presets.names("ring"))
    ap.add_argument("--write", nargs="?", const=str(collapse.SUPPLEMENT.relative_to(ROOT)), default=None,
                    metavar="PATH", help="also save lesson 05's remedies table (default: %(const)s)")
    args = ap.parse_args(argv)
    ge.setup_lesson(0)              # one CPU thread, as the lessons run
    made_by = versions()            # the code as it is when the runs start
    rows = {name: [] for name in args.presets}
    for seed in args.seeds:
        for name in args.presets:
            r = experiments.preset_row(name, seed, check_every=args.every)
            rows[name].append(r)
            reached = "never" if r["reached"] is None else f"{r['reached']:.1f} s"
            print(f"  {name} seed {seed}: {r['modes']} modes, {r['hq']:.0%} HQ, {reached} to 8 modes at >= 90%", flush=True)
    print_table(rows)
    if args.write:
        command = "python benchmarks/bench_mode_collapse.py " + " ".join(argv if argv is not None else sys.argv[1:])
        made = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        path = collapse.write_supplement(collapse.supplement(rows, args.seeds, command, made, made_by),
                                         ROOT / args.write)
        print(f"\nwrote {path}")
    return rows


if __name__ == "__main__":
    main()
