"""walkback: wearable-accelerometer epidemiology of walking.

Pipeline stages, each a subpackage that imports only the stages before it::

    io -> signal -> activity -> walking -> cohort      (science)
    simulate                                           (synthetic data with known truth)
    batch, report, cli                                 (on top; nothing imports them)

See ``docs/SCHEMAS.md`` for the types and tables that cross stage boundaries.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("walkback")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
