"""Checks for the config values that decide where a request goes: regions, domains, hosts.

A leaf. An AWS endpoint is assembled only from a region that matched REGION, and a
user-pool domain is a bare host name, so no config value can carry `@`, `#`, `/` or a
port into a URL and move a password or token to another host.

Partitions: the commercial (`us-east-1`), China (`cn-north-1`), GovCloud
(`us-gov-west-1`) and ISO (`us-iso-east-1`, `us-isob-east-1`) regions all have the form
`^[a-z]{2}(-[a-z]+)+-\\d+$`, so one pattern accepts them; the endpoint suffix is chosen
from the region (`amazonaws.com.cn` for `cn-`, `c2s.ic.gov` for `-iso-`, `sc2s.sgov.gov`
for `-isob-`).
"""

from __future__ import annotations

import ipaddress
import re

from .errors import ConfigError
from .http import valid_header_name

REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def escaped(value: object) -> str:
    """A value quoted for a message: control and non-printable characters escaped."""
    return repr(value) if isinstance(value, str) else repr(str(value))


def valid_region(value: object) -> bool:
    return isinstance(value, str) and REGION.fullmatch(value) is not None


def region_problem(value: object) -> str | None:
    if value == "" or valid_region(value):
        return None
    return f"must be an AWS region such as us-east-1, not {escaped(value)}"


def pool_id_problem(value: object, separator: str, example: str) -> str | None:
    """A user pool id (REGION_ID) or identity pool id (REGION:GUID) whose region is valid."""
    if not isinstance(value, str) or value == "":
        return None
    region, sep, rest = value.partition(separator)
    if sep and valid_region(region) and rest and re.fullmatch(r"[A-Za-z0-9-]+", rest):
        return None
    return f"must be REGION{separator}ID such as {example}, not {escaped(value)}"


def user_pool_id_problem(value: object) -> str | None:
    return pool_id_problem(value, "_", "us-east-1_AbC123")


def identity_pool_id_problem(value: object) -> str | None:
    return pool_id_problem(value, ":", "us-east-1:0000aaaa-1111-2222-3333-444455556666")


def hostname_problem(host: str, lax: bool = False) -> str | None:
    """Why `host` is not a DNS name or IP literal, or None. `lax` allows `_` in labels."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            return "is not a valid IPv6 address"
        return None
    if not host:
        return "has an empty host name"
    if any(c.isspace() or not c.isprintable() for c in host):
        return "host name holds a space or control character"
    if len(host) > 253:
        return "host name is longer than 253 characters"
    labels = host.rstrip(".").split(".")
    sent = 0  # characters of the name as it goes on the wire (IDNA-encoded)
    for label in labels:
        if not label:
            return "host name has an empty label (two dots in a row, or a leading dot)"
        encoded, problem = _wire_label(label) if lax else (label, None)
        if problem:
            return problem
        if len(encoded) > 63:
            return "host name has a label longer than 63 characters"
        sent += len(encoded) + 1
        # lax (endpoints): `_` and international letters (IDNA-encoded when sent) are fine.
        if lax:
            ok = all(c.isalnum() or c in "-_" for c in label)
        else:
            ok = _LABEL.fullmatch(label) is not None
        if not ok:
            return f"host name label {escaped(label)} is not letters, digits and hyphens"
    if sent - 1 > 253:
        return "host name is longer than 253 characters"
    return None


def _wire_label(label: str) -> tuple[str, str | None]:
    """A label as urllib3 sends it: IDNA-encoded (its codec: idna, strict, STD3 rules) when
    not ASCII, so what passes here is what a request can connect to."""
    if label.isascii():
        return label, None
    # idna only for an international name (start-up)
    import idna

    try:
        return idna.encode(label.lower(), strict=True, std3_rules=True).decode("ascii"), None
    except idna.IDNAError as e:
        if "too long" in str(e):
            return label, "host name has a label longer than 63 characters once IDNA-encoded"
        return label, f"host name label {escaped(label)} is not a valid international (IDNA) name"


def domain_problem(value: object) -> str | None:
    """A user-pool domain: a bare host name (or https://host), port only on loopback."""
    if not isinstance(value, str) or value == "":
        return None
    bad = f"must be a host name such as myapp.auth.us-east-1.amazoncognito.com, not {escaped(value)}"
    rest = value
    lower = value.lower()
    for scheme in ("https://", "http://"):
        if lower.startswith(scheme):
            rest = value[len(scheme):]
            break
    rest = rest.removesuffix("/")
    if any(c in rest for c in "@/#?\\") or not rest:
        return bad
    host, port = rest, None
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return bad
        host, tail = rest[: end + 1], rest[end + 1:]
        if tail:
            if not tail.startswith(":"):
                return bad
            port = tail[1:]
    elif ":" in rest:
        host, _, port = rest.rpartition(":")
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            return bad
        if host.strip("[]").lower() not in LOOPBACK_HOSTS:
            return f"may hold a port only on a loopback host (127.0.0.1, ::1, localhost), not {escaped(value)}"
    problem = hostname_problem(host)
    return f"{problem}: {escaped(value)}" if problem else None


def aws_host(prefix: str, region: str) -> str:
    """`<prefix>.<region>.<partition suffix>`, from a region that matched REGION."""
    if not valid_region(region):
        raise ConfigError(
            f"AWS region {escaped(region)} is not a region name such as us-east-1",
            hint="check the profile's region, user_pool_id, identity_pool_id, or AWS_REGION",
        )
    if region.startswith("cn-"):
        suffix = "amazonaws.com.cn"
    elif "-isob-" in region:
        suffix = "sc2s.sgov.gov"
    elif "-iso-" in region:
        suffix = "c2s.ic.gov"
    else:
        suffix = "amazonaws.com"
    return f"{prefix}.{region}.{suffix}"




def header_name_problem(value: object) -> str | None:
    """A header name must be an RFC 9110 token."""
    if isinstance(value, str) and valid_header_name(value):
        return None
    return f"must be a header name (letters, digits and !#$%&'*+-.^_`|~), not {escaped(value)}"
