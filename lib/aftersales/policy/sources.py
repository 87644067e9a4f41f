"""Addresses of the public pages the policy functions rest on (from POLICY-FACTS.md).

Seeds are cited as ``"seed 000"`` .. ``"seed 004"``; pages by their URL, kept here once so
that a moved page is fixed in one place.
"""

from __future__ import annotations

# China
CN_CPL_ART_25 = "https://cuoac.com/legalaid/yizltrmzqd.html"  # CPL Art. 25, 7-day no-reason return
CN_INTERIM_MEASURES_2017 = "https://m.qiqiwenku.com"  # 2017 Interim Measures, "完好" test (domain only in POLICY-FACTS §8)
TAOBAO_LATE_SHIPMENT = "https://85l.net/l/2056992216415243827.html"  # 5 %, ¥5–¥30 (2015-10-29)

# Russia
RU_ZOZPP_26_1 = "https://zozpprf.ru/glava-2/statya-26-1"  # remote sale, 7 days after delivery
RU_ZOZPP_19 = "https://consultant-mos.ru"  # Art. 19 (domain only in POLICY-FACTS §7)

# EU
EU_CRD_ANNEX_I = "https://legislation.gov.uk/eudr/2011/83/annex/I"  # 14-day withdrawal

# Ozon
OZON_RETURNS_3PL = "https://docs.ozon.com/global/en/fulfillment/rfbs/refunds/returns-3pl"
OZON_COMMUNICATION = "https://docs.ozon.ru/global/en/policies/communication/"

# Amazon
AMAZON_ATOZ_ABOUT = "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951"
AMAZON_ATOZ_RESPOND = "https://sellercentral.amazon.com/gp/help/external/1781"
AMAZON_PRODUCT_LIABILITY = "https://fastcompany.com/90664542"
AMAZON_FBA_CUSTOMER_RETURN = "https://sellercentral.amazon.com/gp/help/external/G9N934L7Y4SFWPJ4"
AMAZON_SELLER_FAULT_RETURNS = "https://sellercentral.amazon.com/gp/help/external/G202175040"
AMAZON_RETURN_REASON_CODES = "https://sellercentral.amazon.co.jp/gp/help/external/help.html?itemID=200198010"
AMAZON_RETURNS_POLICY = "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=200708210"
AMAZON_SOLICITATIONS = "https://developer-docs.amazon.com/sp-api/docs/set-up-the-solicitations-api"
AMAZON_FEEDBACK_REMOVAL = "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=20231"
AMAZON_REVIEW_GUIDELINES = "https://amazon.com/gp/help/customer/display.html?nodeId=201602680"
