"""Candidates' data rights, for admins: find a candidate, hand them
everything held about them (JSON, and their files as a zip), erase them,
and answer the erasure requests they send from their status pages."""
import io
import json
import re
import zipfile
from tempfile import SpooledTemporaryFile

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..infra import resumes
from ..models import utcnow
from ..operations.audit import record_candidate_export
from ..operations.erasure import NotErasable, erase_candidate
from ..queries import candidates as candidates_query
from ..queries.candidates import candidate_record, find_candidate
from ..queries.data_rights import export_of
from ..web import or_404
from .routes import bp

MAX_EMAIL = 320
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Files are gathered in memory up to this size, then on disk.
ZIP_IN_MEMORY = 16 * 1024 * 1024


@bp.get("/candidates")
def candidates():
    email = (request.args.get("email") or "").strip()
    if _CONTROL.search(email) or len(email) > MAX_EMAIL:
        error = "Type one e-mail address, as the candidate gave it (upper or lower case alike)."
        return render_template("admin/candidates.html", email="", error=error), 400
    found = find_candidate(email) if email else None
    if found is not None:
        return redirect(url_for("admin.candidate", candidate_id=found.id), 303)
    return render_template("admin/candidates.html", email=email, searched=bool(email))


@bp.get("/candidates/<int:candidate_id>")
def candidate(candidate_id: int):
    return render_template("admin/candidate.html", record=or_404(candidate_record(candidate_id)))


@bp.get("/candidates/<int:candidate_id>/export.json")
def candidate_json(candidate_id: int):
    record = or_404(candidate_record(candidate_id))
    held = export_of(record.candidate)
    record_candidate_export([a["id"] for a in held["applications"]], current_user.id, "admin")
    body = json.dumps(held, indent=2, ensure_ascii=False).encode()
    return _private(send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True,
                              download_name=f"candidate-{candidate_id}.json"))


@bp.get("/candidates/<int:candidate_id>/files.zip")
def candidate_files(candidate_id: int):
    record = or_404(candidate_record(candidate_id))
    if not record.files:
        abort(404)
    archive = SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for held in record.files:
            try:
                stored = resumes.open_stored(held.storage_name)
            except resumes.MissingFile:
                continue
            with stored.stream as stream, bundle.open(_file_name(held), "w") as target:
                for chunk in iter(lambda: stream.read(64 * 1024), b""):
                    target.write(chunk)
    record_candidate_export([held.id for held in record.files], current_user.id, "admin", files=True)
    archive.seek(0)
    return _private(send_file(archive, mimetype="application/zip", as_attachment=True,
                              download_name=f"candidate-{candidate_id}-files.zip"))


def _file_name(held) -> str:
    """``<application id>-<the name it was sent under, made safe>``: unique in the zip."""
    extension = held.resume_name.rsplit(".", 1)[-1].lower() if held.resume_name and "." in held.resume_name else ""
    return f"{held.id}-{resumes.clean_filename(held.resume_name, '.' + extension if extension else '')}"


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/candidates/<int:candidate_id>/erase")
def confirm_erasure(candidate_id: int):
    return render_template("admin/erase.html", record=or_404(candidate_record(candidate_id)))


@bp.post("/candidates/<int:candidate_id>/erase")
def erase(candidate_id: int):
    try:
        erased = erase_candidate(candidate_id, current_user.id, "admin")
    except (LookupError, NotErasable):
        abort(404)
    count = len(erased.application_ids)
    message = (f"Candidate erased. {count} application{'' if count == 1 else 's'} kept as anonymous "
               f"record{'' if count == 1 else 's'}; {erased.files_deleted} file{'' if erased.files_deleted == 1 else 's'} deleted.")
    if erased.files_left:
        message += " The file store did not answer: the worker's sweep deletes the files left within the hour."
    flash(message, "success")
    return redirect(url_for("admin.erasure_requests"), 303)


@bp.get("/erasure-requests")
def erasure_requests():
    waiting, answered = candidates_query.erasure_requests(utcnow())
    return render_template("admin/erasure_requests.html", waiting=waiting, answered=answered)
