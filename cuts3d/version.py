"""The package version, recorded in every pseudo-mask file's ``info``."""
__version__ = '0.1.0'
