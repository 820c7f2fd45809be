"""`python -m publishing list | rollback [--to VERSION]`: the published versions, and rolling back."""

import sys

from publishing.versions import main

if __name__ == "__main__":
    sys.exit(main())
