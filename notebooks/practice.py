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
# # Practice
#
# Work a case from the practice bank: read what the customer wrote, ask the playbook's questions
# ("Ask the customer" tells you what they would answer), choose the resolution, who pays, the
# compensation, write the reply and submit. The feedback names every miss with the playbook's
# reason and source; every attempt is recorded for your lead.

# %% tags=["parameters"]
trainee = "trainee"  # your name as your lead knows it
case_id = None  # a case id such as size-003; None: the next recommended case
lang = "en"  # language of the form: en, zh or ru
progress_url = None  # where attempts are recorded; None: AFTERSALES_PROGRESS_URL or a local SQLite file
interactive = True  # False: score the answers below without a form
answers = {}  # headless: the trainee's answers as a JSON object (facts, resolution, payers, compensation, reply)
platform = None  # your platform (amazon, ozon, taobao, generic): Next picks cases there; None: any
customer_lang = None  # the language your customers write in (en, zh, ru): Next picks their cases; None: any

# %%
from aftersales.notebook import run_practice

practice = run_practice(trainee=trainee, case_id=case_id, lang=lang, progress_url=progress_url,
                        interactive=interactive, answers=answers, platform=platform, customer_lang=customer_lang)
