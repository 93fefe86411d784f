"""Nämnd, förvaltning, avdelning, handläggare, telephone, signatories, years, priority areas and
amounts: hand-made Swedish snippets (including tricky ones) and a few facts per seed, each
checked by reading the seed text."""
from __future__ import annotations

import pytest

from ingest_helpers import SEEDS, seed_pages
from ingest.amounts import find_amounts
from ingest.metadata import extract_metadata
from ingest.organisation import (board_of_administration, find_administration, find_board,
                                 find_department)
from ingest.people import (find_case_officer, find_people, find_phone, find_signatories,
                           role_of_word, split_names)
from ingest.priorities import find_priority_areas, find_years
from ingest.repair import repair_pages
from kunskapsbank.model import PriorityArea, Signatory

# ------------------------------------------------------------------------------------ nämnd


@pytest.mark.parametrize("text,expected", [
    ("Till\nSocialnämnden\n2023-12-12\n", "Socialnämnden"),
    ("Förvaltningens förslag till beslut\n1. Äldrenämnden godkänner rapporten.\n", "Äldrenämnden"),
    ("1. Socialndmnden godkänner förslaget.\n", "Socialnämnden"),  # OCR damage
    ("Farsta stadsdelsnämnd beslutar att godkänna ansökan.\n", "Farsta stadsdelsnämnd"),
    ("Nämnden beslutar. Ärendet delges stadsdelsnämnderna och kommunstyrelsen.\n", None),
    ("Socialnämndens beslut\n1. Nämnden godkänner.\n", "Socialnämnden"),
    ("En PM utan nämnd.\n", None),
])
def test_find_board(text, expected):
    assert find_board(text) == expected


def test_board_of_administration():
    assert board_of_administration("Socialförvaltningen") == "Socialnämnden"
    assert board_of_administration("Farsta stadsdelsförvaltning") == "Farsta stadsdelsnämnd"


# ------------------------------------------------------------------------------ förvaltning


@pytest.mark.parametrize("text,board,expected", [
    ("Socialförvaltningen\nAvdelningen för stadsövergripande\nsociala frågor\n", None,
     "Socialförvaltningen"),
    ("Text.\nÄldreförvaltningen föreslår att nämnden godkänner.\n", None, "Äldreförvaltningen"),
    ("Socialförvaltningens avdelning för stadsövergripande sociala frågor ger stöd.", None,
     "Socialförvaltningen"),
    ("Avdelningen för vuxna vid socialförvaltningen fördelar medel.", None,
     "Socialförvaltningen"),
    # project owners in running text do not count; the board's förvaltning is the fallback
    ("- Bo kvar, Skärholmens stadsdelsförvaltning.\n", "Socialnämnden", "Socialförvaltningen"),
    ("Text.\n", "Farsta stadsdelsnämnd", "Farsta stadsdelsförvaltning"),
    ("Text om stadsdelsförvaltningarna.\n", None, None),
])
def test_find_administration(text, board, expected):
    assert find_administration(text, board) == expected


# -------------------------------------------------------------------------------- avdelning


@pytest.mark.parametrize("text,expected", [
    ("Socialförvaltningen\nAvdelningen för stadsövergripande\nsociala frågor\n\nStorforsplan 36",
     "Avdelningen för stadsövergripande sociala frågor"),
    ("Ärendet har beretts vid avdelningen för stadsövergipande sociala frågor och "
     "förvaltningsgruppen har behandlat ärendet.", "Avdelningen för stadsövergripande sociala frågor"),
    ("Avdélningen för _\nstadsövergripande soctala\nfrågor\n\nUtvecklingsenheten\n",
     "Avdelningen för stadsövergripande sociala frågor"),  # OCR damage
    ("Socialförvaltningens avdelning för socialtjänst och arbetsmarknad ger processtöd.",
     "Avdelningen för socialtjänst och arbetsmarknad"),
    ("Avdelningen för barn och unga vid förvaltningen.", "Avdelningen för barn och unga"),
    ("Ingen avdelning här.", None),
])
def test_find_department(text, expected):
    assert find_department(text) == expected


# ----------------------------------------------------------------- handläggare and telephone


@pytest.mark.parametrize("text,name,phone", [
    ("Handläggare\nRebecca Hedenstedt\nTelefon: 08-50825413\n\nTill\nSocialnämnden\n",
     "Rebecca Hedenstedt", "08-50825413"),
    ("Handläggare: Anna Svensson\nTelefon: 08-508 25 123\nVäxel 08-508 25 000\n",
     "Anna Svensson", "08-508 25 123"),
    ("Handläggare Per Olsson   Telefon 08-508 12 345\n", "Per Olsson", "08-508 12 345"),
    ("Socialförvaltningen\nKarin Berg\nTelefon: 08-508 25 000\n", "Karin Berg",
     "08-508 25 000"),
    # letterhead phone without a name; the switchboard and fax never count
    ("Växel 08-508 25 000\nFax 08-508 25 999\nTetofon 08-508 25 450 Förvaltningschef\n", None,
     "08-508 25 450"),
    ("Inget telefonnummer, bara 3.2.2-109/2018 och 500 000 kr.\n", None, None),
])
def test_case_officer_and_phone(text, name, phone):
    officer, officer_phone, _ = find_people(text)
    assert (officer, officer_phone) == (name, phone)


