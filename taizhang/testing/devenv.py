"""A pytest plugin loaded before Django (``-p taizhang.testing.devenv`` in pyproject.toml).

The settings fail closed: without ``DEBUG=1`` they demand a secret key and switch on HTTPS-only
protections. Tests run the development configuration unless the environment says otherwise
(pytest-django still runs each test with ``settings.DEBUG = False``).
"""

import os

os.environ.setdefault("DEBUG", "1")
