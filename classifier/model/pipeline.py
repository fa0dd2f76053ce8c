"""Text in, themes out: the embedder and the theme classifier joined together.

:class:`ThemeModel` is what ``train`` saves and ``classify``, ``similar``,
``report`` and the app use. It adds to the embeddings, when asked, the
codebook's own definitions and examples as extra training sentences, and it
flags predictions that sit close to a theme's threshold as ``needs_review``.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from classifier.codebook import Codebook, default_codebook
from classifier.model.embed import Embedder
from classifier.model.features import actor_flags, term_flags
from classifier.model.thresholds import REVIEW_MARGIN, near_threshold

EMPTY_FLAG = "empty_text"
_SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+(?=[A-Z‘'\"(])")


def sentences(text: str, min_words: int = 5) -> list[str]:
    """The sentences of a finding that has two or more of at least ``min_words`` words;
    [] for a one-sentence finding (its whole text is scored anyway)."""
    parts = [p for p in _SENTENCE_BREAK.split(text) if len(p.split()) >= min_words]
    return parts if len(parts) > 1 else []


def codebook_examples(codebook: Codebook, *, negatives: bool = True
                      ) -> tuple[list[str], np.ndarray]:
    """The codebook's definitions, in-rules and worked examples as labelled sentences.

    With ``negatives``, the codebook's typical `other` subjects come too, with no theme.
    """
    texts, rows = [], []
    for j, theme in enumerate(codebook.themes):
        for text in (theme.definition, *theme.include, *theme.examples):
            y = np.zeros(len(codebook.ids), dtype=int)
            y[j] = 1
            texts.append(text)
            rows.append(y)
    if negatives:
        for text in codebook.other_examples:
            texts.append(text)
            rows.append(np.zeros(len(codebook.ids), dtype=int))
    return texts, np.array(rows)


class ThemeModel:
    """Multi-label theme model over sentence embeddings.

    Parameters
    ----------
    embedder : the :class:`Embedder` used for every text (stored by reference).
    C : regularisation of each per-theme logistic regression.
    use_codebook : add the codebook's definitions/examples to the training data.
    codebook_weight : sample weight of those codebook sentences.
    review_margin : a probability within this many log-odds of a theme's threshold
        marks the finding ``needs_review`` (see :data:`classifier.model.thresholds.REVIEW_MARGIN`).
    keyword_weight, actor_weight : scale of the codebook-term and "whose work" flags
        appended to the embedding (0 leaves them out).
    threshold_repeats : fold splits pooled to choose each theme's threshold
        (see :class:`classifier.model.estimator.ThemeClassifier`).
    sentence_max : also score each sentence of a finding with two or more sentences, and
        keep per theme the highest of the whole finding's and its sentences' probabilities,
        so a finding that names several things keeps all of them.
    n_jobs : themes fitted in parallel; the fitted model does not depend on it.
    """

    def __init__(self, embedder: Embedder | None = None, *, C: float = 1.0,
                 use_codebook: bool = True, codebook_weight: float = 1.0,
                 review_margin: float = REVIEW_MARGIN, random_state: int = 0,
                 codebook_negatives: bool = True, keyword_weight: float = 1.0,
                 actor_weight: float = 0.0, threshold_repeats: int = 3,
                 sentence_max: bool = True, n_jobs: int | None = None,
                 codebook: Codebook | None = None):
        self.embedder = embedder
        self.C = C
        self.use_codebook = use_codebook
        self.codebook_weight = codebook_weight
        self.review_margin = review_margin
        self.random_state = random_state
        self.codebook_negatives = codebook_negatives
        self.keyword_weight = keyword_weight
        self.actor_weight = actor_weight
        self.threshold_repeats = threshold_repeats
        self.sentence_max = sentence_max
        self.n_jobs = n_jobs
        self.codebook = codebook or default_codebook()

    def _embed(self, texts) -> np.ndarray:
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder.encode(list(texts))

    def features(self, vectors: np.ndarray, texts) -> np.ndarray:
        """Embeddings, plus (when their weights are > 0) one codebook-term flag per theme and
        the two "whose work" flags of :mod:`classifier.model.features`."""
        texts = list(texts)
        parts = [np.asarray(vectors, dtype=np.float32)]
        if self.keyword_weight:
            parts.append(self.keyword_weight * term_flags(texts, self.codebook.ids))
        if self.actor_weight:
            parts.append(self.actor_weight * actor_flags(texts))
        return np.hstack(parts)

    def fit(self, texts, Y, sample_weight=None) -> "ThemeModel":
        X = self.features(self._embed(texts), texts)
        Y = np.asarray(Y)
        weights = np.ones(X.shape[0]) if sample_weight is None else \
            np.asarray(sample_weight, dtype=float)
        if self.use_codebook:
            extra_texts, extra_y = codebook_examples(self.codebook,
                                                     negatives=self.codebook_negatives)
            extra_X = self.features(self._embed(extra_texts), extra_texts)
            if hasattr(X, "tocsr"):  # sparse features (a candidate in scripts/experiments.py)
                from scipy import sparse

                X = sparse.vstack([X, extra_X]).tocsr()
            else:
                X = np.vstack([X, extra_X])
            Y = np.vstack([Y, extra_y])
            weights = np.concatenate([weights, np.full(len(extra_texts), self.codebook_weight)])
        from classifier.model.estimator import ThemeClassifier  # scikit-learn: only when fitting

        self.classifier_ = ThemeClassifier(C=self.C, threshold_repeats=self.threshold_repeats,
                                           n_jobs=self.n_jobs,
                                           random_state=self.random_state)
        self.classifier_.fit(X, Y, sample_weight=weights)
        self.thresholds_ = self.classifier_.thresholds_
        return self

    def predict_proba(self, texts) -> np.ndarray:
        texts = list(texts)
        return self.predict_proba_vectors(self._embed(texts), texts)

    def predict_proba_vectors(self, vectors: np.ndarray, texts) -> np.ndarray:
        """Probabilities from already-computed embeddings (and their texts)."""
        texts = list(texts)
        proba = self.classifier_.predict_proba(self.features(vectors, texts))
        if self.sentence_max:
            parts = [(i, s) for i, text in enumerate(texts) for s in sentences(text)]
            if parts:
                part_texts = [s for _, s in parts]
                sub = self.classifier_.predict_proba(
                    self.features(self._embed(part_texts), part_texts))
                for (i, _), row in zip(parts, sub):
                    proba[i] = np.maximum(proba[i], row)
        return proba

    def predict(self, texts) -> np.ndarray:
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    def needs_review(self, proba: np.ndarray, texts=None) -> np.ndarray:
        """True for a prediction likely to be wrong: by the rule learnt from the model's own
        grouped-CV mistakes (``review_rule_``, set by ``train``) when there is one and the
        texts are given; else where a theme's probability is within ``review_margin``
        (log-odds) of its threshold."""
        rule = getattr(self, "review_rule_", None)
        if rule is not None and texts is not None:
            return rule.flags(proba, self.thresholds_, texts)
        return near_threshold(proba, self.thresholds_, self.review_margin)

    def describe(self, proba: np.ndarray, empty: np.ndarray | None = None,
                 texts=None) -> pd.DataFrame:
        """themes, p_<theme>, needs_review and flag columns for a probability matrix."""
        ids = self.codebook.ids
        empty = np.zeros(len(proba), dtype=bool) if empty is None else np.asarray(empty)
        out = pd.DataFrame({f"p_{t}": np.round(proba[:, j], 4) for j, t in enumerate(ids)})
        themes = [self.codebook.format([t for j, t in enumerate(ids) if row[j] >= self.thresholds_[j]])
                  for row in proba]
        out.insert(0, "themes", themes)
        out["needs_review"] = self.needs_review(proba, texts)
        out["flag"] = ""
        if empty.any():
            out.loc[empty, "themes"] = ""
            out.loc[empty, [f"p_{t}" for t in ids]] = np.nan
            out.loc[empty, "needs_review"] = False
            out.loc[empty, "flag"] = EMPTY_FLAG
        return out

    def classify(self, texts) -> pd.DataFrame:
        """One row per text, in order; empty texts keep their row with a flag and no themes."""
        texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t)
                 for t in texts]
        empty = np.array([not t.strip() for t in texts], dtype=bool)
        proba = np.zeros((len(texts), len(self.codebook.ids)))
        if (~empty).any():
            proba[~empty] = self.predict_proba([t for t, e in zip(texts, empty) if not e])
        return self.describe(proba, empty, texts)
