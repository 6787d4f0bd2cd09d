"""The import rules of docs/architecture.md, enforced.

* Packages: contexts <- vccore <- edge <- issuer | verifier | wallet_demo <- skillcred (ARCHITECTURE.md, with
  ``edge``, the framework-free HTTP edge the three apps share, added by issue 13).
* vccore's subpackages point one way too (:data:`VCCORE_ARROWS`): its base modules import only each other,
  and each subpackage only what the table lists, so the tree has no cycle.
* A ``_module`` is private to its package: only its siblings (and tests) import it. No module imports
  another's ``_name``, and no module re-exports what another defines (``import x as x``): an importer
  names the module that defines the thing.
* Each third-party library stays behind the modules listed for it (:data:`LIBRARY_HOMES`), and every
  listed module exists.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGES = ["contexts", "vccore", "edge", "issuer", "verifier", "wallet_demo", "skillcred"]

ALLOWED: dict[str, set[str]] = {
    "contexts": set(),
    "vccore": {"contexts"},
    "edge": {"contexts", "vccore"},
    "issuer": {"contexts", "vccore", "edge"},
    "verifier": {"contexts", "vccore", "edge"},
    "wallet_demo": {"contexts", "vccore", "edge"},
    "skillcred": {"contexts", "vccore", "edge", "issuer", "verifier", "wallet_demo"},
}

#: vccore's top-level modules that everything may use (and that use only each other)
VCCORE_BASE = {"errors", "result", "timeutil", "clock", "text", "display", "jsonstrict", "multibase", "keys", "fetch"}
#: vccore unit -> the units it may import ("base" is :data:`VCCORE_BASE`; ``credentials`` is the module)
VCCORE_ARROWS: dict[str, set[str]] = {
    "base": set(),
    "canon": {"base"},
    "did": {"base"},
    "kinds": {"base"},
    "qr": {"base"},
    "status": {"base"},
    "exchange": {"base"},
    "jsonld": {"base", "canon", "did"},
    "di": {"base", "canon", "did", "jsonld"},
    "credentials": {"base", "di", "jsonld", "kinds"},
    "trust": {"base", "credentials", "di", "did", "jsonld"},
    "recognition": {"base", "canon", "credentials", "jsonld", "trust"},
}

#: third-party library -> the modules allowed to import it (paths relative to the repo; a folder ends in /)
LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "pyld": ("vccore/jsonld/canonical.py", "vccore/jsonld/_context_cache.py"),
    "nacl": ("vccore/keys.py", "vccore/did/key.py", "vccore/kinds/identity.py", "issuer/keystore.py"),
    "qrcode": ("vccore/qr/matrix.py",),
    "zxingcpp": ("vccore/qr/read.py",),
    "PIL": ("vccore/qr/read.py", "vccore/qr/render.py", "wallet_demo/certificate.py"),
    "fpdf": ("wallet_demo/certificate.py",),
    "jsonschema": ("vccore/kinds/schemas.py",),
    "jsonschema_rs": ("vccore/kinds/schemas.py",),
    "starlette": ("issuer/app.py", "verifier/app.py", "wallet_demo/app.py", "skillcred/demo.py"),
    "anyio": ("verifier/app.py",),
    "uvicorn": ("issuer/cli.py", "verifier/cli.py", "wallet_demo/cli.py", "skillcred/demo.py"),
    "click": ("issuer/cli.py", "verifier/cli.py", "wallet_demo/cli.py", "skillcred/"),
    "psycopg": ("issuer/store/pg.py", "verifier/challenges.py"),
    "psycopg_pool": ("issuer/store/pg.py",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> list[tuple[str, list[ast.alias]]]:
    """(module, names) of every absolute import in ``path``; ``import a.b`` is ("a.b", [])."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[str, list[ast.alias]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, list(node.names)))
    return out


def _targets(path: Path) -> set[str]:
    """Every module ``path`` imports, ``from pkg import module`` counted as ``pkg.module``."""
    found: set[str] = set()
    for module, names in _imported_modules(path):
        found.add(module)
        for alias in names:
            candidate = f"{module}.{alias.name}"
            if (REPO / candidate.replace(".", "/")).with_suffix(".py").is_file():
                found.add(candidate)
    return found


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _modules(*packages: str) -> list[Path]:
    return [path for pkg in packages for path in sorted((REPO / pkg).rglob("*.py"))]


def _id(path: object) -> str:
    return str(path).replace(str(REPO) + "/", "")


def _vccore_unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "vccore" or len(parts) < 2:
        return None
    return "base" if parts[1] in VCCORE_BASE else parts[1]


@pytest.mark.parametrize("path", _modules(*PACKAGES), ids=_id)
def test_imports_point_one_way(path: Path) -> None:
    pkg = path.relative_to(REPO).parts[0]
    bad = {name for name in _top(_targets(path)) if name in PACKAGES and name != pkg and name not in ALLOWED[pkg]}
    assert not bad, f"{_id(path)} imports {sorted(bad)}, which {pkg} may not import"


@pytest.mark.parametrize(
    "path", [p for p in _modules("vccore") if p.parent.name != "vccore" or p.stem != "__init__"], ids=_id
)
def test_vccore_subpackages_point_one_way(path: Path) -> None:
    here = _vccore_unit(_module_name(path) if path.name != "__init__.py" else _module_name(path) + ".x")
    assert here is not None and here in VCCORE_ARROWS, f"{_id(path)} is in no unit of VCCORE_ARROWS"
    for target in _targets(path):
        there = _vccore_unit(target)
        if there is None or there == here:
            continue
        assert there in VCCORE_ARROWS[here], f"{_id(path)} imports {target}: {here} may not import {there}"


