"""Jinja filters: Swedish labels and number formats for what the templates show."""
from __future__ import annotations

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


def register(app: Flask) -> None:
    app.add_template_filter(document_type_label, "dokumenttyp")
    app.add_template_filter(language_label, "sprak")
    app.add_template_filter(number_sv, "tal")
    app.add_template_filter(filesize_sv, "filstorlek")
    app.add_template_filter(hit_count_sv, "antal_traffar")
