"""The batch's file writer: a helper process one chunk behind, which reports exactly what it wrote."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from issuer.batch.files import FileWriter, write_atomic


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[int]:
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    yield fd
    os.close(fd)


def test_chunks_are_written_and_counted_one_chunk_behind(tmp_path: Path, directory: int) -> None:
    seen: list[tuple[str, int]] = []
    with FileWriter(directory, shown=tmp_path) as writer:
        writer.submit(
            [("a.json", b'{"a":1}', True), ("b.json", "证书".encode(), True)], lambda n: seen.append(("first", n))
        )
        assert seen == []  # not reported before the next hand-over
        writer.submit([("c.json", b"", True)], lambda n: seen.append(("second", n)))
        assert seen == [("first", 2)]
    assert seen == [("first", 2), ("second", 1)]
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == "证书"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "c.json"]  # no temporary files


def test_an_unchanged_file_is_left_alone_and_a_changed_one_replaced(tmp_path: Path, directory: int) -> None:
    same, changed = tmp_path / "same.json", tmp_path / "changed.json"
    same.write_bytes(b"kept")
    changed.write_bytes(b"tampered")
    inode = same.stat().st_ino
    with FileWriter(directory, shown=tmp_path) as writer:
        writer.submit([("same.json", b"kept", False), ("changed.json", b"released", False)], lambda n: None)
    assert same.stat().st_ino == inode and changed.read_bytes() == b"released"


def test_a_write_error_names_the_file_counts_what_was_written_and_stops_the_writer(
    tmp_path: Path, directory: int
) -> None:
    (tmp_path / "b.json").mkdir()
    seen: list[int] = []
    writer = FileWriter(directory, shown=tmp_path)
    writer.submit([("a.json", b"1", True), ("b.json", b"2", True), ("c.json", b"3", True)], seen.append)
    with pytest.raises(IsADirectoryError) as info:
        writer.submit([("d.json", b"4", True)], seen.append)
    assert info.value.errno == errno.EISDIR and info.value.filename == str(tmp_path / "b.json")
    assert seen == [1]
    writer.close()
    assert writer._proc.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]  # no temporary file, no c or d


def test_an_exception_in_the_block_lets_the_last_chunk_finish_and_is_the_one_raised(
    tmp_path: Path, directory: int
) -> None:
    seen: list[int] = []
    with pytest.raises(KeyError, match="the batch failed"), FileWriter(directory, shown=tmp_path) as writer:
        writer.submit([("a.json", b"1", True)], seen.append)
        raise KeyError("the batch failed")
    assert seen == [1] and (tmp_path / "a.json").read_bytes() == b"1"
    assert writer._proc.returncode == 0


def test_a_helper_that_dies_is_reported_not_waited_for(tmp_path: Path, directory: int) -> None:
    writer = FileWriter(directory, shown=tmp_path)
    writer._proc.send_signal(signal.SIGKILL)
    writer._proc.wait()
    with pytest.raises(OSError, match="file writer process stopped") as info:
        writer.submit([("a.json", b"1", True)], lambda n: None)  # the pipe is broken, or the answer missing
        writer.close()
    assert info.value.errno == errno.EPIPE
    writer._end()


def test_the_helper_exits_when_its_pipe_closes_mid_chunk(tmp_path: Path, directory: int) -> None:
    writer = FileWriter(directory, shown=tmp_path)
    writer._to.write(b"\x00\x00\x00\x02\x00\x06")  # a chunk of two files, cut short (the batch was killed)
    writer._to.flush()
    writer._end()
    assert writer._proc.returncode == 0 and list(tmp_path.iterdir()) == []


def test_write_atomic_leaves_no_temporary_file_when_the_rename_fails(tmp_path: Path) -> None:
    (tmp_path / "x.json").mkdir()
    with pytest.raises(IsADirectoryError, match=r"Is a directory"):
        write_atomic(tmp_path / "x.json", b"data", absent=True)
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
