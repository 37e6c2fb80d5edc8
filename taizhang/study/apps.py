from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "taizhang.study"
    verbose_name = _("Study")

    def ready(self):
        from taizhang.campaigns.providers import register_structure_copier

        from .actions import copy_activity_kinds

        register_structure_copier("study.activity_kinds", copy_activity_kinds)
