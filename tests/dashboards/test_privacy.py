"""The k-anonymity rule on its own: small groups hidden, and enough more hidden that subtraction reveals nothing."""

from dashboards.exports import Table, csv_cell, table_csv
from dashboards.privacy import SUPPRESSED, hidden_groups


def test_groups_of_five_or_more_are_all_shown():
    assert hidden_groups({"a": 5, "b": 12, "c": 40}) == (set(), False)


def test_a_small_group_is_hidden_with_the_next_smallest_so_the_total_does_not_reveal_it():
    # Total 60 is shown: hiding only "a" would give 60 - 12 - 45 = 3.
    assert hidden_groups({"a": 3, "b": 12, "c": 45}) == ({"a", "b"}, False)


def test_two_small_groups_that_together_are_still_fewer_than_five_take_a_third_one_with_them():
    # a + b = 4 could be worked out from the total, so c is hidden as well.
    assert hidden_groups({"a": 2, "b": 2, "c": 9, "d": 30}) == ({"a", "b", "c"}, False)


def test_two_small_groups_of_five_together_are_enough():
    assert hidden_groups({"a": 3, "b": 2, "c": 30}) == ({"a", "b"}, False)


def test_empty_groups_are_left_out_not_counted_as_small():
    assert hidden_groups({"a": 0, "b": 10, "c": 7}) == (set(), False)


def test_a_breakdown_with_nothing_else_to_hide_is_hidden_entirely():
    assert hidden_groups({"a": 3}) == ({"a"}, True)


def test_hidden_cells_read_fewer_than_5():
    assert str(SUPPRESSED) == "fewer than 5"
    assert (
        table_csv(Table("t", "T", ["Group", "People"], [["Legal", SUPPRESSED]]))
        == "Group,People\r\nLegal,fewer than 5\r\n"
    )


def test_csv_cells_starting_like_a_formula_get_an_apostrophe():
    assert [csv_cell(v) for v in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "plain", 42, None, "a=b"]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\t=1",
        "plain",
        "42",
        "",
        "a=b",
    ]
