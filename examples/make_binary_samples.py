"""Generate the binary files of the sample corpus: one DOCX 政策解读 and one PDF 办事指南.

    .venv/bin/python examples/make_binary_samples.py [--out examples/corpus]

Rerunnable and deterministic: the same script writes byte-identical files (fixed DOCX core properties and ZIP
timestamps; reportlab `invariant=1`). Everything in them, like the rest of the sample corpus, is fictional.

The PDF uses reportlab's built-in CID font STSong-Light (Adobe-GB1, UniGB-UCS2-H encoding). No font file is
embedded, and pypdf's `extract_text()` maps the glyphs back to readable Chinese through the encoding's CMap.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
DOCX_NAME = "linjiang_dibao_banfa_jiedu_2024.docx"
PDF_NAME = "linjiang_linshi_jiuzhu_guide.pdf"
FIXED_TIME = datetime(2024, 2, 8, 9, 0, 0)
ZIP_TIME = (2024, 2, 8, 9, 0, 0)

# ---------------------------------------------------------------------------------------------------------------
# DOCX: 政策解读
# ---------------------------------------------------------------------------------------------------------------

JIEDU_TITLE = "《临江区最低生活保障审核确认办法》政策解读"

JIEDU_META = [
    "索引号：00LJ0021/2024-00012",
    "发布机构：临江区民政局",
    "成文日期：2024-02-08",
    "解读文件：《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）",
]

# (kind, text): "h" = heading paragraph, "p" = body paragraph, "table" = the one table (text ignored).
JIEDU_BODY: list[tuple[str, str]] = [
    ("h", "一、出台背景"),
    (
        "p",
        "2019年，我区印发《临江区城乡最低生活保障实施细则》（临政发〔2019〕12号），对规范全区低保工作发挥了"
        "重要作用。近年来，国家和省、市相继出台低保审核确认的新规定，对简化办理流程、缩短办理时限、"
        "推进城乡统筹提出了新要求。为进一步规范低保审核确认工作，切实保障困难群众基本生活，"
        "区民政局牵头起草了《临江区最低生活保障审核确认办法》（以下简称《办法》），"
        "经区政府常务会议审议通过，以临政规〔2024〕3号文件印发，自2024年3月1日起施行，有效期5年。"
        "原临政发〔2019〕12号文件同时废止。",
    ),
    ("h", "二、主要内容"),
    ("p", "《办法》共六章二十二条，主要内容包括总则、申请条件和保障标准、申请和受理、审核和确认、管理和监督以及附则。"),
    (
        "p",
        "（一）统一城乡低保标准。全区实行城乡统一的低保标准，现行标准为每人每月1050元，"
        "原细则规定的城市每人每月780元、农村每人每月650元的分设标准不再执行。",
    ),
    (
        "p",
        "（二）放宽财产认定条件。家庭成员人均金融资产上限由原来低保标准的12倍提高到24倍；"
        "价值低于3万元的生产经营用车辆不再作为不予纳入低保的情形。",
    ),
    (
        "p",
        "（三）缩短办理时限。乡镇（街道）审核时限由原来的20个工作日缩短为15个工作日，"
        "区民政局确认时限由原来的20个工作日缩短为10个工作日。",
    ),
    ("p", "（四）优化发放方式。低保金由按季度发放调整为按月发放，每月25日前发放到低保对象的“一卡通”账户。"),
    ("p", "（五）建立渐退机制。低保家庭成员实现就业后收入超过低保标准但低于1.5倍的，可以给予6个月的渐退期。"),
    ("h", "三、适用对象"),
    (
        "p",
        "《办法》适用于持有本区户籍，家庭人均月收入低于本区低保标准且家庭财产符合规定的家庭。"
        "持有本区居住证且在本区连续居住满1年的非本区户籍家庭，符合收入和财产条件的，"
        "也可以向经常居住地乡镇（街道）提出申请。",
    ),
    ("h", "四、办理流程"),
    (
        "p",
        "申请人向户籍所在地或者经常居住地乡镇（街道）提出申请，也可以通过“青禾社会救助”网上平台在线申请。"
        "各环节办理主体和时限如下表：",
    ),
    ("table", ""),
    ("p", "对审核、确认结果有异议的，可以向乡镇（街道）或者区民政局反映，也可以依法申请行政复议或者提起行政诉讼。"),
    ("h", "五、咨询渠道"),
    (
        "p",
        "咨询电话：临江区民政局社会救助科 0571-86902315（工作日上午8:30—12:00，下午14:00—17:30）；"
        "也可拨打12345政务服务便民热线咨询。",
    ),
    ("p", "监督举报电话：0571-86902316。"),
]

JIEDU_TABLE = [
    ["办理环节", "办理主体", "时限"],
    ["申请受理", "乡镇（街道）", "材料齐全的当场受理"],
    ["调查审核", "乡镇（街道）", "自受理之日起15个工作日内"],
    ["公示", "村（社区）", "7天"],
    ["确认", "区民政局", "自收到审核意见之日起10个工作日内"],
]


def _set_run_font(run, size: float, east_asia: str = "宋体") -> None:
    run.font.size = Pt(size)
    run.font.name = east_asia
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def build_docx() -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title = JIEDU_TITLE
    props.author = "临江区民政局"
    props.last_modified_by = "临江区民政局"
    props.subject = "政策解读"
    props.keywords = "最低生活保障;政策解读;临政规〔2024〕3号"
    props.comments = "Sample document for a fictional district. All names and numbers are invented."
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_font(title.add_run(JIEDU_TITLE), 18, "方正小标宋简体")

    for line in JIEDU_META:
        _set_run_font(doc.add_paragraph().add_run(line), 10.5)

    for kind, text in JIEDU_BODY:
        if kind == "table":
            table = doc.add_table(rows=len(JIEDU_TABLE), cols=len(JIEDU_TABLE[0]))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(JIEDU_TABLE):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(value)
                    _set_run_font(run, 12)
                    run.bold = r == 0
            continue
        para = doc.add_paragraph()
        if kind == "h":
            run = para.add_run(text)
            _set_run_font(run, 16, "黑体")
        else:
            para.paragraph_format.first_line_indent = Pt(32)
            _set_run_font(para.add_run(text), 16, "仿宋")

    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_run_font(sign.add_run("临江区民政局"), 16, "仿宋")
    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_run_font(date.add_run("2024年2月8日"), 16, "仿宋")

    buf = io.BytesIO()
    doc.save(buf)
    return _normalize_zip(buf.getvalue())


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed timestamps and a stable member order, so that reruns are byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        # [Content_Types].xml must stay first; keep python-docx's order for the rest.
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# PDF: 办事指南
# ---------------------------------------------------------------------------------------------------------------

PDF_FONT = "STSong-Light"
GUIDE_TITLE = "临江区临时救助申请办事指南"

# Paragraphs of the guide, in order. Lines starting with "一、" etc. are headings; "" is a small gap.
GUIDE_PARAS: list[str] = [
    "一、事项名称",
    "临时救助（含急难型临时救助和支出型临时救助）。",
    "二、实施主体",
    "临江区民政局。乡镇人民政府、街道办事处负责受理、调查和审核。",
    "三、办理依据",
    "1.《社会救助暂行办法》；",
    "2.《临江区临时救助实施办法》（临政规〔2022〕2号）。",
    "四、申请条件",
    "（一）因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭；",
    "（二）因生活必需支出突然增加超出家庭承受能力，导致基本生活暂时出现严重困难的最低生活保障家庭、低保边缘家庭；",
    "（三）遭遇其他特殊困难，基本生活暂时出现严重困难的家庭或者个人。",
    "五、申请材料",
    "1.临时救助申请书；",
    "2.申请人居民身份证或者户口簿；",
    "3.家庭经济状况申报表及家庭经济状况信息核对授权书；",
    "4.证明困难情况的相关材料，如医疗费用票据、事故证明等。能够通过部门信息共享获取的，不再要求申请人提交。",
    "六、办理流程",
    "1.申请：向户籍所在地或者经常居住地乡镇（街道）提出申请；",
    "2.受理：材料齐全的当场受理，材料不齐全的一次性告知需补正的材料；",
    "3.审核：乡镇（街道）通过入户调查、信息核对等方式调查核实并提出审核意见；",
    "4.审批：区民政局作出审批决定，符合条件的发放救助金；",
    "5.先行救助：对情况紧急的，乡镇（街道）可以在24小时内先行给予救助，事后补齐材料、补办手续。",
    "七、办理时限",
    "法定时限：20个工作日。",
    "承诺时限：5个工作日。",
    "八、救助标准",
    "根据困难程度和家庭人口数确定，一次救助金额原则上不超过当年本区低保标准的6倍；情况特别严重的，经区民政局集体研究，可以适当提高。",
    "九、收费标准",
    "不收费。",
    "十、办理地点",
    "户籍所在地或者经常居住地乡镇（街道）便民服务中心社会救助窗口；临江区政务服务中心一楼民政窗口（临江区江滨路120号）。",
    "十一、办理时间",
    "周一至周五上午8:30—12:00，下午14:00—17:30（法定节假日除外）。",
    "十二、咨询电话",
    "临江区民政局社会救助科：0571-86902315；12345政务服务便民热线。",
    "十三、监督投诉",
    "监督举报电话：0571-86902316。",
]
GUIDE_SIGN = ["临江区民政局", "2024年3月"]

PAGE_W, PAGE_H = A4
FONT_SIZE = 14.0
CHARS_PER_LINE = 25
TEXT_W = FONT_SIZE * CHARS_PER_LINE  # 25 full-width characters per line
LEFT = (PAGE_W - TEXT_W) / 2
TOP = PAGE_H - 80
BOTTOM = 90
LEADING = 21.0
NO_LINE_START = set("，。、；：！？）》”’〕】,.;:!?)")
NO_LINE_END = set("（《“‘〔【(")


def _is_heading(text: str) -> bool:
    head = text.split("、", 1)[0]
    return "、" in text and len(text) <= 8 and all(ch in "一二三四五六七八九十" for ch in head)


def _wrap(text: str, width: float, indent: float = 0.0) -> list[str]:
    """Break `text` into lines no wider than `width` points (first line narrower by `indent`), keeping closing
    punctuation off the start of a line and opening punctuation off its end, as typesetters do."""
    lines: list[str] = []
    line = ""
    limit = width - indent
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, PDF_FONT, FONT_SIZE) > limit + 0.01:
            if ch in NO_LINE_START:
                line += ch  # hang the punctuation mark in the margin
                continue
            carry = ""
            while line and line[-1] in NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line)
            line = carry
            limit = width
        line += ch
    if line:
        lines.append(line)
    return lines


def _layout() -> list[list[tuple[float, float, str, float]]]:
    """Lay the guide out in pages of (x, y, text, size) items."""
    items: list[tuple[str, str]] = []  # (style, text): style in title|heading|body|body-cont|sign|gap
    items.append(("title", GUIDE_TITLE))
    items.append(("gap", ""))
    for para in GUIDE_PARAS:
        if _is_heading(para):
            items.append(("heading", para))
            continue
        indent = 0.0 if para[:1].isdigit() or para.startswith("（") else 2 * FONT_SIZE
        for i, piece in enumerate(_wrap(para, TEXT_W, indent)):
            items.append(("body" if i == 0 and indent else "body-cont", piece))
    items.append(("gap", ""))
    for line in GUIDE_SIGN:
        items.append(("sign", line))

    pages: list[list[tuple[float, float, str, float]]] = [[]]
    y = TOP
    for style, text in items:
        step = LEADING * (1.6 if style == "title" else 0.5 if style == "gap" else 1.0)
        if y - step < BOTTOM:
            pages.append([])
            y = TOP
        y -= step
        if style == "gap":
            continue
        if style == "title":
            size = 20.0
            x = (PAGE_W - pdfmetrics.stringWidth(text, PDF_FONT, size)) / 2
        elif style == "sign":
            size = FONT_SIZE
            x = LEFT + TEXT_W - pdfmetrics.stringWidth(text, PDF_FONT, size) - FONT_SIZE
        elif style == "body":
            size, x = FONT_SIZE, LEFT + 2 * FONT_SIZE
        else:
            size, x = FONT_SIZE, LEFT
        pages[-1].append((x, y, text, size))
    return pages


def build_pdf() -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    pages = _layout()
    if len(pages) != 2:
        raise SystemExit(f"the guide should fill exactly 2 pages, got {len(pages)}: adjust FONT_SIZE/LEADING")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    c.setTitle(GUIDE_TITLE)
    c.setAuthor("临江区民政局")
    c.setSubject("办事指南")
    c.setCreator("examples/make_binary_samples.py")
    for number, page in enumerate(pages, start=1):
        for x, y, text, size in page:
            c.setFont(PDF_FONT, size)
            c.drawString(x, y, text)
        c.setFont(PDF_FONT, 12)
        c.drawCentredString(PAGE_W / 2, 50, f"- {number} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "corpus", help="output folder (default: examples/corpus)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in ((DOCX_NAME, build_docx()), (PDF_NAME, build_pdf())):
        (args.out / name).write_bytes(data)
        print(f"wrote {args.out / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
