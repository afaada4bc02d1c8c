"""What every command needs: settings and the store, opened lazily and closed at exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..config import Settings, load_settings
from ..errors import DistillError
from ..store import SQLStore, open_store

F = TypeVar("F", bound=Callable[..., Any])


class App:
    def __init__(self, home: str | None) -> None:
        self._home = home
        self._settings: Settings | None = None
        self._store: SQLStore | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._home)
        return self._settings

    @property
    def store(self) -> SQLStore:
        if self._store is None:
            self._store = open_store(self.settings.home, self.settings.database_url)
            click.get_current_context().call_on_close(self._store.close)
        return self._store


pass_app = click.make_pass_decorator(App)


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON only."
    )(func)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, as_json: bool, code: int = 1) -> None:
    """Report an error the way the caller asked for, then exit non-zero."""
    if as_json:
        emit_json({"error": message})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


def guarded(func: F) -> F:
    """Turn a DistillError into a clean message and exit code 1, never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DistillError as exc:
            fail(str(exc), bool(kwargs.get("as_json")))

    return wrapper  # type: ignore[return-value]
