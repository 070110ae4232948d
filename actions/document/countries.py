"""Country names, with the other names and adjectives documents use for them."""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

_NAMES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|
Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|
Bolivia|Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|
Cameroon|Canada|Cape Verde|Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|
Costa Rica|Côte d'Ivoire|Croatia|Cuba|Cyprus|Czech Republic|Democratic Republic of the Congo|
Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|
Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|
Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hong Kong|Hungary|Iceland|
India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|
Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|
Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|
Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|
Namibia|Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|
North Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|Paraguay|Peru|
Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Saint Lucia|Samoa|San Marino|
Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|
Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|
Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Timor-Leste|Togo|Tonga|
Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine|United Arab Emirates|
United Kingdom|United States|Uruguay|Uzbekistan|Vanuatu|Venezuela|Viet Nam|Western Sahara|
Yemen|Zambia|Zimbabwe
"""

# Other names a document may use; adjectives only where they cannot be a language or people.
ALIASES: dict[str, str] = {
    "Kyrgyz Republic": "Kyrgyzstan",
    "Kyrgyzstani": "Kyrgyzstan",
    "Russian Federation": "Russia",
    "Islamic Republic of Iran": "Iran",
    "Iranian": "Iran",
    "Honduran": "Honduras",
    "Egyptian": "Egypt",
    "Saudi": "Saudi Arabia",
    "Kingdom of Saudi Arabia": "Saudi Arabia",
    "Republic of Korea": "South Korea",
    "Democratic People's Republic of Korea": "North Korea",
    "DPRK": "North Korea",
    "Türkiye": "Turkey",
    "Turkish Republic": "Turkey",
    "Vietnam": "Viet Nam",
    "Burma": "Myanmar",
    "Ivory Coast": "Côte d'Ivoire",
    "Czechia": "Czech Republic",
    "UAE": "United Arab Emirates",
    "UK": "United Kingdom",
    "USA": "United States",
    "United States of America": "United States",
    "Nicaraguan": "Nicaragua",
    "Guatemalan": "Guatemala",
    "Mexican": "Mexico",
    "Venezuelan": "Venezuela",
    "Colombian": "Colombia",
    "Bahraini": "Bahrain",
    "Belarusian": "Belarus",
    "Azerbaijani": "Azerbaijan",
    "Tajikistani": "Tajikistan",
    "Kazakhstani": "Kazakhstan",
    "Uzbekistani": "Uzbekistan",
}

COUNTRIES: tuple[str, ...] = tuple(
    name.strip() for name in _NAMES.replace("\n", "").split("|") if name.strip()
)

# Section pages name countries in their own language ("Ägypten", "Algérie", "Rusia"): those
# names come from Babel's locale data (CLDR). Some are also words or first names in the
# languages documents mix ("Island" is Iceland in German, "Maurice" Mauritius in French).
_SECTION_LANGUAGES = ("de", "fr", "es", "pt")
_NOT_COUNTRIES = frozenset({"island", "granada", "maurice", "mauricio", "maurício", "jordan", "chad"})
_MORE_ALIASES = {
    "Democratic Republic of Congo": "Democratic Republic of the Congo",
    "DRC": "Democratic Republic of the Congo",
    "République démocratique du Congo": "Democratic Republic of the Congo",
    "República Democrática del Congo": "Democratic Republic of the Congo",
    "Demokratische Republik Kongo": "Democratic Republic of the Congo",
    "Russische Föderation": "Russia",
    "Fédération de Russie": "Russia",
    "Federación Rusa": "Russia",
    "Federação Russa": "Russia",
}


@cache
def local_names() -> dict[str, str]:
    """Country names in the section languages → the name used here."""
    english = Locale.parse("en").territories
    known = {name.lower(): name for name in COUNTRIES} | {a.lower(): c for a, c in ALIASES.items()}
    names: dict[str, str] = dict(_MORE_ALIASES)
    for code in _SECTION_LANGUAGES:
        for key, name in Locale.parse(code).territories.items():
            if not key.isalpha() or key not in english or name.lower() in _NOT_COUNTRIES:
                continue
            country = known.get(re.sub(r"\s*\(.*\)", "", english[key]).lower())
            if country and name.lower() not in known:
                names.setdefault(name, country)
    return names


def _all_aliases() -> dict[str, str]:
    return {**local_names(), **ALIASES}


def is_country_name(text: str) -> bool:
    """Whether ``text`` is, as a whole, a country's name in any known form."""
    lowered = text.strip(" .").lower()
    return lowered in {n.lower() for n in COUNTRIES} or lowered in {a.lower() for a in _all_aliases()}


@cache
def _pattern(ignore_case: bool) -> re.Pattern[str]:
    names = sorted([*COUNTRIES, *_all_aliases()], key=len, reverse=True)
    body = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE if ignore_case else 0)


def _canonical(found: str) -> str:
    lowered = found.lower()
    for name in COUNTRIES:
        if name.lower() == lowered:
            return name
    return next(country for alias, country in _all_aliases().items() if alias.lower() == lowered)


def find_countries(text: str) -> list[str]:
    """Countries named in ``text``, in order; all-capital text is matched without case."""
    shouting = text.upper() == text
    return [_canonical(m.group(0)) for m in _pattern(shouting).finditer(text)]
