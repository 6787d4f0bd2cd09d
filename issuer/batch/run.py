"""``skillcred issuer batch``: issue one credential per row of a CSV file, resumably.

1. **Validate everything first** (:mod:`issuer.batch.rows`): without ``--skip-bad``, a bad row means
   nothing is signed at all.
2. **Issue** through the issuance engine, chunked and on ``workers`` processes
   (:mod:`issuer.batch.schedule`). A rerun after a crash issues nothing twice: rows already recorded are
   taken from the registry and their missing output files rewritten.
3. **Write** ``<certificateNumber>.json`` (or ``line-<n>.json`` when the number is not a safe file
   name) with the exact released bytes, each atomically, once its chunk is durable, in a helper process
   while the next chunk is signed (:mod:`issuer.batch.files`; a write error stops the batch one chunk
   later at most; a rerun rewrites what is missing); then ``summary.csv`` (line, credentialId, file,
   status, reason). A batch that fails keeps its first error; the summary is written if it can be.
"""

from __future__ import annotations

import csv
import functools
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

from issuer.batch.claims import LEASE, UNIT_ROWS, Claims, batch_identity
from issuer.batch.files import FileWriter, write_atomic
from issuer.batch.progress import Progress
from issuer.batch.rows import BatchRefused, Row, RowProblem, read_rows
from issuer.batch.schedule import CHUNK, BatchIssuer
from issuer.engine import RequestOutcome
from vccore.di.cryptosuites import DEFAULT_SUITE

SUMMARY_FIELDS: Final = ("line", "credentialId", "file", "status", "reason")


@dataclass
class BatchReport:
    total: int = 0
    issued: int = 0
    existing: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def run_batch(
    source: Path | str,
    *,
    kind: str,
    out_dir: Path | str,
    issuer: BatchIssuer,
    skip_bad: bool = False,
    workers: int = 1,
    cryptosuite: str = DEFAULT_SUITE,
    batch_id: str | None = None,
    progress: TextIO | None = None,
    tty: bool | None = None,
    unit_rows: int = UNIT_ROWS,
    lease: float = LEASE,
) -> BatchReport:
    """Validate, then issue every row of ``source`` (see the module docstring). Raises
    :class:`BatchRefused` before anything is signed when rows are bad and ``skip_bad`` is False.
    Other processes running the same batch against the same registry share its rows
    (:mod:`issuer.batch.claims`: ``unit_rows`` rows per claim, held ``lease`` seconds unless renewed)."""
    rows, bad = read_rows(source, kind, cryptosuite=cryptosuite, batch_id=batch_id)
    if bad and not skip_bad:
        raise BatchRefused(bad, fatal=False)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    directory = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        claims = Claims(
            issuer.engine.store,
            batch_identity([row.request for row in rows]),
            len(rows),
            now=issuer.engine.now(),
            unit_rows=unit_rows,
            lease=lease,
        )
        try:
            return _issue_rows(
                rows, bad, directory, out, issuer=issuer, workers=workers, progress=progress, tty=tty, claims=claims
            )
        finally:
            claims.close()
    finally:
        os.close(directory)


def _issue_rows(
    rows: list[Row],
    bad: list[RowProblem],
    directory: int,
    shown: Path,
    *,
    issuer: BatchIssuer,
    workers: int,
    progress: TextIO | None,
    tty: bool | None,
    claims: Claims,
) -> BatchReport:
    present = set(os.listdir(directory))  # files of an earlier run are compared before being rewritten
    report = BatchReport(total=len(rows) + len(bad), skipped=len(bad), problems=list(bad))
    by_key = {row.request.key: row for row in rows}
    summary: dict[int, tuple[str, str, str, str]] = {p.line: ("", "", "skipped", str(p)) for p in bad}
    bar = Progress(len(rows), label="issuing", stream=progress, tty=tty, shared=lambda: claims.state()[0])

    def written(files: list[tuple[Row, RequestOutcome]], count: int) -> None:
        for row, outcome in files[:count]:
            report.issued += outcome.status == "issued"
            report.existing += outcome.status == "existing"
            summary[row.line] = (outcome.credential_id, row.file_name, outcome.status, "")
        bar.advance(count)

    # the output files of a chunk are handed to the writer process once the chunk is durable (its
    # transaction committed) and written while the next chunk is signed; a row counts, and enters the
    # summary, once its file is written (the writer reports that one chunk later)
    def done(writer: FileWriter, outcomes: list[RequestOutcome]) -> None:
        files: list[tuple[Row, RequestOutcome]] = []
        for outcome in outcomes:
            row = by_key[outcome.key]
            if outcome.status == "failed":
                report.failed += 1
                reason = f"{outcome.code.value if outcome.code else ''}: {outcome.detail}"
                summary[row.line] = (outcome.credential_id, "", "failed", reason)
                bar.advance(1)
            else:
                files.append((row, outcome))
        for start in range(0, len(files), CHUNK):  # a rerun hands every recorded row over at once
            piece = files[start : start + CHUNK]
            writer.submit(
                [(row.file_name, outcome.document, row.file_name not in present) for row, outcome in piece],
                functools.partial(written, piece),
            )

    try:
        # leaving the block waits for the last chunk's files (also when the batch fails), so the summary
        # lists every row whose file was written
        with FileWriter(directory, shown=shown) as writer:
            issuer.issue(
                [row.request for row in rows], workers=workers, on_chunk=functools.partial(done, writer), claims=claims
            )
    except BaseException as err:
        # the first error is the one reported (it names the file: a full disk, a directory in the way);
        # the summary is written if it can be, and if it cannot (the same full disk) the error says so
        try:
            _write_summary(directory, summary)
        except OSError as also:
            err.add_note(f"summary.csv could not be written either ({also.strerror or also})")
        raise
    _write_summary(directory, summary)
    owners = claims.owners()
    finished, total, issued, existing = claims.state()[0], len(rows), report.issued, report.existing
    bar.finish(
        f"本次签发 {issued} 份，此前已签发 {existing} 份，失败 {report.failed} 行，跳过 {report.skipped} 行；"
        f"整批 {finished}/{total} 行已由 {len(owners)} 个进程完成 / {issued} issued, {existing} already issued, "
        f"{report.failed} failed, {report.skipped} skipped; the batch: {finished}/{total} rows done by {len(owners)} "
        "process(es)"
    )
    return report


def _write_summary(directory: int, summary: Mapping[int, tuple[str, str, str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_FIELDS)
    for line in sorted(summary):
        writer.writerow((line, *summary[line]))
    write_atomic("summary.csv", buffer.getvalue().encode("utf-8"), dir_fd=directory)
