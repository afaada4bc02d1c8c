"""Model entries as data: an OpenAI-compatible server is configuration, not code.

`models.toml` in the library folder (the `llm_models_file` setting) holds one table per
model; adding a server never needs a code change:

    [models.local]
    base_url = "http://127.0.0.1:8080/v1"
    model = "qwen2.5-coder-0.5b"
    key_env = ""                 # name of the environment variable holding the API key
    dialect = "json_object"      # or "json_schema" (OpenAI), or "none" (prompt only)
    context = 8192               # tokens the model can take in, prompt and answer together
    [models.local.options]       # merged into every request body
    temperature = 0.2
    # max_tokens = 2048          # optional cap; unset, Distill sizes each request's limit
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import ConfigError

DIALECTS = ("json_schema", "json_object", "none")
DEFAULT_CONTEXT = 8192
DEFAULT_MAX_TOKENS = 1024  # requests other than a summary's (a ping), when no cap is set
_KEYS = {"base_url", "model", "key_env", "dialect", "context", "options"}


@dataclass(frozen=True)
class ModelEntry:
    name: str
    base_url: str
    model: str
    key_env: str = ""
    dialect: str = "json_schema"
    context: int = DEFAULT_CONTEXT
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def max_tokens(self) -> int | None:
        """The answer limit models.toml sets, or None: a summary's request is then sized
        from the schema's bounds and the context the prompt leaves."""
        value = self.options.get("max_tokens")
        return None if value is None else int(value)

    def api_key(self) -> str:
        return os.environ.get(self.key_env, "") if self.key_env else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "base_url": self.base_url,
            "model": self.model,
            "key_env": self.key_env,
            "key_set": bool(self.api_key()),
            "dialect": self.dialect,
            "context": self.context,
            "options": dict(self.options),
        }


def models_path(settings: Settings) -> Path:
    path = Path(str(settings.llm_models_file)).expanduser()
    return path if path.is_absolute() else settings.home / path


def _entry(name: str, data: Any, origin: str) -> ModelEntry:
    where = f"{origin}: model {name!r}"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("base_url", "model"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ConfigError(f"{where}: {key} is required (a non-empty string)")
    url = urlsplit(data["base_url"])
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"{where}: base_url {data['base_url']!r} is not an http(s) URL")
    dialect = data.get("dialect", "json_schema")
    if dialect not in DIALECTS:
        raise ConfigError(f"{where}: dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    context = data.get("context", DEFAULT_CONTEXT)
    if not isinstance(context, int) or isinstance(context, bool) or context < 512:
        raise ConfigError(f"{where}: context must be a whole number of tokens >= 512")
    options = data.get("options", {})
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: options must be a table")
    key_env = data.get("key_env", "")
    if not isinstance(key_env, str):
        raise ConfigError(f"{where}: key_env must be the NAME of an environment variable")
    return ModelEntry(
        name=name,
        base_url=data["base_url"].rstrip("/"),
        model=data["model"],
        key_env=key_env,
        dialect=dialect,
        context=context,
        options=dict(options),
    )


def load_models(settings: Settings) -> dict[str, ModelEntry]:
    """Every configured entry by name; an absent file means none are configured."""
    path = models_path(settings)
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    models = data.get("models", {})
    if set(data) - {"models"} or not isinstance(models, dict):
        raise ConfigError(f"{path}: expected only [models.NAME] tables")
    return {name: _entry(name, value, str(path)) for name, value in models.items()}


def get_model(settings: Settings, name: str = "") -> ModelEntry:
    """The entry called `name`, else the `llm_model` setting, else the only one there is."""
    models = load_models(settings)
    wanted = name or str(settings.llm_model)
    if not models:
        raise ConfigError(
            f"no LLM models configured; add a [models.NAME] table to {models_path(settings)}"
        )
    if not wanted:
        if len(models) == 1:
            return next(iter(models.values()))
        raise ConfigError(
            f"several models configured ({', '.join(sorted(models))}); name one as llm:NAME "
            "or set llm_model"
        )
    if wanted not in models:
        raise ConfigError(
            f"unknown model {wanted!r}; configured: {', '.join(sorted(models))} "
            f"(in {models_path(settings)})"
        )
    return models[wanted]
