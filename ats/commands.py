"""Command-line tools under ``flask --app wsgi ats …``."""
import json
import time
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .infra.logs import redacted_url
from .jobs import queue
from .jobs.tasks import sweep
from .webhooks import EVENT_NAMES
from .models import Access
from .operations.api_tokens import TokenError, create_token
from .operations.audit import record_candidate_export
from .operations.erasure import due_for_erasure, erase_candidate, purge, retention_cutoff
from .operations.link_keys import rekey_links
from .operations.resume_text import read_pending_resumes
from .operations.webhooks import WebhookError, create_webhook
from .operations.two_step import turn_off_for_a_locked_out_user
from .operations.staff import StaffError, find_by_email, save_staff_user
from .queries.candidates import find_candidate
from .queries.data_rights import candidate_export
from .tools.catalog import CatalogError, load_catalog
from .tools.catalog_export import export_catalog
from .tools.demo import DemoError, generate

ats_cli = AppGroup("ats", help="Applicant-tracking service commands.")


@ats_cli.command("seed")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Catalog folder (default: ATS_CATALOG_DIR, the repository's catalog/).",
)
@click.option("--force", is_flag=True, help="Overwrite roles edited in the admin pages with the files too.")
def seed(catalog_dir: Path | None, force: bool) -> None:
    """Load or update the role catalog. Running it twice changes nothing.

    Roles missing from the database are created (with the file's status,
    open by default) and unedited ones updated. A role edited in the admin
    pages is kept as it is ("kept") unless --force; forced, the file
    replaces it and is its source again. `ats export-catalog` writes the
    pages as they are now back into files.
    """
    directory = catalog_dir or Path(current_app.config["ATS_CATALOG_DIR"])
    try:
        results = load_catalog(directory, force=force)
    except CatalogError as error:
        raise click.ClickException(f"{error}\nNothing was loaded.") from None
    for result in results:
        suffix = " (edited in the admin pages; --force overwrites it)" if result.outcome == "kept" else ""
        click.echo(f"{result.slug}: {result.outcome}{suffix}")


@ats_cli.command("export-catalog")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def export_catalog_command(directory: Path | None) -> None:
    """Write every role page as the database holds it to DIRECTORY/roles/<slug>.toml
    (default: ATS_CATALOG_DIR), in the form `ats seed` reads back identically.
    Files of other roles in that folder are left as they are."""
    for path in export_catalog(directory or Path(current_app.config["ATS_CATALOG_DIR"])):
        click.echo(str(path))


@ats_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as the staff pages show it.")
@click.option(
    "--role",
    "access",
    required=True,
    type=click.Choice([level.value for level in Access]),
    help="Access level (the contract's flag name; not a job role).",
)
@click.option(
    "--password",
    envvar="ATS_PASSWORD",
    show_envvar=True,
    help="At least 12 characters. Prefer the ATS_PASSWORD variable: "
    "a command-line argument is visible to other users of the machine.",
)
def create_user(email: str, name: str, access: str, password: str | None) -> None:
    """Create a staff account, or update the name, access and password of EMAIL's.

    Changing an account ends its open sessions.
    """
    try:
        saved = save_staff_user(email, name, access, password)
    except StaffError as error:
        raise click.ClickException(f"{error}\nNothing was saved.") from None
    verb = "created" if saved.created else "updated"
    click.echo(f"{saved.user.email}: {verb} ({saved.user.access.value})")


@ats_cli.command("create-api-token")
@click.argument("email")
@click.option("--name", "label", required=True, help="What the token is for, to tell it apart on the account page.")
def create_api_token(email: str, label: str) -> None:
    """Print a new API token for the staff account EMAIL. It acts with the
    account's access level; it is shown this once and stored hashed."""
    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no staff account for {email!r}.")
    try:
        made = create_token(user.id, label, None)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(made.token)
    click.echo(f"API token {made.label!r} for {user.email} ({user.access.label}). It is shown only this once.", err=True)


