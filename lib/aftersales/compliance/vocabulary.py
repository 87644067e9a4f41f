"""The checker's closed vocabularies (kept free of imports so the CLI's --help stays instant)."""

KINDS = ("apology", "review_reply", "claim_response", "general")
PLATFORMS = ("amazon", "ozon", "taobao", "generic")
LANGS = ("en", "zh", "ru")
SEVERITIES = ("error", "warning", "info")
