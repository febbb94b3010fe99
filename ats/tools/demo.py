"""Deterministic synthetic candidates and applications, for demos and benchmarks.

``flask ats demo --applications N --seed S`` always makes the same data for the
same N and S (and the same day: times are set back from the start of the
current UTC day, or of ``--as-of``, so the board's "days in stage" look right
whenever it runs). Only the row ids, which follow the data already there, and
the candidates' status links, which are secrets and random every time, differ.

Each application comes with its candidate, its stage history, claimed skills,
voluntary self-identification (mostly declined) and, once it reached the
interview, the recruiters' skill annotations. Rows are written with bulk
inserts in batches, in one transaction: 100,000 applications take seconds.

Demo candidates use the reserved ``example.test`` domain, which the apply form
refuses, and their applications the source ``demo``: a new run replaces the
previous demo data (all of it, whatever its roles) and touches nothing else.
"""
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, delete, func, select, text

from ..extensions import db
from ..models import (
    Application,
    ApplicationSkillClaim,
    Candidate,
    Role,
    SelfIdentification,
    SkillAnnotation,
    Stage,
    StageChange,
)
from ..models.self_identification import DISABILITY, GENDER, RACE_ETHNICITY, VETERAN
from ..operations import write_transaction
from ..operations.applications import PRIVACY_NOTICE_VERSION
from .bulk import BulkWriter, StatusKeys, analyze, restore_search_index, suspend_search_index

DEMO_DOMAIN = "example.test"
DEMO_SOURCE = "demo"
BATCH = 5_000

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Tu", "Rosalind", "Hedy", "Mae", "Srinivasa", "Emmy",
         "Barbara", "Edsger", "Radia", "Margaret", "Chien-Shiung", "Dorothy", "Shafi", "Frances",
         "Ken", "Lynn", "Fei-Fei", "Yoshua", "Daphne", "Andrew", "Regina", "Ziad", "Joy", "Timnit",
         "Leslie", "Donald", "Sophie", "Mary", "Jean", "Omar", "Amara", "Chidi", "Priya", "Mateo",
         "Lucía", "Søren", "Zoë", "Björn", "Nguyễn", "Aiko", "Kwame", "Fatima", "Yusuf", "Ines"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Youyou", "Franklin", "Lamarr", "Jemison",
        "Ramanujan", "Noether", "Liskov", "Dijkstra", "Perlman", "Hamilton", "Wu", "Hodgkin",
        "Goldwasser", "Allen", "Thompson", "Conway", "Li", "Bengio", "Koller", "Ng", "Barzilay",
        "Obermeyer", "Buolamwini", "Gebru", "Lamport", "Knuth", "Wilson", "Somerville", "Bartik",
        "Haddad", "Okafor", "Eze", "Raman", "García", "Fernández", "Kierkegaard", "Müller",
        "Andersson", "Trần", "Tanaka", "Mensah", "Zahra", "Kaya", "Moreau"]
PLACES = ["Boston, MA", "San Francisco, CA", "New York, NY", "Chicago, IL", "Seattle, WA",
          "Austin, TX", "Nashville, TN", "Toronto, Canada", "London, UK", "Berlin, Germany",
          "Remote", "Pittsburgh, PA", "Baltimore, MD", "Atlanta, GA", "Denver, CO"]
PHRASES = {
    "medical-image-analysis": "Trained ResNet and ViT models on DICOM chest X-rays and CT series.",
    "clinical-nlp": "Extracted medications and diagnoses from physician notes with transformer NER.",
    "hipaa-phi-deidentification": "Built a PHI de-identification pipeline for HIPAA-compliant training data.",
    "fda-samd-regulatory": "Wrote the performance study for an FDA 510(k) SaMD submission.",
    "survival-analysis-risk-stratification": "Fitted Cox models for sepsis risk stratification in the ICU.",
    "ehr-fhir-hl7-integration": "Integrated EHR data over FHIR and HL7 v2 feeds into a feature store.",
    "uncertainty-calibration": "Calibrated model confidence with temperature scaling and conformal prediction.",
    "interpretability-grad-cam": "Produced Grad-CAM heat maps that radiologists reviewed case by case.",
}
FILLER = [
    "Graduate coursework in machine learning and biostatistics.",
    "Led a team of three engineers on a hospital data platform.",
    "Published a workshop paper on fairness across patient subgroups.",
    "Mentored interns and ran the weekly paper reading group.",
    "Comfortable with Python, PyTorch, SQL and cloud deployment.",
]
REJECTION_REASONS = ["Not enough imaging experience", "Role filled", "Salary expectations", "No regulatory background"]
# Where applications end up, with weights; the path there is the pipeline's.
OUTCOMES = [
    (Stage.APPLIED, 40), (Stage.SCREENING, 18), (Stage.INTERVIEW, 14), (Stage.OFFER, 4),
    (Stage.HIRED, 3), (Stage.REJECTED, 17), (Stage.WITHDRAWN, 4),
]
PATH = [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED]
CLOSED = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
# How recruiters judged the skills of those who reached the interview.
LEVELS = (("strong", 45), ("partial", 35), ("none", 20))


