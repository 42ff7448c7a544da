"""A lesson opened in a kernel without ipympl (and, on this machine, without a GPU) still runs.

The training lab is the one place that uses ipympl (a canvas to click points in); here lesson 04
runs top to bottom, without an error, in a fresh kernel in which ``import ipympl`` fails."""
import os
import shutil
from pathlib import Path

import nbformat
import pytest
import torch
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kernel_without_ipympl(tmp_path, monkeypatch):
    shadow = tmp_path / "shadow" / "ipympl"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("ipympl is not installed in this kernel (hidden by the test)")\n')
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(shadow.parent), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(tmp_path / "progress.json"))
    return tmp_path


@pytest.mark.timeout(600)
def test_training_lab_lesson_runs_without_ipympl(kernel_without_ipympl):
    work = kernel_without_ipympl
    nb_path = shutil.copy(ROOT / "notebooks" / "04_training_lab.ipynb", work / "04.ipynb")
    nb = nbformat.read(nb_path, as_version=4)
    probe = nbformat.v4.new_code_cell(
        "import torch\n"
        "try:\n    import ipympl  # noqa\n    print('ipympl: yes')\nexcept ImportError:\n    print('ipympl: no')\n"
        "print('device auto ->', ge.resolve_device('auto'))\n"
        "print('clicking note:', 'needs ipympl' in lab.w_points_box.children[0].children[3].value)")
    nb.cells.append(probe)
    # execute() raises CellExecutionError at the first cell that fails
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    shown = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "TrainingDiverged: training diverged at step" in shown          # the lesson's caught divergence
    text = "".join(o.get("text", "") for o in probe.outputs)
    assert "ipympl: no" in text and "clicking note: True" in text
    assert f"device auto -> {'cuda' if torch.cuda.is_available() else 'cpu'}" in text
