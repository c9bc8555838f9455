"""``python -m evalspec``."""

import sys

from evalspec._entry import main

if __name__ == "__main__":
    sys.exit(main())
