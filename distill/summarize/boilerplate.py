"""Sentences that are page furniture, not content: they never become summary lines.

Why patterns and not a model: the kinds are few and fixed (bylines and date lines, calls
to action, pointers to other pages, greetings, banners, footnotes, changelog entries), the
wording is formulaic, and a pattern says plainly why a sentence was left out. Each kind
was seen in the judged set (tests/data/summary_judgements.jsonl) or in the issue's pages.

Also here: whether a sentence leans on one before it ("This setting ...", "They provide
..."), so the section builders can keep such a sentence out when its antecedent is not
shown with it.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d\d-\d\d)"
)

# A byline or a date line: "September 5, 2024 - Xiqian Yu (@renqstuite)", "Posted by X",
# "By Jane Doe on 2024-01-02", "Published: March 3, 2021".
BYLINE = re.compile(
    rf"^\s*(?:{_DATE}\s*(?:[-–—|·•,]|by\b|$)"
    r"|(?:posted|written|published|updated)\s+(?:by|on)\b"
    r"|by\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}\s+(?:on|·|\||-)"
    r"|published:|last updated:"
    # who ran a meeting, who commented when: "Meeting run by alice.", "Comment by @bob posted
    # on 2025-10-22: ..."
    r"|meeting (?:run|chaired|led|hosted|facilitated) by\b|comment by @?[\w-]+ posted on\b"
    # who wrote it: "This week's article is written by Dana Reyes.", "This update is
    # brought to you by ..."
    r"|this (?:week['’]s |month['’]s )?(?:article|post|blog post|update|issue)\s+(?:is|was)"
    r"\s+(?:written|brought to you)\s+by\b"
    # who attended and who wrote the notes: "Attending: alice, bob, ...", "Minutes written
    # by carol."
    r"|(?:attending|attendees|present|participants)\s*:"
    r"|(?:minutes|notes)\s+(?:(?:written|taken|recorded)\s+)?by\s+@?[\w-]+\.?$)"
    r"|\(@\w+\)",
    _I,
)

# Calls to action, thanks and sign-offs: they ask the reader to do something on the site.
CALL_TO_ACTION = re.compile(
    r"\b(?:please\s+(?:report|let us know|open an issue|file|share|try|reach out|see|refer|check)"
    r"|report any (?:bugs|issues|problems)|let us know"
    r"|we(?:['’]d| would) (?:still |really |also )?love (?:to hear|(?:your |any )?feedback)"
    r"|\bfeel free to (?:open|file|reach|contact|ask|join|drop|send|post|leave|share|try"
    r"|comment|ping)\b"
    r"|\b(?:you can|please|feel free to) (?:leave|give|share|send|post) (?:us )?(?:your |any )?"
    r"(?:feedback|comments|questions)\b|\bif you(?:['’]re| are) not (?:yet )?subscribed\b"
    r"|\byou can (?:always )?unsubscribe\b"
    r"|(?:we )?(?:encourage|invite) you to (?:download|try|share|give|join|sign up|subscribe|check)"
    r"|give it a try|try it out|join us|sign up|subscribe to|follow us|stay tuned"
    r"|(?:feedback|contributions?)\b.{0,60}\b(?:welcome|appreciated)\b"
    # "thanks to" after a clause gives its cause ("widely used thanks to its integration
    # with the build tool"), not gratitude, unless the thanks are said as such ("huge thanks
    # to", "our thanks to", "thank you to") or go to people ("thanks to everyone who ...")
    r"|thank(?:s| you) for\b|thank you to\b"
    r"|(?:^|(?<=\()|\b(?:and|also) )thanks to\b(?![^,]{0,80},\s+\w)"
    r"|\b(?:many|huge|big|giant|special|heartfelt|sincere(?:st)?|warm(?:est)?|enormous|our|my"
    r"|say|give|extend) thanks to\b"
    r"|\bthanks to (?:everyone|everybody|all (?:of )?(?:you|the|our|who)\b"
    r"|@[\w-]+\b(?![’'])"
    r"|(?:our|the|those) (?:\w+ ){0,3}(?:community|contributors|volunteers|reviewers|testers)"
    r"\b(?![’']))"
    r"|happy (?:hacking|coding"
    r"|holidays|new year)"
    # thanks to every contributor, however the sentence goes on ("We want to thank everyone
    # who ...", "Thanks to everyone who tested the betas, filed bugs, ..."), and the
    # community credited for the project's growth ("Thanks to our community, X continues
    # to grow"); not thanks to one named piece of work ("Thanks to the new allocator, ...")
    r"|\b(?:want|wish|would like|\w+[’']d like) to (?:thank|acknowledge)\b|^thanks a lot\b"
    r"|\bcould(?:n[’']t| not) have done (?:it|this) without\b"
    r"|^thanks (?:also |again )?to (?:everyone|everybody|all (?:of )?(?:you|the|our|who)\b"
    r"|(?:our|the) (?:\w+ ){0,3}(?:community|contributors|users)\b)"
    r"|^if you haven[’']t already\b|^as a reminder, if you\b"
    r"|^you can\b.{0,50}\b(?:on|in|at) (?:zulip|slack|discord|irc|matrix)\b"
    r"|(?:^|(?<=,)|(?<=,\s))(?:please )?(?:e-?mail|contact|ping|message|write to)"
    r" (?:us|the [\w ]{0,40}\bteam)\b"
    r"|\bif you (?:would like|want|need|wish) to (?:report|contact|reach|get in touch)\b"
    r"|^enjoy (?:the|your|it|this)\b[^.!?]{0,60}[.!]$"
    r"|^your (?:\w+ )?(?:contributions?|feedback|help|support|diligence)\b.{0,40}\bhelped\b"
    r"|(?:you can|please) (?:find|download|get) (?:the |it |them )?(?:binaries|release|source)"
    r"|(?:available|found) (?:on|at|from) the (?:\w+ )?(?:downloads?|releases?) page"
    r"|(?:release packages|binaries) are available"
    r"|mailing lists?\b.*\b(?:feedback|discussion|questions)|become part of the discussion"
    r"|(?:be|get) in touch|reach out to us|comments? (?:below|policy)"
    r"|\bhave a chat with\b|^(?:please )?drop (?:in|by)\b|\bplease drop (?:in|by)\b"
    r"|\bif you(?:['’]d| would) like to (?:get involved|help out|contribute|join)\b"
    r"|^with your help\b"
    r"|^the time to \w+ .{0,40}\bis now\b|\bnow is the time to\b"
    r"|^(?:start|open|post|ask|join)\b.{0,60}\b(?:zulip|slack|discord|irc|forum)\b"
    r"|^looking forward to\b|\byou can (?:also )?find (?:the |official )?.{0,50}\b(?:images?"
    r"|binaries"
    r"|artifacts|packages)\b|\bwe hope you (?:like|enjoy|find)\b|\bdon[’']?t hesitate to\b"
    r"|\bcame together to (?:create|build|make)\b|\breport back\b|\breply to the\b"
    r"|\bas always, you can\b|\byou can (?:install|download|get) \S+(?: \S+)? (?:from|with|via)\b"
    r"|^learn more\b|\blearn more (?:about|here|at)\b|help us(?: out)? by testing|^if you (?:have"
    r"|don't have|do not have) .{0,60}\binstalled\b)",
    _I,
)

# Pointers to other text instead of content ("see the release notes", "read more here").
POINTER = re.compile(
    r"^(?:note:\s*)?(?:for (?:the |a )?(?:(?:more|further|full|complete|detailed) )?(?:\w+ )?"
    r"(?:details|information|overview|list|documentation)|see (?:the|our|this|also)\b"
    r"|for (?:some|more|other|further) examples?,? see\b|for more,? see\b"
    r"|read (?:more|here|on)\b|check out\b|refer to\b|click\b|(?:below|here) (?:we|you)(?:'ll"
    r"| will)?\b"
    r"|(?:the )?(?:list|table) below\b|you can (?:read|find|see) (?:more|the)\b)"
    # media the page shows and the summary cannot: "Navigate through the slideshow below.",
    # "The figure below shows ..."; not a sentence that only ends by pointing at one ("...
    # is based on a relational model, as illustrated in the diagram below.")
    r"|^(?:\S+\s+){0,6}?(?:the )?(?:slideshow|slides|video|animation|diagram|figure)s? below\b"
    r"|\b(?:look at|see|navigate through|scroll through|step through) the (?:slideshow|slides"
    r"|video|animation|diagram|figure)s? below\b"
    r"|\b(?:documentation|docs) (?:is|are) (?:also )?available (?:in|at|on|from)\b"
    # "Find out more about how to enable it in the documentation.", "More details can be
    # found in this blog post."
    r"|^(?:to )?find out more\b|\byou can find out more\b"
    r"|\b(?:more|further|full) (?:details|information) can be found\b"
    r"|\bfor the (?:full|complete|whole) list\b"
    r"|\byou(?:['’]ll| will| can) find (?:the |more |all )?(?:full |complete )?(?:\S+ ){0,3}?"
    r"(?:details|information|minutes|agenda|schedule)\b.{0,80}\b(?:on|at|in) (?:the|our|their)\b"
    # where the minutes live: "We publish minutes from all Council meetings to the ... repo."
    r"|\bwe (?:publish|post) (?:the )?(?:full )?(?:minutes|meeting notes|notes from)\b"
    # link text standing for the page it links: "Release notes can be found here.", "The
    # slides are available here.", "1 detailed update available."
    r"|^(?:\S+\s+){0,10}?(?:(?:can|may) be found|(?:is|are) (?:also )?available) here\b"
    r"|^\d+ (?:detailed )?updates? available\b"
    # a cross-posted advisory's note on where the signed copy is: "The official advisory
    # contains a signed version with our PGP key, as well."
    r"|\b(?:contains|includes|has) a (?:signed|pgp-signed|gpg-signed) (?:version|copy)\b"
    r"|^find the (?:full|complete|whole)\b"
    # "If you're not familiar with X, you should read Y before reading on.", "The full details
    # for any goal are available in its tracking issue."
    r"|\b(?:you should|you may want to|we recommend you) read\b.{0,60}\bbefore\b"
    r"|^if you(?:[’']re| are) (?:not|un)(?: yet)? ?familiar with\b[^,]{0,60},\s*"
    r"(?:you should |please )?(?:read|see|check|start with)\b"
    r"|\b(?:full |more |further )?(?:details|information) (?:\w+ ){0,6}(?:is|are) available"
    r" (?:in|at|on|from)\b"
    r"|\b(?:release notes|changelog) for (?:a |the )?(?:complete|full|comprehensive|detailed)"
    r"|\b(?:check|see) (?:out )?(?:the |our )?(?:release notes|changelog|full list)"
    r"|\b(?:is|are) listed below\b|\bincludes? a detailed list\b"
    r"|\bthe following (?:\w+ )?(?:options|settings|parameters|properties|changes|features|methods"
    r"|functions|apis|classes|flags)\b"
    r"|\b(?:in|into|for) a (?:future|later|follow-up|previous|separate|subsequent) (?:blog )?post\b"
    r"|\bthe following (?:\w+ )?(?:dependency|dependencies|code|commands?|snippet|configuration"
    r"|example|steps?)\b|\bcovered in a separate\b"
    r"|\b(?:highly |strongly )?recommend reading\b|\blook at the .{0,40}\bpage\b"
    # a part of a series still to come: "In the next part, we will focus on ..." (a recap of
    # an earlier part, or a part announcing itself, is content: series summaries open so)
    r"|^in (?:the |a )?(?:next|following|upcoming|future|later|coming)(?: (?:part|post|article"
    r"|installment|episode|blog post)s?)?(?: (?:of|in) (?:the|this) series)?,? (?:we|i)\b"
    r"|^read the (?:full|complete|whole)\b"
    r"|\byou can (?:also )?(?:read|view|watch|see) the (?:minutes|recording|video|slides)\b"
    # a recording or a deck named by its link: "Queues at Scale (video) walks through ..."
    r"|(?<=\()\b(?:video|slides|recording|talk|pdf)\)"
    # a link's text: "Example in the Go Playground."
    r"|^(?:\w+ )?(?:example|demo|code|source)s? (?:is )?(?:in|on|at) the [\w ]{0,30}\b(?:playground"
    r"|repository|repo|gist)\W*$",
    _I,
)

# Greetings, banners and page chrome; the opening "Ah, ..." aside of a newsletter.
CHROME = re.compile(
    r"^(?:hi|hello|hey|greetings|dear)\b[^.!?]{0,30}[.!?]?$|^(?:ah|oh|phew|wow)\b[\s,!]"
    # a greeting however long it goes on: "Greetings and happy spring to you if ... now!"
    r"|^(?:hi|hello|hey|greetings)\b(?!,? world\b)(?!.*\bplease welcome\b)[^.?]{0,120}!$"
    r"|\b(?:view|read) this (?:blog )?(?:post|page|article) in a browser\b"
    r"|\benable javascript\b|\bjavascript (?:is )?(?:disabled|required)\b"
    r"|\b(?:this is a )?cross-?post(?:ed)? (?:of|from)\b|\boriginally (?:published|posted)\b"
    r"|^part \d+\b.*\(this post\)|\ball rights reserved\b|\bcopyright \d{4}\b"
    r"|^for what it[’']?s worth\b"
    r"|^let[’']?s (?!build|write|create|implement|define|consider|start with)\w+"
    r"|\bpart \d+ (?:in|of) (?:a|the|our) series\b|^throughout this (?:post|article)\b"
    r"|^what we(?:'re|’re| are) going to do\b|^what follows is\b"
    r"|^(?:we|i)(?:['’]re| are| am|['’]m) going to (?:take a (?:\w+ )?look|look at|discuss|cover"
    r"|walk through|go over)\b"
    r"|\bpost (?:is )?based on .{0,60}\btalk\b"
    r"|\b(?:blog )?post version of (?:my|our|a|the) (?:\w+ )?talk\b"
    r"|\blorem ipsum|^(?:generated|powered) by\b|\b(?:page|site|file) (?:was |is )?(?:generated"
    r"|powered) by\b|\bmeeting minutes word count\b"
    # a transition in the middle of a sentence: "..., let's take a look under the hood"
    r"|\blet(?:[’']s| us) (?:take a (?:\w+ )?look|look (?:at|under|into)|dive"
    r"|get (?:\w+ )?(?:all )?on the same page)\b"
    # a remark on the journey, not on the subject: "It's great to look at how far Go has come"
    r"|^it(?:[’']s| is) (?:great|nice|amazing|exciting|wonderful|fun|humbling|incredible) to"
    r" (?:look|see|think|reflect)\b"
    # a head count of contributors: "Overall, 142 people contributed to this release ..."
    r"|\b\d[\d,]*\+? (?:people|contributors|developers|individuals) (?:have |who )?contribut"
    r"(?:ed|e to)\b"
    # a count of patches and nothing more: "About 1300 patches were landed in this release."
    r"|^(?:(?:about|over|more than|nearly|roughly|some) )?[\d,]+ (?:patches|commits|pull requests"
    r"|prs) (?:were|have been|got) (?:landed|merged)(?: in(?:to)? (?:this|the) release)?\.$"
    # a credit line: "Green Tea is the result of work and ideas from many people over ..."
    r"|\bis the (?:result|product|culmination) of (?:the )?(?:\w+ )?(?:work|efforts?"
    r"|contributions?|ideas)\b.{0,40}\b(?:many|numerous|several|dozens of|hundreds of|lots of)"
    r" (?:people|contributors|engineers|folks)\b",
    _I,
)

# A stock line that carries no claim about the article's subject: the release-note phrases
# every announcement repeats ("As usual, we are looking at a packed release ...", "The Flink
# community tries to ensure that upgrades are as seamless as possible.", "... future
# versions of Go will continue to improve PGO ..."), asides on the season or the team's
# feelings ("... included the holidays, which means ... more time for spending with loved
# ones", "We didn't know what kind of reaction to expect ...", "With conference season in
# full swing, we're glad to see ..."), a pointer to someone's write-up ("Carol Nichols
# summarized what's happened on the PD side.") and generic advice ("When you have a bug,
# tests should let you know.").
STOCK = re.compile(
    r"^as (?:usual|always),? (?:we (?:are looking at|also|would be happy|are grateful)"
    r"|(?:this|the) (?:\w+ )?(?:release|version) (?:is|includes)\b)"
    r"|\b(?:a|another) packed release\b"
    r"|\b(?:tries|strives|aims|works hard|try|strive|aim|work hard) to (?:ensure|make sure)"
    r" (?:that )?(?:upgrades?|upgrading|migrations?) (?:are|is|will be) as \w+ as possible\b"
    r"|\bwill continue to (?:improve|evolve|enhance|invest in|work on) \S+(?: with (?:additional"
    r"|more|further|new) (?:\w+ )?(?:optimi[sz]ations|improvements|features))?\W*$"
    r"|\b(?:the|over the) holidays\b|\bloved ones\b|\bconference season\b"
    r"|^(?:[^,]{0,60},\s*)?we(?:['’]re| are) (?:glad|happy|thrilled|delighted|excited) to see"
    r" (?:some|so many|what|where|how|more)\b(?!.*\d)"
    r"|^(?:we|i) (?:didn[’']t|did not) know (?:what|whether|if|how)\b"
    r"|\bsummari[sz]ed what(?:[’']s| has| had)? happened\b"
    r"|^(?:when|if) you have a (?:bug|problem|question)\b, \w+ should\b"
    r"|\bneeds the support of a thriving\b"
    # a list of other posts: "2025 In Review: The Foundation employees highlight their ..."
    r"|^[^:.]{3,60}:\s+(?:\S+\s){1,4}(?:summari[sz]ed|highlight(?:ed)?|recapped|wrote about)\b"
    r"|^here,? we (?:highlight|list|collect|round up|gather)\b"
    # a release that "comes with several important new features and improvements" and no more
    r"|^[^,:;]{0,40}\b(?:comes with|includes|brings) (?:several|many|a number of|lots of)"
    r" (?:important |notable |major |exciting )?(?:new )?(?:features|improvements)(?: and"
    r" (?:improvements|new features|bug ?fixes))?\.$"
    # "more is possible" filler: "These recipes give just a taste of what's possible ...",
    # "we have only scratched the surface"
    r"|\b(?:just|only|merely) (?:a taste|the tip of the iceberg|scratch(?:es|ed|ing)? the"
    r" surface)\b|\b(?:a taste|the tip of the iceberg) of what(?:[’']s| is) possible\b"
    # a teaser that promises a finding without giving it: "Novices expressed some
    # interesting differences from other experience levels."
    r"|^[^,;:]{0,40}\b(?:some|several|a few|many) (?:interesting|notable|surprising)"
    r" (?:differences|findings|results|insights|trends|patterns)\b[^,;:]{0,50}\.$",
    _I,
)

# How a survey was run, not what it found: "Most survey respondents “self-selected” to take
# the survey ...", "For charts of open-ended text responses, a Go team member read and
# manually categorized all of the responses.", "We asked an additional question about
# whether ...", "These results help the Go team focus our efforts ...".
SURVEY_METHOD = re.compile(
    r"\bself-selected\W{0,2} to take\b|\bmanually (?:categori[sz]ed|coded|tagged|read)\b"
    r"|\bopen-ended (?:text )?(?:responses|answers)\b.{0,40}\b(?:read|categori[sz]|coded)"
    r"|^we (?:also )?asked (?:an? )?(?:additional |follow-up |new |separate )?question"
    r"(?:s)? (?:about|on) (?:whether|if|how|what)\b"
    r"|\b(?:these|the survey(?:['’]s)?) (?:results|findings|insights) help (?:the|us|our)\b"
    r"|\b(?:lower|upper) (?:right|left) (?:corner )?of (?:each|every|the) (?:chart|graph|figure)\b",
    _I,
)

# A footnote, a changelog or issue-tracker entry: "[^2]: ...", "[FLINK-123] - ...",
# "FLINK-1760: Add ...", "#63420" at the end of a pull-request title.
ENTRY = re.compile(
    r"^\s*(?:#+\s|-\s|\[\^\w+\]:?|\^?\d{1,2}\s+(?=[A-Z][a-z]+ (?:case|you|the|this|we)\b)"
    r"|\[?[A-Z][A-Z0-9]+-\d+\]?\s*[-:–]|\[?[A-Z][A-Z0-9]+-\d+\]?\s+[A-Z]|\d\)\s)"
    r"|\s#\d{3,}\s*$|\[[A-Z][A-Z0-9]+-\d+\]"
    # a parameter list entry: "<InputT> – type of elements ...", "long maxTimeInBufferMS - ..."
    r"|^\s*(?:\w+\s+)?(?:<\w+>|[a-z]+[A-Z]\w*)\s+[–—-]\s+[a-z]"
    # an entry of a list of options: "execution.state-recovery.*: all configuration options ..."
    r"|^\s*[a-z][\w-]*(?:\.[\w-]+)*\.\*:\s|^\s*[a-z][\w-]*(?:\.[\w-]+)+:\s+[a-z]",
)

# A stock self-description repeated on every release post of a project.
TAGLINE = re.compile(
    r"\b(?:programming )?language (?:that is |that's )?empowering everyone\b"
    r"|\bis an? (?:\w+ ){0,2}(?:programming )?language (?:focused on|with a focus on)\b",
    _I,
)


# A claim the article sets up in order to knock it down ("You might think that ...", "It is
# a common misconception that ..."): shown alone, it reads as the article's own view.
SETUP = re.compile(
    r"\b(?:you|one|many people|people|some) (?:might|may|would|could|often) (?:think|assume|believe"
    r"|expect|be tempted)\b|\b(?:a )?(?:common|popular|widespread) (?:misconception|myth|belief)\b"
    r"|\bit(?:'s|’s| is) (?:tempting|easy|natural) to (?:think|assume|believe|conclude)\b"
    r"|\bcontrary to (?:popular )?belief\b|\bconventional wisdom (?:says|holds|is)\b"
    # "The core of Green Tea may seem like a single, simple idea." (the next says otherwise)
    r"|\b(?:may|might) (?:at first )?seem (?:like|to be|simple|easy|obvious)\b",
    _I,
)
# The sentence after a set-up that says it was wrong.
REFUTATION = re.compile(
    r"^(?:but|however|yet|actually|in fact|in reality)?,?\s*(?:that|this|it)(?:'s|’s| is| was"
    r"| turns"
    r" out to be) (?:not (?:true|the case|so)|wrong|false|incorrect|a myth|a misconception)\b"
    r"|^(?:not (?:so|quite|true)|wrong|nope)\b|^(?:but )?(?:the (?:truth|reality) is)\b",
    _I,
)


def refuted(text: str, following: str = "") -> bool:
    """True when `text` is a claim the article sets up to refute (by its wording, or by
    the sentence after it, `following`, saying it is wrong)."""
    return bool(SETUP.search(text)) or bool(following and REFUTATION.search(following))


_CAPITAL_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# A run of titles (a related-posts list or headings run together): this share of words
# capitalised, over at least TITLE_RUN_WORDS words, is not a sentence.
TITLE_RUN_SHARE, TITLE_RUN_WORDS = 0.6, 8


# Titles run into a sentence ("... into PyFlink Other Monitoring and Controlling Networks of
# IoT Devices with Flink Stateful Functions Advanced Flink Application Patterns ..."): this
# many words in a row, nearly all capitalised and with no comma (a list of names has commas).
TITLE_WINDOW, TITLE_WINDOW_CAPITALS = 12, 10


# A short sentence that states something about names ("The 2022 State of Rust Survey is
# here!", "Gelly is a Java Graph API for Flink.") is mostly capitals and still a sentence.
_STATEMENT_VERB = re.compile(r"\b(?:is|are|was|were|will be|has been|have been)\b")
SHORT_STATEMENT_WORDS = 16


def _short_statement(text: str, words: list[str]) -> bool:
    return (
        len(words) <= SHORT_STATEMENT_WORDS
        and text.rstrip()[-1:] in ".!?"
        and "[" not in text
        and bool(_STATEMENT_VERB.search(text))
    )


def title_run(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalnum()]
    if len(words) < TITLE_RUN_WORDS:
        return False
    # a capitalised word before a comma ("In November 2015, we ...") ends a clause, not a title
    capital = [w[0] in _CAPITAL_START and not w.endswith(",") for w in words]
    if sum(capital) >= TITLE_RUN_SHARE * len(words) and not _short_statement(text, words):
        return True
    if sum(capital) < TITLE_WINDOW_CAPITALS:
        return False  # no window can hold enough (most sentences: the loop below is slow)
    for at in range(len(words) - TITLE_WINDOW + 1):
        window = words[at : at + TITLE_WINDOW]
        if any(w.endswith((",", ";")) for w in window[:-1]):
            continue
        if sum(capital[at : at + TITLE_WINDOW]) >= TITLE_WINDOW_CAPITALS:
            return True
    return False


# A call to action after a clause that says something ("The community has been hard at work
# on the roadmap, and this quarter we kick it into high gear—and we want you to join us!")
# leaves the sentence content: the clause before the break is what a reader needs.
_CLAUSE_BREAK = re.compile(r"\s[—–-]\s?|—|;\s")
CLAUSE_BEFORE_CALL_WORDS = 12


def _said_before_the_call(text: str, call: re.Match[str]) -> bool:
    breaks = list(_CLAUSE_BREAK.finditer(text, 0, call.start()))
    return bool(breaks) and len(text[: breaks[-1].start()].split()) >= CLAUSE_BEFORE_CALL_WORDS


def boilerplate(text: str) -> str:
    """Why `text` is page furniture rather than content, or "" when it is content."""
    if title_run(text):
        return "titles"
    for name, pattern in (
        ("byline", BYLINE),
        ("entry", ENTRY),
        ("chrome", CHROME),
        ("call to action", CALL_TO_ACTION),
        ("pointer", POINTER),
        ("tagline", TAGLINE),
        ("stock line", STOCK),
        ("survey method", SURVEY_METHOD),
    ):
        found = pattern.search(text)
        if found and not (pattern is CALL_TO_ACTION and _said_before_the_call(text, found)):
            return name
    return ""


# Openings that need the sentence before to be understood: a pronoun or a demonstrative
# standing for something said earlier ("They provide ...", "This setting is now only
# used ...", "The solution to this is ..."), not one that names the article itself
# ("This post explains ...", "This release includes ...").
_SELF = (
    r"(?:post|article|blog|release|version|update|tutorial|guide|talk|page|series|document"
    r"|year|month|week|weekend|morning|time|sprint|cycle|edition|issue|newsletter|quarter"
    r"|survey|report|proposal|rfc|paper|book|project|summary|(?:mon|tues|wednes|thurs|fri"
    r"|satur|sun)day)s?\b"
)
_NOT_SELF = rf"(?!(?:[\w-]+\s+)?{_SELF})"
# "Earlier we sliced s ...", "... the function we saw earlier": the article's own earlier
# text, further back than the sentence before, so showing that sentence does not help.
EARLIER_TEXT = re.compile(
    r"^(?:earlier|above|previously),? (?:we|you|i)\b|^as (?:we|you) (?:saw|have seen)\b"
    r"|\b(?:we|you) (?:\w+ )?(?:gathered|saw|discussed|mentioned|described|showed|wrote)"
    r" (?:earlier|previously|above|before)\b"
    # "... as described in the previous section", "as shown above"
    r"|\bas (?:described|mentioned|discussed|shown|explained|noted|seen) (?:in the previous"
    r" (?:section|part|chapter)|earlier|above|before)\b",
    _I,
)
REFERS_BACK = [
    # "This setting ...", "They provide ...", "It also has ..." (not "This post ...")
    re.compile(
        rf"^(?:note:\s*)?(?:(?:this|these|those|that)\s+(?!is\b|was\b){_NOT_SELF}"
        rf"|(?:this|that)\s+(?:is|was)\s+(?!an?\s+(?:[\w-]+\s+){{0,2}}{_SELF})"
        r"|(?:it|they|he|she|them|its|their|such)\b)",
        _I,
    ),
    # "Given this, we decided ...": a conclusion drawn from what came before
    re.compile(r"^given (?:this|that|these|those|all this)\b", _I),
    # "If the new feature is enabled, this setting is ...": a demonstrative after a clause
    re.compile(rf"^[^,.]{{0,80}},\s+(?:this|these|those|such(?!\s+as\b))\s+{_NOT_SELF}", _I),
    # "The solution to this is ...", "the fix this time", "risks the opposite"
    re.compile(
        r"^(?:\S+\s){0,12}?(?:to|of|for|with|about|by|from|on) (?:this|that|these|those|it|them)"
        rf"\b(?!\s+{_SELF})(?!-)",
        _I,
    ),
    re.compile(
        r"^(?:\S+\s){0,3}the (?:same|above|fix|solution|answer|problem|reason)\b"
        r"(?! (?:of|for|to|is that|with)\b)|\bthe (?:opposite|former|latter|above)\b",
        _I,
    ),
    # "... merge such files", "You may override it", "We can then divide ..."
    # anywhere in the sentence: "... to clearly separate such failures" (but not "as
    # such", "types and such", "no such thing")
    re.compile(r"(?<!\bas )(?<!\band )(?<!\bor )(?<!\bno )\bsuch (?!as\b|a\b|an\b|that\b)\w+", _I),
    # ("Therefore, we manually reset them ...": a connective first changes nothing)
    re.compile(
        r"^(?:(?:therefore|thus|hence|so|consequently|instead|also),? )?(?:you|we) (?:\w+ ){0,2}"
        r"(?:it|them|this|these)\b(?!\s+" + _SELF + ")",
        _I,
    ),
    re.compile(r"^(?:we|you|i) (?:\w+ )?then\b", _I),
    # "The path taken by Green Tea looks very different.": different from what came before
    re.compile(
        r"^(?:\S+\s+){1,7}?(?:is|are|was|were|looks?|seems?|feels?)\s+(?:\w+\s+)?"
        r"(?:different|similar)[.!]$",
        _I,
    ),
    # "Because they are sampled through ...": a pronoun right after the opening conjunction
    re.compile(
        r"^(?:because|since|when|whenever|if|although|though|while|unless|once|after|before"
        r"|until) (?:it|they|these|those|he|she|them)\b"
        r"|^(?:because|since|when|if|although|though|while|unless|once) (?:this|that)"
        r"(?:['’]s\b|\s+)"
        + _NOT_SELF
        # "... will block if this length has been reached": the demonstrative, mid-sentence
        + r"|\b(?:if|when|once|until|unless|because) (?:this|these|those) "
        + _NOT_SELF
        + r"[\w-]+ (?:is|are|was|were|has|have|had|gets?|becomes?)\b",
        _I,
    ),
    # "Although the queue's lanes do not support them directly, ...": a pronoun object in
    # the opening clause; "While most are not yet ready ...": most of what?
    re.compile(
        r"^(?:although|though|while|whereas|because|since|if|when|unless) [^,]{0,60}\bthem\b"
        r"[^,]{0,30},"
        r"|^(?:although|though|while|whereas) (?:most|some|many|all|both|none|few|several"
        r"|others) (?:are|were|have|had|of them|do|did|can)\b",
        _I,
    ),
    # "Between these versions some defaults changed ...": which versions?
    re.compile(
        r"^(?:between|among|across|unlike|despite|beyond|besides|apart from|compared (?:to|with))"
        r" (?:this|that|these|those|them|it)\b(?!\s+(?:post|article|blog|tutorial|guide|page)\b)",
        _I,
    ),
    # "We recommend that operators follow this strategy ...": advice whose object is
    # something described before
    re.compile(
        r"\b(?:follow|use|adopt|apply|take|choose|prefer|try) (?:this|that|these|those) "
        r"(?:strateg(?:y|ies)|approach(?:es)?|techniques?|methods?|patterns?|solutions?"
        r"|options?|advice|rules?|workflows?|setups?)\b",
        _I,
    ),
    # "We intend to lift these in future versions": a demonstrative standing for a noun
    re.compile(
        r"^(?:\S+\s){1,6}(?<!like )(?:these|those)(?=\s+(?:in|on|for|from|with|by|as|when|once"
        r"|until|before|after|too|also)\b|\s*[,.;:!?])",
        _I,
    ),
    EARLIER_TEXT,
    # "The values of i in this countdown program ...", "readers will see charts ...": an
    # exhibit (code, figure, chart) the summary does not show
    re.compile(
        r"\b(?:in|of|from|by|on) (?:this|that|the above|the previous) (?:[\w@-]+ ){0,3}?(?:program"
        r"|snippet|listing|diagram|figure|chart|graph|picture|screenshot|illustration|thread)s?\b"
        r"|\b(?:readers|you) will see (?:\w+ )?(?:charts?|graphs?|figures?|diagrams?|tables?)\b",
        _I,
    ),
    # a short sentence that swaps in something for what the sentence before named: "Please
    # use table.display.max-column-width instead."
    re.compile(r"^(?:\S+\s+){1,9}instead\W*$", _I),
    # "In this mode, pipeline will ignore all DropColumnEvents ...": which mode is not said
    re.compile(
        r"^in (?:this|that|these|those|such) (?:mode|case|scenario|setup|configuration|situation"
        r"|state|way)s?\b",
        _I,
    ),
    # a list entry that names its subject only as "it": "Similar to “TryEvolve” mode, but it
    # always keeps original table structure ..."
    re.compile(r"^(?:similar to|unlike|like) [^,]{1,60},\s+(?:but\s+)?(?:it|they|this)\b", _I),
    # an entry of a numbered list not shown: "Without requirement 3 we don't have ..."
    re.compile(
        r"\b(?:requirement|criterion|condition|item|point|rule)s? #?\d{1,2}\b(?![.,]\d)", _I
    ),
    # the lettered parts of a diagram: "so we pull page A off the work list"
    re.compile(
        r"\b(?i:page|object|node|box|slot|region|partition|operator|package|module|task|server"
        r"|client|machine|worker|bucket|row|cell|vertex|step)s? [A-HJ-Z](?![\w.'’/-])"
    ),
]


# The author's own doings in the first person singular, told in the past ("I looked at the
# history of ...", "I set up a meeting with ...", "... which I reviewed", "I've published
# ..."): a personal remark, not what the article says about its subject. Not "I think",
# "I am pleased to announce" or "I will give an introduction": those state the article's
# view or its plan. Case-sensitive: "I/O" and a loop variable "i" are not the author.
PERSONAL = re.compile(
    r"(?:^|(?<=[\s,;(“\"])\b)I (?:(?:also|then|just|recently|finally|first|later|even|\w+ly) )?"
    r"(?:(?!need|feed|speed|seed|breed|indeed)[a-z]{2,}ed|set up|wrote|made|went|took|met|spent"
    r"|found|got|saw|did|began|ran|built|gave|had|was|sat|led|brought|thought|taught|chose)\b"
    r"|(?:^|(?<=[\s,;(“\"])\b)I(?:[’']ve| have) (?:(?:also|just|recently|since|now) )?"
    r"(?:been|[a-z]{2,}ed|set up|written|made|taken|spent|found|got|seen|done|begun|built"
    r"|given|had|led)\b"
    r"|\band I (?:have|had|were|are) been\b"
    # a reminiscence: "Five years of the queue makes me think back to its first outage"
    r"|\b(?:makes?|made) me (?:think|look) back\b|\breminds? me of (?:the|my|when)\b"
    # "Perl seemed to me to have appeared fully-formed ...": an impression, not a fact
    r"|\bseemed to me\b"
)


def personal(text: str) -> bool:
    """True when the author tells of their own doings ("I set up a meeting ...")."""
    return bool(PERSONAL.search(text))


_NAMES_THE_ARTICLE = re.compile(rf"^(?:this|these)\s+(?:[\w-]+\s+)?{_SELF}", _I)


def names_the_article(text: str) -> bool:
    """ "This release includes ...", "This post explains ...": a reference to the article
    itself, which reads fine on its own."""
    return bool(_NAMES_THE_ARTICLE.match(text))


def at_word_starts(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    r"""One pattern that matches where any of `patterns` does, tried only at the start of
    the text and where a word starts.

    Python's engine tries every alternative of a pattern at every position of the text,
    and these patterns have dozens each: four of them took 30-50 microseconds a sentence,
    a sixth of the extractive summary's time. Every alternative of each pattern begins
    with `^`, or with `\b` before a word character, so no match can start anywhere else;
    the other positions now fail on one look. tests/test_summarize_reader.py checks that
    shape of every pattern given here, and that the joined pattern finds what the
    patterns found in every sentence of the corpus."""
    joined = "|".join(f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})" for p in patterns)
    return re.compile(rf"(?:^|(?<!\w)(?=\w))(?:{joined})")


# The patterns as written above (readable, and tested alone), then each made to look only
# where a match can start; refers_back's list is joined into one.
AS_WRITTEN = {
    "CALL_TO_ACTION": [CALL_TO_ACTION],
    "POINTER": [POINTER],
    "CHROME": [CHROME],
    "TAGLINE": [TAGLINE],
    "STOCK": [STOCK],
    "SURVEY_METHOD": [SURVEY_METHOD],
    "PERSONAL": [PERSONAL],
    "SETUP": [SETUP],
    "EARLIER_TEXT": [EARLIER_TEXT],
    "REFERS_BACK": REFERS_BACK,
}
CALL_TO_ACTION = at_word_starts(CALL_TO_ACTION)
POINTER = at_word_starts(POINTER)
CHROME = at_word_starts(CHROME)
TAGLINE = at_word_starts(TAGLINE)
STOCK = at_word_starts(STOCK)
SURVEY_METHOD = at_word_starts(SURVEY_METHOD)
PERSONAL = at_word_starts(PERSONAL)
SETUP = at_word_starts(SETUP)
EARLIER_TEXT = at_word_starts(EARLIER_TEXT)
_REFERS_BACK_ANY = at_word_starts(*REFERS_BACK)


def refers_back(text: str) -> bool:
    """True when the sentence cannot be read without the one before it."""
    return bool(_REFERS_BACK_ANY.search(text))
