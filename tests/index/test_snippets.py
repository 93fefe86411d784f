from index.analysis import fold
from index.snippets import excerpt_around


def test_excerpt_keeps_the_text_around_the_matches():
    text = ("Inledning. " * 200) + "Kristeamet i Farsta har utvärderats. " + ("Slut. " * 200)
    out = excerpt_around(text, ["kristeam"], fold(text))
    assert "Kristeamet i Farsta" in out and len(out) < 800


def test_excerpt_matches_folded_stems_and_falls_back_to_the_start():
    text = "Förvaltningens förslag. " + "x " * 2000
    assert excerpt_around(text, ["forvaltning"], fold(text)).startswith("Förvaltningens")
    assert excerpt_around(text, ["saknas"], fold(text)) == text[:1800]
