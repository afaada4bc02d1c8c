"""One chat-completion round trip to an OpenAI-compatible server, bounded in time.

This is the network code for model servers. It does not go through fetch.py's private
address guard on purpose: the base URL is written by the library's owner in models.toml,
and the usual server is on the same machine or network (Ollama, llama.cpp, vLLM). Article
URLs, which come from anyone, still go only through fetch.py.

Nothing waits forever: a connect timeout, and a total deadline checked while the body
streams in. HTTP 429 is honoured once per Retry-After within `llm_max_retry_wait` seconds;
anything else that is not a usable answer raises LLMUnavailable with a reason a reader
can understand, and whether trying again later might help.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx

from ..config import Settings
from ..errors import LLMUnavailable
from .config import DEFAULT_MAX_TOKENS, ModelEntry

MAX_RESPONSE_BYTES = 4_000_000  # a summary is a few KiB; more is a broken server
RATE_LIMIT_ATTEMPTS = 3  # requests in all when the server keeps answering 429


@dataclass
class Reply:
    content: str
    finish_reason: str
    seconds: float
    logprobs: Any = None  # the choice's "logprobs" object, when the request asked for it


def response_format(entry: ModelEntry, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The structured-output request in the dialect this server speaks."""
    if entry.dialect == "json_schema":  # OpenAI, vLLM, recent llama.cpp and Ollama
        return {
            "type": "json_schema",
            "json_schema": {"name": "summary", "strict": True, "schema": schema},
        }
    if entry.dialect == "json_object":  # llama-cpp-python and older llama.cpp servers
        # Their schema-to-grammar step expands maxLength into one nested rule per character
        # and fails to parse the result for our 400-character bounds; list bounds and the
        # request's max_tokens still end generation, and parse_summary enforces lengths.
        return {"type": "json_object", "schema": _without(schema, "maxLength")}
    return None


def _without(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


def _retry_after(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def chat(
    entry: ModelEntry,
    settings: Settings,
    messages: list[dict[str, str]],
    schema: dict[str, Any] | None = None,
    max_tokens: int | None = None,
) -> Reply:
    body: dict[str, Any] = {"model": entry.model, "messages": messages}
    body.update(entry.options)
    body["max_tokens"] = max_tokens or entry.max_tokens or DEFAULT_MAX_TOKENS
    if schema is not None:
        fmt = response_format(entry, schema)
        if fmt is not None:
            body["response_format"] = fmt
    headers = {"Content-Type": "application/json", "User-Agent": settings.user_agent}
    if entry.api_key():
        headers["Authorization"] = f"Bearer {entry.api_key()}"
    started = time.monotonic()
    deadline = started + float(settings.llm_total_timeout)
    url = f"{entry.base_url}/chat/completions"
    for _ in range(RATE_LIMIT_ATTEMPTS):
        status, resp_headers, raw = _post(url, body, headers, settings, deadline)
        if status != 429:
            break
        wait = _retry_after(resp_headers.get("retry-after", ""))
        if wait is None:
            wait = 1.0
        if wait > float(settings.llm_max_retry_wait) or time.monotonic() + wait > deadline:
            raise LLMUnavailable(
                f"{entry.name}: rate limited (HTTP 429, Retry-After {wait:g} s is longer than "
                "llm_max_retry_wait or the time left)"
            )
        time.sleep(wait)
    else:
        raise LLMUnavailable(f"{entry.name}: still rate limited (HTTP 429) after retries")
    if status >= 400:
        snippet = raw[:200].decode("utf-8", "replace")
        raise LLMUnavailable(
            f"{entry.name}: server answered HTTP {status}: {snippet}",
            retry=status >= 500 or status in (408, 409),
        )
    try:
        data = json.loads(raw)
        choice = data["choices"][0]
        content = choice["message"]["content"] or ""
        finish = str(choice.get("finish_reason") or "")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMUnavailable(
            f"{entry.name}: the answer is not an OpenAI-style chat completion ({exc!r})"
        ) from exc
    return Reply(str(content), finish, time.monotonic() - started, choice.get("logprobs"))


def _post(
    url: str, body: dict[str, Any], headers: dict[str, str], settings: Settings, deadline: float
) -> tuple[int, dict[str, str], bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise LLMUnavailable(f"{url}: no answer within llm_total_timeout")
    timeout = httpx.Timeout(
        connect=min(float(settings.llm_connect_timeout), remaining),
        read=remaining,
        write=remaining,
        pool=remaining,
    )
    try:
        with (
            httpx.Client(timeout=timeout, trust_env=False) as client,
            client.stream("POST", url, json=body, headers=headers) as resp,
        ):
            raw = bytearray()
            for chunk in resp.iter_bytes():
                raw.extend(chunk)
                if len(raw) > MAX_RESPONSE_BYTES:
                    raise LLMUnavailable(f"{url}: answer larger than {MAX_RESPONSE_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise LLMUnavailable(
                        f"{url}: no complete answer within llm_total_timeout "
                        f"({settings.llm_total_timeout:g} s)"
                    )
            return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, bytes(raw)
    except httpx.ConnectTimeout as exc:
        raise LLMUnavailable(f"{url}: connection timed out (llm_connect_timeout)") from exc
    except httpx.TimeoutException as exc:
        raise LLMUnavailable(
            f"{url}: no answer within llm_total_timeout ({settings.llm_total_timeout:g} s)"
        ) from exc
    except httpx.ConnectError as exc:
        raise LLMUnavailable(f"{url}: cannot connect ({exc})") from exc
    except httpx.HTTPError as exc:
        raise LLMUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc


# Top alternatives asked for the one-token answer of yes_probability; "yes" and "no" are
# nearly always among a chat model's first few, spelled with or without a leading space.
TOP_LOGPROBS = 10


def yes_probability(entry: ModelEntry, settings: Settings, messages: list[dict[str, str]]) -> float:
    """P(yes) / (P(yes) + P(no)) of the model's one-token answer to a yes/no question.

    From the answer's log probabilities when the server returns them (OpenAI, vLLM,
    llama.cpp, recent Ollama): a graded score ranks sentences, which a bare word cannot.
    A server without log probabilities gives 1.0 or 0.0 from the word it wrote.
    """
    options = {k: v for k, v in entry.options.items() if k not in ("max_tokens", "logprobs")}
    options.update(max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=TOP_LOGPROBS)
    reply = chat(dataclasses.replace(entry, dialect="none", options=options), settings, messages)
    yes = no = 0.0
    try:
        tops = reply.logprobs["content"][0]["top_logprobs"]
        for top in tops:
            word = str(top["token"]).strip().lower()
            if word == "yes":
                yes += math.exp(float(top["logprob"]))
            elif word == "no":
                no += math.exp(float(top["logprob"]))
    except (KeyError, IndexError, TypeError, ValueError):
        pass  # no usable log probabilities: the written word decides below
    if yes + no > 0:
        return yes / (yes + no)
    word = reply.content.strip().lower()
    if word.startswith("yes"):
        return 1.0
    if word.startswith("no"):
        return 0.0
    raise LLMUnavailable(f"{entry.name}: answered {reply.content[:40]!r} to a yes/no question")
