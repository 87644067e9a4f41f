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
# # Product safety recall
#
# We recall a product we sold because it is dangerous. This notebook handles one affected buyer
# and order: the recall-wide actions (stop selling, quarantine the stock, the public recall
# notice, the platform and the authority: the CPSC within 24 hours in the US, the Safety Business
# Gateway in the EU, Rosstandart or Rospotrebnadzor in Russia, the market regulator at once in
# China), then the buyer's own remedy - a refund, a replacement or a repair, always free of
# charge - or a stopped parcel when the order has not arrived yet, and the recall letter in the
# buyer's language. `aftersales recall ORDERS.csv` runs the same playbook for every affected order.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/recall.ipynb out.ipynb -p platform amazon -p as_of 2026-11-20T15:00:00+00:00 \
#   -p facts '{"product_name": "Rainbow stacking rings", "sku": "RS-08", "hazard": "choking", "hazard_description": "The wooden bead on top can come loose.", "remedy": "refund", "item_delivered": true, "paid_amount": 18.99, "currency": "USD"}'
# ```

# %% tags=["parameters"]
platform = "generic"  # amazon, amazon_de, ozon, taobao or generic
lang = "en"  # language of the card and the customer message: en, zh or ru
as_of = None  # when the case starts, an ISO date-time string like "2026-01-15T09:00:00+00:00"; None: now
facts = {}  # the case's facts as a dict or JSON text; empty: fill in the form, given: decide headless
interactive = True  # False: never show a form (a headless run without facts is then an error)
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_scenario, show_result

result = run_scenario("recall", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
