"""Typed errors raised by library code. Only the CLI turns them into messages and exit codes."""


class LeanwatchError(Exception):
    """Base of every error leanwatch reports to a user as one line."""

    exit_code = 1


class SettingError(LeanwatchError):
    """A setting has an unknown name or a value of the wrong type."""

    exit_code = 2


class StoreError(LeanwatchError):
    """The store cannot be opened, migrated or written."""


class WriterBusyError(StoreError):
    """Another process holds the single-writer lock."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class FetchError(LeanwatchError):
    """A source could not be fetched. `url` names what failed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class SourceUnreachableError(FetchError):
    """DNS failure or refused connection: not worth retrying."""


class ResponseTooLargeError(FetchError):
    """The response passed the configured byte cap."""


class HttpStatusError(FetchError):
    """The server answered with an error status after any retries."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        super().__init__(url, reason)
        self.status = status


class InputFormatError(LeanwatchError):
    """A local input file is malformed; the message names the file and line."""


class IngestError(LeanwatchError):
    """An ingest run could not go on; what it had written stays."""
