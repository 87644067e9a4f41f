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
# # Change of mind
#
# A customer wants to return an item that has nothing wrong with it. The playbook applies the
# market's withdrawal right (China 7 days from receipt, Russia 7 days or 3 months for a remote
# sale, the EU 14 days + 12 months, Amazon's 30 days and its holiday extension), the goods the
# law excludes, the item's condition, who pays the return postage and when the refund is due.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/change_of_mind.ipynb out.ipynb -p platform ozon -p as_of 2026-11-22T12:00:00+00:00 \
#   -p facts '{"order_value": 3400, "currency": "RUB", "delivered_on": "2026-11-02", "item_resaleable": true, "fulfilment": "FBO"}'
# ```

# %% tags=["parameters"]
platform = "ozon"  # amazon, ozon, taobao or generic
lang = "en"  # language of the card and the customer message: en, zh or ru
as_of = None  # when the case starts, an ISO date-time string like "2026-01-15T09:00:00+00:00"; None: now
facts = {}  # the case's facts as a dict or JSON text; empty: fill in the form, given: decide headless
interactive = True  # False: never show a form (a headless run without facts is then an error)
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_scenario, show_result

result = run_scenario("change_of_mind", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
