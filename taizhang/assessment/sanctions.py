"""Rewards and penalties (奖惩) that a frozen result gives, each with the facts that triggered it."""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item, Light

from .models import Grade, Nomination, PenaltyAction, ScoringRun, UnitScore
from .queries import run_facts

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
        for unit_id, _item_id, fact in run_facts(run, [s.unit_id for s in poor]):
            if fact.points < 0:
                lost.setdefault(unit_id, []).append(fact)
        for unit_id, facts in lost.items():
            facts.sort(key=lambda f: f.points)  # the heaviest losses first
            lost[unit_id] = [
                {"kind": f.kind, "id": f.object_id, "label": f.label, "points": str(f.points)} for f in facts[:20]
            ]
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
    owners = default_owners(run.campaign, {p.unit_id for p in penalties})
    for penalty in penalties:
        penalty.owner = owners.get(penalty.unit_id)
    return PenaltyAction.objects.bulk_create(penalties)


# Who carries out a unit's penalty by default: the person holding its principal responsibility, else its first.
OWNER_KINDS = ("principal", "first")


def default_owners(campaign, unit_ids) -> dict:
    """Unit id → the user who holds its principal (else first) responsibility, where a person with a role in the
    campaign is assigned (the notice links to a page of the campaign)."""
    from taizhang.orgs.models import RoleGrant, User
    from taizhang.supervision.queries import responsibility_holders

    if not unit_ids:
        return {}
    in_campaign = set(RoleGrant.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    chosen = {}
    for unit_id, kinds in responsibility_holders(campaign, unit_ids).items():
        for kind in OWNER_KINDS:
            person = next((h.holder_user_id for h in kinds.get(kind, []) if h.holder_user_id in in_campaign), None)
            if person is not None:
                chosen[unit_id] = person
                break
    users = User.objects.in_bulk(set(chosen.values()))
    return {unit_id: users[pk] for unit_id, pk in chosen.items() if pk in users and users[pk].is_active}
