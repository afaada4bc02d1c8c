"""What a busy reader of a summary would notice (issue 12), on small texts written for these
tests: anecdotes and bylines do not lead, boilerplate never becomes a line, concepts are
concepts, code keeps its line breaks, lines stand on their own."""

from __future__ import annotations

import numpy as np
import pytest

from distill.errors import SummarizeError
from distill.ingest.extract import from_html, from_markdown
from distill.models import Document, Summary
from distill.plugins import get_summarizer
from distill.search.related import shared_technologies
from distill.summarize.boilerplate import boilerplate, personal, refers_back, refuted
from distill.summarize.cues import figures
from distill.summarize.executive import (
    DEFINITION_BONUS,
    IDENTIFIER,
    _definition_value,
    _headlines,
    _introduced,
    _pair_outranked,
    _quoted,
    release_note,
)
from distill.summarize.scoring import score_units
from distill.summarize.sections import Context, leaning, readability
from distill.summarize.sentences import split_document
from distill.summarize.specs import is_transcript
from distill.taxonomy.technologies import find_technologies
from distill.text import sentence_spans


def summarize(doc: Document) -> Summary:
    return get_summarizer("extractive").summarize(doc)


def lines(summary: Summary, section: str) -> list[str]:
    found = summary.section(section)
    return [line.text for line in found.lines] if found else []


def every_line(summary: Summary) -> list[str]:
    return [line.text for s in summary.sections for line in s.lines]


FILLER = (
    "Workers lease tasks for a bounded time and renew the lease while they run. "
    "A task whose lease runs out goes back to the queue, so a crashed worker delays work "
    "but never loses it. Retries back off exponentially up to a ceiling of ten minutes. "
)

# A post that opens with a personal anecdote, the way the Dropbox post does.
ANECDOTE_POST = """---
title: Task Runner, our asynchronous task framework
---

I joined the Task Runner team not long after graduating with a degree in computer science.
Back then our asynchronous task queue lost jobs every night.

Task Runner is the infrastructural system that runs asynchronous work for every product
team here, from thumbnail rendering to account deletion. It accepts a task over an API,
stores it durably and guarantees that a worker runs it at least once.

## Leases

Workers lease tasks for a bounded time and renew the lease while they run. A task whose
lease runs out goes back to the queue, so a crashed worker delays work but never loses
it. Retries back off exponentially up to a ceiling of ten minutes.

## Lanes

Task Runner schedules work by priority lanes, so urgent tasks never wait behind batch
jobs. Each lane has its own pool of workers, sized by the backlog the lane carries.
A full lane pushes back on its producers instead of growing without bound.

## Results

Since the move to Task Runner, lost jobs dropped to zero and the median task starts
within two seconds of being submitted.
"""


def test_definition_leads_the_executive_summary_not_the_personal_anecdote() -> None:
    summary = summarize(from_markdown(ANECDOTE_POST, source="anecdote.md"))
    executive = lines(summary, "executive_summary")
    assert executive[0].startswith("Task Runner is the infrastructural system")
    assert not any(line.startswith("I joined") for line in executive)


def test_a_byline_and_date_run_is_never_a_summary_line() -> None:
    text = (
        "---\ntitle: Announcing Streamer 3.2\n---\n\n"
        "September 5, 2024 - Jane Roe Max Mustermann (@maxm)\n\n"
        "The Streamer community is excited to announce the release of Streamer 3.2. "
        "This release improves the stability of schema evolution and adds two connectors.\n\n"
        f"## Highlights\n\n{FILLER * 3}\n"
    )
    summary = summarize(from_markdown(text, source="release.md"))
    assert not any("September 5, 2024" in line or "(@maxm)" in line for line in every_line(summary))
    assert lines(summary, "executive_summary")[0].startswith("The Streamer community")


def test_calls_to_action_and_pointers_are_not_content() -> None:
    text = (
        "---\ntitle: Leases in Task Runner\n---\n\n"
        f"{FILLER * 2}\n\n"
        "Please report any bugs you run into on the issue tracker! "
        "We encourage you to download the release and share your feedback. "
        "For more details, see the release notes.\n"
    )
    shown = " ".join(every_line(summarize(from_markdown(text, source="cta.md"))))
    assert "report any bugs" not in shown
    assert "encourage you to download" not in shown
    assert "see the release notes" not in shown


def test_a_page_of_nothing_but_boilerplate_says_so() -> None:
    text = (
        "# Footer\n\nPlease report any bugs you find on our tracker. "
        "Join us on the mailing list for discussion and questions. "
        "Thanks for reading, and stay tuned for the next post!\n"
    )
    with pytest.raises(SummarizeError, match="page boilerplate"):
        summarize(from_markdown(text, source="footer.md"))


def test_a_sentence_leaning_on_an_unshown_one_is_not_shown_alone() -> None:
    leaning = (
        "This setting now sizes task memory for the first scaling decision, before any "
        "heap usage has been observed."
    )
    text = (
        "---\ntitle: Memory tuning in the autoscaler\n---\n\n"
        "The autoscaler tunes task memory from observed heap usage. Heap usage is sampled "
        "every minute and the peak of the last hour is kept.\n\n"
        f"## Floors\n\nOperators may write a floor into the cluster file. {leaning}\n\n"
        "## Margins\n\nLater decisions follow the observed peak of heap usage, with a "
        "margin of ten percent. A decision that would shrink task memory below the floor "
        "is skipped and logged.\n"
    )
    summary = summarize(from_markdown(text, source="leans.md"))
    for section in summary.sections:
        texts = [line.text for line in section.lines]
        if leaning in texts:
            at = texts.index(leaning)
            assert at > 0 and texts[at - 1].startswith("Operators may write a floor")


def test_a_claim_set_up_to_be_refuted_is_not_presented_as_fact() -> None:
    text = (
        "---\ntitle: Does a task queue need exactly-once delivery\n---\n\n"
        "You might think that a task queue needs exactly-once delivery to be correct. "
        "Many queue products even advertise exactly-once delivery on their front page. "
        "That is not true: idempotent tasks make at-least-once delivery enough.\n\n"
        "An idempotent task checks a record of finished work before it acts, so running "
        "it twice changes nothing. Task Runner therefore delivers every task at least once "
        "and asks each task to be idempotent. Deduplication happens inside the task, where "
        "the business key is known.\n"
    )
    summary = summarize(from_markdown(text, source="refute.md"))
    # The claim may only appear right before the sentence that refutes it.
    for section in summary.sections:
        texts = [line.text for line in section.lines]
        for at, line in enumerate(texts):
            if line.startswith("You might think"):
                assert texts[at + 1 : at + 2] == [
                    "That is not true: idempotent tasks make at-least-once delivery enough."
                ]


def test_trie_is_not_found_in_tried_or_in_the_verb_tries() -> None:
    names = {m.name for m in find_technologies("We tried twice; the worker tries again.")}
    assert "Trie" not in names
    # ... but a text about tries (the data structure) still names it
    found = {m.name for m in find_technologies("A trie stores prefixes. Two tries share nodes.")}
    assert "Trie" in found


def test_a_concept_is_not_shown_for_a_merely_related_word() -> None:
    text = (
        "---\ntitle: Our first month\n---\n\n"
        "Onboarding took a week for every new engineer on the queue team. "
        "Onboarding covered the deploy tools, the dashboards and the paging rota.\n\n"
        "After onboarding, each engineer shipped a change to the task router. "
        "The task router decides which lane a task goes to.\n\n"
        f"{FILLER}\n\n{FILLER}\n"
    )
    summary = summarize(from_markdown(text, source="onboarding.md"))
    assert "Mentorship" not in lines(summary, "concepts")


