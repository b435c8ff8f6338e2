"""`none`: send no credentials at all (Amplify's defaultAuthMode 'none')."""

from __future__ import annotations

from .base import AuthBase, Mode


class NoAuth(AuthBase):
    """An explicit auth object: requests consults ~/.netrc only when auth is None."""


MODE = Mode(
    name="none", summary="no credentials", params=(), build=lambda settings: NoAuth(),
    credentials_from=lambda settings: "none: no credentials are sent (not even ~/.netrc)",
)
