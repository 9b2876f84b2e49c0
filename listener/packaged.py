"""The files Listener carries inside its package (``listener/files/``): the Elasticsearch
index templates and the Kibana saved objects. Read through ``importlib.resources`` so
they are found wherever the package is installed (a wheel in site-packages, a zip, the
source tree); a missing one is :class:`PackagedFileMissing`, one line saying what to
do, never a traceback."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


class PackagedFileMissing(Exception):
    """A file that should have come with the package is not there (a broken install)."""


def packaged(name: str) -> Traversable:
    """``listener/files/<name>``, checked to exist."""
    path = files("listener").joinpath("files", *name.split("/"))
    if not path.is_file():
        raise PackagedFileMissing(
            f"listener/files/{name} is missing from the installed package "
            f"({files('listener')}): reinstall listener from its wheel or source"
        )
    return path


def packaged_text(name: str) -> str:
    return packaged(name).read_text(encoding="utf-8")
