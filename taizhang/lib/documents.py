"""Official-style Chinese documents: .docx (python-docx) and PDF (WeasyPrint), with simple bar charts.

The API is small on purpose:

``render_docx(spec) -> bytes``
    ``spec`` is a dict::

        {
            "title": "关于……的通报",            # 小标题 style: 黑体-like, centred, 22 pt
            "subtitle": "活动办公室 2026年3月",   # optional line under the title, centred
            "blocks": [
                {"heading": "总体情况"},          # level 1, numbered 一、二、三、 automatically
                {"heading": "分单位情况", "level": 2},   # numbered （一）（二）under the last level 1
                {"paragraph": "正文……"},          # 仿宋 body, first line indented two characters
                {"table": {"headers": [...], "rows": [[...], ...], "widths_cm": [...]}},
                {"image": png_bytes, "width_cm": 15, "caption": "图1 ……"},
                {"page_break": True},
            ],
            "signature": ["活动办公室", "2026年3月5日"],   # optional, right-aligned at the end
        }

    Body text is 仿宋_GB2312 (falling back to 仿宋 / FangSong / Noto Serif CJK SC on machines
    without it), headings 黑体 (SimHei, Noto Sans CJK SC); the East-Asian font is set through
    ``w:eastAsia`` on every run, which is what Word reads for Chinese characters.

``render_pdf(template_name, context) -> bytes``
    Renders a Django template (which may extend ``documents/base_document.html`` for the same
    official look) and prints it with WeasyPrint using the Noto CJK fonts installed by Debian's
    fonts-noto-cjk. Nothing is fetched from the network: only ``file:`` and ``data:`` URLs load.

``bar_chart_svg(labels, values, ...) -> str`` and ``bar_chart_png(labels, values, ...) -> bytes``
    A plain horizontal bar chart, as SVG (embed in HTML for the PDF) or PNG (for .docx; drawn with
    Pillow, which WeasyPrint already needs).
"""

