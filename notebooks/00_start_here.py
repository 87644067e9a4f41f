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
# # After-sales playbooks: start here
#
# Pick the kind of complaint, then answer the questions one at a time; the playbook recommends
# the resolution, who pays the return shipping, who bears the cost, the compensation, the
# deadlines, a checklist and the message to send the customer (English, Chinese or Russian),
# with the reason and source of every step.
#
# | Scenario | When to use it |
# |---|---|
# | [Quality defect](quality_defect.ipynb) | The item is faulty, flawed or unsafe. |
# | [Wrong, missing or damaged item](wrong_item.ipynb) | A wrong item was sent, something is missing, or it arrived damaged. |
# | [Size mismatch](size_mismatch.ipynb) | The item's measurements differ from the listing, or the size does not fit. |
# | [Buyer claim](claim.ipynb) | A guarantee claim, a chargeback, or an FBA item refunded but never returned. |
# | [Bad review](bad_review.ipynb) | A negative review or seller feedback to answer. |
#
# Run all cells (or open this page in Voila: `voila notebooks/00_start_here.ipynb`) to choose the
# scenario, platform and language below. Each scenario notebook also runs headless with
# Papermill: pass `facts` as a JSON object and read the decision from its last cell.

# %% tags=["parameters"]
scenario = None  # preselect a scenario such as "size_mismatch"; None: the user picks
platform = "generic"  # amazon, ozon, taobao or generic
lang = "en"  # language of the page: en, zh or ru
interactive = True  # False: show the scenarios' overview only, no form

# %%
from aftersales.notebook import run_hub

hub = run_hub(scenario=scenario, platform=platform, lang=lang, interactive=interactive)
