"""Weights of the learned claim check (Verifier(learned=True)), written by
bench/train_claims.py: 85 labelled LLM sentences and 181 synthetic claims from 12 articles.
Features in the order of claims.FEATURES; logistic regression on standardised values."""

INTERCEPT = -0.155957
MEANS = [
    0.644407,
    0.869773,
    0.857318,
    0.860107,
    0.146617,
    0.349624,
    0.114488,
    0.809199,
    0.869034,
    0.882495,
]
SCALES = [
    0.337615,
    0.261849,
    0.273876,
    0.204564,
    0.353723,
    0.589651,
    0.228587,
    0.330793,
    0.254261,
    0.247267,
]
WEIGHTS = [
    3.4365,
    0.439068,
    0.087542,
    -0.826555,
    -0.983894,
    0.53188,
    0.383061,
    -0.541286,
    -0.270281,
    0.533518,
]
