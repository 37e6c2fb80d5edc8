"""Who may do what with assessments (on top of ``orgs.access.Access``)."""

from django.utils import timezone

from taizhang.orgs.access import Access


def can_edit_schemes(access: Access) -> bool:
    """The office writes schemes (考核细则)."""
    return access.is_office


def can_score(access: Access) -> bool:
    """Assessors run and adjust assessments; the office may too."""
    return access.is_assessor or access.is_office


def can_approve(access: Access, scheme, adjustment=None) -> bool:
    """A second person approves: the office or the scheme's head assessor, never the one who proposed it."""
    allowed = access.is_office or (scheme.head_assessor_id is not None and scheme.head_assessor_id == access.user.pk)
    if adjustment is not None and adjustment.proposed_by_id == access.user.pk:
        return False
    return allowed


def can_read_results(access: Access) -> bool:
    """Every unit's scores: the overseers (office, leaders, inspectors, assessors)."""
    return access.is_overseer


def review_open(run) -> bool:
    return run.review_until is not None and not run.is_frozen and timezone.localdate() <= run.review_until


def can_read_unit(access: Access, run, unit) -> bool:
    """A unit's breakdown: the overseers; its own liaisons once the review window has opened."""
    if can_read_results(access):
        return True
    return run.review_until is not None and access.speaks_for(unit)


def can_object(access: Access, run, unit) -> bool:
    return review_open(run) and access.speaks_for(unit)


def can_read_penalty(access: Access, penalty) -> bool:
    """A penalty action and its evidence: the overseers, the unit's liaisons, and the person responsible."""
    return can_read_results(access) or access.speaks_for(penalty.unit) or penalty.owner_id == access.user.pk


def can_act_on_penalty(access: Access, penalty) -> bool:
    """Who sends evidence of carrying it out: the office, the unit's liaisons, and the person responsible."""
    return access.is_office or access.speaks_for(penalty.unit) or penalty.owner_id == access.user.pk
