"""Issue 14, the unconditional digits generator: ``data.clustered`` (k-means labels made from the pixels),
``ImageSet.draw_labels``, the ``digits-selfcond`` preset, and the CLI on its checkpoints. The quality
figure itself (the independent judge's confidence ratio) is checked on one seed here; the table for
three seeds is benchmarks/bench_digits_quality.py."""
import json

import pytest
import torch
from helpers import run_cli as main

import gan_edu as ge
from gan_edu import cli
from gan_edu import data as data_mod
from gan_edu.lessons import classifier, judges, metrics_lab
from gan_edu.presets import digits as digits_presets


@pytest.fixture(scope="module")
def digits():
    return ge.data.digits()


@pytest.fixture(scope="module")
def clusters(digits):
    return ge.data.clustered(digits, 30, seed=0)


def blobs(centres, per: int, spread: float, seed: int = 0):
    """Images [len(centres) * per, 1, 2, 2]: ``per`` noisy copies of each centre (4 pixels), and the true blob of each."""
    g = torch.Generator().manual_seed(seed)
    c = torch.tensor(centres, dtype=torch.float32)
    x = (c.repeat_interleave(per, 0) + spread * torch.randn(len(c) * per, 4, generator=g)).clamp(-1, 1)
    truth = torch.arange(len(c)).repeat_interleave(per)
    return data_mod.ImageSet(x.reshape(-1, 1, 2, 2), torch.zeros(len(x), dtype=torch.long), "blobs", {"kind": "blobs"}), truth


# --------------------------------------------------------------------------- k-means
def test_well_separated_blobs_are_found_exactly_whatever_the_seed():
    data, truth = blobs([[-0.8, -0.8, -0.8, -0.8], [0.8, 0.8, -0.8, -0.8], [-0.8, 0.8, 0.8, 0.8]], per=50, spread=0.05)
    for seed in range(5):
        found = ge.data.clustered(data, 3, seed=seed).labels
        pairs = set(zip(truth.tolist(), found.tolist()))
        assert len(pairs) == 3 and len({f for _, f in pairs}) == 3, seed      # a one-to-one match of blobs and clusters


def test_the_result_is_a_lloyd_fixed_point_numbered_by_size(clusters, digits):
    x, labels = digits.images.flatten(1).double(), clusters.labels
    k = len(clusters.classes)
    assert clusters.classes == list(range(k)) and 25 <= k <= 30
    sizes = torch.bincount(labels)
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True) and int(sizes.sum()) == len(digits)
    means = torch.stack([x[labels == j].mean(0) for j in range(k)])
    assert torch.equal(torch.cdist(x, means).argmin(1), labels)     # every image sits with its nearest cluster mean
    assert torch.equal(clusters.images, digits.images)


def test_clusters_never_read_the_labels_yet_mostly_hold_one_digit(digits, clusters):
    shuffled = data_mod.ImageSet(digits.images, digits.labels[torch.randperm(len(digits))], "digits", digits.spec())
    assert torch.equal(ge.data.clustered(shuffled, 30, seed=0).labels, clusters.labels)
    k = len(clusters.classes)
    purity = sum(int(torch.bincount(digits.labels[clusters.labels == j]).max()) for j in range(k)) / len(digits)
    assert purity > 0.85                                   # 0.918 for seed 0: most clusters are one digit's shapes
    assert clusters.of is digits and "k-means clusters" in clusters.name


def test_the_same_clusters_on_any_number_of_threads(digits, clusters):
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2 if threads == 1 else 1)
        again = ge.data.clustered(digits, 30, seed=0)
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(again.labels, clusters.labels)
    assert not torch.equal(ge.data.clustered(digits, 30, seed=1).labels, clusters.labels)


def test_the_spec_rebuilds_exactly_these_clusters(digits, clusters):
    back = ge.data.from_spec(json.loads(json.dumps(clusters.spec())))
    assert torch.equal(back.labels, clusters.labels) and torch.equal(back.of.labels, digits.labels)
    part = ge.data.subset(digits, list(range(0, 1797, 2)), "even")
    again = ge.data.from_spec(ge.data.clustered(part, 10, seed=3).spec())
    assert torch.equal(again.of.images, part.images) and again.spec()["of"]["kind"] == "subset"


