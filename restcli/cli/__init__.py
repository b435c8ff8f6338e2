"""argv -> options and commands. Imports nothing: the fast path must not load Typer."""
