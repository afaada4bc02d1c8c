"""One table of settings: each has a name, a default and a help line.

Precedence: DISTILL_<NAME> environment variable > distill.toml in the library's home >
the default here. `docs/settings.md` is generated from this table and a test fails when
the two disagree, so no setting goes undocumented.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "",
        "PostgreSQL database for a library many workers and web servers share "
        "(`postgresql://user@host/db`; `--database` on the root command). Empty: the SQLite "
        "file in the library folder.",
    ),
    Setting("max_bytes", 10_000_000, "Largest page or file accepted, in bytes."),
    Setting("connect_timeout", 10.0, "Seconds to wait for a TCP/TLS connection."),
    Setting("read_timeout", 20.0, "Seconds to wait between bytes of a response."),
    Setting("total_timeout", 60.0, "Seconds a whole fetch may take, redirects included."),
    Setting(
        "extract_timeout",
        60.0,
        "Seconds one article's extraction (parsing HTML, Markdown or text) may take; it runs "
        "in a child process that is stopped past this. 0 runs it in-process without a limit.",
    ),
    Setting(
        "extract_memory_mb",
        2048,
        "Address space, in MB, an extraction child may use before it is stopped.",
    ),
    Setting("max_redirects", 5, "Redirects followed before a fetch gives up."),
    Setting(
        "user_agent",
        "Distill/0.1 (+https://github.com/distill; self-hosted article library)",
        "User-Agent header sent with every request.",
    ),
    Setting(
        "allowed_hosts",
        "",
        "Comma-separated host names, addresses or CIDR ranges let through the private-address "
        "guard (for example 127.0.0.1 for a local test server).",
    ),
    Setting(
        "summarizer",
        "extractive",
        "Summarizer backend used for new articles (`extractive`: offline, the default; `lead`: "
        "the first sentences, a baseline).",
    ),
    Setting(
        "embed",
        True,
        "Compute article and section embeddings at ingest (needed for search by meaning, "
        "related articles and classification).",
    ),
    Setting("feed_interval", 3600.0, "Seconds between two checks of one feed."),
    Setting(
        "feed_first_check_max",
        20,
        "Entries the first check of a new feed takes (newest first); older ones are "
        "recorded as seen and skipped.",
    ),
    Setting(
        "host_delay",
        1.0,
        "Seconds between two requests to the same host (a robots.txt Crawl-delay that is "
        "longer wins, up to 60).",
    ),
    Setting("worker_threads", 4, "Jobs a worker runs at once (network work overlaps)."),
    Setting(
        "worker_poll_interval",
        0.5,
        "Seconds an idle worker waits before looking for due jobs again. On PostgreSQL a "
        "queued job wakes idle workers at once (LISTEN/NOTIFY), so this can be longer there; "
        "it still bounds how late a delayed retry or a cooled-down host is noticed.",
    ),
    Setting(
        "job_lease",
        60.0,
        "Seconds a claimed job stays leased without renewal before another worker may take it.",
    ),
    Setting(
        "job_backoff", 30.0, "Seconds before the first retry of a failed job; doubles each try."
    ),
    Setting(
        "worker_stop_grace",
        20.0,
        "Seconds running jobs get to finish after a worker is asked to stop; jobs still "
        "running then are released for another worker and the worker exits.",
    ),
    Setting("job_max_attempts", 5, "Attempts before a job is marked failed with its reason."),
    Setting(
        "web_read_auth",
        "auto",
        "Who may read pages and GET /v1: 'public', 'token' (an API token or a signed-in "
        "browser), or 'auto' (public on 127.0.0.1/localhost, token when listening beyond it). "
        "Writes through /v1 always need a token.",
    ),
    Setting("web_write_rate", 60, "Writes (POST/PATCH/DELETE) allowed per client per minute."),
    Setting("web_max_body", 12_000_000, "Largest request body the web server accepts, in bytes."),
    Setting(
        "web_public_url",
        "",
        "The server's address as readers reach it (e.g. https://library.example.org), used "
        "for links in Atom feeds; empty means the address the server is listening on.",
    ),
    Setting(
        "web_threads",
        4,
        "Page and API requests the web server handles at once per worker process (more "
        "wait in line); a few per core is fastest for SQLite reads.",
    ),
    Setting(
        "llm_models_file",
        "models.toml",
        "File naming the LLM model entries (`[models.NAME]` tables); relative paths are "
        "inside the library folder.",
    ),
    Setting("llm_model", "", "Model entry used by `--summarizer llm` when no NAME is given."),
    Setting("llm_connect_timeout", 5.0, "Seconds to wait for a connection to a model server."),
    Setting(
        "llm_total_timeout",
        120.0,
        "Seconds one request to a model server may take in all; past it the article is "
        "summarised by the fallback backend.",
    ),
    Setting(
        "llm_max_retry_wait",
        30.0,
        "Longest Retry-After (seconds) honoured on HTTP 429 before falling back instead.",
    ),
    Setting(
        "llm_unsupported",
        "drop",
        "What happens to a summary sentence the claim check cannot support: `drop` it or "
        "keep it marked as `flag`.",
    ),
    Setting(
        "claim_judge",
        "",
        "A models.toml entry asked, for each sentence of an LLM summary, whether its "
        "supporting passages entail it (a yes/no question; its probability of yes is "
        "averaged with the claim check's score). Empty: the claim check alone decides.",
    ),
    Setting(
        "verify_threshold",
        0.7,
        "Support score (0-1) at or above which the claim check accepts a summary sentence.",
    ),
    Setting(
        "search_mode",
        "hybrid",
        "Default search mode: text (full text), vector (by meaning) or hybrid (both merged); "
        "chosen from bench/eval_search.py, see docs/benchmarks.md.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("distill", appauthor=False))


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    """The library folder: --home, then DISTILL_HOME, then the platform's data folder."""
    if home:
        return Path(home).expanduser()
    env = os.environ.get("DISTILL_HOME")
    return Path(env).expanduser() if env else default_home()


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    kind = type(setting.default)
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw
    try:
        if kind is bool:
            return str(raw).strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{origin}: setting {setting.name!r} expects {kind.__name__}, got {raw!r}"
        ) from exc


