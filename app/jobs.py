"""Long work as generators: they yield `Progress` and return their result, and can be cancelled.

The UI runs a job on a worker thread and shows the progress; the command line runs it inline.
A job checks nothing itself: the runner raises `CancelledError` at the next yield once the user
asked to stop, so the job's `with database.atomic()` block rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

from app.errors import CancelledError

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # 0 when unknown
    message: str = ""


Job = Generator[Progress, None, T]


def run_job(
    job: Job[T],
    on_progress: Callable[[Progress], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> T:
    try:
        while True:
            progress = next(job)
            if is_cancelled is not None and is_cancelled():
                job.throw(CancelledError())
            if on_progress is not None:
                on_progress(progress)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
