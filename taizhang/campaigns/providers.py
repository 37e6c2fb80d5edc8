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
