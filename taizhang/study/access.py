"""Who may do what in study, on top of the campaign's :class:`~taizhang.orgs.access.Access`.

The office does everything. A unit's liaison (or the liaison of a unit above it) keeps that unit's
roster and plans and records its activities. Leaders, inspectors and assessors read. Personal data
of members (phones) is shown only to the office and to the member's own unit.
"""


def can_organise(access, unit) -> bool:
    if unit is None:
        return access.is_office
    return access.is_office or access.speaks_for(unit)


def can_manage_roster(access, unit) -> bool:
    return access.is_office or access.speaks_for(unit)


def can_see_personal_data(access, member) -> bool:
    return access.is_office or access.speaks_for(member.unit)


def units_of_activity(activity) -> list:
    """The audience units of an activity, or its organising unit when none is given."""
    units = list(activity.audience_units.all())
    return units or [activity.unit]
