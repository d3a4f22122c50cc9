"""PDF output through WeasyPrint, an optional dependency (`pip install 'spj[pdf]'`)."""

from __future__ import annotations

from spj.errors import Code, Problem, RenderError


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML report."""
    try:
        import weasyprint  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except Exception as exc:  # ImportError, or OSError when pango is missing
        raise RenderError(
            Problem(
                Code.OUTPUT,
                f"PDF output needs WeasyPrint, which could not be loaded ({exc.__class__.__name__}: {exc}); "
                "install it with: pip install 'spj[pdf]' (it also needs the pango system library)",
            )
        ) from exc
    try:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    except Exception as exc:
        raise RenderError(Problem(Code.OUTPUT, f"WeasyPrint could not render the report: {exc}")) from exc
    return pdf
