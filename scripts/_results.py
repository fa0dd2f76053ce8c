"""Where the benchmark scripts save their figures."""
from __future__ import annotations

import json
from pathlib import Path


def save(figures, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {path}")
