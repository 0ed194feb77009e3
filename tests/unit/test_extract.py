"""extract_article on the seed and on the shapes wire copy takes: what is cut, credited and kept."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.conftest import SHARED
from wirefeed.extract import MAX_TEXT_CHARS, extract_article
from wirefeed.extract.agencies import canonical_agency, parse_credit
from wirefeed.extract.dateline import find_dateline, resolve_date
from wirefeed.extract.places import resolve_country
from wirefeed.extract.reader import read_item
from wirefeed.models import Item

MAY_20 = datetime(2025, 5, 20, 8, 0, tzinfo=timezone.utc)


def _article(text: str, title: str = "", published: datetime | None = MAY_20, **kwargs):
    """Extract from a plain-text item."""
    return extract_article(Item(title=title, text=text, published_at=published, **kwargs))


@pytest.fixture(scope="module")
def seed():
    """The seed document read as the pipeline reads it."""
    path = next((SHARED / "seed").glob("*.txt"))
    return extract_article(read_item(path.read_bytes()))


def test_seed_metadata(seed):
    assert seed.agencies == ("ANI", "TPS")
    assert seed.dateline.place == "Tel Aviv" and seed.dateline.country_code == "IL"
    assert seed.dateline.date == date(2025, 5, 20)
    assert seed.syndicated and seed.syndicated_by == "Tribune"
    assert seed.language == "en" and seed.authors == ()


def test_seed_wrapping_cut_and_recorded(seed):
    assert seed.text.startswith("Israeli Defence Minister Israel Katz hosted")
    assert seed.text.endswith("one of the largest buyers of Israeli defence technology.")
    assert "(ANI/TPS)" not in seed.text and "syndicated" not in seed.text
    assert "Tel Aviv [Israel], May 20 (ANI/TPS):" in seed.removed
    assert "(The story has come from a syndicated feed and has not been edited by the Tribune Staff.)" in seed.removed
    # Quoted speech inside the body is untouched.
    assert '"Azerbaijan has proven time and again to be a true friend," Katz said.' in seed.text
    assert seed.word_count == len(seed.text.split())


def test_quoting_an_agency_is_not_a_credit():
    article = _article('The minister told Reuters on Monday that talks would go on.\n\n'
                       'A report by AFP (Agence France-Presse) said the same. "We spoke to AP," he said.')
    assert article.agencies == ()
    assert article.dateline is None


@pytest.mark.parametrize("text, place, region, country, when, agencies", [
    ("Srinagar (Jammu and Kashmir) [India], May 20 (ANI): Body.", "Srinagar", "Jammu and Kashmir", "IN",
     date(2025, 5, 20), ("ANI",)),
    ("NEW DELHI, May 20 (PTI) Body.", "NEW DELHI", None, "IN", date(2025, 5, 20), ("PTI",)),
    ("WASHINGTON (AP) — Body.", "WASHINGTON", None, "US", None, ("AP",)),
    ("PEORIA, Ariz. (AP) — Body.", "PEORIA", "Ariz.", "US", None, ("AP",)),
    ("BEIJING, May 19 (Xinhua) -- Body.", "BEIJING", None, "CN", date(2025, 5, 19), ("XINHUA",)),
    ("Tegucigalpa, 2 ene (EFE).- Cuerpo.", "Tegucigalpa", None, "HN", date(2025, 1, 2), ("EFE",)),
    ("(ANSA) - Rome, May 20 - Body.", "Rome", None, "IT", date(2025, 5, 20), ("ANSA",)),
    ("MOSCOW, May 20. /TASS/. Body.", "MOSCOW", None, "RU", date(2025, 5, 20), ("TASS",)),
    ("Bagdad/Washington (dpa/lnw) - Body.", "Bagdad/Washington", None, None, None, ("DPA",)),
    ("Lahore (Punjab), May 20 (APP): Body.", "Lahore", "Punjab", "PK", date(2025, 5, 20), ("APP",)),
    ("CHICAGO -- Body.", "CHICAGO", None, "US", None, ()),
    ("NEW DELHI: The government said.", "NEW DELHI", None, "IN", None, ()),
    ("Paris, le 20 mai (AFP) - Le gouvernement.", "Paris", None, "FR", date(2025, 5, 20), ("AFP",)),
    ("أبوظبي في 20 مايو / وام / بحثت دولة الإمارات", "أبوظبي", None, "AE", date(2025, 5, 20), ("WAM",)),
    ("WASHINGTON, Tuesday, May 20 (UPI) -- Body.", "WASHINGTON", None, "US", date(2025, 5, 20), ("UPI",)),
])
def test_dateline_shapes(text, place, region, country, when, agencies):
    lead = find_dateline(text, MAY_20)
    assert (lead.dateline.place, lead.dateline.region, lead.dateline.country_code, lead.dateline.date) == \
        (place, region, country, when)
    assert lead.agencies == agencies


@pytest.mark.parametrize("text, place, agency", [
    ("Golden Globes will serve plant-based meal LOS ANGELES (AP) — The", "LOS ANGELES", "AP"),
    ("HC dismisses petition in Himachal Shimla, Jan 1 (IANS) The high court", "Shimla", "IANS"),
    ("Neurologic, BP drugs may reduce tumour growth Washington, Jan 1 (IANS) Researchers", "Washington", "IANS"),
    ("Six held - coalition (MENAFN- Kuwait News Agency (KUNA)) RIYADH, Jan 1 (KUNA) -- Six", "RIYADH", "KUNA"),
])
def test_dateline_after_a_glued_headline(text, place, agency):
    lead = find_dateline(text, MAY_20)
    assert lead.dateline.place == place and lead.agencies == (agency,)


def test_date_resolution_handles_year_rollover_and_never_guesses():
    assert resolve_date(12, 31, None, datetime(2026, 1, 1, tzinfo=timezone.utc)) == date(2025, 12, 31)
    assert resolve_date(1, 1, None, datetime(2025, 12, 31, 23, tzinfo=timezone.utc)) == date(2026, 1, 1)
    assert resolve_date(5, 20, None, None) is None
    assert resolve_date(2, 30, 2025, MAY_20) is None


def test_country_inferred_from_place_or_named():
    assert resolve_country("New Delhi") == "IN"
    assert resolve_country("Washington") == "US"
    assert resolve_country("Carrara", None, "Australia") == "AU"
    assert resolve_country("Hyderabad", "Telangana") == "IN"
    assert resolve_country("Nowhereville") is None


def test_agency_names_and_credits():
    assert canonical_agency("Press Trust of India") == "PTI"
    assert canonical_agency("The Associated Press") == "AP"
    assert canonical_agency("ap") is None  # short codes only in capitals
    assert parse_credit("ANI/TPS") == ("ANI", "TPS")
    assert parse_credit("Chicago Tribune") is None


@pytest.mark.parametrize("tail, agency", [
    ("PTI ABC XYZ", "PTI"), ("--IANS\nsps/rad", "IANS"), ("UNI XR RN 1230", "UNI"), ("Enditem", "XINHUA"),
    ("-- BERNAMA", "BERNAMA"), ("(END)", "YONHAP"), ("==Kyodo", "KYODO"), ("dpa/lnw xyz abc", "DPA"), ("WAM/Hatem Mohamed", "WAM"), ("BSS/GMR/RY/1025 hrs", "BSS"),
])
def test_signoffs_cut_and_credited(tail, agency):
    article = _article(f"The minister spoke on Monday.\n\nHe said more later.\n\n{tail}")
    assert article.text == "The minister spoke on Monday.\n\nHe said more later."
    assert article.agencies == (agency,)


def test_closing_credit_and_trailer_authors():
    article = _article("LONDON, May 20 (Reuters) - Oil rose.\n\nIt fell later. (Reuters)\n\n"
                       "(Reporting by Jane Doe in London and Raj Patel; Editing by Ed Smith)")
    assert article.text == "Oil rose.\n\nIt fell later."
    assert article.authors == ("Jane Doe", "Raj Patel")
    assert article.agencies == ("REUTERS",)


def test_authors_from_feed_and_byline_never_agencies():
    article = _article("By PAUL BYRNE and ALMUDENA CALATRAVA, Associated Press\n\nBUENOS AIRES (AP) _ Body text here.",
                       authors=("PTI", "Priya Menon"))
    assert article.authors == ("Priya Menon", "Paul Byrne", "Almudena Calatrava")
    assert article.agencies == ("PTI", "AP")


@pytest.mark.parametrize("disclaimer, outlet", [
    ("(This story has not been edited by Business Standard staff and is auto-generated from a syndicated feed.)",
     "Business Standard"),
    ("Only the headline and picture of this report may have been reworked by the Business Standard staff; "
     "the rest of the content is auto-generated from a syndicated feed.", "Business Standard"),
    ("This report is auto-generated from syndicated news feed. ThePrint holds no responsibility for its content.",
     "ThePrint"),
    ("(This story has not been edited by our staff and is auto-generated from a syndicated feed.)", "The Outlet"),
    ("(This story is auto-generated from a syndicated feed. Times Now may not have edited the content)", "Times Now"),
    ("(This story has not been edited by THE WEEK and is auto-generated from PTI)", "THE WEEK"),
    ("This is an agency copy and has not been edited by Firstpost.", "Firstpost"),
    ("(Disclaimer: This story is auto-generated from a syndicated feed. Only the image & headline may have been "
     "reworked by www.republicworld.com)", "www.republicworld.com"),
    ("This story has been published from a wire agency feed without modifications to the text. Only the headline "
     "has been changed.", "The Outlet"),
])
def test_syndication_disclaimers(disclaimer, outlet):
    article = extract_article(Item(title="", text=f"NEW DELHI, May 20 (PTI) Body.\n\n{disclaimer}"),
                              outlet="The Outlet")
    assert article.syndicated and article.syndicated_by == outlet
    assert article.text == "Body." and disclaimer in article.removed


def test_disclaimer_naming_its_agency_credits_it():
    article = _article("The court adjourned the hearing.\n\n(This story has not been edited by News18 staff and is "
                       "published from a syndicated news agency feed - PTI)")
    assert article.agencies == ("PTI",) and article.syndicated_by == "News18"
    assert article.text == "The court adjourned the hearing."


def test_disclaimer_closing_a_body_paragraph_leaves_the_body():
    article = _article("He said the talks went well. (The story has come from a syndicated feed and has not "
                       "been edited by the Tribune Staff.)")
    assert article.text == "He said the talks went well."
    assert article.syndicated_by == "Tribune"


def test_language_detection():
    assert _article("El Gobierno aprobó este martes un plan de ayudas al alquiler para jóvenes.").language == "es"
    assert _article("Die Bundesregierung hat am Mittwoch ein Entlastungspaket beschlossen.").language == "de"
    assert _article("Le gouvernement a présenté mardi un plan pour l'hôpital public.").language == "fr"
    assert _article("प्रधानमंत्री नरेंद्र मोदी ने मंगलवार को किसानों के लिए एक नई योजना की शुरुआत की।").language == "hi"
    assert _article("Short.").language is None


def test_published_at_in_utc():
    from datetime import timedelta
    ist = timezone(timedelta(hours=5, minutes=30))
    article = _article("Body.", published=datetime(2025, 5, 20, 9, 0, tzinfo=ist))
    assert article.published_at == datetime(2025, 5, 20, 3, 30, tzinfo=timezone.utc)


def test_hard_wrapped_copy_is_unwrapped():
    lines = ["Geneva (dpa) - Switzerland is joining a growing number of countries",
             "that will refrain from signing a UN migration pact in December, the",
             "government announced on Wednesday.",
             "The government said it wishes to postpone its final decision pending",
             "conclusion of the parliamentary debates in both chambers this year.",
             "The countries that have rejected the migration pact so far include",
             "Austria, Australia, Bulgaria, Croatia and the Czech Republic."]
    article = _article("\n\n".join(lines))
    assert article.text.split("\n\n")[0] == ("Switzerland is joining a growing number of countries that will refrain "
                                             "from signing a UN migration pact in December, the government announced "
                                             "on Wednesday.")
    assert article.text.count("\n\n") == 2


@pytest.mark.parametrize("text", [
    "", "\x00\x01\x02" * 1000, "(" * 100_000, "A " * 200_000, "CHICAGO " * 50_000 + "--",
    "(ANI" * 50_000, "By " * 100_000, "\n\n".join(["x" * 70] * 20_000), "May 20, " * 50_000,
])
def test_odd_input_never_raises_and_is_capped(text):
    article = _article(text, title=text[:500])
    assert len(article.text) <= MAX_TEXT_CHARS
    assert isinstance(article.agencies, tuple)


@pytest.mark.parametrize("byline, authors, agencies", [
    ("By TOI Staff", (), ()),
    ("By AFP Staff", (), ("AFP",)),
    ("Written by Priya Menon", ("Priya Menon",), ()),
    ("By JEFF AMY Associated Press", ("Jeff Amy",), ("AP",)),
    ("Von Anna Schmidt", ("Anna Schmidt",), ()),
])
def test_bylines_are_cut_and_never_name_agencies(byline, authors, agencies):
    article = _article(f"{byline}\n\nThe council met on Monday and approved the plan.")
    assert article.text == "The council met on Monday and approved the plan."
    assert article.authors == authors and article.agencies == agencies


def test_place_with_run_on_state_and_exonyms():
    assert resolve_country("Washington DC") == "US"
    assert resolve_country("Rom") == "IT" and resolve_country("Bagdad") == "IQ"


def test_single_newline_paragraphs_stay_paragraphs_and_wrapped_datelines_are_cut():
    long_lines = _article("NEW DELHI, May 20 (PTI) The government on Monday announced a major new policy for "
                          "farmers across the country.\nThe second paragraph is also long: it goes on for more than "
                          "a hundred characters, so it was never a wrapped line.\nPTI ABC XYZ")
    assert long_lines.text.count("\n\n") == 1 and long_lines.agencies == ("PTI",)
    wrapped = _article("Srinagar (Jammu and\nKashmir) [India], May 20 (ANI): Security\nforces busted a hideout.")
    assert wrapped.text == "Security forces busted a hideout."
    assert wrapped.dateline.region == "Jammu and Kashmir"


def test_declared_language_only_for_text_too_short_to_detect():
    assert _article("Short one.", language="en-GB").language == "en"
    assert _article("Die Bundesregierung hat am Mittwoch ein Entlastungspaket beschlossen.",
                    language="en").language == "de"
