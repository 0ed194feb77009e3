"""The wire-copy knowledge as data: agencies, sign-offs, disclaimers, place aliases, months.

Adding an agency, a sign-off form or a partner outlet's disclaimer is one line here; the
modules next to this one only interpret these tables.
"""
from __future__ import annotations

# canonical short name -> the names it is credited under (matched case-insensitively,
# only where copy credits a source: dateline parentheses, credit lines, sign-offs, bylines).
AGENCIES: dict[str, tuple[str, ...]] = {
    "ANI": ("ANI", "Asian News International", "एएनआई"),
    "PTI": ("PTI", "Press Trust of India", "PTI-Bhasha", "पीटीआई", "भाषा"),
    "IANS": ("IANS", "Indo-Asian News Service", "Indo Asian News Service", "आईएएनएस"),
    "UNI": ("UNI", "United News of India"),
    "REUTERS": ("Reuters", "Thomson Reuters", "Reuters Staff"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "XINHUA": ("Xinhua", "Xinhua News Agency", "Xinhuanet"),
    "WAM": ("WAM", "Emirates News Agency", "وام"),
    "TPS": ("TPS", "Tazpit Press Service", "Tazpit News Agency"),
    "BLOOMBERG": ("Bloomberg", "Bloomberg News", "Bloomberg L.P.", "Bloomberg LP"),
    "DPA": ("dpa", "Deutsche Presse-Agentur", "dpa correspondents", "dpa correspondent"),
    "DPA-AFX": ("dpa-AFX", "dpa-AFX Analyser", "dpa-AFX Analyzer"),
    "EFE": ("EFE", "Agencia EFE"),
    "ANSA": ("ANSA", "Agenzia ANSA"),
    "KYODO": ("Kyodo", "Kyodo News"),
    "JIJI": ("Jiji", "Jiji Press"),
    "YONHAP": ("Yonhap", "Yonhap News Agency"),
    "AA": ("AA", "Anadolu", "Anadolu Agency", "Anadolu Ajansi", "الأناضول"),
    "BERNAMA": ("Bernama",),
    "APP": ("APP", "Associated Press of Pakistan"),
    "BSS": ("BSS", "Bangladesh Sangbad Sangstha"),
    "UPI": ("UPI", "United Press International"),
    "KUNA": ("KUNA", "Kuwait News Agency", "كونا"),
    "SPA": ("SPA", "Saudi Press Agency", "واس"),
    "QNA": ("QNA", "Qatar News Agency", "قنا"),
    "BNA": ("BNA", "Bahrain News Agency"),
    "ONA": ("ONA", "Oman News Agency"),
    "MENA": ("MENA", "Middle East News Agency"),
    "PETRA": ("Petra", "Jordan News Agency"),
    "SANA": ("SANA",),
    "NNA": ("NNA", "National News Agency"),
    "IRNA": ("IRNA", "Islamic Republic News Agency"),
    "TASS": ("TASS", "ITAR-TASS"),
    "RIA": ("RIA Novosti", "RIA"),
    "INTERFAX": ("Interfax",),
    "SPUTNIK": ("Sputnik",),
    "ANTARA": ("Antara", "ANTARA News"),
    "PNA": ("PNA", "Philippine News Agency"),
    "VNA": ("VNA", "Vietnam News Agency"),
    "AAP": ("AAP", "Australian Associated Press"),
    "PA": ("PA", "PA Media", "Press Association"),
    "CP": ("CP", "The Canadian Press", "Canadian Press"),
    "NTB": ("NTB",),
    "STT": ("STT", "STT-FNB"),
    "RITZAU": ("Ritzau",),
    "TT": ("TT",),
    "ANA": ("ANA", "ANA-MPA", "Athens News Agency"),
    "APA": ("APA", "Austria Presse Agentur"),
    "BELGA": ("Belga",),
    "ANP": ("ANP",),
    "LUSA": ("Lusa",),
    "PAP": ("PAP", "Polish Press Agency"),
    "CTK": ("CTK", "ČTK"),
    "MTI": ("MTI",),
    "AGERPRES": ("Agerpres",),
    "TANJUG": ("Tanjug",),
    "HINA": ("HINA",),
    "AGI": ("AGI",),
    "ADNKRONOS": ("Adnkronos",),
    "EUROPA PRESS": ("Europa Press",),
    "PRENSA LATINA": ("Prensa Latina",),
    "NOTIMEX": ("Notimex",),
    "CNA": ("CNA", "Central News Agency"),
    "NEWSIS": ("Newsis",),
    "NEWSVOIR": ("NewsVoir",),
    "PRNEWSWIRE": ("PRNewswire", "PR Newswire"),
    "BUSINESSWIRE": ("Business Wire", "BusinessWire"),
    "GLOBENEWSWIRE": ("GlobeNewswire", "GLOBE NEWSWIRE"),
}

# Regional desks credited after a slash that are part of the agency, not a second agency
# ("(dpa/lnw)" is dpa's North Rhine-Westphalia service).
DESK_SUFFIXES = ("lnw", "lby", "lsw", "lni", "lhe", "lrs", "lsa", "lth", "lmv", "bb", "be", "sn", "afx")

# Whole lines (or paragraphs) that sign a story off; each is (agency credited or "", regex).
# Matched against one stripped line at the end of the text.
SIGNOFF_LINES: tuple[tuple[str, str], ...] = (
    ("PTI", r"PTI(?: [A-Z]{2,4}){1,8}"),
    ("IANS", r"[-–—]{1,2} ?IANS(?: [a-z]{2,4}(?:/[a-z]{2,4})+)?"),
    ("UNI", r"UNI(?: [A-Z]{1,4}){1,6}(?: \d{3,4})?"),
    ("DPA", r"dpa(?:/[a-z]{2,4})?(?: [a-z]{2,4}){1,8}"),
    ("AP", r"AP-[A-Z]{2}-\d\d-\d\d-\d\d \d{4}GMT<?"),
    ("XINHUA", r"Enditem\.?"),
    ("WAM", r"WAM/[^\n]{1,80}"),
    ("BSS", r"BSS/[A-Z0-9/ -]{2,40}(?: ?hrs)?"),
    ("APP", r"APP/[A-Za-z0-9/ -]{2,40}"),
    ("BERNAMA", r"[-–—]{1,2} ?BERNAMA"),
    ("KYODO", r"==\s?Kyodo"),
    ("YONHAP", r"\(END\)"),
    ("", r"(?=[a-z-]*/)[a-z]{2,5}(?:[-/][a-z]{2,5}){1,5}"),  # desk initials ("sps/rad", AFP's "burs-ah/rmb")
    ("", r"\d{6} GMT [A-Z][a-z]{2} \d{1,2}"),  # dpa transmission time
    ("", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # a reporter's e-mail address (Yonhap)
    ("", r"\d{4} ?(?:GMT|IST|hrs|HRS)"),
    ("", r"_{3,}|-{3,}|\*{3,}|(?:\* ){2,}\*|#+"),
)

# Lines that start a trailing block that is never body (dpa's notebook, AP's "Eds:" notes):
# everything from the first such line to the end is cut.
TAIL_BLOCK_STARTS: tuple[str, ...] = (
    r"#+ ?(?:dpa )?notebook\b.*",
    r"The following information is not (?:intended )?for publication.*",
)

# A sign-off credit at the very end of the last paragraph: "... peoples. (ANI/TPS)", "--IANS".
# {credit} is filled with the agency-name alternation.
CLOSING_CREDIT = r"(?:\(\s*(?P<c1>{credit}(?:\s*[/,&]\s*{credit})*)\s*\)|(?<!\w)[-–—]{{1,2}}\s*(?P<c2>{credit}))\s*\.?$"

# Trailing lines crediting people or agencies: (kind, regex), matched against a whole line.
# "authors": the names in group "names" are authors; "credit": cut only when "names" holds an
# agency; "wrap": always cut (credits the agencies "names" holds, if any).
TRAILERS: tuple[tuple[str, str], ...] = (
    ("authors", r"\(?\s*(?:additional |writing and )?(?:reporting|writing|compiled|reported) by:? (?P<names>[^;()\n]{2,200}?)(?:;[^()\n]*)?\s*\)?\.?"),
    ("wrap", r"[(\[]?\s*[-–—]?\s*(?:with )?(?:inputs?|agency inputs|additional inputs) (?:from|by) (?P<names>[^()\[\]\n]{2,80}?)\s*[)\]]?\.?"),
    ("wrap", r"[(\[]?\s*[-–—]?\s*with (?P<names>agency|agencies|wire|wires) inputs?\s*[)\]]?\.?"),
    ("wrap", r"\(?(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))\s*(?:©\s*)?(?:\d{4}\s*)?(?P<names>[^\n]{2,60}?)\s*(?:\d{4})?\.?\s*(?:All rights reserved\..{0,300}|Click For Restrictions.{0,200})?\)?"),
    ("wrap", r"This (?:story|article|content) (?:is|has been) provided by (?P<names>[^.\n]{2,60})\. .{0,60}(?:will not be|is not|shall not be) responsible.{0,200}"),
    ("wrap", r"all rights reserved\.?\s*(?:©|\(c\))?\s*(?:copyright\s*)?(?:©\s*)?(?:\d{4}\s*)?(?P<names>[^\n]{2,60}?)\s*(?:\d{4})?\.?"),
    ("wrap", r"(?P<names>Anadolu Agency) website contains only a portion of the news stories.*"),
    ("credit", r"(?:source|courtesy|credit)s?\s*:\s*(?P<names>[^\n]{2,60})"),
    ("wrap", r"[-–—]{1,2}\s*With assistance from (?P<names>[^\n]{2,200})"),  # Bloomberg's contributors
    ("wrap", r"\(?(?:editor|editors|edited by|editing by)\s*:\s*(?P<names>[^\n]{2,60}?)\)?"),  # Xinhua's "Editor: X"
)
# A closing parenthesis that credits the reporters: "... said. (Reporting by X; Editing by Y)".
REPORTING_PARENS = r"\((?P<inner>[^()]{0,60}\b(?:reporting|writing|editing) by\b[^()]{2,400})\)\s*$"

# Partner outlets' disclaimers. A paragraph (or parenthesised tail) is a disclaimer when it
# matches DISCLAIMER_TRIGGER; the outlet is the group "outlet" of the first OUTLET_PATTERNS
# that matches it. "our"/"its" staff means the publishing outlet itself.
DISCLAIMER_TRIGGER = (
    r"syndicated (?:news )?feed|auto-?generated from (?:a |the )?(?:syndicated|agency|news agency|wire)"
    r"|(?:has|have) not been edited by .{1,60}? and (?:is|was|has been) (?:auto-?generated|published|taken)"
    r"|(?:has|have) not been edited by .{1,60}? staff|may have been reworked by"
    r"|published from (?:a |the )?(?:syndicated|wire|agency|news agency|wire agency) feed|(?:agency|wire) copy,? (?:and )?(?:has )?not been edited"
    r"|holds? no responsibility for (?:its|the) content"
)
# Words every DISCLAIMER_TRIGGER alternative spells out: a paragraph holding none of them cannot hold a
# disclaimer, which spares the trigger's search on almost every paragraph. Add one with a new alternative.
DISCLAIMER_WORDS = ("syndicated", "generated", "not been edited", "reworked by", "published from", "no responsibility")
OUTLET_PATTERNS: tuple[str, ...] = (
    r"(?i:not been|been|not) (?i:edited|reworked|modified|changed) (?i:by) (?:the )?(?P<outlet>[^.;:()\n]{1,60}?) (?i:staff|team|desk|editorial|editors)\b",
    r"(?i:not been edited by) (?:the )?(?P<outlet>[^.;:()\n]{1,60}?) (?i:and (?:is|was|has been) (?:auto-?generated|published|taken))",
    r"(?P<outlet>[A-Z][\w'’&.-]*(?: (?!(?:Staff|Team)\b)[A-Z][\w'’&.-]*){0,4})(?: (?i:staff|team))? (?i:may|might) not have (?i:modified|edited|reviewed)",
    r"(?P<outlet>[A-Z][\w'’&.-]*(?: [A-Z][\w'’&.-]*){0,4}) (?i:holds|takes|bears|accepts) (?i:no responsibility)",
    # Last resort: whoever "edited/reworked by" names, up to the end of the name ("by www.republicworld.com)").
    r"(?i:edited|reworked|modified) (?i:by) (?:the )?(?P<outlet>(?:www\.)?[A-Za-z0-9][\w'’&-]*(?:\.[a-z]{2,})*(?: [A-Z][\w'’&.-]*){0,4})",
)
# An agency a disclaimer names as its source: "... from a syndicated news agency feed - PTI", "Source: IANS".
DISCLAIMER_CREDIT = r"(?:feeds?|source|agency)\s*[-–—:]\s*(?P<names>[A-Za-z][\w /&-]{1,40})"

# Words that name no outlet in "edited by ... staff".
SELF_REFERENCES = ("our", "its", "this website's", "this site's", "the website's", "the editorial", "the")

# Country names and codes as datelines write them, beyond the gazetteer's own names.
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "america": "US", "ee.uu.": "US", "ee. uu.": "US",
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "uae": "AE", "u.a.e.": "AE", "emirates": "AE", "ksa": "SA", "saudi": "SA",
    "russia": "RU", "russian federation": "RU", "south korea": "KR", "korea": "KR",
    "republic of korea": "KR", "rok": "KR", "north korea": "KP", "dprk": "KP",
    "czech republic": "CZ", "czechia": "CZ", "ivory coast": "CI", "cote d'ivoire": "CI",
    "palestine": "PS", "palestinian territories": "PS", "west bank": "PS", "gaza strip": "PS",
    "vatican": "VA", "vatican city": "VA", "holy see": "VA", "taiwan": "TW", "iran": "IR",
    "syria": "SY", "laos": "LA", "vietnam": "VN", "viet nam": "VN", "burma": "MM",
    "myanmar": "MM", "turkiye": "TR", "türkiye": "TR", "turkey": "TR", "macedonia": "MK",
    "north macedonia": "MK", "bosnia": "BA", "congo": "CG", "drc": "CD", "dr congo": "CD",
    "democratic republic of congo": "CD", "the netherlands": "NL", "holland": "NL",
    "the philippines": "PH", "hong kong": "HK", "macau": "MO", "macao": "MO",
    "kosovo": "XK", "moldova": "MD", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "brunei": "BN", "cape verde": "CV", "eswatini": "SZ", "swaziland": "SZ",
    "east timor": "TL", "timor-leste": "TL", "the gambia": "GM", "the bahamas": "BS",
    "micronesia": "FM", "st. lucia": "LC", "saint lucia": "LC",
    "india": "IN", "pakistan": "PK", "bangladesh": "BD", "israel": "IL", "china": "CN",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "españa": "ES", "espagne": "ES",
    "francia": "FR", "frankreich": "FR", "italia": "IT", "italien": "IT",
}

# Regions (states, provinces, territories, AP state abbreviations) -> the countries they
# can belong to; more than one country makes the city decide.
REGION_COUNTRIES: dict[str, tuple[str, ...]] = {
    # India
    **{name: ("IN",) for name in (
        "andhra pradesh", "arunachal pradesh", "assam", "bihar", "chhattisgarh", "goa", "gujarat",
        "haryana", "himachal pradesh", "jharkhand", "karnataka", "kerala", "madhya pradesh",
        "maharashtra", "manipur", "meghalaya", "mizoram", "nagaland", "odisha", "orissa",
        "rajasthan", "sikkim", "tamil nadu", "telangana", "tripura", "uttar pradesh",
        "uttarakhand", "west bengal", "jammu and kashmir", "jammu & kashmir", "j&k", "ladakh",
        "delhi", "nct", "puducherry", "chandigarh", "andaman and nicobar islands",
        "lakshadweep", "dadra and nagar haveli and daman and diu", "up", "mp", "tn", "wb", "hp", "guj.",
        "raj.", "maha.", "k'taka", "uk'hand")},
    "punjab": ("IN", "PK"),
    # Pakistan
    **{name: ("PK",) for name in (
        "sindh", "balochistan", "khyber pakhtunkhwa", "kpk", "gilgit-baltistan",
        "azad kashmir", "islamabad capital territory")},
    # Canada
    **{name: ("CA",) for name in (
        "ontario", "ont.", "quebec", "que.", "québec", "british columbia", "b.c.", "alberta",
        "alta.", "manitoba", "man.", "saskatchewan", "sask.", "nova scotia", "n.s.",
        "new brunswick", "n.b.", "newfoundland", "newfoundland and labrador", "n.l.", "nfld.",
        "prince edward island", "p.e.i.", "yukon", "nunavut", "northwest territories")},
    # Australia
    **{name: ("AU",) for name in (
        "new south wales", "nsw", "victoria", "vic", "queensland", "qld", "tasmania", "tas",
        "south australia", "sa", "western australia", "wa", "northern territory", "nt", "act",
        "australian capital territory")},
    # United States: AP style abbreviations and postal codes (full names come from the gazetteer)
    **{name: ("US",) for name in (
        "ala.", "ariz.", "ark.", "calif.", "colo.", "conn.", "del.", "fla.", "ga.", "ill.",
        "ind.", "kan.", "kans.", "ky.", "la.", "md.", "mass.", "mich.", "minn.", "miss.", "mo.",
        "mont.", "neb.", "nebr.", "nev.", "n.h.", "n.j.", "n.m.", "n.y.", "n.c.", "n.d.",
        "okla.", "ore.", "pa.", "r.i.", "s.c.", "s.d.", "tenn.", "tex.", "vt.", "va.", "wash.",
        "w.va.", "w. va.", "wis.", "wyo.", "d.c.", "dc", "washington d.c.")},
    # Others a dateline commonly names
    "england": ("GB",), "scotland": ("GB",), "wales": ("GB",), "northern ireland": ("GB",),
    "bavaria": ("DE",), "bayern": ("DE",), "sicily": ("IT",), "sardinia": ("IT",),
    "catalonia": ("ES",), "andalusia": ("ES",), "corsica": ("FR",), "brittany": ("FR",),
    "xinjiang": ("CN",), "tibet": ("CN",), "guangdong": ("CN",), "sichuan": ("CN",),
    "hubei": ("CN",), "yunnan": ("CN",), "zhejiang": ("CN",), "jiangsu": ("CN",),
    "gaza": ("PS",), "west bank": ("PS",), "kurdistan": ("IQ",), "crimea": ("UA",),
    "sabah": ("MY",), "sarawak": ("MY",), "selangor": ("MY",), "johor": ("MY",),
    "bali": ("ID",), "java": ("ID",), "sumatra": ("ID",), "mindanao": ("PH",),
    "hokkaido": ("JP",), "okinawa": ("JP",), "jeju": ("KR",),
}

# Month names (lower case, without the dot) -> month number: English and the languages
# wire services publish in, so a translated dateline still resolves.
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "january", "janvier", "januar", "enero", "gennaio", "janeiro", "ene", "jänner", "janv"), 1),
    **dict.fromkeys(("feb", "february", "février", "fevrier", "februar", "febrero", "febbraio", "fevereiro", "févr", "fev"), 2),
    **dict.fromkeys(("mar", "march", "mars", "märz", "marz", "marzo", "março", "marco"), 3),
    **dict.fromkeys(("apr", "april", "avril", "abril", "aprile", "abr", "avr"), 4),
    **dict.fromkeys(("may", "mai", "mayo", "maggio", "maio"), 5),
    **dict.fromkeys(("jun", "june", "juin", "juni", "junio", "giugno", "junho"), 6),
    **dict.fromkeys(("jul", "july", "juillet", "juli", "julio", "luglio", "julho", "juil"), 7),
    **dict.fromkeys(("aug", "august", "août", "aout", "agosto", "ago"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro", "set"), 9),
    **dict.fromkeys(("oct", "october", "octobre", "oktober", "octubre", "ottobre", "outubro", "okt", "out"), 10),
    **dict.fromkeys(("nov", "november", "novembre", "noviembre", "novembro"), 11),
    # Arabic
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7,
    "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Hindi
    "जनवरी": 1, "फरवरी": 2, "फ़रवरी": 2, "मार्च": 3, "अप्रैल": 4, "मई": 5, "जून": 6, "जुलाई": 7,
    "अगस्त": 8, "सितंबर": 9, "सितम्बर": 9, "अक्टूबर": 10, "नवंबर": 11, "नवम्बर": 11, "दिसंबर": 12, "दिसम्बर": 12,
    **dict.fromkeys(("dec", "december", "décembre", "decembre", "dezember", "diciembre", "dicembre", "dezembro", "déc", "dez", "dic"), 12),
}

# Separators that end a dateline: "-", "--", "—", "–", "―", ":", ".-" (EFE), "_" (ANPA), cp1252
# dash, and the Devanagari danda "।" of Hindi copy.
DATELINE_SEPARATOR = r"(?:\.?\s*[-–—―\x97_]{1,2}|:|\.-|\.(?=\s)|।)"

# Lower-case words a place name may hold ("Rio de Janeiro", "Frankfurt am Main", "Stratford-upon-Avon").
PLACE_PARTICLES = ("de", "del", "della", "di", "da", "do", "dos", "das", "la", "le", "les", "am", "an", "der",
                   "on", "upon", "sur", "en", "of", "the", "y", "al", "el", "bin", "es", "im", "ob")

# Words joining a dateline's place to its date ("Paris, le 20 mai", "أبوظبي في 20 مايو").
DATE_PREPOSITIONS = ("le", "el", "il", "am", "on", "في")

# Weekdays a dateline may carry before its date ("WASHINGTON, Tuesday, May 20 (UPI)").
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")

# Leading clutter some outlets put before a dateline: SFGate's "(07-17) 13:09 PDT".
DATELINE_PREFIXES: tuple[str, ...] = (
    r"\(\d\d-\d\d\) \d\d?:\d\d [A-Z]{3} ",
    r"\(MENAFN[^()]{0,60}\)\s*",  # MENAFN's republications name the outlet first
)

# Leading lines that only carry a date or an export header ("date 2025-05-20 DT",
# "Updated: May 20, 2025 10:15 IST"): cut from the head of the text.
HEADER_DATE_WORDS = ("date", "dated", "updated", "published", "posted", "last updated", "first published", "on")

# Editors' notes heading a story ("(Adds details in paragraphs 4-6)"): wrapping, not body.
HEADER_NOTES = r"\((?:adds|updates|recasts|corrects|changes|fixes|removes|refiles|rewrites|repeats|writes through|edits)\b[^()]{0,300}\)|(?:eds|editors?|editor's note)\s*:.{0,300}"

# Words that open a byline, in the languages wire copy comes in ("By", "Von", "Por", "Par").
BYLINE_WORDS = ("by", "written by", "reported by", "from", "von", "por", "par", "di", "door", "av", "af")

# Words between a byline's name and its role ("By BERNARD CONDON, AP Business Writer").
BYLINE_ROLES = ("writer", "correspondent", "reporter", "editor", "columnist", "contributor", "analyst", "staff",
                "desk", "bureau")
BYLINE_BEATS = ("business", "sports", "medical", "science", "political", "politics", "chief", "senior", "staff",
                "special", "legal", "economics", "entertainment", "technology", "health", "religion",
                "diplomatic", "investigative", "contributing", "associate", "national", "foreign",
                "environment", "environmental", "education", "travel", "food", "auto", "energy", "markets",
                "white house", "congressional", "global", "regional", "wire", "news")

# Outlet staff bylines that name nobody: never authors.
NON_AUTHORS: tuple[str, ...] = (
    "staff", "staff reporter", "staff writer", "our correspondent", "our bureau", "correspondent",
    "desk", "news desk", "web desk", "online desk", "newsroom", "editorial", "editor", "editors",
    "agencies", "agency", "wire", "wires", "news service", "tribune news service", "admin",
    "express news service", "ht correspondent", "toi staff", "et bureau", "bureau", "team",
)

# Languages the detector may answer (ISO 639-1): the languages news is published in. Leaving
# out the model's dialects and minor languages (Pidgin, Breton, Luxembourgish...) keeps short
# English or French copy from being called one of its close relatives.
NEWS_LANGUAGES: tuple[str, ...] = (
    "af", "am", "ar", "as", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "ha", "he", "hi", "hr", "hu", "hy", "id",
    "ig", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "ku", "ky", "lo", "lt", "lv", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "ne", "nl", "no", "or", "pa", "pl", "ps", "pt", "ro", "ru", "si",
    "sk", "sl", "so", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi",
    "yo", "zh", "zu",
)
