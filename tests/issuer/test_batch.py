"""Batch issuance from CSV: every bad row reported before anything is signed, 10,000 rows on all cores,
and a SIGKILLed run resumed without issuing anything twice."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from issuer.batch.progress import Progress
from issuer.batch.rows import BatchRefused, read_rows
from issuer.batch.run import run_batch
from issuer.batch.schedule import CHUNK, HASH_SHARE, PROBE_ROWS, BatchIssuer, split_chunks
from issuer.batch.workers import Workers
from issuer.home import IssuerHome, OpenIssuer, init_issuer, open_issuer
from issuer.service import IssuerService
from issuer.signing import TEST_HASH, HashParams, digest
from tests.support import CLOCK, NOW, invoke
from vccore.credentials import verify_issued
from vccore.did.resolver import DidResolver
from vccore.errors import KeyProblem
from vccore.jsonld.loader import DocumentLoader
from vccore.status.bitstring import MIN_LENGTH
from vccore.status.entry import StatusPurpose, status_entry

PASSPHRASE = "correct horse battery staple"
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "issuer" / "data" / "sample-skill-level.csv"
HEADER = [
    "name",
    "idNumber",
    "subjectDid",
    "occupationCode",
    "occupationClassification",
    "occupationName",
    "jobType",
    "skillLevel",
    "certificateNumber",
    "assessmentDate",
    "evaluationOrganization.name",
    "evaluationOrganization.organizationCategory",
    "evaluationOrganization.filingAuthority",
    "evaluationOrganization.organizationCode",
]
#: the fictional people of samples.md (names with 试, ID numbers from samples.md only)
PEOPLE = [
    ("张试一", "140105198001010003"),
    ("王试二", "370202198512129996"),
    ("李试三", "230103197803039996"),
    ("陈试五", "440115199909090005"),
]


def row(i: int) -> list[str]:
    name, id_number = PEOPLE[i % len(PEOPLE)]
    return [
        name,
        id_number,
        "",
        "6-18-01-01",
        "中华人民共和国职业分类大典（2022年版）",
        "车工",
        "数控车工",
        "L2",
        f"Y0000140000312320{i:05d}",
        "2023-06-30",
        "示例重型机床有限公司",
        "Y",
        "CN-SX",
        "0000",
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path) -> IssuerHome:
    made = IssuerHome(tmp_path / "home")
    init_issuer(
        made,
        did_web="eval.example-heavy-machine.cn/issuers/cnc",
        name_zh="示例重型机床有限公司",
        name_en="Example Heavy Machine Co.",
        passphrase=PASSPHRASE,
        kdf="minimal",
        clock=CLOCK,
    )
    return made


@pytest.fixture
def opened(home: IssuerHome) -> Iterator[OpenIssuer]:
    with open_issuer(home, passphrase=PASSPHRASE, clock=CLOCK, hasher=TEST_HASH) as value:
        yield value


def bulk(
    opened: OpenIssuer,
    *,
    chunk: int = CHUNK,
    status_list_length: int = MIN_LENGTH,
    passphrase: str = PASSPHRASE,
    hash_share: float = 0.0,
    hasher: HashParams = TEST_HASH,
) -> BatchIssuer:
    """A batch issuer on ``opened``'s registry (test identity hashes). ``hash_share`` 0: with several
    workers the pool always starts (these rows are cheap: the break-even would keep them in one process)."""
    service = IssuerService(
        store=opened.store,
        profile=opened.profile,
        keystore=opened.keystore,
        passphrase=passphrase,
        loader=DocumentLoader(),
        clock=CLOCK,
        status_list_length=status_list_length,
        hasher=hasher,
    )
    return BatchIssuer(service, chunk=chunk, hash_share=hash_share)


def counts(opened: OpenIssuer) -> tuple[int, int, int]:
    with opened.store.read() as tx:
        return tx.count("credentials"), tx.count("idempotency"), tx.count("status_allocations")


def loader(opened: OpenIssuer) -> DocumentLoader:
    return DocumentLoader(resolver=DidResolver(documents={opened.profile.did: opened.service.did_document()}))


def summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- 10,000 rows ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_rows_bad_ones_first_then_all_issued(opened: OpenIssuer, tmp_path: Path) -> None:
    rows = [row(i) for i in range(10_000)]
    good = [list(r) for r in rows]
    rows[1000][1] = "140105198001010004"  # wrong check character
    rows[5000][7] = "L9"
    rows[9998][8] = rows[17][8]  # the certificate number of another row
    source = write_csv(tmp_path / "workers.csv", rows)
    out = tmp_path / "out"
    with pytest.raises(BatchRefused) as info:
        run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=2)
    assert [(p.line, p.column) for p in info.value.problems] == [
        (1002, "idNumber"),
        (5002, "skillLevel"),
        (10000, "certificateNumber"),
    ]
    reasons = [p.reason for p in info.value.problems]
    assert "check character" in reasons[0] and "140105198001010004" not in reasons[0]
    assert "'L9' is not one of" in reasons[1] and reasons[2] == "duplicate of line 19"
    assert counts(opened) == (0, 0, 0) and not out.exists()

    write_csv(source, good)
    started = time.monotonic()
    report = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=2)
    elapsed = time.monotonic() - started
    print(f"\n10,000 rows on 2 workers: {elapsed:.1f} s ({10_000 / elapsed:.0f}/s)")
    assert (report.issued, report.existing, report.failed, report.skipped) == (10_000, 0, 0, 0)
    assert counts(opened)[:2] == (10_000, 10_000)
    files = sorted(out.glob("*.json"))
    assert len(files) == 10_000 and len(summary(out)) == 10_000
    verifying = loader(opened)
    for path in files[::2500]:
        assert verify_issued(json.loads(path.read_bytes()), loader=verifying, now=NOW).verified


# --- resuming after SIGKILL ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_sigkilled_batch_resumes_and_issues_every_row_exactly_once(home: IssuerHome, tmp_path: Path) -> None:
    total, kill_at = 4000, 1000  # killed once a quarter of the files exist: far from the end on a fast machine
    source = write_csv(tmp_path / "resume.csv", [row(i) for i in range(total)])
    out = tmp_path / "out"
    env = os.environ | {"SKILLCRED_HOME": str(tmp_path / "home"), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    command = [
        sys.executable,
        "-m",
        "skillcred",
        "issuer",
        "batch",
        str(source),
        "--kind",
        "skill-level",
        "--out",
        str(out),
        "--workers",
        "2",
        "--identity-hash-params",
        "test",
    ]
    proc = subprocess.Popen(
        command, env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and sum(1 for _ in out.glob("*.json")) >= kill_at:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stderr:
        proc.stderr.close()
    for _ in range(100):  # the workers notice that their parent is gone and exit
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("batch workers outlived their parent")

    with open_issuer(home, passphrase=PASSPHRASE, clock=CLOCK) as opened:
        recorded = counts(opened)[0]
        assert kill_at <= recorded < total
        written = sorted(out.glob("*.json"))
        written[0].unlink()  # a file lost in the crash is rewritten from the registry
        report = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=2)
        assert report.issued + report.existing == total and report.existing >= recorded
        assert counts(opened)[:2] == (total, total)
        ids = [json.loads(p.read_bytes())["id"] for p in out.glob("*.json")]
        assert len(ids) == len(set(ids)) == total
        assert {r["status"] for r in summary(out)} <= {"issued", "existing"} and len(summary(out)) == total
        again = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=1)
        assert (again.issued, again.existing) == (0, total) and counts(opened)[:2] == (total, total)


# --- smaller cases ---------------------------------------------------------------------------------------------


def test_the_sample_file_issues_verifiable_credentials_and_a_rerun_rewrites_lost_files(
    opened: OpenIssuer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = run_batch(SAMPLE, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=1)
    assert report.issued == 7
    first = out / "Y000014000031232000158.json"
    data = first.read_bytes()
    assert "140105198001010003" not in data.decode("utf-8")
    assert verify_issued(json.loads(data), loader=loader(opened), now=NOW).verified
    first.unlink()
    (out / "1337021020300057.json").write_bytes(b"tampered")
    again = run_batch(SAMPLE, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=1)
    assert (again.issued, again.existing) == (0, 7) and first.read_bytes() == data
    assert json.loads((out / "1337021020300057.json").read_bytes())["type"][1] == "SkillLevelCredential"
    assert counts(opened)[0] == 7


def test_status_entries_point_at_the_recorded_indexes_across_a_list_roll_over(
    opened: OpenIssuer, tmp_path: Path
) -> None:
    """Each credential's two entries are exactly status_entry() of the indexes its record holds, also
    when a (tiny, test-only) list fills up and the batch moves on to the next one."""
    source = write_csv(tmp_path / "roll.csv", [row(i) for i in range(20)])
    out = tmp_path / "out"
    run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened, status_list_length=16, chunk=8))
    base = opened.profile.base_url
    with opened.store.read() as tx:
        records = {r.id: r for r in tx.credentials()}
    lists = set()
    for path in out.glob("*.json"):
        document = json.loads(path.read_bytes())
        record = records[document["id"]]
        expected = [
            status_entry(f"{base}/status/{ref.list_id}", ref.index, purpose=cast(StatusPurpose, purpose), length=16)
            for purpose, ref in (("revocation", record.revocation), ("suspension", record.suspension))
        ]
        assert document["credentialStatus"] == expected
        lists.add(record.revocation.list_id)
    assert lists == {"revocation-1", "revocation-2"}


def test_skip_bad_issues_the_good_rows_and_lists_the_bad_ones(opened: OpenIssuer, tmp_path: Path) -> None:
    rows = [row(i) for i in range(6)]
    rows[2][9] = "2023-02-30"
    rows[4][2] = "not-a-did"
    source = write_csv(tmp_path / "skip.csv", rows)
    report = run_batch(source, kind="skill-level", out_dir=tmp_path / "out", issuer=bulk(opened), skip_bad=True)
    assert (report.issued, report.skipped) == (4, 2)
    listed = {r["line"]: r for r in summary(tmp_path / "out")}
    assert listed["4"]["status"] == "skipped" and "assessmentDate" in listed["4"]["reason"]
    assert listed["6"]["status"] == "skipped" and "subjectDid" in listed["6"]["reason"]
    assert listed["2"]["status"] == "issued" and listed["2"]["file"] == rows[0][8] + ".json"


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ([*HEADER, "nickname"], (1, "nickname", "unknown column")),
        ([h for h in HEADER if h != "skillLevel"], (1, "skillLevel", "required column is missing")),
        ([*HEADER, "name"], (1, "name", "duplicate column")),
    ],
)
def test_a_bad_header_refuses_the_whole_file(
    opened: OpenIssuer, tmp_path: Path, header: list[str], problem: tuple[int, str, str]
) -> None:
    source = write_csv(tmp_path / "h.csv", [row(0)[: len(header)]], header=header)
    with pytest.raises(BatchRefused) as info:
        run_batch(source, kind="skill-level", out_dir=tmp_path / "out", issuer=bulk(opened), skip_bad=True)
    assert info.value.fatal and problem in [(p.line, p.column, p.reason) for p in info.value.problems]
    assert counts(opened) == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("name\n张试一\n".encode() + b"\xff\n", 3, "not valid UTF-8"),
        (b"", 1, "the file is empty"),
        (",".join(HEADER).encode() + b'\n"unterminated\n', 2, "CSV syntax"),
    ],
)
def test_unreadable_files_are_refused_with_a_line(tmp_path: Path, content: bytes, line: int, reason: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(BatchRefused) as info:
        read_rows(path, "skill-level")
    assert info.value.problems[0].line == line and reason in info.value.problems[0].reason


def test_bad_rows_read_chinese_first_then_english(tmp_path: Path) -> None:
    rows = [row(0), row(1), ["a", "b"], row(3), row(4), row(5)]
    rows[1][8] = rows[0][8]
    rows[3][1] = "140105198001010004"  # wrong check character
    rows[4][7] = ""  # skillLevel left empty
    rows[5][9] = "2023-02-30"
    _, bad = read_rows(write_csv(tmp_path / "zh.csv", rows), "skill-level")
    assert [str(p) for p in bad] == [
        "第 3 行，certificateNumber 列：与第 2 行重复 / line 3, column certificateNumber: duplicate of line 2",
        "第 4 行：有 2 格，表头有 14 列 / line 4: 2 cells, the header has 14",
        "第 5 行，idNumber 列：身份证号最后一位校验码不对，请核对号码 / line 5, column idNumber: "
        "MALFORMED_VALUE_ERROR: '140105********0004' has check character '4', expected '3' (ISO 7064 MOD 11-2)",
        "第 6 行，skillLevel 列：必填，不能为空 / line 6, column skillLevel: MALFORMED_VALUE_ERROR: required field is "
        "missing",
        "第 7 行，assessmentDate 列：日历上没有这一天 / line 7, column assessmentDate: MALFORMED_VALUE_ERROR: "
        "'2023-02-30' is not a calendar date",
    ]
    refused = BatchRefused(bad, fatal=False)
    assert refused.detail == (
        "有 5 行有误，未签发任何凭证（请改正，或加 --skip-bad 只签发正确的行） / "
        "5 bad row(s); nothing was issued (fix them, or pass --skip-bad)"
    )
    assert refused.lines == tuple(str(p) for p in bad)


def test_short_rows_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (",".join(HEADER) + "\n" + ",".join(row(0)) + "\n" + "a,b\n\n").encode())
    rows, bad = read_rows(path, "skill-level")
    assert len(rows) == 1 and [(p.line, p.column) for p in bad] == [(3, "-")]


def test_row_keys_are_the_documented_digests_of_batch_line_and_content(tmp_path: Path) -> None:
    """The idempotency key and request hash of a row are digest() of the documented parts, so keys
    recorded by an earlier run still match (a rerun must find them), also for a non-ASCII batch id."""
    path = write_csv(tmp_path / "批次.csv", [row(0), row(1)])
    rows, _ = read_rows(path, "skill-level", cryptosuite="eddsa-jcs-2022")
    for r in rows:
        content = dict(sorted(r.cells.items()))
        assert r.request.key == digest("skillcred-batch-v1", "批次.csv", "skill-level", r.line, content)
        assert r.request.request_hash == digest("skill-level", "eddsa-jcs-2022", content)
    assert rows[0].request.key != rows[1].request.key


def test_the_same_rows_under_another_cryptosuite_conflict(opened: OpenIssuer, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "c.csv", [row(i) for i in range(3)])
    run_batch(source, kind="skill-level", out_dir=tmp_path / "a", issuer=bulk(opened))
    report = run_batch(
        source,
        kind="skill-level",
        out_dir=tmp_path / "b",
        cryptosuite="eddsa-jcs-2022",
        issuer=bulk(opened),
    )
    assert report.failed == 3 and {r["status"] for r in summary(tmp_path / "b")} == {"failed"}
    assert counts(opened)[0] == 3


class _Ready:
    """Stands in for the worker pool: says whether a worker has reported that it is ready."""

    def __init__(self, ready: bool) -> None:
        self.is_ready = ready

    def ready(self) -> bool:
        return self.is_ready


@pytest.mark.parametrize("ready", [True, False], ids=["workers-ready-at-once", "workers-never-ready"])
def test_the_parent_signs_the_first_chunk_until_a_worker_is_ready_and_every_row_is_issued_once(
    opened: OpenIssuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ready: bool
) -> None:
    original = BatchIssuer._sign_until_ready
    signed_here: list[int] = []

    def sign_until_ready(tasks: list[Any], setup: Any, workers: Any) -> list[Any]:
        signed = original(tasks, setup, cast(Workers, _Ready(ready)))
        signed_here.append(len(signed))
        return signed

    monkeypatch.setattr(BatchIssuer, "_sign_until_ready", staticmethod(sign_until_ready))
    source = write_csv(tmp_path / "parent.csv", [row(i) for i in range(40)])
    out = tmp_path / "out"
    report = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened), workers=2)
    assert signed_here == ([1] if ready else [10])  # the first chunk is a quarter of the rows on 2 workers
    assert report.issued == 40 and counts(opened)[:2] == (40, 40)
    documents = [json.loads(p.read_bytes()) for p in out.glob("*.json")]
    assert len({d["id"] for d in documents}) == 40
    with opened.store.read() as tx:
        indexes = [(r.revocation.list_id, r.revocation.index) for r in tx.credentials()]
    assert len(set(indexes)) == 40
    assert verify_issued(documents[0], loader=loader(opened), now=NOW).verified


@dataclass(frozen=True)
class SlowHash(HashParams):
    """The test hash made to dominate a row (as the production Argon2id does), picklable for the workers."""

    def __call__(self, id_number: str) -> dict[str, Any]:
        time.sleep(0.05)
        return super().__call__(id_number)


def test_rows_where_the_hash_does_not_dominate_stay_in_one_process(
    opened: OpenIssuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(self: Workers, count: int) -> None:
        raise AssertionError(f"no worker process may start below the break-even (hash share {issuer.share})")

    monkeypatch.setattr(Workers, "__init__", no_pool)
    source = write_csv(tmp_path / "cheap.csv", [row(i) for i in range(40)])
    issuer = bulk(opened, hash_share=HASH_SHARE)
    report = run_batch(source, kind="skill-level", out_dir=tmp_path / "out", issuer=issuer, workers=2)
    assert issuer.share is not None and 0 < issuer.share < HASH_SHARE and issuer.processes == 1
    assert report.issued == 40 and counts(opened)[:2] == (40, 40)


def test_rows_where_the_hash_dominates_go_to_the_workers_after_the_first_ones(
    opened: OpenIssuer, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "dear.csv", [row(i) for i in range(24)])
    slow = SlowHash(TEST_HASH.opslimit, TEST_HASH.memlimit)
    issuer = bulk(opened, hash_share=HASH_SHARE, hasher=slow)
    report = run_batch(source, kind="skill-level", out_dir=tmp_path / "out", issuer=issuer, workers=2)
    assert issuer.share is not None and issuer.share >= HASH_SHARE and issuer.processes == 2
    assert report.issued == 24 and counts(opened)[:2] == (24, 24) and PROBE_ROWS < 24
    with opened.store.read() as tx:
        assert len({(r.revocation.list_id, r.revocation.index) for r in tx.credentials()}) == 24


@pytest.mark.parametrize(
    ("count", "size", "ways", "floor", "sizes"),
    [
        # one process: full chunks, then halving, so that few files remain to write after the last commit
        (1000, 256, 1, 16, [256, 256, 244, 122, 61, 31, 16, 14]),
        (10, 4, 1, 16, [4, 4, 2]),  # the floor never exceeds the chunk size
        # two workers, production Argon2id rows: no worker is left alone with a big chunk at the end
        (64, 256, 2, 1, [16, 12, 9, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]),
        (3, 256, 4, 1, [1, 1, 1]),
    ],
)
def test_chunks_shrink_towards_the_end_and_cover_every_item_once_in_order(
    count: int, size: int, ways: int, floor: int, sizes: list[int]
) -> None:
    items = list(range(count))
    chunks = list(split_chunks(items, size, ways=ways, floor=floor))
    assert [len(c) for c in chunks] == sizes
    assert [i for c in chunks for i in c] == items


def test_progress_redraws_on_a_terminal_and_is_quiet_elsewhere() -> None:
    ticks = iter([0.0, 0.0, 0.5, 1.0, 2.0, 2.0, 2.0])
    tty = io.StringIO()
    bar = Progress(4, label="issuing", stream=tty, tty=True, clock=lambda: next(ticks))
    bar.advance(1)
    bar.advance(1)
    assert "\r" in tty.getvalue() and "2/4" in tty.getvalue() and "ETA" in tty.getvalue()
    quiet = io.StringIO()
    other = Progress(2, stream=quiet, tty=False)
    other.advance(2)
    assert quiet.getvalue() == ""
    other.finish("2 issued")
    assert quiet.getvalue().startswith("2 issued in ") and quiet.getvalue().count("\n") == 1


def test_a_file_that_cannot_be_written_stops_the_batch_one_chunk_later(opened: OpenIssuer, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "blocked.csv", [row(i) for i in range(10)])
    out = tmp_path / "out"
    blocked = out / f"{row(3)[8]}.json"
    blocked.mkdir(parents=True)  # a directory where a credential file goes
    with pytest.raises(IsADirectoryError) as info:
        run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened, chunk=4))
    assert info.value.filename == str(blocked)
    # chunks of 4: the writer reports chunk 1's failure when chunk 2, recorded, is handed over
    assert counts(opened)[0] == 8
    assert [r["line"] for r in summary(out)] == ["2", "3", "4"]  # rows whose files were written
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{row(i)[8]}.json" for i in range(4)] + ["summary.csv"])
    blocked.rmdir()
    report = run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened, chunk=4))
    assert (report.issued, report.existing) == (2, 8) and len(list(out.glob("*.json"))) == 10


def test_a_batch_that_fails_lists_the_rows_whose_files_the_writer_finished(
    opened: OpenIssuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = BatchIssuer._record
    calls: list[int] = []

    def record(self: BatchIssuer, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyProblem("the key was marked compromised during the batch; nothing released")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BatchIssuer, "_record", record)
    source = write_csv(tmp_path / "stopped.csv", [row(i) for i in range(10)])
    out = tmp_path / "out"
    with pytest.raises(KeyProblem, match=r"^KEY_ERROR: the key was marked compromised during the batch; nothing"):
        run_batch(source, kind="skill-level", out_dir=out, issuer=bulk(opened, chunk=4))
    # chunk 1 was recorded and handed to the writer; the summary waits for its files
    assert counts(opened)[0] == 4 and len(list(out.glob("*.json"))) == 4
    assert [(r["line"], r["status"]) for r in summary(out)] == [(str(n), "issued") for n in range(2, 6)]


def test_a_wrong_passphrase_with_workers_issues_nothing_and_leaves_no_worker_behind(
    opened: OpenIssuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exits: list[int | None] = []
    original = Workers.close

    def close(self: Workers) -> None:
        original(self)
        exits.extend(proc.exitcode for proc in self._procs)

    monkeypatch.setattr(Workers, "close", close)
    source = write_csv(tmp_path / "locked.csv", [row(i) for i in range(20)])
    wrong = bulk(opened, passphrase="not the passphrase")
    with pytest.raises(KeyProblem, match="passphrase"):
        run_batch(source, kind="skill-level", out_dir=tmp_path / "out", issuer=wrong, workers=2)
    # the workers, started while the key was being unlocked, were told to stop and exited cleanly
    assert exits == [0, 0] and multiprocessing.active_children() == []
    assert counts(opened) == (0, 0, 0) and [r["status"] for r in summary(tmp_path / "out")] == []


# --- a full disk -------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, most of it taken by a filler file (a disk that fills up during a batch). Mounting
    needs root, which the test machines (and CI) have; without it this test fails, it does not skip."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs for the full-disk test: {done.stderr.strip()}")
    try:
        (mount / "filler").write_bytes(b"\0" * (200 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_batch_on_a_full_disk_names_the_file_and_the_rerun_that_finishes_it(
    home: IssuerHome, tmp_path: Path, small_disk: Path
) -> None:
    from issuer.cli import issuer_group

    total = 60
    source = write_csv(tmp_path / "full.csv", [row(i) for i in range(total)])
    out = small_disk / "out"
    env = {"SKILLCRED_HOME": str(tmp_path / "home"), "SKILLCRED_PASSPHRASE": PASSPHRASE}
    args = [
        "batch",
        str(source),
        "--kind",
        "skill-level",
        "--out",
        str(out),
        "--workers",
        "1",
        "--identity-hash-params",
        "test",
    ]
    first = invoke(issuer_group, args, env=env)
    assert first.exit_code == 1 and "Traceback" not in first.output, first.output
    assert f"{out}/" in first.stderr and "No space left on device" in first.stderr, first.stderr
    assert f"skillcred issuer batch {source} --kind skill-level --out {out}" in first.stderr
    with open_issuer(home, passphrase=PASSPHRASE, clock=CLOCK) as opened:
        recorded = counts(opened)[0]
    assert 0 < recorded < total + 1
    (small_disk / "filler").unlink()  # the operator frees some space
    again = invoke(issuer_group, args, env=env)
    assert again.exit_code == 0, again.output
    with open_issuer(home, passphrase=PASSPHRASE, clock=CLOCK) as opened:
        assert counts(opened)[:2] == (total, total)
    assert len(list(out.glob("*.json"))) == total
    assert {r["status"] for r in summary(out)} <= {"issued", "existing"} and len(summary(out)) == total


@pytest.mark.parametrize("kind", ["skill-level", "qualification", "title", "degree", "technical-school"])
def test_each_kinds_example_csv_is_a_batch_of_its_example(kind: str, tmp_path: Path) -> None:
    """``issuer kinds KIND --example-csv`` (what a person without a clone starts a batch from) reads back as
    one good row whose input is the kind's example."""
    from issuer.batch.rows import row_mapping
    from issuer.cli import issuer_group
    from issuer.examples import EXAMPLES

    printed = invoke(issuer_group, ["kinds", kind, "--example-csv"])
    assert printed.exit_code == 0, printed.output
    source = tmp_path / "example.csv"
    source.write_text(printed.stdout, encoding="utf-8")
    rows, bad = read_rows(source, kind)
    assert bad == [] and len(rows) == 1
    cells = dict(zip(*list(csv.reader(io.StringIO(printed.stdout))), strict=True))
    assert row_mapping({k: v for k, v in cells.items() if v}, kind) == EXAMPLES[kind]
