"""An ordinary setup.py: reads its version and README, builds an extension."""
import os
import re

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.abspath(os.path.dirname(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as fh:
        return fh.read()


VERSION = re.search(r'^__version__ = "([^"]+)"', read("src", "fastpkg", "__init__.py"), re.M).group(1)


class BuildExt(build_ext):
    """Skip the optional C speed-up when no compiler is available."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001
            print("building the C extension failed, using pure Python:", exc)


setup(
    name="fastpkg",
    version=VERSION,
    description="A fast package",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    package_dir={"": "src"},
    packages=find_packages("src"),
    ext_modules=[Extension("fastpkg._speedups", ["src/fastpkg/_speedups.c"], optional=True)],
    cmdclass={"build_ext": BuildExt},
    python_requires=">=3.8",
    install_requires=["requests>=2.28", "PyYAML>=6"],
)