def test_phone_nearest_the_case_officer():
    text = "Telefon 08-508 00 001\n\nHandläggare\nLisa Ek\nTelefon 08-508 00 002\n"
    name, pos = find_case_officer(text)
    assert name == "Lisa Ek" and find_phone(text, pos) == "08-508 00 002"


# ------------------------------------------------------------------------------ signatories


def test_two_names_two_roles_paired_in_order():
    text = ("3. Ärendet delges samtliga stadsdelsnämnder.\nLena Lundström Stoltz Veronica Wolgast\n"
            "förvaltningschef avdelningschef\n\nSammanfattning\n")
    assert find_signatories(text) == [Signatory("Lena Lundström Stoltz", "förvaltningschef"),
                                      Signatory("Veronica Wolgast", "avdelningschef")]


def test_names_in_an_address_column_and_ocr_damaged_roles():
    text = ("Swedenborgsgatan 20 Gillis Hammar Fredrik Jurdell\n106 64 Stockholm\n\n"
            "Telefon 08-508 25 450 Férvaliningschef Avdelningschef\nVäxel 08-508 25 000\n")
    assert find_signatories(text) == [Signatory("Gillis Hammar", "förvaltningschef"),
                                      Signatory("Fredrik Jurdell", "avdelningschef")]


def test_protocol_secretary_and_chair():
    text = ("Vid protekollet\n\nLisbeth Westerlund\nsekieterare\n\nJusteras\n\n"
            "Anna König Jerlmyr\nordförande\n")
    assert find_signatories(text) == [Signatory("Lisbeth Westerlund", "sekreterare"),
                                      Signatory("Anna König Jerlmyr", "ordförande")]
    # no role line after the name: the name under "Vid protokollet" is the sekreterare
    assert find_signatories("Vid protokollet\nLisbeth Westerlund\n") == [
        Signatory("Lisbeth Westerlund", "sekreterare")]


def test_signature_blocks_and_digital_signature_table_once_each():
    text = ("Veronica Wolgast Carstorp\nSocialdirektör\nSocialförvaltningen\n\n"
            "Lina Blombergsson\nAvdelningschef\nSocialförvaltningen\n\nAttesterat av\n"
            "Namn\tDatum\nVeronica Wolgast Carstorp, Socialdirektör\t2023-11-30\n"
            "Lina Blombergsson, Avdelningschef\t2023-11-30\n")
    assert find_signatories(text) == [Signatory("Veronica Wolgast Carstorp", "socialdirektör"),
                                      Signatory("Lina Blombergsson", "avdelningschef")]


def test_role_words_in_running_text_are_not_signatures():
    text = ("Vice ordföranden Roger Mogert m.fl. (S) anmälde ett särskilt uttalande.\n"
            "Beslutet fattas av förvaltningschef\nAnna Svensson har ordet.\n")
    assert find_signatories(text) == []


def test_biträdande_role_and_name_split():
    assert find_signatories("Eva Ek\nbiträdande förvaltningschef\n") == [
        Signatory("Eva Ek", "biträdande förvaltningschef")]
    assert split_names("Anna Maria Svensson Per Ek".split(), 2) == ["Anna Maria Svensson", "Per Ek"]
    assert split_names("Per Ek Anna Maria Svensson".split(), 2) == ["Per Ek", "Anna Maria Svensson"]
    assert split_names(["Per"], 1) is None
    assert role_of_word("Avdelningschef") == "avdelningschef"
    assert role_of_word("avdelningen") is None


# ------------------------------------------------------------------------------------ years


@pytest.mark.parametrize("text,title,expected", [
    ("Förvaltningens förslag till beslut\n1. Socialnämnden godkänner redovisning år 2018.\n"
     "2. Godkänner inriktning för 2020.\n\nSammanfattning\nSedan 2011 har staden ...", None,
     [2018, 2020]),
    ("Sammanfattning\nMedel för forskning och utveckling under 2017. Dnr 3.2-1/2016, "
     "beslut 2016-05-01.", None, [2017]),
    ("Text utan förslag. Stockholm startade 2011 ett projekt.", "Fördelning av medel 2024",
     [2024]),
    ("Förslag till beslut\nNämnden godkänner 2019 års redovisning av arbetet under 2013-2015.",
     None, [2013, 2014, 2015, 2019]),
    ("Bara historia: 2011, 2012 och 2013-05-16.", None, []),
])
def test_find_years(text, title, expected):
    assert find_years(text, title) == expected


