"""Feeds: reading RSS/Atom/JSON Feed (`reader`), subscriptions (`subscribe`), what the
worker's feed and page jobs do (`tasks`) and per-host politeness (`politeness`)."""
