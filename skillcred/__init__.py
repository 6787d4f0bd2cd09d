"""skillcred: verifiable credentials for China's skill levels, qualifications, titles, degrees and
their mutual recognition. This package is the front door only (the ``skillcred`` command)."""

__version__ = "0.1.0"
