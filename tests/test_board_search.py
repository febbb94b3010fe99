"""The board's ``?q=`` through the databases' text indexes (migration 0018):
the same results as the plain substring match, whatever the query, while the
rows change; with the stage filter and pages; and the plan uses the index."""
import pytest
from sqlalchemy import delete, select, text, update

from ats.extensions import db
from ats.models import Application, Stage
from ats.queries.board import PAGE_SIZE, BoardQuery, load_board
from ats.queries.search import postgresql_match, search_condition
from tests.pages import text_of

S = Stage
BOARD = "/pipeline/ai-engineer"

# (name, stage, email, location, profile, resume text)
ROWS = [
    ("Zoë Ünal", S.APPLIED, "zoe@hospital.example", "Zürich", "Clinical NLP.", None),
    ("ZOË MÜLLER", S.SCREENING, "mueller@clinic.example", "Berlin", "", "Fitted COX MODELS in R."),
    ("Chidi Okafor", S.INTERVIEW, "chidi@example.org", "Lagos", "Built a 100% recall model for sepsis_alerts.", ""),
    ("Priya Raman", S.APPLIED, "priya@example.org", "Chennai", 'Wrote the "FHIR bridge" \\ backslash', None),
    ("Mateo García", S.REJECTED, "mateo_g@example.org", "Madrid", "Radiology AI.",
     "Led the PACS migration at Hospital Clínic; fluent in DICOM."),
    ("Ꭰꭱꭲ Cherokee", S.OFFER, "tsalagi@example.org", "Tahlequah", "", None),
]
QUERIES = [
    "okafor", "OKAFOR", "zoë", "ZOË", "Zoe", "zürich", "ÜNAL", "müller",  # case, accents
    "100%", "0% r", "%", "sepsis_alerts", "s_psis", "_", "\\", "\\ back",  # LIKE's characters are characters
    '"fhir bridge"', '"', 'e "f', "fhir",  # FTS5's quote
    "ü", "zo", "ai", "r.",  # one or two characters: the scan
    "cox models", "clínic", "dicom", "pacs",  # only in the resume text
    "chidi okafor", "okafor chidi", "okafor chidi@",  # the whole query, never across two texts
    "ᎠᎡᎢ", "ꭰꭱꭲ",  # letters SQLite's tokenizer does not fold (the scan decides)
    "  okafor   ", "nobody at all", "lic",
]


@pytest.fixture
def role(create_role):
    return create_role("ai-engineer", "AI Engineer")


@pytest.fixture
def rows(role, create_application):
    for name, stage, email, location, profile, resume in ROWS:
        create_application(role, name, stage, email=email, location=location, profile=profile, resume_text=resume,
                           **({"closed_from_stage": S.SCREENING} if stage.is_closed else {}))


def found(query: str) -> set[str]:
    """The names on the board for ``query`` (every column, first page)."""
    board = load_board("ai-engineer", BoardQuery.from_args({"q": query}))
    return {card.full_name for column in board.columns for card in column.cards}


def substring_match(query: str) -> set[str]:
    """What the contract asks for, worked out in Python from the rows themselves."""
    wanted = " ".join(query.split()).lower()
    with_resume = select(Application.full_name, Application.email, Application.location, Application.profile,
                         Application.resume_text)
    return {row[0] for row in db.session.execute(with_resume)
            if any(wanted in (value or "").lower() for value in row)}


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_finds_what_the_substring_match_finds(app_session, rows, query):
    assert found(query) == substring_match(query)


def test_the_oracle_is_not_empty_for_the_tricky_queries(app_session, rows):
    # The comparison above would pass vacuously if nothing were ever found.
    assert found("cox models") == {"ZOË MÜLLER"}
    assert found('"fhir bridge"') == {"Priya Raman"}
    assert found("ᎠᎡᎢ") == {"Ꭰꭱꭲ Cherokee"}
    assert found("okafor chidi@") == set()
    assert found("0% r") == {"Chidi Okafor"}


@pytest.mark.parametrize("query", ["oka\x00for", "oka\x07for", "\x7f"])
def test_a_search_with_control_characters_is_400_with_a_message(client, signed_in, rows, query):
    # No stored text holds one, and PostgreSQL refuses NUL in a query.
    response = client.get(BOARD, query_string={"q": query})
    assert response.status_code == 400
    assert "A search cannot hold control characters" in text_of(response.get_data(as_text=True))


def test_the_page_says_what_is_searched_next_to_the_box(client, signed_in, rows):
    body = client.get(BOARD).get_data(as_text=True)
    assert '<label class="field__label" for="board-q">Search candidates</label>' in body
    assert '<p class="field__hint" id="board-q-hint">Searches name, e-mail, location, profile and resume text</p>' in body
    assert 'aria-describedby="board-q-hint"' in body


