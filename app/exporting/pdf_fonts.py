"""The fonts of every PDF the program writes: Liberation Serif from resources/fonts, embedded.

Liberation Serif (SIL Open Font License, resources/fonts/LICENSE-Liberation.txt) has the metrics
of Times New Roman, one of the free fonts ГОСТ Р 7.0.97-2025 names for official documents. The
files ship with the program: a PDF never depends on the fonts of the computer it is made on
(Windows has no Liberation, and reportlab's built-in Times has no Cyrillic).
"""

from __future__ import annotations

from app.errors import AppError
from app.paths import resources_dir

FAMILY = "LiberationSerif"
_FACES = {
    FAMILY: "LiberationSerif-Regular.ttf",
    f"{FAMILY}-Bold": "LiberationSerif-Bold.ttf",
    f"{FAMILY}-Italic": "LiberationSerif-Italic.ttf",
    f"{FAMILY}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}


def register_fonts(*, italic: bool = True) -> str:
    """Register the four faces with reportlab (once) and return the family name for styles.

    <b> and <i> in paragraphs then pick the bold and italic faces. TrueType fonts are always
    embedded (as subsets) by reportlab.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    # reading a TrueType file costs ~8 ms a face: a document without italics skips two of them
    wanted = {n: f for n, f in _FACES.items() if italic or "Italic" not in n}
    if all(name in registered for name in wanted):
        return FAMILY
    folder = resources_dir() / "fonts"
    for name, file_name in wanted.items():
        if name in registered:
            continue
        path = folder / file_name
        if not path.is_file():
            raise AppError(
                f"Не найден файл шрифта «{file_name}» в папке «{folder}»: программа установлена "
                "не полностью. Переустановите её."
            )
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except Exception as exc:  # a damaged file: reportlab raises its own TTFError and others
            raise AppError(f"Файл шрифта «{file_name}» повреждён ({exc}). Переустановите программу.") from exc
    have_italic = f"{FAMILY}-Italic" in pdfmetrics.getRegisteredFontNames()
    pdfmetrics.registerFontFamily(
        FAMILY,
        normal=FAMILY,
        bold=f"{FAMILY}-Bold",
        italic=f"{FAMILY}-Italic" if have_italic else FAMILY,
        boldItalic=f"{FAMILY}-BoldItalic" if have_italic else f"{FAMILY}-Bold",
    )
    return FAMILY
