import time
from pathlib import Path

import pytest

from ingest.clean import CleanedHtml, clean_html, format_table

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"


@pytest.fixture(scope="module")
def page() -> CleanedHtml:
    return clean_html((DATA / "chrome_page.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "chrome",
    [
        "Skip to main content",
        "We use cookies",
        "Accept",
        "official website",
        "Search",
        "IowaWORKS Centers",
        "Find a Job",
        "Home",
        "Share on Facebook",
        "Related Topics",
        "East Grand Avenue",
        "Tracking script",
        "HTML comment",
        "cookie-banner",
    ],
)
def test_site_chrome_is_removed(page, chrome):
    assert chrome not in page.text


def test_page_content_is_light_markdown(page):
    assert page.text == (
        "# Joining a Sector Partnership\n\n"
        "Last reviewed: February 2025\n\n"
        "Employers lead sector partnerships; community colleges & workforce boards support "
        "them.\n\n"
        "## Who do I call?\n\n"
        "Call Kathy Leggett at 515-725-3882.\nIowa Workforce Development\n\n"
        "## What happens next\n\n"
        "- Tell us your industry.\n- Meet regional employers.\n\n"
        "Region: Central Iowa | Convener: DMACC\nRegion: North Iowa | Convener: NIACC\n\n"
        "PACE: Pathways for Academic Career and Employment"
    )


def test_title_and_canonical_url(page):
    assert page.title == "Joining a Sector Partnership"
    assert page.canonical_url == "https://workforce.iowa.gov/employers/sector-partnerships/join"


def test_og_url_is_used_without_a_canonical_link():
    cleaned = clean_html('<meta property="og:url" content="https://x.example/a"><p>Hi</p>')

    assert cleaned.canonical_url == "https://x.example/a"


def test_date_hint_comes_from_meta_tags():
    html = (
        '<html><head><meta property="article:published_time" content="2023-01-02">'
        '<meta property="article:modified_time" content="2024-05-06T07:08:09Z"></head>'
        "<body><p>Text</p></body></html>"
    )

    assert clean_html(html).date_hint == "2024-05-06T07:08:09Z"


def test_date_statement_in_the_stripped_footer_becomes_the_hint():
    body = "Body text. " * 30
    html = f"<body><main><p>{body}</p></main><footer>Page last updated: 2024-03-01</footer></body>"

    cleaned = clean_html(html)

    assert cleaned.date_hint == "2024-03-01"
    assert "2024" not in cleaned.text


def test_faq_accordion_questions_keep_their_button_text():
    cleaned = clean_html((CORPUS / "sector_partnerships_faq.html").read_text(encoding="utf-8"))

    assert "### What is an Iowa Business Sector Partnership?" in cleaned.text
    assert "Was this page helpful" not in cleaned.text
    assert "Yes\n" not in cleaned.text and "Decline" not in cleaned.text
    assert cleaned.text.count("\n### ") == 10


def test_body_is_used_when_there_is_no_main():
    html = (
        "<body><nav><a>Menu item</a></nav><div class='breadcrumbs'>Home</div>"
        "<h1>Plain page</h1><p>Content without a main element.</p>"
        "<footer>Footer text</footer></body>"
    )

    assert clean_html(html).text == "# Plain page\n\nContent without a main element."


def test_article_is_preferred_when_there_is_no_main():
    html = (
        "<body><div class='promo'>Promo block</div><article><h1>Story</h1>"
        f"<p>{'Story text. ' * 30}</p></article></body>"
    )

    assert clean_html(html).text.startswith("# Story\n\nStory text.")


def test_layout_wrapper_with_a_chrome_like_class_is_kept():
    body = "<p>" + "Real content. " * 20 + "</p>"
    html = (
        f"<body><form id='aspnetForm'><div class='page-sidebar-layout'>{body}</div></form></body>"
    )

    assert clean_html(html).text.startswith("Real content.")


def test_entities_are_decoded_and_whitespace_normalised():
    html = "<p>Caf&eacute;&nbsp;&amp;\n\t  bar &ldquo;quoted&rdquo;</p>"

    assert clean_html(html).text == "Caf\u00e9 & bar \u201cquoted\u201d"


def test_row_header_cells_stay_in_their_rows():
    html = "<table><tr><th>IWD</th><td>Iowa Workforce Development</td></tr></table>"

    assert clean_html(html).text == "IWD | Iowa Workforce Development"


def test_nested_lists_and_preformatted_text():
    html = "<ul><li>One<ul><li>One A</li></ul></li><li>Two</li></ul><pre>a  b\nc</pre>"

    assert clean_html(html).text == "- One\n- One A\n- Two\n\na b\nc"


def test_format_table_labels_cells_with_their_header():
    rows = [["Term", "Meaning"], ["IWD", "Iowa Workforce Development"], ["", ""]]

    assert format_table(rows, has_header=True) == [
        "Term: IWD | Meaning: Iowa Workforce Development"
    ]
    assert format_table(rows, has_header=False) == [
        "Term | Meaning",
        "IWD | Iowa Workforce Development",
    ]


def test_title_drops_site_name_or_falls_back_to_h1():
    assert clean_html("<title>Apprenticeship | IWD</title><p>x</p>").title == "Apprenticeship"
    assert (
        clean_html("<title>Home</title><h1>Sector Partnerships</h1>").title == "Sector Partnerships"
    )
    assert clean_html("<title>Q&amp;A - Iowa.gov</title><p>x</p>").title == "Q&A"


def test_deeply_nested_html_does_not_crash():
    html = "<main>" + "<div>" * 5000 + "<p>deep text</p>" + "</div>" * 5000 + "<p>after</p></main>"
    started = time.monotonic()

    cleaned = clean_html(html)

    assert cleaned.text == "deep text\n\nafter"
    assert time.monotonic() - started < 5


def test_unclosed_tags_and_huge_attributes_are_handled():
    html = (
        f"<body><div class='{'x' * 2_000_000}'><p>first<p>second<li>item<h2>Heading <b>bold</h2>"
        "<table><tr><td>cell"
    )
    started = time.monotonic()

    cleaned = clean_html(html)

    assert "first" in cleaned.text and "cell" in cleaned.text and "## Heading bold" in cleaned.text
    assert time.monotonic() - started < 5


def test_many_chrome_classes_on_deep_nesting_stay_fast():
    html = (
        "<body>" + "<div class='menu-item'>x" * 3000 + "<main><p>" + "Kept. " * 50 + "</p></main>"
    )
    started = time.monotonic()

    cleaned = clean_html(html)

    assert cleaned.text.startswith("Kept.")
    assert time.monotonic() - started < 5
