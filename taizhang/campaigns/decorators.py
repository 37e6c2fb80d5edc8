from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from taizhang.orgs.access import Access

from .models import Campaign


def campaign_view(view):
    """Log-in required; loads the campaign by slug and the person's access, refusing outsiders."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        campaign = get_object_or_404(Campaign, slug=slug)
        access = Access.for_user(request.user, campaign)
        if not access.can_view:
            raise PermissionDenied(_("You have no role in this campaign."))
        request.campaign = campaign
        request.access = access
        return view(request, campaign, access, *args, **kwargs)

    return wrapper
