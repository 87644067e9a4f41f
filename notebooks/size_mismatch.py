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
# # Size mismatch
#
# A customer says the item's size differs from the listing. The playbook decides whether the
# deviation is beyond the tolerance (a quality problem: the seller pays) or a conforming size the
# customer does not like (a return without a reason, if the item is still resaleable), and who
# pays the return shipping.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/size_mismatch.ipynb out.ipynb -p platform taobao -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": true, "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}'
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

result = run_scenario("size_mismatch", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
