"""HTML -> text: the page's main content as lines, without scripts, site chrome or hidden text.

Hidden text is a prompt-injection channel (SECURITY.md): inline styles, hiding classes, the page's own stylesheet
rules, zero font sizes and near-white colours all count as hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from ingest.text_lines import squeeze_blank_lines

# <head> itself is not dropped: html.parser nests the whole body inside it when a page never closes it.
# fmt: off
_DROP_TAGS = ["script", "style", "noscript", "template", "title", "meta", "link", "base", "iframe", "object",
              "embed", "svg", "canvas", "nav", "button", "select", "textarea", "input"]
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "thead", "tbody", "tfoot", "caption", "figure",
    "figcaption", "address", "center", "form", "fieldset", "legend", "hr", "td", "th",
})
# fmt: on
# Classes that mean "not shown" in every common CSS framework; the stylesheet itself is usually not at hand.
_HIDING_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "invisible"})
_CONTAINER_HINTS = ("article", "content", "main", "zoom", "trs_editor")
_NEAR_WHITE = 0xF0
_ZERO_FONT_SIZE = re.compile(
    r"(?<![\w-])font-size\s*:\s*(?:0+\.?0*|\.0+)(?:[a-z]+|%)?\s*(?:!important\s*)?(?:;|$)", re.I
)
_NONZERO_FONT_SIZE = re.compile(r"font-size\s*:\s*0*\.?0*[1-9]", re.IGNORECASE)



def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one line per block element and per table row (cells joined by " | ").

    Drops scripts, styles, title and meta, comments and hidden elements (inline display:none, visibility:hidden,
    font-size:0, opacity:0, white text, the hidden and aria-hidden attributes, hiding classes, and simple
    `.class`/`#id` rules in <style> that hide), and keeps only the article container when one holds most text.
    """
    soup = BeautifulSoup(html, "html.parser")
    hidden_rules = [r for style in soup.find_all("style") for r in _hiding_selectors(style.get_text())]
    for node in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):
        node.extract()  # comments, doctype, CDATA, processing instructions
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_hidden(tag, hidden_rules):
            tag.decompose()
    body = soup.body or soup
    root = _main_container(body)
    lines = _render_lines(root)
    if root is not body:
        lines[:0] = _title_outside(root)
    return squeeze_blank_lines(lines)


def _is_hidden(tag: Tag, hidden_rules: list[tuple[str, str, str]]) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    classes = {c.lower() for c in _classes(tag)}
    style = str(tag.get("style", ""))
    if classes & _HIDING_CLASSES or _style_hides(style):
        return True
    if _ZERO_FONT_SIZE.search(style):
        # font-size:0 on a wrapper is a layout trick (no gaps between inline blocks) when the children set
        # their own size again; otherwise it hides the text.
        return tag.find(style=_NONZERO_FONT_SIZE) is None
    ident = str(tag.get("id", ""))
    return any(
        (not name or name == tag.name)
        and ((kind == "." and value.lower() in classes) or (kind == "#" and value == ident))
        for name, kind, value in hidden_rules
    )


def _style_hides(style: str) -> bool:
    for declaration in style.split(";"):
        prop, _, value = declaration.partition(":")
        prop = prop.strip().lower()
        value = value.lower().replace("!important", "").strip()
        if (
            (prop == "display" and value == "none")
            or (prop == "visibility" and value in ("hidden", "collapse"))
            or (prop == "opacity" and _number(value) is not None and (_number(value) or 0) < 0.1)
            or (prop == "color" and _is_near_white(value))
        ):
            return True
    return False


def _classes(tag: Tag) -> list[str]:
    return [str(c) for c in tag.get_attribute_list("class") if c]


def _number(value: str) -> float | None:
    match = re.fullmatch(r"(\d*\.?\d+)\s*(?:[a-z]+|%)?", value)
    return float(match.group(1)) if match else None


def _is_near_white(value: str) -> bool:
    value = value.replace(" ", "")
    if value == "white":
        return True
    if hex_match := re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", value):
        digits = hex_match.group(1)
        channels = [d * 2 for d in digits[:3]] if len(digits) <= 4 else [digits[i : i + 2] for i in (0, 2, 4)]
        return all(int(c, 16) >= _NEAR_WHITE for c in channels)
    if rgb_match := re.fullmatch(r"rgba?\((\d+),(\d+),(\d+)(?:,[\d.]+)?\)", value):
        return all(int(c) >= _NEAR_WHITE for c in rgb_match.groups())
    return False


def _hiding_selectors(css: str) -> Iterator[tuple[str, str, str]]:
    # Only top-level rules: a rule inside @media applies to some screens or to print, not to what is read.
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    depth, rule_start, body_start, selector = 0, 0, 0, ""
    for brace in re.finditer(r"[{}]", css):
        if brace.group() == "{":
            if depth == 0:
                selector, body_start = css[rule_start : brace.start()], brace.end()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                rule_start = brace.end()
                if not selector.strip().startswith("@") and _style_hides(css[body_start : brace.start()]):
                    for part in selector.split(","):
                        if simple := re.fullmatch(r"([a-z][a-z0-9]*)?([.#])([\w-]+)", part.strip(), re.IGNORECASE):
                            yield (simple.group(1) or "").lower(), simple.group(2), simple.group(3)


def _main_container(body: Tag) -> Tag:
    total = _visible_len(body)
    candidates = [
        tag
        for tag in body.find_all(["article", "div", "section", "td"])
        if tag.name == "article"
        or any(hint in " ".join([str(tag.get("id", "")), *_classes(tag)]).lower() for hint in _CONTAINER_HINTS)
    ]
    # An article container holds most of the text; a page-wide wrapper (id="main" around everything) holds all of
    # it, chrome included, so the largest container below the whole page wins.
    sizes = [(size, tag) for tag in candidates if 0.5 * total <= (size := _visible_len(tag)) < 0.95 * total]
    return max(sizes, key=lambda pair: pair[0])[1] if sizes else body


def _title_outside(root: Tag) -> list[str]:
    # Gov sites put the <h1> title just above the article div; a site logo <h1> sits at page level, higher up.
    if root.find("h1") is not None:
        return []
    for ancestor in list(root.parents)[:2]:
        if ancestor.name in ("body", "html", "[document]"):
            break
        title = ancestor.find("h1")
        if title is not None and root not in title.parents:
            return [title.get_text(" ", strip=True)]
    return []


def _visible_len(tag: Tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _render_lines(root: Tag) -> list[str]:
    lines: list[str] = []
    current: list[str] = []

    def flush(keep_empty: bool) -> None:
        line = re.sub(r"[ \t\r\n\f\xa0]+", " ", "".join(current)).strip()
        if line or keep_empty:
            lines.append(line)
        current.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                flush(keep_empty=True)
            elif child.name == "tr":
                flush(keep_empty=False)
                cells = [" ".join(_render_lines(cell)) for cell in child.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    lines.append(" | ".join(cells).strip())
            elif child.name == "pre":
                flush(keep_empty=False)
                lines.extend(child.get_text().split("\n"))
            elif child.name in _BLOCK_TAGS:
                flush(keep_empty=False)
                walk(child)
                flush(keep_empty=False)
            else:
                walk(child)

    walk(root)
    flush(keep_empty=False)
    return lines
