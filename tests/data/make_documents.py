"""Write the PDF and DOCX test documents of ``tests/data/corpus`` (run it after editing them).

The PDFs are drawn the way report generators draw them: a font size per line (headings are
larger), table cells placed in columns, a running header and a page number on every page. The
DOCX is made with python-docx's blank template, whose creation date (2013) the loader must not
take for the document's own. The text of every document is written for the tests and invented,
apart from what ``tests/data/README.md`` lists as taken from the public IWD page.

    python tests/data/make_documents.py
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import docx

CORPUS = Path(__file__).resolve().parent / "corpus"

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 612, 792, 72


@dataclass
class Page:
    """One PDF page being drawn from the top down."""

    header: str
    number: int
    y: float = PAGE_HEIGHT - 32
    operations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text(self.header, size=8)
        self.y = PAGE_HEIGHT - 72

    def text(self, line: str, *, size: float = 10, bold: bool = False, x: float = MARGIN) -> None:
        font = "F2" if bold else "F1"
        place = f"{x:g} {self.y:g} Td"
        self.operations.append(f"BT /{font} {size:g} Tf {place} ({_escape(line)}) Tj ET")

    def heading(self, line: str, size: float) -> None:
        self.y -= size * 0.8
        self.text(line, size=size, bold=True)
        self.y -= size + 6

    def paragraph(self, words: str) -> None:
        for line in textwrap.wrap(" ".join(words.split()), width=92):
            self.text(line)
            self.y -= 14
        self.y -= 8

    def bullets(self, items: list[str]) -> None:
        for item in items:
            self.text("\u2022", x=MARGIN + 6)
            self.text(item, x=MARGIN + 18)
            self.y -= 14
        self.y -= 8

    def table(self, rows: list[list[str]], columns: list[float]) -> None:
        for index, row in enumerate(rows):
            for cell, x in zip(row, columns, strict=True):
                self.text(cell, size=9, bold=index == 0, x=MARGIN + x)
            self.y -= 14
        self.y -= 8

    def content(self) -> str:
        footer = f"BT /F1 8 Tf {PAGE_WIDTH / 2 - 12:g} 40 Td (Page {self.number}) Tj ET"
        return "\n".join([*self.operations, footer])


def _escape(text: str) -> str:
    encoded = text.encode("cp1252").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[Page], title: str) -> None:
    """A PDF with Helvetica and Helvetica-Bold (WinAnsi), one content stream per page."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # the page tree, once the page objects are numbered
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({_escape(title)}) /Producer (sectorbot tests) >>",
    ]
    kids = []
    for page in pages:
        stream = page.content()
        length = len(stream.encode("latin-1"))
        objects.append(f"<< /Length {length} >>\nstream\n{stream}\nendstream")
        content_number = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_number} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    path.write_bytes(bytes(out))


def inventory_summary() -> None:
    """A two-page report summary: running header, page numbers, a count and a table."""
    header = "Briefing summary - Sector Partnership Inventory"
    first = Page(header, 1)
    first.heading("Statewide Sector Partnership Inventory, 2019: Summary", 18)
    first.paragraph("Released: June 2019")
    first.heading("Purpose", 13)
    first.paragraph(
        "The inventory asked every community college, workforce board and economic development "
        "group in Iowa which sector partnerships they convene or take part in, so that employers "
        "and the state know which partnerships exist and where gaps remain."
    )
    first.heading("What the inventory found", 13)
    first.paragraph(
        "The 2019 statewide inventory found 57 active sector partnerships, up from 41 in the "
        "first inventory three years earlier. Another nine partnerships were being planned. "
        "Advanced manufacturing and health care accounted for more than half of the active "
        "partnerships."
    )
    second = Page(header, 2)
    second.heading("Partnerships by industry", 13)
    second.table(
        [
            ["Industry", "Active partnerships"],
            ["Advanced manufacturing", "19"],
            ["Health care", "12"],
            ["Information technology", "8"],
            ["Construction and trades", "7"],
            ["Transportation and logistics", "6"],
            ["Agriculture and food processing", "5"],
        ],
        [0, 260],
    )
    second.heading("Gaps", 13)
    second.paragraph(
        "Three rural regions had no active partnership in their largest industry. The inventory "
        "recommends that conveners in those regions be offered help to start one."
    )
    write_pdf(
        CORPUS / "partnership_inventory_summary.pdf",
        [first, second],
        "Statewide Sector Partnership Inventory, 2019: Summary",
    )


def workforce_plan_brief() -> None:
    """A briefing with numbered section headings, a partner table and a bulleted list."""
    header = "Workforce plan briefing for employers"
    first = Page(header, 1)
    title = "Iowa's Workforce Plan: A Briefing for Employers"
    first.heading(title, 18)
    first.paragraph("Prepared: October 2023")
    first.heading("1. Why the plan matters to employers", 13)
    first.paragraph(
        "Every four years the state writes one plan for its federally funded workforce programs. "
        "The plan decides which industries the training money favours, so employers who take "
        "part in a sector partnership have a say in it through their local board."
    )
    first.heading("2. Programs the plan covers", 13)
    first.paragraph("The plan covers job training for three groups of people:")
    first.bullets(["Adults", "Dislocated Worker", "Youth"])
    second = Page(header, 2)
    second.heading("3. Core partner agencies", 13)
    second.table(
        [
            ["Agency", "Role in the plan"],
            ["Iowa Workforce Development", "Job training and employment services"],
            ["Iowa Department of Education", "Adult education and literacy"],
            ["Vocational rehabilitation services", "Employment for people with disabilities"],
        ],
        [0, 200],
    )
    second.heading("4. How to comment", 13)
    second.paragraph(
        "Drafts of the plan are open for public comment for thirty days. Employers can comment "
        "through their local workforce development board or at the public hearings."
    )
    write_pdf(CORPUS / "workforce_plan_brief.pdf", [first, second], title)


def training_fund_fact_sheet() -> None:
    """A Word fact sheet: a title in the core properties, headings, a table, a staff contact."""
    word = docx.Document()
    word.core_properties.title = "Regional Training Fund - Fact Sheet"
    word.add_heading("Regional Training Fund", level=0)
    word.add_paragraph(
        "The Regional Training Fund pays part of the cost of training that a sector partnership "
        "designs for the employers of its region. It is meant for training no single employer "
        "would run alone."
    )
    word.add_heading("Awards so far", level=1)
    table = word.add_table(rows=3, cols=2)
    for row, (round_name, facts) in zip(
        table.rows,
        [
            ("Round", "Key facts"),
            ("First awards (May 2021)", "11 partnerships, $640,000 in all"),
            ("Second awards (May 2023)", "16 partnerships, $910,000 in all"),
        ],
        strict=True,
    ):
        row.cells[0].text = round_name
        row.cells[1].text = facts
    word.add_heading("Who may apply", level=1)
    word.add_paragraph(
        "A sector partnership may apply through its convener. The training must be open to "
        "workers of at least three employers."
    )
    word.add_heading("Questions", level=1)
    word.add_paragraph("Morgan Ellery, fund manager, answers questions at 515-555-0148.")
    word.save(str(CORPUS / "regional_training_fund_fact_sheet.docx"))


if __name__ == "__main__":
    inventory_summary()
    workforce_plan_brief()
    training_fund_fact_sheet()
