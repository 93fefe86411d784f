"""Shared fixtures: every test gets throw-away data directories; nothing is mocked."""
from __future__ import annotations

from pathlib import Path

import pytest

from kunskapsbank.config import Config

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def config(tmp_path, monkeypatch) -> Config:
    """A fresh, empty KUNSKAPSBANK_HOME for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("KUNSKAPSBANK_HOME", str(home))
    return Config.from_env()


@pytest.fixture(scope="session")
def sample_docs() -> Path:
    return SAMPLE_DOCS


@pytest.fixture
def assert_check_passes():
    """Call with a Kunskapsbank after ingesting: fails the test unless `kunskapsbank check`
    finds archive, catalog and index in agreement. Returns the report."""
    from kunskapsbank.check import run_check

    def verify(kb):
        report = run_check(kb)
        assert report.ok, "\n".join(report.lines())
        return report
    return verify


@pytest.fixture
def kb(config, assert_check_passes):
    """A Kunskapsbank on the test's empty home; `kunskapsbank check` must pass at the end."""
    from kunskapsbank.service import Kunskapsbank

    kb = Kunskapsbank(config)
    yield kb
    assert_check_passes(kb)
    kb.close()
