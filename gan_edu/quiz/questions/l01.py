"""Checkpoints of lesson 01 (the generator's forward pass).

Answers are stored as salted hashes (``python -m gan_edu.quiz choice QID KEY``). The two
predict-then-run questions come with a helper that turns what the run measured into the
outcome key, so the notebook never hard-codes it: :func:`first_upconv_outcome` and
:func:`nearby_outcome`.
"""
from __future__ import annotations

from ... import _check
from .. import MultipleChoice, Numeric, Prediction

# ----------------------------------------------------------------------------- 01-nearby
NEARBY_OPTIONS = {
    "both": "Both the untrained and the trained G map nearby z to nearby points",
    "trained": "Only the trained G: training is what makes G smooth",
    "untrained": "Only the untrained G: training makes G jumpy",
    "neither": "Neither: a neural network's output jumps when its input moves a little",
}


def nearby_outcome(untrained_ratio: float, trained_ratio: float, threshold: float = 5.0) -> str:
    """The outcome key of ``01-nearby`` from two measured ratios (mean output distance of random
    z pairs over that of nearby pairs; see ``viz.generator.nearby_vs_far``): a generator counts
    as "nearby -> nearby" when the ratio is above ``threshold``."""
    u = _check.number("untrained_ratio", untrained_ratio, minimum=0.0) > threshold
    t = _check.number("trained_ratio", trained_ratio, minimum=0.0) > threshold
    return {(True, True): "both", (False, True): "trained", (True, False): "untrained", (False, False): "neither"}[(u, t)]


