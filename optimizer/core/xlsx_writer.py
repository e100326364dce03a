"""A small, fast writer of ``.xlsx`` workbooks for output tables (SpreadsheetML written directly).

What :func:`optimizer.core.tables.write_xlsx_sheets` needs and nothing more: named sheets, a bold
frozen header row with filters, column widths, a comment on a header cell (a column's note),
per column a number format, numbers as numbers, booleans, dates, and text as inline strings.
A text is always stored as text, never as a formula; one that starts like a formula (``=``,
``+``, ``-``, ``@``) also gets Excel's quote prefix, so that editing the cell keeps it text.

openpyxl's write-only mode serialises every cell through an XML tree (~50 us a cell: 1.5 s of
the 4 s a weekly proposal took); this writes the same workbook as text in a fraction of that
(``docs/performance.md``). The file is deterministic (no timestamps: fixed ZIP dates, no
document properties). Characters XML 1.0 cannot hold (control characters other than tab and
line breaks) are left out, as a spreadsheet cannot hold them either.
"""

from __future__ import annotations

import datetime
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

#: A text cell starting with one of these would be a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH = datetime.datetime(1899, 12, 30)
_DATE, _DATETIME = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"
#: Fixed cell styles (indices into cellXfs): default, bold header, text with a quote prefix.
_PLAIN, _BOLD, _QUOTED = 0, 1, 2


@dataclass
class Sheet:
    """One sheet: name, header (column names), rows of Python values, per column an Excel number
    format (or None), widths, and header notes (column index -> text)."""

    name: str
    header: list[str]
    columns: list[list]  # per column, its values (None: empty cell)
    formats: list[str | None]
    widths: list[float]
    notes: dict[int, str] = field(default_factory=dict)


def column_letter(i: int) -> str:
    """Excel column letters of 0-based column ``i`` (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(s: str) -> str:
    return escape(_ILLEGAL.sub("", s))


class _Styles:
    """cellXfs of the workbook: the fixed styles, then one per number format used."""

    def __init__(self) -> None:
        self.formats: dict[str, int] = {}  # format code -> cellXfs index

    def of(self, code: str) -> int:
        if code not in self.formats:
            self.formats[code] = 3 + len(self.formats)
        return self.formats[code]

    def xml(self) -> str:
        codes = list(self.formats)
        numfmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode={quoteattr(c)}/>' for i, c in enumerate(codes))
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
               '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
               '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>']
        xfs += [f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                for i in range(len(codes))]
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(codes)}">{numfmts}</numFmts>' if codes else "")
                + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
                  '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
                  '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                  '<fill><patternFill patternType="gray125"/></fill></fills>'
                  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _cell(ref: str, v: object, number_style: int | None, styles: _Styles) -> str:
    """One ``<c>`` element (empty string for an empty cell)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "" if v != v else _cell(ref, "inf" if v > 0 else "-inf", None, styles)
        s = f' s="{number_style}"' if number_style is not None else ""
        return f'<c r="{ref}"{s}><v>{v!r}</v></c>'
    if isinstance(v, datetime.date):
        stamp = v if isinstance(v, datetime.datetime) else datetime.datetime(v.year, v.month, v.day)
        serial = (stamp.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        code = _DATETIME if isinstance(v, datetime.datetime) else _DATE
        return f'<c r="{ref}" s="{styles.of(code)}"><v>{serial!r}</v></c>'
    s = str(v)
    style = f' s="{_QUOTED}"' if s.startswith(FORMULA_STARTS) else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{_text(s)}</t></is></c>'


def _sheet_xml(sheet: Sheet, styles: _Styles, has_comments: bool) -> str:
    n_cols, n_rows = len(sheet.header), len(sheet.columns[0]) if sheet.columns else 0
    letters = [column_letter(j) for j in range(n_cols)]
    num_styles = [styles.of(f) if f else None for f in sheet.formats]
    rows = ['<row r="1">' + "".join(f'<c r="{letters[j]}1" t="inlineStr" s="{_BOLD}"><is><t xml:space="preserve">'
                                    f'{_text(h)}</t></is></c>' for j, h in enumerate(sheet.header)) + "</row>"]
    for i, values in enumerate(zip(*sheet.columns), start=2):
        cells = "".join(_cell(f"{letters[j]}{i}", v, num_styles[j], styles) for j, v in enumerate(values))
        rows.append(f'<row r="{i}">{cells}</row>')
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>'
                   for j, w in enumerate(sheet.widths))
    last = f"{letters[-1]}{n_rows + 1}" if n_cols else "A1"
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
             f'<dimension ref="A1:{last}"/>',
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
             'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
             '<sheetFormatPr defaultRowHeight="15"/>', f"<cols>{cols}</cols>" if cols else "",
             f'<sheetData>{"".join(rows)}</sheetData>']
    if n_rows and n_cols:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    if has_comments:
        parts.append('<legacyDrawing r:id="rId2"/>')
    return "".join(parts) + "</worksheet>"


