from kunskapsbank.model import ProjectMention
from kunskapsbank.projects import KnownProject, match, name_key


def known(i, name, district=None, category="lokalt utvecklingsprojekt"):
    return KnownProject(i, name_key(name), district, category)


def test_keys_agree_across_spellings_and_ocr_states():
    assert name_key("Mätinstrument livskvalitet (gruppbostad)") == \
        name_key("Mätinstrument livskvalitet gruppbostad")
    assert name_key("Kristeamets utvärdering") == name_key("Kristeamet") == "kristeamet"
    assert name_key("Bo kvar – förstudie") == "bo kvar"


def test_same_project_in_another_year_and_ocr_state_joins():
    projects = [known(1, "Mätinstrument livskvalitet (gruppbostad)", "Hägersten-Älvsjö")]
    m = match(ProjectMention("Mitinstrument livskvalitet gruppbostad",
                             district="Hägersten-Älvsjö"), projects)
    assert m.project_id == 1 and "similarity" in m.reason


def test_similar_names_of_different_projects_stay_apart():
    projects = [known(1, "Stärkt brukarinflytande i verksamheten", "Södermalm"),
                known(2, "Bo kvar", "Skärholmen")]
    assert match(ProjectMention("Stärkt tidigt stöd i samverkan"), projects).project_id is None
    assert match(ProjectMention("Bo bra"), projects).project_id is None
    other_district = match(ProjectMention("Bo kvar", district="Farsta"), projects)
    assert other_district.project_id is None and other_district.reason.startswith("new project")
