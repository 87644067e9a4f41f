"""Training: practice cases from the bank, scored against the playbooks, with feedback and progress."""