def _comments_xml(sheet: Sheet) -> str:
    items = "".join(f'<comment ref="{column_letter(j)}1" authorId="0"><text><t xml:space="preserve">{_text(note)}'
                    f"</t></text></comment>" for j, note in sorted(sheet.notes.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{_MAIN}">'
            f"<authors><author>spreiding</author></authors><commentList>{items}</commentList></comments>")


def _vml(sheet: Sheet, k: int) -> str:
    """The legacy drawing Excel shows a header comment with (one hidden note box per comment)."""
    shapes = "".join(
        f'<v:shape id="_x0000_s{1024 * k + i + 1}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:144pt;height:79pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:AutoFill>False</x:AutoFill><x:Row>0</x:Row><x:Column>{j}</x:Column></x:ClientData></v:shape>"
        for i, j in enumerate(sorted(sheet.notes)))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{k}"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" '
            'o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            f'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>{shapes}</xml>')


def _rels(items: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{_REL}/{t}" Target="{target}"/>' for i, t, target in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def write_workbook(path: str | Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` as one ``.xlsx`` workbook at ``path``."""
    styles = _Styles()
    files: dict[str, str] = {}
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/>',
                 '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.styles+xml"/>']
    names, defined = [], []
    for k, sheet in enumerate(sheets, start=1):
        comments = bool(sheet.notes)
        files[f"xl/worksheets/sheet{k}.xml"] = _sheet_xml(sheet, styles, comments)
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        if comments:
            files[f"xl/comments{k}.xml"] = _comments_xml(sheet)
            files[f"xl/drawings/commentsDrawing{k}.vml"] = _vml(sheet, k)
            files[f"xl/worksheets/_rels/sheet{k}.xml.rels"] = _rels([
                ("rId1", "comments", f"/xl/comments{k}.xml"), ("rId2", "vmlDrawing", f"/xl/drawings/commentsDrawing{k}.vml")])
            overrides.append(f'<Override PartName="/xl/comments{k}.xml" ContentType="application/vnd.openxmlformats-'
                             'officedocument.spreadsheetml.comments+xml"/>')
        names.append(f'<sheet name={quoteattr(_ILLEGAL.sub("", sheet.name))} sheetId="{k}" r:id="rId{k}"/>')
        n_rows = len(sheet.columns[0]) if sheet.columns else 0
        if n_rows and sheet.header:
            ref = f"{_quoted_sheet(sheet.name)}!$A$1:${column_letter(len(sheet.header) - 1)}${n_rows + 1}"
            defined.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{k - 1}" hidden="1">'
                           f"{_text(ref)}</definedName>")
    files["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{"".join(names)}</sheets>'
        + (f'<definedNames>{"".join(defined)}</definedNames>' if defined else "") + "</workbook>")
    files["xl/_rels/workbook.xml.rels"] = _rels(
        [(f"rId{k}", "worksheet", f"worksheets/sheet{k}.xml") for k in range(1, len(sheets) + 1)]
        + [(f"rId{len(sheets) + 1}", "styles", "styles.xml")])
    files["xl/styles.xml"] = styles.xml()
    files["_rels/.rels"] = _rels([("rId1", "officeDocument", "xl/workbook.xml")])
    files["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        + "".join(overrides) + "</Types>")
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in order + sorted(set(files) - set(order)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name].encode("utf-8"))
