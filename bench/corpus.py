"""A generated feed corpus with known structure (wire copies, look-alikes, originals), its ground truth, and a server.

Every item belongs to one story. A share of the items are copies of pooled wire stories, as outlets republish
them: a new headline, the agency's dateline and sign-off, the outlet's partner disclaimer, sometimes a late update
(an added paragraph), a truncation ("Read more") or a one-word edit. Some pooled stories are look-alikes: daily
market wraps and fuel-price notes built on one template, which differ only in their figures, dates and places,
and are distinct stories. The rest are each outlet's own originals. The truth is an array of story ids, one per
(feed, item position); the item GUID names its position.
"""
from __future__ import annotations

import json
import multiprocessing
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

START = datetime(2025, 5, 1, tzinfo=timezone.utc)
DAYS = 60  # the stretch of days the stories are spread over, at least
# Pooled stories a day, at most: a larger corpus spans more days, not denser ones. At 60 days for every size, 1M
# items held 17 "distinct" fuel notes per city and day (up to 34), told apart only by random prices, where 100k held
# 1.7: a density no agency files, which measured the corpus rather than the clustering.
POOLED_PER_DAY = 210
_WORDS = (
    "the of and to in a is that for on was with he as it by at from his an were are which this be has had not "
    "also their have its after they said more been who over first two than new other some into would three "
    "government minister officials police state court country city district army leaders talks deal plan "
    "project water power road rail port bank market trade tax budget prices farmers workers students hospital "
    "health doctors patients election party vote campaign council committee report inquiry meeting summit "
    "agreement border security defence forces attack fire flood rain storm heat drought crop harvest schools "
    "university research company shares profit loss quarter growth inflation rates exports imports oil gas "
    "coal solar wind energy grid supply demand visit delegation president prime secretary spokesperson chief "
    "judge bench petition hearing verdict bail arrest charges probe agency team coach match series final win "
    "defeat league club season injury record crowd festival temple film music award launch mission satellite "
    "space science data network mobile internet digital cyber fraud scheme subsidy pension housing transport "
    "airport flight passengers traffic accident bridge highway village town region province capital residents "
    "families children women youth community leaders opposition ruling alliance coalition assembly parliament "
    "bill law amendment policy reform review decision statement warning demand protest strike rally march "
    "during before since while under between against across following amid despite around about nearly "
    "announced confirmed reported stated added noted urged called sought approved rejected signed launched "
    "opened closed raised cut increased reduced expanded delayed resumed began ended continued expected "
    "major senior local national regional global foreign domestic economic political military strategic "
    "public private urban rural early late recent annual monthly weekly daily key main joint special"
).split()
_NAMES = ("Katz Hasanov Sharma Verma Iyer Rao Khan Singh Das Gupta Mehta Bose Nair Reddy Joshi Patel Kapoor "
          "Chen Novak Okafor Silva Haddad Moreau Petrov Tanaka Kim Larsen Mendes Costa Alvarez Weber").split()
_CITIES = (("New Delhi", "India"), ("Mumbai", "India"), ("Chennai", "India"), ("Kolkata", "India"),
           ("Bengaluru", "India"), ("Hyderabad", "India"), ("Lucknow", "India"), ("Jaipur", "India"),
           ("Tel Aviv", "Israel"), ("Dubai", "UAE"), ("Colombo", "Sri Lanka"), ("Kathmandu", "Nepal"),
           ("Dhaka", "Bangladesh"), ("Islamabad", "Pakistan"), ("London", "UK"), ("Washington", "US"),
           ("Beijing", "China"), ("Tokyo", "Japan"), ("Moscow", "Russia"), ("Berlin", "Germany"))
_FUEL_CITIES = ("Delhi", "Mumbai", "Kolkata", "Chennai", "Bengaluru", "Hyderabad", "Lucknow", "Jaipur",
                "Patna", "Bhopal", "Chandigarh", "Pune")
