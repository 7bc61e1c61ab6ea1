"""The display filters every page uses."""

import pytest

from memberconsole.core.templatetags.console import progress_step


@pytest.mark.parametrize(
    ("value", "maximum", "step"),
    [(0, 100, 0), (1, 100, 5), (2, 100, 5), (12, 100, 10), (13, 100, 15), (99, 100, 95), (100, 100, 100),
     (250, 5000, 5), (4999, 5000, 95), (5000, 5000, 100), (0, 0, 100), ("x", 100, 0), (None, 100, 0)],
)  # fmt: skip
def test_progress_step_rounds_to_a_width_class_without_hiding_a_start_or_an_end(value, maximum, step):
    assert progress_step(value, maximum) == step
