"""Fixtures for the web tests, after Flask's tutorial app (flaskr): app, client, runner.

Documents are real: small UTF-8 text files written here and ingested through the service, so the
whole path (archive, ingest, catalog, index, web) runs; nothing is mocked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kunskapsbank.users import Users
from web import close_app, create_app

DOCS = {
    "kris": (
        "Tjänsteutlåtande vräkning 2018.txt",
        "Tjänsteutlåtande\n"
        "Dnr 3.2.2-109/2018\n"
        "2018-03-14\n"
        "\n"
        "Vräkningsförebyggande arbete i Kristeamet\n"
        "\n"
        "Socialförvaltningen föreslår att socialnämnden godkänner att Kristeamet fortsätter "
        "det vräkningsförebyggande arbetet under 2018. Kristeamet har under året tagit emot "
        "många hushåll med hyresskulder, och i de flesta fall kunde en avhysning undvikas.\n"
        "\n"
        "Arbetet sker i samverkan med hyresvärdarna och budget- och skuldrådgivningen.\n",
    ),
    "pm": (
        "pm_hemloshet.txt",
        "PM\n"
        "Dnr 1.2.3-45/2019\n"
        "2019-11-02\n"
        "\n"
        "Hemlöshet bland unga vuxna\n"
        "\n"
        "Denna promemoria beskriver läget för unga vuxna i hemlöshet. Det vräkningsförebyggande "
        "arbetet nämns som en viktig del. Exempel på felaktig inmatning från ett gammalt system: "
        "<script>alert(2)</script> och <b>fet</b> text ska visas som text.\n"
        "\n"
        "Uppföljning sker under våren 2020.\n",
    ),
    "rapport": (
        "slutrapport_ungdom.txt",
        "Slutrapport\n"
        "Dnr 4.5.6-7/2020\n"
        "2020-06-30\n"
        "\n"
        "Ungdomsmottagningen i Västra stadsdelen\n"
        "\n"
        "Projektet Ungdomsmottagningen har pågått i tre år. Samarbetet med Kristeamet "
        "fungerade väl. Slutsatsen är att verksamheten bör permanentas.\n",
    ),
}

# A text as OCR leaves it: Swedish letters read wrong ("Socialndmnden"), a "1" for "i", a
# hyphenated line end and markup from an old system, then a second page (after a form feed) that
# the repair cannot save, so its text quality stays low.
GARBLED = (
    "protokoll_skannat.txt",
    "Protokollsutdrag\n"
    "Dnr 2.1-33/2017\n"
    "2017-09-20\n"
    "\n"
    "Beslut om bilagor\n"
    "\n"
    "Socialndmnden godkinner forslaget. Arendet galler 1 bilagan. "
    "Texten <script>alert(5)</script> finns kvar och ut-\nvecklingen fortsatter.\n"
    "\f"
    "Xqv brrlt omnkz tjrrp vvkl mnnop. Qxxr zzlp kvvtr. Socialndmnden.\n",
)


@dataclass
class IngestedDoc:
    id: int
    filename: str
    data: bytes


@pytest.fixture
def app(config, assert_check_passes):
    app = create_app(config, {"TESTING": True})
    yield app
    assert_check_passes(app.extensions["kunskapsbank"])
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def kb(app):
    return app.extensions["kunskapsbank"]


def ingest_docs(kb, directory: Path) -> dict[str, IngestedDoc]:
    directory.mkdir(parents=True, exist_ok=True)
    docs = {}
    for key, (filename, text) in DOCS.items():
        path = directory / f"{key}.txt"
        data = text.encode("utf-8")
        path.write_bytes(data)
        outcome = kb.ingest_file(path, filename=filename)
        assert outcome.status == "added", (filename, outcome)
        docs[key] = IngestedDoc(outcome.document_id, filename, data)
    return docs


@pytest.fixture
def ingest_sample():
    """The function that writes DOCS into a directory and ingests them into a Kunskapsbank."""
    return ingest_docs


@pytest.fixture
def docs(kb, tmp_path) -> dict[str, IngestedDoc]:
    """The DOCS above, ingested through kb.ingest_file; keyed as in DOCS."""
    return ingest_docs(kb, tmp_path / "incoming")


@pytest.fixture
def garbled(kb, tmp_path) -> IngestedDoc:
    """GARBLED above, ingested through kb.ingest_file: a document the text repair changed."""
    filename, text = GARBLED
    path = tmp_path / "garbled" / "garbled.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    outcome = kb.ingest_file(path, filename=filename)
    assert outcome.status == "added", (filename, outcome)
    return IngestedDoc(outcome.document_id, filename, data)


# Two yearly reports naming projects in a list (as ingest/projects.py reads them): "Bo kvar" in
# both (one project, a timeline of two mentions), "Kristeamet" in 2018 and, in 2020, a project
# whose name carries markup from an old system.
def _report(year: int, second_item: str, table: str = "", tail: str = "") -> str:
    return (
        "Tjänsteutlåtande\n"
        f"Dnr 3.2.2-{year - 2000}/{year}\n"
        f"{year}-04-10\n"
        "\n"
        f"Redovisning av utvecklingsmedel {year}\n"
        "\n"
        "Socialförvaltningen föreslår att socialnämnden godkänner redovisningen.\n"
        "\n"
        "I bilaga 1 redovisas även resultaten av två lokala utvecklingsprojekt:\n"
        "- Bo kvar – förstudie (Skärholmens stadsdelsförvaltning, syfte att förebygga "
        "vräkningar).\n"
        f"- {second_item} – utvärdering (Farsta stadsdelsförvaltning, syftet var att undersöka "
        "om kristeamet bidragit till en förbättrad situation).\n"
        "\n"
        + table + tail
    )


REPORTS = {
    "r2018": ("Redovisning utvecklingsmedel 2018.txt", _report(
        2018, "Kristeamet",
        tail=(f"Följande inriktning föreslås inför år 2018: innovation och jämställdhet.\n\n"
              "Totalt har 750 000 kr fördelats.\n\n"
              "Lena Lundström Stoltz Veronica Wolgast\n"
              "förvaltningschef avdelningschef\n\n"
              "Handläggare: Anna Svensson\nTelefon: 08-508 25 000\n"))),
    # The same project (Bo kvar) two years later, with its amount in a table of funded
    # projects, and a second project whose name carries markup from an old system.
    "r2020": ("Redovisning utvecklingsmedel 2020.txt", _report(
        2020, "Unga <script & vuxna",
        table="Lokala utvecklingsmedel 2020\nSkärholmen\tBo kvar\t500 000\n\n")),
}


@dataclass
class Reports:
    r2018: int
    r2020: int
    bo_kvar: int
    kristeamet: int
    unga: int


@pytest.fixture
def reports(kb, tmp_path) -> Reports:
    ids = {}
    for key, (filename, text) in REPORTS.items():
        path = tmp_path / "reports" / f"{key}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        outcome = kb.ingest_file(path, filename=filename)
        assert outcome.status == "added", outcome
        ids[key] = outcome.document_id
    by_name = {p["name"]: p["id"] for p in kb.catalog.list_projects()}
    assert set(by_name) == {"Bo kvar", "Kristeamet", "Unga <script & vuxna"}, by_name
    return Reports(ids["r2018"], ids["r2020"], by_name["Bo kvar"], by_name["Kristeamet"],
                   by_name["Unga <script & vuxna"])


# -- staff accounts ------------------------------------------------------------------------------
# For tests of the staff pages (test modules cannot import conftest, so these are fixtures):
# `make_user` creates an account in the app's catalog; `login(client, username, password=...)`
# signs a test client in through the real sign-in form (CSRF token and all); `csrf_token_in(html)`
# reads a page's form token; `staff_password` is the password make_user gives by default;
# `fou_client` / `admin_client` are the app's test client already signed in with that role.
STAFF_PASSWORD = "rätt lösenord 2024"
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf_token_in(html: str | bytes) -> str:
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    found = _CSRF_INPUT.search(html)
    assert found, "no csrf_token input on the page"
    return found.group(1)


def _login(client, username: str, password: str = STAFF_PASSWORD):
    token = _csrf_token_in(client.get("/logga-in").data)
    return client.post("/logga-in", data={"csrf_token": token, "username": username,
                                          "password": password})


@pytest.fixture
def staff_password() -> str:
    return STAFF_PASSWORD


@pytest.fixture
def csrf_token_in():
    """csrf_token_in(html) -> the token of the first form in the page."""
    return _csrf_token_in


@pytest.fixture
def login():
    """login(client, username, password=staff_password) -> the response to the sign-in POST
    (303 when it worked)."""
    return _login


@pytest.fixture
def make_user(kb):
    """make_user(username, password=staff_password, role="fou") -> kunskapsbank.users.User."""
    def make(username: str, password: str = STAFF_PASSWORD, role: str = "fou"):
        return Users(kb.catalog).add(username, password, role)
    return make


@pytest.fixture
def fou_client(client, make_user):
    """The test client signed in as `fou-anna` (role fou)."""
    make_user("fou-anna", role="fou")
    assert _login(client, "fou-anna").status_code == 303
    return client


@pytest.fixture
def admin_client(client, make_user):
    """The test client signed in as `admin-bo` (role admin)."""
    make_user("admin-bo", role="admin")
    assert _login(client, "admin-bo").status_code == 303
    return client
