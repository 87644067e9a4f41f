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
# *Scenarios:* [Quality defect](quality_defect.ipynb) ·
# [Wrong, missing or damaged item](wrong_item.ipynb) ·
# [Size mismatch](size_mismatch.ipynb) ·
# [Buyer claim](claim.ipynb) ·
# [Bad review](bad_review.ipynb) ·
# [Change of mind](change_of_mind.ipynb) ·
# [Service complaint](service_complaint.ipynb) ·
# [Product safety recall](recall.ipynb) ·
# [Refund without return](refund_only.ipynb)
# *(in the app a link opens the scenario right here; in JupyterLab, its own notebook).
# Or pick a scenario, a platform and a language below and press Start.*

# %% tags=["parameters"]
scenario = None  # preselect a scenario such as "size_mismatch"; None: the user picks
platform = "generic"  # amazon, ozon, taobao or generic
lang = "en"  # language of the page: en, zh or ru
interactive = True  # False: show the scenarios' overview only, no form
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: $AFTERSALES_OVERLAY or none

# %%
from aftersales.notebook import run_hub

hub = run_hub(scenario=scenario, platform=platform, lang=lang, interactive=interactive, playbooks=playbooks,
              overlay=overlay)
