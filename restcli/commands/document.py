"""`--json` on the commands that print data: one JSON document on stdout (gh's convention).

Pretty on a terminal, one compact line into a pipe (as bodies are). Every string is
scrubbed of the run's secrets before encoding, so a secret is redacted whatever JSON
escaping would make of it, exactly as the table and text forms are.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..app import App


def print_document(app: App, data: Any) -> None:
    text = json.dumps(_scrubbed(app, data), ensure_ascii=False,
                      indent=2 if app.stdout_tty else None)
    app.out.write(text + "\n")
    app.out.flush()


def _scrubbed(app: App, data: Any) -> Any:
    if isinstance(data, str):
        return app.redactor.scrub(data)
    if isinstance(data, dict):
        return {app.redactor.scrub(str(k)): _scrubbed(app, v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_scrubbed(app, v) for v in data]
    return data
