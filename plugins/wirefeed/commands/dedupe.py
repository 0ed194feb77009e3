"""`wirefeed dedupe [--json] FILE ...`: group files that carry copies of one story; prints {"groups": [[path, ...]]}."""
from __future__ import annotations


from wirefeed.clean import clean_item
from wirefeed.cli import print_json
from wirefeed.commands.extract import read_file
from wirefeed.dedupe import group_documents
from wirefeed.dedupe.cluster import UnionFind
from wirefeed.errors import ParseError, WirefeedError
from wirefeed.extract import extract_article
from wirefeed.extract.reader import read_item
from wirefeed.models import Article
from wirefeed.parse import parse


def register(sub) -> None:
    """Add the `dedupe` command."""
    parser = sub.add_parser("dedupe", help="group news files that are copies of one story")
    parser.add_argument("files", nargs="+", metavar="FILE", help="wire text, HTML, a feed or a JSON item")
    parser.add_argument("--json", action="store_true", help="JSON output (the default and only format)")
    parser.set_defaults(handler=run)


def read_articles(path: str) -> list[Article]:
    """Parse, clean and extract every item of one file; WirefeedError if it holds none."""
    data = read_file(path)
    result = parse(data)
    items = [clean_item(item) for item in result.items]
    if not items:
        # Shapes a feed parser does not read (one JSON item, an HTML fragment) are still one article.
        try:
            items = [read_item(data)]
        except ParseError as exc:
            raise WirefeedError(f"{path}: {result.error or exc}") from None
    return [extract_article(item) for item in items]


def group_files(paths: list[str]) -> list[list[str]]:
    """Groups of the given paths whose items are copies of one story, each path in exactly one group."""
    articles, owner = [], []
    for index, path in enumerate(paths):
        found = read_articles(path)
        articles.extend(found)
        owner.extend([index] * len(found))
    # A feed file holds many items: files join when any of their items share a story.
    files = UnionFind()
    for index in range(len(paths)):
        files.find(index)
    for group in group_documents(articles):
        for member in group[1:]:
            files.union(owner[group[0]], owner[member])
    groups = {}
    for index in range(len(paths)):
        groups.setdefault(files.find(index), []).append(paths[index])
    return list(groups.values())


def run(args) -> int:
    """Print the groups of the given files as one JSON object."""
    print_json({"groups": group_files(args.files)})
    return 0
