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
# # Bad review
#
# A negative review or seller feedback. The playbook replies at once with an apology and a
# concrete solution, fixes the cause, asks the platform to remove the review only on the
# platform's own grounds, and never trades anything for a changed or deleted review.
#
# **Interactive:** run all cells (or open the notebook in Voila) and answer the form one question
# at a time.
#
# **Headless:** pass the case's facts as a JSON object; the result cell prints the decision as JSON:
#
# ```bash
# papermill notebooks/bad_review.ipynb out.ipynb -p platform amazon -p as_of 2026-01-15T09:00:00+00:00 \
#   -p facts '{"review_kind": "product_review", "rating": 1, "about": "shipping", "review_text": "Box arrived crushed, courier threw it over the fence.", "review_posted_on": "2026-01-14", "abusive_or_personal_data": false, "factually_false": false}'
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

result = run_scenario("bad_review", platform=platform, lang=lang, as_of=as_of, facts=facts,
                      interactive=interactive, playbooks=playbooks, overlay=overlay)

# %%
# NBVAL_CHECK_OUTPUT
show_result(result)
