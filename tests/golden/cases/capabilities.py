"""What a package can do: every capability once per detail, telemetry too."""
import os
import subprocess as sp
from pathlib import Path

import requests as rq
import sentry_sdk

API = "https://api.example.com/v2/"
COLLECT = "https://www.google-analytics.com/collect"
sentry_sdk.init(dsn="https://abc@o7.ingest.sentry.io/42")


def report(event):
    token = os.environ["SERVICE_TOKEN"]
    home = os.getenv("HOME")
    rq.post(API + "events", json=event, headers={"t": token}, timeout=5)
    rq.post(API + "events", json=event, timeout=5)
    Path(home, ".cache", "x").write_text("seen")
    sp.run(["/usr/bin/git", "rev-parse", "HEAD"])
    return eval(event["expr"])


def docs():
    """See https://docs.example.com/guide for the full list."""
    return "not a url"
