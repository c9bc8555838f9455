"""A stand-in judge for the Copperpot example: an OpenAI-compatible endpoint that answers the tone
judge from keywords, so the example runs anywhere without an API key.

It is deliberately imperfect (it misses sarcasm that uses no tell-tale words, and flags some brief
but polite replies), as a real judge is; `evalspec judge calibrate` measures how imperfect. The
verdicts in judges/verdicts.jsonl were recorded from it. To use a real model instead, set `model`
and `base_url` in support.eval's judge block and OPENAI_API_KEY, then run `evalspec judge calibrate`.

    python examples/support/mock_judge.py --port 8765
"""

from __future__ import annotations

import argparse
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CURT = re.compile(
    r"(?i)\b(obviously|you should have|not that hard|as i already said|read the|whatever|"
    r"not my problem|figure it out|you broke)\b"
)
POLITE = re.compile(r"(?i)\b(sorry|please|thanks|thank you|happy to|glad|of course)\b")


def verdict(reply: str) -> tuple[str, str]:
    """Return (result, critique) for one assistant reply."""
    if CURT.search(reply):
        return "FAIL", "The reply talks down to the customer."
    if len(reply.split()) <= 3 and not POLITE.search(reply):
        return "FAIL", "A bare, dismissive answer that offers no help."
    return "PASS", "The tone is courteous enough for a support reply."


def reply_of(prompt: str) -> str:
    """The assistant reply quoted in the judge prompt (see judges/tone.md)."""
    match = re.search(r"Assistant reply:\n(.*?)\n\nWrite your critique", prompt, re.S)
    return match.group(1) if match else prompt


class Handler(BaseHTTPRequestHandler):
    """POST /v1/chat/completions, answering the last user message."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        result, critique = verdict(reply_of(body["messages"][-1]["content"]))
        content = json.dumps({"critique": critique, "result": result})
        answer = {"id": "mock", "object": "chat.completion", "model": body["model"],
                  "choices": [{"index": 0, "finish_reason": "stop",
                               "message": {"role": "assistant", "content": content}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet."""


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
