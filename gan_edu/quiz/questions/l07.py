"""Checkpoints of lesson 07 (DCGAN on digits: image generators, evaluation with a classifier).

Correct answers are stored only as salted hashes (``python -m gan_edu.quiz choice QID KEY``).
``07-eye`` meets "the samples look good, so G has learned the data"; ``07-collapse`` and
``07-kl-meaning`` are about mode collapse across digit classes; ``07-ten-copies`` about what the
class-coverage score cannot see (collapse within a class, copying).
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "07-eye",
        "You look at a grid of 64 samples from your G and every one is a clean, recognisable digit. "
        "What does that show?",
        options={
            "a": "G has learned the distribution of handwritten digits.",
            "b": "G can make recognisable digits. Whether it makes every digit, in the right proportions and with "
                 "variety, can only be told by counting over many samples.",
            "c": "G has memorised the training images.",
            "d": "D has lost the game and can be thrown away.",
        },
        feedback={
            "a": "64 samples that look good say nothing about the ones you did not see, nor about what is missing: "
                 "a G that only makes 3s and 7s can fill a grid with beautiful 3s and 7s. Your eye is drawn to what "
                 "is there, not to what is absent.",
            "b": "Looking checks quality on a handful of samples. Coverage (are all classes there, how often?) and "
                 "diversity need numbers over many samples: a classifier's class histogram here, FID in research.",
            "c": "Good-looking samples can come from a G that generalises or from one that copies; you cannot tell "
                 "by looking. G never sees the training images (it only gets D's gradient), but it can still learn "
                 "to reproduce some; checking that needs a nearest-neighbour search in the training set.",
            "d": "D is discarded after training anyway; the grid says nothing about D. How sure D is about real and "
                 "fake samples is what the D(x) histograms show.",
        },
        answer="771cd8e0eb1482647474",
    ),
    Prediction(
        "07-collapse",
        "Let's imitate a collapsed G with our trained one: it may only use noise close to <b>3 points</b> of its "
        "latent space, $z = z_k + 0.2\\,\\varepsilon$ with $k \\in \\{1, 2, 3\\}$, as if it had learned to send all "
        "its noise to 3 places. What will the classifier find in 1000 such samples (a class counts if at least 10 "
        "samples are confidently classified as it)?",
        options={
            "all": "still 9 or 10 classes",
            "few-sure": "2 to 8 classes, and most samples still confidently classified",
            "few-unsure": "2 to 8 classes, and most samples no longer confidently classified",
            "one": "1 class or none",
        },
        feedback={
            "all": "Even noise near 3 points reached almost every class: the small clouds around the points must lie "
                   "across many class regions of this G's latent space. Look at the histogram.",
            "few-sure": "Each cloud of noise lands in one or two class regions, so only a few digits appear, over and "
                        "over, and most samples are still clear digits. The class histogram piles up and its KL to "
                        "uniform jumps (3 classes made equally often: log(10/3) ≈ 1.20). That is mode collapse: good "
                        "samples of too few kinds.",
            "few-unsure": "Only a few digits appear, and one of the 3 points sits on a border between two classes, so "
                          "its samples are ambiguous. Collapse does not make samples worse by itself: it makes too few "
                          "kinds of them.",
            "one": "All 3 points landed in the same class region: a full collapse, KL close to log 10 = 2.30.",
        },
        explanation="A single picture of a collapsed G looks fine; the class histogram over many samples gives it away.",
    ),
    MultipleChoice(
        "07-kl-meaning",
        "Another G scores: 97 % of its samples classified confidently, KL of its class histogram to uniform "
        "$= 1.61$ nats (one class only would give $\\log 10 = 2.30$). What is going on?",
        options={
            "a": "G makes all 10 digits, about equally often.",
            "b": "G makes about 2 digits, each about half of the time: its samples are recognisable, but it has "
                 "collapsed onto a few classes.",
            "c": "G's digits are blurry: the classifier is unsure about them.",
            "d": "1.61 is small, so the class histogram is close to uniform.",
        },
        feedback={
            "a": "Then the histogram would be close to uniform and the KL close to 0 (the real digits score about "
                 "0.00). 1.61 is most of the way to the one-class value 2.30.",
            "b": "For m classes made equally often, $KL = \\sum_k \\tfrac1m \\log(10 \\cdot \\tfrac1m) = \\log(10/m)$; "
                 "$\\log(10/2) = \\log 5 \\approx 1.61$. High confidence and a large KL together mean good digits "
                 "of too few kinds: mode collapse.",
            "c": "97 % confidently classified says the opposite: almost every sample is a clear digit. The KL is "
                 "about <i>which</i> classes, not how clear.",
            "d": "KL is 0 for a uniform histogram and log 10 ≈ 2.30 for a single class; 1.61 is close to the "
                 "collapsed end. (It is log 5: two classes, half and half.)",
        },
        answer="fb0aeaeb97c996efe1d6",
    ),
    Prediction(
        "07-ten-copies",
        "A cheating 'generator' ignores its noise and returns one of just 10 training images (one of each digit), "
        "chosen at random. What will our score (classes covered, share classified confidently, KL to uniform) "
        "say about it?",
        options={
            "perfect": "about as good as the real digits: 10 classes, nearly all confident, KL near 0",
            "middle": "a middling score: some classes or some confidence missing",
            "bad": "a poor score, because it only ever makes 10 different images",
        },
        feedback={
            "perfect": "The score only asks <i>which class</i> each sample is and how sure the classifier is. Ten "
                       "perfect copies, one per class, drawn equally often, tick every box. It cannot see a collapse "
                       "<i>within</i> each class, nor that the images are copies of training data. FID would notice "
                       "the missing variety (the fake features have almost no spread); a nearest-neighbour search "
                       "would find the copies.",
            "middle": "Some of the 10 copies must have been unclear to the classifier. Even so: the score never "
                      "looks at how different the samples of one class are.",
            "bad": "The score never compares samples with each other, only classifies each one. Ten clean images, "
                   "one per class, equally often, are exactly what it rewards.",
        },
        explanation="A metric measures what it measures: here, coverage across classes and recognisability. "
                    "Diversity within a class, sharpness beyond the classifier's confidence, and copying need "
                    "other tools.",
    ),
]
