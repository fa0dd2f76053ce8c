"""Candidate new themes: cluster the findings labelled `other` and describe each cluster."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer


def cluster_other(frame: pd.DataFrame, vectors: np.ndarray, *, n_clusters: int = 6,
                  n_examples: int = 4, n_terms: int = 6, seed: int = 0) -> list[dict]:
    """Clusters of the given (``other``) findings, largest first.

    Each cluster: size, top terms (TF-IDF of the cluster against all), and the
    findings nearest its centre as its most representative examples.
    """
    if len(frame) < 2:
        return []
    k = max(1, min(n_clusters, len(frame) // 3 or 1))
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(vectors)
    texts = frame["text"].tolist()
    tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    X = tfidf.fit_transform(texts)
    terms = np.array(tfidf.get_feature_names_out())
    out = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        centre = km.cluster_centers_[c]
        dist = np.linalg.norm(vectors[members] - centre, axis=1)
        order = members[np.argsort(dist, kind="stable")]
        weights = np.asarray(X[members].mean(axis=0)).ravel()
        top = terms[np.argsort(-weights, kind="stable")[:n_terms]].tolist()
        out.append({"cluster": c, "size": int(len(members)), "top_terms": top,
                    "examples": frame.iloc[order[:n_examples]].to_dict(orient="records")})
    return sorted(out, key=lambda c: (-c["size"], c["cluster"]))
