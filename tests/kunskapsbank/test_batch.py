"""Batch ingest and re-indexing with the real parts: process pool, Tesseract (one-page scans),
SQLite catalog, Whoosh index, and the CLI in a subprocess for Ctrl-C."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ingest.pipeline import PIPELINE_VERSION, STAGE_VERSIONS
from kunskapsbank.model import IndexDocument
from kunskapsbank.service import Kunskapsbank

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCAN_LINES = ["Socialnämnden godkänner redovisningen", "av lokala utvecklingsmedel 2019."]


def decision(n: int) -> str:
    return (f"Tjänsteutlåtande\nDnr 3.2.2-{100 + n}/2018\n\nRedovisning av projekt nummer {n}\n\n"
            f"Socialnämnden godkänner redovisningen. Kristeamet i Skärholmen, ärende {n}.\n")


def write_scan(path: Path, lines=SCAN_LINES, extra: str = "") -> Path:
    """A small one-page 300 dpi scan (a few seconds of Tesseract at most)."""
    font = ImageFont.truetype(FONT, 46)
    img = Image.new("L", (1400, 160 + 70 * (len(lines) + 1)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(list(lines) + ([extra] if extra else [])):
        draw.text((80, 80 + 70 * i), line, font=font, fill=0)
    img.save(path, dpi=(300, 300))
    return path


def make_folder(folder: Path, texts: int, scans: int = 0, bad: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"t{i:03d}.txt" for i in range(texts)]
    for i, path in enumerate(files):
        path.write_text(decision(i), encoding="utf-8")
    for i in range(scans):
        files.append(write_scan(folder / f"s{i:03d}.png", extra=f"Ärende {i}"))
    if bad:
        files.append(folder / "trasig.pdf")
        files[-1].write_bytes(b"%PDF-1.4\nnot a pdf at all\n")
    return files


def test_parallel_batch_then_rerun_skips_everything(config, tmp_path, assert_check_passes):
    files = make_folder(tmp_path / "share", texts=6, scans=1, bad=True)
    kb = Kunskapsbank(config)
    first = kb.ingest_many([tmp_path / "share"], workers=2)
    assert first.count("added") == 7 and first.count("failed") == 1
    failure = first.failed[0]
    assert failure.path.endswith("trasig.pdf") and "PDF" in failure.reason
    assert first.ocr_pages == 1 and first.cached_pages == 0
    assert kb.catalog.count_documents() == kb.index.doc_count() == 7
    assert kb.search("Skärholmen").total == 6
    assert_check_passes(kb)

    again = kb.ingest_many([tmp_path / "share"], workers=2)
    assert again.count("duplicate") == 7 and again.count("added") == 0
    assert again.count("failed") == 1  # a failure is retried, and reported again
    assert kb.catalog.count_documents() == 7
    # an unchanged path (same size and mtime) is recognised from the memo, without reading it:
    # content changed behind the file system's back goes unseen, as with rsync and make
    victim = files[0]
    st = victim.stat()
    victim.write_text(decision(0).replace("Kristeamet", "Kristimmen"), encoding="utf-8")
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert kb.ingest_file(victim).status == "duplicate"
    # a real change (new mtime) is seen
    victim.write_text(decision(0) + "Tillägg.\n", encoding="utf-8")
    assert kb.ingest_file(victim).status == "added"
    assert_check_passes(kb)
    kb.close()


def test_the_same_content_twice_in_one_batch_is_one_document(config, tmp_path,
                                                              assert_check_passes):
    folder = tmp_path / "share"
    make_folder(folder, texts=4)
    (folder / "t000 kopia.txt").write_bytes((folder / "t000.txt").read_bytes())
    (folder / "t001 kopia.txt").write_bytes((folder / "t001.txt").read_bytes())
    kb = Kunskapsbank(config)
    summary = kb.ingest_many([folder], workers=2)
    assert summary.count("added") == 4 and summary.count("duplicate") == 2
    assert kb.catalog.count_documents() == kb.index.doc_count() == 4
    assert_check_passes(kb)
    kb.close()


def test_reprocess_only_stale_keeps_ids_overrides_and_reuses_ocr(config, tmp_path,
                                                                 assert_check_passes):
    make_folder(tmp_path / "share", texts=2, scans=1)
    kb = Kunskapsbank(config)
    kb.ingest_many([tmp_path / "share"], workers=1)
    scan = kb.catalog.db.execute("SELECT id, sha256 FROM documents WHERE ocr_page_count = 1"
                                 ).fetchone()
    kb.catalog.set_override(scan["sha256"], "title", "Rättad titel", author="test")
    cache_files = sorted(config.ocr_cache_dir.rglob("*.json"))
    assert len(cache_files) == 1
    # the scan as an older repair stage left it
    older = PIPELINE_VERSION.replace(STAGE_VERSIONS["repair"], "repair-0")
    with kb.catalog.db:
        kb.catalog.db.execute("UPDATE documents SET pipeline_version=? WHERE id=?",
                              (older, scan["id"]))

    summary = kb.reprocess(only_stale=True, workers=2)
    assert summary.stale_stages == {"repair": 1}
    assert summary.count("updated") == 1 and not summary.failed
    assert summary.ocr_pages == summary.cached_pages == 1  # nothing OCRed again
    assert sorted(config.ocr_cache_dir.rglob("*.json")) == cache_files
    record = kb.catalog.get_document(scan["id"])
    assert record.pipeline_version == PIPELINE_VERSION and record.title == "Rättad titel"
    assert kb.catalog.count_documents() == 3
    assert kb.reprocess(only_stale=True).counts.total() == 0

    everything = kb.reprocess(workers=2)
    assert everything.count("updated") == 3 and everything.cached_pages == 1
    assert_check_passes(kb)
    kb.close()


def test_crash_mid_rebuild_leaves_the_live_index_searchable(config, tmp_path,
                                                           assert_check_passes):
    make_folder(tmp_path / "share", texts=3)
    kb = Kunskapsbank(config)
    kb.ingest_many([tmp_path / "share"])
    before = sorted(h.id for h in kb.search("Skärholmen").hits)
    seen_during_build = []

    def documents_then_disk_error():
        for doc in kb.catalog.iter_index_documents():
            yield IndexDocument(**{**doc.__dict__, "text": "zebrafinkar i Vantör"})
            # a search while the fresh index is being built sees the live (old) one
            seen_during_build.append((kb.search("Skärholmen").total,
                                      kb.search("zebrafinkar").total))
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        kb.index.rebuild(documents_then_disk_error())
    assert seen_during_build == [(3, 0)] * 3
    assert sorted(h.id for h in kb.search("Skärholmen").hits) == before
    assert kb.search("zebrafinkar").total == 0
    assert_check_passes(kb)

    # a rebuild that completes swaps in the new index; one search thread kept using the old
    def rebuilt():
        for doc in kb.catalog.iter_index_documents():
            yield IndexDocument(**{**doc.__dict__, "text": doc.text + " zebrafinkar"})
            seen_during_build.append(kb.search("zebrafinkar").total)
    assert kb.index.rebuild(rebuilt()) == 3
    assert seen_during_build[-3:] == [0, 0, 0]
    assert kb.search("zebrafinkar").total == 3
    assert kb.reindex() == 3
    assert kb.search("zebrafinkar").total == 0
    kb.close()


def test_a_rebuild_by_another_process_is_seen_after_the_swap(config, tmp_path):
    """The web app and `kunskapsbank reindex` are two processes: two SearchIndex objects."""
    make_folder(tmp_path / "share", texts=3)
    cli = Kunskapsbank(config)
    cli.ingest_many([tmp_path / "share"])
    web = Kunskapsbank(config)
    assert web.search("Skärholmen").total == 3
    seen = []

    def rebuilt():
        for doc in cli.catalog.iter_index_documents():
            yield IndexDocument(**{**doc.__dict__, "text": doc.text + " zebrafinkar"})
            seen.append((web.search("Skärholmen").total, web.search("zebrafinkar").total))
    cli.index.rebuild(rebuilt())
    assert seen == [(3, 0)] * 3  # the old index until the swap
    assert web.search("zebrafinkar").total == 3  # the new one right after
    web.close()
    cli.close()


def _cli(home: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "KUNSKAPSBANK_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "kunskapsbank.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_cli_ctrl_c_then_rerun_finishes_with_nothing_lost_or_duplicated(config, tmp_path,
                                                                        assert_check_passes):
    share = tmp_path / "share"
    files = make_folder(share, texts=12, scans=3, bad=True)
    proc = _cli(config.home, "ingest", str(share), "--workers", "2")
    catalog = config.catalog_path
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if catalog.exists():
            try:
                with sqlite3.connect(catalog) as db:
                    if db.execute("SELECT count(*) FROM documents").fetchone()[0]:
                        break
            except sqlite3.OperationalError:  # not created yet
                pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Stopping" in err and "run the same command again" in err, err
    with sqlite3.connect(catalog) as db:
        done = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 1 <= done < 15

    proc = _cli(config.home, "ingest", str(share), "--workers", "2")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1  # the broken PDF
    assert f"{15 - done} added" in out and f"{done} already present" in out, out
    assert "1 failed" in out and f"FAILED {share / 'trasig.pdf'}:" in err
    kb = Kunskapsbank(config)
    assert kb.catalog.count_documents() == kb.index.doc_count() == 15
    assert {r["filename"] for r in kb.catalog.db.execute("SELECT filename FROM documents")} \
        == {p.name for p in files if p.suffix != ".pdf"}
    report = assert_check_passes(kb)
    assert report.archive_files == 16  # 15 documents and the failed original, once each
    kb.close()


def test_cli_reindex_reprocess_reports_the_ocr_cache(config, tmp_path):
    write_scan(tmp_path / "scan.png")
    assert _cli(config.home, "ingest", str(tmp_path / "scan.png")).wait(timeout=120) == 0
    proc = _cli(config.home, "reindex", "--reprocess", "--workers", "1")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "1 processed again" in out and "1 by OCR, 1 of them from the OCR cache" in out, out
    proc = _cli(config.home, "reindex", "--reprocess", "--only-stale")
    out, _ = proc.communicate(timeout=60)
    assert "nothing to reprocess" in out
    proc = _cli(config.home, "check")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip().endswith("OK"), out
