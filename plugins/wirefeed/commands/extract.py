"""`wirefeed extract PATH [--published ISO8601] [--url URL]`: one item's wire metadata as one JSON object."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from wirefeed import config
from wirefeed.cli import print_json
from wirefeed.errors import ParseError, WirefeedError
from wirefeed.extract import extract_article
from wirefeed.extract.reader import read_item
from wirefeed.models import Article


def register(sub) -> None:
    """Add the `extract` command."""
    parser = sub.add_parser("extract", help="extract agencies, dateline, authors... from one news item file")
    parser.add_argument("path", metavar="PATH", help="wire text, an HTML page or fragment, a feed or a JSON item")
    parser.add_argument("--published", metavar="ISO8601", help="publication time (reference for the dateline date)")
    parser.add_argument("--url", help="the item's URL")
    parser.add_argument("--outlet", help="the publishing outlet (named when a disclaimer says 'our staff')")
    parser.set_defaults(handler=run)


def _published(value: str | None) -> datetime | None:
    """The --published option as an aware UTC datetime (naive means UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WirefeedError(f"--published {value!r} is not an ISO 8601 date or time") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def read_file(path: str) -> bytes:
    """The file's bytes; refused beyond the fetch cap, since no news item is that large."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(config.MAX_BODY_BYTES + 1)
    except OSError as exc:
        raise WirefeedError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > config.MAX_BODY_BYTES:
        raise WirefeedError(f"{path}: larger than {config.MAX_BODY_BYTES // (1024 * 1024)} MB, not a news item")
    return data


def as_json(article: Article) -> dict:
    """The CLI's JSON shape of an Article."""
    dateline = article.dateline
    return {
        "title": article.title,
        "text": article.text,
        "agencies": list(article.agencies),
        "dateline": None if dateline is None else {
            "raw": dateline.raw, "place": dateline.place, "region": dateline.region,
            "country_code": dateline.country_code,
            "date": dateline.date.isoformat() if dateline.date else None,
        },
        "authors": list(article.authors),
        "language": article.language,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "word_count": article.word_count,
        "syndicated": article.syndicated,
        "syndicated_by": article.syndicated_by,
    }


def run(args) -> int:
    """Read, parse, clean and extract one item; print it."""
    data = read_file(args.path)
    try:
        item = read_item(data, url=args.url, published=_published(args.published))
    except ParseError as exc:
        raise WirefeedError(f"{args.path}: {exc}") from None
    print_json(as_json(extract_article(item, outlet=args.outlet)))
    return 0
