"""Preparing image files on a process pool: decode, de-identify, hash and encode on every core.

Decoders are native code that a damaged or crafted file can crash, hang or blow up in memory, so
every file is prepared in a worker process with a memory cap and a time limit, and the workers die
with the import. A file that breaks its worker costs that file only (it is rejected with the
reason); the import (``services.imports``) decides what the prepared files become.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..imaging.sources import Prepared, PrepareOptions, prepare, warm_up
from ..imaging.store import ImageStore

Progress = Callable[[int, int], None]


#: Address space one worker may add to what it starts with (RLIMIT_AS): a 10,000 x 10,000 16-bit
#: radiograph and its working copies fit; a codestream that lies about its size does not.
DECODE_MEMORY_BYTES = 2 << 30


#: Wall time one file may take in a worker (a large JPEG 2000 decodes in a few seconds).
DECODE_SECONDS = 120


def _die_with_parent(parent_pid: int) -> None:
    """A worker ends when the import process does, even when that is killed (SIGKILL runs no
    clean-up in the parent): Linux delivers SIGKILL on the parent's death (PR_SET_PDEATHSIG), and
    a watchdog thread covers other systems by exiting once the parent pid changes."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="rushrater-parent-watch", daemon=True).start()


def _cap_address_space(extra_bytes: int) -> None:
    """Let the worker's decoders allocate at most ``extra_bytes`` more than it holds now."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration, ValueError):
        return  # no /proc (macOS, Windows): no cap, the time limit still holds
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size_kb * 1024 + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _init_worker(parent_pid: int, memory_bytes: int) -> None:
    _die_with_parent(parent_pid)
    _cap_address_space(memory_bytes)


def _prepare_with_time_limit(path: str, options: PrepareOptions, seconds: int) -> Prepared:
    # SIGALRM's default action ends the process even inside native code that never returns to
    # Python; the parent sees a broken pool and names the file that took too long.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(seconds)
    try:
        return prepare(path, options)
    except MemoryError:  # prepare names it for the decoders; this catches the rest of the work
        return Prepared(path=path, status="rejected", reason="preparing the image needs more memory than the limit per file")
    finally:
        signal.alarm(0)


def _limited_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(), DECODE_MEMORY_BYTES))


def prepare_files(files: list[Path], options: PrepareOptions, progress: Progress | None, workers: int | None) -> list[Prepared]:
    """Prepare every file on a process pool (decode, de-identify, hash and encode use every core).

    Decoding always runs in worker processes, one file at a time each, with a memory cap and a time
    limit, and the workers die with the import. A decoder that crashes its process on a damaged
    file (native code can), runs out of time or is killed costs that file only: the files left are
    prepared again one process each, and the one that fails is rejected with the reason.
    """
    total = len(files)
    if progress:
        progress(0, total)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    workers = max(1, min(workers, total))
    seconds = int(DECODE_SECONDS)
    out: list[Prepared | None] = [None] * total
    warm_up()
    store = ImageStore(Path(options.store_root))
    before = set(store.keys())
    done = 0
    try:
        try:
            with _limited_pool(workers) as pool:
                futures = {pool.submit(_prepare_with_time_limit, str(path), options, seconds): index for index, path in enumerate(files)}
                for future in as_completed(futures):
                    out[futures[future]] = future.result()
                    done += 1
                    if progress:
                        progress(done, total)
        except BrokenProcessPool:
            for index, path in enumerate(files):
                if out[index] is not None:
                    continue
                started = time.monotonic()
                try:
                    with _limited_pool(1) as single:
                        out[index] = single.submit(_prepare_with_time_limit, str(path), options, seconds).result()
                except BrokenProcessPool:
                    if time.monotonic() - started >= seconds - 0.5:
                        reason = f"decoding took longer than {seconds} s, the limit per file (damaged or crafted file?)"
                    else:
                        reason = "the decoder crashed on this file (damaged?)"
                    out[index] = Prepared(path=str(path), status="rejected", reason=reason)
                done += 1
                if progress:
                    progress(done, total)
            # Workers that finished before the crash may have stored files nobody collected.
            kept = {r.storage_key for r in out if r is not None and r.storage_key}
            for key in set(store.keys()) - before - kept:
                store.discard(key)
    except BaseException:
        # Files stored by workers that finished are removed; nothing half-imported stays.
        for result in out:
            if result is not None and result.storage_key:
                Path(options.store_root, result.storage_key).unlink(missing_ok=True)
        raise
    return [r for r in out if r is not None]
