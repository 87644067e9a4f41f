"""The checker's closed vocabularies (kept free of imports so the CLI's --help stays instant)."""

KINDS = ("apology", "review_reply", "claim_response", "general")
PLATFORMS = ("amazon", "ozon", "taobao", "generic")
from ..languages import LANGS  # noqa: F401  (re-exported)
SEVERITIES = ("error", "warning", "info")
