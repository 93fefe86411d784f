import hashlib

from kunskapsbank.archive import Archive


def test_store_is_content_addressed_and_deduplicated(tmp_path):
    src = tmp_path / "Rapport.PDF"
    src.write_bytes(b"%PDF-1.4 original bytes")
    archive = Archive(tmp_path / "archive")
    first = archive.store(src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert first.sha256 == digest and not first.already_stored
    assert first.relpath == f"{digest[:2]}/{digest}.pdf"
    assert archive.path(first.relpath).read_bytes() == src.read_bytes()
    copy = tmp_path / "kopia.pdf"
    copy.write_bytes(src.read_bytes())
    second = archive.store(copy)
    assert second.already_stored and second.relpath == first.relpath
    leftovers = [p for p in (tmp_path / "archive").iterdir() if p.name.startswith(".incoming")]
    assert leftovers == []
