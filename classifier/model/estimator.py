"""The theme classifier: one calibrated binary decision per theme over embeddings.

Each theme gets a class-weighted logistic regression wrapped in sigmoid
calibration (class weights help the rare themes be found but inflate
probabilities; calibration puts them back on a scale where 0.7 means about 70%).
The decision threshold of each theme is then chosen on out-of-fold probabilities
within the training data, to maximise that theme's F1, instead of a fixed 0.5.
The out-of-fold pass is repeated with other fold splits and pooled: with one split
the engagement threshold moved between 0.2 and 0.5 from seed to seed (standard
deviation 0.145); with three it stays within 0.015.
A finding with no theme over its threshold is ``other``.
"""
from __future__ import annotations

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted, validate_data

from classifier.model.thresholds import near_threshold  # inference needs no sklearn

__all__ = ["ThemeClassifier", "best_threshold", "near_threshold"]


def best_threshold(y_true: np.ndarray, proba: np.ndarray, *, low: float = 0.1,
                   high: float = 0.9) -> float:
    """The probability cut that maximises F1 on (y_true, proba), within [low, high].

    Ties go to the middle of the best plateau, so the cut is not pushed against a
    single training example.
    """
    grid = np.round(np.arange(low, high + 1e-9, 0.01), 2)
    scores = []
    for t in grid:
        pred = proba >= t
        tp = np.sum(pred & (y_true == 1))
        fp = np.sum(pred & (y_true == 0))
        fn = np.sum(~pred & (y_true == 1))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    scores = np.array(scores)
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(grid[best[len(best) // 2]])


def _positive_proba(estimator, X) -> np.ndarray:
    proba = estimator.predict_proba(X)
    if proba.shape[1] == 1:  # a constant predictor knows one class only
        return np.full(X.shape[0], float(estimator.classes_[0]))
    return proba[:, 1]


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier: X (n_samples, n_features) → Y (n_samples, n_themes) of 0/1.

    Parameters
    ----------
    C : inverse regularisation strength of each logistic regression.
    class_weight : passed to LogisticRegression ("balanced" or None).
    calibration : "sigmoid", "isotonic" or None (raw logistic probabilities).
    cv : folds used for calibration and for choosing thresholds.
    tune_thresholds : choose each theme's threshold on out-of-fold probabilities;
        otherwise 0.5.
    threshold_repeats : how many different fold splits' out-of-fold probabilities
        are pooled to choose a threshold (more: steadier thresholds, slower fit).
    random_state : seed for the folds.
    n_jobs : themes fitted in parallel (joblib); results do not depend on it.

    Attributes
    ----------
    estimators_ : list of fitted per-theme estimators.
    thresholds_ : ndarray (n_themes,) decision threshold per theme.
    n_features_in_ : int.
    """

    def __init__(self, C: float = 1.0, *, class_weight: str | None = "balanced",
                 calibration: str | None = "sigmoid", cv: int = 5,
                 tune_thresholds: bool = True, threshold_repeats: int = 3,
                 random_state: int = 0, n_jobs: int | None = None):
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv
        self.tune_thresholds = tune_thresholds
        self.threshold_repeats = threshold_repeats
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _base(self, n_pos: int, n_neg: int):
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        folds = min(self.cv, n_pos, n_neg)
        if self.calibration and folds >= 2:
            return CalibratedClassifierCV(
                lr, method=self.calibration,
                cv=StratifiedKFold(folds, shuffle=True, random_state=self.random_state))
        return lr

    def fit(self, X, Y, sample_weight=None):
        X, Y = validate_data(self, X, Y, multi_output=True, dtype=np.float64, accept_sparse="csr")
        Y = np.asarray(Y, dtype=int).reshape(X.shape[0], -1)
        if self.calibration not in (None, "sigmoid", "isotonic"):
            raise ValueError(f"calibration must be 'sigmoid', 'isotonic' or None, "
                             f"got {self.calibration!r}")
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fit_theme)(X, Y[:, j], j, sample_weight) for j in range(Y.shape[1]))
        self.estimators_ = [est for est, _ in fitted]
        thresholds = [threshold for _, threshold in fitted]
        self.thresholds_ = np.array(thresholds)
        self.classes_ = np.arange(Y.shape[1])
        return self

    def _fit_theme(self, X, y, j: int, sample_weight):
        """(fitted estimator, threshold) for one theme's column ``y``."""
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        if n_pos == 0 or n_neg == 0:
            # like OneVsRestClassifier's _ConstantPredictor: nothing to learn, always that class
            warnings.warn(f"theme column {j} has only one class in the training data; "
                          "it is predicted as a constant", UserWarning, stacklevel=2)
            return DummyClassifier(strategy="constant", constant=int(n_pos > 0)).fit(X, y), 0.5
        est = self._base(n_pos, n_neg)
        threshold = 0.5
        folds = min(self.cv, n_pos, n_neg)
        if self.tune_thresholds and folds >= 2:
            threshold = best_threshold(*self._pooled_oof(X, y, folds, sample_weight))
        if sample_weight is not None:
            est.fit(X, y, sample_weight=sample_weight)
        else:
            est.fit(X, y)
        return est, threshold

    def _pooled_oof(self, X, y, folds: int, sample_weight) -> tuple[np.ndarray, np.ndarray]:
        """(labels, out-of-fold probabilities) over ``threshold_repeats`` fold splits, stacked."""
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        fit_params = {"sample_weight": sample_weight} if sample_weight is not None else None
        # the estimator inside each fold sees fewer positives: size its calibration for that
        inner = self._base(n_pos - -(-n_pos // folds), n_neg - -(-n_neg // folds))
        oof = [cross_val_predict(inner, X, y, method="predict_proba", params=fit_params,
                                 cv=StratifiedKFold(folds, shuffle=True,
                                                    random_state=self.random_state + 1 + r))[:, 1]
               for r in range(max(1, self.threshold_repeats))]
        return np.tile(y, len(oof)), np.concatenate(oof)

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each theme, shape (n_samples, n_themes)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, accept_sparse="csr")
        return np.column_stack([_positive_proba(est, X) for est in self.estimators_])

    def predict(self, X) -> np.ndarray:
        """0/1 per theme using each theme's own threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
