"""Summarizer backends. Importing this package registers the built-in ones."""

from . import lead, llm  # noqa: F401
from .base import Summarizer

__all__ = ["Summarizer"]
