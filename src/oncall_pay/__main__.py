"""``python -m oncall_pay``: the same as the ``oncall-pay`` command."""

import sys

from .cli import main

sys.exit(main())
