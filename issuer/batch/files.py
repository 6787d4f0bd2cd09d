"""Output files of a batch, written atomically by a helper process while the batch signs on.

A batch writes one JSON file per credential. Creating a file costs a few syscalls, and on a slow or busy
disk a file can take a millisecond or more, about as long as signing the credential. Done in the signing
process, that time adds to every row. A thread does not help: each syscall waits for the GIL behind the
signing thread. So :class:`FileWriter` hands each chunk of files to a small helper process (this module,
run as a script with ``python -I -S``: standard library only, started in a few milliseconds) through a pipe,
and the helper writes them while the batch signs the next chunk. The caller's bookkeeping stays simple:

* **one chunk behind, never more.** :meth:`FileWriter.submit` first waits until the previous chunk is on
  disk, and reports through its callback how many of that chunk's files were written. A write error is
  raised as :class:`OSError` by that call (or by :meth:`FileWriter.close`), so a batch stops at most one
  chunk after the one whose file failed, and a row counts only once its file is written.
* **nothing orphaned.** The helper reads until end of file: when the batch ends, fails or is killed, the
  pipe closes and the helper finishes the chunk it holds (whole files only: each goes through a temporary
  file and a rename) and exits. It ignores SIGINT, so Ctrl-C stops the batch, not the half-written chunk.

Protocol, all integers big-endian. A chunk: ``!I`` file count, then per file ``!HIB`` (name length, data
length, 1 when the caller saw no file of that name) with the UTF-8 name and the data. The answer: ``!IIH``
(files written, errno or 0, message length) and the message, ``strerror`` NUL the file's name.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import os
import signal
import struct
import subprocess
import sys
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Final

_COUNT: Final = struct.Struct("!I")
_FILE: Final = struct.Struct("!HIB")
_ANSWER: Final = struct.Struct("!IIH")
#: the pipe holds a whole chunk of credentials (~3.5 KB each), so handing one over rarely blocks
_PIPE_SIZE: Final = 1 << 20


def write_atomic(path: os.PathLike[str] | str, data: bytes, *, absent: bool = False, dir_fd: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (unchanged files are left alone).

    ``absent`` says the caller saw no file at ``path`` (a directory listing): then it is not read first.
    With ``dir_fd`` (an open directory), ``path`` is a name in that directory: a batch writes thousands
    of files into one directory and so skips resolving the same path for each.
    """
    name = os.fspath(path)
    if not absent:
        try:
            with open(name, "rb", opener=functools.partial(os.open, dir_fd=dir_fd)) as f:
                if f.read() == data:
                    return
        except FileNotFoundError:
            pass
    head, tail = os.path.split(name)
    temp = os.path.join(head, f".{tail}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666, dir_fd=dir_fd)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:
        try:
            os.unlink(temp, dir_fd=dir_fd)
        except OSError:
            pass  # the error being raised is the one that matters
        raise


class FileWriter:
    """A helper process writing files into the open directory ``directory`` (see the module docstring);
    ``shown`` is its path, for error messages.

    Use it as a context manager: leaving the block normally waits for the last chunk (and raises its
    write error); leaving it with an exception still lets the helper finish and reports what it wrote,
    without raising again.
    """

    def __init__(self, directory: int, *, shown: os.PathLike[str] | str = "") -> None:
        self._shown = os.fspath(shown)  # the directory's path, to name a file that could not be written
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-S", os.path.abspath(__file__), str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            pass_fds=(directory,),
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._to: IO[bytes] = self._proc.stdin
        self._from: IO[bytes] = self._proc.stdout
        try:
            fcntl.fcntl(self._to.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        except OSError:
            pass  # above the system's limit: the pipe keeps its default size, the helper drains it
        self._pending: Callable[[int], None] | None = None
        self._expected = 0

    def submit(self, files: Sequence[tuple[str, bytes, bool]], on_written: Callable[[int], None]) -> None:
        """Hand over (name, data, absent) files to write; ``on_written(n)`` will learn how many were
        written, in order. Waits for the previous chunk first and raises its write error, if any."""
        self._collect()
        parts = [_COUNT.pack(len(files))]
        for name, data, absent in files:
            encoded = name.encode("utf-8")
            parts += (_FILE.pack(len(encoded), len(data), absent), encoded, data)
        try:
            self._to.write(b"".join(parts))
            self._to.flush()
        except BrokenPipeError:
            self._stopped()
        self._pending, self._expected = on_written, len(files)

    def close(self) -> None:
        """Wait for the last chunk (raising its write error), then let the helper exit."""
        try:
            self._collect()
        finally:
            self._end()

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        try:
            self._collect()
        except OSError:
            pass  # the exception already leaving the block is the one to report
        finally:
            self._end()

    def _collect(self) -> None:
        on_written, self._pending = self._pending, None
        if on_written is None:
            return
        head = self._from.read(_ANSWER.size)
        if len(head) < _ANSWER.size:
            self._stopped()
        written, code, length = _ANSWER.unpack(head)
        on_written(min(written, self._expected))
        if code:
            strerror, _, name = self._from.read(length).decode("utf-8", "replace").partition("\0")
            raise OSError(code, strerror, os.path.join(self._shown, name))

    def _stopped(self) -> None:
        self._proc.wait()
        raise OSError(errno.EPIPE, f"the file writer process stopped (exit status {self._proc.returncode})")

    def _end(self) -> None:
        try:
            self._to.close()
        except BrokenPipeError:
            pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a helper stuck on a dead disk
            self._proc.kill()
            self._proc.wait()
        self._from.close()


# --- the helper process ------------------------------------------------------------------------------------


def _serve(directory: int, source: IO[bytes], answers: IO[bytes]) -> None:
    """Write chunks read from ``source`` into ``directory`` until end of file or the first write error."""
    while True:
        head = source.read(_COUNT.size)
        if len(head) < _COUNT.size:
            return
        (count,) = _COUNT.unpack(head)
        files: list[tuple[str, bytes, bool]] = []
        for _ in range(count):
            meta = source.read(_FILE.size)
            if len(meta) < _FILE.size:
                return
            name_length, data_length, absent = _FILE.unpack(meta)
            encoded = source.read(name_length)
            data = source.read(data_length)
            if len(encoded) < name_length or len(data) < data_length:
                return  # the batch stopped mid-chunk: nothing of it is half written
            files.append((encoded.decode("utf-8"), data, bool(absent)))
        written = 0
        for name, data, absent in files:
            try:
                write_atomic(name, data, absent=absent, dir_fd=directory)
            except OSError as err:
                message = f"{err.strerror or err}\0{name}".encode("utf-8", "replace")
                answers.write(_ANSWER.pack(written, err.errno or errno.EIO, len(message)) + message)
                answers.flush()
                return
            written += 1
        answers.write(_ANSWER.pack(written, 0, 0))
        answers.flush()


if __name__ == "__main__":  # pragma: no cover - runs in the helper process
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(int(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:  # the batch is gone; nothing left to tell it
        pass