class Settings:
    """Resolved settings for one library; attribute access by setting name."""

    def __init__(self, home: Path, values: dict[str, Any]) -> None:
        self.home = home
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - set(_BY_NAME)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return Settings(self.home, {**self._values, **changes})

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    path = resolve_home(home)
    values = {s.name: s.default for s in SETTINGS}
    toml_path = path / "distill.toml"
    if toml_path.exists():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_path}: {exc}") from exc
        for key, raw in data.items():
            if key not in _BY_NAME:
                raise ConfigError(f"{toml_path}: unknown setting {key!r}")
            values[key] = _coerce(_BY_NAME[key], raw, str(toml_path))
    for setting in SETTINGS:
        env = os.environ.get(f"DISTILL_{setting.name.upper()}")
        if env is not None:
            values[setting.name] = _coerce(setting, env, f"DISTILL_{setting.name.upper()}")
    return Settings(path, values)


def settings_markdown() -> str:
    """The settings reference, generated so it cannot drift from the table."""
    lines = [
        "# Settings",
        "",
        "Generated from `distill/config.py` by `python -m distill.config`; do not edit by hand.",
        "Each can be set as `DISTILL_<NAME>` in the environment or as `name = value` in",
        "`distill.toml` inside the library folder (`--home`, `DISTILL_HOME`).",
        "",
        "| name | default | meaning |",
        "| --- | --- | --- |",
    ]
    for s in SETTINGS:
        default = repr(s.default) if s.default != "" else '""'
        lines.append(f"| `{s.name}` | `{default}` | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