def test_code_words_and_run_fragments_are_not_key_terms() -> None:
    body = "\n\n".join(
        "The stage sends values downstream on its outbound channel until the inbound "
        "channel closes, and func main starts every stage of the pipeline."
        for _ in range(4)
    )
    text = f"---\ntitle: Stages\n---\n\n{body}\n\n{FILLER}\n"
    concepts = lines(summarize(from_markdown(text, source="fragments.md")), "concepts")
    assert not any("downstream" in c or "func main" in c for c in concepts), concepts


def test_go_template_directives_are_not_article_text() -> None:
    text = (
        "---\ntitle: Squares\n---\n\nThe first stage emits the numbers it is given.\n\n"
        '{{code "pipelines/square.go" `/func gen/` `/^}/`}}\n\n'
        'Channels are typed {{raw "<-"}} operators move values.\n'
    )
    doc = from_markdown(text, source="template.md")
    assert "{{" not in doc.text
    assert "typed <- operators" in doc.text


PAGE = """<html><head><title>Lanes</title></head><body><article><h1>Lanes</h1>
<p>Task Runner schedules work by priority lanes, so urgent tasks never wait behind batch
jobs, and every lane has its own pool of workers sized by the backlog it carries.</p>
<p>The router reads the lane from the task header and hands the task to a worker of that
lane; a full lane pushes back on the producer instead of growing without bound.</p>
<pre>// route picks the lane for a task.
lane := route(task)
queue[lane] <- task</pre>
<p>The lanes ship in the Developer Edition.<a href="/lanes">Learn more about lanes</a></p>
<p>Workers lease tasks for a bounded time and renew the lease while they run, so a crashed
worker delays work but never loses it.</p>
</article></body></html>"""


def test_code_in_a_bare_pre_keeps_its_line_breaks() -> None:
    doc = from_html(PAGE, url="http://127.0.0.1/lanes")
    code = [b for b in doc.blocks if b.kind == "code"]
    assert code and code[0].text.startswith("// route picks the lane for a task.\nlane :=")
    specs = lines(summarize(doc), "specifications")
    assert any(text.startswith("// route picks") and "\n" in text for text in specs)


def test_link_text_is_not_glued_onto_the_sentence_before() -> None:
    doc = from_html(PAGE, url="http://127.0.0.1/lanes")
    assert "Edition.Learn" not in doc.text
    assert "Learn more about lanes" not in " ".join(every_line(summarize(doc)))


def test_paragraphs_of_one_list_entry_stay_two_sentences() -> None:
    entry = (
        "<ul><li><p>The old lease API is not supported anymore.</p><p>Users of the old API"
        " should switch to the lane API introduced in 2.0.</p></li></ul>"
    )
    doc = from_html(PAGE.replace("<pre>", entry + "<pre>", 1), url="http://127.0.0.1/lanes")
    item = next(b.text for b in doc.blocks if b.kind == "list_item")
    assert "anymore. Users of the old API" in item


def test_highlighted_code_is_kept_as_written() -> None:
    # Syntax highlighters wrap every token in a span; the pass that keeps link text apart
    # from the sentence before it must not read "." then "SECONDS" as two sentences.
    code = (
        '<pre><code class="language-java"><span class="n">stream</span>'
        '<span class="o">.</span><span class="na">window</span>(<span class="n">TimeUnit</span>'
        '<span class="o">.</span><span class="na">SECONDS</span>);\n'
        '<span class="n">DataStream</span> lowest = windowed;</code></pre>'
    )
    doc = from_html(PAGE.replace("<pre>", code + "<pre>", 1), url="http://127.0.0.1/lanes")
    blocks = [b.text for b in doc.blocks if b.kind == "code"]
    assert blocks[0] == "stream.window(TimeUnit.SECONDS);\nDataStream lowest = windowed;"
    assert "Edition.Learn" not in doc.text  # prose outside the code is still kept apart


def test_specifications_show_the_code_not_the_command_output() -> None:
    digests = "\n".join(f"{i:032x}  file{i}.go" for i in range(1, 6))
    stages = " ".join(
        f"Stage s{i} reads paths from channel c{i} and hands digests to channel d{i}."
        for i in range(90)
    )
    text = (
        "---\ntitle: Digests in parallel\n---\n\n"
        "The digest stage reads files in parallel and sends each checksum on a channel. "
        "A bounded number of digesters keeps memory flat however many files there are.\n\n"
        "```go\nfunc digester(done <-chan struct{}, paths <-chan string, c chan<- result) {\n"
        "\tfor path := range paths {\n\t\tdata, err := os.ReadFile(path)\n"
        "\t\tc <- result{path, md5.Sum(data), err}\n\t}\n}\n```\n\n"
        f"{stages}\n\nRunning the digest program on the files prints one digest per file:\n\n"
        f"```\n% md5sum *.go\n{digests}\n```\n\n{FILLER}\n"
    )
    doc = from_markdown(text, source="digests.md")
    assert doc.word_count >= 1000  # long enough for two code blocks
    specs = lines(summarize(doc), "specifications")
    assert not any("md5sum" in s for s in specs)
    assert any(s.startswith("func digester") for s in specs)


def test_a_year_alone_is_not_a_technical_figure() -> None:
    text = (
        "---\ntitle: A short history\n---\n\n"
        "The scheduler was first released in 1987 and rewritten in the late 1990s. "
        f"{FILLER}\n\n{FILLER}\n"
    )
    specs = lines(summarize(from_markdown(text, source="history.md")), "specifications")
    assert not any("1987" in s for s in specs)


def test_related_reasons_name_each_technology_once() -> None:
    shared = shared_technologies({"Concurrency", "Go"}, {"concurrency", "go", "Kafka"})
    assert shared == ["Concurrency", "Go"]


# Sentences a reader cannot use without what the summary leaves out (issue 12, third pass):
# each is written for this test after a kind of line judged junk in the judged set.
LEANING = [
    "Therefore, we manually reset them to the previous lease defaults.",
    "The path taken by the new scheduler looks very different.",
    "Working with leases is very similar.",
    "Given this, the team decided to retire the old queue entirely.",
    "You can also shorten the lease, as described in the previous section, to cut retries.",
    "Between these versions some lease defaults changed in ways that affect memory.",
    "Because they are sampled through the editor plugin, we might expect this group to "
    "prefer that editor.",  # "they" right after the opening conjunction
    "Earlier we sliced the buffer to a length shorter than its capacity.",  # earlier text
    "The values of the counter in this retry program go from zero to nine.",  # an exhibit
    "Most lanes showed no difference, but readers will see charts that break them down.",
    "We are done scanning page B, so we pull page A off the work list.",  # a diagram's parts
]
STANDS_ALONE = [
    "Both lease models cap how long a worker holds a task, but their models are subtly different.",
    "Lane callbacks may now be any function value, such as func(task Task) bool.",
    "As such, the lease is the unit of work and of billing.",
    "Lanes, leases, retries and such are configured in one file.",
    "Since its early days, Task Runner has treated every task as idempotent.",
    "A function over any type T can sort a slice of T.",
    "In this example, the worker renews its lease before the lease runs out.",
]


@pytest.mark.parametrize("text", LEANING)
def test_a_sentence_leaning_on_text_not_shown_is_marked(text: str) -> None:
    assert refers_back(text)


