"""Platform and jurisdiction parameters: sourced, dated values a team lead edits in YAML.

``load_profiles(playbooks_dir)`` returns one :class:`Profile` per file in
``playbooks/platforms/``; ``profile.resolve(as_of)`` gives each parameter's value in force
on that day with its unit, source, confidence and layer. See ``docs/parameters.md``.
"""

from .load import default_playbooks_dir, load_catalogue, load_profiles, profile_problems
from .model import (
    LANGUAGES,
    UNITS,
    Catalogue,
    CatalogueEntry,
    Confidence,
    JurisdictionFile,
    Law,
    LocalText,
    Parameter,
    PlatformFile,
    ValueEntry,
)
from .profile import NoValueInForceError, Profile, ResolvedParam

__all__ = [
    "LANGUAGES",
    "UNITS",
    "Catalogue",
    "CatalogueEntry",
    "Confidence",
    "JurisdictionFile",
    "Law",
    "LocalText",
    "NoValueInForceError",
    "Parameter",
    "PlatformFile",
    "Profile",
    "ResolvedParam",
    "ValueEntry",
    "default_playbooks_dir",
    "load_catalogue",
    "load_profiles",
    "profile_problems",
]
