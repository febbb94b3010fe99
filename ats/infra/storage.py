"""Where stored files (resumes) are kept: a local folder, ``ATS_UPLOAD_DIR``
(the default), or an S3 bucket, ``ATS_STORAGE_URL=s3://bucket/prefix``, behind
one interface. Both stores take the name a file is kept under from the caller,
and neither lets a file be served by anything but the application.

The S3 store talks to the endpoint in ``AWS_ENDPOINT_URL`` (AWS itself when it
is unset) with the credentials boto3 finds on its own (``AWS_ACCESS_KEY_ID``
and ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role). A file that is not
there is :class:`MissingFile`; a store that cannot be reached, or refuses, is
:class:`StorageUnavailable` (the caller may try again later).
"""
import contextlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import Flask, current_app

log = logging.getLogger(__name__)

# How much of an S3 object is read at a time, to a recruiter or to a temporary copy.
CHUNK_BYTES = 64 * 1024


class MissingFile(LookupError):
    """No file is stored under that name."""


class StorageUnavailable(RuntimeError):
    """The store could not be reached, or refused the request; nothing was done."""


@dataclass(frozen=True)
class Opened:
    """A stored file opened for reading: read ``stream`` in chunks, then close it."""

    stream: BinaryIO
    size: int


class LocalStore:
    """Files in one folder (mode 700), each readable by this user only (600)."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def write(self, name: str, content: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)

    def delete(self, name: str) -> None:
        (self.directory / name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return (self.directory / name).is_file()

    def names_before(self, moment: float) -> Iterator[str]:
        """The names of the files last written before ``moment`` (a Unix time)."""
        if self.directory.is_dir():
            for path in self.directory.iterdir():
                if path.is_file() and path.stat().st_mtime < moment:
                    yield path.name

    def open(self, name: str) -> Opened:
        try:
            handle = open(self.directory / name, "rb")
        except FileNotFoundError:
            raise MissingFile(name) from None
        return Opened(handle, os.fstat(handle.fileno()).st_size)

    @contextlib.contextmanager
    def local_copy(self, name: str, limit: int) -> Iterator[Path]:
        """The file's own path: it is local already."""
        path = self.directory / name
        if not path.is_file():
            raise MissingFile(name)
        if path.stat().st_size > limit:
            raise ValueError(f"the stored file is larger than {limit} bytes")
        yield path


class S3Store:
    """Objects under ``prefix`` in one bucket, through a boto3 client."""

    def __init__(self, bucket: str, prefix: str, client):
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> "S3Store":
        import boto3
        from botocore.config import Config

        bucket, prefix = parse_storage_url(url)
        # A page waits for the store: a dead endpoint must not hold a worker for long.
        config = Config(connect_timeout=5, read_timeout=30)
        # A session of its own: boto3's default one is not safe across threads.
        return cls(bucket, prefix, boto3.session.Session().client("s3", config=config))

    def key(self, name: str) -> str:
        return self.prefix + name

    def write(self, name: str, content: bytes) -> None:
        with _s3_errors(name):
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(name), Body=content, ContentType="application/octet-stream"
            )

    def delete(self, name: str) -> None:
        with _s3_errors(name):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def names_before(self, moment: float) -> Iterator[str]:
        """The names of the objects under the prefix last written before ``moment`` (a Unix time)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        with _s3_errors(self.prefix):
            for page in pages:
                for item in page.get("Contents", []):
                    if item["LastModified"].timestamp() < moment:
                        yield item["Key"][len(self.prefix):]

    def exists(self, name: str) -> bool:
        try:
            with _s3_errors(name):
                self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except MissingFile:
            return False
        return True

    def open(self, name: str) -> Opened:
        with _s3_errors(name):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        return Opened(answer["Body"], answer["ContentLength"])

    @contextlib.contextmanager
    def local_copy(self, name: str, limit: int) -> Iterator[Path]:
        """A private temporary copy (mode 600) of at most ``limit`` bytes,
        deleted when the block ends."""
        opened = self.open(name)
        fd, path = tempfile.mkstemp(prefix="ats-stored-")
        try:
            with os.fdopen(fd, "wb") as handle, contextlib.closing(opened.stream) as body, _s3_errors(name):
                if opened.size > limit:
                    raise ValueError(f"the stored file is larger than {limit} bytes")
                written = 0
                for chunk in body.iter_chunks(CHUNK_BYTES):
                    written += len(chunk)
                    if written > limit:
                        raise ValueError(f"the stored file is larger than {limit} bytes")
                    handle.write(chunk)
            yield Path(path)
        finally:
            Path(path).unlink(missing_ok=True)


_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


@contextlib.contextmanager
def _s3_errors(name: str) -> Iterator[None]:
    """boto3's exceptions as this module's: MissingFile or StorageUnavailable."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _NOT_FOUND:
            raise MissingFile(name) from None
        log.error("S3 refused a request: %s", code)
        raise StorageUnavailable(f"S3 answered {code}") from error
    except BotoCoreError as error:
        log.error("S3 could not be reached: %s", type(error).__name__)
        raise StorageUnavailable(f"S3 could not be reached ({type(error).__name__})") from error


# S3's rules for bucket names, and the characters its guide calls safe in keys.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX_PART = re.compile(r"[A-Za-z0-9!_.*'()-]+")


def parse_storage_url(url: str) -> tuple[str, str]:
    """``(bucket, key prefix)`` of ``s3://bucket[/prefix]``; the prefix is ""
    or ends in "/". Anything else raises ValueError saying what is wrong."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/") if parts.path.strip("/") else []
    if parts.scheme != "s3":
        problem = "only s3:// is supported"
    elif "@" in parts.netloc or ":" in parts.netloc:
        problem = ("no credentials or port in it: the endpoint comes from AWS_ENDPOINT_URL, "
                   "the credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    elif not _BUCKET.fullmatch(parts.netloc) or ".." in parts.netloc:
        problem = "the bucket name must be 3 to 63 lowercase letters, digits, '.' or '-'"
    elif parts.query or parts.fragment:
        problem = "no query (?) or fragment (#)"
    elif any(not _PREFIX_PART.fullmatch(part) or part in (".", "..") for part in segments):
        problem = "the prefix takes letters, digits and !_.*'()- between single '/', no '.' or '..' parts"
    else:
        return parts.netloc, "".join(f"{part}/" for part in segments)
    raise ValueError(f"ATS_STORAGE_URL={url!r} is not a storage address ({problem}); "
                     "give it as s3://bucket or s3://bucket/prefix")


_EXTENSION = "ats.storage"
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Refuse to start with an ``ATS_STORAGE_URL`` that names no bucket, and
    make its client (which sends nothing until a file is asked for)."""
    stores: dict[str, S3Store] = {}
    app.extensions[_EXTENSION] = stores
    url = app.config.get("ATS_STORAGE_URL") or ""
    if url:
        try:
            stores[url] = S3Store.from_url(url)
        except ValueError as error:
            raise RuntimeError(str(error)) from None


def current() -> LocalStore | S3Store:
    """The store the configuration names: S3 with ``ATS_STORAGE_URL``, else the local folder."""
    config = current_app.config
    url = config.get("ATS_STORAGE_URL") or ""
    if not url:
        return LocalStore(config["ATS_UPLOAD_DIR"])
    stores = current_app.extensions[_EXTENSION]
    store = stores.get(url)
    if store is None:
        with _lock:
            store = stores.get(url) or stores.setdefault(url, S3Store.from_url(url))
    return store
