"""The independent judge (gan_edu.lessons.judges): accurate on held-out digits, less sure of
blurred or noisy images, and its numbers computed two ways."""
import pytest
import torch
import torch.nn.functional as F

from gan_edu.lessons import judges
from gan_edu.lessons.classifier import hold_out


@pytest.fixture(scope="module")
def judge():
    return judges.independent_classifier(seed=0)


def test_held_out_accuracy_is_high_and_split_is_the_kits(judge):
    assert judge.accuracy > 0.9
    from gan_edu import data
    split = hold_out(data.digits(), 0.25, 0)
    assert torch.equal(judge.split.held_out_idx, split.held_out_idx)
    assert not set(judge.split.train_idx.tolist()) & set(judge.split.held_out_idx.tolist())
    # fitted only on the training part: refitting on it gives the same coefficients
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(C=1.0, max_iter=5000).fit(split.train.images.flatten(1).double().numpy(),
                                                     split.train.labels.numpy())
    assert torch.allclose(torch.as_tensor(m.coef_), torch.as_tensor(judge.model.coef_))


def test_deterministic(judge):
    again = judges.independent_classifier(seed=0)
    x = judge.held_out_images[:50]
    assert torch.equal(judge.proba(x), again.proba(x))


def test_agreement_and_confidence_match_hand_computation(judge):
    x, y = judge.held_out_images, judge.held_out_labels
    p = torch.as_tensor(judge.model.predict_proba(x.flatten(1).double().numpy()), dtype=torch.float32)
    assert judges.agreement(judge, x, y) == pytest.approx(float((p.argmax(1) == y).float().mean()))
    assert judges.agreement(judge, x, y) == pytest.approx(judge.accuracy)
    assert torch.allclose(judges.confidence(judge, x), p.max(1).values)
    assert judges.confidence_ratio(judge, x) == pytest.approx(1.0)
    half = x[: len(x) // 2]
    expected = float(p[: len(x) // 2].max(1).values.mean() / p.max(1).values.mean())
    assert judges.confidence_ratio(judge, half, x) == pytest.approx(expected, rel=1e-5)
    wrong = (y + 1) % 10
    assert judges.agreement(judge, x, wrong) < 0.1


def test_blur_and_noise_lower_confidence(judge):
    real = judge.held_out_images
    blurred = F.avg_pool2d(real, 3, 1, 1, count_include_pad=False)
    noise = torch.rand(len(real), 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    noisy = (real + 0.8 * torch.randn(real.shape, generator=torch.Generator().manual_seed(1))).clamp(-1, 1)
    base = float(judges.confidence(judge, real).mean())
    assert base > 0.85
    for worse in (blurred, noise, noisy):
        assert judges.confidence_ratio(judge, worse) < 0.9


def test_bad_inputs_name_the_argument(judge):
    x = judge.held_out_images[:4]
    with pytest.raises(TypeError, match="judge"):
        judges.confidence(object(), x)
    with pytest.raises(TypeError, match="images"):
        judges.confidence(judge, x.numpy())
    with pytest.raises(ValueError, match="images"):
        judges.confidence(judge, torch.zeros(4, 1, 28, 28))
    with pytest.raises(ValueError, match="NaN"):
        judges.confidence(judge, torch.full((2, 1, 8, 8), float("nan")))
    with pytest.raises(TypeError, match="labels"):
        judges.agreement(judge, x, torch.zeros(4))
    with pytest.raises(ValueError, match="labels"):
        judges.agreement(judge, x, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"0 \.\. 9"):
        judges.agreement(judge, x, torch.full((4,), 10))
    with pytest.raises(ValueError, match="strength"):
        judges.independent_classifier(strength=0)
    with pytest.raises(TypeError, match="data"):
        judges.independent_classifier(data=torch.zeros(3))
