"""Operator safety at the command line (issue 14, bullet 4): keys and tokens can be listed without a
secret, tokens revoked; every irreversible command says how many credentials it will revoke and asks
first (``--yes`` answers for scripts); a new key passphrase has a minimum strength."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from issuer.cli import issuer_group
from issuer.home import IssuerHome, open_issuer
from issuer.tokens import TokenRegistry
from tests.issuer.conftest import FAST, PASSPHRASE, Cli
from tests.support import CLOCK, invoke
from tests.world import issuer_input
from vccore.errors import Code, SkillcredError

NOT_CONFIRMED = "not confirmed: nothing was changed"


def _run(cli: Cli, *args: str, answer: str | None = None, passphrase: str | None = PASSPHRASE) -> Result:
    """``skillcred issuer ARGS`` with ``answer`` typed on standard input (None: no terminal, end of input)."""
    env = {"SKILLCRED_HOME": str(cli.home), "SKILLCRED_PASSPHRASE": passphrase}
    result = invoke(issuer_group, args, env=env, input=answer, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _issue(cli: Cli, tmp_path: Path, person: str = "P1", index: int = 0) -> dict[str, object]:
    data = tmp_path / f"{person}-{index}.json"
    data.write_text(json.dumps(issuer_input(person, index), ensure_ascii=False), encoding="utf-8")
    result = cli("issue", "skill-level", "--data", str(data), *FAST)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def _revoked(cli: Cli, credential_id: str) -> bool:
    with open_issuer(IssuerHome(cli.home), need_key=False, clock=CLOCK) as opened:
        return opened.service.status(credential_id).revoked


# --- listing ---------------------------------------------------------------------------------------


def test_keys_list_shows_each_key_its_state_and_dates_and_no_secret(cli: Cli) -> None:
    cli.init()
    first = json.loads(cli("keys", "list", "--json").stdout)
    assert [k["state"] for k in first] == ["active"]
    new_id = cli("keys", "rotate").stdout.strip()
    listed = json.loads(cli("keys", "list", "--json", passphrase=None).stdout)
    assert [(k["id"], k["state"]) for k in listed] == [(first[0]["id"], "retired"), (new_id, "active")]
    assert all(set(k) == {"id", "state", "validFrom", "validUntil"} for k in listed)
    assert listed[0]["validUntil"] == listed[1]["validFrom"] and listed[1]["validUntil"] is None
    table = cli("keys", "list", passphrase=None)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["STATE", "FROM", "UNTIL", "ID"]
    assert lines[2].split()[0] == "active" and lines[2].split()[-1] == new_id
    assert PASSPHRASE not in table.stdout


def test_tokens_list_names_ids_scopes_and_dates_never_the_token(cli: Cli) -> None:
    cli.init()
    first = cli("tokens", "create", "--scope", "credentials:issue").stdout.strip()
    second = cli("tokens", "create", "--scope", "credentials:read", "--scope", "keys:admin").stdout.strip()
    listed = json.loads(cli("tokens", "list", "--json").stdout)
    assert sorted((t["id"], t["scopes"], t["revokedAt"]) for t in listed) == sorted(
        [(first[3:19], ["credentials:issue"], None), (second[3:19], ["credentials:read", "keys:admin"], None)]
    )
    assert all(t["createdAt"] == "2026-11-30T12:00:00Z" for t in listed)
    table = cli("tokens", "list").stdout
    assert first[3:19] in table and "credentials:read,keys:admin" in table
    assert first[20:] not in table and second[20:] not in table


# --- token revocation ------------------------------------------------------------------------------


def test_tokens_revoke_asks_then_disables_the_token(cli: Cli) -> None:
    cli.init()
    token = cli("tokens", "create", "--scope", "credentials:status").stdout.strip()
    token_id = token[3:19]
    refused = _run(cli, "tokens", "revoke", token_id, answer="n\n")
    assert refused.exit_code == 1 and NOT_CONFIRMED in refused.stderr
    assert f"This disables API token {token_id} (credentials:status) for good" in refused.stderr
    with open_issuer(IssuerHome(cli.home), need_key=False, clock=CLOCK) as opened:
        assert TokenRegistry(opened.store).verify(token, scope="credentials:status").id == token_id
    done = _run(cli, "tokens", "revoke", token, answer="y\n")  # the whole token names its id too
    assert done.exit_code == 0 and done.stdout.strip().endswith(f"已停用 API 令牌 / revoked token  {token_id}")
    with open_issuer(IssuerHome(cli.home), need_key=False, clock=CLOCK) as opened:
        with pytest.raises(SkillcredError) as err:
            TokenRegistry(opened.store).verify(token, scope="credentials:status")
    assert err.value.code == Code.UNAUTHORIZED
    assert json.loads(cli("tokens", "list", "--json").stdout)[0]["revokedAt"] == "2026-11-30T12:00:00Z"
    again = _run(cli, "tokens", "revoke", token_id)
    assert again.stdout.strip() == f"API 令牌此前已停用 / token was already revoked  {token_id}"
    unknown = _run(cli, "tokens", "revoke", "0123456789abcdef", "--yes")
    assert unknown.exit_code == 1 and unknown.stderr.strip().splitlines()[-1] == (
        "错误 / Error: NOT_FOUND: no API token '0123456789abcdef' / 没有该 API 令牌"
    )


# --- confirmations before revoking -------------------------------------------------------------------


def test_keys_compromise_says_how_many_it_will_revoke_and_asks_first(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    signed = [_issue(cli, tmp_path, "P1"), _issue(cli, tmp_path, "P1", 1), _issue(cli, tmp_path, "P3")]
    assert cli("revoke", str(signed[2]["id"]), "--yes").exit_code == 0
    old_key = json.loads(cli("keys", "list", "--json").stdout)[0]["id"]
    cli("keys", "rotate")
    for answer in ("n\n", None):  # "no", and no terminal at all: both change nothing
        result = _run(cli, "keys", "compromise", old_key, answer=answer)
        assert result.exit_code == 1 and NOT_CONFIRMED in result.stderr
        assert "revokes the 2 credential(s) it signed" in result.stderr
        assert "撤销它签发的 2 份凭证" in result.stderr
        assert not _revoked(cli, str(signed[0]["id"]))
        assert json.loads(cli("keys", "list", "--json").stdout)[0]["state"] == "retired"
    done = _run(cli, "keys", "compromise", old_key, answer="y\n")
    assert done.exit_code == 0 and done.stdout.strip().endswith(
        f"已撤销该密钥签发的 3 份凭证 / revoked 3 credential(s) signed by the key  {old_key}"
    )
    assert all(_revoked(cli, str(vc["id"])) for vc in signed)
    assert json.loads(cli("keys", "list", "--json").stdout)[0]["state"] == "compromised"


def test_keys_compromise_with_yes_does_not_ask(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    vc = _issue(cli, tmp_path)
    key_id = json.loads(cli("keys", "list", "--json").stdout)[0]["id"]
    result = _run(cli, "keys", "compromise", key_id, "--yes")
    assert result.exit_code == 0 and "Continue?" not in result.output
    assert _revoked(cli, str(vc["id"]))
    unknown = _run(cli, "keys", "compromise", "did:web:x#nope")  # unknown: refused before any question
    assert (
        unknown.exit_code == 1
        and "Continue?" not in unknown.output
        and "错误：未找到 / Error: NOT_FOUND: " in unknown.stderr
    )


def test_revoke_asks_first_and_says_it_is_one_credential(cli: Cli, tmp_path: Path) -> None:
    cli.init()
    vc_id = str(_issue(cli, tmp_path)["id"])
    refused = _run(cli, "revoke", vc_id, answer="n\n")
    assert refused.exit_code == 1 and NOT_CONFIRMED in refused.stderr
    assert f"This revokes 1 credential, {vc_id}, for good. Continue?" in refused.stderr
    assert not _revoked(cli, vc_id)
    assert _run(cli, "revoke", vc_id, answer="y\n").stdout.strip().endswith(f"已撤销 / revoked  {vc_id}")
    assert _revoked(cli, vc_id)


# --- passphrase strength -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passphrase", "why"),
    [
        ("x", "at least 12 characters (it has 1)"),
        ("abcabcabcabcabc", "at least 6 different characters"),
        ("abcdefghijklmn", "must mix at least 3 of"),
        ("Password1234!", "only common words"),
        ("Qwerty-Admin-2026!!!", "only common words"),
    ],
)
def test_init_refuses_a_weak_passphrase_and_creates_nothing(cli: Cli, passphrase: str, why: str) -> None:
    result = _run(cli, "init", "--did-key", "--name-zh", "甲", "--name-en", "A", passphrase=passphrase)
    assert result.exit_code == 1 and result.stderr.strip().splitlines()[-1].startswith("错误 / Error: KEY_ERROR: ")
    assert why in result.stderr and "choose a stronger SKILLCRED_PASSPHRASE" in result.stderr
    assert "请换一个更强的" in result.stderr and (len(passphrase) < 4 or passphrase not in result.stderr)
    assert not cli.home.exists()


@pytest.mark.parametrize(
    "passphrase",
    [PASSPHRASE, "Tz7#kq2!Wm9x", "山西省职业技能鉴定中心的签发口令是二〇二六年冬", "skillcred-demo-only-不要用于生产"],
)
def test_strong_enough_passphrases(passphrase: str) -> None:
    from issuer.passphrase import weakness

    assert weakness(passphrase) is None


def test_a_key_rotated_under_a_weak_passphrase_is_refused(cli: Cli) -> None:
    cli.init()
    before = json.loads(cli("keys", "list", "--json").stdout)
    result = _run(cli, "keys", "rotate", passphrase="short")
    assert (
        result.exit_code == 1
        and "错误 / Error: KEY_ERROR: " in result.stderr
        and "at least 12 characters" in result.stderr
    )
    assert json.loads(cli("keys", "list", "--json").stdout) == before
