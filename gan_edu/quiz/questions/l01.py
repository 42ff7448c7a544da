"""Checkpoints of lesson 01 (the generator's forward pass).

The two predict-then-run questions come with a helper that turns what the run measured into the
outcome key, so the notebook never hard-codes it: :func:`nearby_outcome` ("both", "trained",
"untrained", "neither") and :func:`first_upconv_outcome` (a shape -> "a".."d").
Misconception met: "smooth latent walks prove G did not memorise" (01-interp-not-fade, 01-nearby).
"""
from __future__ import annotations

from ... import _check
from .. import MultipleChoice, Numeric, Prediction

# ----------------------------------------------------------------------------- 01-nearby
NEARBY_OPTIONS = {
    "trained": "Only the trained G: training is what makes G smooth",
    "untrained": "Only the untrained G: training makes G jump about",
    "both": "Both: nearby z land on nearby points, trained or not",
    "neither": "Neither: a network's output jumps at the tiniest move",
}


def nearby_outcome(untrained_ratio: float, trained_ratio: float, threshold: float = 5.0) -> str:
    """The outcome key of ``01-nearby`` from two measured ratios (mean output distance of random
    z pairs over that of nearby pairs; see ``viz.generator.nearby_vs_far``): a generator counts
    as "nearby -> nearby" when the ratio is above ``threshold``. Lesson 01 measures 24 (untrained)
    and 33 (trained) with seed 0, 24-35 over seeds 0-3 (the same ratio in z itself is 35), and a
    generator that jumps has a ratio near 1: 5 sits far from both."""
    u = _check.number("untrained_ratio", untrained_ratio, minimum=0.0) > threshold
    t = _check.number("trained_ratio", trained_ratio, minimum=0.0) > threshold
    return {(True, True): "both", (False, True): "trained", (True, False): "untrained", (False, False): "neither"}[(u, t)]


# ----------------------------------------------------------------------------- 01-first-upconv
UPCONV_SHAPES = {"a": (64, 3, 3), "b": (128, 4, 4), "c": (64, 5, 5), "d": (64, 4, 4)}


def first_upconv_outcome(shape) -> str:
    """The outcome key of ``01-first-upconv`` for the measured output shape of one sample
    (C, H, W) after the first transposed convolution."""
    shape = tuple(int(s) for s in shape)
    for key, option in UPCONV_SHAPES.items():
        if option == shape:
            return key
    raise ValueError(f"shape {shape} is not one of the options {sorted(UPCONV_SHAPES.values())}: "
                     "the generator is not the 8x8 DCGenerator(latent_dim=16, image_size=8) of the lesson")


