"""restcli: call protected REST APIs from a terminal or a CI job."""

__version__ = "0.1.0"
