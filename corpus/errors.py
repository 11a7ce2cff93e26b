"""Errors the corpus layer raises: each carries a message meant for the user."""


class DocumentError(Exception):
    """A file that cannot be read as a document (broken, encrypted, no text, empty)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorpusError(Exception):
    """The corpus as a whole is unusable (missing folder, no readable document)."""
