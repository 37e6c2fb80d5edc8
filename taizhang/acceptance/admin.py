from django.contrib import admin

from taizhang.audit.admin import ReadOnlyAdmin

from .models import Acceptance, LookBack

# Written by the actions (which keep history, and chain acceptances): read-only here.
admin.site.register([Acceptance, LookBack], ReadOnlyAdmin)
