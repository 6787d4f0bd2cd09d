"""The verifier tests' world (:class:`tests.world.VerifierWorld`), fresh for each test. Its trust list names
the evaluation organization otherwise than the organization's credentials name themselves, so that a test
sees which of the two names a verifier shows as the listed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.world import EVAL, VerifierWorld, trust_list

LISTED_AS = ("山西省职业技能鉴定中心", "Shanxi Skill Evaluation Centre")


@pytest.fixture
def world(tmp_path: Path) -> VerifierWorld:
    return VerifierWorld(tmp_path, trust=trust_list(names={EVAL.controller: LISTED_AS}))
