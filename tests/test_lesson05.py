"""Lesson 05: the ring presets, the experiments that compare them, and the mode-collapse pictures.
(The lesson's claims themselves -- vanilla collapses, a remedy covers 8/8 -- are checked by nbval.)"""
import numpy as np
import pytest
import torch
from helpers import make_trainer, params_of, same

import gan_edu as ge
from gan_edu.lessons import experiments
from gan_edu.viz import collapse as vc

RING = ["ring-vanilla", "ring-pacgan", "ring-minibatch-std", "ring-unrolled", "ring-wgan-gp"]


def test_ring_presets_differ_only_in_their_remedy():
    assert ge.presets.names("ring") == RING
    built = {name: ge.presets.build(name, seed=0) for name in RING}
    assert built["ring-pacgan"].pack == 2 and built["ring-pacgan"].D.in_dim == 4
    assert any(isinstance(m, ge.models.MinibatchStd) for m in built["ring-minibatch-std"].D.modules())
    assert built["ring-unrolled"].unroll == 3
    assert built["ring-wgan-gp"].loss.name == "wgan_gp" and built["ring-wgan-gp"].d_steps == 5
    vanilla = built["ring-vanilla"]
    assert (vanilla.pack, vanilla.unroll, vanilla.loss.name) == (1, 0, "non_saturating")
    assert not any(isinstance(m, ge.models.MinibatchStd) for m in vanilla.D.modules())
    # same seed, same start: every remedy shares G's initial weights with vanilla
    assert all(same(params_of(tr.G), params_of(vanilla.G)) for tr in built.values())
    with pytest.raises(ValueError, match="ring-vanilla"):
        ge.presets.get("ring-nope")


def test_run_and_summarise_average_over_seeds():
    rows = experiments.run(lambda seed: make_trainer(seed), steps=5, seeds=(0, 1), keep=True)
    assert [r["seed"] for r in rows] == [0, 1] and all(r["trainer"].state.step == 5 for r in rows)
    assert all(0 <= r["modes"] <= 8 and 0 <= r["hq"] <= 1 and r["jsd"] >= 0 for r in rows)
    table = experiments.summarise({"small": rows})
    assert table[0]["setup"] == "small" and table[0]["seeds"] == 2
    assert table[0]["modes"] == pytest.approx((rows[0]["modes"] + rows[1]["modes"]) / 2)
    assert table[0]["modes_min"] == min(r["modes"] for r in rows)
    assert "trainer" not in table[0] and "counts" not in table[0] and "seed" not in table[0]


def test_evaluate_matches_mode_coverage():
    tr = make_trainer()
    out = experiments.evaluate(tr, n=500, seed=3)
    modes, hq, counts = ge.metrics.mode_coverage(tr.sample(500, generator=torch.Generator().manual_seed(3)),
                                                 tr.data.centers, tr.data.std)
    assert (out["modes"], out["hq"], out["counts"]) == (modes, hq, counts.tolist())


def test_run_presets_in_worker_processes_matches_a_run_here():
    """The process pool gives the numbers an in-process run of the same preset and seed gives."""
    pooled = experiments.run_presets(["ring-vanilla", "ring-pacgan"], seeds=(0,), workers=2, steps=30,
                                     n_samples=200, progress=False)
    here = experiments.run_presets(["ring-vanilla", "ring-pacgan"], seeds=(0,), workers=1, steps=30,
                                   n_samples=200, progress=False)
    for name in ("ring-vanilla", "ring-pacgan"):
        a, b = pooled[name][0], here[name][0]
        assert a["steps"] == 30 and a["samples"].shape == (200, 2)
        assert np.array_equal(a["samples"], b["samples"]) and a["counts"] == b["counts"]
    with pytest.raises(ValueError, match="ring-vanilla"):
        experiments.run_presets(["no-such-preset"], progress=False)


def test_coverage_timeline_counts_every_few_steps():
    tr = make_trainer()
    steps, counts = experiments.coverage_timeline(tr, steps=20, every=5, n=300, progress=False)
    assert steps.tolist() == [5, 10, 15, 20] and counts.shape == (4, 8)
    assert (counts >= 0).all() and (counts.sum(axis=1) <= 300).all()
    assert tr.state.step == 20 and not tr.handlers["step_end"]          # its recorder is gone afterwards
    with pytest.raises(ValueError, match="mixture data with centers"):
        experiments.coverage_timeline(make_trainer(data=ge.data.moons()), steps=5)


def test_table_html_formats_and_escapes():
    html = experiments.table_html([{"setup": "<b>x</b>", "hq": 0.5}, {"setup": "y"}],
                                  {"setup": ("set-up", "{}"), "hq": ("HQ", "{:.0%}")})
    assert "<th>set-up</th><th>HQ</th>" in html and "<td>50%</td>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "<tr><td>y</td><td></td></tr>" in html                       # a missing value is an empty cell


def test_pictures():
    ring, grid = ge.data.ring(), ge.data.grid()
    fig = vc.plot_datasets([ring, grid])
    assert [ax.get_title() for ax in fig.axes] == ["ring: 8 modes", "grid: 25 modes"]
    assert [len(ax.patches) for ax in fig.axes] == [8, 25]                # one high-quality circle per mode
    with pytest.raises(ValueError, match="mixtures with centres"):
        vc.plot_datasets([ge.data.moons()])
    tr = make_trainer()
    fig = vc.plot_side_by_side({"live": tr, "given": (ring, np.zeros((10, 2)))}, cols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["live", "given"] and len(fig.axes) == 3            # the spare panel is switched off
    counts = np.array([[100, 0, 0, 0, 0, 0, 0, 0], [0, 50, 50, 0, 0, 0, 0, 0]])
    fig = vc.plot_coverage_timeline([10, 20], counts)
    lines = {line.get_label(): line.get_ydata().tolist() for line in fig.axes[1].lines}
    assert lines["captured right now"] == [1, 2] and lines["visited so far"] == [1, 3]
