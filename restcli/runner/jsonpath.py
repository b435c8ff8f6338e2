"""JSONPath through jsonpath-rfc9535, with Hurl's rule for one value versus a list.

jsonpath-rfc9535 follows RFC 9535 strictly (no extensions that would accept paths other
JSONPath implementations reject) and tells whether a query is singular (only name and
index selectors): Hurl returns that single value, or nothing when absent; any other query
returns the list of the nodes it selects.
"""

from __future__ import annotations

from functools import lru_cache

from restcli.runner.values import NOTHING


@lru_cache(maxsize=512)
def compile_path(path: str):
    # Only a file with a jsonpath query or filter pays for the library (~20 ms: start-up).
    import jsonpath_rfc9535

    try:
        return jsonpath_rfc9535.compile(path)
    except jsonpath_rfc9535.JSONPathError as e:
        raise ValueError(str(e).splitlines()[0]) from None


def evaluate(path: str, document: object) -> object:
    return select(compile_path(path), document)


def select(query, document: object) -> object:
    """A compiled path's value in a parsed document: one value (or NOTHING), or a list."""
    values = [node.value for node in query.finditer(document)]
    if query.singular_query():
        return values[0] if values else NOTHING
    return values