# ---------------------------------------------------------------------------- priority areas


def test_inline_priority_areas():
    text = ("Följande inriktning föreslås avseende medel för forskning och\nutveckling inför år "
            "2020: Underlätta ett mer sammanhållet stöd till\nden enskilde, innovation och "
            "jämställdhet. Grundtanken är att projekten ska ha ett strategiskt värde.")
    assert find_priority_areas(text) == [
        PriorityArea(2020, "underlätta ett mer sammanhållet stöd till den enskilde"),
        PriorityArea(2020, "innovation"), PriorityArea(2020, "jämställdhet")]


def test_inline_samt_wins_over_och():
    text = ("Följande inriktning föreslås inför år 2019: utveckling av socialtjänsten utifrån "
            "likvärdiga och lika tillgängliga insatser, förebyggande arbete samt tidiga och "
            "kunskapsbaserade insatser.")
    assert [a.text for a in find_priority_areas(text)] == [
        "utveckling av socialtjänsten utifrån likvärdiga och lika tillgängliga insatser",
        "förebyggande arbete", "tidiga och kunskapsbaserade insatser"]


def test_bullet_list_with_ocr_bullets_and_continuations():
    text = ("Inriktning för 2020 års medel föreslås vara:\n"
            "e Underlätta ett mer sammanhållet\n\nstöd till den enskilde\n¢ Innovation\n"
            "o Jämställdhet\n\nUtlysning av lokala utvecklingsmedel\n")
    assert find_priority_areas(text) == [
        PriorityArea(2020, "underlätta ett mer sammanhållet stöd till den enskilde"),
        PriorityArea(2020, "innovation"), PriorityArea(2020, "jämställdhet")]


def test_list_wins_over_sentence_for_the_same_year_and_year_from_heading():
    text = ("Följande inriktning föreslås inför år 2020: innovation och jämställdhet.\n\n"
            "Inriktning för 2020 års medel föreslås vara:\n- Innovation\n- Jämställdhet\n"
            "- Tidigt stöd\n\nKvalificering och urval för lokala utvecklingsmedel 2024\n\n"
            "Huvudkriterier:\n- Nytt arbetssätt.\n\nPrioriterade områden:\n\n"
            "- Projekt med syfte att stärka klientcentrering.\n- HBTQ-perspektiv.\n")
    assert find_priority_areas(text) == [
        PriorityArea(2020, "innovation"), PriorityArea(2020, "jämställdhet"),
        PriorityArea(2020, "tidigt stöd"),
        PriorityArea(2024, "projekt med syfte att stärka klientcentrering"),
        PriorityArea(2024, "HBTQ-perspektiv")]


def test_unbulleted_list_after_prioriteras():
    text = ("De erfarenheter som gjorts bearbetas nu inför ansökningarna för 2013 års lokala\n"
            "utvecklingsmedel. I årets utlysning prioriteras ansökningar\nsom\n\n"
            "är av strategisk betydelse för staden som helhet.\n"
            "involverar fler än en stadsdelsförvaltning.\nhar tydlig forskningsanknytning,\n\n"
            "Nämnden tog beslut i juni.\n")
    assert find_priority_areas(text) == [
        PriorityArea(2013, "är av strategisk betydelse för staden som helhet"),
        PriorityArea(2013, "involverar fler än en stadsdelsförvaltning"),
        PriorityArea(2013, "har tydlig forskningsanknytning")]


def test_no_priority_areas_in_a_title_or_other_lists():
    text = ("Inriktning av FoU-medel för lokala utvecklingsprojekt år 2020\n\n"
            "Huvudkriterier:\n- Projektet prövar nytt.\n")
    assert find_priority_areas(text, [2020]) == []


# ---------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize("text,expected", [
    ("Maximalt belopp är 500 000 kr. Totalt 3 198 400 kronor.", [500000, 3198400]),
    ("Med no-break space 3\u00a0198\u00a0400 kronor och thin space 25\u2009000 kr och "
     "narrow 1\u202f000 kr.", [3198400, 25000, 1000]),
    ("Budgeten är 2,5 miljoner kronor, 1,5 mkr och 500 tkr.", [2500000, 1500000, 500000]),
    ("Totalt cirka tre miljoner kronor, en halv miljon kronor.", [3000000, 500000]),
    ("Mellan 5 000–10 000 kronor per resa, 500.000 kr.", [5000, 10000, 500000]),
    ("Telefon 08-508 25 000, Dnr 3.2.2-109/2018, 2019-04-10, 44 procent, 100 medarbetare.", []),
    ("Under 2018 500 000 kr och 2019 25 000 kronor.", [500000, 25000]),
    ("Samma belopp 25 000 kronor och igen 25 000 kr.", [25000]),
    ("Kostar ca: i milj. kr (11 500 per/person). Bekostar med ca: 4600 per deltagare.",
     [1000000, 11500, 4600]),
    ("Belopp i miljoner kronor. 100 deltagare per år.", []),
])
def test_find_amounts(text, expected):
    assert find_amounts(text) == expected


