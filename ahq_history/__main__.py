from __future__ import annotations

import sys

from ahq_history.cli.main import main

sys.exit(main())