@pytest.mark.parametrize("change, fragment", [
    (lambda s: s.update(labels=s["labels"][:-1]), "one cluster index in [0, 29] for each of the 1797 images"),
    (lambda s: s["labels"].__setitem__(0, 30), "one cluster index in [0, 29]"),
    (lambda s: s["labels"].__setitem__(0, -1), "one cluster index in [0, 29]"),
    (lambda s: s.pop("labels"), "lacks ['labels']"),
])
def test_a_damaged_spec_is_refused_with_what_is_wrong(clusters, change, fragment):
    spec = json.loads(json.dumps(clusters.spec()))
    change(spec)
    with pytest.raises(ValueError) as err:
        ge.data.from_spec(spec)
    assert fragment in str(err.value)


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(k=1), ValueError, "k must be >= 2, got 1"),
    (dict(k=1798), ValueError, "k must be <= 1000, got 1798"),
    (dict(k=3.0), TypeError, "k must be an integer, got 3.0"),
    (dict(k=True), TypeError, "k must be an integer"),
    (dict(k=5, seed=-1), ValueError, "seed must be >= 0, got -1"),
])
def test_bad_arguments_name_the_argument_and_the_value(digits, kwargs, error, fragment):
    with pytest.raises(error) as err:
        ge.data.clustered(digits, **kwargs)
    assert fragment in str(err.value)


def test_only_image_sets_can_be_clustered():
    with pytest.raises(TypeError, match="data must be an image set"):
        ge.data.clustered(ge.data.ring(), 3)


def test_more_clusters_than_images_is_refused():
    data, _ = blobs([[0.0, 0.0, 0.0, 0.0]], per=4, spread=0.1)
    with pytest.raises(ValueError, match="k must be <= 4, got 5"):
        ge.data.clustered(data, 5)


def test_identical_images_leave_no_empty_cluster():
    data, _ = blobs([[0.5, 0.5, 0.5, 0.5], [-0.5, -0.5, -0.5, -0.5]], per=6, spread=0.0)
    c = ge.data.clustered(data, 4, seed=0)            # only two distinct images: two clusters, numbered 0 and 1
    assert c.classes == [0, 1] and torch.bincount(c.labels).tolist() == [6, 6]


# --------------------------------------------------------------------------- draw_labels
def test_draw_labels_follows_the_data_s_shares(clusters):
    drawn = clusters.draw_labels(200_000, generator=torch.Generator().manual_seed(0))
    shares = torch.bincount(drawn, minlength=30).double() / len(drawn)
    expected = torch.bincount(clusters.labels).double() / len(clusters)
    assert torch.allclose(shares, expected, atol=0.003)
    same = clusters.draw_labels(50, generator=torch.Generator().manual_seed(4))
    assert torch.equal(same, clusters.draw_labels(50, generator=torch.Generator().manual_seed(4)))
    with pytest.raises(ValueError, match="n must be"):
        clusters.draw_labels(0)


# --------------------------------------------------------------------------- the preset
def test_the_preset_is_the_conditional_dcgan_on_clusters_never_on_digit_labels(clusters):
    tr = ge.presets.build("digits-selfcond", seed=0)
    assert "digits-selfcond" in cli.PRESETS and tr.n_classes == 30 and tr.ema == 0
    assert type(tr.G) is ge.models.ConditionalDCGenerator and type(tr.D) is ge.models.ConditionalDCDiscriminator
    assert torch.equal(tr.data.labels, clusters.labels)
    with pytest.raises(TypeError, match="data must be an image set"):
        digits_presets.self_conditioned_dcgan(ge.data.ring())


def test_a_checkpoint_brings_back_the_clusters_and_the_samples(tmp_path):
    tr = digits_presets.self_conditioned_dcgan(seed=2, steps=1001)
    tr.run(3, progress=False)
    tr.save(tmp_path / "c.pt")
    back = ge.Trainer.load(tmp_path / "c.pt", device="cpu")
    assert torch.equal(back.data.labels, tr.data.labels) and back.data.of is not None
    labels = tr.data.draw_labels(16, generator=torch.Generator().manual_seed(1))
    assert torch.equal(back.sample(16, generator=torch.Generator().manual_seed(5), labels=labels),
                       tr.sample(16, generator=torch.Generator().manual_seed(5), labels=labels))


