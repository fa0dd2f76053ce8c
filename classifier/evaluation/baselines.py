"""Baselines the model must beat: keyword rules from the codebook, and TF-IDF + LR.

Both take texts, like :class:`classifier.model.pipeline.ThemeModel`, so one evaluation
loop serves all three. The keyword rules are the codebook's "in" terms written
as patterns by hand; they are a baseline only — labels are never made this way.
"""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.codebook import Codebook, default_codebook
from classifier.model.features import term_flags
from classifier.model.estimator import ThemeClassifier


class KeywordBaseline:
    """A theme is present when any of its codebook patterns occurs in the text."""

    def __init__(self, codebook: Codebook | None = None):
        self.codebook = codebook or default_codebook()
        self.thresholds_ = np.full(len(self.codebook.ids), 0.5)

    def fit(self, texts, Y):
        return self

    def predict_proba(self, texts) -> np.ndarray:
        return term_flags(list(texts), self.codebook.ids).astype(float)

    def predict(self, texts) -> np.ndarray:
        return (self.predict_proba(texts) >= 0.5).astype(int)


class TfidfBaseline:
    """Word and bigram TF-IDF features into the same per-theme calibrated classifier."""

    def __init__(self, C: float = 10.0, random_state: int = 0, n_jobs: int | None = None):
        self.C = C
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, texts, Y):
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        X = self.vectorizer_.fit_transform(list(texts))
        self.classifier_ = ThemeClassifier(C=self.C, random_state=self.random_state,
                                           n_jobs=self.n_jobs).fit(X, Y)
        self.thresholds_ = self.classifier_.thresholds_
        return self

    def predict_proba(self, texts) -> np.ndarray:
        return self.classifier_.predict_proba(self.vectorizer_.transform(list(texts)))

    def predict(self, texts) -> np.ndarray:
        return self.classifier_.predict(self.vectorizer_.transform(list(texts)))
