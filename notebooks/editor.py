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
# # Store overlay editor
#
# For a team lead who does not write YAML: pick your store overlay and a platform, then
#
# * **Parameters**: the platform's value beside your store's; type your value, its source (your
#   policy and section) and the day it starts;
# * **Messages**: one outcome's customer message in English, Chinese and Russian side by side;
#   change only the languages you need;
# * **Decision tables**: each step's branches as "when → go to", with the reason and the source.
#
# **Save and check** writes `playbooks/overlays/<store>.yaml` (your comments are kept), checks it
# as `aftersales validate` does and shows what it changes on the practice cases.

# %% tags=["parameters"]
overlay = "my_store"  # the store overlay: a name in playbooks/overlays/ (a new name starts a new file)
platform = "taobao"  # the platform whose parameters the table shows
lang = "en"  # language of the descriptions and decision tables: en, zh or ru
playbooks = None  # the playbooks folder; None: the default folder / $AFTERSALES_PLAYBOOKS

# %%
from aftersales.notebook import run_editor

editor = run_editor(overlay, platform=platform, lang=lang, playbooks=playbooks)
