"""What apps above campaigns add to its pages: they register a provider when they load.

The set-up page shows each key task's owner unit, leader and deadline, but those are tracked (and
edited) by the ledger and the key-task pages above it; campaigns cannot import them.
"""

from collections.abc import Callable

# (campaign) -> {key task id: {"owner", "lead", "due", "due_text", "edit_url"}}
KeyTaskOwners = Callable[[object], dict[int, dict]]

_key_task_owners: KeyTaskOwners | None = None


def register_key_task_owners(provider: KeyTaskOwners | None) -> None:
    global _key_task_owners
    _key_task_owners = provider


def key_task_owners(campaign) -> dict[int, dict]:
    """Each key task's owner and deadline, or nothing when no app tracks them."""
    return _key_task_owners(campaign) if _key_task_owners is not None else {}


# (source campaign, new campaign, acting user) -> None: what an app above copies along with the structure
# (study: the campaign's kinds of activity). Each runs inside start_campaign's transaction.
StructureCopier = Callable[[object, object, object], None]

_structure_copiers: dict[str, StructureCopier] = {}


def register_structure_copier(name: str, copier: StructureCopier | None) -> None:
    if copier is None:
        _structure_copiers.pop(name, None)
    else:
        _structure_copiers[name] = copier


def copy_structure_of_apps(source, campaign, acting_user) -> None:
    for copier in _structure_copiers.values():
        copier(source, campaign, acting_user)
