"""Finding articles: the query language (`syntax`), ranking (`engine`), passages shown
with each hit (`snippets`) and "more like this" (`related`). The SQL they run is in
store/search_index.py."""
