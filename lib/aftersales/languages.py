"""The languages of playbooks, messages and documents (one place; imports nothing, so the
command line's --help can use it without loading the playbook model)."""

LANGS: tuple[str, ...] = ("en", "zh", "ru")
