"""The HTTP API, served by a real uvicorn process on 127.0.0.1, over SQLite and PostgreSQL.

Tokens are made and revoked with the CLI, as an admin would; requests go over HTTP with
urllib / http.client; what the database holds afterwards is read with the store.
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from classifier.access import Actor, Role
from classifier.api.server import REPORT_LIMIT, running_api
from classifier.errors import Forbidden
from tests.conftest import POSTGRES_ENV, SOURCES, _drop_postgres, run_cli, scratch_database

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["Robert'); DROP TABLE reports;--", "\" OR 1=1 --", "%' OR '%'='", "x\x00y",
           "<script>alert(1)</script>", "../../../etc/passwd", "🚓 ' \\ ; -- /* */",
           "$$; SELECT pg_sleep(10); $$"]


@dataclass
class Served:
    url: str
    tokens: dict[str, str]
    env: dict[str, str]

    def call(self, method: str, path: str, *, role: str | None = None, token: str | None = None,
             body: dict | None = None, data: bytes | None = None, content_type: str = ""):
        """(status, headers, parsed JSON body)."""
        headers = {}
        token = token if token is not None else self.tokens.get(role or "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=300) as r:
                return r.status, r.headers, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, err.headers, json.loads(err.read() or b"null")


def new_token(role: str, name: str, env: dict) -> str:
    result = run_cli("tokens", "create", "--role", role, "--name", name, env=env)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert result.stdout.strip() == token  # the token alone on stdout's one line
    return token


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, models_dir, tmp_path_factory):
    """One API server per database (a fresh one), with a viewer, reviewer and admin token."""
    from classifier.store import forget_stores

    tmp = tmp_path_factory.mktemp(f"api-{request.param}")
    url, name = scratch_database(request.param, tmp)
    env = {**os.environ, "CLASSIFIER_DATABASE_URL": url,
           "CLASSIFIER_CACHE_DIR": str(tmp / "cache")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLASSIFIER_DATABASE_URL", url)
        patch.setenv("CLASSIFIER_CACHE_DIR", str(tmp / "cache"))
        forget_stores()
        tokens = {role: new_token(role, f"{role}-1", env) for role in ("viewer", "reviewer",
                                                                       "admin")}
        with running_api(env=env) as base_url:
            yield Served(base_url, tokens, env)
        forget_stores()
    if name:
        _drop_postgres(os.environ[POSTGRES_ENV], name)


def _store():
    from classifier.store import open_store

    return open_store()


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())
    quoted = filename.replace('"', "%22")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{quoted}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(served: Served, role: str, content: bytes, filename: str, **fields):
    data, ctype = multipart(fields, filename, content)
    return served.call("POST", "/v1/reports", role=role, data=data, content_type=ctype)


def _state() -> tuple[int, int, int]:
    store = _store()
    return len(store.reports()), len(store.findings_frame()), store.generation()


def test_no_token_or_a_bad_one_is_401_as_problem_details(served):
    for method, path, body in (("GET", "/v1/findings", None), ("GET", "/v1/reports", None),
                               ("POST", "/v1/classify", {"texts": ["Disclosure is late"]}),
                               ("POST", "/v1/findings/1/decision", {"themes": ["grip"]})):
        for token in ("", "not-a-token", "cls_" + "A" * 43):
            status, headers, problem = served.call(method, path, token=token, body=body)
            assert status == 401, (path, token, problem)
            assert headers["Content-Type"] == "application/problem+json"
            assert headers["WWW-Authenticate"].startswith("Bearer")
            assert problem["status"] == 401 and "\n" not in problem["detail"]
    status, _, spec = served.call("GET", "/openapi.json")
    assert status == 200 and {"/v1/classify", "/v1/reports", "/v1/findings", "/v1/similar",
                              "/v1/findings/{finding_id}/decision"} <= set(spec["paths"])
    with urllib.request.urlopen(served.url + "/docs", timeout=30) as r:
        assert r.status == 200 and b"swagger" in r.read().lower()


def test_classify_keeps_input_order_and_agrees_with_the_shared_job(served, model):
    import pandas as pd

    from classifier.ingest.datasets import labelled_findings
    from classifier.jobs.classify import classify_frame

    texts = labelled_findings()["text"].iloc[::18].tolist()[::-1]  # 12 real findings
    status, _, out = served.call("POST", "/v1/classify", role="viewer", body={"texts": texts})
    assert status == 200 and out["model_version"] == model.manifest_["model_version"]
    expected = classify_frame(pd.DataFrame({"text": texts}), "text", model=model)
    assert len(out["results"]) == len(texts)
    for got, (_, want) in zip(out["results"], expected.iterrows()):
        assert ";".join(got["themes"]) == want["themes"]
        assert got["needs_review"] == bool(want["needs_review"])
        for theme, p in got["probabilities"].items():
            assert p == pytest.approx(want[f"p_{theme}"], abs=1e-4)
    status, _, problem = served.call("POST", "/v1/classify", role="viewer",
                                     body={"texts": ["Disclosure is late", "   "]})
    assert status == 400 and problem["detail"].startswith("texts[1] is empty")


def test_roles_are_enforced_where_the_write_happens(served):
    before = _state()
    content = (SOURCES / "003_hmic_peel_west_midlands_2014.txt").read_bytes()
    for role in ("viewer", "reviewer"):
        status, _, problem = upload(served, role, content, "003.txt", date="2014-01-01")
        assert status == 403, problem
        assert problem["detail"] == (f"{role}-1 ({role}) may not add reports; that needs the "
                                     "admin role (ask an admin)")
    status, _, problem = served.call("POST", "/v1/findings/5/decision", role="viewer",
                                     body={"themes": ["grip"], "note": "viewer tries"})
    assert status == 403 and "may not record decisions" in problem["detail"]
    assert _state() == before  # nothing written, not even the generation moved
    status, _, row = served.call("POST", "/v1/findings/5/decision", role="reviewer",
                                 body={"themes": ["grip", "disclosure"], "note": "checked"})
    assert status == 201 and row["decided_by"] == "reviewer-1"
    assert row["themes"] == ["disclosure", "grip"]
    trail = _store().decisions(5)
    assert trail.iloc[-1][["themes", "decided_by", "note"]].tolist() == \
        ["disclosure;grip", "reviewer-1", "checked"]
    # the same rules bind the store whoever calls it: a viewer's handle cannot write
    viewer = _store().acting_as(Actor("vera", Role.VIEWER, via="app"))
    with pytest.raises(Forbidden):
        viewer.remove_report(1)
    reviewer = _store().acting_as(Actor("rita", Role.REVIEWER, via="api"))
    with pytest.raises(Forbidden):  # a signed-in user cannot decide in someone else's name
        reviewer.record_decision(5, "grip", by="someone else")
    assert _state()[:2] == before[:2]


def test_a_revoked_token_is_401_at_once(served):
    token = new_token("viewer", "notebook", served.env)
    assert served.call("GET", "/v1/reports", token=token)[0] == 200
    revoked = run_cli("tokens", "revoke", "notebook", env=served.env)
    assert revoked.returncode == 0, revoked.stderr
    status, _, problem = served.call("GET", "/v1/reports", token=token)
    assert status == 401 and "revoked" in problem["detail"]
    listed = run_cli("tokens", "list", env=served.env)
    assert "notebook" in listed.stdout and "revoked" in listed.stdout
    assert token not in listed.stdout + listed.stderr
    again = run_cli("tokens", "revoke", "notebook", env=served.env)
    assert again.returncode == 2 and again.stderr.count("\n") == 1


def test_errors_carry_the_cli_message(served):
    source = SOURCES / "004_west_midlands_pcc_evidence_2022.txt"
    cli = run_cli("history", "add", str(source), "--date", "2021-13-45", env=served.env)
    status, _, problem = upload(served, "admin", source.read_bytes(), source.name,
                                date="2021-13-45")
    assert cli.returncode == 2 and status == 400
    assert cli.stderr.strip() == f"error: {problem['detail']}"
    for themes, finding, code in ((["nonsense"], 3, 400), (["grip"], 10 ** 8, 404)):
        cli = run_cli("review", "set", str(finding), "--themes", ";".join(themes),
                      env=served.env)
        status, _, problem = served.call("POST", f"/v1/findings/{finding}/decision",
                                         role="reviewer", body={"themes": themes})
        assert cli.returncode == 2 and status == code
        assert cli.stderr.strip() == f"error: {problem['detail']}"


def test_admin_adds_a_report_and_findings_page_through(served):
    from classifier.ingest.segment import segment_file

    source = SOURCES / "000_west_midlands_aai_summary.txt"
    n_before = _state()[0]
    status, _, added = upload(served, "admin", source.read_bytes(), source.name,
                              title="AAI West Midlands", publisher="HMCPSI", date="2017-06-01")
    assert status == 201 and not added["existed"]
    assert added["findings"] == len(segment_file(source)) > 0
    rid = added["report_id"]
    ids, path = [], f"/v1/findings?report={rid}&limit=7"
    while path:
        status, _, page = served.call("GET", path, role="viewer")
        assert status == 200 and len(page["items"]) <= 7
        assert all(item["report_id"] == rid and item["year"] == 2017 for item in page["items"])
        ids += [item["id"] for item in page["items"]]
        path = page["next"] and page["next"].removeprefix(served.url)
    stored = _store().findings_frame(report_id=rid)["finding_id"].tolist()
    assert ids == sorted(stored) and len(ids) == added["findings"]
    status, _, reports = served.call("GET", "/v1/reports", role="viewer")
    row = next(r for r in reports["items"] if r["id"] == rid)
    assert row == {"id": rid, "title": "AAI West Midlands", "publisher": "HMCPSI",
                   "date": "2017-06-01", "kind": "report", "file_name": source.name,
                   "findings": added["findings"]}
    status, _, again = upload(served, "admin", source.read_bytes(), source.name)
    assert status == 201 and again["existed"] and again["report_id"] == rid
    assert _state()[0] == n_before + 1
    status, _, similar = served.call(
        "GET", "/v1/similar?" + urllib.parse.urlencode({"text": "Disclosure schedules are "
                                                        "late", "k": 3}), role="viewer")
    assert status == 200 and len(similar["similar"]) == 3
    sims = [s["similarity"] for s in similar["similar"]]
    assert sims == sorted(sims, reverse=True)


def test_hostile_strings_change_nothing(served, tmp_path):
    before = _state()
    for text in HOSTILE:
        for field in ("area", "publisher"):
            status, _, page = served.call(
                "GET", "/v1/findings?" + urllib.parse.urlencode({field: text}), role="viewer")
            assert status == 200 and page == {"items": [], "next": None}
        for field in ("theme", "year", "report", "after", "limit"):
            status, headers, problem = served.call(
                "GET", "/v1/findings?" + urllib.parse.urlencode({field: text}), role="viewer")
            assert status == 400 and headers["Content-Type"] == "application/problem+json"
        status, _, similar = served.call(
            "GET", "/v1/similar?" + urllib.parse.urlencode({"text": text}), role="viewer")
        assert status in (200, 400), similar
        status, _, problem = served.call("POST", f"/v1/findings/{urllib.parse.quote(text, safe='')}"
                                         "/decision", role="reviewer", body={"themes": ["grip"]})
        assert status in (400, 404), problem
    assert _state() == before
    # hostile fields are stored verbatim and a hostile file name never becomes a path
    content = (SOURCES / "002_london_followup_press_release_2012.txt").read_bytes()
    title, publisher = HOSTILE[0] + HOSTILE[4], HOSTILE[1]
    status, _, added = upload(served, "admin", content + b"\n", "../../" + str(tmp_path) +
                              "/evil\\..\\x.txt", title=title, publisher=publisher)
    assert status == 201, added
    assert "/" not in added["file_name"] and "\\" not in added["file_name"]
    assert not any(tmp_path.iterdir())
    row = _store().reports().set_index("id").loc[added["report_id"]]
    assert (row["title"], row["publisher"]) == (title, publisher)
    status, _, decided = served.call("POST", "/v1/findings/7/decision", role="reviewer",
                                     body={"themes": ["other"], "note": HOSTILE[5] + HOSTILE[7]})
    assert status == 201 and _store().decisions(7).iloc[-1]["note"] == HOSTILE[5] + HOSTILE[7]
    assert _state()[0] == before[0] + 1


def _send_oversized(served: Served, path: str, length: int, content_type: str):
    """Declare a body over the limit and wait, as curl does, for the go-ahead before sending."""
    host, port = served.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest("POST", path)
    conn.putheader("Authorization", f"Bearer {served.tokens['admin']}")
    conn.putheader("Content-Type", content_type)
    conn.putheader("Content-Length", str(length))
    conn.putheader("Expect", "100-continue")
    conn.endheaders()
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return response.status, response.getheader("Content-Type"), body


def test_an_oversized_upload_is_413_and_nothing_is_stored(served):
    before = _state()
    status, ctype, problem = _send_oversized(served, "/v1/reports", REPORT_LIMIT + 1,
                                             "multipart/form-data; boundary=x")
    assert status == 413 and ctype == "application/problem+json"
    assert "nothing was stored" in problem["detail"]
    status, _, problem = _send_oversized(served, "/v1/classify", 2 * 2**20, "application/json")
    assert status == 413
    # a body with no declared length is counted as it arrives
    big = json.dumps({"texts": ["Disclosure is late. " * 1000] * 60}).encode()  # 1.2 MB
    host, port = served.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("POST", "/v1/classify", body=iter([big[i:i + 65536]
                                                    for i in range(0, len(big), 65536)]),
                 headers={"Authorization": f"Bearer {served.tokens['admin']}",
                          "Content-Type": "application/json"}, encode_chunked=True)
    response = conn.getresponse()
    assert response.status == 413 and json.loads(response.read())["status"] == 413
    conn.close()
    assert _state() == before


_APP_WRITER = """
import sys
from pathlib import Path
from classifier.access import Actor, Role
from classifier.jobs.classify import classify_uploads, get_store
ids = [int(x) for x in sys.argv[1].split(",")]
source = Path(sys.argv[2])
# what the Review and Classify pages do for signed-in users
reviewer = Actor("app-reviewer", Role.REVIEWER, via="app")
admin = Actor("app-admin", Role.ADMIN, via="app")
store = get_store(actor=reviewer)
for fid in ids[:len(ids) // 2]:
    store.record_decision(fid, "engagement")
_, failures, outcome = classify_uploads([(source.name, source.read_bytes())],
                                        add_to_history=True, actor=admin)
assert not failures, failures
for fid in ids[len(ids) // 2:]:
    store.record_decision(fid, "engagement")
print(outcome.reports[0][1].report_id)
"""


def test_api_and_app_writers_at_once_lose_nothing(served):
    corpus = sorted((SOURCES / "corpus").glob("*.txt"))[:3]
    store = _store()
    frame = store.findings_frame(report_id=1)
    api_ids = frame["finding_id"].iloc[100:112].tolist()
    app_ids = frame["finding_id"].iloc[120:132].tolist()
    decisions_before = len(store.decisions())
    reports_before = _state()[0]
    app = subprocess.Popen([sys.executable, "-c", _APP_WRITER, ",".join(map(str, app_ids)),
                            str(corpus[2])], env=served.env, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results: list = []

    def decide(fid):
        results.append(served.call("POST", f"/v1/findings/{fid}/decision", role="reviewer",
                                   body={"themes": ["grip"], "note": "api"}))

    def add(path):
        results.append(upload(served, "admin", path.read_bytes(), path.name))

    threads = [threading.Thread(target=decide, args=(fid,)) for fid in api_ids]
    threads += [threading.Thread(target=add, args=(path,)) for path in corpus[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    out, err = app.communicate(timeout=600)
    assert app.returncode == 0, err[-2000:]
    assert all(status == 201 for status, _, _ in results), results
    trail = _store().decisions()
    new = trail.iloc[decisions_before:]
    assert len(new) == 24
    assert sorted(new[new["decided_by"] == "reviewer-1"]["finding_id"]) == sorted(api_ids)
    assert sorted(new[new["decided_by"] == "app-reviewer"]["finding_id"]) == sorted(app_ids)
    reports = _store().reports()
    assert len(reports) == reports_before + 3
    assert sorted(reports["file_name"].iloc[-3:]) == sorted(p.name for p in corpus)
    labels = _store().findings_frame(report_id=1).set_index("finding_id")["themes"]
    assert (labels.loc[api_ids] == "grip").all() and (labels.loc[app_ids] == "engagement").all()
