"""colorhelper: ANSI colour names, the clean demo package's dependency."""

CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34}


def paint(text, colour):
    """Wrap text in the ANSI escape for colour (unknown colours leave it plain)."""
    code = CODES.get(colour)
    return f"\033[{code}m{text}\033[0m" if code else text
