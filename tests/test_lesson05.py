"""Lesson 05: the ring presets, the experiments that compare them, and the mode-collapse pictures.
(The lesson's claims themselves -- vanilla collapses, a remedy covers 8/8 -- are checked by nbval.)"""
import json

import numpy as np
import pytest
import torch
from helpers import make_trainer, params_of, same

import gan_edu as ge
from gan_edu.lessons import collapse, experiments
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


def test_preset_row_checks_do_not_change_the_run():
    """Checking coverage along the way (the benchmark) gives the very run a plain training gives."""
    checked = experiments.preset_row("ring-pacgan", seed=0, steps=40, n_samples=200, check_every=10)
    plain = experiments.preset_row("ring-pacgan", seed=0, steps=40, n_samples=200)
    assert checked["steps"] == 40 and checked["samples"].shape == (200, 2) and checked["reached"] is None
    assert np.array_equal(checked["samples"], plain["samples"]) and checked["counts"] == plain["counts"]
    assert checked["jsd"] == plain["jsd"] and "reached" not in plain


def test_run_presets_trains_each_preset_and_seed_here():
    rows = experiments.run_presets(["ring-vanilla", "ring-pacgan"], seeds=(1, 0), steps=20, n_samples=100,
                                   progress=False)
    assert list(rows) == ["ring-vanilla", "ring-pacgan"] and [r["seed"] for r in rows["ring-pacgan"]] == [1, 0]
    again = experiments.preset_row("ring-pacgan", seed=0, steps=20, n_samples=100)
    assert np.array_equal(rows["ring-pacgan"][1]["samples"], again["samples"])
    with pytest.raises(ValueError, match="ring-vanilla"):
        experiments.run_presets(["no-such-preset"], progress=False)


def test_measure_and_the_datas_own_row():
    tr = make_trainer()
    x = tr.sample(500, generator=torch.Generator().manual_seed(3))
    assert experiments.measure(x, tr.data, seed=3) == experiments.evaluate(tr, n=500, seed=3)
    floor = experiments.data_row(ge.data.ring())
    assert floor["setup"] == "the data themselves" and floor["modes"] == 8 and floor["hq"] > 0.98
    assert 0.1 < floor["jsd"] < 0.3          # 2500 samples on a 50 x 50 grid: the estimator's floor is not 0


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
    fig = vc.plot_side_by_side({"live": tr, "given": (ring, np.zeros((10, 2))), "run": synthetic_run([0.5]),
                                "fourth": (ring, np.ones((3, 2)))})
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["live", "given", "run", "fourth"] and len(fig.axes) == 6       # 3 a row; spare panels off
    assert fig.get_figwidth() <= 9.0                                                  # shown unscaled at 100 %
    with pytest.raises(ValueError, match="at least one"):
        vc.plot_side_by_side({})


def test_coverage_timeline_and_moments_pictures():
    run = synthetic_run([0.0, np.pi / 4, np.pi / 2])                      # the clump moves from mode 0 to mode 2
    fig = vc.plot_coverage_timeline(run)
    lines = {line.get_label(): line.get_ydata().tolist() for line in fig.axes[1].lines}
    assert lines["captured right now"] == run.captured_now.tolist() and lines["captured at least once so far"] == [1, 2, 3]
    shown = fig.axes[0].images[0].get_array()                             # [mode, check]: share of samples nearest
    assert shown[:, 0].argmax() == 0 and shown[:, 2].argmax() == 2 and np.allclose(shown.sum(axis=0), 1)
    fig.canvas.draw()
    legend = fig.legends[0]
    assert legend.get_window_extent().y1 < min(ax.get_window_extent().y0 for ax in fig.axes[:2])   # below the plots
    with pytest.raises(TypeError, match="CollapseRun"):
        vc.plot_coverage_timeline(np.zeros(3))
    real = collapse.record("ring-vanilla", seed=0, steps=20, every=10, n=50)
    fig = vc.plot_moments(real, [10, 20], cols=2)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["step 10", "step 20"] and len(fig.axes[0].images) == 1
    with pytest.raises(ValueError, match="was not checked"):
        vc.plot_moments(real, [15])


def test_figures_are_readable_at_100_percent():
    """Issue 13: no text under 8 pt (11 px at 100 dpi), no figure wider than 9 inches (it would be shrunk)."""
    from matplotlib.text import Text

    run = synthetic_run([0.0, 1.0])
    real = collapse.record("ring-vanilla", seed=0, steps=10, every=10, n=20)
    for fig in (vc.plot_datasets([ge.data.ring(), ge.data.grid()]), vc.plot_coverage_timeline(run),
                vc.plot_side_by_side({"a": run, "b": run, "c": run}), vc.plot_moments(real, [10])):
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
        assert min(sizes) >= 8 and fig.get_figwidth() <= 9.0, (min(sizes), fig.get_figwidth())


