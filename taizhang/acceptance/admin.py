from django.contrib import admin

from .models import Acceptance, LookBack

admin.site.register([Acceptance, LookBack], admin.ModelAdmin)
