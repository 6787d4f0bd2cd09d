"""What a wheel carries: every package of the tree is listed in pyproject.toml (a non-editable install,
``pip install .``, holds only the listed ones: issuer.batch, issuer.store and vccore.exchange were missing, so
``skillcred issuer batch`` could not be imported). Building a wheel is not a test: its build backend comes from
the package index."""

from __future__ import annotations

import tomllib

from tests.support import REPO

TOP = ("contexts", "edge", "vccore", "issuer", "verifier", "wallet_demo", "skillcred")


def _tree_packages() -> set[str]:
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in TOP
        for init in (REPO / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_every_package_of_the_tree_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    assert listed == _tree_packages()
