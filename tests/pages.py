"""What several test modules need to read a page's HTML and to count the SQL
a request runs."""
import html
import re
from contextlib import contextmanager

from sqlalchemy import event


def text_of(fragment: str) -> str:
    """The text a reader sees: tags (and script and style contents) dropped,
    entities decoded, runs of white space made one space."""
    fragment = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def table_rows(body: str, caption: str) -> list[list[str]]:
    """The rows of the table whose caption starts with ``caption``, each as its cells' text."""
    for table in re.findall(r"<table[^>]*>(.*?)</table>", body, re.S):
        found = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        if found and text_of(found.group(1)).startswith(caption):
            return [
                [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
            ]
    raise AssertionError(f"no table captioned {caption!r}")


@contextmanager
def recorded_statements(engine):
    """The SQL statements ``engine`` runs inside the ``with`` block, as a list."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def selects(statements: list[str]) -> int:
    """How many of ``statements`` read (SELECT or WITH); BEGIN and the like aside."""
    return sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")))


def sign_in(page, account, next_path: str | None = None) -> None:
    """Sign ``account`` in through the login form in the browser ``page``; it
    lands on ``next_path``, or on the dashboard without one."""
    page.goto(f"/login?next={next_path}" if next_path else "/login")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path or '/pipeline/'}")
