"""`kunskapsbank check [--repair]` against real damage done to a real archive, catalog and index."""
from __future__ import annotations

import os
import subprocess
import sys

from kunskapsbank.check import run_check
from kunskapsbank.model import IndexDocument
from kunskapsbank.service import Kunskapsbank


def ingested(config, tmp_path, n: int = 3) -> Kunskapsbank:
    folder = tmp_path / "share"
    folder.mkdir()
    for i in range(n):
        (folder / f"beslut{i}.txt").write_text(
            f"Tjänsteutlåtande\nDnr 3.2.2-{200 + i}/2019\n\nSocialnämnden beslutar om "
            f"fördelning av medel, ärende {i}.\n", encoding="utf-8")
    kb = Kunskapsbank(config)
    assert kb.ingest_many([folder]).count("added") == n
    return kb


def kinds(report) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in report.remaining:
        out[p.kind] = out.get(p.kind, 0) + 1
    return out


def test_a_fresh_ingest_passes(config, tmp_path):
    kb = ingested(config, tmp_path)
    report = run_check(kb)
    assert report.ok and report.documents == report.indexed == report.archive_files == 3
    assert report.lines()[-1] == "OK"
    kb.close()


def test_index_disagreements_are_found_and_repaired(config, tmp_path):
    kb = ingested(config, tmp_path)
    ids = sorted(kb.catalog.document_versions())
    kb.index.delete([ids[0]])  # lost from the index
    kb.index.add([IndexDocument(id=999, filename="spöke.txt", title=None, dnr=None, date=None,
                                document_type=None, language="sv", text="spöke",
                                pipeline_version="x")])  # no catalog row
    with kb.catalog.db:  # the catalog moved on (e.g. reprocessed) but the index did not
        kb.catalog.db.execute("UPDATE documents SET pipeline_version='extract-0' WHERE id=?",
                              (ids[1],))
    report = run_check(kb)
    assert kinds(report) == {"not indexed": 1, "index only": 1, "index version": 1}
    assert report.stale["extract"] == 1
    assert "not indexed: 1" in report.lines()

    repaired = run_check(kb, repair=True)
    assert repaired.ok and all(p.fixed for p in repaired.problems)
    after = run_check(kb)
    assert after.ok and not after.problems and after.indexed == 3
    assert kb.index.versions()[ids[1]] == "extract-0"
    assert kb.search("spöke").total == 0 and kb.search("fördelning").total == 3
    kb.close()


def test_archive_damage_is_reported_and_never_hidden_by_repair(config, tmp_path):
    kb = ingested(config, tmp_path)
    rows = kb.catalog.db.execute("SELECT id, archive_path FROM documents ORDER BY id").fetchall()
    kb.archive.path(rows[0]["archive_path"]).write_bytes(b"overwritten")
    kb.archive.path(rows[1]["archive_path"]).unlink()
    (config.archive_dir / "ff").mkdir(exist_ok=True)
    (config.archive_dir / "ff" / ("f" * 64 + ".pdf")).write_bytes(b"%PDF nobody's")
    (config.archive_dir / ".incoming-abc123").write_bytes(b"half a copy")
    trash = config.archive_dir / "trash"  # originals of deleted documents: not orphans
    trash.mkdir()
    (trash / ("e" * 64 + ".txt")).write_bytes(b"deleted on purpose")

    report = run_check(kb, repair=True)
    assert kinds(report) == {"hash mismatch": 1, "missing original": 1, "orphan file": 1}
    assert not report.ok
    assert not (config.archive_dir / ".incoming-abc123").exists()  # the one thing repaired
    assert (config.archive_dir / "ff" / ("f" * 64 + ".pdf")).exists()  # originals are kept
    kb.close()

    env = {**os.environ, "KUNSKAPSBANK_HOME": str(config.home)}
    proc = subprocess.run([sys.executable, "-m", "kunskapsbank.cli", "check", "--repair"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "hash mismatch: 1" in proc.stdout and "3 problem(s) remain" in proc.stdout


def test_a_failed_original_is_not_an_orphan(config, tmp_path, assert_check_passes):
    bad = tmp_path / "trasig.pdf"
    bad.write_bytes(b"%PDF-1.4\nbroken\n")
    kb = Kunskapsbank(config)
    assert kb.ingest_file(bad).status == "failed"
    report = assert_check_passes(kb)
    assert report.archive_files == 1 and report.documents == 0
    kb.close()


def test_ingesting_the_source_again_restores_a_missing_original(config, tmp_path,
                                                                assert_check_passes):
    kb = ingested(config, tmp_path)
    relpath = kb.catalog.db.execute("SELECT archive_path FROM documents WHERE id=1").fetchone()[0]
    original = kb.archive.path(relpath).read_bytes()
    kb.archive.path(relpath).unlink()
    with kb.catalog.db:  # as when the memo is lost too: the file is read and hashed again
        kb.catalog.db.execute("DELETE FROM file_memo")
    assert kinds(run_check(kb)) == {"missing original": 1}
    summary = kb.ingest_many([tmp_path / "share"])
    assert summary.count("duplicate") == 3
    assert kb.archive.path(relpath).read_bytes() == original
    assert_check_passes(kb)
    kb.close()
