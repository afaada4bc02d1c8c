"""The exception tree, so callers can catch as broadly or narrowly as they need.

    DistillError                      anything Distill reports to a user
    ├── ConfigError                   a setting or data file is malformed
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
    │   └── NoMainText                nothing that reads as an article
    ├── SummarizeError                a summarizer backend failed
    ├── DuplicateArticle              the store already holds this article
    └── NotFound                      an id that is not in the library

Every message names what was wrong (the URL, file, line or setting) so a user can act on it.
"""


class DistillError(Exception):
    """Base of every error Distill raises on purpose."""


class ConfigError(DistillError):
    pass


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