@pytest.mark.parametrize("text", STANDS_ALONE)
def test_a_sentence_that_names_what_it_speaks_of_stands_alone(text: str) -> None:
    assert not refers_back(text)


@pytest.mark.parametrize(
    "text",
    [
        "To see what made the service faster, let's take a look under the hood.",
        "Before we discuss the router let's get us all on the same page about queues.",
        "It's great to look at how far Task Runner has come in those three years.",
        "Task Runner is the result of work and ideas from many people over several years.",
    ],
)
def test_transitions_journey_remarks_and_credits_are_not_content(text: str) -> None:
    assert boilerplate(text)


def test_a_sentence_that_starts_to_build_something_is_content() -> None:
    assert not boilerplate("Let's build a service that converts Markdown to HTML on upload.")


@pytest.mark.parametrize(
    "text",
    [
        "As a follow-up to the lease work, I set up a meeting with the storage team.",
        "To support this, Kim changed the router, which I reviewed and followed up with a fix.",
        "I've published all this in a post, and Kim and I have been talking to team leads.",
        "Once it became clear that people liked the queue, I looked at the history of queues.",
        "Five years of Task Runner makes me think back to the night the first lease expired.",
    ],
)
def test_the_authors_own_doings_are_personal(text: str) -> None:
    assert personal(text)


@pytest.mark.parametrize(
    "text",
    [
        "I am pleased to announce that Task Runner 2.0 is out.",
        "In this post, I will give a short introduction to priority lanes.",
        "This article is about why I think every task should be idempotent.",
        "Disk I/O dominates the cost of a lease renewal.",
    ],
)
def test_an_announcement_a_plan_or_a_view_is_not_personal(text: str) -> None:
    assert not personal(text)


def test_a_personal_remark_reads_worse_than_the_same_news_told_plainly() -> None:
    texts = [
        "The storage team agreed to review the lease format with the queue team.",
        "As a follow-up, I set up a meeting with the storage team about the lease format.",
    ]
    units = split_document(from_markdown("\n\n".join(texts), source="personal.md")).units
    penalty = readability(units)
    assert penalty[0] == 0 and penalty[1] < 0


def test_a_claim_that_may_seem_so_is_set_up_to_be_refuted() -> None:
    assert refuted("The core of the router may seem like a single, simple idea.")


def test_list_entries_and_cut_sentences_read_worse_than_sentences() -> None:
    texts = [
        "Workers renew the lease of every task they run while it runs.",
        "Workers renewing the lease of every task they run while it runs",  # no full stop
        "Note that this release does not make lease { ...",  # half a brace
    ]
    units = split_document(from_markdown("\n\n".join(texts), source="units.md")).units
    penalty = readability(units)
    assert penalty[0] == 0 and penalty[1] < 0 and penalty[2] < penalty[1]


def test_a_recommendation_to_upgrade_concludes_the_executive_summary_once() -> None:
    """A bugfix release concludes with its advice to every user: it closes the executive
    summary (blind ratings: 3 without it, 5 with it, on three such posts) and no other
    section repeats it. Advice on one step ("We recommend committing the profile") does not
    conclude an article."""
    advice = "We highly recommend all users to upgrade to Streamer 3.2.1."
    text = (
        "---\ntitle: Streamer 3.2.1 released\n---\n\n"
        "The Streamer community released the first bugfix version of the Streamer 3.2 "
        f"series. This release includes 40 fixes and minor improvements. {advice}\n\n"
        f"## Fixes\n\n{FILLER * 2}\n"
    )
    summary = summarize(from_markdown(text, source="bugfix.md"))
    assert lines(summary, "executive_summary")[-1] == advice
    for section in ("takeaways", "main_points", "specifications"):
        assert advice not in lines(summary, section)
    step = "We recommend committing the lease profile to your repository."
    summary = summarize(from_markdown(text.replace(advice, step), source="step.md"))
    assert step not in lines(summary, "executive_summary")


def test_figure_captions_are_not_summarised() -> None:
    caption = "We pull the first page off the work list and scan its three marked objects."
    figures = "".join(
        f'<figure><img src="gc-{n}.png" /><figcaption>{caption} Step {n} of the scan is '
        "shown in blue.</figcaption></figure>\n"
        for n in range(8)
    )
    text = f"---\ntitle: Scanning pages\n---\n\n{FILLER}\n\n<div>\n{figures}</div>\n\n{FILLER}\n"
    doc = from_markdown(text, source="captions.md")
    assert [b.kind for b in doc.blocks if caption in b.text] == ["caption"]
    assert not any(caption in line for line in every_line(summarize(doc)))


def test_a_first_person_plan_is_a_thesis_and_a_term_named_last_is_defined() -> None:
    title = "Profile-guided optimization in the compiler"
    assert _definition_value("Here I'd like to discuss leases, lanes and retries.", title) > 0
    named = (
        "Using profiles of application behavior for compiler optimization is known as "
        "profile-guided optimization."
    )
    assert _definition_value(named, title) == DEFINITION_BONUS


@pytest.mark.parametrize(
    "text",
    [
        "In a plain build, lease.Renew is considered too large to be eligible for inlining.",
        "Users had to change their imports to example.com/taskrunner/client/v2.",
        "The function f defers a function that calls recover and prints the value.",
    ],
)
def test_code_identifiers_mark_a_walkthrough_detail(text: str) -> None:
    assert IDENTIFIER.search(text)


def test_a_walkthrough_detail_does_not_open_the_executive_summary() -> None:
    detail = "In a plain build, lease.Renew is considered too large to be eligible for inlining."
    text = (
        "---\ntitle: Inlining lease renewal\n---\n\n"
        "Profiles tell the compiler which calls are hot. The compiler inlines small functions "
        "into their callers, so lease renewal costs nothing once it fits the budget. "
        f"{detail} Lease renewal runs on every task of every lane.\n\n"
        f"## Results\n\n{FILLER * 2}\n"
    )
    executive = lines(summarize(from_markdown(text, source="inline.md")), "executive_summary")
    assert executive and detail not in executive


def test_a_talk_provenance_line_is_not_content() -> None:
    assert boilerplate("This is the blog post version of my talk at the queue conference.")


@pytest.mark.parametrize(
    "text",
    [
        "While this is true, new users are also more likely to run the queue on a laptop.",
        "Without requirement 3 we have no implementation of the proposal.",
        "Please use lease.renew.interval instead.",
        "Similar to the strict mode, but it keeps the original table structure.",
        "In this mode, the pipeline ignores every dropped column and fills the gap with NULL.",
        "We recommend that queue operators follow this strategy while old clients remain.",
        "Task Runner 3 adds specific retry options to clearly separate such failures.",
    ],
)
def test_more_sentences_that_lean_on_text_not_shown(text: str) -> None:
    assert refers_back(text)


@pytest.mark.parametrize(
    "text",
    [
        "The following options have been moved from the planner to the table configuration.",
        "We are going to take a look at two different lease optimizations.",
        "The time to propose a lane is now, especially if it needs review capacity.",
        "If you'd like to get involved, please drop in on the project chat.",
        "<InputT> – type of elements in a stream that should be passed to the sink",
        "long maxTimeInBufferMS - maximum amount of time an element may remain in the buffer.",
        "The integration of Lanes into Task Runner Other Monitoring and Controlling Networks of "
        "Devices with Task Runner Functions Advanced Task Runner Patterns Task Runner Packages "
        "is a website where you can explore connectors.",
    ],
)
def test_pointers_announcements_parameter_entries_and_title_runs_are_not_content(
    text: str,
) -> None:
    assert boilerplate(text)