class DemoError(Exception):
    """The demo data cannot be made as asked; nothing was written."""


@dataclass(frozen=True)
class DemoTotals:
    candidates: int = 0
    applications: int = 0
    history: int = 0
    claims: int = 0
    annotations: int = 0
    replaced: int = 0


def generate(count: int, seed: int = 1, role_slug: str | None = None, as_of: date | None = None) -> DemoTotals:
    """Replace the demo data with ``count`` applications, spread over the
    catalog's roles in turn, or all in the role ``role_slug``. One transaction."""
    if count < 0:
        raise DemoError("The number of applications cannot be negative.")
    write_transaction()
    try:
        return _generate(count, seed, role_slug, as_of)
    except BaseException:
        db.session.rollback()
        raise


def _generate(count: int, seed: int, role_slug: str | None, as_of: date | None) -> DemoTotals:
    # Deterministic synthetic data from a seed: nothing here is a secret.
    rng = random.Random(seed)  # nosec B311
    roles_query = select(Role).order_by(Role.id)
    if role_slug is not None:
        roles_query = roles_query.where(Role.slug == role_slug)
    roles = db.session.scalars(roles_query).all()
    if not roles:
        if role_slug is not None:
            raise DemoError(f"There is no role {role_slug!r}.")
        raise DemoError("There are no roles: load the catalog first (flask --app wsgi ats seed).")
    skills = {role.id: [(s.id, s.slug) for s in role.active_skills] for role in roles}

    search_index = suspend_search_index()
    replaced = clear()
    candidate_start = _reserve_ids(Candidate, count)
    application_start = _reserve_ids(Application, count)

    now = datetime.combine(as_of or datetime.now(timezone.utc).date(), time(), tzinfo=timezone.utc)
    outcome_stages, outcome_weights = zip(*OUTCOMES)
    level_names, level_weights = zip(*LEVELS)
    gender = _choice_weights(GENDER, 6)
    race = _choice_weights(RACE_ETHNICITY, 12)
    veteran = _choice_weights(VETERAN, 5)
    disability = _choice_weights(DISABILITY, 6)

    writer = BulkWriter()
    stamp = writer.timestamp
    status_keys = StatusKeys()
    for index in range(count):
        candidate_id = candidate_start + index
        application_id = application_start + index
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        email = f"{first}.{last}.{index}@{DEMO_DOMAIN}".lower().replace(" ", "")
        role = roles[index % len(roles)]
        role_skills = skills[role.id]
        claimed = [s for s in role_skills if rng.random() < 0.4]
        profile = " ".join(
            [PHRASES.get(slug, f"Experience with {slug}.") for _, slug in claimed] + rng.sample(FILLER, 2)
        )
        # Whole seconds: the same on both databases, whatever their precision.
        applied_at = now - timedelta(seconds=rng.randrange(1, 180 * 86_400))
        outcome = rng.choices(outcome_stages, outcome_weights)[0]
        path = _path_to(outcome, rng)
        times = _moments(applied_at, len(path), now, rng)
        moments = [stamp(moment) for moment in times]
        applied = moments[0]
        phone = f"+1 555 {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
        location = rng.choice(PLACES)
        linkedin = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{index}"
        writer.add(
            "candidates", (candidate_id, email, email, name, phone, location, linkedin, applied, applied)
        )

        levels = []
        if Stage.INTERVIEW in path:
            for skill_id, _ in role_skills:
                level = rng.choices(level_names, level_weights)[0]
                levels.append(level)
                writer.add("skill_annotations", (application_id, skill_id, level, "", None, moments[2]))
        writer.add("applications", (
            application_id, role.id, candidate_id, outcome.value, len(path),
            path[-2].value if outcome in CLOSED else None,
            (path[-1] if outcome in PATH else path[-2]).value,  # the furthest stage
            applied, moments[-1], moments[-1],
            name, email, phone, location, linkedin, profile, DEMO_SOURCE,
            *status_keys.next(), applied, PRIVACY_NOTICE_VERSION,
            levels.count("strong"), levels.count("partial"), len(levels),
        ))
        for step, (stage, moment) in enumerate(zip(path, moments)):
            writer.add("stage_changes", (
                application_id,
                path[step - 1].value if step else None,
                stage.value,
                rng.choice(REJECTION_REASONS) if stage == Stage.REJECTED else "",
                "candidate" if not step or stage == Stage.WITHDRAWN else "system",
                None,
                moment,
                (times[step] - times[step - 1]).total_seconds() if step else None,
            ))
        for skill_id, _ in claimed:
            writer.add("application_skill_claims", (application_id, skill_id))
        writer.add("self_identifications", (
            application_id, rng.choices(*gender)[0], rng.choices(*race)[0],
            rng.choices(*veteran)[0], rng.choices(*disability)[0], applied,
        ))
        if index % BATCH == BATCH - 1:
            writer.flush()
    writer.finish()
    restore_search_index(search_index)
    db.session.commit()
    analyze()
    return DemoTotals(
        candidates=count,
        applications=count,
        history=writer.written["stage_changes"],
        claims=writer.written["application_skill_claims"],
        annotations=writer.written["skill_annotations"],
        replaced=replaced,
    )


