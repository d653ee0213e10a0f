"""Value cleaning: each written form → the value a marketer meant, and every unreadable cell reported, never raised."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from metrics.ingest import values


def _one(kind_values: list[object], hint: values.Hint | None = None) -> values.CleanColumn:
    return values.clean_column(pd.Series(kind_values, dtype=object), "col", hint)


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1,234", 1234.0),
            ("1,234,567.5", 1234567.5),
            ("₩1,234", 1234.0),
            ("1,234원", 1234.0),
            ("$5.25", 5.25),
            ("KRW 3,000", 3000.0),
            ("(1,234)", -1234.0),
            ("-42", -42.0),
            ("12.5%", 0.125),
            ("3만", 30000.0),
            ("1.2억", 120000000.0),
            ("5K", 5000.0),
            ("2.5M", 2500000.0),
            ("  17  ", 17.0),
            ("1e3", 1000.0),
        ],
    )
    def test_written_forms(self, text: str, expected: float) -> None:
        got = values.parse_numbers(pd.Series([text], dtype="str")).iloc[0]
        assert got == pytest.approx(expected)

    @pytest.mark.parametrize("text", ["abc", "C536379", "1,23,4", "--5", "12..5", "inf"])
    def test_not_numbers(self, text: str) -> None:
        assert math.isnan(values.parse_numbers(pd.Series([text], dtype="str")).iloc[0])

    @pytest.mark.parametrize("token", ["-", "N/A", "#N/A", "", None, "null", "—"])
    def test_missing_tokens_are_missing_without_warning(self, token: object) -> None:
        clean = _one(["1", token, "3"])
        assert clean.kind == "number"
        assert math.isnan(clean.values.iloc[1])
        assert not [n for n in clean.notes if n.severity == "warning"]

    def test_a_few_blank_spaces_warn_once_with_count_and_rows(self) -> None:
        clean = _one(["29.85", " ", "100", " ", "5"])
        assert clean.kind == "number"
        assert clean.values.isna().tolist() == [False, True, False, True, False]
        [note] = [n for n in clean.notes if n.severity == "warning"]
        assert "2 cell(s)" in note.message
        assert note.positions.tolist() == [1, 3]

    def test_numbers_stored_as_text_and_as_floats_mix(self) -> None:
        clean = _one([1.0, "2", "3,000", 4])
        assert clean.values.tolist() == [1.0, 2.0, 3000.0, 4.0]
        assert clean.values.dtype == "float64"


class TestDates:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-03-01", dt.datetime(2024, 3, 1)),
            ("2024/03/01", dt.datetime(2024, 3, 1)),
            ("2024. 3. 1.", dt.datetime(2024, 3, 1)),
            ("2024년 3월 1일", dt.datetime(2024, 3, 1)),
            ("24.03.01", dt.datetime(2024, 3, 1)),
            ("2024-03-01(금)", dt.datetime(2024, 3, 1)),
            ("3/1/2024", dt.datetime(2024, 3, 1)),
            ("2024-03-01 12:30:15", dt.datetime(2024, 3, 1, 12, 30, 15)),
            ("2024-03-01 12:30:15.123", dt.datetime(2024, 3, 1, 12, 30, 15, 123000)),
            ("2024-03-01T08:05", dt.datetime(2024, 3, 1, 8, 5)),
            ("3/1/2024 1:05 PM", dt.datetime(2024, 3, 1, 13, 5)),
        ],
    )
    def test_written_forms(self, text: str, expected: dt.datetime) -> None:
        assert values.parse_dates(pd.Series([text], dtype="str")).values.iloc[0] == pd.Timestamp(expected)

    @pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "hello", "12345"])
    def test_impossible_dates_are_missing(self, text: str) -> None:
        assert pd.isna(values.parse_dates(pd.Series([text], dtype="str")).values.iloc[0])

    def test_day_first_is_decided_from_the_whole_column(self) -> None:
        clean = _one(["01-02-2018", "05-03-2018", "20-10-2017"])
        assert clean.kind == "date"
        assert clean.values.iloc[0] == pd.Timestamp(2018, 2, 1)
        [note] = [n for n in clean.notes if n.code == "day_first"]
        assert "20-10-2017" in note.message

    def test_month_first_when_a_second_part_exceeds_12(self) -> None:
        clean = _one(["01/02/2018", "03/25/2018"])
        assert clean.values.iloc[0] == pd.Timestamp(2018, 1, 2)
        assert any(n.code == "month_first" for n in clean.notes)

    def test_excel_serials_under_a_date_header(self) -> None:
        clean = _one([45352.0, 45353.5], hint="date")
        assert clean.values.tolist() == [pd.Timestamp(2024, 3, 1), pd.Timestamp(2024, 3, 2, 12)]

    def test_datetime_objects_with_milliseconds(self) -> None:
        stamp = dt.datetime(2020, 4, 17, 16, 21, 6, 935000)
        clean = _one([stamp, dt.date(2020, 4, 18), ""])
        assert clean.kind == "date"
        assert clean.values.iloc[0] == pd.Timestamp(stamp)
        assert pd.isna(clean.values.iloc[2])


class TestFlagsAndText:
    @pytest.mark.parametrize(
        ("cells", "expected"),
        [
            (["예", "아니오"], [True, False]),
            (["Y", "N"], [True, False]),
            (["Yes", "No"], [True, False]),
            (["true", "FALSE"], [True, False]),
            ([True, False], [True, False]),
        ],
    )
    def test_booleans(self, cells: list[object], expected: list[bool]) -> None:
        clean = _one(cells)
        assert clean.kind == "bool"
        assert clean.values.tolist() == expected

    def test_zero_one_is_a_flag_only_when_the_header_says_so(self) -> None:
        assert _one([1.0, 0.0]).kind == "number"
        assert _one([1.0, 0.0], hint="flag").values.tolist() == [True, False]

    def test_mixed_number_and_code_ids_stay_text_without_decimals(self) -> None:
        clean = _one([536365.0, "C536379", 536366.0, "C536380"])
        assert clean.kind == "text"
        assert clean.values.tolist() == ["536365", "C536379", "536366", "C536380"]

    def test_id_hint_keeps_mangled_ids_as_text_and_warns(self) -> None:
        clean = _one(["013d950", 3894316.0, "a1b541d", dt.datetime(2018, 5, 12)], hint="id")
        assert clean.values.tolist() == ["013d950", "3894316", "a1b541d", "2018-05-12"]
        assert any(n.code == "mangled_id" for n in clean.notes)

    def test_zero_padded_codes_stay_text(self) -> None:
        assert _one(["007", "012", "100"]).values.tolist() == ["007", "012", "100"]

    @pytest.mark.parametrize(
        "cell", [object(), dt.time(12, 0), dt.timedelta(days=1), float("inf"), 10**30, "=1+1", "\x00", b"x"]
    )
    def test_never_crashes_on_odd_cells(self, cell: object) -> None:
        clean = _one(["a", cell, 3.0])
        assert len(clean.values) == 3

    def test_all_empty_column(self) -> None:
        assert _one([None, "", "-"]).kind == "empty"


class TestPeriods:
    @pytest.mark.parametrize(
        ("label", "expected"),
        [
            ("2019 4/4 p)", pd.Timestamp(2019, 10, 1)),
            ("2014 1/4", pd.Timestamp(2014, 1, 1)),
            ("2019 Q3", pd.Timestamp(2019, 7, 1)),
            ("Q2 2020", pd.Timestamp(2020, 4, 1)),
            ("2019년 2분기", pd.Timestamp(2019, 4, 1)),
            ("2020", pd.Timestamp(2020, 1, 1)),
            ("2019.03", pd.Timestamp(2019, 3, 1)),
            ("2024-03-01", pd.Timestamp(2024, 3, 1)),
        ],
    )
    def test_period_labels(self, label: str, expected: pd.Timestamp) -> None:
        assert values.parse_period_label(label) == expected

    @pytest.mark.parametrize("label", ["Date", "국가(대륙)별", "Revenue", "New - Saddles", "12"])
    def test_not_periods(self, label: str) -> None:
        assert values.parse_period_label(label) is None


@pytest.mark.slow
def test_cleaning_500k_cells_is_fast() -> None:
    """The fast path: parsing only distinct strings keeps a 500k-row column well under a second or two."""
    import time

    rng = np.random.default_rng(0)
    n = 500_000
    prices = pd.Series(rng.integers(1, 10_000, n).astype(float), dtype=object)
    prices.iloc[::1000] = "1,234"
    texts = pd.Series([f"2024-03-{d:02d}" for d in rng.integers(1, 29, n)], dtype=object)
    start = time.perf_counter()
    a = values.clean_column(prices, "price")
    b = values.clean_column(texts, "date")
    elapsed = time.perf_counter() - start
    assert (a.kind, b.kind) == ("number", "date")
    assert elapsed < 5.0
