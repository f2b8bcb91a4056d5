"""Words of the demo: survey comments and ticket descriptions in Chinese and English.

A comment names one theme (物流 logistics, 质量 quality, 价格 price, 客服 service, 包装
packaging) with the sentiment its score implies, and may add a closing remark of the
same sentiment, so text analytics has something true to find. The zh and en lists are
parallel: the same index means the same thing in both languages, so a seed gives the
same data in either locale.
"""

from __future__ import annotations

import numpy as np

THEMES = ("logistics", "quality", "price", "service", "packaging")
SENTIMENTS = ("negative", "neutral", "positive")

# theme -> sentiment -> four (zh, en) phrases
_PHRASES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "logistics": {
        "negative": [("物流太慢了，等了一个多星期才到", "Delivery was far too slow, it took over a week"),
                     ("快递一直不更新，催了好几次", "Tracking never updated and I had to chase it several times"),
                     ("送货员态度差，直接放在门口就走了", "The courier was rude and just dumped it at the door"),
                     ("发错了地址，物流体验很差", "It went to the wrong address, a poor delivery experience")],
        "neutral": [("物流速度一般，比预计晚了一天", "Delivery was average, a day later than expected"),
                    ("快递还行，就是没有送货上门", "Shipping was fine, but not delivered to my door"),
                    ("物流中规中矩", "Delivery was about what I expected"),
                    ("发货有点慢，不过最后按时到了", "Dispatch was a bit slow but it arrived in time")],
        "positive": [("物流很快，第二天就到了", "Super fast delivery, it arrived the next day"),
                     ("快递小哥很热情，送货上门", "Friendly courier who brought it to my door"),
                     ("双十一也发货很快，点赞", "Even during Double 11 it shipped quickly, great"),
                     ("物流信息清楚，准时送达", "Clear tracking and on-time delivery")],
    },
    "quality": {
        "negative": [("质量太差了，用了两次就坏了", "Poor quality, it broke after two uses"),
                     ("和图片严重不符，做工粗糙", "Nothing like the pictures, shoddy workmanship"),
                     ("收到有瑕疵，感觉是次品", "It arrived with defects, feels like a reject"),
                     ("味道很大，质量不合格", "Strong chemical smell, not acceptable quality")],
        "neutral": [("质量一般，对得起这个价格", "Quality is average, fair for the price"),
                    ("东西还可以，没有想象中好", "It is okay, not as good as I hoped"),
                    ("做工凑合，能用", "Workmanship is passable, it does the job"),
                    ("质量中等，有小瑕疵但不影响使用", "Middling quality, small flaws that do not matter")],
        "positive": [("质量非常好，做工精细", "Excellent quality and fine workmanship"),
                     ("正品无疑，用着很舒服", "Clearly genuine and very comfortable to use"),
                     ("和描述一致，质量超出预期", "As described and better quality than expected"),
                     ("用了一段时间了，质量很稳定", "Used it for a while now, quality holds up well")],
    },
    "price": {
        "negative": [("价格太贵了，不值这个钱", "Far too expensive, not worth the money"),
                     ("刚买就降价，也不给保价", "The price dropped right after I bought and no price protection"),
                     ("优惠券用不了，感觉被套路", "The coupon would not apply, felt like a trick"),
                     ("比别家贵不少，性价比低", "Much dearer than elsewhere, poor value")],
        "neutral": [("价格还算合理", "The price is reasonable enough"),
                    ("不打折的话有点贵", "A bit expensive without a discount"),
                    ("价格一般，活动时买比较划算", "Average price, better value during sales"),
                    ("性价比中规中矩", "Value for money is about average")],
        "positive": [("性价比很高，活动价很划算", "Great value, the sale price was a bargain"),
                     ("价格实惠，比实体店便宜", "Good price, cheaper than in the shops"),
                     ("赶上双十一，优惠力度大", "Bought in Double 11 with a big discount"),
                     ("这个价格买到这个品质，值了", "This quality at this price is well worth it")],
    },
    "service": {
        "negative": [("客服回复太慢，问题一直没解决", "Customer service replied slowly and never solved my problem"),
                     ("客服态度很差，互相推诿", "Service staff were rude and passed me around"),
                     ("退货流程太麻烦了", "The return process was a real hassle"),
                     ("投诉了也没人管", "I complained and nobody followed up")],
        "neutral": [("客服回复有点慢，但最后解决了", "Service was slowish but sorted it out in the end"),
                    ("客服态度还可以", "Customer service was okay"),
                    ("售后一般，需要多沟通几次", "After-sales was average, took a few contacts"),
                    ("客服是机器人回复，不过问题不大", "Mostly bot replies, but no big problem")],
        "positive": [("客服很耐心，问题很快解决了", "Patient customer service, fixed quickly"),
                     ("售后服务非常好，主动联系我", "Excellent after-sales, they contacted me first"),
                     ("退换货很方便，客服点赞", "Easy returns and great service staff"),
                     ("客服专业又热情", "Professional and friendly customer service")],
    },
    "packaging": {
        "negative": [("包装破损，东西都压坏了", "The box was damaged and the item crushed"),
                     ("包装太简陋，一点保护都没有", "Flimsy packaging with no protection at all"),
                     ("外箱脏兮兮的，像是被退回的", "Dirty outer box, looked like a returned item"),
                     ("漏液了，包装没有密封好", "It leaked because the packaging was not sealed")],
        "neutral": [("包装一般，没有破损", "Packaging was plain but nothing was broken"),
                    ("包装普通，能接受", "Ordinary packaging, acceptable"),
                    ("包装有点简单，送人不太合适", "A bit basic to give as a gift"),
                    ("盒子有点压痕，不影响使用", "A small dent in the box, no harm done")],
        "positive": [("包装很用心，送人很有面子", "Lovely packaging, perfect as a gift"),
                     ("包装严实，一点没损坏", "Well packed, arrived in perfect condition"),
                     ("包装精美，还有小赠品", "Beautiful packaging with a little free gift"),
                     ("包装环保又结实", "Sturdy and eco-friendly packaging")],
    },
}  # fmt: skip

