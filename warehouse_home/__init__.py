"""Where a warehouse lives (its home folder layout) and how the project's Python opens DuckDB."""
