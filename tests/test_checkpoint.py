"""save / load round trips, and refusing files that are not ours."""
import pickle

import pytest
import torch
from helpers import make_trainer, params_of, same

import gan_edu as ge


def test_save_load_round_trip_continues_identically(tmp_path):
    tr = make_trainer(seed=2, loss="hinge", d_steps=2, lr_g=5e-4)
    tr.run(10, progress=False)
    path = tmp_path / "ckpt.pt"
    tr.save(path)
    tr2 = ge.Trainer.load(path, device="cpu")
    assert tr2.state.step == 10 and tr2.loss is ge.losses.hinge and tr2.d_steps == 2 and tr2.lr_g == 5e-4
    assert list(tr2.history["loss_d"].values) == list(tr.history["loss_d"].values)
    assert same(params_of(tr.G, tr.D), params_of(tr2.G, tr2.D))
    tr.run(10, progress=False)
    tr2.run(10, progress=False)
    assert same(params_of(tr.G, tr.D), params_of(tr2.G, tr2.D))


def test_save_load_images_and_points(tmp_path):
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=8), ge.models.DCDiscriminator(features=8),
                    ge.data.digits(), batch_size=16, device="cpu")
    tr.step()
    tr.save(tmp_path / "img.pt")
    assert ge.Trainer.load(tmp_path / "img.pt").data.name == "digits"
    pts = make_trainer(data=ge.data.from_points([[0, 0], [1, 2], [3, 1]]))
    pts.step()
    pts.save(tmp_path / "pts.pt")
    assert ge.Trainer.load(tmp_path / "pts.pt").data.points.tolist() == [[0, 0], [1, 2], [3, 1]]


class Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")   # the hostile pickle is meant to look odd
def test_load_refuses_files_that_are_not_checkpoints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "noise.pt").write_bytes(b"\x00\x01not a checkpoint at all")
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "noise.pt")
    with open(tmp_path / "evil.pt", "wb") as f:          # a plain pickle that would run code
        pickle.dump({"format": "gan_edu.checkpoint", "x": Boom()}, f)
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "evil.pt")
    torch.save({"format": "gan_edu.checkpoint", "x": Boom()}, tmp_path / "evil2.pt")
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "evil2.pt")
    assert not (tmp_path / "PWNED").exists()
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="no 'format'"):
        ge.Trainer.load(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError):
        ge.Trainer.load(tmp_path / "missing.pt")


def test_save_refuses_modules_it_cannot_rebuild(tmp_path):
    G = ge.models.MLPGenerator()
    custom_d = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Flatten(0))
    tr = ge.Trainer(G, custom_d, ge.data.ring(), device="cpu")
    tr.step()                                               # custom modules train fine
    with pytest.raises(ValueError, match="state_dict"):
        tr.save(tmp_path / "x.pt")
