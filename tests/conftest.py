"""Fixtures shared by every test, one module per concern under tests/fixtures/:

- database: the app, its real database (SQLite, or TEST_DATABASE_URL), empty
  tables for every test, the test client and the tests' own sessions;
- browser: the live server, headless Chromium per viewport, axe-core, screenshots;
- staff: staff accounts, signing in, CSRF tokens;
- factories: the role catalog, roles, applications, the mail outbox, uploads;
- storage: a real S3 API server on loopback and a bucket prefix per test.
"""
pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.browser",
    "tests.fixtures.staff",
    "tests.fixtures.factories",
    "tests.fixtures.storage",
]
