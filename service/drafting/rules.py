"""The rules that sort a policy's passages into the sections of a 政策解读, and the questions citizens ask.

Each section has cues in headings and in the text, with weights; a passage goes to the section that scores best
above a threshold, and retrieval (BM25 of the passage against the section's description) breaks near-ties.
The wording follows what offices publish: 出台背景与依据, 主要内容, 适用对象与条件, 办理流程、材料与时限, 咨询渠道.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.drafting.model import BACKGROUND, CONTACT, MAIN, PROCESS, SCOPE

PHONE = r"\d{3,4}-\d{7,8}|(?<!\d)1234[59](?!\d)"
PENALTY = re.compile(r"追究|罚款|处分|责令|没收|违反本")


@dataclass(frozen=True)
class SectionRule:
    name: str
    heading: re.Pattern[str]  # cues in the clause's own heading (weight 1.0) or a chapter above it (0.5)
    cues: tuple[tuple[re.Pattern[str], float], ...]  # body cues and their weights; the best one counts
    weak: re.Pattern[str] | None  # adds 0.3 when present
    query: str  # what the section is about, for retrieval
    limit: int  # at most this many points
    penalty: float = 0.0  # subtracted: the catch-all section yields to specific ones
    avoid: re.Pattern[str] | None = None  # text that belongs elsewhere (penalties are not a procedure): -1.0


def _cues(*pairs: tuple[str, float]) -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p), w) for p, w in pairs)


SECTION_RULES: tuple[SectionRule, ...] = (
    SectionRule(
        BACKGROUND, re.compile(r"依据|背景|目的"),
        _cues((r"^为了?.{2,120}?(?:制定|出台)本", 1.5), (r"(?:根据|依据)《", 1.0), (r"^\d?[.、．]?\s*《[^》]+》[^，。]{0,30}[；。]?$", 1.0),
              (r"自.{0,20}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日起?施行|起施行|同时废止|审议通过", 1.5), (r"有效期", 1.0)),
        None, "制定 目的 依据 根据 施行 废止 背景", limit=4,
    ),
    SectionRule(
        SCOPE, re.compile(r"适用|条件|对象|范围|资格"),
        _cues((r"适用于|适用范围", 1.5),
              (r"可以申请|可以向.{0,30}(?:提出|申请)|有权(?:申请|获得|享受|领取|从)|均有.{0,20}权利|应当同时符合|符合下列条件|申请条件", 1.5),
              (r"可以(?:在[^，。；]{0,30}|依照[^，。；]{0,20})?(?:申请|申领)(?!人)", 1.2),
              (r"给予(?:最低生活保障|救助|保障|补助)|(?:纳入|享受).{0,10}(?:保障|救助|待遇)", 1.0), (r"不予|不得申请|不属于", 0.5)),
        re.compile(r"户籍|居住证|家庭成员|收入低于|人均|财产|职工"), "申请 条件 适用 对象 符合 户籍 家庭 收入 可以申请", limit=6,
        avoid=PENALTY,
    ),
    SectionRule(
        PROCESS, re.compile(r"流程|程序|材料|时限|受理|审核|确认|审批|办理(?!依据)|期限|方式|地点|时间"),
        _cues((r"材料|申请书|身份证|户口簿|证明", 1.2), (r"\d+\s*个?工作日|\d+\s*日内|\d+\s*天|即时办结|当场", 1.2),
              (r"受理|审核|审批|作出.{0,8}决定|公示|办结|入户调查|下列程序|提出.{0,6}申请|答复|送达", 1.0),
              (r"办理地点|办理时间|窗口", 1.0)),
        re.compile(r"申请|调查|核实|告知|核对"), "申请 受理 审核 材料 时限 工作日 流程 办理", limit=8,
        avoid=PENALTY,
    ),
    SectionRule(
        CONTACT, re.compile(r"咨询|电话|投诉|监督|联系|热线"),
        _cues((PHONE, 1.5), (r"咨询电话|举报电话|投诉电话|服务电话|热线", 1.2),
              (r"网上平台|网上服务大厅|APP|[Hh][Tt][Tt][Pp]|网址|公众号|小程序", 1.2)),
        re.compile(r"咨询|窗口|便民服务中心"), "咨询 电话 热线 网上 平台 窗口 投诉", limit=4,
    ),
    SectionRule(
        MAIN, re.compile(r"标准|待遇|管理|监督|发放|保障|额度|金额|法律责任|罚则"),
        _cues((r"\d+(?:\.\d+)?\s*(?:元|倍|%|万元|个月|年)|每人每月|按月|每月\d+日|享受(?:下列)?(?:便利|待遇|服务|权利)", 1.5),
              (r"标准|实行|给予|发放|增发|渐退|核查|复核|不得|禁止|责令|追究|停止|免费|不收费|提取|缴存|补贴", 1.0),
              (r"原则|负责|职责", 0.4)),
        re.compile(r"应当|可以"), "标准 金额 发放 给予 保障 管理 责任", limit=8, penalty=0.3,
    ),
)
THRESHOLD = 1.0
ARTICLE_LABEL = re.compile(r"^第[一二三四五六七八九十百零〇两]+条")
CHAPTER = re.compile(r"^#*\s*第[一二三四五六七八九十百零〇两]+[编章节]")
SKIP = re.compile(r"负责(?:具体)?解释|由.{2,20}解释$|具体办法另行制定|^[^，。；]{0,12}[。；]?$")


@dataclass(frozen=True)
class Intent:
    """A question citizens ask about a policy: how to ask it, what answers it, and how citizens word it."""

    name: str
    question: str  # a template; {t} is the policy's topic ("低保")
    answer: re.Pattern[str]  # a passage must match this to answer the question
    asked: re.Pattern[str]  # a citizen's question matches this when it asks the same thing
    sections: tuple[str, ...]  # sections whose passages answer it best
    prefer: re.Pattern[str] | None = None  # the passage that answers it best usually says this
    heading: re.Pattern[str] | None = None  # ... or sits under a heading like this ("四、申请材料")
    exclude: re.Pattern[str] | None = None  # a passage saying this does not answer it (a fine is not a standard)


INTENTS: tuple[Intent, ...] = (
    Intent("conditions", "哪些人可以申请{t}？",
           re.compile(r"可以(?:依照[^，。；]{0,20})?(?:申请|申领)(?!人)|适用于|有权(?:申请|获得|享受|领取|从)|均有.{0,20}权利"
                      r"|应当同时符合|符合下列条件|给予(?:最低生活保障|救助|保障)"),
           re.compile(r"谁|哪些人|什么人|什么条件|啥条件|条件|资格|符合|能不能申请|能否申请|可以申请吗|能申请吗|够不够"),
           (SCOPE,), re.compile(r"可以申请|符合下列条件|同时符合|有权申请"), heading=re.compile(r"条件|对象|范围")),
    Intent("materials", "申请{t}需要准备哪些材料？",
           re.compile(r"材料|申请书|身份证|户口簿"),
           re.compile(r"材料|证件|证明|带什么|准备什么|准备哪些|提交什么|要交|需要什么|要什么|手续"), (PROCESS,),
           re.compile(r"下列材料|(?:提交|提供|携带).{0,40}材料"), heading=re.compile(r"材料"), exclude=PENALTY),
    Intent("standard", "{t}的标准是多少？",
           re.compile(r"标准.{0,20}\d+\s*(?:元|倍|%)|每人每月\s*\d|\d+\s*元|不超过.{0,20}\d+\s*(?:元|倍)"),
           re.compile(r"标准|多少钱|每月.{0,6}多少|能领多少|能拿多少|发多少|给多少|额度|金额|最多|上限"), (MAIN,),
           re.compile(r"标准为|每人每月|标准是"), heading=re.compile(r"标准|额度"), exclude=PENALTY),
    Intent("deadline", "申请{t}多长时间能办好？",
           re.compile(r"\d+\s*个?工作日|\d+\s*日内|时限|即时办结"),
           re.compile(r"多久|多长时间|几天|多少天|时限|期限|什么时候能|啥时候能|要等|办好"), (PROCESS,),
           re.compile(r"\d+\s*个?工作日内.{0,6}(?:完成|作出|办结|审核|确认|答复)|承诺时限|法定时限"),
           heading=re.compile(r"时限|期限")),
    Intent("where", "到哪里申请{t}？",
           re.compile(r"向.{1,40}(?:提出|申请)|窗口|办理地点|便民服务中心|网上平台|网上服务大厅|APP"),
           re.compile(r"哪里|哪儿|在哪|去哪|到哪|向谁|找谁|哪个部门|什么地方|地点|网上|线上|在线"), (PROCESS, CONTACT),
           re.compile(r"向.{1,40}提出.{0,4}申请|办理地点"), heading=re.compile(r"地点|窗口|流程")),
    Intent("payment", "{t}怎么发放？",
           re.compile(r"发放|按月|一卡通|账户|划入|转账"),
           re.compile(r"怎么发|如何发|什么时候发|啥时候发|发到|打到|到账|发放|领取|怎么领"), (MAIN, PROCESS)),
    Intent("fee", "办理{t}要收费吗？",
           re.compile(r"收费|免费|不收取|费用"),
           re.compile(r"收费|收钱|要钱|花钱|免费|费用|交钱"), (MAIN, PROCESS), heading=re.compile(r"收费")),
    Intent("objection", "对{t}的审核结果有异议怎么办？",
           re.compile(r"异议|行政复议|行政诉讼|申诉|不服"),
           re.compile(r"异议|不服|不同意|不认可|不满意|复议|起诉|申诉|投诉"), (PROCESS, CONTACT), heading=re.compile(r"异议|复议|投诉")),
    Intent("change", "享受{t}以后家里情况变了怎么办？",
           re.compile(r"发生变化|及时告知|核查|复核|动态管理|渐退"),
           re.compile(r"变化|变了|有变|找到工作|收入增加|复查|核查|还能继续|会不会停"), (MAIN,), re.compile(r"发生变化|及时告知")),
    Intent("penalty", "骗取{t}会有什么后果？",
           re.compile(r"骗取|虚报|隐瞒|伪造|冒领"),
           re.compile(r"骗|虚报|隐瞒|造假|伪造|冒领|后果|处罚|处理"), (MAIN,)),
    Intent("contact", "咨询{t}政策可以打什么电话？",
           re.compile(PHONE),
           re.compile(r"电话|热线|咨询|联系|号码|打给"), (CONTACT,), re.compile(r"咨询"), heading=re.compile(r"咨询|电话")),
    Intent("effective", "这项政策什么时候开始施行？",
           re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日起?施行"),
           re.compile(r"什么时候开始|何时开始|什么时候施行|何时施行|什么时候实施|何时实施|什么时候起|生效|施行|实施"),
           (BACKGROUND,)),
)
INTENT_BY_NAME = {i.name: i for i in INTENTS}

DEFINITIONS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:本(?:办法|条例|规定|细则|指南|通知)|前款)所称(?P<term>[^，,。；：]{2,24}?)[，,]?(?:是指|指)(?P<def>[^。；]{4,160})"),
    re.compile(r"(?P<def>[\u4e00-\u9fff、]{2,40})（以下(?P<kind>简称|统称)“?(?P<term>[^（）”]+(?:（[^（）]*）)?)”?）"),
)


def heading_score(rule: SectionRule, path: list[str]) -> float:
    """How much the headings above a passage say it belongs to `rule`'s section: its own heading 1.0 (an article
    label says nothing), a guide's heading above it ("三、申请条件") 0.8, a chapter ("第二章 申请条件和保障标准") 0.5."""
    best = 0.0
    for depth, label in enumerate(reversed(path)):
        if ARTICLE_LABEL.match(label) or not rule.heading.search(label):
            continue
        weight = 1.0 if depth == 0 else 0.5 if CHAPTER.match(label) else 0.8
        best = max(best, weight)
    return best


def body_score(rule: SectionRule, text: str) -> float:
    weights = [w for pattern, w in rule.cues if pattern.search(text)]
    score = max(weights) + 0.2 * min(len(weights) - 1, 2) if weights else 0.0
    if rule.weak is not None and rule.weak.search(text):
        score += 0.3
    return score
