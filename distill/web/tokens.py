"""API tokens: the rules for creating, listing and revoking them, shared by every caller.

A token is shown once, when it is created; the library keeps only its SHA-256, so a stolen
database file gives no usable token.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, NotFound
from ..store import Store
from .security import hash_token, new_token

MAX_NAME = 100  # names are labels people read in `distill tokens list`


def create(store: Store, name: str) -> tuple[str, str]:
    """(name, token) for a new token called `name` (trimmed); InputError when the name is
    empty, too long or taken."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(f"token name must be 1 to {MAX_NAME} characters")
    if store.web.token_exists(name):
        raise InputError(f"a token named {name!r} already exists; revoke it first")
    token = new_token()
    store.web.create_token(name, hash_token(token))
    return name, token


def listing(store: Store) -> list[dict[str, Any]]:
    """[{name, created_at, last_used_at}] (never the token or its hash)."""
    return store.web.list_tokens()


def revoke(store: Store, name: str) -> None:
    if not store.web.delete_token(name):
        raise NotFound(f"no token named {name!r}")
