"""The SVG chart geometry: values land where they should."""

from dashboards import charts


def test_axis_maximum_is_a_round_number_at_or_above_the_data():
    assert [charts.nice_max(v) for v in [0, 0.3, 1, 3, 7, 12, 99, 101]] == [1, 0.5, 1, 5, 10, 20, 100, 200]


def test_line_chart_puts_the_top_value_at_the_top_and_zero_at_the_bottom():
    chart = charts.line_chart(
        dom_id="x", title="T", explanation="E", labels=["a", "b", "c"], series=[("s", [0, 5, 10])]
    )
    assert chart.series[0]["points"] == f"{charts.LEFT}.0,184.0 338.0,98.0 628.0,12.0"
    assert [g["label"] for g in chart.gridlines] == ["0", "2.5", "5", "7.5", "10"]


def test_count_axes_never_show_fractions_of_a_person():
    chart = charts.line_chart(dom_id="x", title="T", explanation="E", labels=["a", "b"], series=[("s", [0, 1])])
    assert [g["label"] for g in chart.gridlines] == ["0", "1", "2", "3", "4"]


def test_bar_chart_skips_zero_bars_and_labels_each_bar():
    chart = charts.bar_chart(
        dom_id="x", title="T", explanation="E", labels=["w1", "w2"], series=[("Works", [2, 0]), ("Doesn't", [1, 4])]
    )
    assert [bar["label"] for bar in chart.bars] == ["w1: Works 2", "w1: Doesn't 1", "w2: Doesn't 4"]
    assert not chart.empty


def test_funnel_widths_follow_the_counts():
    chart = charts.funnel_chart(
        dom_id="x", title="T", explanation="E", steps=[("a", 10, ""), ("b", 5, "50%"), ("c", 0, "0%")]
    )
    assert [step["w"] for step in chart.steps] == [340.0, 170.0, 2]


def test_chart_with_no_data_says_so():
    assert charts.line_chart(dom_id="x", title="T", explanation="E", labels=[], series=[("s", [])]).empty
