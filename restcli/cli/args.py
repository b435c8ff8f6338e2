"""Argument types shared by the Typer commands."""

from typing import Annotated, List

import typer


def complete_profile(ctx: typer.Context, incomplete: str) -> List[str]:
    """Profile names for shell completion, from the file --config names (or the default)."""
    from ..locations import profile_names  # only when completing (start-up)

    return [n for n in profile_names(ctx.find_root().params.get("config")) if n.startswith(incomplete)]


# A profile that exists: completed from the profiles file.
ProfileName = Annotated[
    str, typer.Argument(metavar="PROFILE", autocompletion=complete_profile, show_default=False)
]