def test_a_list_of_names_with_commas_is_not_a_title_run() -> None:
    text = (
        "After a long review of the lease format, the lane work was approved by Josh "
        "Triplett, Amanieu Dantras, Tyler Mandry, Kim Lee, Ana Ruiz and Bo Chen of the "
        "review team, and the new format ships with the next release of the queue."
    )
    assert not boilerplate(text)


def test_a_point_that_only_announces_others_is_a_pointer() -> None:
    units = split_document(
        from_markdown(
            "Over the last sprint, there have been a couple of smaller cleanups to mention.\n\n"
            "Over the last sprint, the router learned to split lanes by tenant.",
            source="mention.md",
        )
    ).units
    penalty = readability(units)
    assert penalty[0] < penalty[1]


def test_a_sentence_opening_with_a_date_clause_is_not_a_title_run() -> None:
    assert not boilerplate("In November 2015, we introduced the Task Runner Code of Conduct.")


@pytest.mark.parametrize(
    "text",
    [
        "The 2026 State of Lanes Survey is here!",
        "Lease Kit is a Go Scheduling API for Task Runner.",
        "Project Lead Dana Reyes was elected Chair of the Lanes Board.",
    ],
)
def test_a_short_statement_about_names_is_not_a_title_run(text: str) -> None:
    assert not boilerplate(text)


def test_contributor_head_counts_and_links_to_a_thread_are_not_executive_material() -> None:
    assert boilerplate("Overall, 142 people contributed to this release completing 300 issues.")
    assert refers_back(
        "The details are under discussion in this @dev mailing list thread, and the freeze "
        "is set for September 10th."
    )
    assert refers_back("If you consider some other numbers we gathered previously, 2020 is big.")


def test_a_demonstrative_inside_a_condition_leans_back_but_one_naming_the_article_does_not() -> (
    None
):
    assert refers_back("Calls to write will block if this length has been reached.")
    assert not refers_back("The queue drains its lanes when this release is installed.")


def test_an_appeal_for_help_is_not_content() -> None:
    assert boilerplate("With your help, we can make the lease documentation better for everyone.")


def test_the_authors_own_doings_stay_out_of_the_main_points() -> None:
    # the penalty is below the main points' floor (-0.4): such a line is never a point
    units = split_document(
        from_markdown("As a follow-up, I set up a meeting with the storage team.", source="p.md")
    ).units
    assert readability(units)[0] <= -0.4


def test_a_short_exclamation_reads_worse_than_a_statement() -> None:
    texts = ["A lot has happened in the lanes!", "Three lanes moved to the new router this month."]
    units = split_document(from_markdown("\n\n".join(texts), source="wow.md")).units
    penalty = readability(units)
    assert penalty[0] < penalty[1] - 0.4


def _concepts_of(text: str, source: str = "concepts.md") -> list[str]:
    return lines(summarize(from_markdown(text, source=source)), "concepts")


def test_an_identifier_the_text_calls_code_is_not_a_concept() -> None:
    body = "\n\n".join(
        f"The helper function walkTree returns a map from path to size ({n}). "
        "The walkTree function is the focus here: it visits every file of the tree once."
        for n in range(4)
    )
    text = f"---\ntitle: Sizes of a tree\n---\n\n{body}\n\n{FILLER}\n"
    assert "walkTree" not in _concepts_of(text)


def test_a_verb_and_its_object_is_not_a_key_term() -> None:
    body = "\n\n".join(
        "Services returning JSON were slower than the queue team expected. "
        "We plan to stabilize -Zqueue-lanes=fair next quarter for services returning JSON."
        for _ in range(4)
    )
    text = f"---\ntitle: Queue lanes\n---\n\n{body}\n\n{FILLER}\n"
    concepts = _concepts_of(text)
    assert not any("returning" in c or "stabilize" in c or "-Z" in c for c in concepts), concepts


def test_a_term_defined_in_passing_and_never_used_again_is_not_a_concept() -> None:
    text = (
        "---\ntitle: Timeouts for the task router\n---\n\n"
        "Two workers could read the same lease, which is what is known as a race condition. "
        "The task router now leases through one transaction.\n\n"
        f"{FILLER}\n\n{FILLER}\n"
    )
    assert "race condition" not in _concepts_of(text)


def test_a_technology_only_given_as_an_example_is_not_a_concept() -> None:
    body = "\n\n".join(
        f"Step {n}: the installer now leaves proxy commands such as rustc and cargo alone "
        "when the toolchain is missing, and asks before installing anything."
        for n in range(3)
    )
    text = f"---\ntitle: Installer plans\n---\n\n{body}\n\n{FILLER}\n"
    assert "rustc" not in _concepts_of(text)


def test_the_acronym_of_a_technology_named_in_passing_is_not_a_key_term() -> None:
    body = "\n\n".join(
        f"Inlining removed {n} heap allocations in the task router, which cut GC costs. "
        "The GC now runs less often because the router allocates less."
        for n in range(2, 6)
    )
    text = (
        "---\ntitle: Inlining the task router\n---\n\n"
        "Garbage collection was not the goal of this change.\n\n"
        f"{body}\n\n{FILLER}\n"
    )
    assert "GC" not in _concepts_of(text)


def test_organisation_acronyms_and_title_framing_are_not_concepts() -> None:
    body = "\n\n".join(
        f"The PMC voted on release {n} of the task router and the PMC approved it."
        for n in range(3)
    )
    text = f"---\ntitle: Quarterly Queue Update\n---\n\n{body}\n\n{FILLER}\n\n{FILLER}\n"
    concepts = _concepts_of(text)
    assert "PMC" not in concepts and "Quarterly Queue Update" not in concepts, concepts


def test_people_listed_or_thanked_are_not_concepts() -> None:
    body = "\n\n".join(
        f"Round {n}: the reviewers this round were Ada Quill, Bram Ostrow and Cleo Vance, "
        "and we thank Bram Ostrow for running the task router rota."
        for n in range(3)
    )
    text = f"---\ntitle: Router rota\n---\n\n{body}\n\n{FILLER}\n"
    assert "Bram Ostrow" not in _concepts_of(text)


def test_a_release_number_and_an_environment_variable_are_told_apart() -> None:
    body = "\n\n".join(
        f"Set TASKQ_MODE=v1.2.0 to pin the router (step {n}); TASKQ_MODE works like a "
        "build tag, and the TASKQ_MODE environment variable defaults to v1.2.0 everywhere."
        for n in range(3)
    )
    text = f"---\ntitle: Pinning the router\n---\n\n{body}\n\n{FILLER}\n"
    concepts = _concepts_of(text)
    assert "v1.2.0" not in concepts and "TASKQ_MODE" in concepts, concepts


def test_a_term_only_given_as_an_example_or_a_qualified_code_name_is_not_a_concept() -> None:
    body = "\n\n".join(
        f"Batching helps the task router in round {n}: for example, lease coalescing can merge "
        "renewals, and other steps (such as lease coalescing) follow. The hot path is "
        "router.pickLane, and router.pickLane is where the time goes."
        for n in range(3)
    )
    text = f"---\ntitle: Batching in the router\n---\n\n{body}\n\n{FILLER}\n"
    concepts = _concepts_of(text)
    assert "lease coalescing" not in concepts and "router.pickLane" not in concepts, concepts


