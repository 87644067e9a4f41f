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
# # Service complaint
#
# A customer complains about our service, not the product: a rude or unhelpful colleague, slow
# answers, slow handling or a promise we did not keep (seed 001: service attitude and service
# timeliness). The playbook verifies the order (never with ID documents), sends any open order
# problem to its own SOP, hands serious disputes to the lead with a dispute report, and once the
# lead has read the conversation, apologises with a named owner, an estimated resolution time and,
# where our colleague was at fault, a goodwill refund within the store's limit.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/service_complaint.ipynb out.ipynb -p platform taobao -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"order_value": 129, "currency": "CNY", "complaint_about": "staff_attitude", "identity_verified": true, "open_order_problem": "none", "staff_fault": "confirmed"}'
# ```

# %% tags=["parameters"]
platform = "taobao"  # amazon, amazon_de, ozon, taobao or generic
lang = "en"  # language of the card and the customer message: en, zh or ru
as_of = None  # when the case starts, an ISO date-time string like "2026-01-15T09:00:00+00:00"; None: now
facts = {}  # the case's facts as a dict or JSON text; empty: fill in the form, given: decide headless
interactive = True  # False: never show a form (a headless run without facts is then an error)
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_scenario, show_result

result = run_scenario("service_complaint", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
