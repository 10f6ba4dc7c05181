"""PyInstaller's entry script: the frozen binary is the `aimywhatsapp` command.

Kept outside `app/` so the analysis starts from the same `main()` the console script uses; the
binary re-invokes itself as `aimywhatsapp channel-worker …` for WhatsApp session workers.
"""

from __future__ import annotations

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
