"""Checkpoints of lesson 10 (the metrics lab: which metric catches what).

Misconceptions met: "a GAN that copies its training data scores badly" (10-copies, 10-train-fd,
10-looks-fine), "a low FID means no mode collapse" (10-fd-diagnosis), "it looks good to me, so it
is good" (10-looks-fine). 10-sample-size checks FD's bias at small n.
Prediction outcome keys: 10-copies "fd", "prdc", "classes", "memo", "none" (what
:func:`gan_edu.lessons.metrics_lab.copy_outcome` returns).
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "10-sample-size",
        "Your G scores FD 60 with 100 samples. A classmate's G scores FD 20 with 449 samples, against the same "
        "reference digits and the same features. What can you conclude?",
        options={
            "theirs": "Theirs is closer: 20 is lower than 60, and lower is better",
            "yours": "Likely yours: fewer samples make a more careful estimate",
            "unknown": "Nothing yet: FD depends on n, so compare at the same n",
            "equal": "They are equal: FD does not depend on how many samples",
        },
        feedback={
            "theirs": "Lower is better only at the same n. FD's estimate is biased upwards, more so for fewer samples: "
                      "in this lesson real digits scored more than twice the FD with 100 samples than with 449, "
                      "against the same reference. So 60 at n = 100 may be as good as 20 at n = 449.",
            "yours": "Fewer samples make the estimate noisier and biased upwards, not more careful: a mean and a "
                     "512 x 512 covariance fitted to 100 feature vectors miss much of the real spread.",
            "unknown": "FD is biased upwards at small n, so raw numbers at different n do not compare. Score both with "
                       "the same n, each next to the real-against-real FD at that n. When n must be small, KID, whose "
                       "estimate is unbiased, is the better choice.",
            "equal": "It does: the lesson's real-against-real FD rises as n shrinks, although both sets come from one "
                     "and the same collection of digits. Equal quality would not give 60 and 20 at equal n either.",
        },
        answer="f4bed3eb345211c96d15",
    ),
    MultipleChoice(
        "10-fd-diagnosis",
        "Your G's FD is about 2.5 times the real-vs-real baseline, close to what a slight blur gives in the lab. "
        "A teammate concludes: \"So it makes every kind of digit, just a little blurry: no mode collapse.\" "
        "What do you reply?",
        options={
            "a": "Agreed: a collapse would push FD far higher than a blur",
            "b": "Agreed, if the classifier finds all ten digit classes",
            "c": "No: any FD above the baseline means that G collapsed",
            "d": "Not from FD alone: look at coverage and the classes too",
        },
        feedback={
            "a": "In the lab, collapsing the real digits onto 100 images raised FD about as much as a slight blur "
                 "did, and dropping two digits raised it less: similar numbers for different failures. FD sums "
                 "every difference into one number; it does not say which.",
            "b": "The class count asks which digit each sample is, not how many different 3s there are: the lab's "
                 "collapse onto 100 images kept all ten classes, in the right proportions.",
            "c": "FD rises for many reasons: blur, noise, missing digits, collapse. A value above the baseline says "
                 "G's samples differ from real digits, not how.",
            "d": "FD cannot tell blur, missing digits and collapse apart. Coverage fell for the collapse and for the "
                 "missing digits but hardly for the slight blur; the class count caught the missing digits but "
                 "not the collapse. Several metrics together, and a look at the samples, say which failure it is.",
        },
        misconceptions={"a": "low-fid-no-collapse", "b": "low-fid-no-collapse"},
        answer="d934f0d8cdb87130548d",
    ),
    Prediction(
        "10-copies",
        "A cheating 'generator' returns 449 different training digits, copied exactly, instead of making new ones. "
        "We score it like the held-out real digits, with every metric of the lab. Which metric will notice that "
        "it copies?",
        options={
            "fd": "FD and KID: they rise above the real baseline",
            "prdc": "Recall and coverage: copies cover too little",
            "classes": "The class count: copies skew the histogram",
            "memo": "Only the memorisation check: the rest look fine",
            "none": "None of them: a copy is simply a real digit",
        },
        feedback={
            "fd": "FD and KID compare the copies' features with the held-out digits' features. Copies are real "
                  "digits, drawn from the same distribution as the held-out ones, so both stay at the real-vs-real "
                  "baseline. Against the training images, FD even falls far below it: copying scores best.",
            "prdc": "Precision, recall, density and coverage ask whether generated and real features lie in each "
                    "other's neighbourhoods. 449 distinct real digits cover the real set as well as 449 new real "
                    "digits do.",
            "classes": "449 training digits drawn at random have the digits' own class proportions: the class count "
                       "and its KL stay where the real digits put them.",
            "memo": "The memorisation check flags them: every copied sample is at distance 0 from a training digit, "
                    "closer than 95 % of held-out digits ever come. The metrics that compare with held-out digits "
                    "rate the copies as highly as new real digits (they are real digits), and FD against the "
                    "training set even falls: it rewards copying.",
            "none": "Every metric that compares with real digits is fooled, but one is built for this: the "
                    "memorisation check compares each sample with the training set and finds exact copies at "
                    "distance 0.",
        },
        explanation="A metric that compares samples with real data cannot tell a copy from a new digit: a copy is "
                    "real data. Copying is caught only by a check built for it: how close each sample comes to the "
                    "training images, next to how close new real digits come.",
        misconceptions={"fd": "copying-scores-badly", "prdc": "copying-scores-badly", "classes": "copying-scores-badly"},
        expected="a91d1af44f828d8b3ac4",
    ),
    MultipleChoice(
        "10-train-fd",
        "A team reports the Fréchet distance between its G's samples and G's own training images: lower than for "
        "any other model they tried. What should you ask them first?",
        options={
            "a": "Nothing: a lower FD means closer to the data, so it is better",
            "b": "Whether G copies: copies score best against the training set",
            "c": "Whether G blurs: blurring is what lowers FD to training data",
            "d": "Nothing: a G that copied would score badly, so it cannot be",
        },
        feedback={
            "a": "Closer to the training images is not closer to the distribution: a G that returns training images "
                 "is as close to them as anything can be. In the lab, exact copies scored a far lower FD to the "
                 "training set than new real digits did.",
            "b": "FD to the training set rewards copying. Ask for FD against held-out real images next to the "
                 "real-vs-real baseline, and for the nearest-neighbour memorisation check against the training "
                 "set.",
            "c": "Blur raises FD against any set of sharp digits: in the lab, FD to the training set rose with every "
                 "blur. A low FD to the training set is suspicious for the opposite reason: it is what copies get.",
            "d": "The opposite: copies are real digits, so every distribution metric rates them as highly as new "
                 "real digits, and FD against the training set rates them best of all. Only the memorisation check "
                 "flags them.",
        },
        misconceptions={"a": "copying-scores-badly", "d": "copying-scores-badly"},
        answer="9c1d25ced00401e03906",
    ),
    MultipleChoice(
        "10-looks-fine",
        "A classmate shows you a grid of their G's samples: \"Every digit looks perfect to me, so my G is good.\" "
        "After this lab, what is the best reply?",
        options={
            "a": "Agreed: if your eye finds no flaw, no metric would either",
            "b": "Agreed, as long as you looked at a few hundred samples",
            "c": "Look, but measure too: what's missing and what's copied",
            "d": "Don't look at all: only the numbers count for a generator",
        },
        feedback={
            "a": "In the lab, copied training digits and a set collapsed onto 100 images look like real digits in a "
                 "picture; the memorisation check flags the first, coverage and recall the second. The eye judges "
                 "one sample at a time and cannot see what is missing or copied.",
            "b": "More samples help a little (repeats may catch your eye), but the eye keeps no record of 899 "
                 "training digits and cannot count what is missing. Copies and missing classes need measuring.",
            "c": "Looking catches what the features can miss (odd artefacts, something inappropriate); measuring "
                 "catches what the eye cannot: coverage and recall for what is missing, the memorisation check for "
                 "copies, FD or KID next to the real-vs-real baseline. \"Looks good to me\" is a start, not evidence.",
            "d": "Metrics have blind spots too: faint noise changed no metric in the lab, and features trained to "
                 "tell digits apart can ignore what a person notices at once. Look and measure.",
        },
        misconceptions={"a": "looks-good-is-good", "b": "looks-good-is-good"},
        answer="4a0697dedd254706b159",
    ),
]
