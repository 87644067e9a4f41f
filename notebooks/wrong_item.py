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
# # Wrong, missing or damaged item
#
# The seller's mistake: a wrong item was sent, an item or part is missing, or the parcel arrived
# damaged. Once the customer's photo confirms it, the playbook apologises first, then ships the
# right item, sends the missing part again or refunds it, or replaces a damaged item or refunds
# part of its price — at the seller's cost.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/wrong_item.ipynb out.ipynb -p platform taobao -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"order_value": 59, "currency": "CNY", "delivered_on": "2026-01-13", "problem": "wrong_item", "evidence_provided": true, "customer_preference": "replacement", "correct_item_in_stock": true}'
# ```

# %% tags=["parameters"]
platform = "taobao"  # amazon, ozon, taobao or generic
lang = "en"  # language of the card and the customer message: en, zh or ru
as_of = None  # when the case starts, an ISO date-time string like "2026-01-15T09:00:00+00:00"; None: now
facts = {}  # the case's facts as a dict or JSON text; empty: fill in the form, given: decide headless
interactive = True  # False: never show a form (a headless run without facts is then an error)
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_scenario, show_result

result = run_scenario("wrong_item", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
