"""The layout's promises, checked on the source: operations, queries and
models hold no web code, imports go one way, and no module grows past 400
lines (README, "Layout")."""
import ast
from pathlib import Path

import pytest

ATS = Path(__file__).resolve().parent.parent / "ats"
WEB_NAMES = {"request", "url_for", "render_template", "flash", "session", "redirect", "g"}
BLUEPRINTS = {"public", "auth", "pipeline", "interviews", "reports", "account", "admin", "api"}
WEB_HELPERS = {"web", "access", "errors", "security", "templating", "throttle"}


def modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ATS / folder).rglob("*.py"))


def imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module as written, names) for each import; relative modules resolved to ``ats.…``."""
    package = path.relative_to(ATS.parent).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, {alias.name for alias in node.names}))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, set()) for alias in node.names)
    return found


@pytest.mark.parametrize("path", modules("operations", "queries", "models"), ids=lambda p: str(p.relative_to(ATS)))
def test_operations_queries_and_models_hold_no_web_code(path):
    for module, names in imports(path):
        if module == "flask":
            assert not names & WEB_NAMES, f"{path.name} imports {names & WEB_NAMES} from flask"
        parts = module.split(".")
        if parts[0] == "ats" and len(parts) > 1:
            assert parts[1] not in BLUEPRINTS | WEB_HELPERS, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", modules("queries", "models"), ids=lambda p: str(p.relative_to(ATS)))
def test_queries_and_models_never_call_operations(path):
    for module, _ in imports(path):
        assert not module.startswith("ats.operations"), f"{path.name} imports {module}"


def test_blueprints_do_not_import_each_other():
    for blueprint in BLUEPRINTS:
        for path in modules(blueprint):
            for module, _ in imports(path):
                parts = module.split(".")
                if parts[0] == "ats" and len(parts) > 1 and parts[1] in BLUEPRINTS:
                    assert parts[1] == blueprint, f"{path.relative_to(ATS)} imports {module}"


def test_every_blueprint_exports_bp_from_its_routes():
    for blueprint in BLUEPRINTS:
        init = (ATS / blueprint / "__init__.py").read_text()
        assert "from .routes import bp" in init, blueprint
        assert (ATS / blueprint / "routes.py").is_file()


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(ATS)): n for path in ATS.rglob("*.py") if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}
