from knowledge.acronyms import expand, find_acronyms
from knowledge.answering.compose import readable
from knowledge.sentences import split_sentences
from knowledge.terms import content_terms, name_terms, stem


def test_sentences_survive_abbreviations_decimals_and_code_sections() -> None:
    text = (
        "The U.S. Dept. of Labor paid $1.45 million. Section 84A.15 applies! "
        "Call 515-725-3882 today."
    )
    assert split_sentences(text) == [
        "The U.S. Dept. of Labor paid $1.45 million.",
        "Section 84A.15 applies!",
        "Call 515-725-3882 today.",
    ]


def test_list_items_and_table_rows_are_sentences_of_their_own() -> None:
    text = "Members include:\n- employers\n- colleges\nArea | Counties\nCentral Iowa | Polk, Story"
    assert split_sentences(text) == [
        "Members include:",
        "- employers",
        "- colleges",
        "Area | Counties",
        "Central Iowa | Polk, Story",
    ]


def test_run_on_sentences_are_cut_to_a_readable_length() -> None:
    text = "; ".join(f"clause number {i} about partnerships" for i in range(40)) + "."
    pieces = split_sentences(text)
    assert len(pieces) > 1
    assert all(len(piece) <= 400 for piece in pieces)


def test_content_terms_keep_numbers_codes_and_drop_filler() -> None:
    terms = content_terms("whats 260E exactly, and is 84A.15 still around $1.45 million rn?")
    assert "260e" in terms and "84a.15" in terms and "$1.45" in terms
    assert "whats" not in terms and "rn" not in terms and "is" not in terms


def test_names_are_capitalised_words_acronyms_and_codes_not_a_sentence_opening() -> None:
    question = "Where do we get an SBA loan? Does Iowa's 260E pay for 40 of our 80 hires?"

    assert name_terms(question) == {"sba", "iowa", "260e"}
    assert name_terms("what is a sector partnership") == frozenset()


def test_stemming_matches_singular_and_plural() -> None:
    assert stem("partnerships") == stem("partnership")
    assert stem("apprentices") == stem("apprentice")


def test_acronyms_the_documents_define_are_searched_with_their_long_form() -> None:
    acronyms = find_acronyms(
        [
            "Iowa Workforce Development (IWD) runs it.",
            "A Program (2019) and the Work Opportunity Tax Credit (WOTC).",
        ]
    )

    assert acronyms == {"IWD": "Iowa Workforce Development", "WOTC": "Work Opportunity Tax Credit"}
    assert expand("Did it move to IWD?", acronyms) == (
        "Did it move to IWD (Iowa Workforce Development)?"
    )
    assert expand("how much is the wotc", acronyms) == (
        "how much is the wotc (Work Opportunity Tax Credit)"
    )
    assert (
        expand("Iowa Workforce Development (IWD)", acronyms) == "Iowa Workforce Development (IWD)"
    )


def test_a_line_without_an_end_stop_is_not_run_into_the_next_sentence() -> None:
    lines = split_sentences(
        "Industries covered by the councils\n\nLast reviewed: March 2019\n\nThe councils cover "
        "welding, nursing and trucking, in a sentence long enough to be cut: "
        + "Iowa " * 90
        + "ends here.\n\nThey called it \u2018the Iowa model.\u2019\n\nIt spread."
    )

    quoted = readable(lines)

    assert quoted.startswith(
        "Industries covered by the councils. Last reviewed: March 2019. The councils cover"
    )
    # A long sentence the splitter cut in two, before a capitalised word, still reads as one.
    assert len(lines) == 6 and lines[3].startswith("Iowa Iowa")
    assert ". Iowa" not in quoted
    assert "the Iowa model.\u2019 It spread." in quoted