_FIRMS = ("Reliance Industries", "Infosys", "HDFC Bank", "ICICI Bank", "Tata Motors", "Larsen & Toubro",
          "Bharti Airtel", "Maruti Suzuki", "Asian Paints", "Wipro", "Titan", "Sun Pharma", "NTPC", "ITC")
_AGENCIES = ("ANI", "PTI", "Reuters", "IANS")
_OUTLET_WORDS = ("Daily Herald Tribune Chronicle Courier Times Post Observer Gazette Express Mirror Ledger "
                 "Sentinel Standard Voice Pioneer Star Bulletin").split()
_DISCLAIMERS = (
    "(This story has not been edited by {outlet} staff and is auto-generated from a syndicated feed.)",
    "(Only the headline of this report may have been reworked by {outlet} staff; the rest of the content is "
    "auto-generated from a syndicated feed.)",
    "Disclaimer: This story is published from a syndicated feed and has not been edited by {outlet} staff.",
)


@dataclass(frozen=True)
class Spec:
    """What to generate: how many feeds and items, and the shares of each kind of item."""

    feeds: int
    items_per_feed: int = 50
    syndicated: float = 0.5  # share of each feed's items that are copies of pooled (wire) stories
    lookalike: float = 0.2  # share of pooled stories built on a shared template (market wraps, fuel notes)
    copies: float = 4.0  # mean copies per pooled story across the corpus
    updated: float = 0.1  # share of copies that are late updates (one paragraph added)
    truncated: float = 0.1  # share of copies cut after two paragraphs with "Read more"
    edited: float = 0.2  # share of copies with one word changed
    seed: int = 7

    @property
    def items(self) -> int:
        """Items in the whole corpus."""
        return self.feeds * self.items_per_feed

    @property
    def syndicated_per_feed(self) -> int:
        """Copies of pooled stories in each feed (the rest are originals)."""
        return round(self.items_per_feed * self.syndicated)

    @property
    def pool(self) -> int:
        """How many pooled stories the copies are drawn from."""
        return max(1, round(self.feeds * self.syndicated_per_feed / self.copies))

    @property
    def days(self) -> int:
        """The stretch of days the stories are spread over: DAYS, or more for a pool beyond POOLED_PER_DAY a day."""
        return max(DAYS, -(-self.pool // POOLED_PER_DAY))

    @property
    def start(self) -> datetime:
        """The first day of the stretch: it ends where the DAYS-long one does, so longer ones reach back."""
        return START + timedelta(days=DAYS - self.days)

    def outlet(self, feed: int) -> str:
        """The name of the outlet publishing feed number `feed`."""
        words = random.Random(self.seed * 7919 + feed).sample(_OUTLET_WORDS, 2)
        return f"The {words[0]} {words[1]} {feed}"


def _rng(*key: int) -> random.Random:
    """A generator seeded by a tuple of ints (stable across processes, unlike hash() of strings)."""
    value = 0
    for k in key:
        value = value * 1_000_003 + k
    return random.Random(value)


def _capital(text: str) -> str:
    """The text with its first letter upper-cased (str.capitalize would lower-case the names)."""
    return text[:1].upper() + text[1:]


def _sentence(rng: random.Random, low: int = 10, high: int = 24) -> str:
    """A random sentence: a capital, words, now and then a name or a figure, a full stop."""
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    if rng.random() < 0.5:
        words.insert(rng.randrange(1, len(words)), rng.choice(_NAMES))
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), str(rng.randint(2, 9000)))
    return _capital(" ".join(words)) + "."


def _paragraph(rng: random.Random) -> str:
    """Two to four random sentences."""
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


@dataclass(frozen=True)
class Story:
    """One story as its agency (or outlet) filed it."""

    id: int
    kind: str  # wire, market, fuel, original
    agency: str | None
    place: str
    country: str
    published: datetime
    headline: str
    paragraphs: tuple[str, ...]


def _dateline(agency: str | None, place: str, country: str, when: datetime) -> str:
    """The dateline in the agency's house style."""
    day = f"{when:%b} {when.day}"
    if agency == "ANI":
        return f"{place} [{country}], {day} (ANI): "
    if agency == "Reuters":
        return f"{place.upper()}, {day} (Reuters) - "
    if agency:
        return f"{place}, {day} ({agency}) "
    return ""


