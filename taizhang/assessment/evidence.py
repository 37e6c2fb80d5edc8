"""Score adjustments and frozen results (定档) as evidence in the chain (taizhang/audit/chain.py)."""

from taizhang.audit import chain


def _unit_scores(run_ids: list[int]) -> dict[int, list]:
    from .models import UnitScore

    scores: dict[int, list] = {pk: [] for pk in run_ids}
    rows = UnitScore.objects.filter(run_id__in=run_ids).order_by("run_id", "unit_id")
    for run_id, unit_id, total, automatic, rank, grade in rows.values_list(
        "run_id", "unit_id", "total", "automatic", "rank", "grade"
    ):
        scores[run_id].append([unit_id, chain._plain(total), chain._plain(automatic), rank, grade])
    return scores


def register_evidence() -> None:
    from .models import Adjustment, ScoringRun

    chain.register(
        Adjustment,
        fields=(
            "item_score",
            "points",
            "reason",
            "evidence",
            "state",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ),
        campaign="item_score__unit_score__run__campaign",
    )
    chain.register(
        ScoringRun,
        fields=("scheme", "label", "starts_on", "ends_on", "cutoff", "frozen_at", "frozen_by"),
        campaign="campaign",
        when={"frozen_at__isnull": False},
        extra=_unit_scores,
    )
