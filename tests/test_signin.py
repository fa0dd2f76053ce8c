"""Sign-in and roles in the app: AppTest for the rules, a real browser for what a viewer sees
and for a forged write. Users are added with the CLI, as an admin would (password on stdin)."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery"


def add_user(name: str, role: str, password: str = PASSWORD) -> None:
    result = run_cli("users", "add", name, "--role", role, stdin=password + "\n")
    assert result.returncode == 0, result.stderr
    assert password not in result.stdout + result.stderr


def add_model_labelled_report() -> None:
    """Report 000, classified by the model: the review queue has findings to offer."""
    from classifier.jobs.classify import classify_reports

    source = ROOT / "training_data" / "sources" / "000_west_midlands_aai_summary.txt"
    _, failures, _ = classify_reports([source], add_to_history=True)
    assert not failures


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    return next(b for b in at.button if b.label == "Sign in").click().run()


def test_users_command_never_takes_a_password_argument(database):
    result = run_cli("users", "add", "vera", "--role", "viewer", "--password", "x" * 10)
    assert result.returncode == 2  # argparse: no such option
    result = run_cli("users", "add", "vera", "--role", "viewer", stdin="short\n")
    assert result.returncode == 2 and "at least 8 characters" in result.stderr
    add_user("vera", "viewer")
    again = run_cli("users", "add", "vera", "--role", "admin", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "exists" in again.stderr
    listed = run_cli("users", "list")
    assert listed.returncode == 0 and re.search(r"^vera\s+viewer\s", listed.stdout, re.M)
    from classifier.store import open_store

    with open_store().engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_without_users_the_app_is_single_user_on_this_machine():
    from classifier.access import is_loopback, single_user_warning
    from classifier.cli import build_parser

    assert build_parser().parse_args(["app"]).address == "127.0.0.1"
    assert build_parser().parse_args(["api"]).address == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert single_user_warning("0.0.0.0", 8501).count("\n") == 0


def test_sign_in_gates_every_page_throttles_and_expires(database, models_dir, monkeypatch):
    add_user("vera", "viewer")
    add_user("rita", "reviewer")
    add_model_labelled_report()
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.dataframe  # no data shown
    at = _sign_in(at, "vera", "wrong password")
    assert [e.value for e in at.error] == ["wrong user name or password"]
    at = _sign_in(at, "vera", PASSWORD)
    assert not at.exception and at.title[0].value != "Sign in"
    assert any("Signed in as **vera** (viewer)" in c.value for c in at.sidebar.caption)
    at.switch_page("classifier/app/pages/reports.py").run()
    assert at.dataframe and "remove" not in [b.key for b in at.button]
    at.switch_page("classifier/app/pages/review.py").run()
    assert not at.exception
    assert not {"review_save", "review_accept"} & {b.key for b in at.button}
    assert any("signed in as a viewer" in i.value for i in at.info)
    # a session ends after the idle limit
    monkeypatch.setenv("CLASSIFIER_SESSION_IDLE_MINUTES", "0.0001")
    time.sleep(0.1)
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert any("expired" in i.value for i in at.info)
    monkeypatch.delenv("CLASSIFIER_SESSION_IDLE_MINUTES")
    # failed sign-ins are throttled per name: the right password waits too
    fresh = AppTest.from_file(APP, default_timeout=180).run()
    for _ in range(6):
        fresh = _sign_in(fresh, "rita", "guess")
    fresh = _sign_in(fresh, "rita", PASSWORD)
    assert fresh.error[0].value.startswith("too many failed sign-ins")
    assert [t.value for t in fresh.title] == ["Sign in"]


def test_a_reviewer_decides_under_their_own_name(database, models_dir):
    from classifier.store import open_store

    add_user("rita", "reviewer")
    add_model_labelled_report()
    at = _sign_in(AppTest.from_file(APP, default_timeout=180).run(), "rita", PASSWORD)
    at.switch_page("classifier/app/pages/review.py").run()
    assert "review_by" not in [t.key for t in at.text_input]  # no name to type
    at.button(key="review_accept").click().run()
    assert not at.exception and at.success
    trail = open_store().decisions()
    assert trail["decided_by"].tolist() == ["rita"]
    last = run_cli("users", "remove", "rita")  # the last user: sign-in would go with her
    assert last.returncode == 2 and "last user" in last.stderr
    add_user("ada", "admin")
    removed = run_cli("users", "remove", "rita")  # an admin removes her: signed out at once
    assert removed.returncode == 0, removed.stderr
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert any("removed" in i.value for i in at.info)
    assert run_cli("users", "remove", "rita").returncode == 2


class _Relay:
    """Sits on a page's Streamlit websocket: forwards what the page sends, or holds it."""

    def __init__(self):
        self.server, self.hold, self.held = None, False, []

    def __call__(self, ws):
        self.server = ws.connect_to_server()

        def from_page(message):
            if self.hold:
                self.held.append(message)
            else:
                self.server.send(message)

        ws.on_message(from_page)


