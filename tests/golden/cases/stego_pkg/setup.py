from setuptools import setup
setup(name="stego-pkg", version="1.0", packages=["stego_pkg"])