def _signoff(agency: str | None, rng: random.Random) -> str | None:
    """The agency's closing line, if it has one."""
    if agency == "ANI":
        return "(ANI)"
    if agency == "PTI":
        return "PTI " + " ".join(rng.choice(("ABC", "RT", "SKS", "NSD", "MNK")) for _ in range(2))
    if agency == "Reuters":
        return f"(Reporting by {rng.choice(_NAMES)}; Editing by {rng.choice(_NAMES)})"
    return None


def _market(rng: random.Random, when: datetime) -> list[str]:
    """A daily market wrap: the same template every day, only the figures and names change."""
    up = rng.random() < 0.5
    firms = rng.sample(_FIRMS, 5)
    move, level = f"{rng.uniform(50, 900):,.2f}", f"{rng.uniform(70000, 82000):,.2f}"
    nifty, nlevel = f"{rng.uniform(20, 280):,.2f}", f"{rng.uniform(21000, 25000):,.2f}"
    return [
        f"The 30-share BSE Sensex {'climbed' if up else 'fell'} {move} points to settle at {level} on "
        f"{when:%A}, while the broader NSE Nifty {'rose' if up else 'declined'} {nifty} points to {nlevel}.",
        f"From the Sensex pack, {firms[0]}, {firms[1]} and {firms[2]} were the biggest gainers, while {firms[3]} "
        f"and {firms[4]} were among the laggards.",
        f"Global oil benchmark Brent crude went {'up' if up else 'down'} {rng.uniform(0.1, 2.5):.2f} per cent to "
        f"USD {rng.uniform(70, 90):.2f} a barrel, and the rupee settled at {rng.uniform(82, 86):.2f} against the "
        f"US dollar.",
        f"Foreign institutional investors {'bought' if up else 'offloaded'} equities worth Rs "
        f"{rng.uniform(300, 5000):,.2f} crore on {(when - timedelta(days=1)):%A}, according to exchange data.",
    ]


def _fuel(rng: random.Random, when: datetime, city: str) -> list[str]:
    """A daily fuel-price note: one template for every city and day, only the prices change."""
    petrol, diesel = rng.uniform(90, 110), rng.uniform(80, 98)
    return [
        f"Petrol is priced at Rs {petrol:.2f} a litre in {city} on {when:%A}, {when:%B} {when.day}, while diesel "
        f"costs Rs {diesel:.2f} a litre, according to the price notification of state-owned fuel retailers.",
        f"Prices were {'unchanged' if rng.random() < 0.6 else f'revised by {rng.randint(5, 90)} paise'} from the "
        f"previous day in the city, where the rate of LPG cylinders stands at Rs {rng.randint(800, 1100)}.",
        "Oil marketing companies revise fuel prices daily at 6 am in line with international benchmark rates "
        "and foreign exchange rates, and the new rates include excise duty, dealer commission and VAT.",
    ]


def story(spec: Spec, sid: int) -> Story:
    """The pooled story `sid` (0 <= sid < spec.pool), the same every time it is asked for."""
    rng = _rng(spec.seed, 1, sid)
    when = spec.start + timedelta(days=rng.randrange(spec.days), minutes=rng.randrange(6 * 60, 20 * 60))
    pick = rng.random()
    if pick < spec.lookalike / 2:
        place, country = "Mumbai", "India"
        return Story(sid, "market", "PTI", place, country, when,
                     f"Sensex {'gains' if rng.random() < 0.5 else 'slips'} in {when:%A} trade; "
                     f"{rng.choice(_FIRMS)} in focus", tuple(_market(rng, when)))
    if pick < spec.lookalike:
        city = rng.choice(_FUEL_CITIES)
        return Story(sid, "fuel", "PTI", city, "India", when, f"Petrol, diesel prices in {city} on {when:%B} "
                     f"{when.day}", tuple(_fuel(rng, when, city)))
    place, country = rng.choice(_CITIES)
    paragraphs = tuple(_paragraph(rng) for _ in range(rng.randint(4, 8)))
    return Story(sid, "wire", rng.choice(_AGENCIES), place, country, when,
                 _capital(" ".join(rng.choices(_WORDS, k=rng.randint(6, 11)))), paragraphs)


