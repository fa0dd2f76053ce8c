"""The theme codebook: the one place the label set comes from.

``codebook.json`` mirrors ``training_data/codebook.md`` (the human-readable
standard). Labels, model, CLI and app all take the theme list and its order
from here; adding a theme means editing the JSON and retraining.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from classifier.errors import ClassifierError

CODEBOOK_PATH = Path(__file__).with_name("codebook.json")
OTHER = "other"
SEPARATOR = ";"


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    definition: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    examples: tuple[str, ...]

    def description(self) -> str:
        """The theme's definition and in-rules as one text (used as extra training signal)."""
        return f"{self.name}: {self.definition} " + "; ".join(self.include)


@dataclass(frozen=True)
class Codebook:
    version: str
    themes: tuple[Theme, ...]
    sha256: str
    other_examples: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def parse(self, value: str) -> list[str]:
        """Split a ``themes`` cell into theme ids, validating each; ``other`` → []."""
        parts = [p.strip() for p in str(value).split(SEPARATOR) if p.strip()]
        if parts == [OTHER]:
            return []
        unknown = [p for p in parts if p not in self.ids]
        if unknown or not parts:
            raise ClassifierError(
                f"unknown theme(s) {unknown or [value]}: use {', '.join(self.ids)} or '{OTHER}'"
            )
        return [t for t in self.ids if t in parts]

    def format(self, theme_ids: list[str] | set[str]) -> str:
        """Theme ids in codebook order joined by ';', or 'other' when there are none."""
        ordered = [t for t in self.ids if t in theme_ids]
        return SEPARATOR.join(ordered) if ordered else OTHER


def load_codebook(path: Path = CODEBOOK_PATH) -> Codebook:
    raw = Path(path).read_bytes()
    try:
        data = json.loads(raw)
        themes = tuple(
            Theme(
                id=t["id"],
                name=t["name"],
                definition=t["definition"],
                include=tuple(t.get("include", ())),
                exclude=tuple(t.get("exclude", ())),
                examples=tuple(t.get("examples", ())),
            )
            for t in data["themes"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ClassifierError(f"{path}: not a valid codebook ({exc}); fix the JSON") from None
    ids = [t.id for t in themes]
    if len(set(ids)) != len(ids) or OTHER in ids or not ids:
        raise ClassifierError(f"{path}: theme ids must be unique, non-empty and not '{OTHER}'")
    return Codebook(version=str(data.get("version", "")), themes=themes,
                    sha256=hashlib.sha256(raw).hexdigest(),
                    other_examples=tuple(data.get("other_examples", ())))


@lru_cache(maxsize=1)
def default_codebook() -> Codebook:
    return load_codebook()
