"""First run with the history: a new findings database seeded with report 001 and every
restated publication, then embedded, with a cold embedding cache; then the briefing for all
themes and the workbook export over it.

Usage: python scripts/benchmark_first_run.py [--models-dir models] [--runs 3]
                                             [--database-url postgresql://…]
                                             [--output scripts/results/first_run.json]

Each run is a fresh Python process (as `make run` starts one) on a new database (SQLite in a
temporary folder, or a scratch database on the PostgreSQL server of ``--database-url``) with
an empty cache folder, so nothing of the texts' vectors is cached. The process times
``open_store()`` (migrations, then the history in one transaction: ``seed_s``), loading the
model (``model_s``), ``ensure_embeddings`` (encode every finding, store the vectors and their
recurrence groups: ``embed_s``), then ``briefing_s`` and ``export_s``. ``first_run_s`` =
seed + model + embed, the budget of issue 22 (≤ 60 s); ``first_run_cpu_s`` is the CPU time
the process spent on it (user + system, both cores), which the other jobs on a shared machine
do not inflate: on an idle 2-core machine the wall time is about half of it or more. Median
over runs; the 1-minute load average is recorded.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from _results import save

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
from classifier.store import open_store
store = open_store()
t1 = time.perf_counter()
from classifier.jobs.classify import ensure_embeddings, get_model
model = get_model()
t2 = time.perf_counter()
embedded = ensure_embeddings(store, model)
t3, c3 = time.perf_counter(), cpu()
from classifier.insight.briefing import briefing_html
from classifier.insight.selection import Selection
findings, groups = store.findings_frame(), store.recurrence_groups()
html = briefing_html(findings, groups, Selection())
t4 = time.perf_counter()
from classifier.insight.workbook import write_workbook
write_workbook(findings, groups, Selection(), __import__("pathlib").Path(sys.argv[1]))
t5 = time.perf_counter()
print(json.dumps({"seed_s": t1 - t0, "model_s": t2 - t1, "embed_s": t3 - t2,
                  "briefing_s": t4 - t3, "export_s": t5 - t4, "first_run_s": t3 - t0,
                  "first_run_cpu_s": c3 - c0,
                  "reports": len(store.reports()), "findings": len(findings),
                  "embedded": embedded, "briefing_bytes": len(html)}))
"""


def one_run(models_dir: Path, database_url: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLASSIFIER_MODELS_DIR": str(models_dir),
               "CLASSIFIER_CACHE_DIR": str(Path(tmp) / "cache"),
               "CLASSIFIER_SEED_HISTORY": "1", "PYTHONPATH": str(ROOT),
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        scratch = None
        if database_url:
            sys.path.insert(0, str(ROOT))
            from tests.conftest import _drop_postgres, _scratch_postgres

            scratch = f"classifier_bench_{uuid.uuid4().hex[:10]}"
            env["CLASSIFIER_DATABASE_URL"] = _scratch_postgres(database_url, scratch)
        else:
            env["CLASSIFIER_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'findings.db'}"
        try:
            out = subprocess.run([sys.executable, "-c", CHILD, str(Path(tmp) / "o.xlsx")],
                                 env=env, capture_output=True, text=True, cwd=ROOT)
            if out.returncode:
                raise SystemExit(f"the run failed: {out.stderr.strip().splitlines()[-1]}")
        finally:
            if scratch:
                _drop_postgres(database_url, scratch)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    runs = []
    for i in range(args.runs):
        load = os.getloadavg()[0]
        run = one_run(args.models_dir, args.database_url) | {"load_1min": round(load, 2)}
        print(f"run {i + 1}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                           for k, v in run.items()), flush=True)
        runs.append(run)
    keys = ["seed_s", "model_s", "embed_s", "first_run_s", "first_run_cpu_s", "briefing_s",
            "export_s"]
    figures = {"backend": "postgresql" if args.database_url else "sqlite",
               "cpus": os.cpu_count(), "runs": runs,
               "median": {k: round(statistics.median(r[k] for r in runs), 2) for k in keys},
               "reports": runs[-1]["reports"], "findings": runs[-1]["findings"]}
    print(json.dumps(figures["median"]))
    name = f"first_run_{figures['backend']}.json"
    save(figures, args.output or ROOT / "scripts" / "results" / name)


if __name__ == "__main__":
    main()
