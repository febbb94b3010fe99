"""Command-line tools under ``flask --app wsgi ats …``."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .services.catalog import CatalogError, load_catalog

ats_cli = AppGroup("ats", help="Applicant-tracking service commands.")


@ats_cli.command("seed")
@click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Catalog folder (default: ATS_CATALOG_DIR, the repository's catalog/).",
)
def seed(catalog_dir: Path | None) -> None:
    """Load or update the role catalog. Running it twice changes nothing."""
    directory = catalog_dir or Path(current_app.config["ATS_CATALOG_DIR"])
    try:
        results = load_catalog(directory)
    except CatalogError as error:
        raise click.ClickException(f"{error}\nNothing was loaded.") from None
    for result in results:
        click.echo(f"{result.slug}: {result.outcome}")
