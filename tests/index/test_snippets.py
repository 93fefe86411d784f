from index.snippets import excerpt_around, highlight


def test_excerpt_keeps_the_text_around_the_matches():
    text = ("Inledning. " * 200) + "Kristeamet i Farsta har utvärderats. " + ("Slut. " * 200)
    out = excerpt_around(text, ["kristeam"])
    assert "Kristeamet i Farsta" in out and len(out) < 800


def test_excerpt_matches_folded_stems_and_falls_back_to_the_start():
    text = "Förvaltningens förslag. " + "x " * 2000
    assert excerpt_around(text, ["forvaltning"]).startswith("Förvaltningens")
    assert excerpt_around(text, ["saknas"]) == text[:960]


def test_highlight_marks_matches_escaped_best_passages_in_text_order():
    text = ("<b>Kristeamet</b> startade. " + "fyllnad " * 40 + "Kristeamet och Farsta. "
            + "fyllnad " * 40 + "Farsta igen. ")
    spans = [(m.start(), m.end()) for m in __import__("re").finditer("Kristeamet|Farsta", text)]
    out = highlight(text, spans, top=2)
    assert "&lt;b&gt;<mark>Kristeamet</mark>&lt;/b&gt;" in out  # escaped around the mark
    assert "<mark>Kristeamet</mark> och <mark>Farsta</mark>" in out  # two distinct words win
    assert out.count(" … ") == 1
    assert out.index("startade") < out.index("och")  # text order
    assert "<b>" not in out and highlight(text, []) == ""