def test_a_technology_named_inside_hyphenated_compounds_weighs_less() -> None:
    text = (
        "---\ntitle: Naked tasks\n---\n\n"
        "Task Runner now supports naked tasks with no compiler-generated wrapper code.\n\n"
        "The wrapper is gone: the compiler does not add a prologue of its own.\n\n"
        "Naked tasks are used in settings like compiler-builtins and embedded systems.\n\n"
        "Both the compiler and the runtime still ship from the same toolchain.\n\n"
        f"{FILLER}\n\n{FILLER}\n"
    )
    assert "Compiler" not in _concepts_of(text)


def test_a_word_repeated_by_markup_is_not_a_key_term() -> None:
    body = "\n\n".join(
        f"Milestone {n} of the task router: done-lanes done-lanes done-lanes shipped on time."
        for n in range(4)
    )
    text = f"---\ntitle: Router milestones\n---\n\n{body}\n\n{FILLER}\n"
    assert not any("done-lanes done-lanes" in c for c in _concepts_of(text))


@pytest.mark.parametrize(
    "text",
    [
        # stock release-note phrases
        "As usual, we are looking at a packed release with many improvements to the router.",
        "The Task Runner community tries to ensure that upgrades are as seamless as possible.",
        "Future versions of Task Runner will continue to improve leases with more optimizations.",
        # asides on the season, the team's feelings, generic advice
        "The sprint included the holidays, which meant more time with loved ones.",
        "We didn't know what kind of reaction to expect from the first users of the queue.",
        "With conference season in full swing, we're glad to see some great lease talks coming.",
        "When you have a bug, tests should let you know.",
        "Any task queue needs the support of a thriving ecosystem.",
        # pointers to other posts, teasers, head counts, option lists, link text
        "Spring update: Ana Ruiz summarized what's happened on the storage side.",
        "2025 In Review: The staff highlight their accomplishments.",
        "Here, we highlight some of the lease talks happening soon.",
        "Workers expressed some interesting differences from other teams.",
        "We had 12 individuals contribute to Task Runner 2.1.",
        "lease.retry.*: all configuration options related to retries.",
        "Example in the Task Runner Playground.",
        "Task Runner 2.1 comes with several important new features and improvements.",
        # "more is possible" filler, a recording named by its link, a pointer to examples
        "These recipes give just a taste of what's possible with priority lanes.",
        "We have only scratched the surface of what leases can do.",
        "Queues at Scale (video) walks through the lease protocol step by step.",
        "For some examples, see schedulers like Ray, Celery or Dramatiq.",
        # where the minutes are
        "You'll find the full December 2024 meeting minutes on the Lanes team's new site!",
        "We publish minutes from all working group meetings to the lanes repository.",
        # a greeting however long it goes on
        "Greetings and happy spring to you if you live where the lanes are thawing now!",
        "Hello again from the Lanes working group!",
    ],
)
def test_stock_lines_asides_teasers_and_pointers_are_not_content(text: str) -> None:
    assert boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "Most survey respondents “self-selected” to take the survey through a link on the blog.",
        "For charts of open-ended text responses, a team member read and manually categorized "
        "all of the responses.",
        "We asked an additional question about whether respondents had lease concerns.",
        "These results help the Task Runner team focus our efforts on what matters most.",
        "The lower right of each chart shows the number of respondents in the chart.",
    ],
)
def test_how_a_survey_was_run_is_not_what_it_found(text: str) -> None:
    assert boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "We are happy to see that the share of respondents worried about leases fell 6 points.",
        "As usual the project will provide critical fixes until the next release ships.",
        "lease.retry.max: This sets the maximum number of retries per task.",
        "Our randomly sampled group had more novice respondents than the self-selected group.",
        "Future versions of Task Runner will continue to support the version 1 lease format.",
    ],
)
def test_findings_and_option_explanations_stay_content(text: str) -> None:
    assert not boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "Although the queue's lanes do not support them directly, they are easy to build.",
        "We intend to lift these in future versions of Task Runner.",
        "While most are not yet ready for release, one lease method has been stabilized.",
        "If that's the mistake, then the fix is to renew the lease before it runs out.",
        "Once that’s finished, we'll be ready to submit the lease format change.",
    ],
)
def test_pronouns_and_demonstratives_standing_for_text_not_shown_lean_back(text: str) -> None:
    assert refers_back(text)


def test_an_idiom_with_these_does_not_lean_back() -> None:
    assert not refers_back("In times like these, the router must stay simple and fast.")


def test_an_impression_of_the_author_is_personal() -> None:
    assert personal("For example, the router seemed to me to appear fully formed in 2019.")


def test_a_survey_methodology_section_gives_no_main_points() -> None:
    text = (
        "---\ntitle: Task Runner survey results\n---\n\n"
        "## Key findings\n\nMost respondents run the queue in production and renew leases "
        "every minute. Retries back off exponentially for most respondents, and half of them "
        "cap the backoff at ten minutes.\n\n"
        "## A note on methodology\n\nWeighting the methodology sample by region changed "
        "the shares of respondents by less than a point. The sample was drawn from three "
        "regions and weighted by team size.\n\n"
        "## Deployments\n\nTeams deploy the router on virtual machines more often than on "
        "containers, and most keep one queue per product.\n\n"
        "## Leases\n\n" + FILLER + "\n"
    )
    main = lines(summarize(from_markdown(text, source="survey.md")), "main_points")
    assert main and not any("Weighting" in line for line in main), main


def test_commands_with_only_their_log_are_a_transcript_but_commands_alone_are_not() -> None:
    assert is_transcript(
        ["$ go build -o router", "$ ./router", "2023/08/23 03:55:51 Serving on port 8080..."]
    )
    assert not is_transcript(["$ mv cpu.pprof default.pgo", "$ go build -o router"])


def test_a_short_list_entry_with_figures_is_not_a_specification() -> None:
    text = (
        "---\ntitle: Lane pressure\n---\n\n"
        "The router reports lane pressure from the share of busy workers.\n\n"
        "- LOW for 0 < Ratio ≤ 0.5.\n- HIGH for 0.5 < Ratio ≤ 1.\n\n"
        "A lane with 64 workers and 48 busy ones reports 0.75, and 8 ms of queueing.\n\n"
        f"{FILLER}\n"
    )
    specs = lines(summarize(from_markdown(text, source="pressure.md")), "specifications")
    assert not any(line.startswith(("LOW", "HIGH")) for line in specs), specs


CONCLUDED_POST = """---
title: Leases in Task Runner
---

Task Runner is the infrastructural system that runs asynchronous work for every product
team here. In this post we explain how leases let it survive crashed workers.

## Leases

Workers lease tasks for a bounded time and renew the lease while they run. A task whose
lease runs out goes back to the queue. Retries back off exponentially up to a ceiling of
ten minutes. Each lane has its own pool of workers, sized by the backlog the lane carries.
A full lane pushes back on its producers instead of growing without bound. Workers report
their progress with every renewal, so the dashboard shows how far each task has come.

## Conclusion

Leases turned crashed workers from lost jobs into delayed ones, at the cost of one renewal
call per task every thirty seconds.
"""


def test_the_executive_summary_ends_with_what_the_article_concludes() -> None:
    """The issue: "what it is about and what it concludes"; a conclusion section's sentence
    closes the executive summary, and takeaways do not repeat it."""
    summary = summarize(from_markdown(CONCLUDED_POST, source="concluded.md"))
    executive = lines(summary, "executive_summary")
    assert executive[0].startswith("Task Runner is the infrastructural system")
    assert executive[-1].startswith("Leases turned crashed workers from lost jobs")
    assert 2 <= len(executive) <= 4
    assert not any(line.startswith("Leases turned") for line in lines(summary, "takeaways"))


