"""parse_date and settle: every spelling feeds use, naive times in the feed's zone, the future clamped."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wirefeed.parse.dates import parse_date, settle

UTC = timezone.utc


@pytest.mark.parametrize("value, expected", [
    ("Tue, 20 May 2025 10:30:00 GMT", datetime(2025, 5, 20, 10, 30, tzinfo=UTC)),
    ("Tue, 20 May 2025 10:30:00 +0530", datetime(2025, 5, 20, 5, 0, tzinfo=UTC)),
    ("Tue, 20 May 2025 10:30:00 EDT", datetime(2025, 5, 20, 14, 30, tzinfo=UTC)),
    ("Tue, 20 May 2025 10:30:00 CEST", datetime(2025, 5, 20, 8, 30, tzinfo=UTC)),
    ("20 May 2025 10:30 IST", datetime(2025, 5, 20, 5, 0, tzinfo=UTC)),
    ("2025-05-20T10:30:00Z", datetime(2025, 5, 20, 10, 30, tzinfo=UTC)),
    ("2025-05-20T10:30:00.123+02:00", datetime(2025, 5, 20, 8, 30, 0, 123000, tzinfo=UTC)),
    ("2025-05-20", datetime(2025, 5, 20, tzinfo=UTC)),
    ("May 20, 2025", datetime(2025, 5, 20, tzinfo=UTC)),
    ("Fri, 31 Mar 2023 20:19:00 America/Los_Angeles", datetime(2023, 4, 1, 3, 19, tzinfo=UTC)),
    ("Κυρ, 11 Ιούλ 2004 12:00:00 EST", datetime(2004, 7, 11, 17, 0, tzinfo=UTC)),
    ("Seg, 24 Set 2018 19:22:00 -0300", datetime(2018, 9, 24, 22, 22, tzinfo=UTC)),    # Portuguese
    ("mié, 03 dic 2025 08:00:00 +0100", datetime(2025, 12, 3, 7, 0, tzinfo=UTC)),      # Spanish
    ("lun., 12 févr. 2024 10:00:00 +0100", datetime(2024, 2, 12, 9, 0, tzinfo=UTC)),   # French
    ("Di, 05 März 2024 10:00:00 +0100", datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),       # German
    ("Sun, 20 Apr 2014 8:19 pm CEST", datetime(2014, 4, 20, 18, 19, tzinfo=UTC)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "not a date", "2003-12-31T25:14:55Z", "2013-xx-27", "013",
                                   "99999-99-99", "2025-05-20 " + "x" * 1_000_000])
def test_unreadable_dates_are_none(value):
    assert parse_date(value) is None


def test_naive_times_take_the_given_zone():
    assert parse_date("2025-05-20 10:30:00", ZoneInfo("Asia/Kolkata")) == datetime(2025, 5, 20, 5, 0, tzinfo=UTC)
    assert parse_date("Tue, 20 May 2025 10:30:00", ZoneInfo("Europe/Paris")) == datetime(2025, 5, 20, 8, 30, tzinfo=UTC)
    # an explicit zone beats the feed's
    assert parse_date("2025-05-20T10:30:00Z", ZoneInfo("Asia/Kolkata")) == datetime(2025, 5, 20, 10, 30, tzinfo=UTC)


def test_settle():
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert settle(now - timedelta(days=3), now) == (now - timedelta(days=3), ())
    assert settle(now + timedelta(hours=23), now) == (now + timedelta(hours=23), ())  # clock skew tolerated
    assert settle(now + timedelta(days=2), now) == (now, ("date_clamped",))
    assert settle(None, now) == (None, ("date_missing",))
