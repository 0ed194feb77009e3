"""Canonical URLs: one spelling per page, so copies of an item found via different links match."""
from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import lxml.html

# Parameters that identify the click, not the page (analytics, ad and newsletter trackers).
_TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid|"
    r"mc_\w*|_hsenc|_hsmi|hsctatrk|mkt_tok|oly_anon_id|oly_enc_id|vero_\w*|_ga|_gl|"
    r"rb_clickid|s_cid|cmpid|ncid|sr_share|at_\w+|ref_src|ref_url|__twitter_impression|"
    r"wt_mc|wt\.mc_id|smid|soc_src|soc_trk)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path or query; anything else (spaces, quotes...) is escaped.
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = _PATH_SAFE + "?"
_TAB_NEWLINE = re.compile(r"[ \t]*[\r\n]+[ \t]*|\t+")  # a line break with its indentation
_EDGES = "".join(map(chr, range(0x21))) + "\x7f"
# An absolute http(s) URL with a host and no ";" (urljoin re-spells ";params"), which urljoin would return as is.
_ABSOLUTE = re.compile(r"https?://[^/?#;\\]+(?:[/?#][^;]*)?\Z")


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The canonical form of an http(s) URL resolved against `base`; None when there is no usable URL."""
    if not url:
        return None
    url = _clean(url)
    if not url:
        return None
    if base and not _ABSOLUTE.match(url):  # urljoin returns an absolute http(s) URL as it is, at some cost
        try:
            url = urljoin(_clean(base), url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        host = f"{userinfo}@{host}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not _TRACKING.match(pair.split("=", 1)[0]))
    return urlunsplit((scheme, host, path, quote(query, safe=_QUERY_SAFE), ""))


def _clean(url: str) -> str:
    """A URL as a browser reads it: feeds wrap links over lines and pad them with whitespace."""
    return _TAB_NEWLINE.sub("", url).strip(_EDGES)


_RELATIVE_REF = re.compile(r"""(?:href|src)\s*=\s*["']?(?![a-zA-Z][a-zA-Z0-9+.\-]*:|//|#)""", re.IGNORECASE)


def absolutize_links(html: str, base: str | None) -> str:
    """An HTML fragment with its relative href/src resolved against `base` (unchanged without one)."""
    if not html or not base or not _RELATIVE_REF.search(html):
        return html
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    inner = lxml.html.tostring(fragment, encoding="unicode")
    return inner[len("<div>"):-len("</div>")]
