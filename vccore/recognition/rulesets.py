"""The rule sets shipped with skillcred (``vccore/data/rulesets/*.json``), loaded and looked up.

The files are package data, read with :mod:`importlib.resources` (no network, no globals besides a
cache of the parsed, immutable result). Each is validated strictly by :func:`vccore.recognition.rules.load_ruleset`;
a broken shipped file is a ``RULE_ERROR`` at load, never a silently smaller rule table. The sets are
drafts translated from research notes: every rule carries its provenance, the quoted source lines
behind it and its ``standing`` (sourced, reported or inferred).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from vccore.recognition.model import RecognitionRule, RuleSet
from vccore.recognition.rules import load_ruleset

#: Jurisdictions with a shipped set, in load order (national first).
SHIPPED: Final = ("CN", "CN-SX", "CN-HL", "CN-GD", "CN-SD")


@cache
def _load_all() -> MappingProxyType[str, RuleSet]:
    folder = resources.files("vccore").joinpath("data", "rulesets")
    out: dict[str, RuleSet] = {}
    for name in SHIPPED:
        ruleset = load_ruleset(folder.joinpath(f"{name}.json").read_bytes())
        if ruleset.id != name:
            raise ValueError(f"shipped rule set {name}.json has id {ruleset.id!r}")
        out[name] = ruleset
    return MappingProxyType(out)


def load_shipped() -> dict[str, RuleSet]:
    """Every shipped rule set by id (``CN``, ``CN-SX`` ...). A fresh dict; the sets are immutable."""
    return dict(_load_all())


def shipped_rules() -> tuple[RecognitionRule, ...]:
    """All shipped rules, national first, in file order."""
    return tuple(rule for ruleset in _load_all().values() for rule in ruleset.rules)


def find_rule(rule_id: str) -> RecognitionRule | None:
    """The shipped rule with this id, or None. Rule ids are unique across the shipped sets."""
    return next((rule for rule in shipped_rules() if rule.id == rule_id), None)


def find_ruleset(rule_id: str) -> RuleSet | None:
    """The shipped set that holds the rule with this id, or None."""
    return next((rs for rs in _load_all().values() if rs.rule(rule_id) is not None), None)
