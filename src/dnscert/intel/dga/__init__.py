"""Domain generation algorithms (DGA): a registry of families and the services that use them.

Pure Python, no Django import. A family is one module in ``dga/families/`` whose class,
derived from :class:`~dnscert.intel.dga.base.DgaFamily`, is decorated with ``@register``;
adding a family means copying a sibling module. See :mod:`dnscert.intel.dga.service` for
date ranges, grouping by TLD and the per-registry CSV.
"""

from dnscert.intel.dga.base import DgaError, DgaFamily, UnknownFamilyError, families, get, register

__all__ = ["DgaError", "DgaFamily", "UnknownFamilyError", "families", "get", "register"]
