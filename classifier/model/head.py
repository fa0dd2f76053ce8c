"""The fitted classifier's arithmetic in plain numpy, for a fast start without scikit-learn.

Importing scikit-learn (it imports scipy.stats and pandas) and skops (it lists every
scikit-learn estimator and numpy/scipy ufunc) takes longer than everything else a
one-finding ``classify`` does. For prediction, the fitted ``ThemeClassifier`` is a
few logistic regressions with sigmoid calibration, so at ``train`` time
:func:`compile_head` copies its parameters into ``head.npz`` (arrays only, loaded with
``allow_pickle=False``) and checks that :class:`LinearHead` gives the same
probabilities as the scikit-learn model on the training features (to 1e-9).

Supported per theme: ``CalibratedClassifierCV(LogisticRegression, method="sigmoid")``
(mean over its calibrated folds), a bare binary ``LogisticRegression``, and a constant
``DummyClassifier``. Anything else — another classification method — makes
:func:`compile_head` return None, and inference loads ``classifier.skops`` with
scikit-learn as before: slower to start, never different.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HEAD_FILE = "head.npz"
MAX_DIFF = 1e-9


class LinearHead:
    """``predict_proba`` of the compiled classifier: (n, n_features) -> (n, n_themes).

    Member ``k`` (a logistic regression, possibly one calibrated fold) gives
    ``p = 1 / (1 + exp(a_k * (x @ w_k + c_k) + b_k))`` (``a_k = -1, b_k = 0`` when it is
    not calibrated); a theme's probability is the mean over its members, or its constant.
    """

    def __init__(self, weights, intercepts, a, b, member_theme, constants):
        self.weights = np.asarray(weights, dtype=np.float64)        # (members, features)
        self.intercepts = np.asarray(intercepts, dtype=np.float64)  # (members,)
        self.a = np.asarray(a, dtype=np.float64)
        self.b = np.asarray(b, dtype=np.float64)
        self.member_theme = np.asarray(member_theme, dtype=np.int64)
        self.constants = np.asarray(constants, dtype=np.float64)    # (themes,), nan = members
        self.n_features_in_ = self.weights.shape[1] if self.weights.size else 0

    def predict_proba(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or (self.weights.size and X.shape[1] != self.n_features_in_):
            raise ValueError(f"expected (n, {self.n_features_in_}) features, got {X.shape}")
        n_themes = len(self.constants)
        out = np.zeros((X.shape[0], n_themes))
        if self.weights.size:
            f = X @ self.weights.T + self.intercepts
            p = 1.0 / (1.0 + np.exp(self.a * f + self.b))
            counts = np.bincount(self.member_theme, minlength=n_themes)
            for j in range(n_themes):
                if counts[j]:
                    out[:, j] = p[:, self.member_theme == j].mean(axis=1)
        const = ~np.isnan(self.constants)
        out[:, const] = self.constants[const]
        return out

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, weights=self.weights, intercepts=self.intercepts, a=self.a, b=self.b,
                     member_theme=self.member_theme, constants=self.constants)

    @classmethod
    def load(cls, path: Path) -> "LinearHead":
        with np.load(path, allow_pickle=False) as data:
            return cls(**{k: data[k] for k in ("weights", "intercepts", "a", "b",
                                               "member_theme", "constants")})


def _members(est) -> list[tuple[np.ndarray, float, float, float]] | None:
    """(w, c, a, b) of each logistic member of one theme's estimator; None if unsupported."""
    name = type(est).__name__
    if name == "LogisticRegression" and getattr(est, "coef_", None) is not None \
            and est.coef_.shape[0] == 1 and list(est.classes_) == [0, 1]:
        return [(est.coef_[0], float(est.intercept_[0]), -1.0, 0.0)]
    if name == "CalibratedClassifierCV" and getattr(est, "method", None) == "sigmoid" \
            and list(est.classes_) == [0, 1]:
        out = []
        for cc in est.calibrated_classifiers_:
            inner = cc.estimator
            if type(inner).__name__ != "LogisticRegression" or inner.coef_.shape[0] != 1 \
                    or list(inner.classes_) != [0, 1] or len(cc.calibrators) != 1 \
                    or type(cc.calibrators[0]).__name__ != "_SigmoidCalibration":
                return None
            cal = cc.calibrators[0]
            out.append((inner.coef_[0], float(inner.intercept_[0]), float(cal.a_), float(cal.b_)))
        return out
    return None


def compile_head(classifier, X_check: np.ndarray) -> LinearHead | None:
    """A :class:`LinearHead` equal to ``classifier.predict_proba`` on ``X_check``, or None."""
    weights, intercepts, a, b, member_theme, constants = [], [], [], [], [], []
    for j, est in enumerate(getattr(classifier, "estimators_", [])):
        if type(est).__name__ == "DummyClassifier" and getattr(est, "strategy", "") == "constant":
            classes = list(est.classes_)
            constants.append(float(classes[0]) if len(classes) == 1 else float(est.constant))
            continue
        members = _members(est)
        if members is None:
            return None
        constants.append(np.nan)
        for w, c, aa, bb in members:
            weights.append(w)
            intercepts.append(c)
            a.append(aa)
            b.append(bb)
            member_theme.append(j)
    if not constants:
        return None
    width = X_check.shape[1]
    head = LinearHead(np.array(weights).reshape(-1, width), intercepts, a, b, member_theme,
                      constants)
    try:
        diff = np.abs(head.predict_proba(X_check) - classifier.predict_proba(X_check)).max()
    except ValueError:
        return None
    return head if diff <= MAX_DIFF else None