@ats_cli.command("add-webhook")
@click.argument("url")
@click.option("--events", "event_names", required=True, metavar="E1,E2",
              help="The events to send, separated by commas: " + ", ".join(EVENT_NAMES) + ".")
@click.option("--secret", required=True, help="The shared secret the receiver checks X-ATS-Signature with.")
def add_webhook(url: str, event_names: str, secret: str) -> None:
    """Register a webhook: URL is sent each event named in --events, signed
    with --secret. Loopback and private addresses are refused unless
    ATS_WEBHOOK_ALLOW_PRIVATE=1."""
    try:
        made = create_webhook(url, event_names.split(","), secret, None,
                              allow_private=current_app.config["ATS_WEBHOOK_ALLOW_PRIVATE"])
    except WebhookError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"webhook {made.id}: {made.url} is sent {', '.join(made.events)}")


@ats_cli.command("demo")
@click.option(
    "--applications",
    "count",
    required=True,
    type=click.IntRange(min=0),
    help="How many applications to make (each with its own candidate).",
)
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed makes the same data.")
@click.option(
    "--role",
    "role_slug",
    metavar="SLUG",
    help="Put every application in this role (default: spread over all roles in turn).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the data is made as of, YYYY-MM-DD (default: today, UTC).",
)
def demo(count: int, seed: int, role_slug: str | None, as_of: datetime | None) -> None:
    """Replace the demo candidates and applications with COUNT synthetic ones.

    The same --applications, --seed, --role and day give the same data. Only
    earlier demo data (addresses at example.test, source "demo") is removed;
    real candidates are never touched. Everything is written in one
    transaction, or nothing is.
    """
    started = time.perf_counter()
    day: date | None = as_of.date() if as_of else None
    try:
        totals = generate(count, seed=seed, role_slug=role_slug, as_of=day)
    except DemoError as error:
        raise click.ClickException(f"{error}\nNothing was written.") from None
    seconds = time.perf_counter() - started
    click.echo(
        f"demo: {totals.applications} applications and candidates, {totals.history} history entries, "
        f"{totals.claims} claimed skills, {totals.annotations} skill annotations "
        f"(replaced {totals.replaced} earlier demo applications) in {seconds:.1f} s"
    )


@ats_cli.command("read-resumes")
def read_resumes() -> None:
    """Read the text of every resume not read yet (those that arrived before
    resume text was stored), one at a time, each stored in its own transaction.

    Each file is read by a child process within the ATS_RESUME_TEXT_* limits;
    a file that cannot be read is marked so, and not tried again.
    """
    started = time.perf_counter()
    counts = read_pending_resumes()
    seconds = time.perf_counter() - started
    click.echo(f"resume text: {counts.read} read, {counts.unreadable} could not be read, in {seconds:.1f} s")


@ats_cli.command("worker")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1, max=64),
              help="Jobs this process runs at once (mail waits on the network, resume text on a child process).")
def worker(threads: int) -> None:
    """Run background jobs from the queue at ATS_QUEUE_URL (mail, resume text,
    the sweep every minute) until stopped. Run any number, on any machine.

    SIGTERM (as systemd and Kubernetes stop a process) lets running jobs finish
    first; SIGINT stops at once, and the jobs it interrupted run again later.
    """
    jobs = queue()
    if jobs.in_process:
        raise click.ClickException(
            "ATS_QUEUE_URL is not set: without a queue, jobs run in the web process and need no worker. "
            "Set ATS_QUEUE_URL=redis://host:6379/0 on the web and worker machines."
        )
    click.echo(f"worker: {threads} threads, queue {redacted_url(current_app.config['ATS_QUEUE_URL'])}")
    jobs.worker(threads).run()


@ats_cli.command("sweep")
def sweep_command() -> None:
    """Run the worker's sweep once: queue again what waited (events never
    queued, resumes never read), remove resume files left by applications
    that never committed, and send interviewers their scorecard links and
    reminders when due. The worker does this every minute; without one,
    run it from cron."""
    swept = sweep(queue())
    click.echo(f"sweep: {swept.events} events, {swept.resumes} resumes and {swept.webhooks} webhook deliveries queued, "
               f"{swept.orphan_files} orphan resume file{'' if swept.orphan_files == 1 else 's'} removed, "
               f"{swept.scorecard_links} scorecard links and {swept.scorecard_reminders} reminders sent")


