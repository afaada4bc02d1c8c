"""Summarizer backends. `plugins.BUILTIN_SUMMARIZERS` names the built-in ones."""

from .base import Summarizer

__all__ = ["Summarizer"]
