"""Talking to an OpenAI-compatible model server: configured models (`config`), one bounded
request (`client`), the summary's JSON schema and prompts (`schema`), and retries after a
fallback (`retry`). The `llm` summarizer backend itself is summarize/llm.py."""