def test_a_closing_phrase_only_counts_late_in_the_article() -> None:
    """ "In short, ..." at the start of an article opens a thought; late, it concludes."""
    early = "In short, the scheduler hands every task to the least busy worker it knows of."
    late = "In short, one renewal call every thirty seconds buys jobs that survive any deploy."
    text = (
        f"---\ntitle: Leases\n---\n\n{early} {FILLER}\n\n"
        "Each lane has its own pool of workers, sized by the backlog the lane carries. "
        "A full lane pushes back on its producers instead of growing without bound. "
        "Urgent tasks never wait behind batch jobs in another lane.\n\n"
        "Workers report their progress with every renewal of a lease. The dashboard shows how "
        "far each task has come and which worker holds it. Operators can drain a worker "
        f"before a deploy without cancelling its tasks. {late}\n"
    )
    executive = lines(summarize(from_markdown(text, source="in-short.md")), "executive_summary")
    assert executive[-1] == late
    assert early not in executive[1:]


def test_takeaways_are_lessons_not_a_recap_or_further_reading() -> None:
    """Once the conclusion ends the executive summary, the takeaways must not fall back on
    "This article has presented ..." or the reading list under the conclusion heading."""
    text = (
        CONCLUDED_POST.rstrip("\n")
        + " This article has presented how leases and lanes fit together.\n\n"
        "- Lease Protocols in Practice shows how other queues renew their leases.\n"
        "- Retry Budgets covers backoff ceilings for many kinds of jobs.\n"
    )
    takeaways = lines(summarize(from_markdown(text, source="recap.md")), "takeaways")
    assert not any(
        line.startswith(("This article", "Lease Protocols", "Retry Budgets")) for line in takeaways
    )


def test_a_conclusion_may_end_with_a_sign_off_but_not_follow_an_ask() -> None:
    ending = "Leases turned crashed workers from lost jobs into delayed ones"
    signed = CONCLUDED_POST.rstrip("\n") + " Try it out.\n"
    executive = lines(summarize(from_markdown(signed, source="signed.md")), "executive_summary")
    assert executive[-1].startswith(ending)
    asked = CONCLUDED_POST.replace(
        "Leases turned", "Please open an issue if a lease ever expires early! Leases turned"
    )
    executive = lines(summarize(from_markdown(asked, source="asked.md")), "executive_summary")
    assert not any(line.startswith(ending) for line in executive)


def test_a_list_under_a_limitations_heading_still_gives_limitations() -> None:
    """Only the takeaways ask list entries for a cue of their own (further reading sits
    under "Conclusion"); under "Limitations" each entry is one."""
    text = CONCLUDED_POST.replace(
        "## Conclusion",
        "## Limitations\n\n"
        "- Leases shorter than one second are rounded up to one second by the broker.\n"
        "- Lanes are fixed when the cluster starts and cannot be added while it runs.\n\n"
        "## Conclusion",
    )
    limitations = lines(summarize(from_markdown(text, source="limits.md")), "limitations")
    assert any(line.startswith(("Leases shorter", "Lanes are fixed")) for line in limitations)


@pytest.mark.parametrize(
    "text",
    [
        "We want to thank everyone who contributed to this release by testing the betas.",
        "Thanks to everyone who tested Task Runner 2.1, filed bugs, and sent feedback.",
        "Thanks to our wonderful community, Task Runner continues to grow every year.",
        "Thank you to everyone who tested the lanes, large and small.",
        # too little said before the call to stand on its own
        "If you run lanes, do not keep it to yourself - let us know on the forum.",
        "Our thanks to Dana Reyes from the audit team for reporting the flaw.",
        "Task Runner 2.1 is out, and huge thanks to @kit for the lease fix!",
        "Thanks also to the users of priority lanes who have given great feedback.",
        "Your contributions and diligence helped make Task Runner 2.1 as stable as it is.",
        "Enjoy the new release!",
        "For the complete list of changes, see the Task Runner 2.1 release notes.",
        # other parts of a series, minutes and recordings, reminders and requests
        "In the next part, we will focus on lanes that raise throughput.",
        "This post gives a brief summary; you can also read the minutes or view the recording.",
        "Read the full March minutes on the team's site.",
        "If you haven't already, take a look at the community calendar.",
        "As a reminder, if you would like to report an incident, message the team.",
        "If you are already running a queue meetup, email the Community Team!",
        "We couldn't have done it without all of you.",
        "Task Runner's documentation is also available in the lanes book.",
        "You can see more examples of lanes in the cookbook.",
        "If you're not familiar with leases, you should read the primer before reading on.",
        "The full details for any lane are available in its tracking issue.",
        "Find the full April minutes on the team's site.",
        "The official advisory contains a signed version with our PGP key, as well.",
        "Attending: alice, bob, carol, dave Start of the conversation",
        "Minutes written by carol.",
        "Release notes can be found here.",
        "The slides are available here.",
        "1 detailed update available.",
        "For more see: #t-queue/leases > Making leases generic over the clock.",
        "This week's article is written by Dana Reyes.",
        "This update is brought to you by Dana Reyes and Bo Lind \\o/.",
        "You'll find the full details (with a calendar entry) on the queue team's website.",
        "Meeting run by alice.",
        "Comment by @bob posted on 2025-10-22: the lanes design is settled.",
        "You can find the lanes group on the t-queue stream on Zulip.",
        "Navigate through the slideshow below to follow along.",
        "The figure below shows how the lease is renewed.",
        "To see how a lane drains, take a look at the diagram below.",
        "If you prefer the old scheduler, we'd still love your feedback.",
        "You can leave feedback on the internals thread.",
        "You can always unsubscribe at any time.",
        "Find out more about how to enable lanes in the lanes documentation.",
        "To find out more about leases, read Dana Reyes's blog post.",
        "More details can be found in the lease design document.",
        "If you are not subscribed then replies to your message will not reach you.",
        # a project's stock self-description on every release post
        "Lane is a programming language that is empowering everyone to write reliable queues.",
        "Streamer is a stream processing language with a focus on reliability.",
        "About 1300 patches were landed in this release.",
        "1448 patches were landed in this release.",
        "If you have any questions about lanes, feel free to open issues in this repository.",
    ],
)
def test_thanks_sign_offs_and_pointers_to_the_changelog_are_not_content(text: str) -> None:
    assert boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thanks to the new lease protocol, a crashed worker no longer delays its queue.",
        "Thanks to the hard work of many contributors, 2.1 compiles queues 30% faster.",
        # "thanks to" after a clause gives its cause
        "Lanes are widely used across the ecosystem thanks to their integration with the CLI.",
        "Checkouts of queues are a lot faster, thanks to the use of hard links where possible.",
        "Start-up time fell by half thanks to @kit's work on lazy leases.",
        "The best way to find out more about a stuck lane is to run it with lease tracing.",
        # a sentence that ends by pointing at a figure still says something
        "The lease table is keyed by lane and worker, as illustrated in the diagram below.",
        "Lane names are left to later proposals, which will—thanks to this rule—not break.",
        # a call to action after a clause that says something: the clause is the content
        "The queue team has been hard at work on the 2.x roadmap, and this quarter we are "
        "going to finish it—and we want you to join us!",
        "Getting there will take a push toward stable leases, which we coordinate on the "
        "forum -- if you have not yet, please drop by and tell us what you use.",
        "For the most part, queues need no configuration at all.",
        "In the first release, we shipped lanes for urgent work.",
        # a recap of an earlier part, or a part announcing itself, opens a series' summary
        "In part one, we discussed the kinds of delay a queue adds to a task.",
        "In part two, we will elaborate on the details of these lease optimizations.",
        "Read the code of the lease loop before changing its timer.",
    ],
)
def test_thanks_to_a_piece_of_work_is_content(text: str) -> None:
    assert not boilerplate(text)


