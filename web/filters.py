"""Jinja filters: Swedish labels and number formats for what the templates show."""
from __future__ import annotations

import itertools
import math

from flask import Flask

DOCUMENT_TYPE_LABELS = {
    "tjänsteutlåtande": "Tjänsteutlåtande",
    "pm": "PM",
    "protokollsutdrag": "Protokollsutdrag",
    "bilaga": "Bilaga",
    "slutrapport": "Slutrapport",
    "beslut": "Beslut",
    "annat": "Annat",
}

LANGUAGE_LABELS = {
    "sv": "Svenska",
    "en": "Engelska",
    "fi": "Finska",
    "da": "Danska",
    "no": "Norska",
    "de": "Tyska",
    "ar": "Arabiska",
    "so": "Somaliska",
}

REPAIR_RULE_LABELS = {
    "nfc": "Unicode-normalisering",
    "mojibake": "Teckenkodning",
    "placeholder": "Mallskräp",
    "page-number": "Sidnummer",
    "furniture": "Sidhuvud/sidfot",
    "hyphenation": "Avstavning",
    "letters": "Bokstav (OCR)",
    "letters:compound": "Bokstav i sammansättning (OCR)",
    "letters:context": "Bokstav efter sammanhang (OCR)",
    "letters:1-i": "1 → i (OCR)",
}

WHITESPACE_NAMES = {
    " ": "mellanslag",
    "\n": "radbrytning",
    "\t": "tabb",
    "\r": "vagnretur",
    "\f": "sidbrytning",
    "\u00a0": "hårt mellanslag",
}

LOW_QUALITY = 0.85  # pages below this share of Swedish words get a note

NBSP = "\u00a0"


def document_type_label(value: str | None) -> str:
    if not value:
        return "Annat"
    return DOCUMENT_TYPE_LABELS.get(value.strip().lower(), "Annat")


def language_label(value: str | None) -> str:
    if not value:
        return "Okänt"
    return LANGUAGE_LABELS.get(value.lower(), value)


def number_sv(value: int | float | None, decimals: int = 0) -> str:
    """1234567 -> '1 234 567' (no-break spaces), 12.5 -> '12,5'."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def filesize_sv(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size}{NBSP}byte"
    if size < 1024 * 1024:
        return f"{number_sv(size / 1024, 1)}{NBSP}kB"
    return f"{number_sv(size / (1024 * 1024), 1)}{NBSP}MB"


def hit_count_sv(total: int) -> str:
    """'1 träff', '3 träffar'."""
    return f"{number_sv(total)}{NBSP}{'träff' if total == 1 else 'träffar'}"


def repair_rule_label(rule: str | None) -> str:
    if not rule:
        return "Okänd"
    return REPAIR_RULE_LABELS.get(rule, rule)


def quality_percent(value: float | None) -> str:
    """0.97 -> '97 %' (no-break space). Rounded down, so a page under the 85 % limit never
    shows as '85 %'."""
    if value is None:
        return ""
    return f"{math.floor(value * 100 + 1e-9)}{NBSP}%"


def is_low_quality(value: float | None) -> bool:
    return value is not None and value < LOW_QUALITY


def visible_text(value: str | None) -> str:
    """A repair's before/after text with its whitespace made visible (plain text; the template
    escapes it): '' -> '(inget)', '\\n' -> '(radbrytning)', '  ' -> '(2 × mellanslag)'; inside
    other text a line break shows as '↵' and spaces at the ends as '␣'."""
    if not value:
        return "(inget)"
    if not value.strip():
        parts = []
        for char, group in itertools.groupby(value):
            name = WHITESPACE_NAMES.get(char, f"U+{ord(char):04X}")
            n = len(list(group))
            parts.append(f"{n} × {name}" if n > 1 else name)
        return "(" + " + ".join(parts) + ")"
    core = value.strip(" ")
    start = value.index(core)
    text = "␣" * start + core + "␣" * (len(value) - start - len(core))
    return text.replace("\r\n", "\n").replace("\n", "↵\n").replace("\t", "⇥")


def is_blank(value: str | None) -> bool:
    return not value or not value.strip()


def kronor_sv(value: int | float | None) -> str:
    """500000 -> '500 000 kr' (no-break spaces)."""
    if value is None or value == "":
        return ""
    return f"{number_sv(value)}{NBSP}kr"


def year_span_sv(first: int | None, last: int | None = None) -> str:
    """(2018, 2020) -> '2018–2020', (2018, 2018) -> '2018', no years -> '–'."""
    if first is None and last is None:
        return "–"
    if first is None or last is None or first == last:
        return str(first if first is not None else last)
    return f"{first}–{last}"


def capitalize_first(value: str | None) -> str:
    """'lokalt utvecklingsprojekt' -> 'Lokalt utvecklingsprojekt' (the rest unchanged)."""
    if not value:
        return ""
    return value[:1].upper() + value[1:]


def owner_sv(mention: dict) -> str:
    """A mention's owner with its district when the owner does not already name it:
    'Skärholmens stadsdelsförvaltning', 'Socialförvaltningen (Farsta)', or just the district."""
    owner = (mention.get("owner") or "").strip()
    district = (mention.get("district") or "").strip()
    if not owner:
        return district
    if district and district.casefold() not in owner.casefold():
        return f"{owner} ({district})"
    return owner


def register(app: Flask) -> None:
    app.add_template_filter(document_type_label, "dokumenttyp")
    app.add_template_filter(language_label, "sprak")
    app.add_template_filter(number_sv, "tal")
    app.add_template_filter(filesize_sv, "filstorlek")
    app.add_template_filter(hit_count_sv, "antal_traffar")
    app.add_template_filter(repair_rule_label, "rattelsetyp")
    app.add_template_filter(quality_percent, "kvalitet")
    app.add_template_filter(visible_text, "synlig_text")
    app.add_template_filter(kronor_sv, "kronor")
    app.add_template_filter(year_span_sv, "arsspann")
    app.add_template_filter(capitalize_first, "versal")
    app.add_template_filter(owner_sv, "agare")
    app.add_template_test(is_low_quality, "lag_kvalitet")
    app.add_template_test(is_blank, "tom")
