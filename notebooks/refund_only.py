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
# # Refund without return
#
# A buyer asks for the money back without sending the item (Taobao's 仅退款, Amazon's returnless
# refund, Ozon's "keep the item"). An agreed refund-only pays the buyer at once, so the playbook
# runs a lead's checks first (seed 001): not shipped - refund now; on its way - stop the parcel and
# refund when it comes back; lost - refund; delivered - by what the buyer reports and what the
# photos show: the missing part refunded, a cheap defective item refunded and kept, a dearer one
# taken back at our cost, photos asked for first, a change of mind handled as a no-reason return,
# and a reason the facts do not bear out answered on the facts, with the platform as the judge.
# It never steers the buyer's reason and never ties money to a review.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/refund_only.ipynb out.ipynb -p platform taobao -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"order_value": 29.9, "currency": "CNY", "request_reason": "defect", "delivered_on": "2026-01-13", "evidence_provided": true}'
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

result = run_scenario("refund_only", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
