"""Check examples/questions.jsonl against the sample corpus in examples/corpus/.

    .venv/bin/python examples/check_questions.py [--questions examples/questions.jsonl] [--corpus examples/corpus]

Checks:
1. every line is a question object with the expected fields, types and a unique id; unanswerable questions have
   no sources or passages; every passage's doc is one of the question's source_docs and exists in the corpus;
2. every supporting passage of a .txt/.md document is an exact substring of the file's text (the strict check);
3. for .html/.docx/.pdf documents, best effort: the passage is a substring of the text extracted with the standard
   library's HTML parser (scripts, styles, comments and display:none elements dropped), python-docx or pypdf.
   A format whose library is not installed is skipped and reported as such;
4. the 依申请公开 tables of the two annual reports add up (each row's 总计 is the sum of its six columns; per
   column, 新收 + 上年结转 = （七）总计 + 结转下年度, and （七）总计 is the sum of the result rows).

Exits 1 if anything fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = {"regulation", "procedure", "annual_report_fact", "numeric_table", "interpretation", "unanswerable"}
FIELDS = {
    "id": str,
    "type": str,
    "question": str,
    "answer": str,
    "answer_aliases": list,
    "answer_keywords": list,
    "source_docs": list,
    "supporting_passages": list,
    "notes": str,
}
TEXT_SUFFIXES = {".txt", ".md"}


# --- text extraction for the non-text formats (best effort) ----------------------------------------------------


class _VisibleText(HTMLParser):
    """Visible text of an HTML page: no <head>, <script>, <style>, comments or display:none elements."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SKIP = {"head", "script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it hidden?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        style = (dict(attrs).get("style") or "").replace(" ", "").lower()
        hidden = tag in self.SKIP or "display:none" in style or "visibility:hidden" in style
        hidden = hidden or any(k == "hidden" for k, _ in attrs)
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        if tag in {"p", "div", "h1", "h2", "h3", "li", "tr"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def docx_text(path: Path) -> str:
    import docx  # python-docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


EXTRACTORS = {".html": html_text, ".htm": html_text, ".docx": docx_text, ".pdf": pdf_text}


def document_text(path: Path) -> tuple[str | None, str]:
    """(text, how): text is None when the format cannot be read here."""
    if path.suffix in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8"), "exact"
    extractor = EXTRACTORS.get(path.suffix)
    if extractor is None:
        return None, f"no extractor for {path.suffix}"
    try:
        return extractor(path), "extracted"
    except ImportError as exc:
        return None, f"skipped ({exc.name} not installed)"


# --- annual report tables ---------------------------------------------------------------------------------------

RESULT_ROW = re.compile(r"^（[一二三四五六]）|^\d\.")


def _table_rows(text: str) -> list[tuple[str, list[int]]]:
    """(label, numbers) rows of the 依申请公开 table, in either of the two flattened shapes."""
    start = text.index("三、收到和处理政府信息公开申请情况")
    end = text.index("四、政府信息公开行政复议、行政诉讼情况")
    section = text[start:end]
    rows: list[tuple[str, list[int]]] = []
    if " |" in section:  # one cell per line ending in " |"
        cells = [ln.strip()[:-1].strip() for ln in section.splitlines() if ln.strip().endswith("|")]
        cells = [c for c in cells if c.strip("|")]
        label, nums = None, []
        for cell in cells + ["<end>"]:
            if re.fullmatch(r"\d+", cell):
                nums.append(int(cell))
                continue
            if label is not None and nums:
                rows.append((label, nums))
            label, nums = cell, []
    else:  # label followed by space-separated numbers
        for line in section.splitlines():
            m = re.match(r"^(\S.*?)((?:\s+\d+){7})\s*$", line.strip())
            if m:
                rows.append((m.group(1), [int(n) for n in m.group(2).split()]))
    return rows


def check_annual_report(path: Path) -> list[str]:
    errors: list[str] = []
    rows = _table_rows(path.read_text(encoding="utf-8"))
    if len(rows) != 25:
        errors.append(f"{path.name}: expected 25 numeric rows in the 依申请公开 table, found {len(rows)}")
        return errors
    for label, nums in rows:
        if len(nums) != 7:
            errors.append(f"{path.name}: row {label!r} has {len(nums)} numbers, expected 7")
        elif sum(nums[:6]) != nums[6]:
            errors.append(f"{path.name}: row {label!r}: columns sum to {sum(nums[:6])}, 总计 says {nums[6]}")
    new = next(n for lbl, n in rows if lbl.startswith("一、本年新收"))
    carried_in = next(n for lbl, n in rows if lbl.startswith("二、上年结转"))
    total = next(n for lbl, n in rows if lbl.startswith("（七）总计"))
    carried_out = next(n for lbl, n in rows if lbl.startswith("四、结转下年度"))
    results = [n for lbl, n in rows if RESULT_ROW.match(lbl) and not lbl.startswith("（七）")]
    for col in range(7):
        if new[col] + carried_in[col] != total[col] + carried_out[col]:
            errors.append(f"{path.name}: column {col + 1}: 新收+上年结转 != （七）总计+结转下年度")
        if sum(r[col] for r in results) != total[col]:
            errors.append(
                f"{path.name}: column {col + 1}: result rows sum to {sum(r[col] for r in results)}, "
                f"（七）总计 says {total[col]}"
            )
    review = _review_numbers(path.read_text(encoding="utf-8"))
    if len(review) != 15:
        errors.append(f"{path.name}: expected 15 numbers in the 行政复议/行政诉讼 table, found {len(review)}")
    else:
        for g in range(3):  # 结果维持 结果纠正 其他结果 尚未审结 总计, three times
            group = review[5 * g : 5 * g + 5]
            if sum(group[:4]) != group[4]:
                errors.append(f"{path.name}: 行政复议/行政诉讼 group {g + 1} {group}: 总计 is not the sum")
    return errors


def _review_numbers(text: str) -> list[int]:
    """The 15 numbers of the 行政复议/行政诉讼 table (section 四), in either flattened shape."""
    start = text.index("四、政府信息公开行政复议、行政诉讼情况")
    section = text[start : text.index("五、存在的主要问题及改进情况", start)]
    nums: list[int] = []
    for line in section.splitlines():
        cell = line.strip().rstrip("|").strip()
        if re.fullmatch(r"\d+(?:\s+\d+)*", cell):
            nums.extend(int(n) for n in cell.split())
    return nums


# --- main ---------------------------------------------------------------------------------------------------------


def check(questions_path: Path, corpus: Path) -> int:
    errors: list[str] = []
    notes: list[str] = []
    texts: dict[str, tuple[str | None, str]] = {}
    seen: set[str] = set()
    counts = {"exact": 0, "extracted": 0, "skipped": 0}
    lines = questions_path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: not JSON: {exc}")
            continue
        qid = q.get("id", f"line {n}")
        for name, typ in FIELDS.items():
            if not isinstance(q.get(name), typ):
                errors.append(f"{qid}: field {name!r} missing or not {typ.__name__}")
        if set(q) - set(FIELDS):
            errors.append(f"{qid}: unknown fields {sorted(set(q) - set(FIELDS))}")
        if qid in seen:
            errors.append(f"{qid}: duplicate id")
        seen.add(qid)
        if q.get("type") not in TYPES:
            errors.append(f"{qid}: unknown type {q.get('type')!r}")
        if q.get("type") == "unanswerable":
            if q.get("source_docs") or q.get("supporting_passages"):
                errors.append(f"{qid}: unanswerable questions take no source_docs or supporting_passages")
            continue
        if not q.get("answer"):
            errors.append(f"{qid}: empty answer")
        if not q.get("supporting_passages"):
            errors.append(f"{qid}: no supporting passages")
        for doc in q.get("source_docs", []):
            if not (corpus / doc).is_file():
                errors.append(f"{qid}: source doc {doc} not found in {corpus}")
        for passage in q.get("supporting_passages", []):
            doc, text = passage.get("doc", ""), passage.get("text", "")
            if doc not in q.get("source_docs", []):
                errors.append(f"{qid}: passage doc {doc} is not among source_docs")
            path = corpus / doc
            if not path.is_file():
                errors.append(f"{qid}: passage doc {doc} not found")
                continue
            if doc not in texts:
                texts[doc] = document_text(path)
            content, how = texts[doc]
            if content is None:
                counts["skipped"] += 1
                notes.append(f"{qid}: {doc}: {how}")
                continue
            counts[how] += 1
            if text not in content:
                errors.append(f"{qid}: passage not found in {doc} ({how}): {text!r}")

    for name in ("ar_2023_linjiang_district.txt", "ar_2024_linjiang_district.txt"):
        if (corpus / name).is_file():
            errors.extend(check_annual_report(corpus / name))

    for note in notes:
        print("note:", note)
    for err in errors:
        print("FAIL:", err)
    print(
        f"{len(seen)} questions; passages checked: {counts['exact']} exact (.txt/.md), "
        f"{counts['extracted']} via extraction (.html/.docx/.pdf), {counts['skipped']} skipped; "
        f"{len(errors)} error(s)"
    )
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Check the sample questions against the sample corpus.")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    sys.exit(check(args.questions, args.corpus))


if __name__ == "__main__":
    main()