def original(spec: Spec, feed: int, pos: int) -> Story:
    """An outlet's own story (no agency), found in one feed only."""
    rng = _rng(spec.seed, 2, feed, pos)
    when = spec.start + timedelta(days=rng.randrange(spec.days), minutes=rng.randrange(24 * 60))
    place, country = rng.choice(_CITIES)
    paragraphs = tuple(_paragraph(rng) for _ in range(rng.randint(3, 8)))
    sid = spec.pool + feed * spec.items_per_feed + pos
    return Story(sid, "original", None, place, country, when,
                 _capital(" ".join(rng.choices(_WORDS, k=rng.randint(6, 11)))), paragraphs)


@dataclass(frozen=True)
class Entry:
    """One item of one feed, as the outlet publishes it."""

    guid: str
    link: str
    title: str
    published: datetime
    author: str
    html: str
    story: int


def _copy(spec: Spec, base: Story, feed: int, pos: int) -> Entry:
    """The outlet's copy of a story: its headline, the wire wrapping and its disclaimer, maybe altered."""
    rng = _rng(spec.seed, 3, feed, pos)
    outlet = spec.outlet(feed)
    paragraphs = list(base.paragraphs)
    paragraphs[0] = _dateline(base.agency, base.place, base.country, base.published) + paragraphs[0]
    published = base.published + timedelta(minutes=rng.randrange(5, 240))
    roll = rng.random()
    tail = []
    if base.kind == "original":
        title = base.headline
    else:
        # Outlets write their own headline; some keep the agency's.
        keep = rng.random() < 0.3
        title = base.headline if keep else _capital(" ".join(rng.choices(_WORDS, k=rng.randint(6, 11))))
        if roll < spec.updated:
            paragraphs.append(_paragraph(rng))  # a late update adds what happened since
            published += timedelta(hours=rng.randint(3, 12))
        elif roll < spec.updated + spec.edited and base.kind == "wire":
            at = rng.randrange(len(paragraphs))
            words = paragraphs[at].split(" ")
            spot = rng.randrange(1, len(words))
            if words[spot].isalpha():
                words[spot] = rng.choice(_WORDS)
            paragraphs[at] = " ".join(words)
        sign = _signoff(base.agency, rng)
        if sign:
            tail.append(sign)
        tail.append(rng.choice(_DISCLAIMERS).format(outlet=outlet))
    link = f"https://outlet{feed}.example/news/{pos}-{base.id}"
    if roll >= 1 - spec.truncated and base.kind != "original":
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs[:2]) + f'<p><a href="{link}">Read more</a></p>'
    else:
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs + tail)
    author = base.agency or rng.choice(_NAMES)
    return Entry(f"urn:wirefeed-bench:{feed}:{pos}", link, title, published, author, body, base.id)


def entries(spec: Spec, feed: int) -> list[Entry]:
    """The items of one feed, position by position (the position is the index in the truth array)."""
    rng = _rng(spec.seed, 4, feed)
    syndicated = set(rng.sample(range(spec.items_per_feed), spec.syndicated_per_feed))
    taken, out = set(), []
    for pos in range(spec.items_per_feed):
        if pos in syndicated:
            sid = rng.randrange(spec.pool)
            while sid in taken and len(taken) < spec.pool:  # an outlet runs a wire story once
                sid = rng.randrange(spec.pool)
            taken.add(sid)
            out.append(_copy(spec, story(spec, sid), feed, pos))
        else:
            out.append(_copy(spec, original(spec, feed, pos), feed, pos))
    return out


