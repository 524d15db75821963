"""Prefetching cases: load, check and prepare images on worker threads, never on the GUI thread.

For each image a worker loads the stored pixels (hash-checked), builds the display pipeline and
its presets, a resolution pyramid, and the 8-bit rendering of every pyramid level for the default
window, so showing a prefetched case costs the GUI thread nothing but handing arrays to Qt.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from ...services.reading import CaseView, ImageView, ReadingSession
from ..qt import QObject, Signal
from ..radiograph_view import PreparedImage, prepare_pixels, preset_window

__all__ = ["CaseLoader", "PreparedCase", "PreparedImage", "prepare_image", "preset_window"]


@dataclass
class PreparedCase:
    case: CaseView
    images: dict[str, PreparedImage] = field(default_factory=dict)


def prepare_image(session: ReadingSession, image: ImageView) -> PreparedImage:
    """Load an image's stored pixels (hash-checked) and prepare them for the view (a worker thread)."""
    return prepare_pixels(session.load_pixels(image), image.attributes, image=image)


class CaseLoader(QObject):
    """Prepares cases in the background; ``prepared`` fires (on the GUI thread) when a case is ready."""

    prepared = Signal(object)  # PreparedCase
    image_ready = Signal(int, int, int)  # case key, images ready, images in the case (progress)
    failed = Signal(int, str, object)  # case key, view ("AP"/"LAT"), exception

    def __init__(self, session: ReadingSession, parent: QObject | None = None, workers: int = 2):
        super().__init__(parent)
        self._session = session
        # Two workers: the AP and lateral images of a case decode in parallel (Pillow and numpy
        # release the GIL while they work).
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rushrater-prefetch")
        self._lock = threading.Lock()
        self._cases: dict[int, PreparedCase] = {}
        self._futures: dict[int, list[Future]] = {}
        self._ready: set[int] = set()
        self._failures: dict[int, tuple[str, BaseException]] = {}  # case key -> first failed view, error
        self._closed = False  # a result queued before the window closed may still arrive

    def request(self, case: CaseView) -> None:
        with self._lock:
            if self._closed or case.key in self._futures:
                return
            prepared = PreparedCase(case)
            self._cases[case.key] = prepared
            futures = [self._executor.submit(prepare_image, self._session, image) for image in case.images]
            self._futures[case.key] = futures
        for image, future in zip(case.images, futures):
            future.add_done_callback(lambda f, key=case.key, view=image.view: self._image_done(key, view, f))

    def _image_done(self, key: int, view: str, future: Future) -> None:
        if future.cancelled():
            return
        error = future.exception()
        with self._lock:
            prepared = self._cases.get(key)
            if prepared is None:
                return
            if error is None:
                prepared.images[view] = future.result()
            ready, count = len(prepared.images), len(prepared.case.images)
            complete = error is None and ready == count
            if complete:
                self._ready.add(key)
            if error is not None:
                self._failures.setdefault(key, (view, error))
        if error is not None:
            self.failed.emit(key, view, error)
        elif complete:
            self.prepared.emit(prepared)
        else:
            self.image_ready.emit(key, ready, count)

    def get(self, key: int) -> PreparedCase | None:
        with self._lock:
            return self._cases.get(key) if key in self._ready else None

    def images_ready(self, key: int) -> int:
        """How many images of a requested case are prepared so far (the loading progress)."""
        with self._lock:
            prepared = self._cases.get(key)
            return len(prepared.images) if prepared is not None else 0

    def failure(self, key: int) -> tuple[str, BaseException] | None:
        """The first image of a requested case that could not be prepared (view, error), if any."""
        with self._lock:
            return self._failures.get(key)

    def keep_only(self, keys: set[int]) -> None:
        """Forget prepared cases not in ``keys`` (memory stays flat over a long session)."""
        with self._lock:
            for key in [k for k in self._futures if k not in keys]:
                for future in self._futures.pop(key):
                    future.cancel()
                self._cases.pop(key, None)
                self._ready.discard(key)
                self._failures.pop(key, None)

    def forget(self, key: int) -> None:
        with self._lock:
            for future in self._futures.pop(key, []):
                future.cancel()
            self._cases.pop(key, None)
            self._ready.discard(key)
            self._failures.pop(key, None)

    def wait(self, key: int, timeout: float | None = None) -> None:
        """Block until a requested case's workers finish (tests and benchmarks only)."""
        with self._lock:
            futures = list(self._futures.get(key, []))
        for future in futures:
            try:
                future.result(timeout)
            except Exception:  # reported through ``failed``
                pass

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
