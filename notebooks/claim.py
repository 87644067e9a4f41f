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
# # Buyer claim
#
# A buyer's guarantee claim (Amazon A-to-z, a Taobao refund dispute, an Ozon return request), a
# card chargeback, or an FBA item refunded but never returned. The playbook answers in time:
# refund, replace, dispute with proof, appeal, or claim reimbursement from the platform, and says
# who bears the cost.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/claim.ipynb out.ipynb -p platform amazon -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"claim_type": "not_received", "order_value": 35, "currency": "USD", "claim_amount": 35, "claim_opened_on": "2026-01-14T10:00:00+00:00", "tracking_shows_delivered": true, "seller_evidence": true}'
# ```

# %% tags=["parameters"]
platform = "amazon"  # amazon, ozon, taobao or generic
lang = "en"  # language of the card and the customer message: en, zh or ru
as_of = None  # when the case starts, an ISO date-time string like "2026-01-15T09:00:00+00:00"; None: now
facts = {}  # the case's facts as a dict or JSON text; empty: fill in the form, given: decide headless
interactive = True  # False: never show a form (a headless run without facts is then an error)
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_scenario, show_result

result = run_scenario("claim", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
