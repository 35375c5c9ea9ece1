"""turan-crawler: a faithful, searchable archive of the Turan news agency site."""

__version__ = "0.1.0"
