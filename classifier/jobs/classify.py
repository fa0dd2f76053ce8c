"""The three user jobs on top of a trained model: a CSV, one finding, whole reports.

The CLI and the app both call these functions, so they behave the same.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from classifier import paths
from classifier.model.artefacts import load_model
from classifier.errors import ClassifierError
from classifier.fileio import sha256_file
from classifier.model.pipeline import ThemeModel
from classifier.store import RECURRENCE_THRESHOLD, AddResult, FindingsStore, ReportMeta, open_store

CHUNK = 1000


@lru_cache(maxsize=4)
def _cached_model(models_dir: Path) -> ThemeModel:
    return load_model(models_dir)


def get_model(models_dir: Path | None = None) -> ThemeModel:
    return _cached_model(Path(models_dir or paths.models_dir()).resolve())


def get_store(models_dir: Path | None = None) -> FindingsStore:
    """The findings database (see :mod:`classifier.store`)."""
    return open_store(models_dir)


def ensure_embeddings(store: FindingsStore, model: ThemeModel) -> int:
    """Embed stored findings that have no vector for the model's embedder yet (report 001
    on first run, everything after a change of embedding model); returns how many."""
    fingerprint = model.embedder.fingerprint
    missing = store.missing_embeddings(fingerprint)
    if missing.empty:
        return 0
    vectors = model.embedder.encode(missing["text"].tolist())
    return store.add_embeddings(missing["finding_id"].tolist(), vectors, fingerprint)


@dataclass
class StoreOutcome:
    """What adding reports to the database did: per file, the stored report or 'already there'."""

    reports: list[tuple[str, AddResult]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(r.findings for _, r in self.reports if not r.existed)

    @property
    def skipped(self) -> int:
        return sum(1 for _, r in self.reports if r.existed)


def classify_frame(frame: pd.DataFrame, text_column: str, *, models_dir: Path | None = None,
                   progress: bool = False, model: ThemeModel | None = None) -> pd.DataFrame:
    """Every input column plus themes, p_<theme>, needs_review, flag, model_version.

    Rows are classified in chunks, so memory stays flat however long the input.
    """
    model = model or get_model(models_dir)
    texts = frame[text_column].tolist()
    parts = []
    starts = range(0, len(texts), CHUNK)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc="classifying", unit="chunk", total=len(starts))
    for start in starts:
        parts.append(model.classify(texts[start:start + CHUNK]))
    result = pd.concat(parts, ignore_index=True) if parts else model.classify([])
    out = pd.concat([frame.reset_index(drop=True), result.set_axis(
        [c if c not in frame.columns else f"{c}_predicted" for c in result.columns], axis=1)],
        axis=1)
    out["model_version"] = model.manifest_["model_version"]
    return out


def check_finding(text: str, *, top_k: int = 5, models_dir: Path | None = None) -> dict:
    """Themes with probabilities, the nearest past findings and the recurrence summary."""
    model = get_model(models_dir)
    store = get_store(models_dir)
    ensure_embeddings(store, model)
    vector = model.embedder.encode([text])
    proba = model.predict_proba_vectors(vector, [text])
    described = model.describe(proba, texts=[text]).iloc[0]
    similar = store.search(vector, model.embedder.fingerprint, k=top_k)[0]
    similar["source"] = similar["report"]
    similar["date"] = similar["date"].astype(str).replace("None", "")
    cols = ["finding_id", "area", "part", "kind", "number", "text", "themes", "label_source",
            "source", "date", "similarity"]
    return {
        "text": text,
        "themes": described["themes"],
        "needs_review": bool(described["needs_review"]),
        "probabilities": {t: float(round(proba[0, j], 4)) for j, t in enumerate(model.codebook.ids)},
        "thresholds": {t: float(v) for t, v in zip(model.codebook.ids, model.thresholds_)},
        "similar": similar[cols].to_dict(orient="records"),
        "recurrence": recurrence(store, vector[0], model.embedder.fingerprint),
        "model_version": model.manifest_["model_version"],
    }


def recurrence(store: FindingsStore, vector: np.ndarray, fingerprint: str,
               threshold: float = RECURRENCE_THRESHOLD) -> dict:
    """In how many Areas, Parts, reports and years a finding similar to ``vector`` was made."""
    index, _ = store.vectors(fingerprint)
    sims = index.similarities(vector) if len(index) else np.zeros(0)
    hit_ids = set(index.ids[sims >= threshold].tolist())
    frame = store.findings_frame()
    hits = frame[frame["finding_id"].isin(hit_ids)]
    areas = sorted(a for a in hits["area"].unique() if a)
    parts = sorted(p for p in hits["part"].unique() if p)
    years = sorted(int(y) for y in hits["year"].dropna().unique())
    return {"threshold": threshold, "findings": int(len(hits)), "areas": areas,
            "n_areas": len(areas), "parts": parts, "n_parts": len(parts),
            "sources": sorted(hits["report"].unique().tolist()),
            "n_reports": int(hits["report_id"].nunique()), "years": years}


def classify_segments(segments: pd.DataFrame, model: ThemeModel, store: FindingsStore,
                      *, progress: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Classify segmented findings; add nearest-precedent columns. Returns (frame, vectors)."""
    texts = segments["text"].tolist()
    vectors = model.embedder.encode(texts, show_progress_bar=progress) if texts else \
        np.zeros((0, model.embedder.dimension), dtype=np.float32)
    described = model.describe(model.predict_proba_vectors(vectors, texts), texts=texts) \
        if texts else \
        model.classify([])
    cols = ["finding_id", "report", "area", "part", "kind", "text", "similarity"]
    found = store.search(vectors, model.embedder.fingerprint, k=1) if texts else []
    nearest = pd.DataFrame([f.iloc[0][cols] if len(f) else pd.Series(index=cols, dtype=object)
                            for f in found], columns=cols).reset_index(drop=True)
    nearest = nearest.add_prefix("nearest_")
    out = pd.concat([segments.reset_index(drop=True), described, nearest], axis=1)
    out["model_version"] = model.manifest_["model_version"]
    return out, vectors


