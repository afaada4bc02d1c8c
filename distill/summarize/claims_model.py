"""Weights of the learned claim check (Verifier(learned=True)); bench/train_claims.py writes
this file. Until it is trained these are neutral placeholders: the default score alone."""

INTERCEPT = 0.0
MEANS = [0.55, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
SCALES = [0.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
WEIGHTS = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
