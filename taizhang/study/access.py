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


def can_manage_group(access, unit) -> bool:
    """Member groups are kept by whoever keeps the roster of their unit."""
    return can_manage_roster(access, unit)


def can_see_group(access, group) -> bool:
    """The office, leaders and the group's own unit (or a unit above it) see who is in a group."""
    return access.is_office or access.is_leader or access.speaks_for(group.unit)
