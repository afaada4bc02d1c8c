"""categorize, tags, recategorize, classify: filing articles and correcting the filing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..classify import corrections as labelling
from ..classify.classifier import Classifier
from ..config import Settings
from ..embed import default_embedder
from ..errors import InputError
from ..jsonl import read_records
from ..models import Block, Document
from ..taxonomy.categories import Taxonomy, load_examples, load_taxonomy
from .context import App, emit_json, guarded, json_option, pass_app
from .root import main


@main.command()
@click.argument("article_id", type=int)
@click.argument("category")
@json_option
@pass_app
@guarded
def categorize(app: App, article_id: int, category: str, as_json: bool) -> None:
    """File article ID under CATEGORY (kept over automatic passes; teaches the classifier)."""
    name = labelling.categorize(app.store, app.settings, article_id, category)
    if as_json:
        emit_json({"id": article_id, "category": name, "origin": "user"})
    else:
        click.echo(f"#{article_id} filed under {name}")


class _TagsGroup(click.Group):
    """`distill tags ID ...` edits one article; `distill tags SUBCOMMAND` does the rest."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["edit", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_TagsGroup)
def tags() -> None:
    """Show and edit tags: `tags ID --add X --remove Y`, `tags list`, `tags candidates`,
    `tags suggest-merges`, `tags merge A B`."""


@tags.command("edit")
@click.argument("article_id", type=int)
@click.option("--add", "add", multiple=True, help="Tag to add (repeatable).")
@click.option("--remove", "remove", multiple=True, help="Tag to remove (repeatable).")
@json_option
@pass_app
@guarded
def tags_edit(
    app: App, article_id: int, add: tuple[str, ...], remove: tuple[str, ...], as_json: bool
) -> None:
    """Show article ID's tags, adding and removing some first (kept as the user's)."""
    if add or remove:
        current = labelling.edit_tags(app.store, app.settings, article_id, list(add), list(remove))
    else:
        app.store.labels.require_article(article_id)
        current = app.store.labels.labels_for([article_id])[article_id].tags
    detail = app.store.labels.labels_for([article_id])[article_id]
    if as_json:
        emit_json(
            {
                "id": article_id,
                "tags": current,
                "tag_origins": detail.tag_origins,
                "candidate_tags": detail.candidates,
            }
        )
    else:
        click.echo(f"#{article_id} tags: {', '.join(current) or '(none)'}")
        if detail.candidates:
            click.echo(f"  candidates: {', '.join(detail.candidates)}")


@tags.command("list")
@json_option
@pass_app
@guarded
def tags_list(app: App, as_json: bool) -> None:
    """Every tag in the library and how many articles carry it."""
    counts = app.store.labels.tag_counts()
    if as_json:
        emit_json({"tags": [{"tag": t, "articles": n} for t, n in counts]})
        return
    for tag, n in counts:
        click.echo(f"{n:6d}  {tag}")


@tags.command("candidates")
@click.option("--limit", default=50, type=click.IntRange(1, 1000), show_default=True)
@json_option
@pass_app
@guarded
def tags_candidates(app: App, limit: int, as_json: bool) -> None:
    """Unknown but salient terms, most frequent first; accept one with `tags ID --add`."""
    counts = app.store.labels.candidate_counts(limit)
    if as_json:
        emit_json({"candidates": [{"term": t, "articles": n} for t, n in counts]})
        return
    for term, n in counts:
        click.echo(f"{n:6d}  {term}")


@tags.command("suggest-merges")
@json_option
@pass_app
@guarded
def tags_suggest_merges(app: App, as_json: bool) -> None:
    """Near-duplicate tags (by spelling and by meaning) that could be merged."""
    embedder = default_embedder() if app.settings.embed else None
    found = labelling.suggest_merges(app.store, app.settings, embedder)
    if as_json:
        emit_json({"suggestions": [s.to_dict() for s in found]})
        return
    if not found:
        click.echo("No near-duplicate tags.")
    for s in found:
        click.echo(
            f"{s.tag} ({s.tag_articles}) -> {s.into} ({s.into_articles})"
            f"  [{s.reason} {s.similarity:.2f}]   distill tags merge {json.dumps(s.tag)}"
            f" {json.dumps(s.into)}"
        )


