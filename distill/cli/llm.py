"""models list/test/retry and verify: configuring LLM backends and checking summaries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from ..config import Settings
from ..embed import default_embedder
from ..errors import DistillError, InputError, LLMUnavailable
from ..ingest.extract import from_markdown, from_text
from ..ingest.sources import parse_source
from ..llm.client import chat
from ..llm.config import get_model, load_models, models_path
from ..llm.retry import run_retries
from ..models import Document
from ..summarize.claims import Check, Verifier, split_claims
from ..summarize.judge import Judge, second_opinion
from .context import App, emit_json, guarded, json_option, pass_app
from .root import main

PING_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}


@main.group()
def models() -> None:
    """LLM model entries (models.toml in the library folder)."""


@models.command("list")
@json_option
@pass_app
@guarded
def models_list(app: App, as_json: bool) -> None:
    """List the configured model entries."""
    entries = load_models(app.settings)
    if as_json:
        emit_json(
            {
                "file": str(models_path(app.settings)),
                "models": [e.to_dict() for e in entries.values()],
            }
        )
        return
    console = Console(highlight=False)
    if not entries:
        console.print(f"No models configured; add [models.NAME] to {models_path(app.settings)}")
    for entry in entries.values():
        key = f", key from ${entry.key_env}" if entry.key_env else ""
        console.print(
            f"[bold]{escape(entry.name)}[/] {escape(entry.model)} at {escape(entry.base_url)} "
            f"({entry.dialect}, context {entry.context}{escape(key)})"
        )


@models.command("test")
@click.argument("name")
@json_option
@pass_app
@guarded
def models_test(app: App, name: str, as_json: bool) -> None:
    """One small structured request to model NAME, timed."""
    entry = get_model(app.settings, name)
    messages = [
        {"role": "system", "content": "Answer with one JSON object only."},
        {"role": "user", "content": 'Reply with exactly this JSON object: {"ok": true}'},
    ]
    result: dict[str, Any] = {"name": entry.name, "model": entry.model, "base_url": entry.base_url}
    try:
        reply = chat(entry, app.settings, messages, PING_SCHEMA)
    except LLMUnavailable as exc:
        result.update(ok=False, seconds=None, reply=None, json=False, error=exc.reason)
    else:
        try:
            json.loads(reply.content)
            is_json = True
        except ValueError:
            is_json = False
        result.update(
            ok=True, seconds=round(reply.seconds, 3), reply=reply.content, json=is_json, error=None
        )
    if as_json:
        emit_json(result)
    elif result["ok"]:
        click.echo(
            f"{entry.name}: answered in {result['seconds']:.2f} s"
            f" ({'valid JSON' if result['json'] else 'not JSON'}): {result['reply'][:200]}"
        )
    else:
        click.echo(f"{entry.name}: failed: {result['error']}", err=True)
    if not result["ok"]:
        sys.exit(1)


@models.command("retry")
@click.option("--limit", default=100, type=click.IntRange(min=1), show_default=True)
@json_option
@pass_app
@guarded
def models_retry(app: App, limit: int, as_json: bool) -> None:
    """Summarise again, with their LLM, the articles that fell back to the offline backend."""
    results = run_retries(app.store, app.settings, limit)
    for r in results:
        if as_json:
            emit_json(r.to_dict())
        else:
            click.echo(f"#{r.id} {r.backend}: {r.status}" + (f" ({r.reason})" if r.reason else ""))
    if not results and not as_json:
        click.echo("No retries pending.")


def _summary_claims(text: str) -> list[str]:
    """Sentences of a summary given as text/Markdown, or as `summarize --json` output."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("sections"), list):
        claims = []
        for section in data["sections"]:
            for line in section.get("lines", []):
                if line.get("kind", "sentence") == "sentence":
                    claims.extend(split_claims(str(line.get("text", ""))))
        return claims
    return split_claims(text)


def _document_from_text(text: str, origin: str) -> Document:
    try:
        return from_markdown(text, source=origin)
    except InputError:
        return from_text(text, source=origin)


def _check_json(checks: list[Check]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in checks]


def _print_checks(checks: list[Check]) -> None:
    console = Console(highlight=False)
    for c in checks:
        mark = "[green]supported[/]  " if c.supported else "[red]unsupported[/]"
        missing = (
            f" [red](not in the source: {escape(', '.join(c.missing))})[/]" if c.missing else ""
        )
        console.print(f"{mark} {c.score:.2f}  {escape(c.text)}{missing}")
    kept = sum(c.supported for c in checks)
    console.print(f"{kept} of {len(checks)} sentences supported")


def _checked(doc: Document, claims: list[str], settings: Settings, judge: str) -> list[Check]:
    """The claim check's verdicts, re-decided with the judge's when one is named."""
    threshold = float(settings.verify_threshold)
    checks = Verifier(doc, default_embedder(), threshold).check(claims)
    if judge:
        second_opinion(checks, Judge(get_model(settings, judge), settings), threshold)
    return checks


@main.command()
@click.argument("source", required=False)
@click.argument("summary", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pairs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines of {id, source, summary} texts to check as a batch.",
)
@click.option(
    "--judge",
    metavar="MODEL",
    default=None,
    help="Also ask this models.toml entry whether each sentence's passages entail it "
    "(default: the claim_judge setting; '' for none).",
)
@json_option
@pass_app
@guarded
def verify(
    app: App,
    source: str | None,
    summary: Path | None,
    pairs: Path | None,
    judge: str | None,
    as_json: bool,
) -> None:
    """Check every sentence of SUMMARY (a file, - for stdin) against SOURCE (file or URL)."""
    if pairs is not None:
        if source or summary:
            raise InputError("give either SOURCE SUMMARY or --pairs FILE, not both")
        _verify_pairs(app, pairs, as_json, _judge_name(app, judge))
        return
    if not source or not summary:
        raise InputError("verify needs SOURCE and SUMMARY (or --pairs FILE)")
    doc = parse_source(source).load(app.settings)
    if str(summary) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = summary.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{summary}: cannot read the summary ({exc})") from exc
    checks = _checked(doc, _summary_claims(text), app.settings, _judge_name(app, judge))
    if as_json:
        emit_json({"sentences": _check_json(checks)})
    else:
        _print_checks(checks)


def _judge_name(app: App, judge: str | None) -> str:
    name = str(app.settings.claim_judge) if judge is None else judge
    if name:
        get_model(app.settings, name)  # an unknown entry is an error before any work
    return name


def _verify_pairs(app: App, path: Path, as_json: bool, judge: str) -> None:
    failed = False
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            record: Any = None
            try:
                record = json.loads(raw)
                if not isinstance(record, dict):
                    raise InputError(f"{where}: expected a JSON object")
                pair_id = record.get("id", number)
                src, summ = record.get("source"), record.get("summary")
                if not isinstance(src, str) or not isinstance(summ, str):
                    raise InputError(f"{where}: 'source' and 'summary' must be strings")
                doc = _document_from_text(src, where)
                checks = _checked(doc, _summary_claims(summ), app.settings, judge)
            except (ValueError, DistillError) as exc:
                failed = True
                message = str(exc) if isinstance(exc, DistillError) else f"{where}: not JSON"
                record_id = record.get("id") if isinstance(record, dict) else None
                if as_json:
                    emit_json({"id": record_id, "error": message})
                else:
                    click.echo(f"error: {message}", err=True)
                continue
            if as_json:
                emit_json({"id": pair_id, "sentences": _check_json(checks)})
            else:
                click.echo(f"== {pair_id}")
                _print_checks(checks)
    if failed:
        sys.exit(1)
