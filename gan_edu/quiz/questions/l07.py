"""Checkpoints of lesson 07 (DCGAN on digits: image generators, evaluation with a classifier).

Misconceptions met: "it looks good to me, so it is good" (07-eye, 07-copied), "the generator
stores training images" and "smooth latent walks prove G did not memorise" (07-copied: the
nearest-neighbour check), "a GAN that copies its training data scores badly" (07-ten-copies).
Prediction outcome keys: 07-collapse "all", "few-sure", "few-unsure", "one"; 07-ten-copies
"perfect", "middle", "bad".
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "07-eye",
        "You look at a grid of 64 samples from your G and every one is a clean, recognisable digit. "
        "What does that show?",
        options={
            "a": "G has learned the whole distribution of handwritten digits",
            "b": "G makes clean digits; which, and how often, needs counting",
            "c": "D has lost the game and can now be thrown away",
            "d": "G has memorised the training images it was shown",
        },
        feedback={
            "a": "64 samples that look good say nothing about the ones you did not see, nor about what is missing: a "
                 "G that only makes 3s and 7s can fill a grid with beautiful 3s and 7s. Your eye is drawn to what is "
                 "there, not to what is absent.",
            "b": "Looking checks quality on a handful of samples. Coverage (are all classes there, how often?) and "
                 "diversity need numbers over many samples: a classifier's class histogram here, FID in research.",
            "c": "D is discarded after training anyway; the grid says nothing about D. How sure D is about real and "
                 "fake samples is what the D(x) histograms show.",
            "d": "G is never shown a training image. Good-looking samples can come from a G that generalises or from "
                 "one that has come to reproduce training images through D's gradient; you cannot tell by looking. "
                 "That takes a nearest-neighbour search in the training set.",
        },
        misconceptions={"a": "looks-good-is-good"},
        answer="771cd8e0eb1482647474",
    ),
    MultipleChoice(
        "07-kl-meaning",
        "Another G scores: 97 % of its samples classified confidently, KL of its class histogram to uniform "
        "$= 1.61$ nats (one class only would give $\\log 10 = 2.30$). What is going on?",
        options={
            "a": "G makes all 10 digits, about equally often",
            "b": "G makes about 2 digits, each about half the time",
            "c": "G's digits are blurry, so the classifier is unsure",
            "d": "1.61 is small, so the histogram is nearly uniform",
        },
        feedback={
            "a": "Then the histogram would be close to uniform and the KL close to 0 (the real digits score about "
                 "0.00). 1.61 is most of the way to the one-class value 2.30.",
            "b": "For m classes made equally often, $KL = \\sum_k \\tfrac1m \\log(10 \\cdot \\tfrac1m) = \\log(10/m)$, and "
                 "$\\log(10/2) = \\log 5 \\approx 1.61$. Other lopsided histograms can give the same number, but all of "
                 "them pile up on a few classes. High confidence with a large KL: good digits of too few kinds, mode "
                 "collapse.",
            "c": "97 % confidently classified says the opposite: almost every sample is a clear digit. The KL is about "
                 "<i>which</i> classes, not how clear.",
            "d": "KL is 0 for a uniform histogram and log 10 ≈ 2.30 for a single class; 1.61 is near the collapsed "
                 "end.",
        },
        answer="fb0aeaeb97c996efe1d6",
    ),
    Prediction(
        "07-collapse",
        "Let's imitate a collapsed G with our trained one: it may only use noise close to <b>3 points</b> of its "
        "latent space, $z = z_k + 0.2\\,\\varepsilon$ with $k \\in \\{1, 2, 3\\}$, as if it had learned to send all "
        "its noise to 3 places. What will the classifier find in 1000 such samples (a class counts if at least 10 "
        "samples are confidently classified as it)?",
        options={
            "few-sure": "2 to 8 classes, most samples still confident",
            "all": "9 or 10 classes, as before the collapse",
            "few-unsure": "2 to 8 classes, most samples no longer confident",
            "one": "1 class or none, whatever the confidence",
        },
        feedback={
            "all": "Noise within about 0.2 of 3 points reaches only three small regions of G's latent space, and each "
                   "lands in one or two class regions, not all ten.",
            "few-sure": "Each cloud of noise lands in one or two class regions, so only a few digits appear, over and "
                        "over, and most samples are still clear digits. The class histogram piles up and its KL to "
                        "uniform jumps (3 classes made equally often: log(10/3) ≈ 1.20). That is mode collapse: good "
                        "samples of too few kinds.",
            "few-unsure": "Collapse does not make samples worse by itself: most of them stay clear digits, there are "
                          "just too few kinds.",
            "one": "Three separate points of latent space rarely land in the same class region: the run found several "
                   "classes.",
        },
        explanation="A single picture of a collapsed G looks fine; the class histogram over many samples gives it away.",
        expected="5202647334522f968dc9",
    ),
    Prediction(
        "07-ten-copies",
        "A cheating 'generator' ignores its noise and returns one of just 10 training images (one of each digit), "
        "chosen at random. What will our score (classes covered, share classified confidently, KL to uniform) "
        "say about it?",
        options={
            "perfect": "As good as the real digits: 10 classes, confident, KL near 0",
            "middle": "A middling score: some classes or some confidence missing",
            "bad": "A poor score, because it only ever makes ten different images",
        },
        feedback={
            "perfect": "The score only asks <i>which class</i> each sample is and how sure the classifier is. Ten "
                       "perfect copies, one per class, drawn equally often, tick every box. It cannot see a collapse "
                       "<i>within</i> each class, nor that the images are copies of training data. FID would notice "
                       "the missing variety (the fake features have almost no spread); a nearest-neighbour search "
                       "would find the copies.",
            "middle": "The 10 copies are real training digits, one per class, so the classifier is sure of each, and "
                      "each class gets a tenth of the samples: nothing lowers this score.",
            "bad": "The score never compares samples with each other or with the training set. Ten clean images, one "
                   "per class, equally often, are exactly what it rewards: a metric can rate a copier highly.",
        },
        explanation="A metric measures what it measures: here, coverage across classes and recognisability. "
                    "Diversity within a class, sharpness beyond the classifier's confidence, and copying need "
                    "other tools.",
        misconceptions={"bad": "copying-scores-badly"},
        ordered=True,
        expected="e92186c05899a8d1a3b3",
    ),
    MultipleChoice(
        "07-copied",
        "Your G's samples look like real digits. How can you find out whether it copied training images?",
        options={
            "a": "Compare samples' nearest training images with held-out digits'",
            "b": "No need: G never sees a training image, so it cannot copy one",
            "c": "Walk through z: a smooth walk shows that G did not copy anything",
            "d": "Look closely: a copied image would look sharper than the rest",
        },
        feedback={
            "a": "The nearest-neighbour check: for each generated digit, the distance to the closest training image; "
                 "for held-out real digits (never trained on), the same distance. If G's samples sit much closer to "
                 "training images than new real digits do, G has copied.",
            "b": "G never sees a training image, but D does, and D's gradient carries information about every example "
                 "to G. With a small training set like this lesson's, G can end up reproducing some of them. Check, "
                 "don't assume.",
            "c": "G is continuous by construction, trained or not (lesson 01): a G that reproduces training images at "
                 "some z still walks smoothly between them. Smoothness cannot separate memorising from generalising.",
            "d": "A copy looks exactly like real data; that is the problem. Nothing in its look gives it away, only "
                 "its distance to the training set.",
        },
        misconceptions={"b": "g-stores-images", "c": "smooth-walk-no-memorisation", "d": "looks-good-is-good"},
        answer="2d73d558e2ccfad835ec",
    ),
]
