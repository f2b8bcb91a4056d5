"""Connection URLs are shown without their secrets (clientlens.urls)."""

from __future__ import annotations

import pytest

from clientlens.urls import mask_url, scrub


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://me:pw@host:5432/db", "postgresql://me:***@host:5432/db"),
        ("postgresql://me@host/db", "postgresql://me@host/db"),
        (
            "postgresql://host/db?password=x&sslmode=require",
            "postgresql://host/db?password=***&sslmode=require",
        ),
        ("postgresql://me:p%40ss@host/db", "postgresql://me:***@host/db"),
        ("duckdb:///tmp/shop.duckdb", "duckdb:///tmp/shop.duckdb"),
        ("postgresql://me:pw@[::1", "<***>"),  # not a URL that can be taken apart
        ("host=db user=me password=pw", "<***>"),  # libpq's key=value form
    ],
)
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_scrub_masks_the_url_and_the_password_wherever_a_message_quotes_them():
    url = "postgresql://me:p%40ss@host/db?token=t0k"
    message = f"Don't know how to connect to '{url}'; user me, password p@ss, token t0k"
    assert scrub(message, url) == (
        "Don't know how to connect to 'postgresql://me:***@host/db?token=***'; "
        "user me, password ***, token ***"
    )


def test_a_database_source_that_is_not_a_url_is_refused_without_echoing_it():
    from clientlens import DatabaseSource
    from clientlens.errors import DataContractError

    with pytest.raises(DataContractError) as info:
        DatabaseSource("host=db user=me password=pw", table="orders")
    assert str(info.value) == (
        "The database to import from is not a URL; write it as "
        "postgresql://user@host:5432/database."
    )
