import sys

from rushrater.cli.main import main

sys.exit(main())
