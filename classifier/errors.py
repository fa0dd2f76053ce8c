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


class NotFound(InputError):
    """The thing named (a report, a finding, a user, a token) does not exist."""


class NotSignedIn(ClassifierError):
    """No valid credentials: sign in, or give a valid API token."""


class Forbidden(ClassifierError):
    """Signed in, but the role does not allow this action."""


class TooManyAttempts(ClassifierError):
    """Sign-in for this user name is paused after repeated failures."""
