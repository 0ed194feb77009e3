"""HTML -> plain text with paragraph breaks, and a cleaned Item."""
from __future__ import annotations

import dataclasses
import re

from bs4 import BeautifulSoup

from wirefeed.models import Item

_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, one blank line between paragraphs."""
    if not html:
        return ""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_item(item: Item) -> Item:
    """Fill html and text from the richest body the feed gave."""
    html = item.content_html or item.summary_html
    title = re.sub(r"\s+", " ", html_to_text(item.title)).strip() if "<" in item.title else item.title.strip()
    return dataclasses.replace(item, title=title, html=html, text=html_to_text(html))