def render(spec: Spec, feed: int, items: list[Entry]) -> bytes:
    """The feed document: RSS 2.0 for even feeds, Atom for odd ones, newest item first."""
    outlet = escape(spec.outlet(feed))
    ordered = sorted(items, key=lambda e: e.published, reverse=True)
    if feed % 2 == 0:
        body = "".join(
            f"<item><title>{escape(e.title)}</title><link>{e.link}</link>"
            f'<guid isPermaLink="false">{e.guid}</guid>'
            f"<pubDate>{e.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate><dc:creator>{escape(e.author)}</dc:creator>"
            f"<category>News</category><description>{escape(e.title)}</description>"
            f"<content:encoded><![CDATA[{e.html}]]></content:encoded></item>" for e in ordered)
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<channel><title>{outlet}</title><link>https://outlet{feed}.example/</link>"
                f"<description>{outlet} news</description><language>en</language>{body}</channel></rss>"
                ).encode("utf-8")
    body = "".join(
        f"<entry><title>{escape(e.title)}</title><link href=\"{e.link}\"/><id>{e.guid}</id>"
        f"<published>{e.published:%Y-%m-%dT%H:%M:%SZ}</published><updated>{e.published:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f"<author><name>{escape(e.author)}</name></author><content type=\"html\">{escape(e.html)}</content></entry>"
        for e in ordered)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>{outlet}</title><id>urn:wirefeed-bench:feed:{feed}</id><updated>{START:%Y-%m-%dT%H:%M:%SZ}</updated>"
            f'<link href="https://outlet{feed}.example/"/>{body}</feed>').encode("utf-8")


def feed_path(feed: int) -> str:
    """The path of a feed's document under the corpus folder (and the server root)."""
    return f"feeds/{feed}.xml"


def write(spec: Spec, folder: Path) -> np.ndarray:
    """Write the feed documents and truth.npy under `folder` (reused when the spec is unchanged); return the truth."""
    folder = Path(folder)
    marker = folder / "spec.json"
    wanted = json.dumps({**asdict(spec), "days": spec.days}, sort_keys=True)  # days: corpora written before it differ
    if marker.exists() and marker.read_text() == wanted and (folder / "truth.npy").exists():
        return np.load(folder / "truth.npy")
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    truth = np.zeros((spec.feeds, spec.items_per_feed), dtype=np.int64)
    for feed in range(spec.feeds):
        items = entries(spec, feed)
        truth[feed] = [e.story for e in items]
        (folder / feed_path(feed)).write_bytes(render(spec, feed, items))
    np.save(folder / "truth.npy", truth)
    marker.write_text(wanted)
    return truth


def guid_position(guid: str) -> tuple[int, int]:
    """(feed, position) named by an item GUID of the corpus."""
    _, _, feed, pos = guid.rsplit(":", 3)
    return int(feed), int(pos)


class _Quiet(SimpleHTTPRequestHandler):
    """Serves the corpus folder with keep-alive and without a log line per request."""

    protocol_version = "HTTP/1.1"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".xml": "application/xml"}

    def log_message(self, *args) -> None:
        """Say nothing: a line per request would swamp the benchmark's output."""


class Server:
    """The corpus server's child process; shutdown() stops it."""

    def __init__(self, process: multiprocessing.Process):
        self.process = process

    def shutdown(self) -> None:
        """Stop the server process and wait for it."""
        self.process.terminate()
        self.process.join(10)


def _serve_forever(folder: str, port_out) -> None:
    """The child: bind a loopback port, report it, serve until terminated."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=folder))
    port_out.send(server.server_address[1])
    port_out.close()
    server.serve_forever()


def serve(folder: Path) -> tuple[str, Server]:
    """Serve `folder` on a loopback port from a child process; return its base URL and the server (shutdown()).

    A process, not a thread: a feed server's CPU is not the reader's, and a thread here would take the GIL
    from the stage being timed.
    """
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_serve_forever, args=(str(folder), send),
                                                          daemon=True, name="bench-corpus")
    process.start()
    send.close()
    if not receive.poll(30):
        process.terminate()
        raise RuntimeError("the corpus server did not start within 30 s")
    return f"http://127.0.0.1:{receive.recv()}/", Server(process)
