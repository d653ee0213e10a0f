"""Dataset helpers that the pages rely on for their defaults."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.dataset import Dataset, Fact


def _fact(name: str, days: list[str], entity: str | None = None) -> Fact:
    frame = pd.DataFrame({"date": pd.to_datetime(days), "lead_id": [f"{name}{i}" for i in range(len(days))]})
    return Fact(name, "entity", frame, entity)


def test_common_end_is_the_last_date_every_file_reaches() -> None:
    leads = _fact("l", ["2018-01-03", "2018-05-31"], "lead")
    deals = _fact("d", ["2018-02-10", "2018-10-02"], "deal")
    undated = Fact("u", "entity", pd.DataFrame({"lead_id": ["x"]}), "lead")
    dataset = Dataset((leads, deals, undated))
    assert dataset.common_end() == date(2018, 5, 31)
    assert dataset.date_range() == (date(2018, 1, 3), date(2018, 10, 2))


def test_common_end_without_dates_is_none() -> None:
    assert Dataset((Fact("u", "entity", pd.DataFrame({"lead_id": ["x"]}), "lead"),)).common_end() is None


def test_files_that_never_overlap_start_from_the_latest_date() -> None:
    statistics = _fact("s", ["2014-01-01", "2019-10-01"])
    sales = _fact("o", ["2020-01-02", "2020-06-30"])
    assert Dataset((statistics, sales)).common_end() == date(2020, 6, 30)
