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
# *Pick a scenario, a platform and a language below and press Start: the questions open right here.
# In JupyterLab each scenario also has its own notebook in this folder (for example `size_mismatch.ipynb`).*

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
