"""Errors the corpus layer raises: each carries a message meant for the user."""


class DocumentError(Exception):
    """A file that cannot be read as a document (broken, encrypted, no text, empty)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TooManyPages(DocumentError):
    """A PDF with more pages than the reader was allowed (an upload over ICC_MAX_PAGES)."""

    def __init__(self, path: str, pages: int, limit: int) -> None:
        super().__init__(path, f"the PDF has {pages:,} pages; the limit is {limit:,}. Upload the ICC report "
                               "itself, or only the pages of its area profiles")
        self.pages = pages
        self.limit = limit


class ReadTooLong(DocumentError):
    """Reading took longer than the reader was allowed (an upload over ICC_PARSE_SECONDS)."""

    def __init__(self, path: str, seconds: float) -> None:
        super().__init__(path, f"reading it took longer than the limit of {seconds:g} seconds; upload a shorter "
                               "file, such as the ICC report's pages on the city's areas, or try again later")
        self.seconds = seconds


class CorpusError(Exception):
    """The corpus as a whole is unusable (missing folder, no readable document)."""
