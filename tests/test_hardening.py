"""Security findings of issue 12, each reproduced: the Host header, caching
of staff pages (contract: ATS_PUBLIC_URL, "Every staff page answers with
Cache-Control: no-store")."""
import pytest

from ats import create_app
from config import TestingConfig


@pytest.fixture
def host_checked(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org")
    monkeypatch.setitem(app.config, "ATS_CHECK_HOST", True)


@pytest.mark.usefixtures("host_checked", "seeded")
@pytest.mark.parametrize("path", ["/", "/roles/healthcare-ai-engineer", "/login", "/pipeline/", "/static/css/board.css"])
def test_a_request_for_another_host_is_400(client, path):
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
    assert client.get(path, base_url="https://careers.example.org").status_code in (200, 302)


@pytest.mark.usefixtures("host_checked")
def test_the_health_check_answers_any_host(client):
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_without_an_explicit_public_url_any_host_is_served(app, client, seeded):
    assert app.config["ATS_CHECK_HOST"] is False
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 200


def test_x_forwarded_host_is_never_trusted(tmp_path):
    class Behind(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.sqlite3'}"
        ATS_TRUSTED_PROXIES = 1
        ATS_PUBLIC_URL = "https://careers.example.org"
        ATS_CHECK_HOST = True

    client = create_app(Behind).test_client()
    forged = {"Host": "careers.example.org", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    response = client.get("/login", headers=forged)
    assert response.status_code == 200  # served as careers.example.org, the header ignored
    assert client.get("/login", headers={"Host": "evil.example", "X-Forwarded-Host": "careers.example.org"}).status_code == 400


def test_every_signed_in_page_is_no_store(client, signed_in, seeded):
    for path in ("/pipeline/", "/pipeline/healthcare-ai-engineer", "/interviews/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    # The public pages stay cacheable for visitors who are not signed in.
    client.post("/logout", data={"csrf_token": signed_in_csrf(client)})
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def signed_in_csrf(client) -> str:
    from tests.fixtures.staff import csrf_token_from

    return csrf_token_from(client.get("/pipeline/").get_data(as_text=True))


# --- The signing key ----------------------------------------------------------


def test_an_unset_ats_env_is_refused_with_what_to_set(monkeypatch):
    from config import config_from_env

    monkeypatch.delenv("ATS_ENV", raising=False)
    with pytest.raises(RuntimeError, match=r"ATS_ENV is not set.*make run.*ATS_ENV=production"):
        config_from_env()


def test_a_short_key_is_refused(tmp_path):
    from config import DevelopmentConfig

    class Development(DevelopmentConfig):
        SECRET_KEY = "short-key"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        ATS_SECRET_KEY_FILE = str(tmp_path / "secret_key")

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set, at least 32 characters"):
        create_app(Development)


@pytest.mark.parametrize("key", [None, ""])
def test_development_without_a_key_makes_one_of_the_machines_own_once(tmp_path, key):
    import os
    import stat

    from config import DevelopmentConfig

    class Development(DevelopmentConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        ATS_SECRET_KEY_FILE = str(tmp_path / "instance" / "secret_key")

    first = create_app(Development).config["SECRET_KEY"]
    assert len(first) == 64 and first != os.environ.get("SECRET_KEY")
    assert create_app(Development).config["SECRET_KEY"] == first  # kept: sessions survive a restart
    assert stat.S_IMODE(os.stat(Development.ATS_SECRET_KEY_FILE).st_mode) == 0o600
    assert list((tmp_path / "instance").iterdir()) == [tmp_path / "instance" / "secret_key"]

    class Elsewhere(Development):
        ATS_SECRET_KEY_FILE = str(tmp_path / "other" / "secret_key")

    assert create_app(Elsewhere).config["SECRET_KEY"] != first  # every machine its own


def test_no_signing_key_is_written_in_the_code():
    from config import DevelopmentConfig, ProductionConfig

    for config in (DevelopmentConfig, ProductionConfig):
        assert config.SECRET_KEY == __import__("os").environ.get("SECRET_KEY")


# --- Tokens stay out of logs ----------------------------------------------------


def test_the_request_log_never_holds_a_token(app, caplog):
    import logging

    from werkzeug.serving import WSGIRequestHandler

    token = "Abcdefghijklmnopqrstuvwxyz0123456789_-XYZ"

    class Handler(WSGIRequestHandler):
        def __init__(self, path):  # only what log_request reads
            self.path, self.command, self.request_version = path, "GET", "HTTP/1.1"
            self.client_address = ("127.0.0.1", 5000)

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in (f"/applications/{token}", f"/applications/{token}/withdraw",
                     f"/interview-offers/{token}", f"/calendar/{token}.ics"):
            Handler(path).log_request(200, 10)
    assert token not in caplog.text
    assert caplog.text.count("[token]") == 4
    assert "/applications/[token]/withdraw" in caplog.text