@tags.command("merge")
@click.argument("old")
@click.argument("new")
@json_option
@pass_app
@guarded
def tags_merge(app: App, old: str, new: str, as_json: bool) -> None:
    """Merge tag OLD into NEW on every article (and fold OLD into NEW from now on)."""
    changed = labelling.merge(app.store, app.settings, old, new)
    if as_json:
        emit_json({"merged": old, "into": new, "articles": changed})
    else:
        click.echo(f"merged {old!r} into {new!r} on {changed} article(s)")


@main.command()
@json_option
@pass_app
@guarded
def recategorize(app: App, as_json: bool) -> None:
    """Classify every article again (after editing the taxonomy); the user's labels stay."""
    embedder = default_embedder() if app.settings.embed else None
    report = labelling.recategorize(app.store, app.settings, embedder)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(
        f"{report.articles} articles refiled, {report.changed} changed category,"
        f" {report.kept_user} kept the user's category"
    )
    if report.user_not_in_taxonomy:
        click.echo(
            f"  {report.user_not_in_taxonomy} user-chosen categories are no longer in the"
            " taxonomy; file those articles again with `distill categorize`"
        )


def _read_inputs(path: Path) -> list[tuple[Any, Document]]:
    """(id, document) per JSON line; any bad line fails the batch before work starts."""
    out: list[tuple[Any, Document]] = []
    expected = "an object with id and text"
    for number, where, record in read_records(path, InputError, expected):
        if not isinstance(record.get("text"), str):
            raise InputError(f"{where}: expected {expected}")
        # short texts are fine here (a title, a sentence): no minimum-prose rule as at ingest
        paragraphs = [p.strip() for p in record["text"].split("\n\n") if p.strip()]
        if not paragraphs:
            raise InputError(f"{where}: empty text")
        doc = Document(title="", blocks=[Block("paragraph", p) for p in paragraphs], source=where)
        if isinstance(record.get("title"), str):
            doc.title = record["title"]
        out.append((record.get("id", number), doc))
    return out


def batch_classifier(
    settings: Settings, taxonomy_file: Path | None, examples_file: Path | None
) -> tuple[Taxonomy, Classifier]:
    taxonomy = load_taxonomy(settings.home, taxonomy_file)
    examples = load_examples(examples_file, taxonomy) if examples_file else []
    embedder = default_embedder()
    classifier = Classifier.from_examples(taxonomy, embedder, examples, home=settings.home)
    return taxonomy, classifier


@main.command("classify")
@click.option(
    "--taxonomy",
    "taxonomy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Taxonomy YAML (default: the library's taxonomy).",
)
@click.option(
    "--examples",
    "examples_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Labelled examples, JSON Lines: {"text": ..., "label": ...}.',
)
@click.option(
    "--input",
    "input_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='Texts to classify, JSON Lines: {"id": ..., "text": ...}.',
)
@json_option
@pass_app
@guarded
def classify_batch(
    app: App,
    taxonomy_file: Path | None,
    examples_file: Path | None,
    input_file: Path,
    as_json: bool,
) -> None:
    """Classify a batch of texts into a taxonomy; the library is not touched."""
    inputs = _read_inputs(input_file)
    _, classifier = batch_classifier(app.settings, taxonomy_file, examples_file)
    table = None if as_json else Table("id", "label", "confidence", "tags", show_edge=False)
    for ident, doc in inputs:
        labels = classifier.classify(doc, classifier.vector_for(doc))
        row = {
            "id": ident,
            "label": labels.category,
            "confidence": labels.confidence,
            "tags": labels.tags,
        }
        if table is None:
            emit_json(row)
        else:
            table.add_row(
                escape(str(ident)),
                escape(labels.category),
                f"{labels.confidence:.2f}",
                escape(", ".join(labels.tags)),
            )
    if table is not None:
        Console(highlight=False).print(table)
    sys.stdout.flush()