RELEASE_NOTE = """---
title: Announcing Task Runner 2.1
---

The Task Runner team is happy to announce a new version of Task Runner, 2.1.

If you have a previous version installed, you can upgrade it with the package manager.
If you would like to help us out by testing future releases, use the nightly channel.

## What's in 2.1

### Priority lanes

Task Runner now runs urgent tasks in priority lanes that never wait behind bulk work.
A lane is a named queue with its own workers and its own limit on tasks in flight. Tasks
pick a lane when they are enqueued, and a lane without work lends its workers to the
others until urgent work arrives. The default configuration has two lanes, urgent and bulk,
and the scheduler checks the urgent lane first on every poll of the queue.

### Lease renewal

Workers now renew their leases in the background, so a long task keeps its lease.
Before this release a worker renewed a lease only between steps of a task, and a step that
ran longer than the lease lost the task to another worker, which then ran it a second
time. The renewal runs on its own timer at a third of the lease length and stops when the
task ends or the worker exits. A worker that cannot reach the queue for a whole lease gives
the task up on its own, so two workers never hold one task at the same moment, and the
queue logs every lease it takes back with the name of the worker that lost it.

### Stabilized APIs

The retry policy type and the lane builder are now stable and covered by the usual
compatibility promise for the rest of the 2.x series of releases.

### Other changes

The command line prints the lane of every task in its listing, and the dashboard shows
how long each lane waited for a worker over the last hour. Task ids are now printed in
full. The documentation has a new chapter on sizing lanes for a mixed workload of short
and long tasks, with worked examples for queues of ten and ten thousand tasks a minute.
"""


def test_a_release_note_names_its_headline_changes() -> None:
    """What a release changes is its point: the executive summary shows the opening line of
    a change section, standing alone (its details are main points). Blind ratings of 27
    corpus release notes before and after: docs/benchmarks.md, issue 12's seventh pass."""
    shown = lines(summarize(from_markdown(RELEASE_NOTE, source="r.md")), "executive_summary")
    assert any(line.startswith("Task Runner now runs urgent tasks") for line in shown)
    assert not any(line.startswith("A lane is a named queue") for line in shown)


def test_a_release_note_keeps_a_headline_change_that_shares_few_words() -> None:
    """The first change section's opening line often shares few words with the rest of the
    post ("The long-standing ... gotcha is now resolved"): it is shown all the same."""
    lead = "The long-standing starvation gotcha, where urgent jobs sat behind bulk jobs, is fixed."
    text = RELEASE_NOTE.replace(
        "Task Runner now runs urgent tasks in priority lanes that never wait behind bulk work.",
        lead,
    )
    assert lead in lines(summarize(from_markdown(text, source="r.md")), "executive_summary")


def test_a_release_note_that_sums_up_its_changes_needs_no_added_headline() -> None:
    """An opening that already says what the release changes is the headline: no section's
    first line is added beside it (blind raters marked such additions as repetition)."""
    lead = "The long-standing starvation gotcha, where urgent jobs sat behind bulk jobs, is fixed."
    sums_up = "This release introduces priority lanes and renews leases in the background."
    text = RELEASE_NOTE.replace(
        "Task Runner now runs urgent tasks in priority lanes that never wait behind bulk work.",
        lead,
    ).replace(
        "If you have a previous version installed, you can upgrade it with the package manager.",
        sums_up,
    )
    shown = lines(summarize(from_markdown(text, source="r.md")), "executive_summary")
    assert sums_up in shown and lead not in shown


@pytest.mark.parametrize(
    ("title", "opening", "expected"),
    [
        ("Go 1.22 is released!", "Today the team is thrilled.", True),
        ("Announcing Task Runner 2.1", "The team is happy.", True),
        ("Task Runner 1.19.1 Release Announcement", "The community is pleased.", True),
        ("Task Runner updates in Cloud 1.7.1", "This week we released version 1.7.1.", True),
        ("Secure randomness in Task Runner 1.22", "Random numbers come in two kinds.", False),
        ("How we run urgent work", "We released the lanes last year.", False),
    ],
)
def test_a_release_note_is_told_by_its_title_and_opening(
    title: str, opening: str, expected: bool
) -> None:
    doc = from_markdown(f"---\ntitle: {title}\n---\n\n{opening} {FILLER}\n", source="t.md")
    assert release_note(doc, split_document(doc).units) is expected


def test_a_purpose_clause_alone_reads_as_a_fragment() -> None:
    doc = from_markdown(
        "Leases renew while a worker runs. Just to make this single, simple idea viable.\n\n"
        "Just to avoid any confusion, we call the renewal a heartbeat.\n",
        source="lease.md",
    )
    units = split_document(doc).units
    scores = readability(units)
    assert scores[1] <= -0.5 < scores[2]


def test_a_leaning_sentence_and_its_weak_antecedent_must_earn_two_lines() -> None:
    # Candidates' worth for the executive summary: sentence 3 leans on sentence 2 ("This is
    # wide enough ..." after "Most x86 CPUs support AVX-512."). Taking 3 means taking 2.
    value = np.array([0.9, 0.5, 0.1, 0.6])
    open_ = np.array([False, True, True, True])
    mmr = np.where(open_, value, -np.inf)
    assert _pair_outranked(value, mmr, 3)  # (0.6 + 0.1) / 2 < 0.5: sentence 1 is worth more
    value[2] = 0.5
    assert not _pair_outranked(value, np.where(open_, value, -np.inf), 3)


def test_a_short_post_keeps_its_second_best_line_though_a_little_over_the_share() -> None:
    # 71 words: the word share (35%) leaves 24 for the summary, and the post's own
    # definition of itself is 21 words after a 9-word greeting; the line that fitted
    # instead ("Expect to see updates ...") said less.
    text = (
        "---\ntitle: Welcome to the Lanes blog!\n---\n\n"
        "Welcome to the first post of the Lanes blog!\n\n"
        "This is a new blog where the lane team and the queue working groups can post updates"
        " about new developments in the scheduler.\n\n"
        "It's a good place to watch if you follow lane development, and a very good place to"
        " watch if you want to help with the scheduler.\n\n"
        "Expect to see updates on new lanes, calls for help, and design notes.\n"
    )
    executive = lines(summarize(from_markdown(text, source="welcome.md")), "executive_summary")
    assert executive[0] == "Welcome to the first post of the Lanes blog!"
    assert executive[1].startswith("This is a new blog where the lane team")


def test_a_stop_written_after_a_space_still_ends_the_sentence() -> None:
    text = (
        "This post continues the lane scheduler article . Now it is time to test the lanes !"
        " As before, every example runs on one machine."
    )
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    assert sentences == [
        "This post continues the lane scheduler article .",
        "Now it is time to test the lanes !",
        "As before, every example runs on one machine.",
    ]


