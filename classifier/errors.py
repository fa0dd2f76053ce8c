"""Errors the CLI and app turn into one-line messages (no traceback)."""


class ClassifierError(Exception):
    """A problem the user can fix; the message says what and how. Exit code 2."""

    exit_code = 2


class ExtractionError(ClassifierError):
    """The report is not in the layout the extractor knows."""


class InputError(ClassifierError):
    """A user's input file or argument cannot be used."""


class ArtefactError(ClassifierError):
    """A saved model is missing, corrupt, tampered with or made for other data."""
