from knowledge.answering.understand import Part, split_question


def test_a_simple_question_is_one_part() -> None:
    assert split_question("What is a sector partnership?") == [
        Part("What is a sector partnership?", "What is a sector partnership?")
    ]


def test_a_compound_question_is_split_at_and_plus_a_question_word() -> None:
    parts = split_question(
        "When did IWD take over the partnerships, and which law lets colleges pay staff?"
    )

    assert [p.focus for p in parts] == [
        "When did IWD take over the partnerships",
        "which law lets colleges pay staff?",
    ]


def test_statements_join_the_search_of_a_part_that_points_back_to_them() -> None:
    parts = split_question(
        "IWD wants partnerships to work with local boards. How many local areas are there, "
        "and what federal law is behind this alignment?"
    )

    assert parts[0].search == "How many local areas are there"
    assert parts[1].search.startswith("IWD wants partnerships to work with local boards.")
    assert parts[1].focus == "what federal law is behind this alignment?"


def test_a_question_after_a_statement_is_about_it_only_when_it_points_back() -> None:
    [standalone] = split_question("We make cabinets in Ames. Which partnership covers wood?")
    [pointing_back] = split_question("A 2019 page lists another number. Is that still right?")

    assert standalone.search == "We make cabinets in Ames. Which partnership covers wood?"
    assert standalone.focus == "Which partnership covers wood?"
    assert pointing_back.focus == pointing_back.search


def test_abbreviations_do_not_split_a_question() -> None:
    [part] = split_question("Which bill signed by Gov. Reynolds created the U.S. office in Iowa?")

    assert part.focus == "Which bill signed by Gov. Reynolds created the U.S. office in Iowa?"
