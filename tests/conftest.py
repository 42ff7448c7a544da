import os
import tempfile

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("GAN_EDU_PROGRESS", os.path.join(tempfile.mkdtemp(prefix="gan_edu_tests_"), "progress.json"))

from helpers import make_trainer  # noqa: E402

import gan_edu as ge  # noqa: E402

# The networks under test are tiny: one thread is as fast, and does not thrash on a busy machine.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Every test answers quizzes into its own, empty progress file."""
    from gan_edu import quiz

    monkeypatch.setenv("GAN_EDU_PROGRESS", str(tmp_path / "progress.json"))
    quiz.reset_progress()
    yield tmp_path / "progress.json"
    quiz.reset_progress()


@pytest.fixture
def ring():
    return ge.data.ring()


@pytest.fixture
def trainer():
    return make_trainer()
