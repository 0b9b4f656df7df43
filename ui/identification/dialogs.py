"""The dialogs of the «Выявление школ» page: a proposal's full explanation, and the rules' thresholds
(shown, loaded from a .json file, saved as a file to edit). Opened with open(), never exec()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, os_reason
from app.results.model import StoredProposal
from ui.identification.model import DECISION_LABELS, category_label, rule_title
from ui.messages import remembered_folder, show_error, show_file_saved
from ui.signals import emit

RULES_FOLDER_KEY = "identification/rules-folder"

# Names of the figures and thresholds a proposal stores, for the person who reads them.
FIGURE_LABELS = {
    "participants": "участников",
    "raised": "повысили отметку по журналу, %",
    "lowered": "понизили отметку по журналу, %",
    "lines_above": "строк отчётов выше порога",
    "continuing_10": "продолжили обучение в 10 классе, %",
    "olympiad_share": "участвуют в олимпиадах, %",
    "social_index": "индекс социального благополучия",
    "single_parent": "неполные семьи, %",
    "prevention_register": "на профилактическом учёте, %",
    "fail_share": "не преодолели минимальный порог, %",
    "region_fail_share": "не преодолели порог по региону, %",
    "average": "средний балл",
    "region_average": "средний балл по региону",
    "vpr_quality_diff": "качество ВПР выше регионального на, п.",
    "ege_diff": "ЕГЭ: разница со средним по региону",
    "oge_diff": "ОГЭ: разница со средним по региону",
    "gia_diff_at_most": "ГИА не выше региона (разница не более)",
    "changes": "резких изменений",
    "largest_quality_change": "наибольшее изменение качества, п.",
    "largest_mean_mark_change": "наибольшее изменение среднего балла",
    "procedures": "процедур в нижней доле",
    "share_percent": "доля школ с самыми низкими результатами, %",
    "min_procedures": "процедур нужно",
    "year": "учебный год",
    "years": "лет с данными",
    "falling_years": "лет снижения подряд",
    "rising": "доля не преодолевших порог растёт",
    "mismatch": "отметка не совпала с журнальной, %",
    "students": "обучающихся",
    "locality": "местность",
    "vpr_by_grade": "ВПР сравниваются по классам (отклонение от средней всех школ)",
    "rkr_by_grade": "РКР сравниваются по классам (отклонение от средней всех школ)",
}
_PROCEDURES = {"ege": "ЕГЭ", "oge": "ОГЭ", "vpr": "ВПР", "rkr": "РКР", "niko": "НИКО", "vsosh": "ВсОШ"}
# «vpr_score» and the like: the low-quintile rule's figures per procedure.
_PER_PROCEDURE = {
    "score": "показатель школы в ранжировании",
    "participants": "участников (наибольшая работа)",
    "threshold": "порог нижней доли",
    "ranked": "школ в ранжировании",
    "by_grade": "сравнение по классам",
}


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        digits = 2 if abs(value) < 10 else 1
        return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")
    if isinstance(value, list):
        return ", ".join(_format(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_format(v)}" for k, v in value.items()) or "—"
    return str(value)


def _label(key: str) -> str:
    from app.results.rules import FIELD_LABELS

    if key in FIGURE_LABELS:
        return FIGURE_LABELS[key]
    procedure, _, rest = key.partition("_")
    if procedure in _PROCEDURES and rest in _PER_PROCEDURE:
        return f"{_PROCEDURES[procedure]}: {_PER_PROCEDURE[rest]}"
    procedure, colon, subject = key.partition(":")
    if colon and procedure in _PROCEDURES:
        return f"{_PROCEDURES[procedure]}, {subject.lower()}: среднее за годы"
    if key in FIELD_LABELS:
        # the rules file's comment, without the part that explains true/false
        return FIELD_LABELS[key].removeprefix("true — ").split("; false — ")[0]
    if key.isdigit() and len(key) == 4:
        year = int(key)
        return f"{year}/{(year + 1) % 100:02d}"
    return key


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explanation_html(proposal: StoredProposal, min_participants: int = 20) -> str:
    rows = []
    for title, values in (("Показатели школы", proposal.figures), ("Пороги правила", proposal.thresholds)):
        if not values:
            continue
        rows.append(f"<h4>{title}</h4><table cellspacing='0' cellpadding='3'>")
        for key, value in values.items():
            shown = (
                f"{value}/{(value + 1) % 100:02d}"
                if key == "year" and isinstance(value, int) and not isinstance(value, bool)
                else _format(value)
            )
            rows.append(
                f"<tr><td style='color:#555'>{_escape(_label(str(key)))}</td><td><b>{_escape(shown)}</b></td></tr>"
            )
        rows.append("</table>")
    weak = (
        f"<p style='color:#b26a00'><b>Слабые данные:</b> менее {min_participants} участников — показано, "
        "но не считается доказательством.</p>"
        if proposal.weak_evidence
        else ""
    )
    return (
        f"<h3>{_escape(proposal.school_name)}</h3>"
        f"<p><b>{_escape(category_label(proposal.category))}</b> — {_escape(rule_title(proposal.rule))}<br>"
        f"Решение: {DECISION_LABELS.get(proposal.decision, proposal.decision)}</p>"
        f"<p>{_escape(proposal.explanation)}</p>{weak}{''.join(rows)}"
    )


class ExplanationDialog(QDialog):
    """A proposal in full: the rule, the sentence, the figures and the thresholds; decide here too."""

    decision_requested = Signal(int, str)

    def __init__(
        self, proposal: StoredProposal, min_participants: int = 20, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.proposal = proposal
        self.setWindowTitle(f"Пояснение: {proposal.school_name}")
        self.resize(640, 480)
        self.browser = QTextBrowser()
        self.browser.setHtml(explanation_html(proposal, min_participants))
        buttons = QDialogButtonBox()
        self.accept_button = buttons.addButton("Принять", QDialogButtonBox.ButtonRole.ActionRole)
        self.reject_button = buttons.addButton("Отклонить", QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("Закрыть", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.accept_button.clicked.connect(lambda: self._decide("accepted"))
        self.reject_button.clicked.connect(lambda: self._decide("rejected"))
        self.accept_button.setEnabled(proposal.decision != "accepted")
        self.reject_button.setEnabled(proposal.decision != "rejected")
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)

    def _decide(self, decision: str) -> None:
        emit(self.decision_requested, self.proposal.id, decision)
        self.accept()


def settings_text(settings: Any) -> str:
    """Every threshold with its meaning, one a line."""
    from app.results.rules import FIELD_LABELS, RULES

    lines = []
    for key, value in settings.to_dict().items():
        if isinstance(value, list) and all(isinstance(v, str) and v in RULES for v in value):
            value = [f"«{RULES[v].title}»" for v in value] or "нет"  # rule keys as the office reads them
        # the key is the name in the rules file an office edits (`rules template`)
        lines.append(f"{_format(value)} — {FIELD_LABELS.get(key, key)} (в файле правил: {key})")
    return "\n".join(lines)


class RulesDialog(QDialog):
    """The thresholds for the next calculation: shown, loaded from a file, saved to a file, reset."""

    settings_chosen = Signal(object, str)  # RuleSettings, where they came from

    def __init__(self, settings: Any, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Правила выявления")
        self.resize(820, 560)
        self.settings = settings
        self.source = source
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Загрузить из файла…")
        self.save_button = QPushButton("Сохранить в файл…")
        self.default_button = QPushButton("По умолчанию")
        for button in (self.load_button, self.save_button, self.default_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("Закрыть", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        self.load_button.clicked.connect(lambda: self.load())
        self.save_button.clicked.connect(lambda: self.save())
        self.default_button.clicked.connect(self.reset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.text, 1)
        layout.addWidget(
            QLabel(
                "Пороги хранятся вместе с каждым расчётом, поэтому список можно воспроизвести. "
                "Чтобы изменить пороги, сохраните файл, исправьте значения в разделе «rules» и загрузите его."
            )
        )
        layout.addWidget(buttons)
        self._show()

    def _show(self) -> None:
        self.caption.setText(f"Пороги для следующего расчёта: {self.source}.")
        self.text.setPlainText(settings_text(self.settings))

    def _choose(self, settings: Any, source: str) -> None:
        self.settings, self.source = settings, source
        self._show()
        emit(self.settings_chosen, settings, source)

    def load(self, path: Path | None = None) -> bool:
        from app.results.rules import load_rules

        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Файл правил", remembered_folder(RULES_FOLDER_KEY), "Правила (*.json);;Все файлы (*)"
            )
            if not name:
                return False
            path = Path(name)
        QSettings().setValue(RULES_FOLDER_KEY, str(Path(path).parent))
        try:
            settings = load_rules(path)
        except AppError as exc:
            show_error(self, exc.message, "Правила не загружены")
            return False
        self._choose(settings, f"из файла «{Path(path).name}»")
        return True

    def save(self, path: Path | None = None) -> bool:
        if path is None:
            default = Path(remembered_folder(RULES_FOLDER_KEY)) / "Правила выявления.json"
            name, _ = QFileDialog.getSaveFileName(self, "Сохранить правила", str(default), "Правила (*.json)")
            if not name:
                return False
            path = Path(name)
            if path.suffix.lower() != ".json":
                path = path.with_name(path.name + ".json")
        path = Path(path)
        QSettings().setValue(RULES_FOLDER_KEY, str(path.parent))
        try:
            path.write_text(self.settings.to_json(), encoding="utf-8")
        except OSError as exc:
            show_error(self, f"Не удалось записать файл «{path.name}»: {os_reason(exc)}.", "Правила")
            return False
        show_file_saved(self, "Правила", f"Правила сохранены в файл «{path}».", path)
        return True

    def reset(self) -> None:
        from app.results.rules import RuleSettings

        self._choose(RuleSettings(), "по умолчанию")
