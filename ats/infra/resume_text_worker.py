"""The child process that reads a resume's text: run by ``ats.infra.resume_text``
as ``python -I -B resume_text_worker.py PATH KIND CPU_SECONDS MEMORY_BYTES``,
never imported by the web process for its parsers.

It limits itself before it imports a parser (``resource.setrlimit``): CPU
time (past it the kernel sends SIGXCPU, then SIGKILL) and address space (past
it an allocation fails with MemoryError). It writes one JSON object to its
standard output: ``{"text": …, "truncated": …}``, or ``{"error": NAME}`` with
the name of the exception's class only (never the text, never the path).

The module imports nothing of ``ats``: the parent runs it by its file path in
isolated mode (``-I``), so it works wherever the service was started from and
sees none of the parent's environment (no secrets, no PYTHONPATH).

A .docx is a ZIP file, and its directory says how big each part is; that is
not trusted. python-docx reads a part with ``ZipFile.read``, which inflates
the whole compressed member at once and only then cuts it to the declared
size: 1 MB that declares 1,000 bytes becomes a gigabyte in memory before
anything checks. So python-docx is never given the uploaded file. Each part is
read here in small chunks through ``ZipFile.open``, counting the bytes that
really come out of the decompressor, and the reading stops past
MAX_DOCX_UNPACKED in all; a chunked read inflates at most a chunk at a time,
and stops at the declared size, so a part that lies about its size is cut
(and then fails its CRC or its XML). Only stored and deflated parts are read:
bzip2 and LZMA inflate a whole block per read, whatever was asked for, and
Word writes neither. python-docx then opens an uncompressed copy made from
the counted parts, keeping its parsing (paragraphs, then tables' cells) as it
was. The address-space limit is the last guard, whatever a parser does.
"""
import io
import json
import os
import resource
import sys
import zipfile

# How much of a resume's text is read, and of a PDF's pages.
MAX_RESUME_TEXT = 200_000
MAX_PDF_PAGES = 60
# A .docx whose parts unpack to more than this, counted as they unpack, is not read.
MAX_DOCX_UNPACKED = 50 * 1024 * 1024
# How much of a part is inflated at a time.
CHUNK = 64 * 1024

PDF = "pdf"
DOCX = "docx"


class ResumeTextError(Exception):
    pass


def limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Limit this process's CPU time and address space, and make no core file
    (never above a hard limit the process was started with)."""
    _lower(resource.RLIMIT_CORE, 0, 0)
    # The soft limit sends SIGXCPU (which ends a Python process); a second
    # later the hard one sends SIGKILL.
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    _lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)


def _lower(which: int, soft: int, hard: int) -> None:
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def read(path: str, kind: str) -> tuple[str, bool]:
    """(the first MAX_RESUME_TEXT characters of the file's text, whether there was more)."""
    if kind == PDF:
        text = _pdf_text(path)
    elif kind == DOCX:
        text = _docx_text(path)
    else:
        raise ResumeTextError("not a type we read")
    return text[:MAX_RESUME_TEXT], len(text) > MAX_RESUME_TEXT


def _pdf_text(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts, total = [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or total > MAX_RESUME_TEXT:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n\n".join(parts)


def _docx_text(path: str) -> str:
    import docx

    document = docx.Document(io.BytesIO(unpacked_copy(path)))
    parts, total = [], 0
    for paragraph in _paragraphs(document):
        text = paragraph.text.strip()
        if text and (not parts or parts[-1] != text):
            parts.append(text)
            total += len(text)
            if total > MAX_RESUME_TEXT:
                break
    return "\n\n".join(parts)


def _paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def unpacked_copy(path: str, limit: int = MAX_DOCX_UNPACKED) -> bytes:
    """An uncompressed ZIP holding the parts of the ZIP at ``path``, read in
    chunks and counted as they inflate; ResumeTextError past ``limit`` bytes
    in all, or for a part compressed other than by deflate."""
    total = 0
    out = io.BytesIO()
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ResumeTextError("a part compressed other than by deflate")
            chunks = []
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise ResumeTextError("the document unpacks to more than we read")
                    chunks.append(chunk)
            copy.writestr(info.filename, b"".join(chunks))
    return out.getvalue()


def main(argv: list[str]) -> int:
    path, kind, cpu_seconds, memory_bytes = argv[1], argv[2], int(argv[3]), int(argv[4])
    # The answer goes to the standard output as it was; anything a library
    # prints goes nowhere.
    answer = os.fdopen(os.dup(1), "w", encoding="ascii")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        limit(cpu_seconds, memory_bytes)
        text, truncated = read(path, kind)
        result, status = {"text": text, "truncated": truncated}, 0
    except BaseException as error:  # a malformed file can fail the parsers in many ways
        result, status = {"error": type(error).__name__}, 1
    try:
        answer.write(json.dumps(result))
        answer.close()
    except MemoryError:
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