def _choice_weights(values: dict[str, str], decline_weight: int) -> tuple[list[str], list[int]]:
    keys = list(values)
    return keys, [decline_weight if key == "decline" else 10 for key in keys]


def _path_to(outcome: Stage, rng: random.Random) -> list[Stage]:
    if outcome in PATH:
        return PATH[: PATH.index(outcome) + 1]
    reached = rng.choices(PATH[:4], [50, 30, 15, 5])[0]
    return PATH[: PATH.index(reached) + 1] + [outcome]


def _moments(start: datetime, steps: int, now: datetime, rng: random.Random) -> list[datetime]:
    """Increasing whole-second times from ``start``, never after ``now``."""
    moments = [start]
    for _ in range(steps - 1):
        room = int((now - moments[-1]).total_seconds())
        moments.append(moments[-1] + timedelta(seconds=rng.randrange(1, max(2, room // 2))))
    return moments



def _demo_candidates():
    return select(Candidate.id).where(Candidate.email_key.like(f"%@{DEMO_DOMAIN}"))


def clear() -> int:
    """Remove earlier demo data, and only that, inside the caller's transaction;
    returns how many demo applications there were.

    Demo applications are those of the source ``demo`` whose candidate has an
    ``example.test`` address. Their notes, annotations, interviews and audit
    events go with them (ON DELETE CASCADE); a demo candidate goes once no
    application of theirs is left.
    """
    demo_applications = select(Application.id).where(
        and_(Application.source == DEMO_SOURCE, Application.candidate_id.in_(_demo_candidates()))
    )
    count = db.session.scalar(select(func.count()).select_from(demo_applications.subquery()))
    if count:
        for model in (SelfIdentification, ApplicationSkillClaim, StageChange, SkillAnnotation):
            table = model.__table__
            db.session.execute(delete(table).where(table.c.application_id.in_(demo_applications)))
        db.session.execute(delete(Application.__table__).where(Application.__table__.c.id.in_(demo_applications)))
    db.session.execute(
        delete(Candidate.__table__).where(
            Candidate.id.in_(_demo_candidates()),
            ~select(Application.id).where(Application.candidate_id == Candidate.id).exists(),
        )
    )
    return count


def _issued(table: str) -> str:
    """SQL for the last id PostgreSQL's sequence for ``table`` handed out (0: none yet)."""
    return f"COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)"


def _reserve_ids(model, count: int) -> int:
    """The first of ``count`` ids for explicit inserts into ``model``'s table.

    They follow every row there is and every id PostgreSQL's sequence ever
    handed out (a removed demo row's id is never given to another row), and
    on PostgreSQL the sequence is moved past them at once (setval is not
    transactional), so an application that arrives meanwhile gets an id
    after the demo's instead of colliding with one. SQLite's write lock
    keeps other writers out until the demo commits.
    """
    table = model.__table__.name
    if db.engine.dialect.name != "postgresql":
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1
    last = db.session.scalar(
        # The table name is the model's own, never input.
        text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
            f"GREATEST((SELECT MAX(id) FROM {table}), {_issued(table)}, 0) + :count + 1)"
        ),
        {"count": count},
    )
    return last - count