# --------------------------------------------------------------------------- a run, recorded (lessons/collapse.py)
# 40 steps in, G's samples still lie off the JSD's grid: gan_edu.metrics.js_divergence_2d divides 0 by 0 (NaN)
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_record_keeps_every_check_and_does_not_change_the_run():
    before = len(collapse.TRAINED)
    run = collapse.record("ring-vanilla", seed=1, steps=40, every=10, n=200)
    assert run.steps.tolist() == [10, 20, 30, 40] and run.samples.shape == (4, 200, 2) and len(run.discriminators) == 4
    assert (run.near.sum(axis=1) == 200).all() and (run.captured <= run.near).all()
    assert (np.diff(run.captured_ever) >= 0).all() and (run.captured_ever >= run.captured_now).all()
    assert collapse.TRAINED[before:] == [("ring-vanilla", 1, 40)]
    plain = experiments.preset_row("ring-vanilla", seed=1, steps=40)           # recording does not perturb training
    same_numbers = {k: plain[k] for k in ("modes", "hq", "counts", "jsd")}
    assert json.dumps(run.final, sort_keys=True) == json.dumps(same_numbers, sort_keys=True)    # NaN-safe equality
    assert run.outcome == collapse.outcome_key(plain["modes"]) and run.at(30) == 2
    with pytest.raises(ValueError, match="was not checked"):
        run.at(35)
    assert [collapse.outcome_key(m) for m in (8, 7, 4, 3, 0)] == ["all", "some", "some", "few", "few"]
    with pytest.raises(ValueError, match="modes"):
        collapse.outcome_key(9)


def synthetic_run(angles, spread=0.05, n=400):
    """A CollapseRun whose samples are one clump on the ring at each of ``angles`` (radians)."""
    ring = ge.data.ring()
    rng = np.random.default_rng(0)
    samples = np.stack([np.array([np.cos(a), np.sin(a)]) + spread * rng.standard_normal((n, 2)) for a in angles])
    steps = np.arange(1, len(angles) + 1) * 10
    final = experiments.measure(samples[-1], ring)
    return collapse.CollapseRun("synthetic", 0, ring, steps, samples, [None] * len(angles), final, samples[-1])


def test_travel_counts_turns_around_the_ring():
    quarter = np.pi / 2
    assert collapse.travel(synthetic_run([0, quarter, 2 * quarter, 3 * quarter, 0])) == pytest.approx(1.0, abs=0.02)
    back_and_forth = synthetic_run([0, quarter, 0, quarter, 0])                    # moves a whole turn, gets nowhere
    assert collapse.travel(back_and_forth) == pytest.approx(1.0, abs=0.02)
    assert collapse.travel(synthetic_run([0.3] * 5)) < 0.01


def test_clump_tells_one_clump_from_the_whole_ring():
    ring = ge.data.ring()
    one = collapse.clump(synthetic_run([0.4]).samples[0], ring)
    assert one.share_within == 1.0 and one.spread == pytest.approx(0.05 * np.sqrt(2), rel=0.1)
    assert one.centre_to_mode == pytest.approx(2 * np.sin((np.pi / 4 - 0.4) / 2), abs=0.01)     # mode 1, at 45 degrees
    spread = collapse.clump(ring.sample(2000, generator=torch.Generator().manual_seed(0)), ring)
    assert spread.share_within == 0.0 and spread.spread == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError, match="radius"):
        collapse.clump(ring.sample(10), ring, radius=0)


def test_trained_lists_each_distinct_run_once(monkeypatch):
    monkeypatch.setattr(collapse, "TRAINED", [])
    assert collapse.trained().startswith("No GAN")
    monkeypatch.setattr(collapse, "TRAINED", [("a", 0, 10), ("b", 0, 5), ("a", 0, 10)])
    assert collapse.trained() == "2 GANs, 15 steps in all:\n  a (seed 0, 10 steps)\n  b (seed 0, 5 steps)"


# --------------------------------------------------------------------------- the supplement
def test_supplement_round_trip_and_table(tmp_path):
    rows = experiments.run_presets(["ring-vanilla", "ring-pacgan"], seeds=(0, 1), steps=20, n_samples=50,
                                   progress=False)
    sup = collapse.supplement(rows, (0, 1), "python x.py", "today", {"torch": torch.__version__})
    path = collapse.write_supplement(sup, tmp_path / "t.json")
    back = collapse.load_supplement(path)
    assert back["command"] == "python x.py" and back["seeds"] == [0, 1] and len(back["rows"]) == 4
    assert back["presets"]["ring-pacgan"] == {"steps": 7000, "fingerprint": collapse.fingerprint("ring-pacgan"),
                                              "description": ge.presets.get("ring-pacgan").description}
    assert np.allclose(collapse.supplement_samples(back)["ring-vanilla"], rows["ring-vanilla"][0]["samples"], atol=5e-4)
    table = collapse.supplement_table(back)
    assert [r["setup"] for r in table] == ["ring-vanilla", "ring-pacgan", "the data themselves"]
    assert table[0]["modes"] == pytest.approx(np.mean([r["modes"] for r in rows["ring-vanilla"]]))
    assert (path.stat().st_mode & 0o777) == 0o644


