"""A server's Location never ends in "unexpected": malformed ones are a refused redirect."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("location", [
    "http://[::1/x", "http://h.example:99999/x", "http://[zz::1]/x", "//[::1", "ftp://x/y",
])
def test_malformed_or_foreign_location_is_exit_3_with_one_line(cli, profiles, gateway, location):
    r = cli("get", "open", "/redirect", f"to=={location}")
    assert r.code == 3, r.stderr
    assert "unexpected" not in r.stderr
    assert r.stderr.count("restcli: error:") == 1


def test_not_modified_is_success(cli, profiles, gateway):
    r = cli("get", "open", "/status/304")
    assert r.code == 0, r.stderr
    assert r.stderr == ""


@pytest.mark.parametrize("location", ["http://exa mple.com/x", "http://exa\x00mple.com/x",
                                      "http://a..b/x", "http://a\x1bb.example/x"])
def test_a_location_whose_host_is_not_a_host_name_is_a_refused_redirect(cli, profiles, gateway,
                                                                        location):
    r = cli("get", "open", "/redirect", "to==" + location.replace("\x00", "%00"))
    assert r.code == 3, r.stderr
    assert r.stderr.count("restcli: error:") == 1
    assert "redirect to an invalid URL" in r.stderr and "host name" in r.stderr
    assert "\x00" not in r.stderr and "\x1b" not in r.stderr  # shown inert
    assert len(gateway.received) == 1
