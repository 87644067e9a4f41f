"""The message compliance checker: every rule in every language, spans, bad input, the CLI,
the labelled set's precision and recall, and the playbooks' own messages.

Sources of the rules: seed 002 (apology letter), DOMAIN.md "Left out on purpose" (seed 001),
POLICY-FACTS §5 and §11; each rule in lib/aftersales/compliance/rules.yaml names its own.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from aftersales.compliance import KINDS, LANGS, PLATFORMS, Finding, check_message, load_rules
from aftersales.compliance import cli as compliance_cli
from aftersales.compliance.evaluation import load_labelled, score
from aftersales.compliance.rules import RulesError, parse_rules
from aftersales.errors import AftersalesError, UnknownNameError

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled_messages.yaml"
MISSING = "<missing>"  # the rule reports a missing element: span None


@dataclass(frozen=True)
class Case:
    """One sentence of the SOP: on this platform, in this language, this text (does not) trigger this rule."""

    says: str
    platform: str
    lang: str
    kind: str
    text: str
    rule: str
    hit: str | None  # exact text of the span, MISSING for a missing element, None: must not fire

    def __str__(self) -> str:
        return self.says


def _follow_ups(*phrases: tuple[str, str, str, bool, str]) -> list[Case]:
    """Cases of apology.missing_follow_up, one per (says, platform, lang, is a follow-up, text)."""
    return [Case(says, platform, lang, "apology", text, "apology.missing_follow_up", None if follows else MISSING)
            for says, platform, lang, follows, text in phrases]


CASES = [
    # ---- blaming the buyer (seed 002; POLICY-FACTS §11 item 3) -------------------------------
    Case("Calling it the buyer's own fault is blame", "amazon", "en", "general",
         "Unfortunately this is your own fault, as the manual warns against it.", "forbidden.blame_buyer", "your own fault"),
    Case("'You should have measured' is blame", "generic", "en", "apology",
         "You should have measured your foot before ordering.", "forbidden.blame_buyer", "You should have measured"),
    Case("'It is not your fault' is not blame", "generic", "en", "general",
         "It is not your fault that the parcel was late.", "forbidden.blame_buyer", None),
    Case("'We will refund you' is not blame", "amazon", "en", "general",
         "We will refund you in full today.", "forbidden.blame_buyer", None),
    Case("'是您自己的问题' is blame", "taobao", "zh", "general",
         "这是您自己的问题，我们不负责。", "forbidden.blame_buyer", "是您自己的问题"),
    Case("'您使用不当' is blame", "taobao", "zh", "general",
         "亲，明显是您使用不当导致的。", "forbidden.blame_buyer", "您使用不当"),
    Case("'不是您的问题' is not blame", "taobao", "zh", "general",
         "不是您的问题，我们马上处理。", "forbidden.blame_buyer", None),
    Case("A return-policy condition is not blame", "taobao", "zh", "general",
         "如果是您的原因退货，需要您承担运费。", "forbidden.blame_buyer", None),
    Case("'ваша ошибка' is blame", "ozon", "ru", "general",
         "Это ваша ошибка, товар был в порядке.", "forbidden.blame_buyer", "ваша ошибка"),
    Case("'Вы неправильно выбрали' is blame", "ozon", "ru", "general",
         "Вы неправильно выбрали размер.", "forbidden.blame_buyer", "Вы неправильно выбрали"),
    Case("'не ваша ошибка' is not blame", "ozon", "ru", "general",
         "Это не ваша ошибка, а наша.", "forbidden.blame_buyer", None),
    Case("'Мы вернём вам деньги' is not blame", "ozon", "ru", "general",
         "Мы вернём вам деньги завтра.", "forbidden.blame_buyer", None),

    # ---- pushing responsibility away (POLICY-FACTS §11 item 3) --------------------------------
    Case("'Not our problem' deflects", "generic", "en", "general",
         "That is not our problem, please ask the carrier.", "forbidden.deflect_responsibility", "not our problem"),
    Case("Owning the courier's delay does not deflect", "generic", "en", "general",
         "We know the courier was late, and we take responsibility for it.", "forbidden.deflect_responsibility", None),
    Case("'与我们无关' deflects", "taobao", "zh", "general",
         "包裹丢失与我们无关。", "forbidden.deflect_responsibility", "与我们无关"),
    Case("'是我们的责任' does not deflect", "taobao", "zh", "general",
         "包裹丢失是我们的责任，我们马上补发。", "forbidden.deflect_responsibility", None),
    Case("'Мы не несём ответственности за' deflects", "ozon", "ru", "general",
         "Мы не несём ответственности за работу почты.", "forbidden.deflect_responsibility", "Мы не несём ответственности за"),
    Case("'Мы несём ответственность' does not deflect", "ozon", "ru", "general",
         "Мы несём ответственность за доставку и всё исправим.", "forbidden.deflect_responsibility", None),

    # ---- conditional apology (POLICY-FACTS §11 item 2) ----------------------------------------
    Case("'apologize if the' is conditional", "generic", "en", "apology",
         "We apologize if the package caused you any trouble.", "apology.conditional", "apologize if the"),
    Case("'apologize for the broken handle' is not conditional", "generic", "en", "general",
         "We apologize for the broken handle.", "apology.conditional", None),
    Case("'如给您带来不便，敬请谅解' is conditional", "taobao", "zh", "general",
         "如给您带来不便，敬请谅解。", "apology.conditional", "如给您带来不便，敬请谅解"),
    Case("'给您带来不便，我们深表歉意' is not conditional", "taobao", "zh", "general",
         "给您带来不便，我们深表歉意。", "apology.conditional", None),
    Case("'Просим прощения, если' is conditional", "ozon", "ru", "general",
         "Просим прощения, если доставка вас расстроила.", "apology.conditional", "прощения, если"),
    Case("'Просим прощения за задержку' is not conditional", "ozon", "ru", "general",
         "Просим прощения за задержку доставки.", "apology.conditional", None),

    # ---- made-up tracking numbers (DOMAIN "Left out on purpose", seed 001) ---------------------
    Case("A random tracking number is deception", "generic", "en", "general",
         "Just type a random tracking number into the form and submit it.", "deception.fake_tracking",
         "type a random tracking number"),
    Case("The real tracking number is fine", "generic", "en", "general",
         "Please enter the tracking number printed on your receipt.", "deception.fake_tracking", None),
    Case("'编个单号' is deception", "taobao", "zh", "general",
         "您编个单号填上去就可以了。", "deception.fake_tracking", "编个单号"),
    Case("'真实的快递单号' is fine", "taobao", "zh", "general",
         "请填写真实的快递单号。", "deception.fake_tracking", None),
    Case("'какой-нибудь трек-номер' is deception", "ozon", "ru", "general",
         "Впишите какой-нибудь трек-номер, мы всё равно примем возврат.", "deception.fake_tracking",
         "Впишите какой-нибудь трек"),
    Case("The receipt's tracking number is fine", "ozon", "ru", "general",
         "Укажите, пожалуйста, трек-номер с чека отправки.", "deception.fake_tracking", None),

    # ---- steering the refund reason (DOMAIN "Left out on purpose", seed 001) --------------------
    Case("Dictating 'Changed my mind' steers the reason", "amazon", "en", "general",
         "Please pick 'Changed my mind' as the return reason.", "deception.steer_refund_reason",
         "pick 'Changed my mind' as the return reason"),
    Case("Forbidding 'not as described' steers the reason", "generic", "en", "general",
         "Don't select 'Item not as described', it gives us a penalty.", "deception.steer_refund_reason",
         "Don't select 'Item not as described"),
    Case("Pointing a defect to the 'Defective' reason is not steering", "generic", "en", "general",
         "Please select 'Item defective' so that the return shipping is free for you.", "deception.steer_refund_reason", None),
    Case("'理由您就填协商一致' steers the reason", "taobao", "zh", "general",
         "退款理由您就填协商一致吧。", "deception.steer_refund_reason", "理由您就填协商一致"),
    Case("Asking for the reason is not steering", "taobao", "zh", "general",
         "请选择退货原因并上传照片。", "deception.steer_refund_reason", None),
    Case("'не указывайте причину «Брак»' steers the reason", "ozon", "ru", "general",
         "Пожалуйста, не указывайте причину «Брак», укажите «Передумал».", "deception.steer_refund_reason",
         "не указывайте причину «Брак"),
    Case("Asking for the reason and photos is not steering", "ozon", "ru", "general",
         "Укажите, пожалуйста, причину возврата и приложите фото.", "deception.steer_refund_reason", None),

    # ---- denying statutory returns (POLICY-FACTS §11 law, §1) ------------------------------------
    Case("'We do not accept returns' denies the statutory right", "generic", "en", "general",
         "We do not accept returns on sale items.", "law.no_returns", "We do not accept returns"),
    Case("A 30-day return window is fine", "generic", "en", "general",
         "We accept returns within 30 days of delivery.", "law.no_returns", None),
    Case("'不退不换' denies the 7-day right", "taobao", "zh", "general",
         "本店商品不退不换。", "law.no_returns", "不退不换"),
    Case("'Обмену и возврату товар не подлежит' denies the right", "generic", "ru", "general",
         "Обмену и возврату товар не подлежит.", "law.no_returns", "Обмену и возврату товар не подлежит"),
    Case("A 7-day return window is fine", "generic", "ru", "general",
         "Возврат возможен в течение 7 дней после получения.", "law.no_returns", None),

    # ---- Amazon: links (communication guidelines) ------------------------------------------------
    Case("A bare outside domain is a link on Amazon", "amazon", "en", "general",
         "Download the manual from manuals.mybrand.io/x200.", "amazon.link", "manuals.mybrand.io/x200"),
    Case("'Amazon.co.uk' as a name is not a link", "amazon", "en", "general",
         "Download the manual from the product page on Amazon.co.uk.", "amazon.link", None),
    Case("'www.' is a link in Chinese text", "amazon", "zh", "general",
         "请访问 www.xx-shop.cn 查看安装视频。", "amazon.link", "www.xx-shop.cn"),
    Case("An https URL is a link in Russian text, without the final full stop", "amazon", "ru", "general",
         "Инструкция здесь: https://example.ru/manual.", "amazon.link", "https://example.ru/manual"),
    Case("A version number is not a link", "amazon", "ru", "general",
         "Инструкция вложена в коробку, версия 2.5.", "amazon.link", None),
    Case("Links are allowed in the seller's own store", "generic", "en", "general",
         "Download the manual from manuals.mybrand.io/x200.", "amazon.link", None),

    # ---- Amazon: contact details ---------------------------------------------------------------
    Case("WhatsApp is an outside contact on Amazon", "amazon", "en", "general",
         "Text us on WhatsApp and we will help.", "amazon.contact_details", "WhatsApp"),
    Case("A US phone number is a contact detail", "amazon", "en", "general",
         "Our hotline is (555) 013-4567.", "amazon.contact_details", "(555) 013-4567"),
    Case("An Amazon order number is not a phone number", "amazon", "en", "general",
         "Your order 114-3941689-8772232 will arrive on Friday.", "amazon.contact_details", None),
    Case("Buyer-Seller Messaging is the allowed channel", "amazon", "en", "general",
         "Please contact us via Buyer-Seller Messaging.", "amazon.contact_details", None),
    Case("An e-mail address in Chinese text is a contact detail", "amazon", "zh", "general",
         "请发邮件到 help@shop.cn。", "amazon.contact_details", "help@shop.cn"),
    Case("An order number in Chinese text is not a phone number", "amazon", "zh", "general",
         "订单号 111-2345678-9012345 已发货。", "amazon.contact_details", None),
    Case("'Позвоните нам' moves the buyer to the phone", "amazon", "ru", "general",
         "Позвоните нам, и мы всё объясним.", "amazon.contact_details", "Позвоните нам"),
    Case("Writing here in Amazon messages is fine", "amazon", "ru", "general",
         "Напишите нам здесь, в сообщениях Amazon.", "amazon.contact_details", None),

    # ---- Amazon: reviews (Customer Reviews policy, POLICY-FACTS §5.1) ----------------------------
    Case("A free product for an honest review is an incentive", "amazon", "en", "general",
         "We will send you a free phone case for an honest review.", "amazon.review_incentive",
         "free phone case for an honest review"),
    Case("A free replacement after a review is not an incentive", "amazon", "en", "review_reply",
         "Thank you for your review; we have sent a free replacement for the broken part.", "amazon.review_incentive", None),
    Case("'评价送' is an incentive", "amazon", "zh", "general",
         "晒图评价送运费险一份。", "amazon.review_incentive", "评价送"),
    Case("Thanking for a review is not an incentive", "amazon", "zh", "general",
         "感谢您的评价，我们会继续努力。", "amazon.review_incentive", None),
    Case("'За честный отзыв вернём 10%' is an incentive", "amazon", "ru", "general",
         "За честный отзыв вернём 10% стоимости.", "amazon.review_incentive", "За честный отзыв вернём"),
    Case("'Спасибо за отзыв, мы вернём деньги' is not an incentive", "amazon", "ru", "general",
         "Спасибо за отзыв, мы вернём деньги сегодня.", "amazon.review_incentive", None),
    Case("A gift card once the review is deleted buys a changed review", "amazon", "en", "general",
         "We'll send a $20 gift card once you delete the review.", "amazon.review_change_for_benefit",
         "$20 gift card once you delete the review"),
    Case("Refusing a refund for a removed review is not an offer", "amazon", "en", "general",
         "We cannot offer a refund in exchange for removing a review.", "amazon.review_change_for_benefit", None),
    Case("'删除差评后给您返现' buys a changed review", "amazon", "zh", "general",
         "删除差评后给您返现20元。", "amazon.review_change_for_benefit", "删除差评后给您"),
    Case("'不能以退款换取删除评价' is a refusal", "amazon", "zh", "general",
         "我们不能以退款换取删除评价。", "amazon.review_change_for_benefit", None),
    Case("'Удалите отзыв, и мы вернём' buys a changed review", "amazon", "ru", "general",
         "Удалите отзыв, и мы вернём вам деньги.", "amazon.review_change_for_benefit", "Удалите отзыв, и мы вернём"),
    Case("'Мы не можем вернуть деньги за удаление отзыва' is a refusal", "amazon", "ru", "general",
         "Мы не можем вернуть деньги за удаление отзыва — так нельзя.", "amazon.review_change_for_benefit", None),
    Case("'Would you mind removing your review' asks for a change", "amazon", "en", "general",
         "Would you mind removing your review now that the issue is fixed?", "amazon.review_change_request",
         "Would you mind removing your review"),
    Case("Saying the review is the buyer's to change is not a request", "amazon", "en", "general",
         "You can update your review at any time, it is entirely up to you.", "amazon.review_change_request", None),
    Case("Amazon's allowed feedback wording is not a request", "amazon", "en", "review_reply",
         "If you are satisfied that we have resolved your concerns, it is possible to update or remove the feedback "
         "you originally provided.", "amazon.review_change_request", None),
    Case("'请您删除这条差评' asks for a change", "amazon", "zh", "general",
         "请您删除这条差评，谢谢。", "amazon.review_change_request", "请您删除这条差评"),
    Case("Changing the listing after a review is not a request", "amazon", "zh", "general",
         "我们已根据您的评价修改了商品描述。", "amazon.review_change_request", None),
    Case("'Просим вас удалить отзыв' asks for a change", "amazon", "ru", "general",
         "Просим вас удалить отзыв, проблема решена.", "amazon.review_change_request", "Просим вас удалить отзыв"),
    Case("Updating the listing after a review is not a request", "amazon", "ru", "general",
         "Мы обновили описание товара после вашего отзыва.", "amazon.review_change_request", None),
    Case("'leave a positive review' asks for a positive review", "amazon", "en", "general",
         "Please leave a positive review if you liked it!", "amazon.positive_review_request", "leave a positive review"),
    Case("Asking what went wrong is fine", "amazon", "en", "general",
         "Please let us know if anything is wrong with the item.", "amazon.positive_review_request", None),
    Case("'给个五星好评' asks for a positive review", "amazon", "zh", "general",
         "麻烦给个五星好评哦。", "amazon.positive_review_request", "给个五星好评"),
    Case("Thanking for a five-star review is fine", "amazon", "zh", "general",
         "感谢您给出的五星好评！", "amazon.positive_review_request", None),
    Case("'Оставьте положительный отзыв' asks for a positive review", "amazon", "ru", "general",
         "Оставьте, пожалуйста, положительный отзыв!", "amazon.positive_review_request",
         "Оставьте, пожалуйста, положительный отзыв"),
    Case("Thanking for a positive review is fine", "amazon", "ru", "general",
         "Спасибо за положительный отзыв!", "amazon.positive_review_request", None),

    # ---- Amazon: cancelling, [Important], marketing ----------------------------------------------
    Case("'Kindly cancel your order' asks the buyer to cancel", "amazon", "en", "general",
         "Kindly cancel your order, the item will not be restocked.", "amazon.cancel_order_request", "Kindly cancel your order"),
    Case("Cancelling it ourselves is fine", "amazon", "en", "general",
         "We have cancelled your order and refunded you.", "amazon.cancel_order_request", None),
    Case("'请您取消订单' asks the buyer to cancel", "amazon", "zh", "general",
         "请您取消订单，谢谢。", "amazon.cancel_order_request", "请您取消订单"),
    Case("'我们已为您取消订单' is fine", "amazon", "zh", "general",
         "我们已为您取消订单。", "amazon.cancel_order_request", None),
    Case("'Просим вас отменить заказ' asks the buyer to cancel", "amazon", "ru", "general",
         "Просим вас отменить заказ.", "amazon.cancel_order_request", "Просим вас отменить заказ"),
    Case("'Мы отменим заказ сами' is fine", "amazon", "ru", "general",
         "Мы отменим заказ сами и вернём деньги.", "amazon.cancel_order_request", None),
    Case("'[IMPORTANT]' is flagged on Amazon", "amazon", "en", "general",
         "[IMPORTANT] Delivery update for your order", "amazon.important_tag", "[IMPORTANT]"),
    Case("'Important:' without brackets is fine", "amazon", "en", "general",
         "Important: please keep the box for the return.", "amazon.important_tag", None),
    Case("'【重要】' is flagged on Amazon", "amazon", "zh", "general",
         "【重要】您的退款已处理", "amazon.important_tag", "【重要】"),
    Case("'[Важно]' is flagged on Amazon", "amazon", "ru", "general",
         "[Важно] Обновление по заказу", "amazon.important_tag", "[Важно]"),
    Case("Social media is marketing on Amazon", "amazon", "en", "general",
         "Follow us on Instagram for tips.", "amazon.marketing", "Follow us on Instagram"),
    Case("Following the manual is not marketing", "amazon", "en", "general",
         "Please follow the instructions in the manual.", "amazon.marketing", None),
    Case("'关注我们的店铺' is marketing on Amazon", "amazon", "zh", "general",
         "欢迎关注我们的店铺，上新第一时间通知。", "amazon.marketing", "关注我们的店铺"),
    Case("A manual instruction is not marketing", "amazon", "zh", "general",
         "请按说明书操作。", "amazon.marketing", None),
    Case("'Подпишитесь на наш канал' is marketing on Amazon", "amazon", "ru", "general",
         "Подпишитесь на наш канал, там много полезного.", "amazon.marketing", "Подпишитесь на наш канал"),
    Case("'Подпишите акт' is not marketing", "amazon", "ru", "general",
         "Подпишите, пожалуйста, акт приёмки.", "amazon.marketing", None),

    # ---- Ozon (communication rules, POLICY-FACTS §5.6) -------------------------------------------
    Case("Telegram is an outside contact on Ozon", "ozon", "en", "general",
         "Add me on Telegram for faster replies.", "ozon.outside_contact", "Telegram"),
    Case("Refusing messengers is not an outside contact", "ozon", "en", "general",
         "We only answer in the Ozon chat, we do not use WhatsApp.", "ozon.outside_contact", None),
    Case("'拨打我们的电话' moves the buyer to the phone", "ozon", "zh", "general",
         "请拨打我们的电话 8 800 555 35 35。", "ozon.outside_contact", "8 800 555 35 35"),
    Case("Replying in the Ozon chat is fine", "ozon", "zh", "general",
         "请在 Ozon 聊天中回复我们。", "ozon.outside_contact", None),
    Case("Viber is an outside contact on Ozon", "ozon", "ru", "general",
         "Скиньте свой номер, я наберу вас в Вайбере.", "ozon.outside_contact", "Вайбере"),
    Case("The Ozon chat is fine", "ozon", "ru", "general",
         "Пишите нам в чат Ozon в любое время.", "ozon.outside_contact", None),
    Case("Outside contacts are no rule of ours on Taobao", "taobao", "ru", "general",
         "Скиньте свой номер, я наберу вас в Вайбере.", "ozon.outside_contact", None),
    Case("An outside size chart is an external link on Ozon", "ozon", "en", "general",
         "See the full size chart at mybrand-sizes.com.", "ozon.external_link", "mybrand-sizes.com"),
    Case("An Ozon product link is not external", "ozon", "en", "general",
         "The product is here: https://www.ozon.ru/product/12345/", "ozon.external_link", None),
    Case("An http URL in Chinese text is an external link", "ozon", "zh", "general",
         "详情请看 http://shop.example.cn/size", "ozon.external_link", "http://shop.example.cn/size"),
    Case("'www.dom-tkani.ru' is an external link", "ozon", "ru", "general",
         "Подробнее на нашем сайте www.dom-tkani.ru", "ozon.external_link", "www.dom-tkani.ru"),
    Case("The Ozon product card is not a link", "ozon", "ru", "general",
         "Подробнее в карточке товара на Ozon.", "ozon.external_link", None),
    Case("'You will need to cancel the order' asks the buyer to cancel", "ozon", "en", "general",
         "You will need to cancel the order, we have no stock.", "ozon.cancel_order_request",
         "You will need to cancel the order"),
    Case("Offering to cancel for the buyer is fine", "ozon", "en", "general",
         "If you no longer want it, we can cancel the order for you.", "ozon.cancel_order_request", None),
    Case("'您需要自己取消这个订单' asks the buyer to cancel", "ozon", "zh", "general",
         "亲，您需要自己取消这个订单。", "ozon.cancel_order_request", "您需要自己取消这个订单"),
    Case("'订单已由我们取消' is fine", "ozon", "zh", "general",
         "订单已由我们取消，款项原路退回。", "ozon.cancel_order_request", None),
    Case("'Вам нужно отменить заказ' asks the buyer to cancel", "ozon", "ru", "general",
         "Вам нужно отменить заказ в личном кабинете.", "ozon.cancel_order_request", "Вам нужно отменить заказ"),
    Case("'мы сами отменим заказ' is fine", "ozon", "ru", "general",
         "Если передумаете, мы сами отменим заказ.", "ozon.cancel_order_request", None),
    Case("Asking for an e-mail address collects personal data on Ozon", "ozon", "en", "general",
         "Could you give us your email address so we can send the invoice?", "ozon.personal_data",
         "give us your email address"),
    Case("Asking for the order number is fine", "ozon", "en", "general",
         "Could you give us the order number from the packing slip?", "ozon.personal_data", None),
    Case("'留一下您的联系电话' collects personal data", "ozon", "zh", "general",
         "麻烦留一下您的联系电话。", "ozon.personal_data", "留一下您的联系电话"),
    Case("'提供一下订单号和照片' is fine", "ozon", "zh", "general",
         "麻烦提供一下订单号和照片。", "ozon.personal_data", None),
    Case("'Назовите ваше ФИО' collects personal data", "ozon", "ru", "general",
         "Назовите, пожалуйста, ваше ФИО и адрес.", "ozon.personal_data", "Назовите, пожалуйста, ваше ФИО"),
    Case("'Назовите номер заказа' is fine", "ozon", "ru", "general",
         "Назовите, пожалуйста, номер заказа.", "ozon.personal_data", None),

    # ---- Reviews on the other platforms (FTC 16 CFR 465, EU Omnibus; POLICY-FACTS §5.5) -------
    Case("15% off for a review is an incentive in a web store", "generic", "en", "general",
         "Get 15% off your next order when you post a review with photos!", "review.incentive",
         "15% off your next order when you post a review"),
    Case("A refund mentioned after thanks for a review is not an incentive", "generic", "en", "general",
         "Thank you for your review! Your refund was sent on Monday.", "review.incentive", None),
    Case("'追评送' is an incentive on Taobao", "taobao", "zh", "general",
         "追评送优惠券一张。", "review.incentive", "追评送"),
    Case("Inviting a follow-up review is not an incentive", "taobao", "zh", "general",
         "追评时可以补充使用感受。", "review.incentive", None),
    Case("'Подарим чехол за отзыв' is an incentive on Ozon", "ozon", "ru", "general",
         "Подарим чехол за отзыв с фотографией.", "review.incentive", "Подарим чехол за отзыв"),
    Case("'Спасибо за отзыв' is not an incentive", "ozon", "ru", "general",
         "Спасибо за отзыв и за фото!", "review.incentive", None),
    Case("A refund for taking down a rating buys a changed review", "generic", "en", "general",
         "If you take down the 1-star rating we'll give you a full refund.", "review.change_for_benefit",
         "take down the 1-star rating we'll give you a full refund"),
    Case("A refund with the review left to the buyer is fine", "generic", "en", "general",
         "We'll give you a full refund; your review is yours to write as you like.", "review.change_for_benefit", None),
    Case("'把中评删掉，我们补偿您' buys a changed review", "taobao", "zh", "general",
         "亲，把中评删掉，我们补偿您5元。", "review.change_for_benefit", "把中评删掉，我们补偿"),
    Case("Compensation with the review left free is fine", "taobao", "zh", "general",
         "我们已为您补偿5元，评价您可以自由决定。", "review.change_for_benefit", None),
    Case("'Поменяйте оценку — вышлем подарок' buys a changed review", "ozon", "ru", "general",
         "Поменяйте оценку на пятёрку — вышлем подарок.", "review.change_for_benefit",
         "Поменяйте оценку на пятёрку — вышлем подарок"),
    Case("A gift to every participant is not about a review", "ozon", "ru", "general",
         "Мы вышлем подарок всем участникам акции.", "review.change_for_benefit", None),

    # ---- Apology letter: required elements (seed 002) ---------------------------------------
    Case("A letter without 'sorry' misses the apology", "amazon", "en", "apology",
         "The replacement for your broken blender ships today at our cost. We have improved our packaging. "
         "Reply here with any questions.", "apology.missing_apology", MISSING),
    Case("'我们深表歉意' is an apology", "taobao", "zh", "apology",
         "杯子破损了，我们深表歉意。", "apology.missing_apology", None),
    Case("A Chinese letter without an apology misses it", "taobao", "zh", "apology",
         "您的杯子破损了，我们今天为您补发新的，运费我们承担。我们已改进包装。如有问题请随时联系我们。",
         "apology.missing_apology", MISSING),
    Case("A Russian letter without an apology misses it", "ozon", "ru", "apology",
         "Ваша ваза пришла разбитой. Мы отправим новую за наш счёт и уже улучшили упаковку. Если будут вопросы, "
         "напишите нам.", "apology.missing_apology", MISSING),
    Case("'Приносим извинения' is an apology", "ozon", "ru", "apology",
         "Приносим извинения за задержку.", "apology.missing_apology", None),
    Case("'Sorry for the inconvenience' names no problem", "generic", "en", "apology",
         "We are sorry for the inconvenience. A refund is on its way and we are improving. Reply here if needed.",
         "apology.missing_acknowledgement", MISSING),
    Case("'给您带来不便' names no problem", "taobao", "zh", "apology",
         "给您带来不便非常抱歉，我们会为您退款并改进服务，有问题请联系我们。", "apology.missing_acknowledgement", MISSING),
    Case("'за доставленные неудобства' names no problem", "ozon", "ru", "apology",
         "Приносим извинения за доставленные неудобства. Мы вернём деньги и улучшим сервис. Напишите нам, если "
         "что-то нужно.", "apology.missing_acknowledgement", MISSING),
    Case("A cracked screen is a named problem", "amazon", "en", "apology",
         "We are sorry that the screen arrived cracked.", "apology.missing_acknowledgement", None),
    Case("A delay without a remedy misses the solution", "generic", "en", "apology",
         "We are sorry your parcel was delayed. We are reviewing our courier so it does not happen again. Please "
         "reply here if you need anything.", "apology.missing_solution", MISSING),
    Case("A Chinese delay without a remedy misses the solution", "taobao", "zh", "apology",
         "很抱歉快递延误了，我们已经更换了合作快递，避免再次发生。有问题请联系我们。", "apology.missing_solution", MISSING),
    Case("'补发' is a solution", "taobao", "zh", "apology",
         "很抱歉漏发了配件，我们今天为您补发。", "apology.missing_solution", None),
    Case("A Russian letter without a remedy misses the solution", "ozon", "ru", "apology",
         "Извините за задержку доставки. Мы сменили перевозчика, чтобы это не повторилось. Напишите нам, если "
         "будут вопросы.", "apology.missing_solution", MISSING),
    Case("A refund without prevention misses the improvement", "amazon", "en", "apology",
         "We are sorry the charger stopped working. We have refunded you in full. Reply here with any questions.",
         "apology.missing_improvement", MISSING),
    Case("A Chinese refund without prevention misses the improvement", "taobao", "zh", "apology",
         "很抱歉充电器坏了，我们已全额退款，有问题请联系我们。", "apology.missing_improvement", MISSING),
    Case("A Russian refund without prevention misses the improvement", "ozon", "ru", "apology",
         "Извините, чайник пришёл с трещиной. Мы вернём деньги сегодня. Если будут вопросы, напишите нам.",
         "apology.missing_improvement", MISSING),
    Case("'чтобы это не повторилось' is an improvement", "ozon", "ru", "apology",
         "Мы проверим партию, чтобы это не повторилось.", "apology.missing_improvement", None),
    Case("A letter that ends with the fix misses the follow-up", "amazon", "en", "apology",
         "We are sorry the mug arrived broken. A new one ships today and we have added extra padding to our boxes.",
         "apology.missing_follow_up", MISSING),
    Case("A Chinese letter that ends with the fix misses the follow-up", "taobao", "zh", "apology",
         "很抱歉杯子破损了，我们今天为您补发新的，并已加强包装。", "apology.missing_follow_up", MISSING),
    Case("'随时联系我们' is a follow-up", "taobao", "zh", "apology",
         "有任何问题随时联系我们。", "apology.missing_follow_up", None),
    Case("A Russian letter without a way back misses the follow-up", "ozon", "ru", "apology",
         "Извините, кружка пришла разбитой. Новая уже отправлена, упаковку мы усилили.", "apology.missing_follow_up",
         MISSING),
    # the follow-up phrase family (labelled fu-*): the case followed in the platform's messages is a
    # way back to the seller; an order status in an app or a parcel on a courier's site is not
    *_follow_ups(
        ("'Follow your case here in the Ozon messages' is a follow-up", "ozon", "en", True,
         "You can follow your case here in the Ozon messages."),
        ("An order status in an app is no follow-up", "amazon", "en", False,
         "We are sorry the mug arrived broken. A new one ships today at our cost, packed with more padding. You can "
         "track your order status in the Amazon app."),
        ("'Just tell us here' is a follow-up", "taobao", "en", True,
         "If that does not suit you, just tell us here in the Taobao / Tmall messages."),
        ("'在…消息中随时查看处理进展' is a follow-up", "taobao", "zh", True, "您可以在淘宝 / 天猫消息中随时查看处理进展。"),
        ("'在快递官网查看物流进度' is no follow-up", "taobao", "zh", False,
         "很抱歉杯子破损了，我们今天为您补发新的，并已加强包装。您可以在快递官网查看物流进度。"),
        ("'Следить за обращением можно здесь, в сообщениях Ozon' is a follow-up", "ozon", "ru", True,
         "Следить за обращением можно здесь, в сообщениях Ozon."),
        ("Tracking the parcel on the courier's site is no follow-up", "ozon", "ru", False,
         "Извините, кружка пришла разбитой. Новая уже отправлена, упаковку мы усилили. Следить за посылкой можно на "
         "сайте перевозчика."),
        ("The refund's trigger ('you'll get the refund once it is scanned') is the next step", "amazon", "en", True,
         "Sorry the kettle arrived dented. Send it back with the free label and you'll get the full refund once the "
         "carrier scans it."),
        ("A tracking link already sent is the next step", "generic", "en", True,
         "Sorry, the parcel left two days late because of our mistake. We refunded the shipping, and the tracking "
         "link is in your inbox."),
        ("A new delivery day is a next step (with no way back, a warning: apology.missing_way_back)", "generic", "en",
         True, "Sorry, we packed the wrong colour. The right one left today and is now due Friday."),
        ("'收到货后当天退款' is the next step", "taobao", "zh", True,
         "亲，杯子有裂纹是我们的问题，抱歉。您申请退货，运费我们出，我们收到货后当天给您退款。"),
        ("'收到您的反馈…后面会加强培训' is no next step", "taobao", "zh", False,
         "亲，发错颜色真的很抱歉，是我们的疏忽。您的反馈我们已经收到了，后面我们会加强培训。"),
        ("'I'll check in on Friday' is a follow-up", "generic", "en", True,
         "Sorry, we packed the M instead of the L. The L went out today, and I'll check in on Friday to make sure it "
         "has arrived."),
        ("'我明天再帮您盯一下物流' is a follow-up", "taobao", "zh", True,
         "亲，抱歉让您久等了，已经给您退了8元补偿，我明天下午再帮您盯一下物流。"),
        ("'одобрим сразу' is the next step", "ozon", "ru", True,
         "Простите, в карточке был неверный объём. Оформите возврат с причиной «Не соответствует описанию» — одобрим "
         "сразу."),
        ("The replacement's arrival day is a next step", "generic", "en", True,
         "Sorry, we sent size M instead of L. The L left this morning by express and is due Thursday."),
        ("'明天会派送' is a next step", "taobao", "zh", True,
         "亲，抱歉发货晚了三天，已经给您退了8元补偿，包裹明天会派送。"),
        ("'будет у вас завтра до 18:00' is a next step", "generic", "ru", True,
         "Извините за задержку! Заказ уехал сегодня экспресс-доставкой за наш счёт и будет у вас завтра до 18:00."),
        ("'I'll e-mail you when it is out for delivery' is the next step", "generic", "en", True,
         "Sorry your order sat in our warehouse. It shipped today by express at our cost, and I'll email you when it's "
         "out for delivery."),
    ),

    Case("'That was our packing error' is an apology", "amazon", "en", "apology",
         "You're right, we sent 4 glasses, not 6. That was our packing error. Two more arrive Saturday; reply here "
         "if they don't.", "apology.missing_apology", None),
    Case("'Sorry the arm arrived with a stripped screw' names the problem", "amazon", "en", "apology",
         "I'm sorry the monitor arm arrived with a stripped screw. A new kit ships today; reply here with any questions.",
         "apology.missing_acknowledgement", None),
    Case("'Извините, пожалуйста: в комплекте не было винтов' names the problem", "ozon", "ru", "apology",
         "Извините, пожалуйста: в комплекте действительно не было винтов. Вышлем их завтра, напишите, если не придут.",
         "apology.missing_acknowledgement", None),
    # the day the remedy arrives is a next step, but seed 002 still wants a way back: a warning
    Case("A due day without a way back is a warning", "generic", "en", "apology",
         "Sorry, we sent size M instead of L. The L left this morning by express and is due Thursday.",
         "apology.missing_way_back", MISSING),
    Case("'明天会派送' without a way back is a warning", "taobao", "zh", "apology",
         "亲，抱歉发货晚了三天，已经给您退了8元补偿，包裹明天会派送。", "apology.missing_way_back", MISSING),
    Case("'будет у вас завтра' without a way back is a warning", "generic", "ru", "apology",
         "Извините за задержку! Заказ уехал сегодня экспресс-доставкой за наш счёт и будет у вас завтра до 18:00.",
         "apology.missing_way_back", MISSING),
    Case("A way back is all it asks", "generic", "en", "apology",
         "Sorry, we sent size M instead of L. The L is due Thursday; if it isn't with you by then, just reply here.",
         "apology.missing_way_back", None),
    Case("With nothing at all, only the error is reported (the warning is superseded)", "generic", "en", "apology",
         "Sorry, we sent size M instead of L. We have refunded the difference.", "apology.missing_way_back", None),
    # ---- Review replies and claim responses: expected elements (warnings) ----------------------
    Case("A cold reply neither thanks nor apologises", "amazon", "en", "review_reply",
         "The product works as described in the listing.", "review_reply.missing_acknowledgement", MISSING),
    Case("'Thanks for the feedback' acknowledges the review", "amazon", "en", "review_reply",
         "Thanks for the feedback! We've updated the listing photos.", "review_reply.missing_acknowledgement", None),
    Case("A Chinese reply without thanks misses the acknowledgement", "taobao", "zh", "review_reply",
         "商品是正品，支持验货。", "review_reply.missing_acknowledgement", MISSING),
    Case("'谢谢您的评价' acknowledges the review", "taobao", "zh", "review_reply",
         "谢谢您的评价！", "review_reply.missing_acknowledgement", None),
    Case("A Russian reply without thanks misses the acknowledgement", "ozon", "ru", "review_reply",
         "Товар оригинальный, сертификаты есть.", "review_reply.missing_acknowledgement", MISSING),
    Case("'Благодарим за отзыв' acknowledges the review", "ozon", "ru", "review_reply",
         "Благодарим за отзыв!", "review_reply.missing_acknowledgement", None),
    Case("'We are looking into it' states no resolution", "amazon", "en", "claim_response",
         "We are looking into your claim and will reply here soon.", "claim_response.missing_resolution", MISSING),
    Case("A full refund is a resolution", "amazon", "en", "claim_response",
         "We have issued a full refund today.", "claim_response.missing_resolution", None),
    Case("'我们正在核实' states no resolution", "taobao", "zh", "claim_response",
         "您的投诉我们已收到，正在核实，请耐心等待。", "claim_response.missing_resolution", MISSING),
    Case("'同意退款' is a resolution", "taobao", "zh", "claim_response",
         "我们同意退款，款项将原路退回。", "claim_response.missing_resolution", None),
    Case("'Мы разбираемся' states no resolution", "ozon", "ru", "claim_response",
         "Мы получили вашу претензию и разбираемся. Напишите нам, если появятся вопросы.",
         "claim_response.missing_resolution", MISSING),
    Case("Proof of delivery given to the platform is a resolution", "ozon", "ru", "claim_response",
         "Мы передали площадке подтверждение доставки.", "claim_response.missing_resolution", None),
    Case("A claim answer with no way back misses the follow-up", "amazon", "en", "claim_response",
         "We have issued a full refund today.", "claim_response.missing_follow_up", MISSING),
    Case("A Russian claim answer with no way back misses the follow-up", "ozon", "ru", "claim_response",
         "Мы вернём деньги сегодня.", "claim_response.missing_follow_up", MISSING),
    Case("'Если будут вопросы, напишите' is a follow-up", "ozon", "ru", "claim_response",
         "Деньги вернём сегодня. Если будут вопросы, напишите нам.", "claim_response.missing_follow_up", None),
    Case("A Chinese claim answer with no way back misses the follow-up", "taobao", "zh", "claim_response",
         "我们同意退款，款项将原路退回。", "claim_response.missing_follow_up", MISSING),
    # ---- by meaning (issue 15): concepts that co-occur, not fixed phrases -----------------------
    Case("Review gating: only happy buyers asked to review", "generic", "en", "general",
         "If you're happy with the kettle, please leave us a review.", "review.gating", "If you're happy with the kettle, please leave us a review"),
    Case("Review gating: unhappy buyers sent to the chat instead", "ozon", "en", "general",
         "Not satisfied? Message us first instead of writing a review.", "review.gating", "Not satisfied? Message us first instead of writing a review"),
    Case("Asking every buyer alike is not gating", "generic", "en", "general",
         "Whatever your experience, an honest review helps other buyers.", "review.gating", None),
    Case("满意的话给个好评 is gating on the own store", "generic", "zh", "general",
         "亲，满意的话麻烦给个五星评价哦。", "review.gating", "满意的话麻烦给个五星"),
    Case("满意的话给个好评 is common practice on Taobao, not a rule found broken", "taobao", "zh", "general",
         "亲，满意的话麻烦给个五星评价哦。", "review.gating", None),
    Case("先联系我们，不要直接评价 is gating", "ozon", "zh", "general",
         "如果您不满意，请先联系客服，先别急着评价。", "review.gating", "不满意，请先联系客服，先别急着评价"),
    Case("Если понравилось — оставьте отзыв is gating on Ozon", "ozon", "ru", "general",
         "Если вам всё понравилось, оставьте, пожалуйста, отзыв.", "review.gating", "Если вам всё понравилось, оставьте, пожалуйста, отзыв"),
    Case("Недовольны — напишите нам вместо отзыва is gating", "generic", "ru", "general",
         "Что-то не понравилось? Напишите нам, а не спешите с отзывом.", "review.gating",
         "не понравилось? Напишите нам, а не спешите с отзывом"),
    Case("不满意先别给差评 steers a Taobao buyer away from reviewing", "taobao", "zh", "general",
         "亲，收到货如果有不满意的地方，先别急着给差评，直接旺旺找我们，一定给您处理好。",
         "taobao.review_suppression", "不满意的地方，先别急着给差评"),
    Case("'Message us before you leave a review' steers a Taobao buyer away", "taobao", "en", "general",
         "Hi dear, if anything is wrong with the lamp, message us here before you leave a review and we'll sort it out.",
         "taobao.review_suppression", "before you leave a review"),
    Case("«Прежде чем оставлять отзыв» steers a Taobao buyer away", "taobao", "ru", "general",
         "Если что-то не так с заказом, напишите нам здесь, прежде чем оставлять отзыв, — мы всё решим.",
         "taobao.review_suppression", "прежде чем оставлять отзыв"),
    Case("Problems to the chat, the review left to the buyer, is no suppression", "taobao", "zh", "general",
         "亲，宝贝有任何问题随时旺旺找我们，评价怎么写都由您决定。", "taobao.review_suppression", None),
    Case("'加我微信' moves a Taobao buyer off the platform", "taobao", "zh", "general",
         "亲，加我微信，私下给您处理。", "taobao.outside_contact", "加我微信"),
    Case("'私下' alone moves a Taobao buyer off the platform", "taobao", "zh", "general",
         "这个问题我们私下解决吧。", "taobao.outside_contact", "私下"),
    Case("A phone number on Taobao is outside contact", "taobao", "en", "general",
         "Call me on 138 0013 8000 and we will sort it out.", "taobao.outside_contact", "138 0013 8000"),
    Case("WhatsApp on Taobao is outside contact", "taobao", "ru", "general",
         "Напишите мне в WhatsApp, так быстрее.", "taobao.outside_contact", "WhatsApp"),
    Case("旺旺 is the Taobao channel", "taobao", "zh", "general",
         "有问题请直接在旺旺留言，我们会及时回复。", "taobao.outside_contact", None),
    Case("The store's own e-mail is normal on the own store", "generic", "en", "general",
         "You can also write to support@ourshop.example.com.", "offplatform.private_payment", None),
    Case("A refund by PayPal is a private payment", "generic", "en", "general",
         "We'll send the refund to your PayPal so it's quicker.", "offplatform.private_payment", "to your PayPal"),
    Case("'私下给您转账' is a private payment", "generic", "zh", "general",
         "退款我们私下给您转账，您看可以吗？", "offplatform.private_payment", "私下给您转账"),
    Case("'Переведём на карту' is a private payment on Ozon", "ozon", "ru", "general",
         "Мы переведём вам деньги на карту по номеру телефона.", "offplatform.private_payment", "переведём вам деньги на карту"),
    Case("'原路退回' is the platform's refund", "taobao", "zh", "general",
         "退款会原路退回到您的支付账户。", "offplatform.private_payment", None),
    Case("A passport photo asked for is sensitive data", "amazon", "en", "general",
         "To process the refund, send us a photo of your passport.", "privacy.sensitive_data", "send us a photo of your passport"),
    Case("The card's security code asked for is sensitive data", "generic", "en", "general",
         "Please share the card number and CVV so we can refund you.", "privacy.sensitive_data", "share the card number"),
    Case("'We never ask for your card number' is fine", "generic", "en", "general",
         "We will never ask for your card number or password.", "privacy.sensitive_data", None),
    Case("身份证 asked for is sensitive data", "taobao", "zh", "general",
         "请提供一下您的身份证号码和银行卡号。", "privacy.sensitive_data", "提供一下您的身份证"),
    Case("Паспорт asked for is sensitive data", "generic", "ru", "general",
         "Для возврата пришлите, пожалуйста, фото паспорта.", "privacy.sensitive_data", "пришлите, пожалуйста, фото паспорта"),
    Case("A lawsuit over a review is a legal threat", "amazon", "en", "general",
         "If the review stays up, we will take legal action for defamation.", "forbidden.false_legal_claim", "we will take legal action"),
    Case("'The law forbids such reviews' is a false legal claim", "generic", "en", "general",
         "Under consumer law, reviews like yours are not permitted.", "forbidden.false_legal_claim",
         "law, reviews"),
    Case("'法律禁止这样的差评' is a false legal claim", "taobao", "zh", "general",
         "根据法律规定，这样的差评是违法的。", "forbidden.false_legal_claim", "法律规定，这样的差评"),
    Case("'Подадим в суд' is a legal threat", "ozon", "ru", "general",
         "Если не удалите отзыв, подадим на вас в суд за клевету.", "forbidden.false_legal_claim", "подадим на вас"),
    Case("The buyer's right to go to court is no threat", "taobao", "zh", "general",
         "您也可以向消费者协会投诉或向法院起诉。", "forbidden.false_legal_claim", None),
    Case("'Вы вправе обратиться в суд' is no threat", "ozon", "ru", "general",
         "Вы вправе обратиться в суд или в Роспотребнадзор.", "forbidden.false_legal_claim", None),
    Case("'You can go to court' is no threat", "generic", "en", "general",
         "You can also contact the consumer association or go to court.", "forbidden.false_legal_claim", None),
    Case("A statutory right told to the buyer is no threat", "generic", "en", "general",
         "Under EU law you have 14 days to withdraw from the purchase.", "forbidden.false_legal_claim", None),
    Case("Asking a Taobao buyer to cancel is steering", "taobao", "zh", "general",
         "亲，麻烦您自己申请取消一下订单。", "deception.buyer_cancels", "麻烦您自己申请取消一下订单"),
    Case("Asking an own-store buyer to cancel is steering", "generic", "en", "general",
         "Could you cancel the order from your account?", "deception.buyer_cancels", "Could you cancel the order"),
    Case("Отмените заказ сами is steering", "generic", "ru", "general",
         "Отмените, пожалуйста, заказ сами в личном кабинете.", "deception.buyer_cancels", "Отмените, пожалуйста, заказ"),
    Case("We cancel it ourselves: fine", "generic", "ru", "general",
         "Мы сами отменим заказ и вернём деньги.", "deception.buyer_cancels", None),
    Case("Refund-only so that no review can be left is steering", "taobao", "zh", "general",
         "您选仅退款就行，这样就不能评价了。", "deception.steer_refund_reason", "仅退款就行，这样就不能评价"),
    Case("Reject and re-apply is steering", "taobao", "zh", "general",
         "我们先拒绝您的退款申请，然后您再按我们说好的理由重新申请。", "deception.steer_refund_reason",
         "我们先拒绝您的退款申请，然后您再按我们说好的理由重新申请"),
    Case("A size reason rather than a defect is steering", "ozon", "ru", "general",
         "Выберите причину «Не подошёл размер», а не «Брак».", "deception.steer_refund_reason",
         "Выберите причину «Не подошёл размер», а не «Брак"),
    Case("Cash after a good review is an incentive", "taobao", "zh", "general",
         "您给好评后我们再给您打款。", "review.incentive", "好评后我们再给您打款"),
    Case("A refund once the review is updated is a benefit for a change", "amazon", "en", "general",
         "Once your review is updated we will send the refund.", "amazon.review_change_for_benefit", "review is updated we will send the refund"),
    # ---- the sixth labelled set's lessons: claims withdrawn on request, made-up checks and deadlines ----
    Case("Asking the buyer to withdraw an A-to-z claim", "amazon", "en", "claim_response",
         "Could you please withdraw your A-to-z claim? Then I will send the new charger today.",
         "deception.withdraw_claim", "Could you please withdraw your A-to-z"),
    Case("'麻烦您先把投诉撤回' asks the buyer to withdraw a complaint", "taobao", "zh", "claim_response",
         "亲，麻烦您先把投诉撤回一下，我们这边马上安排退款。", "deception.withdraw_claim", "麻烦您先把投诉撤回"),
    Case("'Пожалуйста, закройте спор' asks the buyer to close a dispute", "ozon", "ru", "claim_response",
         "Пожалуйста, закройте спор, и мы сразу вернём деньги.", "deception.withdraw_claim", "Пожалуйста, закройте спор"),
    Case("Confirming a return request cancelled at the buyer's request is not asking", "amazon", "en", "general",
         "As you asked, we have cancelled your return request; nothing else is needed.", "deception.withdraw_claim", None),
    Case("Telling the buyer they may cancel their own return is their right", "generic", "en", "general",
         "If you change your mind you can cancel the return request in your account.", "deception.withdraw_claim", None),
    Case("The EU withdrawal period is not a withdrawn claim", "amazon_de", "en", "general",
         "You are within the 14-day withdrawal period, so please send the item back with the label.",
         "deception.withdraw_claim", None),
    Case("A full diagnostic claimed from photos", "amazon", "en", "claim_response",
         "Based on your photos our engineers ran a full diagnostic and found no fault.",
         "forbidden.false_legal_claim", "Based on your photos our engineers ran"),
    Case("'根据您提供的照片，我们做了检测' claims a test from photos", "taobao", "zh", "claim_response",
         "根据您提供的照片，我们做了检测，没有发现问题。", "forbidden.false_legal_claim", "根据您提供的照片，我们做了检测"),
    Case("A made-up end-of-day deadline that voids the request", "ozon", "ru", "general",
         "Ответьте до конца дня, иначе заявка автоматически аннулируется.", "forbidden.false_legal_claim",
         "до конца дня, иначе заявка автоматически аннулируется"),
    Case("Blame by implication: every unit tested, so it is down to how it was used", "generic", "en", "claim_response",
         "Every unit is tested before it leaves us, so this kind of crack is almost always down to pouring boiling "
         "water into a cold jar. This isn't covered.", "forbidden.blame_buyer",
         "Every unit is tested before it leaves us, so this kind of crack is almost always down to pouring"),
    Case("'其他买家用着都挺好的，所以不是质量问题' denies a defect on other buyers' word", "taobao", "zh", "claim_response",
         "这批货其他买家用着都挺好的，所以不是质量问题哦。", "forbidden.blame_buyer", "其他买家用着都挺好的，所以不是质量问题"),
    Case("'по вине пользователя' with nothing checked is blame", "ozon", "ru", "claim_response",
         "Повреждение произошло по вине пользователя, это не гарантийный случай.", "forbidden.blame_buyer",
         "по вине пользователя"),
    Case("'вины покупателя тут нет' is not blame", "ozon", "ru", "claim_response",
         "Мы проверили пульт: это брак, вины покупателя тут нет. Возврат за наш счёт.", "forbidden.blame_buyer", None),
    Case("Dropping a parcel at a pickup point is not dropping the item", "amazon", "en", "general",
         "You can drop it at your nearest pickup point; the label is free.", "forbidden.blame_buyer", None),
    # ---- the seventh set's lessons --------------------------------------------------------------
    Case("A defect denied on sales figures, across a line break ('end.\\n' is one sentence end)", "amazon", "en",
         "claim_response", "We have sold thousands of these and yours is the first report of a cracked lid.\n"
         "So we cannot treat this as a manufacturing defect.", "forbidden.blame_buyer",
         "We have sold thousands of these and yours is the first report of a cracked lid.\n"
         "So we cannot treat this as a manufacturing defect"),
    Case("Declining the buyer's offer of a call to keep the chat on Ozon", "ozon", "ru", "general",
         "Спасибо, что предложили созвониться! Давайте всё обсудим здесь, в чате Ozon: так переписка сохранится.",
         "ozon.outside_contact", None),
    Case("'不是怪您' is not blame", "taobao", "zh", "general",
         "亲，退款已经处理好了。羊毛衫建议冷水手洗，不是怪您哈，只是个小建议。", "forbidden.blame_buyer", None),
    Case("A free part offered if the buyer withdraws the return", "amazon", "en", "claim_response",
         "If you withdraw the return request, we'll ship you a new leg kit for free.", "deception.withdraw_claim",
         "withdraw the return request, we'll ship you a new"),
    Case("An SMS code asked for in the next sentence", "generic", "ru", "general",
         "Сейчас вам придёт СМС с кодом. Продиктуйте его, пожалуйста, оператору.", "privacy.sensitive_data",
         "СМС с кодом. Продиктуйте"),
    # ---- the ninth set's lessons -----------------------------------------------------------------
    Case("A warranty's scope ('非人为损坏') is not blame", "taobao", "zh", "general",
         "亲，这款电饭煲保修两年，两年内非人为损坏都免费维修，运费我们出。", "forbidden.blame_buyer", None),
    Case("'人为损坏' said of the buyer's unit is still blame", "taobao", "zh", "claim_response",
         "亲，我们看了视频，这个是人为损坏，不在保修范围。", "forbidden.blame_buyer", "人为损坏"),
    Case("Warning the buyer about scammers who 'refund privately' is no private deal", "taobao", "zh", "general",
         "温馨提示：如果有人私下加您微信说要给您退款，千万要小心，这是诈骗。", "taobao.outside_contact", None),
    Case("... nor a private payment", "taobao", "zh", "general",
         "温馨提示：如果有人私下加您微信说要给您退款，千万要小心，这是诈骗。", "offplatform.private_payment", None),
    Case("Warning about scammers on WhatsApp is no invitation there", "amazon", "en", "general",
         "Beware of scammers: if anyone messages you on WhatsApp claiming to be us, ignore it.",
         "amazon.contact_details", None),
    Case("Calling a claim fraud is still a threat", "amazon", "en", "claim_response",
         "Filing a claim on a delivered order is fraud and we report every case to the police.",
         "forbidden.false_legal_claim", "is fraud"),
    # ---- a sale is no exception to returns or warranty (LAW-FLOORS §1-3) ---------------------------
    Case("'Sale items can't be returned' is a made-up rule", "amazon", "en", "general",
         "Sorry, sale items can't be returned on Amazon.", "forbidden.false_legal_claim", "sale items can't be returned"),
    Case("'特价商品不退不换' is a made-up rule", "taobao", "zh", "general",
         "亲，特价商品不退不换哦。", "forbidden.false_legal_claim", "特价商品不退不换"),
    Case("'Уценённые товары возврату не подлежат' is a made-up rule", "ozon", "ru", "general",
         "Уценённые товары возврату не подлежат.", "forbidden.false_legal_claim", "Уценённые товары возврату не"),
    Case("A defect disclosed at a discount is the lawful exception", "ozon", "ru", "general",
         "Это уценённый товар: по указанному в карточке дефекту возврат не принимаем, по остальным — как обычно.",
         "forbidden.false_legal_claim", None),
    Case("A sale with the usual returns is fine", "amazon", "en", "general",
         "This one was on sale, and it can be returned within 30 days like any other order.",
         "forbidden.false_legal_claim", None),
    # ---- the eleventh set's lessons ---------------------------------------------------------------
    Case("'I'll PayPal you the refund' is a private payment", "amazon", "en", "general",
         "Let's keep it simple: I'll PayPal you the refund today, no need to go through the return process.",
         "offplatform.private_payment", "PayPal you"),
    Case("A plug's pins are no PIN", "amazon", "en", "general",
         "It ships with a UK 3-pin plug, so no adapter is needed.", "privacy.sensitive_data", None),
    Case("'Outside Amazon's 30-day return window' is no off-Amazon contact", "amazon", "en", "general",
         "Your order is outside Amazon's 30-day return window, but the warranty still covers it.",
         "amazon.contact_details", None),
    Case("Calling the carrier and its site is no contact of ours", "amazon", "en", "general",
         "You can reschedule at ups.com or call UPS at 1-800-742-5877 with your tracking number.",
         "amazon.contact_details", None),
    Case("... nor a link Amazon forbids", "amazon", "en", "general",
         "You can reschedule at ups.com or call UPS at 1-800-742-5877 with your tracking number.", "amazon.link", None),
    Case("A shop's link is still a link", "amazon", "en", "general",
         "See more colours at cosyrugs.com.", "amazon.link", "cosyrugs.com"),
    Case("The Russian Post is no e-mail asked for", "ozon", "ru", "general",
         "Мы отправили заказ Почтой России, трек-номер 14102589330147.", "ozon.personal_data", None),
    Case("Cash on delivery at the store's own checkout is no private payment", "generic", "ru", "general",
         "Заказ можно оплатить при получении картой или наличными.", "offplatform.private_payment", None),
    Case("'Skip Amazon's review request and tell us instead' is gating", "amazon", "en", "general",
         "Amazon will send you a review request soon; we'd rather you skip that one and tell us directly instead.",
         "amazon.positive_review_request", "skip that one"),
    # ---- the tenth set's lessons -----------------------------------------------------------------
    Case("A pickup station's phone number is no contact of ours", "taobao", "zh", "general",
         "亲，包裹已经到驿站了，您可以打驿站电话0755-26881234问一下，取件码是3-1-2207。", "taobao.outside_contact", None),
    Case("A carrier's hotline in Russian is no contact of ours", "ozon", "ru", "general",
         "Заказ передан в СДЭК. Если курьер не приедет, можно позвонить в СДЭК по номеру 8 800 250-04-05.",
         "ozon.outside_contact", None),
    Case("'We answered you wrongly' is our mistake, not the buyer's", "ozon", "ru", "apology",
         "Извините, мы вчера ответили вам неправильно: чехол к этой модели не подходит. Вернём деньги, напишите нам.",
         "forbidden.blame_buyer", None),
    Case("'Вы неправильно подключили' is still blame", "ozon", "ru", "claim_response",
         "Вы неправильно подключили блок питания, поэтому он сгорел.", "forbidden.blame_buyer",
         "Вы неправильно подключили"),
    Case("Telling how to cancel ('можно самостоятельно') is no request", "ozon", "ru", "general",
         "Отменить заказ можно самостоятельно в разделе «Мои заказы», пока он не передан в доставку.",
         "ozon.cancel_order_request", None),
    Case("'Отмените заказ самостоятельно' is still a request", "ozon", "ru", "general",
         "Товара нет на складе, отмените заказ самостоятельно, пожалуйста.", "ozon.cancel_order_request",
         "отмените заказ"),
    Case("Out of stock, the buyer may ask for the refund with the true reason", "taobao", "zh", "general",
         "亲，这款白色M码没货了，抱歉。您可以直接申请退款，原因如实选缺货，我们马上同意。", "deception.buyer_cancels", None),
    Case("Out of stock, the buyer asked to ask for the refund", "taobao", "zh", "general",
         "亲，这款白色M码没货了。麻烦您申请退款一下，原因随便选一个就行。", "deception.buyer_cancels", "没货了。麻烦您申请退款"),
    Case("Refund-only so that there is nothing to rate, two sentences on", "generic", "en", "general",
         "Just apply for a refund only and keep the mug; we approve those at once. Then the order closes, so there's no "
         "need to rate it.", "deception.steer_refund_reason", "refund only and keep the mug; we approve those at once. "
         "Then the order closes, so there's no need to rate"),
    Case("Shipping money back once the review is posted, in Chinese on Amazon", "amazon", "zh", "general",
         "如果您愿意在商品页面写写使用感受，发布后告诉我们一声，我们就把运费退还给您。", "amazon.review_incentive",
         "感受，发布后告诉我们一声，我们就把运费退还"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_case(case: Case) -> None:
    findings = check_message(case.text, case.platform, case.lang, case.kind)
    mine = [f for f in findings if f.rule == case.rule]
    if case.hit is None:
        assert not mine, [(f.rule, case.text[f.span[0]:f.span[1]] if f.span else None) for f in mine]
    elif case.hit == MISSING:
        assert [f.span for f in mine] == [None]
    else:
        assert mine, f"{case.rule} not found; found {[f.rule for f in findings]}"
        assert case.hit in [case.text[f.span[0]:f.span[1]] for f in mine if f.span]


def test_every_rule_has_a_positive_case_and_every_language_is_covered() -> None:
    positives = {(c.rule, c.lang) for c in CASES if c.hit is not None}
    for rule in load_rules():
        for lang in sorted(rule.languages):
            if rule.patterns.get(lang) or rule.patterns.get("any"):
                assert (rule.id, lang) in positives, f"no positive case for {rule.id} in {lang}"


#: The concept lexicons of rules.yaml, per concept and language.
CONCEPTS = yaml.safe_load((Path(__file__).parents[2] / "lib" / "aftersales" / "compliance" / "rules.yaml")
                          .read_text(encoding="utf-8"))["concepts"]


def test_every_rule_is_sourced_and_covers_the_three_languages() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.source and rule.message
        assert rule.platforms <= set(PLATFORMS) and rule.kinds <= set(KINDS)
        if "any" in rule.patterns:
            continue
        # a language is covered by patterns, or by relations whose concepts all have words in it
        by_meaning = {lang for lang in LANGS if rule.relations and all(
            lang in CONCEPTS[name] for relation in rule.relations for name in relation.concepts)}
        assert set(rule.patterns) | by_meaning >= set(LANGS), f"{rule.id} lacks a language: {sorted(rule.patterns)}"


def test_every_rule_compiles_for_every_platform_language_and_kind() -> None:
    from aftersales.compliance.rules import compiled_rules

    for platform in PLATFORMS:
        for lang in LANGS:
            for kind in KINDS:
                assert compiled_rules(platform, lang, kind)


def test_a_playbooks_reply_kinds_are_the_checkers_kinds() -> None:
    from aftersales.playbook.model import REPLY_KINDS

    assert REPLY_KINDS == KINDS


def test_the_brief_rules_exist() -> None:
    ids = {r.id for r in load_rules()}
    assert {"apology.missing_apology", "forbidden.blame_buyer", "amazon.link", "amazon.contact_details",
            "amazon.review_incentive", "amazon.review_change_for_benefit", "ozon.outside_contact",
            "ozon.cancel_order_request", "ozon.personal_data", "deception.fake_tracking",
            "deception.steer_refund_reason"} <= ids


# ---- spans, order and shape -----------------------------------------------------------------

def test_spans_point_at_the_matched_text_in_the_original_with_yo_and_curly_quotes() -> None:
    text = "Здравствуйте! Мы не несём ответственности за почту. Выберите причину «Передумал»."
    findings = check_message(text, "ozon", "ru", "general")
    excerpts = {f.rule: text[f.span[0]:f.span[1]] for f in findings}
    assert excerpts["forbidden.deflect_responsibility"] == "Мы не несём ответственности за"
    assert excerpts["deception.steer_refund_reason"] == "Выберите причину «Передумал"


def test_missing_elements_come_first_then_findings_by_position() -> None:
    text = "It is your fault. Email me at ann@shop.com."
    findings = check_message(text, "amazon", "en", "apology")
    missing = [f for f in findings if f.span is None]
    located = [f for f in findings if f.span is not None]
    assert findings[:len(missing)] == missing and missing
    assert [f.span for f in located] == sorted(f.span for f in located)
    assert text[located[-1].span[0]:located[-1].span[1]] == "ann@shop.com"


def test_each_occurrence_is_its_own_finding() -> None:
    text = "Call +86 138 0013 8000 or +86 139 0013 9000."
    spans = [f.span for f in check_message(text, "amazon", "en", "general") if f.rule == "amazon.contact_details"]
    assert [text[s:e] for s, e in spans] == ["+86 138 0013 8000", "+86 139 0013 9000"]


def test_a_superseded_rule_is_not_reported_twice() -> None:
    text = "Please remove your review and we will refund you in full."
    rules = {f.rule for f in check_message(text, "amazon", "en", "general")}
    assert "amazon.review_change_for_benefit" in rules
    assert "amazon.review_change_request" not in rules


def test_finding_to_dict_is_the_json_shape() -> None:
    finding = Finding("amazon.link", "error", "Link.", (3, 10), "POLICY-FACTS §11")
    assert finding.to_dict() == {"rule": "amazon.link", "severity": "error", "message": "Link.", "span": [3, 10],
                                 "source": "POLICY-FACTS §11"}
    assert Finding("apology.missing_apology", "error", "x", None, "seed 002").to_dict()["span"] is None
    json.dumps([f.to_dict() for f in check_message("See www.a.com", "amazon", "en", "apology")])


# ---- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("platform, lang, kind, what", [
    ("amazn", "en", "general", "platform"),
    ("amazon", "de", "general", "language"),
    ("amazon", "en", "apologie", "message kind"),
])
def test_unknown_names_are_refused_with_the_allowed_ones(platform: str, lang: str, kind: str, what: str) -> None:
    with pytest.raises(UnknownNameError) as info:
        check_message("Hello", platform, lang, kind)
    assert info.value.kind == what
    assert "allowed:" in str(info.value)


def test_too_long_empty_and_non_text_messages_are_refused() -> None:
    with pytest.raises(AftersalesError, match="20,000"):
        check_message("a" * 20_001, "amazon", "en", "general")
    check_message("a" * 20_000, "amazon", "en", "general")
    with pytest.raises(AftersalesError, match="empty"):
        check_message("  \n ", "amazon", "en", "general")
    with pytest.raises(AftersalesError, match="text"):
        check_message(None, "amazon", "en", "general")  # type: ignore[arg-type]


@pytest.mark.parametrize("problem, data", [
    ("unknown key", {"rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m",
                                "source": "s", "patterns": {"en": ["x"]}, "colour": "red"}]}),
    ("unknown element", {"rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m",
                                    "source": "s", "use": ["nope"]}]}),
    ("unknown platform", {"rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m",
                                     "source": "s", "platforms": ["ebay"], "patterns": {"en": ["x"]}}]}),
    ("unknown severity", {"rules": [{"id": "a.b", "check": "forbidden", "severity": "fatal", "message": "m",
                                     "source": "s", "patterns": {"en": ["x"]}}]}),
    ("missing source", {"rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m",
                                   "patterns": {"en": ["x"]}}]}),
])
def test_malformed_rules_are_refused_with_the_rule_id(problem: str, data: dict) -> None:
    with pytest.raises(RulesError, match="a.b"):
        parse_rules(data)


# ---- speed ------------------------------------------------------------------------------------

def test_a_typical_message_is_checked_in_well_under_a_millisecond_of_cpu() -> None:
    messages = load_labelled(LABELLED)
    for m in messages:
        check_message(m.text, m.platform, m.lang, m.kind)
    best = []
    for m in messages:
        runs = []
        for _ in range(5):
            start = time.process_time_ns()
            check_message(m.text, m.platform, m.lang, m.kind)
            runs.append(time.process_time_ns() - start)
        best.append(min(runs) / 1e6)
    # Typical measured: ~0.1-0.2 ms with patterns only, ~0.4 ms since issue 15 added the language tools
    # (jieba, pymorphy3, Snowball; concepts.py); the bound leaves room for a loaded test machine.
    assert statistics.median(best) < 1.0, statistics.median(best)


@pytest.mark.parametrize("text", [
    "refund " * 2800,
    "вернём " * 2800,
    "you " * 5000,
    ("please " * 10 + "remove your review " * 3) * 300,
    "退款" * 9000,
    "1" * 19_999,
    "a@" * 9999,
])
def test_no_input_makes_the_checker_backtrack_for_long(text: str) -> None:
    text = text[:20_000]
    start = time.process_time()
    for lang in LANGS:
        check_message(text, "amazon", lang, "apology")
        check_message(text, "ozon", lang, "claim_response")
    assert time.process_time() - start < 3.0


# ---- the labelled set ---------------------------------------------------------------------

def test_the_labelled_set_is_big_varied_and_well_formed() -> None:
    messages = load_labelled(LABELLED)
    assert len(messages) >= 60
    assert len({m.id for m in messages}) == len(messages)
    for lang in LANGS:
        assert sum(m.lang == lang for m in messages) >= 20, lang
    assert {m.platform for m in messages} == set(PLATFORMS)
    assert {m.kind for m in messages} == set(KINDS)
    assert sum(not m.expect for m in messages) >= 20, "hard negatives"
    assert sum(m.split == "heldout" for m in messages) >= 15, "keep a held-out split to measure generalisation"
    ids = {r.id for r in load_rules()}
    for m in messages:
        assert m.expect <= ids, (m.id, m.expect - ids)


def test_the_labelled_set_reaches_precision_and_recall_of_0_9() -> None:
    # Measured when written: 182 messages, precision 0.973 and recall 0.948 (tp 110, fp 3, fn 6);
    # 190 messages, 0.974 / 0.950 (tp 114, fp 3, fn 6) after the follow-up phrase family (fu-*).
    # The tuning split scores 1.000 / 1.000 because the rules were improved on it; the held-out
    # split (18 messages never used to change the rules) scores 0.625 / 0.455, and the fresh
    # batches scored 0.71 / 0.71, 0.30 / 0.30 and 0.54 / 0.54 before the rules were tuned on them:
    # expect roughly that on messages the checker has not seen. Issue 15 (concepts.py) added ~250
    # tuning paraphrases and hard negatives in en/zh/ru: 449 messages, 1.000 / 0.997 (tp 287, fp 0, fn 1).
    scores = score(load_labelled(LABELLED))
    assert scores.overall.precision >= 0.9, scores.mistakes
    assert scores.overall.recall >= 0.9, scores.mistakes
    for lang, tally in scores.by_lang.items():
        assert tally.precision >= 0.8 and tally.recall >= 0.8, (lang, scores.mistakes)


# ---- the playbooks' own messages ------------------------------------------------------------

# The card checks the message of the outcome it shows (the recommendation, or another outcome an
# agent picks instead) as that outcome's reply kind: its own `reply_kind`, else its playbook's
# (aftersales.playbook.compiled.reply_kind_for); practice scoring checks a trainee's reply for
# the case's outcome the same way. bad_review's outcomes whose message is an apology letter are
# held to seed 002's five elements whatever kind they declare; request_removal's message is one
# too unless the review is abusive (then it only offers help).
APOLOGY_OUTCOMES = {"contact_and_solve", "public_reply"}

EXAMPLES_AS_OF = "2026-01-15T09:00:00+00:00"  # aftersales.examples.EXAMPLE_AS_OF

# Cases reaching the outcomes that no worked example and no practice case reaches: (scenario,
# platform, facts), decided at EXAMPLES_AS_OF (the cases of tests/scenarios, one sentence each).
_CLAIM_AMAZON = {"order_value": 35, "currency": "USD", "claim_amount": 35, "claim_opened_on": "2026-01-14T10:00:00+00:00"}
_CLAIM_OZON = {"order_value": 3000, "currency": "RUB", "claim_amount": 3000,
               "claim_opened_on": "2026-01-15T06:00:00+00:00"}
_DEFECT = {"delivered_on": "2026-01-12", "warranty_days": 0, "evidence_provided": True, "defect_severity": "functional",
           "colour_difference": False, "fixable_by_customer": False, "misuse_suspected": False,
           "customer_preference": "none", "spare_part_fixes_it": False, "repairable": True}
_MINOR = {"order_value": 129, "currency": "CNY", **_DEFECT, "defect_severity": "minor", "customer_preference": "refund",
          "return_shipping_cost": 12}
OUTCOME_CASES = [
    # refund_item: a web-store item not as described is refunded with a prepaid return
    ("claim", "generic", {"order_value": 49, "currency": "EUR", "claim_amount": 49, "claim_type": "not_as_described",
                          "claim_opened_on": "2026-01-14T12:00:00+00:00", "evidence_provided": True,
                          "customer_preference": "none"}),
    # refund_lost: tracking says delivered, but without proof the Amazon seller refunds
    ("claim", "amazon", {**_CLAIM_AMAZON, "claim_type": "not_received", "tracking_shows_delivered": True,
                         "seller_evidence": False, "customer_preference": "refund"}),
    # chargeback_dispute: an Amazon chargeback on a delivered order is contested with the proof
    ("claim", "amazon", {**_CLAIM_AMAZON, "claim_type": "chargeback", "tracking_shows_delivered": True,
                         "seller_evidence": True}),
    # chargeback_via_platform: Ozon holds the payments, so a chargeback goes to its support
    ("claim", "ozon", {**_CLAIM_OZON, "claim_type": "chargeback", "tracking_shows_delivered": True,
                       "seller_evidence": True}),
    # fba_wait, fba_expired, fba_no_refund: an FBA item refunded 59 days ago, 121 days ago, or on no recorded day
    ("claim", "amazon", {**_CLAIM_AMAZON, "claim_type": "fba_return_not_received", "refund_issued_on": "2025-11-17"}),
    ("claim", "amazon", {**_CLAIM_AMAZON, "claim_type": "fba_return_not_received", "refund_issued_on": "2025-09-16"}),
    ("claim", "amazon", {**_CLAIM_AMAZON, "claim_type": "fba_return_not_received", "refund_issued_on": None}),
    # fba_not_applicable: there is no FBA reimbursement rule on Ozon
    ("claim", "ozon", {**_CLAIM_OZON, "claim_type": "fba_return_not_received", "refund_issued_on": "2025-11-01"}),
    # not_delivered: a parcel not delivered yet waits for delivery
    ("quality_defect", "amazon", {"order_value": 80, "currency": "USD", **_DEFECT, "delivered_on": None}),
    # not_covered: handling damage that cannot be repaired is not covered
    ("quality_defect", "generic", {"order_value": 60, "currency": "EUR", **_DEFECT, "misuse_suspected": True,
                                   "repairable": False}),
    # partial_refund_accepted, raised_partial_refund_accepted: the first offer, or the raised one, is accepted
    ("quality_defect", "taobao", {**_MINOR, "customer_accepts_partial_refund": True}),
    ("quality_defect", "taobao", {**_MINOR, "customer_accepts_partial_refund": False,
                                  "customer_accepts_raised_offer": True}),
    # colour_return: a colour difference is returned with the shipping paid by the seller
    ("quality_defect", "taobao", {"order_value": 129, "currency": "CNY", **_DEFECT, "colour_difference": True,
                                  "customer_preference": "refund"}),
]

# Outcome x platform pairs whose message the engine makes for no case, so the card asks the agent
# to write it by hand (an override to them on that platform): fba_wait's message names the day
# the reimbursement claim opens, and only Amazon has an FBA claim window.
NOT_MADE = {("claim", "fba_wait", platform) for platform in ("generic", "ozon", "taobao")}
# A restocking fee exists only where the platform sets restocking_fee_max_pct (Amazon.com): elsewhere
# a used item is refused (China, Russia) or refunded minus the lost value (EU), never charged a fee.
def _without_restocking_fee() -> set[str]:
    from aftersales.library import load_library

    profiles = load_library().profiles
    return {name for name, profile in profiles.items() if profile.values("2026-01-15").get("restocking_fee_max_pct") is None}


NOT_MADE |= {(scenario, "return_with_restocking_fee", platform)
             for scenario in ("size_mismatch", "change_of_mind") for platform in _without_restocking_fee()}


# What a rendered message must never show: a value that was not there, template code, a gap left
# by an empty value ("about order .").
_RESIDUE = re.compile(r"\bNone\b|\{\{|\}\}|\{%|%\}| [,.;:](?=\s|$)")


def _is_apology(scenario: str, outcome: str, facts: dict) -> bool:
    if scenario != "bad_review":
        return False
    return outcome in APOLOGY_OUTCOMES or (outcome == "request_removal" and not facts.get("abusive_or_personal_data"))


def _kinds(playbook: Any, outcome: str, facts: dict) -> tuple[str, ...]:
    """The kinds a playbook message is checked as: the card's, and seed 002's apology letter where it applies."""
    from aftersales.playbook.compiled import reply_kind_for

    kinds = [reply_kind_for(playbook, outcome)]
    if _is_apology(playbook.scenario, outcome, facts) and "apology" not in kinds:
        kinds.append("apology")
    return tuple(kinds)


def _errors(text: str, platform: str, lang: str, kinds: tuple) -> list:
    """Error-level findings, and the warnings practice counts as misses (the tool's own letters keep
    seed 002's prevention step though the checker only warns when an agent's letter lacks it)."""
    from aftersales.training.scoring import COACHED_RULES

    return [(kind, f.rule, text[f.span[0]:f.span[1]] if f.span else None)
            for kind in kinds for f in check_message(text, platform, lang, kind)
            if f.severity == "error" or f.rule in COACHED_RULES]


@dataclass(frozen=True)
class Base:
    """A case a playbook message is made from: where it comes from, its facts, platform and moment."""

    source: str
    scenario: str
    platform: str
    facts: dict
    as_of: Any


def _bases(library: Any) -> list[Base]:
    """The worked examples, the practice bank and OUTCOME_CASES, each also with every other value of
    each choice or yes/no fact its outcome's message reads (a branch of the template) that keeps the
    case at that outcome."""
    from aftersales.engine import decide
    from aftersales.training.cases import load_cases

    bases = [Base(f"{scenario} example {index + 1}", scenario, example.platform, example.facts,
                  example.as_of or EXAMPLES_AS_OF)
             for scenario in library.scenarios
             for index, (example, _location) in enumerate(library.playbook(scenario).examples)]
    bases += [Base(f"practice case {case.id}", case.scenario, case.platform, case.facts, case.as_of)
              for case in load_cases()]
    bases += [Base(f"OUTCOME_CASES {index + 1}", scenario, platform, facts, EXAMPLES_AS_OF)
              for index, (scenario, platform, facts) in enumerate(OUTCOME_CASES)]
    variants = []
    for base in bases:
        playbook = library.playbook(base.scenario)
        outcome = decide(playbook, base.facts, base.platform, as_of=base.as_of, library=library,
                         render_message=False).outcome
        node = playbook.outcomes[outcome]
        for name in sorted(node.message_variables & set(playbook.inputs)):
            spec = playbook.inputs[name].spec
            if name == "currency" or spec.type not in ("choice", "bool"):  # a currency is only how money is written
                continue
            for value in spec.choices if spec.type == "choice" else [True, False]:
                if base.facts.get(name) == value:
                    continue
                facts = {**base.facts, name: value}
                try:
                    reached = decide(playbook, facts, base.platform, as_of=base.as_of, library=library,
                                     render_message=False).outcome
                except AftersalesError:  # the other value leads to a question this case does not answer
                    continue
                if reached == outcome:
                    variants.append(Base(f"{base.source} with {name}={value}", base.scenario, base.platform, facts,
                                         base.as_of))
    return bases + variants


@dataclass(frozen=True)
class Made:
    """A message the card can show: the case it is made from (and how), the kinds it is checked as, the text."""

    source: str
    facts: dict
    kinds: tuple
    text: str


@functools.cache
def _outcome_messages() -> dict[tuple[str, str, str, str], list[Made]]:
    """Every message the card can show, by (scenario, outcome, platform, lang), each text once per
    kinds. Each base case is decided on every platform of its playbook in every language, and on
    its own platform overridden to every other outcome (the card re-makes an agent's choice with
    aftersales.engine.decide_outcome); an outcome a platform still lacks is made by overriding any
    case decided there, the cases that reach it elsewhere first."""
    from aftersales.engine import decide, decide_outcome
    from aftersales.library import load_library

    library = load_library()
    bases = _bases(library)
    messages: dict[tuple[str, str, str, str], dict[tuple[tuple, str], Made]] = {}
    reaching: dict[tuple[str, str], list[Base]] = {}  # (scenario, outcome) -> the bases reaching it on their platform

    def add(base: Base, decision: Any, platform: str, how: str) -> None:
        kinds = _kinds(decision.playbook, decision.outcome, base.facts)
        key = (base.scenario, decision.outcome, platform, decision.lang)
        text = decision.message["text"]
        messages.setdefault(key, {}).setdefault((kinds, text), Made(f"{base.source}{how}", base.facts, kinds, text))

    def on(base: Base, platform: str) -> dict:
        """``base.facts`` as a case on ``platform``: in a currency the platform takes (params.currencies)."""
        taken = library.profile(platform).values("2026-01-15").get("currencies") or []  # undated: any day
        if "currency" in base.facts and taken and base.facts["currency"] not in taken:
            return {**base.facts, "currency": taken[0]}
        return base.facts

    def override(base: Base, platform: str, outcomes: Any) -> None:
        playbook = library.playbook(base.scenario)
        for lang in LANGS:
            try:
                decision = decide(playbook, on(base, platform), platform, lang=lang, as_of=base.as_of, library=library)
            except AftersalesError:  # on this platform the case asks what its facts do not say
                return
            for outcome in outcomes:
                if outcome == decision.outcome:
                    continue
                try:
                    chosen = decide_outcome(decision, outcome)
                except AftersalesError:  # the card asks the agent to write this message by hand
                    continue
                add(base, chosen, platform, f" on {platform}, {decision.outcome} overridden")

    for base in bases:
        playbook = library.playbook(base.scenario)
        for platform in playbook.platforms:
            for lang in LANGS:
                try:
                    decision = decide(playbook, on(base, platform), platform, lang=lang, as_of=base.as_of,
                                      library=library)
                except AftersalesError:
                    break
                add(base, decision, platform, "" if platform == base.platform else f" on {platform}")
                if platform == base.platform and lang == LANGS[0]:
                    reaching.setdefault((base.scenario, decision.outcome), []).append(base)
        override(base, base.platform, playbook.outcomes)
    for scenario in library.scenarios:
        playbook = library.playbook(scenario)
        for outcome in playbook.outcomes:
            first = reaching.get((scenario, outcome), [])
            for platform in playbook.platforms:
                for base in first + [b for b in bases if b.scenario == scenario and b not in first]:
                    if all((scenario, outcome, platform, lang) in messages for lang in LANGS):
                        break
                    override(base, platform, [outcome])
    return {key: list(found.values()) for key, found in messages.items()}


def _outcome_keys() -> list:
    from aftersales.library import load_library

    library = load_library()
    return [pytest.param(scenario, outcome, platform, lang, id=f"{scenario}-{outcome}-{platform}-{lang}")
            for scenario in library.scenarios
            for outcome in library.playbook(scenario).outcomes
            for platform in library.playbook(scenario).platforms if (scenario, outcome, platform) not in NOT_MADE
            for lang in LANGS]


@pytest.mark.parametrize("scenario, outcome, platform, lang", _outcome_keys())
def test_every_outcome_message_on_every_platform_has_no_error_level_finding(scenario: str, outcome: str,
                                                                            platform: str, lang: str) -> None:
    found = _outcome_messages().get((scenario, outcome, platform, lang))
    assert found, "no case makes this message: add a worked example or a case to OUTCOME_CASES"
    failures = [(made.source, errors) for made in found if (errors := _errors(made.text, platform, lang, made.kinds))]
    learned = any(rule == "learned.resembles_stopped" for _, errors in failures for _, rule, _ in errors)
    assert not failures, (failures, "the learned second opinion stops a message the tool writes: if the text is right, "
                          "retrain it (python -m aftersales.compliance.training): the tool's own messages teach it "
                          "what may be sent" if learned else "")
    residue = [(made.source, match.group(), made.text) for made in found if (match := _RESIDUE.search(made.text))]
    assert not residue, residue


def test_the_messages_no_case_makes_are_the_known_ones() -> None:
    made = {key[:3] for key in _outcome_messages()}
    assert not NOT_MADE & made, "a message NOT_MADE lists is made now: check it and drop it from NOT_MADE"


def _about_choices() -> set[str]:
    from aftersales.library import load_library

    return set(load_library().playbook("bad_review").inputs["about"].spec.choices)


def test_the_bad_review_apology_letters_are_checked_as_apologies() -> None:
    """Seed 002's five elements are checked on contact_and_solve, public_reply and request_removal
    (unless the review is abusive), whatever the review is about, in every language."""
    messages = _outcome_messages()
    about = _about_choices()  # every subject a review can be about
    for outcome in ("contact_and_solve", "public_reply", "request_removal"):
        for lang in LANGS:
            checked = {made.facts["about"] for key, found in messages.items()
                       if key[:2] == ("bad_review", outcome) and key[3] == lang
                       for made in found if "apology" in made.kinds}
            assert checked == about, (outcome, lang, about - checked)
    abusive = [made for key, found in messages.items() if key[:2] == ("bad_review", "request_removal")
               for made in found if made.facts.get("abusive_or_personal_data")]
    assert abusive and all("apology" not in made.kinds for made in abusive)


# ---- the command line ------------------------------------------------------------------------

def _args(file: str, platform: str = "amazon", lang: str = "en", kind: str = "general",
          as_json: bool = False) -> argparse.Namespace:
    return argparse.Namespace(file=file, platform=platform, lang=lang, kind=kind, json=as_json)


def test_run_prints_no_findings_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("Hello, your refund has been issued. Reply here if you need anything.", encoding="utf-8")
    assert compliance_cli.run(_args(str(path))) == 0
    assert capsys.readouterr().out.strip() == "no findings"


def test_run_prints_one_line_per_finding_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("It is your fault. See www.shop.com", encoding="utf-8")
    assert compliance_cli.run(_args(str(path))) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("error forbidden.blame_buyer: ") and lines[0].endswith('at 6-16 "your fault"')
    assert "[seed 002" in lines[0]
    assert lines[1].startswith("error amazon.link: ") and lines[1].endswith('at 22-34 "www.shop.com"')


def test_run_with_warnings_only_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "warn.txt"
    path.write_text("[Important] Your parcel ships today.", encoding="utf-8")
    assert compliance_cli.run(_args(str(path))) == 0
    assert capsys.readouterr().out.startswith("warning amazon.important_tag: ")


def test_run_json_is_exactly_one_object(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "m.txt"
    path.write_text("Мы не несём ответственности за почту.", encoding="utf-8")
    assert compliance_cli.run(_args(str(path), "ozon", "ru", "apology", as_json=True)) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"ok", "findings"} and data["ok"] is False
    for finding in data["findings"]:
        assert set(finding) == {"rule", "severity", "message", "span", "source"}
        assert finding["span"] is None or (isinstance(finding["span"], list) and len(finding["span"]) == 2)
    assert {"apology.missing_apology", "forbidden.deflect_responsibility"} <= {f["rule"] for f in data["findings"]}


def test_run_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("亲，退货单号您随便填一个就行。"))
    assert compliance_cli.run(_args("-", "taobao", "zh", as_json=True)) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in data["findings"]] == ["deception.fake_tracking"]


@pytest.mark.parametrize("content, needle", [
    (None, "not found"),
    ("", "empty"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_run_raises_one_clear_error_for_bad_files(tmp_path: Path, content: object, needle: str) -> None:
    path = tmp_path / "msg.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AftersalesError, match=needle):
        compliance_cli.run(_args(str(path)))


def test_run_refuses_unknown_option_values_from_a_namespace(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("Hello", encoding="utf-8")
    with pytest.raises(UnknownNameError):
        compliance_cli.run(_args(str(path), platform="ebay"))


# A stand-in for the main `aftersales` CLI until check-message is wired in: the same contract
# (AftersalesError -> one line on stderr, exit 2).
TINY_CLI = """
import argparse, sys
from aftersales.compliance import cli
from aftersales.errors import AftersalesError

