"""The ingest workflow end to end on small files: real archive, SQLite, ingest and Whoosh."""
from __future__ import annotations

from kunskapsbank.service import Kunskapsbank

DECISION = """Tjänsteutlåtande
Dnr 3.2.2-109/2018

Redovisning av lokala utvecklingsprojekt år 2018

Socialnämnden godkänner redovisningen. Kristeamet i Skärholmen har arbetat
vräkningsförebyggande under hela året.
"""


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_ingest_search_and_duplicate(config, tmp_path, assert_check_passes):
    src = write(tmp_path / "beslut.txt", DECISION)
    kb = Kunskapsbank(config)
    first = kb.ingest_file(src)
    assert first.status == "added", first.reason
    record = kb.catalog.get_document(first.document_id)
    assert record.dnr == "3.2.2-109/2018" and record.filename == "beslut.txt"
    assert kb.archive_path(record).read_bytes() == src.read_bytes()
    results = kb.search("Kristeamet")
    assert [h.id for h in results.hits] == [first.document_id]
    assert "<mark" in results.hits[0].snippet
    # the same bytes under another name are recognised, not stored or indexed twice
    again = kb.ingest_file(write(tmp_path / "kopia.txt", DECISION))
    assert again.status == "duplicate" and again.document_id == first.document_id
    assert kb.catalog.count_documents() == 1 and kb.index.doc_count() == 1
    assert len(list(config.archive_dir.rglob("*.txt"))) == 1
    assert_check_passes(kb)
    kb.close()


def test_bad_file_is_kept_reported_and_does_not_stop_the_batch(config, tmp_path,
                                                              assert_check_passes):
    good = write(tmp_path / "a_good.txt", DECISION)
    bad = tmp_path / "b_trasig.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    also_good = write(tmp_path / "c_latin1.txt", DECISION.replace("2018", "2017"), "cp1252")
    kb = Kunskapsbank(config)
    summary = kb.ingest_many([tmp_path])
    assert [o.status for o in summary.outcomes] == ["added", "failed", "added"]
    failure = summary.failed[0]
    assert failure.message_sv and failure.reason and failure.path == str(bad)
    # nothing a user gave us is lost: the broken original is in the archive too
    assert kb.archive.find(failure.sha256) is not None
    assert kb.catalog.recent_errors()[0]["path"] == str(bad)
    assert kb.search("Skärholmen").total == 2
    assert_check_passes(kb)
    kb.close()


def test_index_is_rebuilt_from_the_catalog(config, tmp_path):
    kb = Kunskapsbank(config)
    kb.ingest_file(write(tmp_path / "beslut.txt", DECISION))
    kb.close()
    (config.index_dir / "KUNSKAPSBANK_SCHEMA").write_text("old\n")  # as after a schema change
    kb = Kunskapsbank(config)
    assert kb.search("vräkningsförebyggande").total == 1
    assert kb.reindex() == 1
    kb.close()


def test_clean_text_teaches_the_repair(config, tmp_path):
    """Words of clean documents in the catalog become a domain lexicon that later repairs use."""
    clean = ("Projektet Skrålgården prövar ett nytt arbetssätt i staden. Skrålgården har goda "
             "resultat för de boende i området, enligt förvaltningens utvärdering. Projektet "
             "Skrålgården fortsätter nästa år.\n")
    garbled = "Redovisning av Skralgarden: projektet har gatt bra.\n"
    kb = Kunskapsbank(config)
    before = kb.ingest_file(write(tmp_path / "garbled_first.txt", garbled))
    assert "Skrålgården" not in kb.catalog.document_text(before.document_id)
    kb.ingest_file(write(tmp_path / "clean.txt", clean))
    assert "skrålgården\t3" in config.domain_lexicon_path.read_text(encoding="utf-8")
    after = kb.ingest_file(write(tmp_path / "garbled_again.txt", garbled + "Ny rad.\n"))
    assert "Skrålgården" in kb.catalog.document_text(after.document_id)
    kb.close()


def test_widen_query_makes_word_beginnings_of_plain_words():
    from kunskapsbank.service import widen_query
    assert widen_query("brukarskolan") == "(brukarskolan OR brukarskol*)"
    assert widen_query("kristeam") == "(kristeam OR kristeam*)"
    assert widen_query("Bo kvar") is None  # nothing long enough to widen
    for query in ("år:2018", '"en fras"', "Farsta OR Bromma", "3.2.2-109/2018"):
        assert widen_query(query) is None


def test_a_half_remembered_name_is_found(config, tmp_path):
    kb = Kunskapsbank(config)
    kb.ingest_file(write(tmp_path / "beslut.txt", DECISION))
    results = kb.search("kristeam")
    assert results.total == 1 and results.notice.startswith("Visar även ord")
    assert kb.search("Kristeamet").notice is None  # an exact hit is not widened
    kb.close()


def test_a_document_from_an_older_pipeline_is_processed_again(config, tmp_path,
                                                             assert_check_passes):
    kb = Kunskapsbank(config)
    first = kb.ingest_file(write(tmp_path / "beslut.txt", DECISION))
    kb.catalog.db.execute("UPDATE documents SET pipeline_version='old', title='gammal'")
    kb.catalog.db.commit()
    again = kb.ingest_file(write(tmp_path / "annat_namn.txt", DECISION))
    assert again.status == "updated" and again.document_id == first.document_id
    record = kb.catalog.get_document(first.document_id)
    assert record.pipeline_version != "old" and record.title != "gammal"
    assert record.filename == "beslut.txt"  # the name it was first given
    assert kb.catalog.count_documents() == 1 and kb.index.doc_count() == 1
    assert kb.ingest_file(write(tmp_path / "tredje.txt", DECISION)).status == "duplicate"
    assert_check_passes(kb)
    kb.close()
