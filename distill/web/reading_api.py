"""/v1 reading state in bulk: mark many articles, or a whole category or technology.

One article's state is set with PATCH /v1/articles/{id} {"state": ...}; this endpoint is
for "mark all read" and for clients that sync a reader's marks in batches.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ..library import reading
from . import queries
from .api import write_access
from .common import ApiError, library


class MarkBody(BaseModel):
    """Exactly one of ids, category or tech."""

    model_config = ConfigDict(extra="forbid")
    state: Literal["unread", "read", "archived"] = "read"
    ids: list[int] | None = Field(None, max_length=1000)
    category: str | None = Field(None, max_length=200)
    tech: str | None = Field(None, max_length=200)


class MarkResult(BaseModel):
    state: str
    changed: int = Field(description="Articles whose state changed")


def mark(request: Request, body: MarkBody, _: str = Depends(write_access)) -> MarkResult:
    given = [k for k in ("ids", "category", "tech") if getattr(body, k) is not None]
    if len(given) != 1:
        raise ApiError(
            422, "bad_body", "give exactly one of ids, category or tech", {"given": given}
        )
    lib = library(request)
    if body.ids is not None:
        if any(i < 1 or i >= 2**63 for i in body.ids):
            raise ApiError(422, "bad_body", "ids must be article ids (positive integers)")
        return MarkResult(
            state=body.state, changed=reading.set_state(lib.store, body.ids, body.state)
        )
    if body.state != "read":
        raise ApiError(422, "bad_body", "a whole category or technology can only be marked read")
    filters = queries.build_filters(lib, category=body.category or "", tech=body.tech or "")
    return MarkResult(state="read", changed=reading.mark_all_read(lib.store, filters))