def report_meta(path: Path, name: str, segments: pd.DataFrame,
                given: dict | None = None) -> ReportMeta:
    """Title, publisher and date as given (None = guess from the file), and the file's hash."""
    from classifier.ingest.reportmeta import guess_date, guess_publisher, guess_title

    given = given or {}
    title = str(segments["source_title"].iloc[0]) if len(segments) else ""
    opening = title + "\n" + "\n".join(segments["text"].head(30).astype(str))
    return ReportMeta(
        title=given.get("title") or guess_title(title, name),
        publisher=given["publisher"] if given.get("publisher") is not None
        else guess_publisher(opening),
        published=given["date"] if given.get("date") is not None else guess_date(opening, name),
        file_name=name, content_hash=sha256_file(Path(path)))


def classify_reports(files: list[Path], *, models_dir: Path | None = None,
                     text_column: str = "text", add_to_history: bool = False,
                     progress: bool = False, names: list[str] | None = None,
                     meta: list[dict] | dict | None = None
                     ) -> tuple[pd.DataFrame, list[tuple[str, str]], StoreOutcome]:
    """Segment and classify each file; a bad file is reported and the others go on.

    With ``add_to_history`` each file is stored as one report, in one transaction (all its
    findings or none); ``meta`` gives title / publisher / date (one dict for every file, or
    one per file), anything missing is guessed from the file.
    Returns (findings, [(file, reason)], what was stored).
    """
    from classifier.ingest.segment import segment_file

    model = get_model(models_dir)
    store = get_store(models_dir)
    ensure_embeddings(store, model)
    metas = meta if isinstance(meta, list) else [meta or {}] * len(files)
    frames, failures, outcome = [], [], StoreOutcome()
    iterator = list(zip(files, names or [Path(f).name for f in files], metas))
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc="reports", unit="file", disable=None)
    for path, name, given in iterator:
        try:
            segments = segment_file(Path(path), text_column=text_column, display_name=name)
            if segments.empty:
                raise ClassifierError("no findings found (nothing long enough to be a finding)")
        except ClassifierError as exc:
            failures.append((name, str(exc)))
            continue
        classified, vectors = classify_segments(segments, model, store)
        if add_to_history:
            info = report_meta(Path(path), name, segments, given)
            result = store.add_report(info, classified, classified, vectors=vectors,
                                      fingerprint=model.embedder.fingerprint)
            outcome.reports.append((name, result))
            classified["report_id"] = result.report_id
        frames.append(classified)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, failures, outcome


def reclassify_store(models_dir: Path | None = None) -> tuple[int, str]:
    """Re-score every model-labelled finding in the database with the model in use."""
    model = get_model(models_dir)
    store = get_store(models_dir)
    ensure_embeddings(store, model)
    version = model.manifest_["model_version"]

    def score(texts: list[str], vectors: np.ndarray | None) -> pd.DataFrame:
        if vectors is None:
            vectors = model.embedder.encode(texts)
        out = model.describe(model.predict_proba_vectors(vectors, texts), texts=texts)
        out["model_version"] = version
        return out

    return store.reclassify(score, model.embedder.fingerprint), version


