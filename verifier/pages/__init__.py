"""The scan page's view models (framework-free; mounted by :mod:`verifier.page`)."""
