"""`none`: send no credentials at all (Amplify's defaultAuthMode 'none')."""

from __future__ import annotations

from typing import Any

from .base import Mode


class NoAuth:
    """An explicit auth object: requests consults ~/.netrc only when auth is None."""

    sensitive_headers: tuple[str, ...] = ()

    def __call__(self, request: Any) -> Any:
        return request


MODE = Mode(name="none", summary="no credentials", params=(), build=lambda settings: NoAuth())
