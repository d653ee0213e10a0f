"""Small rendering helpers shared by pages. Nothing here computes a figure."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Escapes Markdown (and the `<`/`>` of would-be HTML) in user text such as file or column names.

    Streamlit never renders HTML without `unsafe_allow_html`, but Markdown in a file name could still turn into a
    link or an image; escaping keeps user text exactly as typed.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
