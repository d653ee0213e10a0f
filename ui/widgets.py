"""Small rendering helpers shared by pages: escaping user text for Markdown and for downloaded tables. Nothing
here computes a figure."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Escapes Markdown (and the `<`/`>` of would-be HTML) in user text such as file or column names.

    Streamlit never renders HTML without `unsafe_allow_html`, but Markdown in a file name could still turn into a
    link or an image; escaping keeps user text exactly as typed.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


# A spreadsheet runs a cell that starts with one of these as a formula when a table is downloaded and opened.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"^[-+]\s?[₩$€£]?\s?[\d.,]+\s?(%|pp|×|x|원)?$")


def export_safe_text(value: object) -> object:
    """One cell: text a spreadsheet would read as a formula gets a leading apostrophe (OWASP's CSV-injection rule).

    Formatted numbers such as "-2.0 pp" or "-₩1,200" are left alone, as are real numbers and a lone "-"."""
    if not isinstance(value, str) or len(value) < 2 or not value.startswith(_FORMULA_TRIGGERS):
        return value
    return value if _NUMBER_LIKE.match(value) else "'" + value


def export_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as every table on screen shows it: each has a "Download as CSV" button, so user text that starts
    with = + - @ (a header, a product name, a segment) is neutralised first. Numeric columns are untouched."""
    safe = frame.rename(columns=lambda c: export_safe_text(c) if isinstance(c, str) else c)
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(export_safe_text)
    return safe


def table(frame: pd.DataFrame, **kwargs: object) -> None:
    """st.dataframe for any frame that may hold user text (see export_safe)."""
    st.dataframe(export_safe(frame), **kwargs)
