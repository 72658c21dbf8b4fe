"""tidyformat: a small, well-behaved text helper used by safepip's demo."""

import json
import textwrap

__version__ = "1.0.0"


def wrap(text, width=72):
    """Wrap text to width columns."""
    return "\n".join(textwrap.wrap(text, width=width))


def pretty(data):
    """Pretty-print JSON-compatible data."""
    return json.dumps(data, indent=2, sort_keys=True)


def headline(text):
    """A coloured headline (through the colorhelper dependency)."""
    from colorhelper import paint

    return paint(text.upper(), "green")
