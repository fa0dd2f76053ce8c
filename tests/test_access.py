"""The one set of rules: roles, actions, and every layer asking the same module."""
from __future__ import annotations

import pytest

from classifier.access import ACTIONS, Actor, Role, allowed, operator, parse_role, require
from classifier.errors import Forbidden, InputError

VIEWER = Actor("vera", Role.VIEWER, via="app")
REVIEWER = Actor("rita", Role.REVIEWER, via="api")
ADMIN = Actor("ada", Role.ADMIN, via="app")


def test_roles_are_ordered_and_each_action_names_its_least_role():
    for action, least in ACTIONS.items():
        for role in Role:
            assert allowed(Actor("x", role), action) == (role >= least), (action, role)
    assert not allowed(None, "read")
    assert {a for a in ACTIONS if ACTIONS[a] == Role.VIEWER} == {"read", "classify"}
    assert {a for a in ACTIONS if ACTIONS[a] == Role.REVIEWER} == {"decide"}
    with pytest.raises(Forbidden, match=r"^vera \(viewer\) may not add reports; that needs "
                                        r"the admin role"):
        require(VIEWER, "add_report")
    with pytest.raises(InputError, match="roles are: viewer, reviewer, admin"):
        parse_role("root")
    assert operator("A. Analyst").role == Role.ADMIN and operator().local


def test_jobs_and_models_refuse_before_doing_any_work(database, tmp_path):
    """Writes outside the store ask the same rules: storing reports, re-scoring, switching
    models are refused to a lower role before a file is read or a model loaded."""
    from classifier.jobs.classify import classify_reports, classify_uploads, reclassify_store
    from classifier.model.versions import use_version
    from classifier.store import open_store

    missing = tmp_path / "no-such-models"  # loading a model from here would fail otherwise
    with pytest.raises(Forbidden, match="may not add reports"):
        classify_reports([tmp_path / "x.txt"], add_to_history=True, actor=REVIEWER,
                         models_dir=missing)
    with pytest.raises(Forbidden, match="may not add reports"):
        classify_uploads([("x.txt", b"text")], add_to_history=True, actor=VIEWER)
    with pytest.raises(Forbidden, match="may not re-score"):
        reclassify_store(missing, actor=REVIEWER)
    with pytest.raises(Forbidden, match="may not switch models"):
        use_version("anything", missing, actor=REVIEWER)
    assert not missing.exists()
    store = open_store()
    before = store.generation()
    for who, action in ((VIEWER, lambda s: s.record_decision(1, "grip")),
                        (REVIEWER, lambda s: s.remove_report(1)),
                        (REVIEWER, lambda s: s.add_user("x", "viewer", "password1")),
                        (REVIEWER, lambda s: s.create_token("x", "viewer"))):
        with pytest.raises(Forbidden):
            action(store.acting_as(who))
    assert store.generation() == before and not store.users() and not store.tokens()
    admin = store.acting_as(ADMIN)
    admin.record_decision(1, "grip")
    assert store.decisions()["decided_by"].tolist() == ["ada"]


def test_migration_0004_goes_down_and_up_again(database):
    """The users, tokens and throttle tables come and go with revision 0004 alone."""
    from alembic import command
    from sqlalchemy import inspect

    from classifier.store import open_store
    from classifier.store.db import _alembic_config

    store = open_store()
    token = store.create_token("nb", "viewer")
    tables = {"users", "api_tokens", "sign_in_throttle"}
    with store.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0003")
    with store.engine.connect() as conn:
        assert not tables & set(inspect(conn).get_table_names())
    with store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    with store.engine.connect() as conn:
        assert tables <= set(inspect(conn).get_table_names())
    assert store.token_actor(token) is None and len(store.findings_frame()) == 216
