from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo builder and its ``demo`` command: above every domain app, imported by none."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "taizhang.demo"
    label = "demo"
