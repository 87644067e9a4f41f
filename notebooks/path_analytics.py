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
# # Path analytics
#
# What the case log says about the playbooks in use: the steps cases pass through most, the
# steps where they leave the flow for an outcome, the outcome mix per platform, how often agents
# overrode the recommendation and with what, and how long each step's questions take in the form.
# Records saved before step times or overrides were recorded count as unknown, not as zero.
#
# Headless: `papermill notebooks/path_analytics.ipynb out.ipynb -p case_log PATH`.

# %% tags=["parameters"]
case_log = None  # the case log (JSON Lines); None: AFTERSALES_CASE_LOG or the local case log
demo = False  # True: a reproducible demo log of real records instead (what the golden test runs)

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_path_analytics, show_path_charts

cases = run_path_analytics(case_log=case_log, demo=demo)

# %%
show_path_charts(cases)
