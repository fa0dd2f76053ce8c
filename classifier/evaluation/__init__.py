"""Measuring the classifier: grouped cross-validation by publication, the sealed split, baselines, label agreement."""
