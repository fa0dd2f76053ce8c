"""Classify inspection findings into the codebook's themes.

The package is light to import: torch and sentence-transformers load only when
text is actually encoded (see :mod:`classifier.model.embed`).
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("inspection-themes")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
