"""The work behind the subcommands, without Typer: the CLI parses, these act."""