def test_table_column_in_kronor():
    text = ("<i>Förvaltning</i>\t<i>Projekt</i>\t<i>Summa (kronor)</i>\n"
            "Farsta\tDigital Lots 2024.\t500 000\nKungsholmen\tHur kan vi?\t250 000\n\n"
            "Skarpnäck\tFamiljeorienterat boendestöd\t500 000\nSumma\t\t1 250 000\n\n"
            "Antal\t12\tmedarbetare\n")
    assert find_amounts(text) == [500000, 250000, 1250000]


# -------------------------------------------------------------------------------- the seeds


def _meta(name):
    pages, _ = repair_pages(seed_pages(next(SEEDS.glob(name + "_*.txt"))))
    return extract_metadata(pages)


def test_seed_000():
    m = _meta("000")
    assert (m.board, m.administration) == ("Socialnämnden", "Socialförvaltningen")
    assert m.department == "Avdelningen för stadsövergripande sociala frågor"
    assert (m.case_officer, m.phone) == (None, None)
    assert m.signatories == [Signatory("Lena Lundström Stoltz", "förvaltningschef"),
                             Signatory("Veronica Wolgast", "avdelningschef")]
    assert m.years == [2018, 2020]
    assert [(a.year, a.text) for a in m.priority_areas] == [
        (2020, "underlätta ett mer sammanhållet stöd till den enskilde"),
        (2020, "innovation"), (2020, "jämställdhet")]
    assert m.amounts == [500000, 25000]


def test_seed_001():
    m = _meta("001")
    assert (m.board, m.administration) == ("Socialnämnden", "Socialförvaltningen")
    assert m.department == "Avdelningen för stadsövergripande sociala frågor"  # printed "övergipande"
    assert m.signatories == []  # the seed lacks the signature page
    assert m.years == [2017, 2019]
    assert len(m.priority_areas) == 4 and {a.year for a in m.priority_areas} == {2019}
    assert m.priority_areas[3].text == "tidiga och kunskapsbaserade insatser"
    assert m.amounts == [3000000, 750000, 25000]  # "cirka tre miljoner kronor" first


def test_seed_002():
    m = _meta("002")
    assert m.board is None  # the PM names no nämnd
    assert m.administration == "Socialförvaltningen"
    assert (m.case_officer, m.phone) == (None, "08-508 25 908")  # only an e-mail, no name
    assert m.years == [2017] and m.amounts == [] and m.priority_areas == []


def test_seed_003():
    m = _meta("003")
    assert m.board == "Socialnämnden"
    assert m.phone == "08-508 25 450"  # "Tetofon" in the OCR
    assert m.signatories == [Signatory("Lisbeth Westerlund", "sekreterare"),
                             Signatory("Gillis Hammar", "förvaltningschef"),
                             Signatory("Fredrik Jurdell", "avdelningschef")]
    assert m.amounts == [1000000, 11500, 4600]
    assert m.priority_areas[0] == PriorityArea(2013, "är av strategisk betydelse för staden som helhet")


def test_seed_004():
    m = _meta("004")
    assert (m.board, m.administration) == ("Socialnämnden", "Socialförvaltningen")
    assert (m.case_officer, m.phone) == ("Rebecca Hedenstedt", "08-50825413")
    assert m.signatories == [Signatory("Veronica Wolgast Carstorp", "socialdirektör"),
                             Signatory("Lina Blombergsson", "avdelningschef")]
    assert m.years == [2024]
    assert [a.year for a in m.priority_areas] == [2024] * 3
    assert m.amounts[:4] == [6558400, 6460000, 198400, 25000] and m.amounts[-1] == 3198400
    assert 23400 in m.amounts and len(m.amounts) == len(set(m.amounts))


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_layout_does_not_matter(name):
    """The same document laid out differently (every line followed by a blank line, as some
    text layers come out; trailing spaces) gives the same metadata."""
    pages, _ = repair_pages(seed_pages(next(SEEDS.glob(name + "_*.txt"))))
    spaced = ["\n".join(line.rstrip() + " \n" for line in page.splitlines()) for page in pages]
    a, b = extract_metadata(pages), extract_metadata(spaced)
    for field in ("dnr", "document_type", "date", "board", "administration", "department",
                  "case_officer", "phone", "signatories", "years", "amounts"):
        assert getattr(a, field) == getattr(b, field), field
