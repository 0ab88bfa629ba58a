"""The Markdown subset of AI Companion summaries: what it renders, and that hostile Markdown
renders to markup the converter writes itself, with every other character escaped."""

from __future__ import annotations

from html import escape

import pytest

from archiver.core.converter.inline import inline_html, inline_text
from archiver.core.converter.markdown import MAX_DEPTH, MAX_LINE, MAX_LINES, render_markdown
from tests.support.safe_html import links, problems


def html(source: str) -> str:
    rendered = render_markdown(source)
    assert problems(rendered.html) == []
    return rendered.html


def test_headings_paragraphs_and_lists_render_in_both_forms() -> None:
    rendered = render_markdown("## Recap\nWe agreed.\n\n### Next steps\n- Ann\n- Bob\n")
    assert [line[:4] for line in rendered.html.splitlines()] == [
        "<h4 ",
        "<p s",
        "<h5 ",
        "<ul ",
        "<li ",
    ]
    assert rendered.text == "Recap\n~~~~~\n\nWe agreed.\n\nNext steps\n\n- Ann\n- Bob"


def test_bold_italic_and_code_become_their_markup() -> None:
    assert inline_html("**a** *b* __c__ _d_ `e`").startswith("<b>a</b> <i>b</i> <b>c</b> <i>d</i>")
    assert inline_text("**a** *b* `e`") == "a b `e`"


def test_unmatched_and_spaced_delimiters_stay_text() -> None:
    assert inline_html("2 * 3 * 4 and snake_case_name and **open") == (
        "2 * 3 * 4 and snake_case_name and **open"
    )


def test_crossed_emphasis_is_written_well_nested() -> None:
    assert inline_html("**a *b** c*") == "<b>a *b</b> c*"
    assert inline_html("***both***") == "<i><b>both</b></i>"


def test_a_backslash_escapes_a_marker() -> None:
    assert inline_html(r"\*not italic\*") == "*not italic*"


def test_an_escaped_backtick_before_another_is_text() -> None:
    assert inline_html("\\``") == "``"
    assert inline_html("`a\\``b`").endswith(">a\\``b</span>")  # a run of two closes no run of one


def test_an_http_link_shows_its_url_beside_its_text() -> None:
    out = html("[the doc](https://docs.zoom.us/doc/1?a=1&b=2)")
    assert ">the doc</a> (https://docs.zoom.us/doc/1?a=1&amp;b=2)" in out
    assert links(out) == ["https://docs.zoom.us/doc/1?a=1&b=2"]
    assert inline_text("[the doc](https://x.example)") == "the doc (https://x.example)"


def test_an_autolink_is_shown_once() -> None:
    out = html("see <https://zoom.us>")
    assert out.endswith(">https://zoom.us</a></p>")
    assert "(https://zoom.us)" not in out


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        "[click](//evil.example/x)",
        '[click](https://x.example/a"onmouseover="alert(1))',
        "<javascript:alert(1)>",
        "<https://x.example/a b>",
    ],
)
def test_a_link_that_is_not_plain_http_is_shown_as_text(source: str) -> None:
    out = html(source)
    assert "<a " not in out
    assert escape(source) in out


def test_an_image_is_never_loaded_it_is_a_link_with_its_url_shown() -> None:
    out = html("![chart](https://x.example/pixel.png)")
    assert "<img" not in out
    assert ">chart</a> (https://x.example/pixel.png)" in out


def test_a_thematic_break_is_shown_as_its_text() -> None:
    assert render_markdown("* * *").text == "* * *"
    assert render_markdown("---").text == "---"


def test_raw_html_and_script_tags_are_shown_escaped() -> None:
    out = html('<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:x">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out


def test_html_entities_are_shown_as_typed_never_decoded_into_markup() -> None:
    out = html("&lt;script&gt; &amp; &#60;b&#62; &#x3C;i&#x3E;")
    assert "&amp;lt;script&amp;gt; &amp;amp; &amp;#60;b&amp;#62;" in out
    assert render_markdown("&lt;b&gt;").text == "&lt;b&gt;"


def test_markup_inside_code_and_link_text_is_escaped_too() -> None:
    out = html("`<b>x</b>` [<i>y</i>](https://x.example)")
    assert "&lt;b&gt;x&lt;/b&gt;" in out
    assert ">&lt;i&gt;y&lt;/i&gt;</a>" in out


def test_lists_nest_by_indentation() -> None:
    out = render_markdown("- a\n  - b\n    - c\n- d\n1. one\n2. two\n")
    assert out.text == "- a\n  - b\n    - c\n- d\n\n1. one\n2. two"
    assert out.html.count("<ul ") == 3
    assert out.html.count("<ol ") == 1


def test_a_numbered_list_keeps_its_first_number() -> None:
    out = render_markdown("3. three\n4. four")
    assert " start=3 " in out.html
    assert out.text == "3. three\n4. four"


def test_deeply_nested_lists_stop_nesting_at_the_limit_and_keep_every_item() -> None:
    source = "\n".join(f"{'  ' * n}- level {n}" for n in range(500))
    out = render_markdown(source)
    assert problems(out.html) == []
    assert out.html.count("<ul ") == MAX_DEPTH
    assert all(f"level {n}<" in out.html or f"level {n}\n" in out.text for n in range(500))
    assert out.text.count("- level") == 500


def test_a_line_continuing_a_list_item_stays_in_it() -> None:
    out = render_markdown("- first line\n  second line\n\nafter")
    assert out.text == "- first line\n  second line\n\nafter"


def test_lines_of_a_paragraph_keep_their_breaks() -> None:
    out = render_markdown("one\ntwo")
    assert "one<br>\ntwo" in out.html
    assert out.text == "one\ntwo"


def test_a_heading_needs_a_space_and_loses_its_closing_hashes() -> None:
    assert render_markdown("#hashtag").html.startswith("<p ")
    assert ">Title</h4>" in render_markdown("# Title ##").html
    assert render_markdown("####### seven").html.startswith("<p ")


def test_control_characters_and_half_surrogates_do_not_reach_the_markup() -> None:
    out = render_markdown("a\x00b\x1bc\ud800d\x85e")
    assert out.html.endswith(">a\ufffdb\ufffdc\ufffdd\ufffde</p>")


def test_very_long_lines_and_documents_are_cut_visibly() -> None:
    out = render_markdown("x" * (MAX_LINE * 3) + "\n" + "y\n" * MAX_LINES)
    assert out.shortened
    assert "[truncated]" in out.text
    assert out.text.count("y") == MAX_LINES - 1
    assert not render_markdown("short").shortened


@pytest.mark.parametrize(
    "source",
    [
        "[" * 50_000,
        "`" * 3 + "`a" * 20_000,
        "*_" * 20_000,
        "<" * 20_000 + "https://x.example",
        "[a](" * 10_000,
        "**a " * 10_000,
        "# " + "#" * 4000 + "x",
    ],
)
def test_pathological_lines_render_safely(source: str) -> None:
    for line in (source, source[:MAX_LINE]):
        assert problems(inline_html(line)) == []
    assert problems(render_markdown(source).html) == []


def test_an_empty_summary_renders_to_nothing() -> None:
    assert render_markdown("") == render_markdown("\n \n")
    assert render_markdown("").html == ""
