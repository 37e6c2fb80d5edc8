"""The writes on a campaign's settings: pages and commands come through here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, record, snapshot
from taizhang.ledger.tasks import relight_campaign
from taizhang.orgs.access import Access, can_create_campaigns
from taizhang.reporting.periods import generate_periods

from .models import Campaign, threshold_order_errors


class StaleRules(Exception):
    """Someone else saved the campaign's rules after this form was opened."""

    def __init__(self, campaign: Campaign):
        super().__init__(
            _(
                "Someone else changed the campaign rules while you were editing them. Reload the page to see their changes, then make yours again."
            )
        )
        self.campaign = campaign


@transaction.atomic
def create_campaign(*, data: dict, acting_user) -> Campaign:
    """Start a campaign (name, short code, dates); an administrator, or a command as its system actor."""
    if not can_create_campaigns(acting_user):
        raise PermissionDenied(_("Only an administrator can start a campaign."))
    campaign = Campaign(**data)
    campaign.full_clean()
    campaign.save()
    record(campaign, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return campaign


@transaction.atomic
def update_rules(campaign: Campaign, *, data: dict, fingerprint: str, acting_user) -> Campaign:
    """Save the reporting rhythm, light thresholds and closing rules, refusing a change on top of an unseen one.

    Periods not yet due follow a new rhythm at once; new light thresholds relight every item
    in the background once the change is committed.
    """
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can change the campaign rules."))
    unknown = set(data) - set(Campaign.RULE_FIELDS)
    if unknown:
        raise ValueError(f"not rule fields: {sorted(unknown)}")
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if current.rules_fingerprint() != fingerprint:
        raise StaleRules(current)
    before = snapshot(current, Campaign.RULE_FIELDS)
    old_values = {name: getattr(current, name) for name in Campaign.RULE_FIELDS}
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(exclude=[f.name for f in Campaign._meta.fields if f.name not in Campaign.RULE_FIELDS])
    errors = threshold_order_errors({name: getattr(current, name) for name in Campaign.RULE_FIELDS})
    if errors:
        raise ValidationError(errors)
    changed = {name for name in Campaign.RULE_FIELDS if getattr(current, name) != old_values[name]}
    if not changed:
        return current
    current.save(update_fields=sorted(changed))
    record(current, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=current, changes=diff(current, before))
    if changed & set(Campaign.RHYTHM_FIELDS):
        generate_periods(current)
    if changed & set(Campaign.LIGHT_FIELDS):
        campaign_id = current.pk
        transaction.on_commit(lambda: relight_campaign(campaign_id))
    return current