def test_supplement_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    collapse.write_supplement({"a": 1}, path)

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(collapse.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        collapse.write_supplement({"a": 2}, path)
    assert json.loads(path.read_text()) == {"a": 1} and [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_load_supplement_says_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="bench_mode_collapse.py"):
        collapse.load_supplement(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"rows": []}')
    with pytest.raises(ValueError, match="lacks"):
        collapse.load_supplement(tmp_path / "bad.json")


def test_fingerprint_changes_with_the_set_up(monkeypatch):
    before = collapse.fingerprint("ring-vanilla")
    assert before == collapse.fingerprint("ring-vanilla") and before != collapse.fingerprint("ring-pacgan")
    monkeypatch.setattr(ge.presets.get("ring-vanilla"), "steps", 4001)
    assert collapse.fingerprint("ring-vanilla") != before


def test_the_shipped_supplement_matches_the_code():
    """The remedies table the lesson reads was made by the command it names, for the presets as they are
    now (steps and fingerprints), on every seed; one of its rows is made again here. The run is
    bit-for-bit the same on the machine and torch that made it (then the numbers must match exactly);
    elsewhere float rounding can steer a GAN differently, so only the outcome and rough numbers are compared."""
    import platform

    sup = collapse.load_supplement()
    assert sup["command"].startswith("python benchmarks/bench_mode_collapse.py") and "--write" in sup["command"]
    assert set(sup["presets"]) == set(RING) and sup["threads"] == 1
    for name in RING:
        assert sup["presets"][name]["steps"] == ge.presets.get(name).steps, f"{name}: re-run {sup['command']}"
        assert sup["presets"][name]["fingerprint"] == collapse.fingerprint(name), f"{name}: re-run {sup['command']}"
        assert sorted(r["seed"] for r in sup["rows"] if r["preset"] == name) == sup["seeds"]
    stored = next(r for r in sup["rows"] if r["preset"] == "ring-vanilla" and r["seed"] == 1)
    again = experiments.preset_row("ring-vanilla", seed=1)
    same_machine = sup["torch"] == torch.__version__ and sup["machine"] == f"{platform.machine()} {platform.processor()}".strip()
    if same_machine:
        assert (again["modes"], again["counts"], again["hq"], again["jsd"]) == (stored["modes"], stored["counts"],
                                                                                stored["hq"], stored["jsd"])
    assert collapse.outcome_key(again["modes"]) == collapse.outcome_key(stored["modes"])
    assert abs(again["hq"] - stored["hq"]) < 0.05


def test_turns_and_tilt():
    assert collapse.turns([0, 3, 6]) == pytest.approx(6 / (2 * np.pi))
    assert collapse.turns([0.0, -3.0, 0.3]) == pytest.approx((3 + 2 * np.pi - 3.3) / (2 * np.pi))   # short way round
    run = collapse.record("ring-vanilla", seed=0, steps=20, every=10, n=50)
    for D, (a, b) in zip(run.discriminators, ((1.0, 2.0), (-3.0, 0.5))):          # make each D exactly a plane:
        linears = [m for m in D.modules() if isinstance(m, torch.nn.Linear)]      # logit = 1 * (a x + b y + 5)
        with torch.no_grad():
            for p in D.parameters():
                p.zero_()
            linears[0].weight[0] = torch.tensor([a, b])
            linears[0].bias[0] = 5.0                                                # positive on the whole square
            linears[-1].weight[0, 0] = 1.0
    t = collapse.tilt(run)
    assert np.allclose(t.r2, 1.0) and np.allclose(t.angle, [np.arctan2(2.0, 1.0), np.arctan2(0.5, -3.0)])


def test_setup_changes_read_off_the_trainers():
    assert collapse.setup_changes("ring-vanilla") == []
    pac = collapse.setup_changes("ring-pacgan")
    assert pac[:2] == ["steps 7000 (not 4000)", "pack=2 (not 1)"] and pac[2].startswith("D: Linear(4 -> 128)")
    wgan = collapse.setup_changes("ring-wgan-gp")
    assert "d_steps=5 (not 1)" in wgan and "gp_weight=0.1 (not 10.0)" in wgan and "loss=wgan_gp (not non_saturating)" in wgan
    assert any("MinibatchStd" in c for c in collapse.setup_changes("ring-minibatch-std"))


def test_supplement_table_cost_is_per_step_relative_to_the_first():
    sup = {"rows": [{"preset": "a", "seed": 0, "steps": 100, "seconds": 1.0, "modes": 1, "hq": 0.0, "reached": None},
                    {"preset": "b", "seed": 0, "steps": 50, "seconds": 1.5, "modes": 8, "hq": 0.9, "reached": 0.7}],
           "data": {"setup": "the data themselves"}}
    a, b, d = collapse.supplement_table(sup)
    assert a["cost"] == 1.0 and b["cost"] == pytest.approx(3.0) and (a["covered"], b["covered"]) == ("0 of 1", "1 of 1")
    assert d == {"setup": "the data themselves"}
