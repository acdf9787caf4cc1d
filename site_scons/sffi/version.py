"""The toolkit's version (the ``version`` of pyproject.toml), on the lowest layer so that every
module can name it without importing the package's SCons-tool entry (``sffi/__init__.py``)."""

__version__ = "0.1.0"
