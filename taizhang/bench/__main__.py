"""``python -m taizhang.bench``: see :mod:`taizhang.bench`."""

import sys

from taizhang.bench import ROOT, main

sys.path.insert(0, str(ROOT))
sys.exit(main())
