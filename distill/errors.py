"""The exception tree, so callers can catch as broadly or narrowly as they need.

    DistillError                      anything Distill reports to a user
    ├── ConfigError                   a setting or data file is malformed
    │   └── PendingMigrations         the database needs `distill migrate` before serve/worker
    ├── FetchError                    the network part of getting a source
    │   ├── AddressRefused            host resolves to a private/loopback/reserved address
    │   ├── TooLarge                  body over the max_bytes setting
    │   ├── HTTPStatus                a 4xx/5xx answer
    │   ├── TooManyRedirects
    │   └── FetchTimeout              connect, read or total deadline passed
    ├── InputError                    the bytes we got cannot become an article
    │   ├── UnsupportedSource         unknown file type, binary content, undecodable text
    │   ├── FrontMatterError          Markdown front matter that does not parse
    │   ├── ExtractLimit              extraction passed a time, memory or element limit
    │   ├── NoMainText                nothing that reads as an article
    │   └── FeedError                 bytes that are not a feed we can read
    ├── BadRequest                    a web or API request naming a bad value (code, details)
    ├── SummarizeError                a summarizer backend failed
    │   ├── TooLittleText             no sentence of prose to summarise
    │   ├── LLMUnavailable            the model gave no usable answer (reason, retry)
    │   └── InvalidAnswer             the model's text is not the JSON asked for
    ├── JobError                      what a background job reports to the queue
    │   ├── RetryableError            may succeed later: retried with backoff
    │   │   └── DatabaseUnavailable   the database server cannot be reached or dropped the session
    │   └── PermanentError            retrying cannot help: failed now
    ├── DuplicateArticle              the store already holds this article
    └── NotFound                      an id that is not in the library

Two exceptions live in web/ on purpose: `ApiError` and `LoginRequired` are not errors of the
library but ways a route handler answers (a JSON error body, a redirect to sign in).

Every message names what was wrong (the URL, file, line or setting) so a user can act on it.
"""

from __future__ import annotations

from typing import Any


class DistillError(Exception):
    """Base of every error Distill raises on purpose."""


class ConfigError(DistillError):
    pass


class PendingMigrations(ConfigError):
    """A shared database has schema steps this version needs and nobody applied yet."""

    def __init__(self, steps: list[str]) -> None:
        self.steps = steps
        shown = ", ".join(steps[:5]) + (f" and {len(steps) - 5} more" if len(steps) > 5 else "")
        super().__init__(
            f"the database has {len(steps)} unapplied migration step(s) ({shown});"
            " run `distill migrate` once, then start the servers and workers again"
        )


class FetchError(DistillError):
    pass


class AddressRefused(FetchError):
    pass


class TooLarge(FetchError):
    pass


class HTTPStatus(FetchError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooManyRedirects(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class InputError(DistillError):
    pass


class UnsupportedSource(InputError):
    pass


class FrontMatterError(InputError):
    pass


class ExtractLimit(InputError):
    pass


class NoMainText(InputError):
    pass


class SummarizeError(DistillError):
    pass


class NotFound(DistillError):
    pass


class DuplicateArticle(DistillError):
    """Raised by the store when another writer stored the same article first."""

    def __init__(self, message: str, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class FeedError(InputError):
    """The bytes are not a feed we can read (HTML page, broken XML, empty, wrong JSON)."""


class BadRequest(DistillError):
    """A request that names a bad value (cursor, sort, filter); the message says which."""

    def __init__(self, message: str, code: str = "bad_request", details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}


class TooLittleText(SummarizeError):
    """The article has no sentence of prose to summarize (only code, a table, links)."""


class LLMUnavailable(SummarizeError):
    """The model could not give a usable answer; `retry` says if later might work."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class InvalidAnswer(SummarizeError):
    """The model's text is not the JSON object asked for; the message says why."""


class JobError(DistillError):
    """Raised by a job's work to tell the queue what to do with it."""


class RetryableError(JobError):
    """The job may succeed later (timeout, 5xx, host unreachable): retry with backoff."""


class DatabaseUnavailable(RetryableError):
    """The database server cannot be reached, or the session was lost (PostgreSQL restarted,
    the network dropped). Nothing of an interrupted transaction was committed; the same call
    may succeed once the server answers again (the store opens a new session by itself)."""


class PermanentError(JobError):
    """Retrying cannot help (404, refused address, not an article): fail now with the reason."""
