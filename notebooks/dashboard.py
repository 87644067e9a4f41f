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
# # Trainees' progress
#
# Scores per trainee over time and per scenario, the most common mistakes (which check, which
# wrong branch), the cases nobody has tried yet, and a CSV export, from the progress store.

# %% tags=["parameters"]
progress_url = None  # the progress store; None: AFTERSALES_PROGRESS_URL or the local SQLite file
demo = False  # True: a reproducible example store instead (what the golden test runs)
export = None  # a CSV path to export the attempts to; None: no export

# %%
# NBVAL_CHECK_OUTPUT
from aftersales.notebook import run_dashboard, show_charts

attempts = run_dashboard(progress_url=progress_url, demo=demo, export=export)

# %%
show_charts(attempts)
