"""The arrow bot -> domain <- storage: domain/ imports no framework and no other layer."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"bot", "storage", "telegram", "sqlalchemy", "aiosqlite", "asyncpg", "alembic", "pydantic_settings"}
DOMAIN = Path(__file__).resolve().parents[1] / "domain"


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
    storage = DOMAIN.parent / "storage"
    assert all("bot" not in imported_roots(f) for f in storage.glob("**/*.py"))