def test_a_release_note_names_what_it_calls_its_most_exciting_part() -> None:
    text = (
        "---\ntitle: Lanes 2.0 is released\n---\n\n"
        "Today the Lanes team is happy to announce the release of Lanes 2.0.\n\n"
        "The most exciting part of this release for many people will probably be that"
        " leases now renew themselves while a worker runs. Of course, one of the hundreds"
        " of smaller changes may be your favourite.\n\n"
        "To celebrate the release, Lanes user groups around the world are holding release"
        " parties.\n"
    )
    doc = from_markdown(text, source="lanes.md")
    split = split_document(doc)
    ctx = Context(doc, split, score_units(split.units), 200)
    bonus = dict(zip((u.text for u in ctx.units), _headlines(ctx, ctx.leans), strict=True))
    assert bonus[ctx.units[1].text] > 0  # "The most exciting part of this release ..."
    assert bonus[ctx.units[3].text] == 0  # the release parties


def test_an_announcement_stands_alone_whatever_its_opening_leans_on() -> None:
    doc = from_markdown(
        "---\ntitle: Adopting the lane spec\n---\n\n"
        "Some years ago, two companies wrote a description of the lane scheduler.\n\n"
        "It's in that light that we're pleased to announce that we'll be adopting the lane"
        " spec into the project.\n\n"
        "They are available for Linux and, we are thrilled to announce, Windows.\n",
        source="spec.md",
    )
    leans = leaning(split_document(doc).units)
    assert leans == [False, False, True]
    assert (
        _definition_value(
            "We're happy to announce that Lanes 1.1 includes a lease tracer, a tool for finding"
            " stuck workers.",
            "Introducing the lease tracer",
        )
        > 0
    )  # what it announces is the article's point


def test_a_host_name_is_not_a_configuration_figure() -> None:
    assert figures("Note that all chat channels refer to the irc.example.org network.") == 0
    assert figures("The lanes API is served from api.lanes.example.dev to every client.") == 0
    assert figures("Set lanes.lease.renew-interval to renew leases sooner.") == 1


def test_a_question_announced_as_one_reads_as_a_question() -> None:
    doc = from_markdown(
        "After all this talk of leases, you might ask why a lane needs one at all. You might"
        " remember that Dana wrote the first lease code last year.\n\n"
        "A lane needs a lease because a worker can crash while it holds a task.\n",
        source="lease.md",
    )
    penalty = readability(split_document(doc).units)
    assert penalty[0] < penalty[2] and penalty[1] < penalty[2]


QUOTED_POST = """---
title: Leases without overhead
---

One of the mantras of queue design, and what makes it fit for batch systems, is its
principle of zero-cost waiting:

> A queue obeys the zero-wait principle: what you don't schedule, you don't pay for
> [Lovelace, 1994]. And further: what you do schedule, you couldn't hand-schedule better.
>
> -- Lovelace

Task Runner leases tasks to workers for a bounded time, and a lease costs one row in the
task table. A worker renews the lease of every task it runs while it runs.

A task whose lease runs out goes back to the queue, so a crashed worker delays work but
never loses it. Retries back off exponentially up to a ceiling of ten minutes.
"""


def test_an_attributed_quotation_is_not_the_articles_claim() -> None:
    doc = from_markdown(QUOTED_POST, source="quoted.md")
    assert {doc.blocks[b].kind for b in _quoted(doc)} == {"quote"}
    executive = lines(summarize(doc), "executive_summary")
    assert not any("zero-wait principle" in line for line in executive)


def test_a_quote_without_an_attribution_is_not_a_quotation() -> None:
    doc = from_markdown(
        "Leases are renewed by workers.\n\n> Note: leases are renewed every ten seconds.\n",
        source="note.md",
    )
    assert not _quoted(doc)


MEETINGS_POST = """---
title: Lane team meetings move to new slots
---

The lane team holds two weekly meetings:

- The triage meeting, where we go through open tasks that need lane team review.
- The design meeting, where we look in depth at one proposal for the scheduler.

To better fit the schedules of lane team members, we moved both meetings to new slots.

- The triage meeting now takes place on Mondays from 12 to 1pm UTC.
- The design meeting now takes place on Wednesdays from 10 to 11am UTC.
"""


def test_a_list_entry_comes_with_the_sentence_that_introduces_it() -> None:
    executive = lines(
        summarize(from_markdown(MEETINGS_POST, source="meetings.md")), "executive_summary"
    )
    entry = "The triage meeting, where we go through open tasks that need lane team review."
    assert entry in executive
    assert executive[executive.index(entry) - 1] == "The lane team holds two weekly meetings:"


def test_an_introduction_that_says_nothing_itself_does_not_bind_its_entry() -> None:
    text = (
        "The scheduler's lifecycle looks like this:\n\n"
        "- Producers submit tasks to a lane over the API.\n\n"
        "The lane team holds two weekly meetings:\n\n"
        "- The triage meeting, where we go through open tasks that need lane team review.\n"
    )
    units = split_document(from_markdown(text, source="intro.md")).units
    assert _introduced(units) == [False, False, False, True]


DIGEST_POST = """---
title: Lane team update — June
---

We wanted to share an update on what the lane team has been working on since our last
update. We publish minutes from all of our meetings in the lane team repository.

## Priority lanes

The team approved priority lanes for the scheduler, so urgent tasks no longer wait behind
batch jobs. Each lane gets its own pool of workers, sized by the backlog it carries.

## Lease renewals

Workers now renew their leases every ten seconds instead of every minute. A crashed worker
therefore delays its tasks by at most ten seconds before they go back to the queue.

## Meetings

We will keep meeting every second Tuesday, and anyone is welcome to join the call.
"""


def test_an_update_reports_what_happened_not_only_that_it_is_an_update() -> None:
    executive = lines(
        summarize(from_markdown(DIGEST_POST, source="digest.md")), "executive_summary"
    )
    assert any(line.startswith("The team approved priority lanes") for line in executive)


def test_a_short_exclamation_that_tells_the_news_is_a_statement() -> None:
    texts = ["The 2.0 scheduler survey is here!", "A lot has happened in the scheduler here!"]
    units = split_document(from_markdown("\n\n".join(texts), source="news.md")).units
    penalty = readability(units)
    assert penalty[0] > penalty[1]


def test_a_footnote_marker_leaves_the_sentence_and_the_note_goes_last() -> None:
    text = (
        "---\ntitle: Lease renewals\n---\n\n"
        "Workers renew the lease of every task they run[^scope], every ten seconds.\n\n"
        "[^scope]: Since leases were first enabled, which was in version 1.24.\n\n"
        f"{FILLER * 2}\n"
    )
    doc = from_markdown(text, source="notes.md")
    assert (
        doc.blocks[0].text == "Workers renew the lease of every task they run, every ten seconds."
    )
    assert [(b.kind, b.text) for b in doc.blocks[-2:]] == [
        ("heading", "Footnotes"),
        ("paragraph", "Since leases were first enabled, which was in version 1.24."),
    ]
    assert not any("Since leases were first enabled" in line for line in every_line(summarize(doc)))


def test_an_announcement_after_a_connective_reads_as_well_as_one_without() -> None:
    texts = [
        "The lane team has been rewriting the scheduler for a year.",
        "As a result, we're happy to announce that the new scheduler is joining the project.",
        "We're happy to announce that the new scheduler is joining the project as of today.",
    ]
    units = split_document(from_markdown("\n\n".join(texts), source="announce.md")).units
    penalty = readability(units)
    assert penalty[1] == penalty[2] == 0
