"""Background work of assessment: computing a scoring run (its page polls the run's progress)."""

from huey.contrib.djhuey import db_task


@db_task()
def compute_run(run_id: int) -> bool:
    from .scoring import compute

    return compute(run_id)