# sentiment -> four (zh, en) closing remarks; a fifth choice is "no closing remark"
_CLOSINGS: dict[str, list[tuple[str, str]]] = {
    "negative": [("不会再买了", "Will not buy again"), ("很失望", "Very disappointed"),
                 ("不推荐", "Would not recommend"), ("希望商家改进", "Please improve")],
    "neutral": [("还会考虑", "Might buy again"), ("一般般吧", "It is so-so"),
                ("可以再改进", "Room for improvement"), ("总体还行", "Overall okay")],
    "positive": [("会继续回购", "Will buy again"), ("推荐给朋友了", "Recommended it to friends"),
                 ("非常满意", "Very satisfied"), ("好评", "Five stars")],
}  # fmt: skip
N_PHRASES, N_CLOSINGS = 4, 5


def _comment_table(lang: int) -> np.ndarray:
    out = []
    for theme in THEMES:
        for sentiment in SENTIMENTS:
            for phrase in _PHRASES[theme][sentiment]:
                for c in range(N_CLOSINGS):
                    if c == N_CLOSINGS - 1:
                        out.append(phrase[lang] + ("。" if lang == 0 else "."))
                    elif lang == 0:
                        out.append(f"{phrase[0]}，{_CLOSINGS[sentiment][c][0]}。")
                    else:
                        out.append(f"{phrase[1]}. {_CLOSINGS[sentiment][c][1]}.")
    return np.array(out, dtype=object)


COMMENTS = {"zh": _comment_table(0), "en": _comment_table(1)}


def comment_index(rng: np.random.Generator, theme: np.ndarray, sentiment: np.ndarray) -> np.ndarray:
    """Index into COMMENTS[locale] of a comment on ``theme`` with ``sentiment``."""
    phrase = rng.integers(0, N_PHRASES, size=theme.size)
    closing = rng.integers(0, N_CLOSINGS, size=theme.size)
    return ((theme * len(SENTIMENTS) + sentiment) * N_PHRASES + phrase) * N_CLOSINGS + closing


# ticket category (process.TICKET_CATEGORIES order) -> label and three descriptions
TICKET_LABELS = {
    "zh": np.array(["物流配送", "商品质量", "退换货", "客服服务", "包装破损", "价格争议"], dtype=object),
    "en": np.array(["Logistics", "Product quality", "Returns & refunds", "Customer service",
                    "Damaged packaging", "Pricing"], dtype=object),
}  # fmt: skip
_DESCRIPTIONS: list[list[tuple[str, str]]] = [
    [("订单超过5天未送达，物流信息不更新", "Order not delivered after 5 days, tracking not updating"),
     ("快递显示已签收但本人未收到", "Parcel marked as delivered but never received"),
     ("配送地址错误，要求重新派送", "Wrong delivery address, asks for redelivery")],
    [("商品使用后出现质量问题，要求退货", "Product failed after use, wants to return it"),
     ("收到的商品与描述不符", "Item received does not match the description"),
     ("商品有明显瑕疵，怀疑不是正品", "Visible defects, suspects a counterfeit")],
    [("申请退货后迟迟没有退款", "Refund still not paid after the return was accepted"),
     ("尺码不合适，要求换货", "Wrong size, asks for an exchange"),
     ("退货运费由谁承担有争议", "Disputes who pays for return shipping")],
    [("客服长时间未回复", "No reply from customer service for a long time"),
     ("对客服处理结果不满意", "Unhappy with how customer service handled the case"),
     ("客服承诺的补偿没有兑现", "Compensation promised by customer service never came")],
    [("外包装破损，商品受损", "Outer box broken and the item damaged"),
     ("液体类商品漏液", "Liquid product leaked in transit"),
     ("礼盒包装压坏，无法送人", "Gift box crushed, cannot be given as a present")],
    [("下单后第二天降价，要求补差价", "Price dropped the day after ordering, wants the difference"),
     ("优惠券未生效，多付了钱", "Coupon did not apply and paid too much"),
     ("活动价与结算价格不一致", "Checkout price differs from the advertised sale price")],
]  # fmt: skip
N_DESCRIPTIONS = 3
DESCRIPTIONS = {
    "zh": np.array([d[0] for cat in _DESCRIPTIONS for d in cat], dtype=object),
    "en": np.array([d[1] for cat in _DESCRIPTIONS for d in cat], dtype=object),
}

# Labels of coded columns, index-aligned with the codes used by the generator.
ORDER_CHANNELS = {
    "zh": np.array(["APP", "微信小程序", "网页"], dtype=object),
    "en": np.array(["App", "Mini program", "Web"], dtype=object),
}
TICKET_CHANNELS = {
    "zh": np.array(["在线客服", "电话", "APP留言"], dtype=object),
    "en": np.array(["Online chat", "Phone", "In-app message"], dtype=object),
}
FEEDBACK_CHANNELS = {
    "zh": np.array(["短信问卷", "APP推送", "商品评价"], dtype=object),
    "en": np.array(["SMS survey", "App push", "Product review"], dtype=object),
}