def test_the_vccore_arrows_have_no_cycle_and_name_every_subpackage() -> None:
    order = list(graphlib.TopologicalSorter(VCCORE_ARROWS).static_order())  # raises CycleError on a cycle
    subpackages = {p.name for p in (REPO / "vccore").iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in (REPO / "vccore").glob("*.py") if p.stem != "__init__"}
    assert subpackages | {"base", "credentials"} == set(order)
    assert modules == VCCORE_BASE | {"credentials"}, "a new top-level vccore module belongs in a subpackage"


@pytest.mark.parametrize("path", _modules(*PACKAGES, "tests", "bench"), ids=_id)
def test_private_modules_and_names_stay_home(path: Path) -> None:
    here = _module_name(path)
    package = here.rsplit(".", 1)[0] if path.name != "__init__.py" else here
    is_test = here.startswith(("tests.", "bench."))
    for module, names in _imported_modules(path):
        parts = module.split(".")
        private = [i for i, part in enumerate(parts) if part.startswith("_") and part != "__future__"]
        if private and not is_test:
            owner = ".".join(parts[: private[0]])
            assert owner == package, f"{_id(path)} imports {module}, private to {owner}"
        for alias in names:
            assert not (alias.name.startswith("_") and parts[0] in PACKAGES), (
                f"{_id(path)} imports {alias.name} from {module}: a private name"
            )
            assert not (alias.asname == alias.name and not is_test and parts[0] in PACKAGES), (
                f"{_id(path)} re-exports {module}.{alias.name}: import it where it is defined"
            )


def _defined_names(tree: ast.Module) -> set[str]:
    """The names a module binds itself: its functions, classes and assignments (not what it imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("path", _modules(*PACKAGES), ids=_id)
def test_all_lists_only_names_the_module_defines(path: Path) -> None:
    """``__all__`` is a module's own surface, not a facade over another's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            listed = {str(e.value) for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)}
            foreign = sorted(listed - _defined_names(tree))
            assert not foreign, f"{_id(path)} lists {foreign} in __all__ but defines them elsewhere"


@pytest.mark.parametrize("path", _modules(*PACKAGES), ids=_id)
def test_third_party_libraries_stay_behind_their_modules(path: Path) -> None:
    rel = _id(path)
    for lib in _top(_targets(path)) & set(LIBRARY_HOMES):
        homes = LIBRARY_HOMES[lib]
        assert any(rel == h or (h.endswith("/") and rel.startswith(h)) for h in homes), f"{rel} imports {lib}"


@pytest.mark.parametrize("lib", sorted(LIBRARY_HOMES))
def test_every_listed_home_exists_and_uses_its_library(lib: str) -> None:
    for home in LIBRARY_HOMES[lib]:
        target = REPO / home
        assert target.exists(), f"LIBRARY_HOMES[{lib!r}] lists {home}, which does not exist"
        files = sorted(target.rglob("*.py")) if home.endswith("/") else [target]
        assert any(lib in _top(_targets(f)) for f in files), f"{home} does not import {lib}: take it off the list"


def test_the_checker_sees_each_kind_of_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "vccore" / "canon"
    fake.mkdir(parents=True)
    bad = fake / "x.py"
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    bad.write_text("import issuer.app\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="vccore may not import"):
        test_imports_point_one_way(bad)
    bad.write_text("from vccore.trust import lists\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="canon may not import trust"):
        test_vccore_subpackages_point_one_way(bad)
    bad.write_text("from vccore.jsonld._expander import Expander\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"private to vccore\.jsonld"):
        test_private_modules_and_names_stay_home(bad)
    bad.write_text("from vccore.canon.nquads import _iri\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="a private name"):
        test_private_modules_and_names_stay_home(bad)
    bad.write_text("from vccore.keys import KeyPair as KeyPair\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"re-exports vccore\.keys\.KeyPair"):
        test_private_modules_and_names_stay_home(bad)
    bad.write_text("from vccore.keys import KeyPair\n__all__ = ['KeyPair']\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"lists \['KeyPair'\] in __all__"):
        test_all_lists_only_names_the_module_defines(bad)
    monkeypatch.setitem(LIBRARY_HOMES, "nacl", ("vccore/nowhere.py",))
    with pytest.raises(AssertionError, match="does not exist"):
        test_every_listed_home_exists_and_uses_its_library("nacl")


def test_no_two_classes_share_a_name() -> None:
    """One name, one thing: a ``Signer`` or a ``Verifier`` means the same class wherever it is read."""
    where: dict[str, list[str]] = {}
    for path in _modules(*PACKAGES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                where.setdefault(node.name, []).append(_id(path))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


@pytest.mark.parametrize("path", _modules("tests"), ids=_id)
def test_every_expected_error_is_checked_for_its_code_or_message(path: Path) -> None:
    """A ``pytest.raises`` that names only a class passes for the wrong reason as readily as for the right
    one: each gives ``match=`` or keeps the error (``as err``) to check its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare: list[int] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for node in ast.walk(function):
            for item in node.items if isinstance(node, ast.With | ast.AsyncWith) else ():
                call = item.context_expr
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                    continue
                kept = isinstance(item.optional_vars, ast.Name) and item.optional_vars.id in read
                if call.func.attr == "raises" and not any(k.arg == "match" for k in call.keywords) and not kept:
                    bare.append(call.lineno)
    assert not bare, f"{_id(path)}: pytest.raises without match= or a kept, checked error at lines {bare}"
