"""Re-execute lesson notebooks in place, top to bottom, so the committed copies show their
outputs when browsed without running them.

    python tools/execute_notebooks.py notebooks/00_welcome.ipynb [...]

Runs each in its own folder with the current Python's kernel, seeded by the notebooks
themselves, and reports the wall time of each (the lessons promise < 60 s on 2 cores).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=True).execute()
    elapsed = time.perf_counter() - t0
    for cell in nb.cells:               # keep diffs small: no execution timing metadata
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name)
        print(f"{path.name}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
