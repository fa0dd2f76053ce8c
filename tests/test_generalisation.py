"""The model on findings from other publications: the "whose work" rule, grouped CV."""
from __future__ import annotations

import numpy as np
import pytest

from classifier.model.features import actor_flags, term_flags


def test_actor_flags_say_whose_work_it_is():
    flags = actor_flags([
        "The Area works closely with criminal justice partners.",
        "The force works closely with local partners to prevent crime.",
        "The Police and Crime Commissioner has set up a new partnership board.",
        "Prosecutors and the force agreed a joint protocol.",
        "Partnership working is strong.",
    ])
    assert flags.tolist() == [[1, 0], [0, 1], [0, 1], [1, 0], [0, 0]]


def test_term_flags_follow_the_codebook_terms():
    flags = term_flags(["Disclosure record sheets were incomplete.", "Budgets are balanced."],
                       ["disclosure", "grip"])
    assert flags.tolist() == [[1, 0], [0, 0]]


def test_the_cps_areas_partnership_work_is_engagement(model):
    out = model.classify(["The Area works well with criminal justice partners and community "
                          "groups, and its Local Scrutiny and Involvement Panel is active."])
    assert "engagement" in out.loc[0, "themes"]


def test_grouped_cv_model_beats_every_baseline(model):
    """Held out by publication group, the model is ahead of both baselines, and the figure in
    its manifest is the one the evaluation gives again."""
    from classifier.evaluation.baselines import KeywordBaseline, TfidfBaseline
    from classifier.codebook import default_codebook
    from classifier.evaluation.evaluate import evaluate_system, load_eval_data

    cb = default_codebook()
    data = load_eval_data(cb)
    ours = model.manifest_["metrics"]["grouped_cv"]
    assert ours["n"] == int((data.role == "cv").sum()) >= 400
    assert ours["groups"] >= 30
    low, high = ours["macro_f1_95ci"]
    assert low < ours["macro_f1"] < high
    for make in (lambda: KeywordBaseline(cb), lambda: TfidfBaseline(n_jobs=2)):
        theirs = evaluate_system(make, data, cb, bootstrap=False)["grouped_cv"]
        assert ours["macro_f1"] > theirs["macro_f1"]


def test_sealed_split_never_reaches_a_training_fold():
    from classifier.codebook import default_codebook
    from classifier.evaluation.evaluate import grouped_splits, load_eval_data

    data = load_eval_data(default_codebook())
    sealed = data.role == "sealed"
    assert sealed.sum() >= 100
    seen = np.zeros(len(data.texts), dtype=bool)
    for train, test in grouped_splits(data):
        assert not (train & sealed).any() and not (test & sealed).any()
        assert not set(data.group[train]) & set(data.group[test]) - {""}
        seen |= test
    assert (seen == (data.role == "cv")).all()  # every cv finding held out exactly once


def test_sentences_split_only_findings_of_several_sentences():
    from classifier.model.pipeline import sentences

    assert sentences("Reviews are timely and set out a clear trial strategy.") == []
    two = ("Letters to victims are late and lack empathy. "
           "Disclosure record sheets are not completed in most cases.")
    assert sentences(two) == ["Letters to victims are late and lack empathy.",
                              "Disclosure record sheets are not completed in most cases."]


def test_a_finding_naming_two_things_keeps_both_themes(model):
    """Sentence-by-sentence scoring: a second subject is not drowned by the first."""
    out = model.classify(["Letters to victims under the Victim Communication and Liaison scheme "
                          "are late and lack empathy. Disclosure record sheets are not completed "
                          "in most cases and unused material schedules go unchallenged."])
    themes = out.loc[0, "themes"].split(";")
    assert "victim_letters" in themes and "disclosure" in themes
