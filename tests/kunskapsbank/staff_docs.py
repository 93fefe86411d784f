"""Yearly reports as plain text, for the staff tests: each names projects in a list the way
ingest/projects.py reads them (name – status (owner, purpose))."""
from __future__ import annotations

from pathlib import Path


def report(year: int, items: list[str], title: str | None = None) -> str:
    lines = "\n".join(f"- {item}" for item in items)
    return (
        "Tjänsteutlåtande\n"
        f"Dnr 3.2.2-{year - 2000}/{year}\n"
        f"{year}-04-10\n"
        "\n"
        f"{title or f'Redovisning av utvecklingsmedel {year}'}\n"
        "\n"
        "Socialförvaltningen föreslår att socialnämnden godkänner redovisningen.\n"
        "\n"
        "I bilaga 1 redovisas även resultaten av lokala utvecklingsprojekt:\n"
        f"{lines}\n"
    )


BO_KVAR = ("Bo kvar – förstudie (Skärholmens stadsdelsförvaltning, syfte att förebygga "
           "vräkningar).")
KRISTEAMET = ("Kristeamet – utvärdering (Farsta stadsdelsförvaltning, syftet var att undersöka "
              "om kristeamet bidragit till en förbättrad situation).")
KRISSTOD = ("Krisstöd i Farsta – utvärdering (Farsta stadsdelsförvaltning, syftet var att "
            "stödja familjer i kris).")


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
