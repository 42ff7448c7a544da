"""Checkpoints of lesson 09 (a conditional GAN on the digits: "draw me a 7").

Misconceptions met: "the class label is just another noise dimension" (09-one-hot, 09-label-or-noise),
"a conditional G can only copy that class's training images" (09-one-hot, 09-copy-class).
09-projection checks why the projection D lets the label meet the image's features; 09-why-judge
why G's steering is checked by an independent classifier and not by D.
Prediction outcome keys: 09-label-or-noise "label", "both", "z", "neither" (what
:func:`gan_edu.lessons.conditional.label_or_noise_outcome` returns).
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "09-one-hot",
        "The conditional G's first layer multiplies W by [z, onehot(y)]: the noise z with the class y's one-hot "
        "vector appended. What does the one-hot part add to that layer's output?",
        options={
            "noise": "One more random input, like one more coordinate of z",
            "class": "A learned vector for class y, the same one for every z",
            "image": "A stored training image of class y for G to start from",
            "nothing": "Nothing at first: D's loss tells G the class much later",
        },
        feedback={
            "noise": "The one-hot is not random: it is fixed by the class you ask for, and its ten possible values "
                     "are the same for every z. A noise coordinate varies from sample to sample; the label picks "
                     "which digit, whatever the noise.",
            "class": "W [z, onehot(y)] = W_z z + w_y, where w_y is the column of W for class y: a learned vector "
                     "per class (an embedding) added to the projection of z. The same w_y is added whatever z is, "
                     "so z keeps deciding the handwriting while w_y shifts G towards the digit.",
            "image": "G stores no images: w_y is 1 column of W, learned through D's gradient like every other "
                     "weight. The lesson's memorisation check found its samples no closer to training digits "
                     "than new real digits are.",
            "nothing": "The class acts from the very first forward pass: W multiplies the one-hot like any input. "
                       "D's loss is how w_y learns what class y should look like, not when y enters.",
        },
        misconceptions={"noise": "label-is-noise", "image": "conditional-copies-class"},
        answer="dfb83d0e9b52689d1309",
    ),
    MultipleChoice(
        "09-projection",
        "The lesson's D computes psi(phi(x)) + e_y · phi(x): the image's features phi(x), then the inner product "
        "with a learned vector e_y of the class. Why let the label meet the image only at the end, instead of "
        "feeding the one-hot in next to the pixels?",
        options={
            "sizes": "A one-hot and 64 pixels differ in size, so they cannot mix",
            "secret": "D must not learn the label too early, or it would cheat",
            "meet": "The features already say what x shows; e_y asks if it fits y",
            "ignore": "So that D can ignore the label and judge real or fake only",
        },
        feedback={
            "sizes": "Concatenating a one-hot with the pixels (or with an early feature map) is easy and it works: "
                     "the earliest conditional GANs did just that. The choice is about where the label is most "
                     "useful, not about sizes.",
            "secret": "D is meant to use the label: a real 3 shown as a 7 must be rejected. Nothing is gained by "
                      "hiding it; the question is where it helps D most.",
            "meet": "By the last layer, phi(x) describes what the image looks like, so e_y · phi(x) asks directly "
                    "whether those features point the way of class y. Miyato and Koyama (2018) showed this is the "
                    "form the optimal D takes under mild assumptions, and it gave better images than concatenation.",
            "ignore": "D cannot ignore it: the term e_y · phi(x) is added to every logit, and for a fake 7 that "
                      "looks like a 1 it pushes the logit down. A D that ignored the label could not teach G "
                      "which digit to draw.",
        },
        answer="e60d0bdb9c7addef470c",
    ),
    Prediction(
        "09-label-or-noise",
        "Take 500 samples G(z, y). For each, once change only the label to another class (same z), and once "
        "draw a completely new z (same label). The independent judge names every picture. Which change turns "
        "the digit into another digit more often?",
        options={
            "both": "Both about equally often: both are inputs of G",
            "z": "The new z: z has 16 numbers and the label one",
            "neither": "Neither, often: G barely reacts to its inputs",
            "label": "The new label, almost always; a new z, rarely",
        },
        feedback={
            "both": "G does take both as input, but they play different roles. Training asked G to make a digit "
                    "of class y for every z, so the label decides the digit and z only the handwriting.",
            "z": "A new z does move G's input far more than a label switch (the lesson measured it), yet it "
                 "rarely changes the digit: D punished G whenever its 7s did not look like 7s, whatever z was.",
            "neither": "G reacts strongly to both: a new z gives other handwriting, a new label another digit. "
                       "The judge names the digit, so only the label change shows up as a change of digit.",
            "label": "The label decides which digit, z decides how it is written. In the lesson a new label "
                     "changed the judged digit almost every time, a completely new z only a few times in a hundred.",
        },
        explanation="The label is not one more noise dimension: training ties it to the digit's identity, "
                    "while z is left with everything the label does not fix, the style.",
        misconceptions={"both": "label-is-noise", "z": "label-is-noise"},
        expected="928af7cba97ff1b2923e",
    ),
    MultipleChoice(
        "09-copy-class",
        "A classmate says: \"Ask a conditional G for a 7 and it can only hand back one of the 7s it was trained "
        "on.\" What did this lesson's nearest-neighbour check find for the G trained here?",
        options={
            "far": "Its 7s sit about as far from training 7s as new real 7s",
            "copies": "Its 7s are copies of training 7s, at a distance of zero",
            "blind": "Nothing: the check cannot run for one class at a time",
            "closer": "Its 7s are nearer to training 7s than real 7s ever are",
        },
        feedback={
            "far": "Class by class, the median distance from G's samples to the nearest training digit of their "
                   "class was about the same as for held-out real digits of that class, and no sample was an "
                   "exact copy. G makes new 7s in the style z asks for. (Check each G: a small data set can be "
                   "partly memorised.)",
            "copies": "No sample was at distance 0 from a training digit. G never sees the training images; it "
                      "learns, through D's gradient, a map from (z, y) to images, and here that map makes new ones.",
            "blind": "It can: the lesson compared each class's samples with that class's training digits, with the "
                     "held-out real digits of the class as the yardstick.",
            "closer": "The lesson measured the opposite: G's samples were no closer to a training digit than "
                      "held-out real digits, which nobody trained on, are.",
        },
        misconceptions={"copies": "conditional-copies-class", "closer": "conditional-copies-class"},
        answer="166c64256a3acf76192f",
    ),
    MultipleChoice(
        "09-why-judge",
        "The lesson checks whether G draws the requested digit with a separate classifier, fitted with "
        "scikit-learn on real pixels, rather than with the trained D. Why not simply ask D?",
        options={
            "no-label": "D takes no label, so it cannot say which digit it sees",
            "gone": "D is deleted after training, so there is nothing to ask",
            "fooled": "G was trained to fool D, so D's verdict is the one to doubt",
            "better": "A linear classifier is always more accurate than a CNN",
        },
        feedback={
            "no-label": "The projection D does take a label: D(x, y) scores whether x is a real image of class y. "
                        "The trouble is who trained against it.",
            "gone": "The trainer still holds D after training; we could ask it. But a judge that G was optimised to "
                    "please is the wrong judge to ask.",
            "fooled": "G's whole training pushed its samples towards what D accepts, including D's blind spots. A "
                      "judge that shares nothing with D (another model, another library, fitted on real digits "
                      "only) cannot have been gamed by G.",
            "better": "Not in general: the kit's small CNN is about as accurate on real digits. The point is "
                      "independence from the training, not accuracy.",
        },
        answer="f79061ad7525a0b4e704",
    ),
]