QUESTIONS = [
    Prediction(
        "01-nearby",
        "Take 500 random noise vectors z and move each by a tiny step (0.05) in a random direction. "
        "Compare how far apart the two outputs land with how far apart the outputs of two "
        "<i>unrelated</i> z land. Which generators map nearby z to nearby points?",
        options=NEARBY_OPTIONS,
        feedback={
            "both": "A generator is built from linear layers and continuous activations, so it is a continuous "
                    "function of z from the start: a tiny change of z makes a small change of G(z), trained or not. "
                    "Training changes <i>where</i> the outputs land (on the ring), not the continuity. This is why a "
                    "latent space can be explored at all, and also why a smooth walk through z says nothing about "
                    "whether G memorised its training data.",
            "trained": "Continuity does not have to be learned: linear layers and ReLU are continuous, so even random "
                       "weights give a continuous G (the untrained ratio shows it). Training bends the map so outputs "
                       "land on the data. So smoothness is no sign of what G learned: a G that memorised would be "
                       "just as smooth.",
            "untrained": "Training can stretch some regions of z a lot (to jump between modes), but G stays a "
                         "continuous function made of linear layers and ReLUs: nearby z still land near each other.",
            "neither": "Each layer is continuous (linear maps, ReLU, tanh), and a composition of continuous maps is "
                       "continuous: small steps in z give small steps in G(z).",
        },
        misconceptions={"trained": "smooth-walk-no-memorisation"},
        expected="3b28ae9833a6d84e31db",
    ),
    Prediction(
        "01-first-upconv",
        "The 8x8 generator reshapes its projection of z into 128 maps of 2x2, shape [N, 128, 2, 2]. The first "
        "transposed convolution has 64 output channels, kernel 4, stride 2, padding 1. "
        "What is the shape of its output for one sample?",
        options={k: " x ".join(map(str, v)) for k, v in UPCONV_SHAPES.items()},
        feedback={
            "d": "Stride 2 doubles the size: out = (in - 1) x stride - 2 x padding + kernel = (2 - 1) x 2 - 2 + 4 = 4. "
                 "The number of channels is whatever the layer is built with: 64. Each transposed convolution in a "
                 "DCGAN generator doubles the picture and (here) halves the channels.",
            "a": "The size is out = (in - 1) x stride - 2 x padding + kernel = 1 x 2 - 2 + 4 = 4, not 3: kernel 4 with "
                 "stride 2 and padding 1 exactly doubles the size.",
            "b": "The channels change: the layer has 64 output channels (it has one 4x4 kernel per input-output "
                 "channel pair, 128 x 64 of them). The size doubles to 4x4.",
            "c": "Padding 1 trims one pixel off each border: (2 - 1) x 2 + 4 = 6 before trimming, 6 - 2 = 4 after.",
        },
        expected="5e934541f8f6736dded7",
    ),
    Numeric(
        "01-project-weights",
        "The first layer of the 8x8 generator, <code>project</code>, is a linear layer without bias that turns "
        "the 16 numbers of z into 128 x 2 x 2 numbers. How many weights does it have?",
        step=1,
        accepted=["e1f93b07708ae8575a1d"],
        hint="A linear layer has one weight per (input, output) pair: count the inputs, count the outputs, multiply.",
        explanation="16 inputs x 512 outputs = 8,192 weights. Compare: the first transposed convolution alone has "
                    "128 x 64 x 4 x 4 = 131,072.",
        wrong=[(512, 512, "512 is the number of outputs (128 x 2 x 2). Each output has its own weight for every one "
                          "of the 16 inputs."),
               (16, 16, "16 is the number of inputs. Each of them is connected to every output, with its own weight."),
               (2048, 2048, "16 x 128 leaves out the 2 x 2: the layer makes 128 x 2 x 2 = 512 numbers, one weight per "
                            "input for each."),
               (8704, 8704, "That adds a bias per output (512 more); this layer has none, only the weights."),
               (65536, 65536, "512 x 128 multiplies outputs by channels; the inputs are the 16 numbers of z.")],
    ),
    MultipleChoice(
        "01-tanh-range",
        "The 8x8 generator ends with <code>tanh</code>. Which pixel values can it output?",
        options={
            "a": "Any real number, since the layer before tanh is linear",
            "b": "Values between −1 and 1, never quite reaching either",
            "c": "Values between 0 and 1, like a probability would be",
            "d": "Only −1 or +1, so each pixel is either black or white",
        },
        feedback={
            "a": "The last transposed convolution is linear, but its result then goes through tanh, which squashes "
                 "every real number into (−1, 1).",
            "b": "tanh squashes every real number into (−1, 1). That is why the real images are scaled to [−1, 1] "
                 "too: if real and fake pixels lived on different ranges, D could tell them apart by range alone. "
                 "(In 32-bit floats, tanh of a large input rounds to exactly ±1.)",
            "c": "That is the sigmoid's range (what D's logit becomes). tanh(x) = 2 sigmoid(2x) − 1 is centred on 0 "
                 "and runs from −1 to 1.",
            "d": "tanh is smooth: it takes every value between −1 and 1 and only approaches the ends for large "
                 "inputs. Grey is 0.",
        },
        answer="4486aa8447abea77ce5d",
    ),
    MultipleChoice(
        "01-interp-not-fade",
        "You walk from z0 to z1, G((1 − a) z0 + a z1), and compare the walk with the pixel blend "
        "(1 − a) G(z0) + a G(z1) of its two end pictures. What is true?",
        options={
            "a": "They match at every a: mixing G's inputs mixes its outputs",
            "b": "They match once G is trained: training makes G linear in z",
            "c": "They differ, and a smooth walk proves G memorised nothing",
            "d": "They differ in the middle: the walk shows new outputs of G",
        },
        feedback={
            "a": "That is true only for a linear map. G has ReLUs and a tanh, so G of a mix is not the mix of G's "
                 "outputs: halfway, the blend is a double exposure of two pictures, the walk a single new output.",
            "b": "Training does not make G linear; the trained G bends more, not less. The walk and the blend agree "
                 "only at the two ends.",
            "c": "They do differ, but smoothness proves nothing about memorisation: G is continuous by construction "
                 "(the untrained G also mapped nearby z to nearby points), so a G that reproduces training images "
                 "at some z walks just as smoothly between them. To check for copying, compare samples with their "
                 "nearest training images (lesson 07).",
            "d": "G is nonlinear, so every point of the walk is a fresh output of G: with a trained G each one looks "
                 "like a sample (a digit that morphs), while the blend superimposes two pictures. They agree only at "
                 "a = 0 and a = 1. On the ring, the walk follows G's bent grid while the blend cuts across the empty "
                 "middle.",
        },
        misconceptions={"c": "smooth-walk-no-memorisation"},
        answer="9c69042ae33a1b7318a3",
    ),
    MultipleChoice(
        "01-latent-dim",
        "The digit generator turns 16 numbers (z) into 64 pixels. What does that mean for the images it can make?",
        options={
            "a": "Its outputs form a thin, at most 16-dimensional family",
            "b": "Given the right z, it can reach any possible 8x8 image",
            "c": "It keeps 16 training images and picks one of them per z",
            "d": "16 numbers are too little noise: samples will look alike",
        },
        feedback={
            "a": "G bends the 16-dimensional latent space into image space, like the grid you saw bent onto the ring. "
                 "Training has to bend that surface so that it runs through the real digits. That is fine: real "
                 "digits also fill only a thin part of the space of all images.",
            "b": "Most 8x8 images are out of its reach: G bends the 16 numbers of z into a family of images at most "
                 "16-dimensional (like the 2D grid you saw bent in the plane), a thin surface in the 64-dimensional "
                 "space of all images.",
            "c": "G is handed no images to keep: it is a function of z with about 140,000 weights, and every z, of "
                 "infinitely many, gives its own output. (What it learns about the training images arrives through "
                 "D's gradients, and a G trained on a small data set can come to reproduce some of them: lesson 07 "
                 "checks.)",
            "d": "16 real numbers allow infinitely many different z, and different z give different images. Samples "
                 "that all look alike (mode collapse, lesson 05) come from training, not from a small z.",
        },
        misconceptions={"c": "g-stores-images"},
        answer="35880dc920022948bcf0",
    ),
]
