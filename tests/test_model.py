"""ThemeClassifier follows scikit-learn's conventions and is deterministic."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifier.model.estimator import ThemeClassifier, best_threshold


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    Y = np.column_stack([(X[:, 0] > 0.3), (X[:, 1] + X[:, 2] > 0.5)]).astype(int)
    return X, Y


def test_fit_predict_shapes_and_thresholds(toy):
    X, Y = toy
    clf = ThemeClassifier(random_state=0).fit(X, Y)
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2) and ((proba >= 0) & (proba <= 1)).all()
    assert clf.thresholds_.shape == (2,)
    assert ((0.1 <= clf.thresholds_) & (clf.thresholds_ <= 0.9)).all()
    assert (clf.predict(X) == (proba >= clf.thresholds_)).all()
    assert clf.n_features_in_ == 8


def test_learns_the_signal(toy):
    X, Y = toy
    clf = ThemeClassifier().fit(X[:80], Y[:80])
    accuracy = (clf.predict(X[80:]) == Y[80:]).mean()
    assert accuracy > 0.8


def test_deterministic(toy):
    X, Y = toy
    a = ThemeClassifier(random_state=3).fit(X, Y).predict_proba(X)
    b = ThemeClassifier(random_state=3).fit(X, Y).predict_proba(X)
    assert np.array_equal(a, b)


def test_estimator_conventions(toy):
    X, Y = toy
    clf = ThemeClassifier(C=2.0, calibration=None)
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(ValueError, match="calibration"):
        ThemeClassifier(calibration="magic").fit(X, Y)
    with pytest.raises(ValueError):
        ThemeClassifier().fit(X, Y).predict(X[:, :3])  # wrong number of features


def test_single_class_theme_becomes_constant(toy):
    X, Y = toy
    Y = np.column_stack([Y[:, 0], np.zeros(len(Y), dtype=int)])
    with pytest.warns(UserWarning, match="only one class"):
        clf = ThemeClassifier().fit(X, Y)
    assert (clf.predict_proba(X)[:, 1] == 0).all()


def test_best_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.35, 0.4, 0.8, 0.9])
    t = best_threshold(y, p)
    assert 0.35 < t <= 0.4


def test_near_threshold_is_measured_in_log_odds():
    from classifier.model.estimator import near_threshold

    thresholds = np.array([0.5, 0.15])
    proba = np.array([[0.55, 0.0], [0.9, 0.01], [0.1, 0.2], [0.1, 0.05]])
    # 0.55 vs 0.5 is 0.2 log-odds; 0.2 vs 0.15 is 0.35; 0.05 vs 0.15 is 1.2; 0.9 vs 0.5 is 2.2
    assert near_threshold(proba, thresholds, 0.5).tolist() == [True, False, True, False]
