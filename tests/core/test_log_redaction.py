"""Bearer codes in addresses (a resident's personal page, a receipt link, a signed attachment link) never reach the
access log."""

from __future__ import annotations

import logging

import pytest

from fengqiao.core.logs import redact


def test_an_access_line_keeps_the_path_and_loses_the_code(caplog: pytest.LogCaptureFixture) -> None:
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The shape uvicorn logs: client, method, full path, HTTP version, status.
        access.info(
            '%s - "%s %s HTTP/%s" %d', "10.0.0.7:5100", "GET", "/participation/me/?k=Zq3-SECRET_code&tab=2", "1.1", 200
        )
    line = caplog.records[-1].getMessage()
    assert "SECRET" not in line
    assert "/participation/me/?k=***&tab=2" in line


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("/track/ABC?k=s3cr3t", "/track/ABC?k=***"),
        ("/files/3/?t=signed.token:xyz", "/files/3/?t=***"),
        ("/events/?state=open&k=abc", "/events/?state=open&k=***"),
        ("/events/?kind=x&token=1", "/events/?kind=x&token=1"),  # other parameters untouched
    ],
)
def test_each_secret_parameter_is_replaced_and_nothing_else(address: str, kept: str) -> None:
    assert redact(address) == kept
