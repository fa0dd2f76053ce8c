"""Baselines the model must beat: keyword rules from the codebook, and TF-IDF + LR.

Both take texts, like :class:`classifier.themes.ThemeModel`, so one evaluation
loop serves all three. The keyword rules are the codebook's "in" terms written
as patterns by hand; they are a baseline only — labels are never made this way.
"""
from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.codebook import Codebook, default_codebook
from classifier.model import ThemeClassifier

KEYWORDS: dict[str, list[str]] = {
    "disclosure": [r"disclos", r"unused material", r"defence statement", r"\bschedules?\b",
                   r"\bDRS\b", r"record sheets? .*disclos"],
    "grip": [r"\bgrip", r"case progression", r"progress(ed|ing)? cases?", r"initial review",
             r"timel\w+ (of )?review", r"reviews? .*(timely|late)", r"trial strategy",
             r"standard operating practice", r"transforming summary justice", r"\bTSJ\b",
             r"better case management", r"\bBCM\b", r"task list", r"hearing record sheet",
             r"court (orders|directions)", r"trial preparation", r"discontinu"],
    "victim_letters": [r"victim communication and liaison", r"\bVCL\b", r"victim liaison unit",
                       r"\bVLU\b", r"letters? to victims", r"victims? letters?",
                       r"bereaved famil", r"right to review", r"\bVRR\b",
                       r"communications? with victims", r"bespoke paragraph"],
    "police_file_quality": [r"file quality", r"quality of (police )?files", r"national file standard",
                            r"\bNFS\b", r"police files?", r"file submission", r"anticipated plea",
                            r"correct part of the"],
    "engagement": [r"engag", r"staff communication", r"internal communication", r"team meetings?",
                   r"\bvisib", r"\bvision\b", r"one.area", r"communit", r"scrutiny and involvement",
                   r"\bLSIP", r"partners?\b", r"stakeholders?", r"joint working", r"witness care",
                   r"witness service", r"relationships?"],
}


class KeywordBaseline:
    """A theme is present when any of its codebook patterns occurs in the text."""

    def __init__(self, codebook: Codebook | None = None):
        self.codebook = codebook or default_codebook()
        self.patterns = {t: re.compile("|".join(KEYWORDS.get(t, [r"(?!x)x"])), re.I)
                         for t in self.codebook.ids}
        self.thresholds_ = np.full(len(self.codebook.ids), 0.5)

    def fit(self, texts, Y):
        return self

    def predict_proba(self, texts) -> np.ndarray:
        return np.array([[1.0 if self.patterns[t].search(text) else 0.0
                          for t in self.codebook.ids] for text in texts])

    def predict(self, texts) -> np.ndarray:
        return (self.predict_proba(texts) >= 0.5).astype(int)


class TfidfBaseline:
    """Word and bigram TF-IDF features into the same per-theme calibrated classifier."""

    def __init__(self, C: float = 10.0, random_state: int = 0):
        self.C = C
        self.random_state = random_state

    def fit(self, texts, Y):
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        X = self.vectorizer_.fit_transform(list(texts))
        self.classifier_ = ThemeClassifier(C=self.C, random_state=self.random_state).fit(X, Y)
        self.thresholds_ = self.classifier_.thresholds_
        return self

    def predict_proba(self, texts) -> np.ndarray:
        return self.classifier_.predict_proba(self.vectorizer_.transform(list(texts)))

    def predict(self, texts) -> np.ndarray:
        return self.classifier_.predict(self.vectorizer_.transform(list(texts)))
