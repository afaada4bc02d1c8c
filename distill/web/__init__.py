"""The web library and the /v1 API: one route table (`app`), HTML pages, JSON handlers and
Atom feeds, all asking `queries` (the questions pages and the API share)."""