def classify_csv_file(source: Path, output: Path, text_column: str, *, fmt: str = "csv",
                      models_dir: Path | None = None, progress: bool = False,
                      chunk_rows: int = CHUNK) -> int:
    """Stream a CSV through the model chunk by chunk, resumably; returns rows written.

    Rows go to ``OUT.partial`` as each chunk is done, with ``OUT.partial.json``
    recording the input's SHA-256, the model version and the rows done. A run
    that is interrupted and started again with the same input and model continues
    after the last finished chunk. Only a complete output is renamed to ``OUT``,
    so an existing ``OUT`` is never half-written.
    """
    import json
    import os

    from classifier.errors import InputError
    from classifier.fileio import check_text_file, neutralise_formulas

    check_text_file(source)  # missing, empty, binary; bad UTF-8 shows while streaming
    model = copy.copy(get_model(models_dir))
    model.embedder = model.embedder.without_cache()  # a batch must not grow the cache in memory
    version = model.manifest_["model_version"]
    partial = output.with_name(output.name + ".partial")
    state_path = output.with_name(output.name + ".partial.json")
    digest = sha256_file(source)
    done = 0
    if partial.exists() and state_path.exists():
        try:
            state = json.loads(state_path.read_text())
            if state.get("input_sha256") == digest and state.get("model_version") == version \
                    and state.get("format") == fmt:
                done = int(state["rows_done"])
        except (ValueError, KeyError):
            done = 0
    if done == 0:
        partial.unlink(missing_ok=True)
    try:
        reader = pd.read_csv(source, dtype=str, keep_default_na=False, chunksize=chunk_rows,
                             encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not valid UTF-8 text; re-save it as UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{source}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    written, bar = done, None
    if progress and source.stat().st_size > 256 * 1024:  # a bar only where it helps
        from tqdm import tqdm

        bar = tqdm(desc="classifying", unit="row", initial=done, disable=None)
    try:
        offset = 0
        for chunk in reader:
            if text_column not in chunk.columns:
                raise InputError(f"column {text_column!r} not found; columns are: "
                                 f"{', '.join(chunk.columns)} (use --text-column)")
            start, offset = offset, offset + len(chunk)
            if offset <= done:
                continue  # finished in an earlier run
            chunk = chunk.iloc[max(0, done - start):]
            result = classify_frame(chunk, text_column, model=model)
            with open(partial, "a", encoding="utf-8", newline="") as fh:
                if fmt == "json":
                    result.to_json(fh, orient="records", lines=True, force_ascii=False)
                else:
                    neutralise_formulas(result).to_csv(fh, index=False, header=(written == 0),
                                                       lineterminator="\n")
                fh.flush()
                os.fsync(fh.fileno())
            written += len(result)
            state_path.write_text(json.dumps({"input_sha256": digest, "model_version": version,
                                              "format": fmt, "rows_done": written}))
            if bar is not None:
                bar.update(len(result))
    except UnicodeDecodeError:
        raise InputError(f"{source}: not valid UTF-8 text; re-save it as UTF-8") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{source}: not a readable CSV ({str(exc).splitlines()[0][:120]})") from None
    finally:
        if bar is not None:
            bar.close()
    if written == 0:
        partial.unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
        raise InputError(f"{source}: has a header but no rows")
    os.replace(partial, output)
    state_path.unlink(missing_ok=True)
    return written


def safe_name(name: str) -> str:
    """A user-supplied file name reduced to its last part: no folders, no '..', no control chars."""
    base = Path(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base or "upload"


def classify_uploads(uploads: list[tuple[str, bytes]], *, add_to_history: bool = False,
                     models_dir: Path | None = None, on_progress=None,
                     meta: list[dict] | None = None
                     ) -> tuple[pd.DataFrame, list[tuple[str, str]], StoreOutcome]:
    """The app's batch job: uploaded (name, bytes) pairs in, findings out, one file at a time.

    Names are never used as paths (each upload is written to a fresh temporary file);
    a file over the size limit is refused before it is written.
    """
    import tempfile

    from classifier.ingest.segment import MAX_BYTES

    frames, failures, outcome = [], [], StoreOutcome()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, data) in enumerate(uploads):
            name = safe_name(name)
            if len(data) > MAX_BYTES:
                failures.append((name, f"file is {len(data) // 2**20} MB; the limit is "
                                       f"{MAX_BYTES // 2**20} MB"))
            else:
                path = Path(tmp) / f"{i}{Path(name).suffix.lower()}"
                path.write_bytes(data)
                frame, fails, got = classify_reports([path], names=[name], models_dir=models_dir,
                                                     add_to_history=add_to_history,
                                                     meta=[(meta or [{}] * len(uploads))[i]])
                frames.append(frame)
                failures += fails
                outcome.reports += got.reports
            if on_progress:
                on_progress(i + 1, len(uploads), name)
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame()
    return frame, failures, outcome
