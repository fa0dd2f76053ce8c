"""`needs_review` is learnt at `train` from the model's own grouped-CV mistakes, travels in the
manifest, and falls back to the threshold margin for a model trained without it."""
from __future__ import annotations

import numpy as np

from tests.conftest import edited_manifest


def test_the_learnt_rule_catches_more_mistakes_than_the_margin_at_the_same_budget(model):
    learned = model.manifest_["metrics"]["grouped_cv"]["review_learned"]
    assert 0.1 < learned["share_flagged"] < 0.3  # held to its 20% budget, cross-fitted
    margin = learned["margin_rule"]
    assert abs(margin["share_flagged"] - learned["share_flagged"]) < 0.05
    assert learned["wrong_caught"] > margin["wrong_caught"]
    assert learned["exact_match_unflagged"] > margin["exact_match_unflagged"]


def test_a_loaded_model_flags_with_the_rule_in_its_manifest(model, models_dir):
    from classifier.model.review import ReviewRule
    from classifier.ingest.datasets import real_findings

    rule = ReviewRule.from_dict(model.manifest_["review_rule"])
    assert model.review_rule_ == rule and rule.budget == 0.2
    texts = real_findings()["text"].tolist()[:200]
    out = model.classify(texts)
    proba = out[[f"p_{t}" for t in model.codebook.ids]].to_numpy()
    assert out["needs_review"].tolist() == rule.flags(proba, model.thresholds_, texts).tolist()
    assert 0 < out["needs_review"].mean() < 0.6


def test_a_model_without_a_rule_flags_by_the_margin(fresh_models):
    from classifier.model.artefacts import load_model
    from classifier.model.thresholds import near_threshold

    with edited_manifest(fresh_models) as manifest:
        del manifest["review_rule"]
    old = load_model(fresh_models)
    assert getattr(old, "review_rule_", None) is None
    texts = ["Disclosure record sheets were not completed in most cases examined.",
             "The Area should review its budget monitoring."]
    out = old.classify(texts)
    proba = out[[f"p_{t}" for t in old.codebook.ids]].to_numpy()
    assert out["needs_review"].tolist() == \
        near_threshold(proba, old.thresholds_, old.review_margin).tolist()
    assert isinstance(out["needs_review"].iloc[0], (bool, np.bool_))