import html
import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
CJK_NUMERALS = "一二三四五六七八九十"
PDF_FONTS = '"Noto Serif CJK SC", "Noto Serif CJK", "Noto Sans CJK SC", serif'
CJK_FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def cjk_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for section numbers)."""
    if n <= 10:
        return CJK_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (CJK_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CJK_NUMERALS[ones - 1] if ones else "")


def _set_fonts(run, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), LATIN_FONT)
    r_fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _style_fonts(document) -> None:
    """Default styles carry the fonts too, so text typed later in Word keeps them; fallbacks via altName."""
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)  # 三号
    r_pr = normal.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), BODY_FONT)
    # Fallbacks: Word and WPS substitute 仿宋_GB2312 → 仿宋 and 黑体 → SimHei themselves; LibreOffice
    # maps them to the installed CJK fonts (Noto Serif/Sans CJK SC on our servers).


def _paragraph(document, text: str, *, font: str = BODY_FONT, size: float = 16, bold=False, align=None, indent=True):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    _set_fonts(run, font, size, bold=bold)
    return paragraph


def _table(document, headers: Sequence[str], rows: Sequence[Sequence], widths_cm: Sequence[float] | None = None):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(header))
        _set_fonts(run, HEADING_FONT, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            _set_fonts(run, BODY_FONT, 12)
    if widths_cm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=False):
                cell.width = Cm(width)
    return table


def render_docx(spec: dict) -> bytes:
    """An A4 document laid out like an official Chinese document (GB/T 9704 margins and sizes)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _style_fonts(document)
    title = _paragraph(document, spec["title"], font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    # 方正小标宋 is rare outside government offices: 黑体 (then the system's sans) is the fallback.
    title.runs[0]._element.rPr.rFonts.set(qn("w:eastAsia"), HEADING_FONT)
    title.paragraph_format.space_after = Pt(12)
    if spec.get("subtitle"):
        _paragraph(document, spec["subtitle"], font="楷体", size=16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    level1 = level2 = 0
    for block in spec.get("blocks", []):
        if "heading" in block:
            if block.get("level", 1) == 1:
                level1, level2 = level1 + 1, 0
                text = f"{cjk_number(level1)}、{block['heading']}"
                _paragraph(document, text, font=HEADING_FONT, size=16)
            else:
                level2 += 1
                text = f"（{cjk_number(level2)}）{block['heading']}"
                _paragraph(document, text, font="楷体", size=16, bold=True)
        elif "paragraph" in block:
            _paragraph(document, block["paragraph"])
        elif "table" in block:
            table = block["table"]
            _table(document, table["headers"], table["rows"], table.get("widths_cm"))
            document.add_paragraph()
        elif "image" in block:
            document.add_picture(io.BytesIO(block["image"]), width=Cm(block.get("width_cm", 15)))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.get("caption"):
                _paragraph(document, block["caption"], size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        elif block.get("page_break"):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for line in spec.get("signature", []):
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# PDF ------------------------------------------------------------------------------------------


class RefusedFetch(Exception):
    """A document tried to load something from the network."""


def local_only_fetcher(url: str, *args, **kwargs):
    """WeasyPrint's fetcher for ``file:`` and ``data:`` URLs only: nothing leaves the machine."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise RefusedFetch(f"refused to fetch {url}")
    return default_url_fetcher(url, *args, **kwargs)


def pdf_markup(template_name: str, context: dict) -> str:
    """The HTML a PDF is printed from: a Django template, autoescaped like every page."""
    from django.template.loader import render_to_string

    return render_to_string(template_name, {"pdf_fonts": PDF_FONTS, **context})


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to HTML and print it to PDF with the Noto CJK fonts."""
    from weasyprint import HTML

    markup = pdf_markup(template_name, context)
    return HTML(string=markup, base_url="file:///nonexistent/", url_fetcher=local_only_fetcher).write_pdf()


# Charts ---------------------------------------------------------------------------------------


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    title: str = "",
    *,
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """A horizontal bar chart as an SVG string (text in the Noto CJK font)."""
    row, label_width, bar_width, top = 22, 220, 300, 28 if title else 6
    top_value = max_value or max([*values, 1])
    height = top + row * len(labels) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 70}" height="{height}" '
        f"font-family='Noto Sans CJK SC, sans-serif' font-size='12'>"
    ]
    if title:
        parts.append(f'<text x="4" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>')
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + n * row
        width = 0 if top_value == 0 else bar_width * value / top_value
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{html.escape(str(label)[:18])}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" fill="#c0392b"/>')
        parts.append(f'<text x="{label_width + width + 4:.1f}" y="{y + 15}">{value:g}{html.escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_data_url(svg: str) -> str:
    """An SVG as a ``data:`` URL for ``<img src>`` (the PDF fetcher loads data: URLs, nothing remote)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else ""


def bar_chart_png(
    labels: Sequence[str],
    values: Sequence[float],
    title: str = "",
    *,
    unit: str = "",
    max_value: float | None = None,
) -> bytes:
    """The same chart as a PNG (for .docx, which takes no SVG), drawn with Pillow at 2× for print."""
    from PIL import Image, ImageDraw, ImageFont

    scale = 2
    row, label_width, bar_width = 22 * scale, 220 * scale, 300 * scale
    top = (28 if title else 6) * scale
    width, height = label_width + bar_width + 70 * scale, top + row * len(labels) + 6 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype(CJK_FONT_FILE, 12 * scale, index=2)  # the .ttc's SC face
        bold = ImageFont.truetype(CJK_FONT_FILE, 14 * scale, index=2)
    except OSError:
        font = bold = ImageFont.load_default()
    top_value = max_value or max([*values, 1])
    if title:
        draw.text((4 * scale, 4 * scale), title, fill="black", font=bold)
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + n * row
        bar = 0 if top_value == 0 else bar_width * value / top_value
        text = str(label)[:18]
        text_width = draw.textlength(text, font=font)
        draw.text((label_width - 6 * scale - text_width, y + 2 * scale), text, fill="black", font=font)
        draw.rectangle((label_width, y + 3 * scale, label_width + bar, y + row - 5 * scale), fill="#c0392b")
        draw.text((label_width + bar + 4 * scale, y + 2 * scale), f"{value:g}{unit}", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
