import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from ingest.document import LoadError, UnsupportedTypeError
from ingest.loaders import SUPPORTED_SUFFIXES, load_bytes, load_file, pdf
from ingest.loaders.text import load_text
from ingest.split import split_sections

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"
FAQ = CORPUS / "sector_partnerships_faq.html"


def test_supported_suffixes_are_the_documented_ones():
    expected = {".html", ".htm", ".pdf", ".docx", ".md", ".markdown", ".txt"}

    assert expected == SUPPORTED_SUFFIXES


def test_faq_page_keeps_answers_and_drops_site_chrome():
    text = load_file(FAQ).text

    for chrome in [
        "Skip to main content",
        "Accept",
        "Decline",
        "cookies",
        "IowaWORKS Centers",
        "Related Topics",
        "Was this page helpful",
        "official website",
        "Relay 711",
    ]:
        assert chrome not in text
    assert "September 2022" in text
    assert "515-725-3882" in text
    assert "### Who runs the program today?" in text
    assert "Related pages" in text  # a heading of the page itself, not chrome


def test_faq_page_has_title_date_and_kind():
    document = load_file(FAQ)

    assert document.title == "Business Sector Partnerships: Frequently Asked Questions"
    assert document.date == dt.date(2025, 2, 1)
    assert document.kind == "html"
    assert document.source == str(FAQ)
    assert document.text.startswith("# Business Sector Partnerships: Frequently Asked Questions")


def test_source_can_be_given_explicitly():
    assert load_file(FAQ, source="corpus/a01").source == "corpus/a01"


def test_html_fixture_takes_canonical_url_over_og_url():
    document = load_file(DATA / "chrome_page.html")

    assert document.url == "https://workforce.iowa.gov/employers/sector-partnerships/join"
    assert document.date == dt.date(2025, 2, 1)


def test_html_tables_come_out_as_rows_that_read_on_their_own():
    text = load_file(CORPUS / "regional_partnerships_directory.html").text

    assert (
        "Partnership: River Bluff Builders Partnership | Region: Southeast Iowa | "
        "Industry: Construction | Convener: River Bluff Community College" in text
    )


def test_pdf_gets_headings_from_font_sizes_and_tables_as_rows():
    document = load_file(CORPUS / "workforce_plan_brief.pdf")

    assert document.kind == "pdf"
    assert document.title == "Iowa's Workforce Plan: A Briefing for Employers"
    assert "# Iowa's Workforce Plan: A Briefing for Employers\n" in document.text
    assert "\n## 3. Core partner agencies\n" in document.text
    assert (
        "Agency: Iowa Department of Education | "
        "Role in the plan: Adult education and literacy" in document.text
    )
    assert "- Dislocated Worker\n" in document.text


def test_pdf_running_headers_and_page_numbers_are_dropped():
    text = load_file(CORPUS / "partnership_inventory_summary.pdf").text

    assert "Page 1" not in text and "Page 2" not in text
    assert text.count("Briefing summary - Sector Partnership Inventory") == 0
    assert "found 57 active sector partnerships" in text
    assert "Industry: Health care | Active partnerships: 12" in text


def test_small_pdf_fixture_reads_text_heading_table_and_date():
    document = load_file(DATA / "small.pdf")

    assert document.title == "Sector Partnership Test Brief"
    assert document.date == dt.date(2024, 3, 3)
    assert "## Who To Call" in document.text
    assert "Kathy Leggett at Iowa Workforce Development, 515-725-3882." in document.text
    assert "Region: Central Iowa | Convener: Des Moines Area Community College" in document.text
    assert "Test Brief - Sector Partnerships" not in document.text
    assert "Page 1 of 2" not in document.text


def test_broken_pdf_is_skipped_with_reason():
    with pytest.raises(LoadError) as caught:
        load_file(DATA / "broken.pdf")

    reason = caught.value.reason
    assert reason.startswith(("PDF could not be parsed", "no text found"))
    assert "Traceback" not in reason and "\n" not in reason


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=DATA / "small.pdf")
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_is_skipped_with_reason():
    with pytest.raises(LoadError, match="PDF is encrypted and needs a password"):
        load_bytes(_encrypted_pdf("secret"), source="locked.pdf")


def test_pdf_with_only_an_owner_password_still_loads():
    document = load_bytes(_encrypted_pdf(""), source="restricted.pdf")

    assert "515-725-3882" in document.text


def test_pdf_reading_stops_at_the_page_cap(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)

    text = load_file(DATA / "small.pdf").text

    assert "## Who To Call" in text
    assert "Regional Contacts" not in text