def test_the_self_conditioned_digits_are_as_confidently_classified_as_real_ones():
    """The issue's figure on seed 0: the independent judge's mean confidence on 1000 samples (clusters at
    their shares) / on the held-out real digits. Seeds 0-2 give 0.98-1.00 (BENCHMARKS.md); lesson 07's
    plain DCGAN gives 0.89-0.91, so the bound 0.95 separates the two by 3 seed spreads either side."""
    judge = judges.independent_classifier(seed=0)
    tr = ge.presets.build("digits-selfcond", seed=0)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)                     # the thread count of the benchmark (and of the lessons)
        tr.run(digits_presets.DCGAN_STEPS, progress=False)
    finally:
        torch.set_num_threads(threads)
    noise = torch.Generator().manual_seed(1000)
    x = tr.sample(1000, generator=noise, labels=tr.data.draw_labels(1000, generator=noise))
    assert judges.confidence_ratio(judge, x) > 0.95
    counts = torch.bincount(judge.proba(x).argmax(1), minlength=10)
    assert int((counts >= 50).sum()) == 10                  # every digit, at least half its fair share


# --------------------------------------------------------------------------- the CLI
def test_evaluate_draws_clusters_at_their_shares_and_claims_no_class_agreement(tmp_path, capsys, monkeypatch):
    setup = metrics_lab.prepare(seed=0)
    monkeypatch.setattr(metrics_lab, "prepare", lambda seed=0: setup)
    tr = digits_presets.self_conditioned_dcgan(metrics_lab.training_set(setup), seed=0)
    tr.save(tmp_path / "c.pt")
    assert main("evaluate", "--checkpoint", tmp_path / "c.pt", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert "class_agreement" not in out["generator"]         # clusters are not digits: nothing was asked for
    assert any("self-conditioned generator" in note and "at their share" in note for note in out["notes"])
    assert not any("data this command does not know" in note for note in out["notes"])   # the lab's own split
    G = ge.trainer.load_generator(tmp_path / "c.pt")
    noise = torch.Generator().manual_seed(0)
    z = G.sample_noise(cli.EVALUATE_N, generator=noise)
    shares = torch.bincount(tr.data.labels, minlength=30).double()
    with torch.no_grad():
        x = G(z, torch.multinomial(shares, cli.EVALUATE_N, replacement=True, generator=noise))
    assert out["generator"] == pytest.approx(metrics_lab.score(x, setup, seed=0))


def test_evaluate_generator_passes_the_labels_to_a_trainer(clusters):
    tr = digits_presets.self_conditioned_dcgan(seed=0)
    clf = classifier.train_classifier(ge.data.digits(), seed=0)
    labels = torch.zeros(200, dtype=torch.long)
    ones = classifier.evaluate_generator(tr, clf, n=200, labels=labels)
    direct = classifier.class_coverage(classifier.predict_proba(clf, tr.sample(200, generator=torch.Generator().manual_seed(0),
                                                                                labels=labels)))
    assert torch.equal(torch.as_tensor(ones.counts), torch.as_tensor(direct.counts))
    with pytest.raises(ValueError, match="labels= needs a Trainer"):
        classifier.evaluate_generator(tr.G, clf, n=10, labels=labels[:10])


def test_sample_draws_a_grid_at_the_clusters_shares_not_a_row_per_cluster(tmp_path, capsys):
    tr = digits_presets.self_conditioned_dcgan(seed=0)
    tr.save(tmp_path / "c.pt")
    assert main("sample", "--checkpoint", tmp_path / "c.pt", "--n", 16, "--out", tmp_path / "grid.png") == 0
    assert "16 samples (its 30 k-means clusters drawn at their share of the training images)" in capsys.readouterr().out
    args = type("Args", (), {"checkpoint": str(tmp_path / "c.pt"), "n": 16, "seed": 0, "klass": None})()
    x, nrow, _ = cli._samples_to_draw(ge.trainer.load_generator(tmp_path / "c.pt"), args)
    noise = torch.Generator().manual_seed(0)
    z = tr.G.sample_noise(16, generator=noise)
    shares = torch.bincount(tr.data.labels, minlength=30).double()
    with torch.no_grad():
        expected = tr.G.eval()(z, torch.multinomial(shares, 16, replacement=True, generator=noise))
    assert nrow == 4 and torch.allclose(x, expected)


def test_the_run_record_judges_samples_by_digit_not_by_cluster(tmp_path, capsys):
    assert main("train", "--preset", "digits-selfcond", "--steps", 3, "--snapshots", 1, "--no-progress",
                "--out", tmp_path / "run") == 0
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    coverage = record["class_coverage"]
    assert coverage["of"] == 10 and coverage["classifier_accuracy"] > 0.9      # a classifier of the 10 digits
    assert len(coverage["counts"]) == 10 and "class_agreement" not in record      # clusters are not digits
    back = ge.Trainer.load(tmp_path / "run" / "checkpoint.pt", device="cpu")
    assert back.n_classes == 30 and torch.equal(back.data.labels, ge.data.clustered(ge.data.digits(), 30).labels)