class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\\n")

parser = Parser(prog="aftersales")
sub = parser.add_subparsers(dest="command", parser_class=Parser)
cli.add_parser(sub)
args = parser.parse_args(sys.argv[1:])
try:
    sys.exit(cli.run(args))
except AftersalesError as exc:
    print(f"aftersales {args.command}: {exc}", file=sys.stderr)
    sys.exit(2)
"""


def _tiny(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", TINY_CLI, *argv], check=False, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_subprocess_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Hello, we have refunded you. Reply here with any question.", encoding="utf-8")
    result = _tiny("check-message", "--platform", "amazon", "--lang", "en", "--kind", "general", str(good))
    assert result.returncode == 0 and result.stdout.strip() == "no findings", result

    result = _tiny("check-message", "--platform", "ozon", "--lang", "ru", "--kind", "general", "--json", "-",
                   stdin="Напишите мне в WhatsApp.")
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["rule"] == "ozon.outside_contact"

    result = _tiny("check-message", "--platform", "amazon", "--lang", "en", "--kind", "general",
                   str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "not found" in result.stderr and "Traceback" not in result.stderr

    result = _tiny("check-message", "--platform", "ebay", "--lang", "en", "--kind", "general", str(good))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice" in result.stderr

    result = _tiny("check-message", "--platform", "amazon", "--lang", "en", "--kind", "general", "-", stdin="  ")
    assert result.returncode == 2 and "empty" in result.stderr