# --- The index follows the rows ------------------------------------------------------


def test_the_index_follows_every_change_of_the_rows(app_session, rows, role, create_application):
    late = create_application(role, "Ada Lovelace", S.APPLIED, email="ada@example.org", resume_text_status="pending")
    assert found("analytical engine") == set()

    # The resume's text arrives after the application (a background reading).
    db.session.execute(update(Application).where(Application.id == late.id)
                       .values(resume_text="Notes on the Analytical Engine", resume_text_status="read"))
    db.session.commit()
    assert found("analytical engine") == {"Ada Lovelace"}

    # The name changes: the old one is no longer found, the new one is.
    db.session.execute(update(Application).where(Application.id == late.id).values(full_name="Ada King"))
    db.session.commit()
    assert found("lovelace") == set()
    assert found("ada king") == {"Ada King"}

    # A change of another column leaves the search as it was.
    db.session.execute(update(Application).where(Application.id == late.id).values(stage=S.SCREENING))
    db.session.commit()
    assert found("ada king") == {"Ada King"}

    # The row goes: nothing finds it.
    db.session.execute(delete(Application).where(Application.id == late.id))
    db.session.commit()
    assert found("analytical") == set()
    assert found("ada king") == set()
    for query in ("zoë", "cox models", "okafor", "lic"):
        assert found(query) == substring_match(query)
    if db.engine.dialect.name == "sqlite":
        # FTS5's own check that the index holds exactly the rows' texts.
        db.session.execute(text("INSERT INTO applications_search (applications_search, rank) "
                                "VALUES ('integrity-check', 1)"))


# --- With the stage filter and pages ------------------------------------------------


def test_search_stage_and_pages_together(client, signed_in, role, create_application):
    for number in range(PAGE_SIZE * 2 + 3):
        create_application(role, f"Match {number:02}", S.APPLIED, days_in_stage=100 - number,
                           resume_text="knows HL7 feeds")
        create_application(role, f"Other {number:02}", S.APPLIED, days_in_stage=100 - number)
    for number in range(4):
        create_application(role, f"Screened {number}", S.SCREENING, profile="hl7 v2")

    with client.application.app_context():
        board = load_board("ai-engineer", BoardQuery.from_args({"q": "HL7", "stage": "applied", "page": "2"}))
    assert [column.stage for column in board.columns] == [S.APPLIED]
    assert board.counts[S.APPLIED] == PAGE_SIZE * 2 + 3
    assert board.counts[S.SCREENING] == 4
    # Longest in the stage first: page 2 holds the 11th to the 20th.
    assert [card.full_name for card in board.columns[0].cards] == [
        f"Match {number:02}" for number in range(PAGE_SIZE, PAGE_SIZE * 2)
    ]
    assert board.pages == 3

    body = client.get(BOARD, query_string={"q": "HL7", "stage": "applied", "page": "3"}).get_data(as_text=True)
    assert "Match 22" in body and "Match 19" not in body and "Other" not in body


# --- The plan --------------------------------------------------------------------------


def test_the_search_uses_the_text_index(app_session, rows, role):
    if db.engine.dialect.name == "postgresql":
        # The text condition alone (the board adds the role's): a table of a
        # handful of rows is best read whole, and any btree index read whole
        # is the next best; forbid both, and what is left is a bitmap scan
        # of an index that can answer the condition itself.
        statement = select(Application.id).where(postgresql_match("lovelace"))
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "Bitmap Index Scan on ix_applications_search" in plan, plan
    else:
        # The index's matches drive the query, whatever SQLite guesses of the role's size.
        statement = select(Application.id).where(search_condition(role.id, "lovelace", "sqlite"))
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = [row[3] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
        assert plan[0].startswith("SEARCH applications USING INTEGER PRIMARY KEY"), plan
        assert any("applications_search VIRTUAL TABLE INDEX" in line for line in plan), plan
    db.session.rollback()


def test_short_queries_scan(app_session, rows, role):
    # One or two characters hold no trigram. SQLite does not ask the index;
    # PostgreSQL gets another statement than the index's expression, so a
    # plan prepared once for any pattern never reads the index whole for one.
    dialect = db.engine.dialect.name
    short = select(Application.id).where(search_condition(role.id, "zo", dialect))
    compiled = short.compile(db.engine, compile_kwargs={"literal_binds": True})
    if dialect == "postgresql":
        assert "E'\\x1f'" not in str(compiled)
        assert "E'\\x1f'" in str(select(Application.id).where(search_condition(role.id, "zoë", dialect)))
    else:
        plan = "\n".join(row[3] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "applications_search" not in plan, plan
