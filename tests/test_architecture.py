"""ARCHITECTURE.md's import rules, enforced: contexts <- vccore <- issuer | verifier | wallet_demo <- skillcred,
and each third-party library behind its one or two modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ["contexts", "vccore", "issuer", "verifier", "wallet_demo", "skillcred"]

ALLOWED: dict[str, set[str]] = {
    "contexts": set(),
    "vccore": {"contexts"},
    "issuer": {"contexts", "vccore"},
    "verifier": {"contexts", "vccore"},
    "wallet_demo": {"contexts", "vccore"},
    "skillcred": {"contexts", "vccore", "issuer", "verifier", "wallet_demo"},
}

#: third-party library -> the modules allowed to import it (path prefixes relative to the repo)
LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "pyld": ("vccore/canonical.py", "vccore/loader.py", "vccore/context_cache.py"),
    "nacl": (
        "vccore/keys.py",
        "vccore/didkey.py",
        "vccore/identity.py",
        "issuer/keystore.py",
        "issuer/secrets.py",
        "issuer/tokens.py",
    ),
    "qrcode": ("vccore/qrrender.py", "vccore/qrmatrix.py"),
    "zxingcpp": ("vccore/qrread.py",),
    "starlette": (
        "issuer/app.py",
        "verifier/app.py",
        "wallet_demo/app.py",
        "skillcred/demo.py",
        "issuer/http.py",
        "verifier/http.py",
        "wallet_demo/http.py",
    ),
    "click": ("issuer/cli.py", "verifier/cli.py", "wallet_demo/cli.py", "skillcred/"),
    "psycopg": ("issuer/store.py", "issuer/store_pg.py", "verifier/challenges.py"),
    "jsonschema": ("issuer/schemas.py", "vccore/schemas.py", "vccore/rules.py", "vccore/ruleschema.py"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules() -> list[tuple[str, Path]]:
    out = []
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            out.append((pkg, path))
    return out


@pytest.mark.parametrize(("pkg", "path"), _modules(), ids=lambda v: str(v).replace(str(REPO) + "/", ""))
def test_imports_point_one_way(pkg: str, path: Path) -> None:
    project = set(PACKAGES)
    bad = {name for name in _imports(path) if name in project and name != pkg and name not in ALLOWED[pkg]}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}, which {pkg} may not import"


@pytest.mark.parametrize(("pkg", "path"), _modules(), ids=lambda v: str(v).replace(str(REPO) + "/", ""))
def test_third_party_libraries_stay_behind_their_modules(pkg: str, path: Path) -> None:
    rel = str(path.relative_to(REPO))
    for lib, homes in LIBRARY_HOMES.items():
        if lib in _imports(path):
            assert any(rel == h or (h.endswith("/") and rel.startswith(h)) for h in homes), (
                f"{rel} imports {lib}; only {homes} may"
            )


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import issuer.app\nfrom verifier import pipeline\n", encoding="utf-8")
    assert {"issuer", "verifier"} <= _imports(bad)
