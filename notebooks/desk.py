# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Today's follow-ups
#
# Every open case that is due today or overdue, by owner (seed 001: follow up every open case
# daily and tell the customer what happened): its status, the next step, and the message to send
# in the customer's language. "Followed up" records the contact; the case is due again tomorrow.
# The same list on the command line: `aftersales cases due`.

# %% tags=["parameters"]
db_url = None  # the case store; None: AFTERSALES_DB_URL or the local SQLite file
day = None  # the day to list, an ISO date like "2026-01-20"; None: today
owner = None  # only this agent's cases; None: everyone's
who = "agent"  # who records the follow-ups
lang = "en"  # the team's language (each message stays in its customer's language)
demo = False  # True: a reproducible example store instead (what the golden test runs)
interactive = True  # False: the list as a page to read (headless runs), without the buttons
causes_since = None  # count the causes of the cases opened since this ISO date; None: all

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_desk

due = run_desk(db_url=db_url, day=day, owner=owner, who=who, lang=lang, demo=demo, interactive=interactive)

# %% [markdown]
# ## Causes
#
# The cases of the period counted by cause, SKU and supplier, for the product team and the
# suppliers (seeds 000 and 001: tag and count cases by cause and feed them back). The causes and
# the rules that tag them are in `playbooks/causes.yaml`. The same counts on the command line:
# `aftersales cases causes --since …`.

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_causes

causes = run_causes(db_url=db_url, since=causes_since, lang=lang, demo=demo, chart=interactive)
