"""Entry point of the bundled app (PyInstaller runs this file as ``__main__``).

The same as the ``rushrater`` console script; ``freeze_support`` lets the image-import process pool
start its workers from the frozen executable (on Windows and macOS workers re-run this file).
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from rushrater.cli.main import main

    sys.exit(main())
