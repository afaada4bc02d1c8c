"""FakeLLMServer: a scripted OpenAI-compatible chat server on 127.0.0.1, named as a fake.

A real model cannot be made to answer faithfully, invent exactly one number, rate-limit,
hang or cut its JSON short on demand; this fake can. It speaks real HTTP, so the client,
timeouts and retries under test are the real ones. The real llama.cpp tier is in
tests/test_llm_llamacpp.py.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hang, past a timeout)


def completion(content: str, finish: str = "stop", logprobs: Any = None) -> Scripted:
    data: dict[str, Any] = {
        "id": "fake-1",
        "object": "chat.completion",
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
    }
    if logprobs is not None:
        data["choices"][0]["logprobs"] = logprobs
    return Scripted(200, json.dumps(data).encode())


def yes_no(p_yes: float, written: str = "") -> Scripted:
    """A one-token answer with OpenAI-style log probabilities for " Yes" and "No"."""
    tops = [
        {"token": "Yes", "logprob": math.log(max(p_yes, 1e-9))},
        {"token": "No", "logprob": math.log(max(1 - p_yes, 1e-9))},
        {"token": "The", "logprob": math.log(1e-4)},
    ]
    word = written or ("Yes" if p_yes >= 0.5 else "No")
    return completion(word, "length", {"content": [{"token": word, "top_logprobs": tops}]})


class FakeLLMServer:
    def __init__(self) -> None:
        self.script: list[Scripted] = []
        self.default: Scripted | None = None
        # Answers computed from the request, when no scripted answer is queued.
        self.responder: Callable[[dict[str, Any]], Scripted] | None = None
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization", "")}
                )
                item = fake.script.pop(0) if fake.script else fake.default
                if item is None and fake.responder is not None:
                    item = fake.responder(body)
                if item is None:
                    item = Scripted(500, b'{"error": "script exhausted"}')
                if item.delay:
                    time.sleep(item.delay)
                try:
                    self.send_response(item.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(item.body)))
                    for key, value in item.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(item.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