def test_pdf_bytes_that_are_not_a_pdf_are_a_load_error():
    with pytest.raises(LoadError, match="PDF could not be parsed"):
        load_bytes(b"<html>not a pdf</html>", source="report.pdf", content_type="application/pdf")


def _word_file(tmp_path: Path) -> Path:
    word = docx.Document()
    word.core_properties.title = "Partnership Fact Sheet"
    word.add_heading("Fact Sheet", level=0)
    word.add_paragraph("Updated: 2024-01-15")
    word.add_heading("Who can join", level=1)
    word.add_paragraph("Employers in one industry and region.")
    word.add_paragraph("Manufacturers", style="List Bullet")
    word.add_paragraph("Hospitals", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Round"
    table.rows[0].cells[1].text = "Amount"
    table.rows[1].cells[0].text = "2019 launch"
    table.rows[1].cells[1].text = "$1.2 million"
    word.add_heading("After the table", level=1)
    word.add_paragraph("Closing words.")
    path = tmp_path / "facts.docx"
    word.save(str(path))
    return path


def test_docx_headings_lists_and_tables_keep_document_order(tmp_path):
    document = load_file(_word_file(tmp_path))

    assert document.kind == "docx"
    assert document.title == "Partnership Fact Sheet"
    assert document.date == dt.date(2024, 1, 15)
    assert document.text == (
        "# Fact Sheet\n\nUpdated: 2024-01-15\n\n## Who can join\n\n"
        "Employers in one industry and region.\n\n- Manufacturers\n- Hospitals\n\n"
        "Round: 2019 launch | Amount: $1.2 million\n\n## After the table\n\nClosing words."
    )


def test_docx_template_timestamp_is_not_taken_as_the_date():
    # python-docx's blank template claims December 2013; the corpus DOCX file carries it.
    document = load_file(CORPUS / "regional_training_fund_fact_sheet.docx")

    assert document.date is None
    assert document.title == "Regional Training Fund - Fact Sheet"
    assert "Round: First awards (May 2021) | Key facts: 11 partnerships" in document.text


def test_corrupt_docx_is_a_load_error(tmp_path):
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as package:
        package.writestr("hello.txt", "no word document here")

    with pytest.raises(LoadError, match="DOCX could not be opened"):
        load_file(junk)
    with pytest.raises(LoadError, match="DOCX could not be opened"):
        load_bytes(empty_zip.getvalue(), source="upload.docx")


def test_markdown_front_matter_gives_title_url_and_date():
    document = load_file(DATA / "front_matter.md")

    assert document.kind == "markdown"
    assert document.title == "Sector Partnership Quick Guide"
    assert document.url == "https://example.org/guides/sector-partnerships"
    assert document.date == dt.date(2024, 6, 30)
    assert "title:" not in document.text


def test_markdown_is_reduced_to_light_markdown():
    text = load_file(DATA / "front_matter.md").text

    assert text.startswith("# Quick Guide Overview\n\n")
    assert "\n## How To Join\n" in text
    assert "This guide is for employers who want to join a partnership. It was written" in text
    assert "- Call Kathy Leggett at 515-725-3882.\n" in text
    assert "- Ask your community college about regional conveners." in text
    assert "Step: Convene | Who: Community college" in text
    assert "**" not in text and "](" not in text and "https://workforce.iowa.gov" not in text


def test_leading_rule_is_not_mistaken_for_front_matter(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\nThis file opens with a rule.\n\n---\n\nBody text.\n")

    assert load_file(path).text == "This file opens with a rule.\n\nBody text."


def test_markdown_corpus_document_takes_its_first_heading_as_title():
    document = load_file(CORPUS / "workforce_glossary.md")

    assert document.title == "Glossary of Workforce Terms and Acronyms"
    assert document.date == dt.date(2024, 3, 1)


def test_plain_text_headings_bullets_and_paragraphs_become_light_markdown():
    document = load_file(CORPUS / "qa_2016_sector_partnerships.txt")

    assert document.kind == "text"
    assert document.title == "2016 Q&A: What Sector Partnerships Are For"
    assert document.date == dt.date(2016, 8, 22)
    assert "\n## THE PROBLEM\n" in document.text
    assert "- Serve both employers and workers.\n" in document.text
    assert "=====" not in document.text and "-----" not in document.text
    assert "interview with Lena Marsh, then the bureau chief" in document.text


def test_short_capital_line_alone_becomes_a_heading(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Partnership notes\n\nWHO TO CALL\n\nKathy Leggett,\n515-725-3882.\n")

    document = load_file(path)

    assert document.text == "Partnership notes\n\n## WHO TO CALL\n\nKathy Leggett, 515-725-3882."
    assert document.title == "Partnership notes"


def test_binary_file_named_txt_is_a_load_error():
    with pytest.raises(LoadError, match="binary"):
        load_file(DATA / "binary.txt")


def test_binary_file_named_md_is_a_load_error(tmp_path):
    path = tmp_path / "image.md"
    path.write_bytes((DATA / "binary.txt").read_bytes())

    with pytest.raises(LoadError, match="binary"):
        load_file(path)


def test_unknown_suffix_is_unsupported():
    with pytest.raises(UnsupportedTypeError, match=r"unsupported file type \.xyz"):
        load_file(DATA / "unknown.xyz")


def test_empty_text_file_has_no_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n")

    with pytest.raises(LoadError, match="no text found"):
        load_file(path)


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="could not be read"):
        load_file(tmp_path / "gone.pdf")


def test_cp1252_and_bom_text_are_decoded(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Caf\u00e9 owners \u2013 join us".encode("cp1252"))
    bom = tmp_path / "bom.md"
    bom.write_bytes("\ufeff# Title\n\nBody".encode())

    assert load_file(legacy).text == "Caf\u00e9 owners \u2013 join us"
    assert load_file(bom).title == "Title"


def test_title_falls_back_to_readable_file_name(tmp_path):
    path = tmp_path / "regional_partner-list.txt"
    path.write_text(("word " * 60 + "\n") * 2)

    assert load_file(path).title == "Regional partner list"


def test_load_bytes_dispatches_by_content_type():
    html = b"<html><head><title>Jobs</title></head><body><main><h1>Partnerships page</h1>" + (
        b"<p>" + b"Employers lead partnerships. " * 10 + b"</p></main></body></html>"
    )

    document = load_bytes(
        html,
        source="https://workforce.iowa.gov/partnerships",
        content_type="text/html; charset=utf-8",
        url="https://workforce.iowa.gov/partnerships",
    )

    assert document.kind == "html"
    assert document.title == "Partnerships page"
    assert document.url == "https://workforce.iowa.gov/partnerships"


def test_load_bytes_falls_back_to_the_source_suffix():
    data = (DATA / "small.pdf").read_bytes()

    document = load_bytes(
        data,
        source="https://example.org/files/brief.pdf?v=2",
        content_type="application/octet-stream",
    )

    assert document.kind == "pdf"


def test_load_bytes_uses_the_charset_from_the_content_type():
    data = "<p>Caf\u00e9 owners</p>".encode("latin-1")

    document = load_bytes(data, source="page", content_type="text/html; charset=ISO-8859-1")

    assert document.text == "Caf\u00e9 owners"


def test_load_bytes_with_unknown_type_is_unsupported():
    with pytest.raises(UnsupportedTypeError, match="unsupported file type"):
        load_bytes(b"GIF89a....", source="https://example.org/logo.gif", content_type="image/gif")


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda path: path.name)
def test_every_corpus_document_loads_with_title_and_sections(path):
    document = load_file(path)

    assert document.title and "\n" not in document.title
    assert split_sections(document.text)
    assert "\x7f" not in document.text


def test_a_text_without_a_title_line_skips_page_labels_for_its_opening_words(tmp_path):
    path = tmp_path / "000_b688d49e53fce45f.txt"
    body = "Iowa Business Sector Partnerships are regional groups " + "that meet often " * 20
    path.write_text(f"Related Topics:\n\nBusiness Engagement\n\n{body}\n", encoding="utf-8")

    title = load_file(path).title

    assert title.startswith("Iowa Business Sector Partnerships")
    assert "Related Topics" not in title


def test_a_text_file_header_names_the_document_and_is_not_its_text() -> None:
    data = (
        b"Title: Apprenticeship in Iowa | State office\n"
        b"URL: https://example.gov/apprenticeship\n\n"
        b"Apprenticeship in Iowa\n\nEmployers register programs with the state office.\n"
    )

    document = load_text(data, source="apprenticeship.txt")

    assert document.title == "Apprenticeship in Iowa | State office"
    assert document.url == "https://example.gov/apprenticeship"
    assert "Title:" not in document.text and "URL:" not in document.text
    assert "Employers register programs" in document.text


def test_a_first_line_that_only_looks_like_a_header_stays_text() -> None:
    document = load_text(b"Note: bring your ID.\nDoors open at nine.\n", source="note.txt")

    assert "Note: bring your ID." in document.text
    assert document.url is None