# ----------------------------------------------------------------------------- 01-first-upconv
UPCONV_SHAPES = {"a": (64, 4, 4), "b": (64, 3, 3), "c": (128, 4, 4), "d": (64, 5, 5)}


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
            "both": "A generator is built from linear layers and smooth (or piecewise-linear) activations, so it is a "
                    "continuous function of z from the start: a tiny change of z makes a small change of G(z), trained or "
                    "not. Training changes <i>where</i> the outputs land (on the ring), not the continuity. This is why a "
                    "latent space can be explored at all: walking through z walks smoothly through outputs.",
            "trained": "Continuity does not have to be learned: linear layers and ReLU are continuous, so even random "
                       "weights give a continuous G. Training bends the map so outputs land on the data.",
            "untrained": "Training can stretch some regions of z a lot (to jump between modes), but G stays a continuous "
                         "function made of linear layers and ReLUs.",
            "neither": "Each layer is continuous (linear maps, ReLU, tanh), and a composition of continuous maps is "
                       "continuous: small steps in z give small steps in G(z).",
        },
        explanation="",
    ),
    Prediction(
        "01-first-upconv",
        "The 8x8 generator reshapes its projection of z into 128 maps of 2x2, shape [N, 128, 2, 2]. The first "
        "transposed convolution has 64 output channels, kernel 4, stride 2, padding 1. "
        "What is the shape of its output for one sample?",
        options={k: " x ".join(map(str, v)) for k, v in UPCONV_SHAPES.items()},
        feedback={
            "a": "Stride 2 doubles the size: out = (in - 1) x stride - 2 x padding + kernel = (2 - 1) x 2 - 2 + 4 = 4. "
                 "The number of channels is whatever the layer is built with: 64. Each transposed convolution in a "
                 "DCGAN generator doubles the picture and (here) halves the channels.",
            "b": "The size is out = (in - 1) x stride - 2 x padding + kernel = 1 x 2 - 2 + 4 = 4, not 3: kernel 4 with "
                 "stride 2 and padding 1 exactly doubles the size.",
            "c": "The channels change: the layer has 64 output channels (it has one 4x4 kernel per input-output channel "
                 "pair, 128 x 64 of them). The size doubles to 4x4.",
            "d": "Padding 1 trims one pixel off each border: (2 - 1) x 2 + 4 = 6 before trimming, 6 - 2 = 4 after.",
        },
    ),
    Numeric(
        "01-project-weights",
        "The first layer of the 8x8 generator, <code>project</code>, is a linear layer without bias that turns "
        "the 16 numbers of z into 128 x 2 x 2 numbers. How many weights does it have?",
        step=1,
        accepted=["e1f93b07708ae8575a1d"],
        hint="A linear layer has one weight per (input, output) pair: count the inputs, count the outputs, multiply.",
        explanation="16 inputs x 512 outputs = 8,192 weights. Compare: the two transposed convolutions together have "
                    "about 132,000 (128 x 64 x 4 x 4 = 131,072 for the first).",
    ),
    MultipleChoice(
        "01-tanh-range",
        "The 8x8 generator ends with <code>tanh</code>. Which pixel values can it output?",
        options={
            "a": "Any real number: the last transposed convolution is linear",
            "b": "Between 0 and 1, like a probability",
            "c": "Between -1 and 1",
            "d": "Only -1 or +1: black or white",
        },
        feedback={
            "a": "The last transposed convolution is linear, but its result then goes through tanh, which squashes every "
                 "real number into (-1, 1).",
            "b": "That is the sigmoid's range (what D's logit becomes). tanh(x) = 2 sigmoid(2x) - 1 is centred on 0 and "
                 "runs from -1 to 1.",
            "c": "tanh squashes every real number into (-1, 1). That is why the real images are scaled to [-1, 1] too: "
                 "if real and fake pixels lived on different ranges, D could tell them apart by range alone.",
            "d": "tanh is smooth: it takes every value between -1 and 1 (it only approaches the ends for large inputs). "
                 "Grey is 0.",
        },
        answer="bc02eb36b17cfc65e1d1",
    ),
    MultipleChoice(
        "01-interp-not-fade",
        "Is the latent walk G((1 - α) z0 + α z1) the same picture as the pixel blend (1 - α) G(z0) + α G(z1)?",
        options={
            "a": "Yes, always: mixing the inputs mixes the outputs",
            "b": "No: G is not linear, so the walk passes through new outputs of G; the blend only superimposes two pictures",
            "c": "Only at α = 0.5",
            "d": "Yes, once G is trained, because it has learned the data",
        },
        feedback={
            "a": "That would be true only for a linear map. G has ReLUs and a tanh, so G(mix of z) is not the mix of G(z). "
                 "Look at the strip: the blend shows two ghost pictures on top of each other.",
            "b": "G is nonlinear, so every point of the walk is a fresh output of G: with a trained G each one looks like a "
                 "sample (a digit that morphs), while a pixel blend is a double exposure. On the ring, the walk follows "
                 "the ring while the blend cuts straight across the empty middle. A smooth walk shows that G learned a "
                 "continuous map from noise, not a list of stored pictures.",
            "c": "At α = 0.5 they differ most. At α = 0 and α = 1 they agree (both give G(z0) and G(z1)).",
            "d": "Training does not make G linear; if anything the trained G bends more. The walk and the blend agree "
                 "only at the two ends.",
        },
        answer="74f1f33d4f0214cc5bc0",
    ),
    MultipleChoice(
        "01-latent-dim",
        "The digit generator turns 16 numbers (z) into 64 pixels. What does that mean for the images it can make?",
        options={
            "a": "It can make any 8x8 image, given the right z",
            "b": "Its outputs form a 16-dimensional surface inside the 64-dimensional space of images: "
                 "it can only reach images on that surface",
            "c": "It stores 16 training images and picks one of them",
            "d": "16 numbers are too little randomness: all its samples will look alike",
        },
        feedback={
            "a": "Most 8x8 images are out of its reach: G bends the 16 numbers of z into a 16-dimensional family of "
                 "images (like the 2D grid you saw bent in the plane), a thin surface in the 64-dimensional space of all "
                 "images. That is fine: real digits also fill only a thin part of that space.",
            "b": "G bends the 16-dimensional latent space into the image space, like the grid you saw bent onto the "
                 "ring. Training has to bend that surface so that it runs through the real digits. Latent space is "
                 "smaller than the data because real data is not spread over all possible images.",
            "c": "G stores no images (it never sees any): it is a function of z with about 140,000 weights. Every z, "
                 "and there are infinitely many, gives its own output.",
            "d": "16 real numbers allow infinitely many different z, and nearby z give similar but different images. "
                 "Samples that all look alike (mode collapse, lesson 05) come from training, not from a small z.",
        },
        answer="f02a73c2a0b3086a3c97",
    ),
]
