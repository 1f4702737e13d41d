"""The arrow bot -> domain <- storage: domain/ imports no framework and no other layer;
storage/ never imports the bot; inside bot/, only the composition root and the CLI
import storage/ — every other module reaches it through what the root built."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"bot", "storage", "telegram", "sqlalchemy", "aiosqlite", "asyncpg", "alembic", "pydantic_settings"}
ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "domain"
WIRING = {"bot/composition.py", "bot/cli.py"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_neither_bot_nor_storage_nor_frameworks() -> None:
    files = sorted(DOMAIN.glob("**/*.py"))
    assert files, "domain/ has no modules"
    offending = {str(f.relative_to(DOMAIN)): imported_roots(f) & FORBIDDEN for f in files}
    assert {name: roots for name, roots in offending.items() if roots} == {}


def test_storage_does_not_import_the_bot() -> None:
    files = sorted((ROOT / "storage").glob("**/*.py"))
    assert files and all("bot" not in imported_roots(f) for f in files)


def test_only_the_composition_root_and_the_cli_import_storage() -> None:
    files = sorted((ROOT / "bot").glob("**/*.py"))
    importing = {str(f.relative_to(ROOT)) for f in files if "storage" in imported_roots(f)}
    assert importing == WIRING


def test_the_layering_check_sees_an_import_against_the_arrow(tmp_path: Path) -> None:
    """The checks above parse imports of every form, nested ones included."""
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from storage.outbox import OutboxStore\n    import telegram.ext\n")
    assert imported_roots(module) == {"storage", "telegram"}
