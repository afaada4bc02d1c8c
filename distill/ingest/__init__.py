"""Getting an article in: sources, fetching, extraction, and the pipeline that stores it.

`pipeline.ingest(source, store, settings)` is the path of one article; the other modules are
its stages, each taking and returning plain data (see docs/architecture.md).
"""
