"""The three user jobs on top of a trained model: a CSV, one finding, whole reports.

The CLI and the app both call these functions, so they behave the same.
"""
from __future__ import annotations

import copy
import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from classifier import paths
from classifier.artefacts import load_model
from classifier.errors import ClassifierError
from classifier.fileio import sha256_file
from classifier.history import HistoryStore, history_dir
from classifier.history import add_to_history as grow_history  # the name is a parameter below
from classifier.pipeline import ThemeModel

CHUNK = 1000


@lru_cache(maxsize=4)
def _cached_model(models_dir: Path) -> ThemeModel:
    return load_model(models_dir)


def get_model(models_dir: Path | None = None) -> ThemeModel:
    return _cached_model(Path(models_dir or paths.models_dir()).resolve())


def get_history(models_dir: Path | None = None) -> HistoryStore:
    return HistoryStore.load(history_dir(models_dir))


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
    store = get_history(models_dir)
    vector = model.embedder.encode([text])
    proba = model.predict_proba_vectors(vector, [text])
    described = model.describe(proba).iloc[0]
    similar = store.search(vector, top_k=top_k)[0]
    cols = ["area", "part", "kind", "number", "text", "themes", "source", "similarity"]
    return {
        "text": text,
        "themes": described["themes"],
        "needs_review": bool(described["needs_review"]),
        "probabilities": {t: float(round(proba[0, j], 4)) for j, t in enumerate(model.codebook.ids)},
        "thresholds": {t: float(v) for t, v in zip(model.codebook.ids, model.thresholds_)},
        "similar": similar[cols].to_dict(orient="records"),
        "recurrence": store.recurrence(vector[0]),
        "model_version": model.manifest_["model_version"],
    }


def classify_segments(segments: pd.DataFrame, model: ThemeModel, store: HistoryStore,
                      *, progress: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Classify segmented findings; add nearest-precedent columns. Returns (frame, vectors)."""
    texts = segments["text"].tolist()
    vectors = model.embedder.encode(texts, show_progress_bar=progress) if texts else \
        np.zeros((0, model.embedder.dimension), dtype=np.float32)
    described = model.describe(model.predict_proba_vectors(vectors, texts)) if texts else \
        model.classify([])
    nearest = store.nearest(vectors) if texts else pd.DataFrame(
        columns=["hid", "area", "part", "kind", "text", "similarity"])
    nearest = nearest.add_prefix("nearest_")
    out = pd.concat([segments.reset_index(drop=True), described, nearest], axis=1)
    out["model_version"] = model.manifest_["model_version"]
    return out, vectors


def classify_reports(files: list[Path], *, models_dir: Path | None = None,
                     text_column: str = "text", add_to_history: bool = False,
                     progress: bool = False, names: list[str] | None = None
                     ) -> tuple[pd.DataFrame, list[tuple[str, str]], tuple[int, int]]:
    """Segment and classify each file; a bad file is reported and the others go on.

    Returns (findings, [(file, reason)], (added to history, files already in history)).
    """
    from classifier.segment import segment_file

    model = get_model(models_dir)
    store = get_history(models_dir)
    frames, failures, additions = [], [], []
    iterator = list(zip(files, names or [Path(f).name for f in files]))
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc="reports", unit="file")
    for path, name in iterator:
        try:
            segments = segment_file(Path(path), text_column=text_column, display_name=name)
            if segments.empty:
                raise ClassifierError("no findings found (nothing long enough to be a finding)")
        except ClassifierError as exc:
            failures.append((name, str(exc)))
            continue
        classified, vectors = classify_segments(segments, model, store)
        frames.append(classified)
        if add_to_history:
            additions.append((_history_rows(classified), vectors, sha256_file(Path(path)), name))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    added = grow_history(additions, history_dir(models_dir)) if additions else (0, 0)
    return frame, failures, added


def _history_rows(classified: pd.DataFrame) -> pd.DataFrame:
    digest = classified["source_file"].astype(str) + ":" + classified["location"].astype(str)
    return pd.DataFrame({
        "hid": [hashlib.sha256(d.encode()).hexdigest()[:16] for d in digest],
        "area": "", "part": "", "kind": classified["kind"].fillna(""),
        "number": "", "text": classified["text"], "themes": classified["themes"],
        "source": classified["source_file"], "source_title": classified.get("source_title", ""),
        "location": classified["location"], "origin": "added"})


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
                     models_dir: Path | None = None, on_progress=None
                     ) -> tuple[pd.DataFrame, list[tuple[str, str]], tuple[int, int]]:
    """The app's batch job: uploaded (name, bytes) pairs in, findings out, one file at a time.

    Names are never used as paths (each upload is written to a fresh temporary file);
    a file over the size limit is refused before it is written.
    """
    import tempfile

    from classifier.segment import MAX_BYTES

    frames, failures, added = [], [], [0, 0]
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
                                                     add_to_history=add_to_history)
                frames.append(frame)
                failures += fails
                added = [added[0] + got[0], added[1] + got[1]]
            if on_progress:
                on_progress(i + 1, len(uploads), name)
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame()
    return frame, failures, (added[0], added[1])
