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
# # SOP render
#
# `aftersales render` runs this notebook headless, once per worker, to write the SOP documents of
# the scenarios it is given (Markdown, HTML, and the PDFs typeset by Typst); it is not a page for
# trainees or agents. The playbooks folder, the store overlay and the documents to write (each may
# name its scenario) are its parameters, and the cell below prints one status line per document:
#
# ```bash
# papermill notebooks/render_sop.ipynb out.ipynb -p scenario size_mismatch -p overlay fashion_house \
#   -y 'documents: [{platform: taobao, lang: en, md: /tmp/sop/size_mismatch/taobao.en.md, flowchart: /tmp/sop/size_mismatch/flowchart.en.svg}]'
# ```

# %% tags=["parameters"]
scenario = "size_mismatch"  # the scenario of the documents that name none
playbooks = None  # the playbooks folder; None: $AFTERSALES_PLAYBOOKS or the repository's playbooks/
overlay = None  # a store overlay: a name in playbooks/overlays/ or a YAML file; None: no overlay
rendered_on = None  # the render day printed on the documents, an ISO date like "2026-03-02"; None: today
documents = []  # the documents to write: a list (or JSON text) of platform, lang and md, html, html_for_pdf, flowchart paths

# %%
from aftersales.notebook import run_sop_render

statuses = run_sop_render(scenario, playbooks=playbooks, overlay=overlay, rendered_on=rendered_on, documents=documents)