def _browser_sign_in(page, url: str, name: str) -> None:
    page.goto(url + "/", timeout=60_000)
    page.get_by_role("heading", name="Sign in").wait_for(timeout=60_000)
    assert page.get_by_text("Theme × Area").count() == 0
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=60_000)


def _open(page, slug: str, heading: str) -> None:
    """Follow the sidebar's link (the session, and so the sign-in, stays)."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').first.click()
    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # let the page script finish drawing


@pytest.mark.browser
def test_in_a_browser_a_viewer_gets_no_write_controls_and_a_forged_remove_is_refused(
        models_dir, database, chromium):
    """An admin's real Remove request is captured on its way to the server (held back);
    replayed on a signed-in viewer's connection it removes nothing; replayed on the admin's
    own connection it removes the report (so the forged request was a real one)."""
    from classifier.app.server import CHROMIUM_FLAGS, running_app
    from classifier.store import open_store

    from playwright.sync_api import sync_playwright

    add_user("vera", "viewer")
    add_user("ada", "admin")
    add_model_labelled_report()
    stream = re.compile(r".*/_stcore/stream.*")
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            admin_relay, viewer_relay = _Relay(), _Relay()
            admin = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
            admin.route_web_socket(stream, admin_relay)
            _browser_sign_in(admin, url, "ada")
            _open(admin, "reports", "Stored reports")
            admin.get_by_text("Yes, remove this report").click()
            remove = admin.get_by_role("button", name="Remove", exact=True)
            for _ in range(60):
                if remove.is_enabled():
                    break
                admin.wait_for_timeout(500)
            admin.wait_for_timeout(1500)
            admin_relay.hold = True
            remove.click()
            for _ in range(60):
                if admin_relay.held:
                    break
                admin.wait_for_timeout(250)
            assert admin_relay.held, "the Remove click sent nothing"
            forged = admin_relay.held[-1]
            assert open_store().reports()["id"].tolist() == [1, 2]  # held back: not removed

            viewer = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
            viewer.route_web_socket(stream, viewer_relay)
            _browser_sign_in(viewer, url, "vera")
            _open(viewer, "review", "Review findings")
            viewer.get_by_text("signed in as a viewer").wait_for(timeout=30_000)
            for label in ("Save my themes", "Accept the model's themes"):
                assert viewer.get_by_role("button", name=label).count() == 0
            _open(viewer, "reports", "Stored reports")
            assert viewer.get_by_role("button", name="Remove", exact=True).count() == 0
            assert viewer.get_by_text("Remove a report").count() == 0
            out = ROOT / "test-artifacts"
            out.mkdir(exist_ok=True)
            viewer.screenshot(path=str(out / "viewer_reports.png"), full_page=True)

            viewer_relay.server.send(forged)  # the admin's Remove, on the viewer's session
            viewer.wait_for_timeout(5000)
            assert open_store().reports()["id"].tolist() == [1, 2]

            admin_relay.hold = False
            admin_relay.server.send(forged)  # the same bytes from the admin: it is real
            for _ in range(60):
                if open_store().reports()["id"].tolist() == [2]:
                    break
                time.sleep(0.5)
            assert open_store().reports()["id"].tolist() == [2]  # report 1 removed
        finally:
            browser.close()
