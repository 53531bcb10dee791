"""Print this process's environment as one JSON line, tagged: what the shell exported, exactly."""

import json
import os
import sys

print("@@ENV " + json.dumps({"label": sys.argv[1], "env": dict(os.environ)}), flush=True)
