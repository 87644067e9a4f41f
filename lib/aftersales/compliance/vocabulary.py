"""The checker's closed vocabularies (kept free of heavy imports so the CLI's --help stays instant)."""

from ..paths import default_playbooks_dir

KINDS = ("apology", "review_reply", "claim_response", "general")
#: The platforms ``rules.yaml`` names (a rule lists the platforms whose own rules it is).
SHIPPED_PLATFORMS = ("amazon", "amazon_de", "ozon", "taobao", "generic")


def _platforms() -> tuple[str, ...]:
    """The shipped platforms and every platform file of the playbooks folder (a new platform is
    one file in ``playbooks/platforms/``; it gets the rules for ``[all]`` platforms). A glob, no
    YAML is read."""
    try:
        found = sorted(p.stem for p in (default_playbooks_dir() / "platforms").glob("*.yaml")
                       if not p.name.startswith("_"))
    except OSError:
        found = []
    return tuple(dict.fromkeys([*SHIPPED_PLATFORMS, *found]))


PLATFORMS = _platforms()
from ..languages import LANGS  # noqa: E402,F401  (re-exported)
SEVERITIES = ("error", "warning", "info")
