"""Categories and technology tags: scoring one article (`classifier`), the library's
corrections and refiling (`corrections`), and per-category and per-technology counts the
pages show (`overview`)."""
