"""What made the model: from its manifest (no model file is opened here)."""
import pandas as pd
import streamlit as st

from classifier.model.artefacts import read_manifest
from classifier.codebook import default_codebook
from classifier.errors import ClassifierError

st.title("About the model")
codebook = default_codebook()
st.write(f"Codebook v{codebook.version} (sha256 `{codebook.sha256[:12]}`): "
         + ", ".join(f"**{t.name}**" for t in codebook.themes) + "; none of them = *other*.")
try:
    manifest = read_manifest()
except ClassifierError as exc:
    st.error(str(exc))
    st.stop()
emb = manifest["embedding_model"]
st.write(f"Model version `{manifest['model_version']}`, built {manifest['created_at']}; "
         f"embeddings: {emb['name']} ({emb['dimension']} dimensions).")
st.write(f"Training data sha256 `{manifest['training_data']['sha256'][:12]}`; "
         f"codebook at training v{manifest['codebook']['version']}.")
st.subheader("Thresholds")
st.dataframe(pd.DataFrame([manifest["thresholds"]]), hide_index=True)
st.subheader("Evaluation (from the manifest)")
rows = []
for scheme, s in manifest.get("metrics", {}).items():
    row = {"scheme": scheme, "macro_f1": s["macro_f1"], "micro_f1": s["micro_f1"],
           "brier": s["brier"], "n": s["n"]}
    row.update({t: v["f1"] for t, v in s["per_theme"].items()})
    rows.append(row)
st.dataframe(pd.DataFrame(rows).round(3), hide_index=True, key="metrics")
st.subheader("Library versions")
st.json(manifest["versions"])
