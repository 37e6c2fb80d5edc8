"""Rewards and penalties (奖惩) that a frozen result gives, each with the facts that triggered it."""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item, Light

from .models import Grade, Nomination, PenaltyAction, ScoreFact, ScoringRun, UnitScore

PENALTY_DAYS = 30


def apply_sanctions(run: ScoringRun) -> list[PenaltyAction]:
    """Nominations for the top of the ranking graded 优秀; 限期整改 for 较差; 约谈 for items red long past due;
    通报批评 for two or more yellow items. Written in the site's language (they are the record)."""
    scheme = run.scheme
    deadline = timezone.localdate() + datetime.timedelta(days=PENALTY_DAYS)
    scores = list(UnitScore.objects.filter(run=run).select_related("unit").order_by("rank", "unit__path"))
    unit_ids = [s.unit_id for s in scores]
    penalties = []
    with translation.override(settings.LANGUAGE_CODE):
        Nomination.objects.bulk_create(
            [
                Nomination(
                    run=run,
                    unit=s.unit,
                    award=_("Advanced unit"),
                    reason=_("Rank %(rank)s, %(total)s points, grade %(grade)s")
                    % {"rank": s.rank, "total": s.total, "grade": s.get_grade_display()},
                )
                for s in scores
                if s.grade == Grade.EXCELLENT and s.rank <= scheme.nominate_top
            ]
        )
        poor = [s for s in scores if s.grade == Grade.POOR]
        lost: dict[int, list] = {}
        for unit_id, kind, object_id, label, points in (
            ScoreFact.objects.filter(run=run, unit_id__in=[s.unit_id for s in poor], points__lt=0)
            .order_by("unit_id", "points", "pk")
            .values_list("unit_id", "kind", "object_id", "label", "points")
        ):
            if len(lost.setdefault(unit_id, [])) < 20:
                lost[unit_id].append({"kind": kind, "id": object_id, "label": label, "points": str(points)})
        for s in poor:
            penalties.append(
                PenaltyAction(
                    run=run,
                    unit=s.unit,
                    kind=PenaltyAction.Kind.RECTIFY,
                    deadline=deadline,
                    facts=lost.get(s.unit_id, []),
                    reason=_("Graded poor with %(total)s points.") % {"total": s.total},
                )
            )
        red: dict[int, list] = {}
        for unit_id, pk, code, title, days in (
            Item.objects.filter(
                campaign=run.campaign,
                owner_unit_id__in=unit_ids,
                light=Light.RED,
                light_code__endswith="overdue",
                light_n__gt=scheme.red_days,
            )
            .order_by("owner_unit_id", "code")
            .values_list("owner_unit_id", "pk", "code", "title", "light_n")
        ):
            red.setdefault(unit_id, []).append({"kind": "item", "id": pk, "label": f"{code} {title} ({days})"})
        for s in scores:
            if s.unit_id in red:
                penalties.append(
                    PenaltyAction(
                        run=run,
                        unit=s.unit,
                        kind=PenaltyAction.Kind.TALK,
                        deadline=deadline,
                        facts=red[s.unit_id][:20],
                        reason=_("%(n)s items red more than %(days)s days past their deadline.")
                        % {"n": len(red[s.unit_id]), "days": scheme.red_days},
                    )
                )
        yellow = dict(
            Item.objects.filter(campaign=run.campaign, owner_unit_id__in=unit_ids, light=Light.YELLOW)
            .values_list("owner_unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for s in scores:
            if yellow.get(s.unit_id, 0) >= 2:
                items = Item.objects.filter(campaign=run.campaign, owner_unit_id=s.unit_id, light=Light.YELLOW)
                penalties.append(
                    PenaltyAction(
                        run=run,
                        unit=s.unit,
                        kind=PenaltyAction.Kind.CRITICISM,
                        deadline=deadline,
                        facts=[
                            {"kind": "item", "id": pk, "label": f"{code} {title}"}
                            for pk, code, title in items.order_by("code").values_list("pk", "code", "title")[:20]
                        ],
                        reason=_("%(n)s items yellow.") % {"n": yellow[s.unit_id]},
                    )
                )
    return PenaltyAction.objects.bulk_create(penalties)