@ats_cli.command("export-candidate")
@click.argument("email")
def export_candidate(email: str) -> None:
    """Print, as JSON, everything held about the candidate with address EMAIL
    (their right of access): identity, applications with their history,
    skills, assessments and notes, interviews, consent and self-identification,
    and the names of stored files. Recorded in the audit trail."""
    record = candidate_export(email)
    if record is None:
        raise click.ClickException(f"There is no candidate with the address {email!r}.")
    record_candidate_export([application["id"] for application in record["applications"]])
    click.echo(json.dumps(record, indent=2, ensure_ascii=False))


@ats_cli.command("erase-candidate")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Erase without asking again.")
def erase_candidate_command(email: str, yes: bool) -> None:
    """Erase the candidate with address EMAIL (their right to erasure): their
    identity, contact details, profile, notes, files and self-identification.
    Their applications stay as anonymous rows. Cannot be undone."""
    candidate = find_candidate(email)
    if candidate is None:
        raise click.ClickException(f"There is no candidate with the address {email!r}.")
    if not yes:
        click.confirm(f"Erase {candidate.email} and everything held about them? This cannot be undone", abort=True)
    erased = erase_candidate(candidate.id, None, "command line")
    click.echo(f"Erased: {len(erased.application_ids)} application(s) kept as anonymous rows, "
               f"{erased.files_deleted} file(s) deleted.")
    if erased.files_left:
        click.echo(f"{len(erased.files_left)} file(s) could not be deleted now (the store did not answer); "
                   "`flask ats sweep` deletes them once no application names them.", err=True)


@ats_cli.command("purge")
@click.option("--closed-before", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Erase candidates whose applications all closed before this day. "
                   "Default: today less ATS_RETENTION_MONTHS.")
@click.option("--dry-run", is_flag=True, help="List who would be erased, and change nothing.")
def purge_command(closed_before: datetime | None, dry_run: bool) -> None:
    """Erase every candidate whose applications all closed before a day: the
    retention period the privacy notice promises. The worker runs it daily;
    without a worker, run it from cron."""
    months = current_app.config["ATS_RETENTION_MONTHS"]
    day = closed_before.date() if closed_before else retention_cutoff(date.today(), months)
    if dry_run:
        due = due_for_erasure(day)
        for candidate in due:
            click.echo(f"{candidate.email}\t{candidate.last_closed_at.date().isoformat()}")
        click.echo(f"{len(due)} candidate(s) whose applications all closed before {day.isoformat()} "
                   "would be erased (dry run: nothing changed).", err=True)
        return
    purged = purge(day, by="command line")
    click.echo(f"{len(purged.erased)} candidate(s) whose applications all closed before {day.isoformat()} erased.")


@ats_cli.command("rekey-links")
def rekey_links_command() -> None:
    """After ATS_LINK_KEY (or SECRET_KEY, when it is unset) changed: make the
    links sent from now on work. Every link sent before stops working."""
    counts = rekey_links()
    click.echo(f"status links: {counts.status_links}, interview-offer links: {counts.offer_links}, "
               f"calendar feeds: {counts.calendar_feeds}, scorecard links: {counts.scorecard_links}")


@ats_cli.command("turn-off-two-step")
@click.argument("email")
def turn_off_two_step(email: str) -> None:
    """For a staff member who lost both their phone and their recovery codes:
    turn two-step sign-in off (check who they are first). Their sessions end."""
    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no staff account for {email!r}.")
    if not turn_off_for_a_locked_out_user(user.id):
        raise click.ClickException(f"Two-step sign-in is already off for {user.email}.")
    click.echo(f"Two-step sign-in is off for {user.email}; they sign in with their password and can turn it on again.")
