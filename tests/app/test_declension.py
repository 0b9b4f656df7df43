"""Names and positions in cases for orders (app/orders/declension.py): the phrases of the seed orders,
men's and women's names in every written form, positions with a governed tail, the forms the rules
cannot vouch for, and hostile input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.declension import (
    Case,
    Declined,
    Gender,
    agree_adjective,
    decline_name,
    decline_position,
    guess_gender,
    person_phrase,
)

NOM, GEN, DAT, ACC, INS, PRE = (
    Case.NOMINATIVE,
    Case.GENITIVE,
    Case.DATIVE,
    Case.ACCUSATIVE,
    Case.INSTRUMENTAL,
    Case.PREPOSITIONAL,
)
OKO = "МКУ «Организационно-координационный отдел управления образования»"


def assert_russian_note(result: Declined) -> None:
    assert result.note, "an unsure form must say why"
    assert not re.search(r"[A-Za-z]", result.note), result.note


# --- the seed orders ---------------------------------------------------------------------------------


def test_seed_control_point_kuprienko_stays_and_is_flagged() -> None:
    # «…возложить на Куприенко Е.В. – главного специалиста комитета образования» (seed 000)
    name = decline_name("Куприенко Е.В.", ACC)
    assert name.text == "Куприенко Е.В."
    assert not name.sure
    assert name.note == "Фамилия «Куприенко» не склоняется или пол неизвестен — проверьте форму"
    position = decline_position("главный специалист комитета образования", ACC)
    assert position == Declined("главного специалиста комитета образования", True)
    phrase = person_phrase("Куприенко Е.В.", "главный специалист комитета образования", ACC, separator=" – ")
    assert phrase.text == "Куприенко Е.В. – главного специалиста комитета образования"
    assert not phrase.sure
    assert "Куприенко" in phrase.note


def test_seed_potekhina_accusative() -> None:
    # «Контроль исполнения приказа возложить на Потехину Т.С., заместителя начальника Управления образования»
    assert decline_name("Потехина Т.С.", ACC) == Declined("Потехину Т.С.", True)
    phrase = person_phrase("Потехина Т.С.", "заместитель начальника Управления образования", ACC)
    assert phrase == Declined("Потехину Т.С., заместителя начальника Управления образования", True)


def test_seed_plaksina_dative_with_quoted_organisation() -> None:
    # «Плаксиной И.Н., главному специалисту МКУ «Организационно-координационный отдел …»:»
    assert decline_name("Плаксина И.Н.", DAT) == Declined("Плаксиной И.Н.", True)
    position = decline_position(f"главный специалист {OKO}", DAT)
    assert position == Declined(f"главному специалисту {OKO}", True)
    phrase = person_phrase("Плаксина И.Н.", f"главный специалист {OKO}", DAT)
    assert phrase == Declined(f"Плаксиной И.Н., главному специалисту {OKO}", True)


def test_seed_trufanova_responsible() -> None:
    # «Назначить ответственной за реализацию плана … руководителя ИМС Труфанову А.А.»
    assert decline_name("Труфанова А.А.", ACC) == Declined("Труфанову А.А.", True)
    assert decline_position("руководитель ИМС", ACC) == Declined("руководителя ИМС", True)
    gender = guess_gender("Труфанова А.А.")
    assert gender is Gender.FEMALE
    assert agree_adjective("ответственным", gender) == "ответственной"


def test_seed_signature_forms_with_initials_first() -> None:
    # Signatures of the seeds: «Е.А. Краснова», «Е.П.Николаенкова», «В.А.Бахмутов», «И.А. Паршутин»
    assert decline_name("Е.А. Краснова", DAT) == Declined("Е.А. Красновой", True)
    assert decline_name("Е.П.Николаенкова", INS) == Declined("Е.П.Николаенковой", True)
    assert decline_name("В.А.Бахмутов", GEN) == Declined("В.А.Бахмутова", True)
    assert decline_name("И.А. Паршутин", INS) == Declined("И.А. Паршутиным", True)


# --- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (GEN, "Бахмутова В.А."),
        (DAT, "Бахмутову В.А."),
        (ACC, "Бахмутова В.А."),
        (INS, "Бахмутовым В.А."),
        (PRE, "Бахмутове В.А."),
    ],
)
def test_man_with_initials_in_every_case(case: Case, expected: str) -> None:
    assert decline_name("Бахмутов В.А.", case) == Declined(expected, True)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (GEN, "Потехиной Т.С."),
        (DAT, "Потехиной Т.С."),
        (ACC, "Потехину Т.С."),
        (INS, "Потехиной Т.С."),
        (PRE, "Потехиной Т.С."),
    ],
)
def test_woman_with_initials_in_every_case(case: Case, expected: str) -> None:
    assert decline_name("Потехина Т.С.", case) == Declined(expected, True)


def test_full_names_with_patronymic() -> None:
    assert decline_name("Иванов Иван Иванович", GEN) == Declined("Иванова Ивана Ивановича", True)
    assert decline_name("Иванов Иван Иванович", INS) == Declined("Ивановым Иваном Ивановичем", True)
    # The patronymic tells the gender although «Куприенко» does not.
    assert decline_name("Куприенко Елена Викторовна", ACC) == Declined("Куприенко Елену Викторовну", True)
    assert decline_name("Куприенко Елена Викторовна", DAT) == Declined("Куприенко Елене Викторовне", True)
    # Name and patronymic first, as in signatures written out in full.
    assert decline_name("Елена Викторовна Куприенко", GEN) == Declined("Елены Викторовны Куприенко", True)
    assert decline_name("Пётр Ильич Чайковский", DAT) == Declined("Петру Ильичу Чайковскому", True)


def test_first_name_and_patronymic_alone() -> None:
    assert decline_name("Татьяна Сергеевна", DAT) == Declined("Татьяне Сергеевне", True)


def test_two_words_surname_recognised_by_its_ending() -> None:
    assert decline_name("Иванов Иван", DAT) == Declined("Иванову Ивану", True)
    assert decline_name("Иван Иванов", DAT) == Declined("Ивану Иванову", True)


def test_two_words_without_a_surname_ending_are_flagged() -> None:
    result = decline_name("Ким Олег", DAT)
    assert not result.sure
    assert_russian_note(result)


def test_formatting_of_initials_and_spaces_is_kept() -> None:
    assert decline_name("Потехина Т. С.", DAT).text == "Потехиной Т. С."
    assert decline_name("Потехина\u00a0Т.С.", DAT).text == "Потехиной\u00a0Т.С."
    assert decline_name("  Потехина Т.С. ", ACC).text == "  Потехину Т.С. "
    assert decline_name("Потехина Т.", ACC).text == "Потехину Т."


def test_capital_letters_are_kept() -> None:
    assert decline_name("ПОТЕХИНА Т.С.", DAT) == Declined("ПОТЕХИНОЙ Т.С.", True)
    assert decline_name("БАХМУТОВ Виктор Андреевич", DAT) == Declined("БАХМУТОВУ Виктору Андреевичу", True)


def test_hyphenated_surnames() -> None:
    assert decline_name("Римская-Корсакова Н.А.", ACC) == Declined("Римскую-Корсакову Н.А.", True)
    assert decline_name("Римская-Корсакова Н.А.", DAT) == Declined("Римской-Корсаковой Н.А.", True)
    assert decline_name("Римский-Корсаков Н.А.", DAT) == Declined("Римскому-Корсакову Н.А.", True)
    assert decline_name("Н.А. Римский-Корсаков", INS) == Declined("Н.А. Римским-Корсаковым", True)


def test_yo_in_surnames() -> None:
    assert decline_name("Королёв С.П.", DAT) == Declined("Королёву С.П.", True)
    assert decline_name("Королёва С.П.", ACC) == Declined("Королёву С.П.", True)


def test_gender_detection() -> None:
    assert guess_gender("Потехина Т.С.") is Gender.FEMALE
    assert guess_gender("Бахмутов В.А.") is Gender.MALE
    assert guess_gender("Е.П.Николаенкова") is Gender.FEMALE
    assert guess_gender("Куприенко Е.В.") is Gender.UNKNOWN
    assert guess_gender("Куприенко Елена Викторовна") is Gender.FEMALE
    assert guess_gender("Сидоренко Иван Петрович") is Gender.MALE
    assert guess_gender("Белых Саша") is Gender.UNKNOWN
    assert guess_gender("") is Gender.UNKNOWN
    assert guess_gender("Smith J.") is Gender.UNKNOWN


def test_unknown_gender_whose_form_depends_on_it_stays_unchanged() -> None:
    # «Шевчук» declines for a man (Шевчуку) and not for a woman: without a gender nothing is guessed.
    result = decline_name("Шевчук А.А.", DAT)
    assert result.text == "Шевчук А.А."
    assert not result.sure
    assert "Шевчук" in result.note
    assert_russian_note(result)


def test_explicit_gender_settles_the_form() -> None:
    assert decline_name("Шевчук А.А.", DAT, Gender.MALE) == Declined("Шевчуку А.А.", True)
    assert decline_name("Шевчук А.А.", DAT, Gender.FEMALE) == Declined("Шевчук А.А.", True)
    assert decline_name("Куприенко Е.В.", ACC, Gender.FEMALE) == Declined("Куприенко Е.В.", True)
    # UNKNOWN is the same as not telling.
    assert not decline_name("Куприенко Е.В.", ACC, Gender.UNKNOWN).sure


def test_explicit_gender_contradicting_the_name_is_flagged() -> None:
    result = decline_name("Потехина Т.С.", DAT, Gender.MALE)
    assert not result.sure
    assert "Потехина" in result.note
    assert_russian_note(result)


def test_nominative_is_the_input() -> None:
    assert decline_name("Куприенко Е.В.", NOM) == Declined("Куприенко Е.В.", True)
    assert decline_name("Потехина Т.С.", NOM) == Declined("Потехина Т.С.", True)


# --- positions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "case", "expected"),
    [
        (
            "заместитель начальника Управления образования",
            ACC,
            "заместителя начальника Управления образования",
        ),
        ("начальник отдела", ACC, "начальника отдела"),
        ("начальник отдела", DAT, "начальнику отдела"),
        ("председатель комитета образования", INS, "председателем комитета образования"),
        ("директор МБОУ «Шумская СОШ»", DAT, "директору МБОУ «Шумская СОШ»"),
        ("методист МИМС", PRE, "методисте МИМС"),
        ("ведущий специалист", GEN, "ведущего специалиста"),
        ("ведущий специалист", INS, "ведущим специалистом"),
        ("старший методист ИМЦ", DAT, "старшему методисту ИМЦ"),
        ("главный специалист", INS, "главным специалистом"),
        ("главный специалист", PRE, "главном специалисте"),
        ("специалист 1 категории", DAT, "специалисту 1 категории"),
        ("инспектор", INS, "инспектором"),
        ("секретарь рабочей группы", DAT, "секретарю рабочей группы"),
        ("секретарь рабочей группы", INS, "секретарём рабочей группы"),
        ("член рабочей группы", ACC, "члена рабочей группы"),
        ("заведующий отделом", ACC, "заведующего отделом"),
        ("заведующий учебной частью", INS, "заведующим учебной частью"),
        ("заведующая отделом", ACC, "заведующую отделом"),
        ("заведующая отделом", DAT, "заведующей отделом"),
        ("учитель-логопед", GEN, "учителя-логопеда"),
        ("педагог-психолог", DAT, "педагогу-психологу"),
        ("временно исполняющий обязанности начальника", DAT, "временно исполняющему обязанности начальника"),
        ("главный бухгалтер", DAT, "главному бухгалтеру"),
    ],
)
def test_head_phrase_declines_and_tail_stays(position: str, case: Case, expected: str) -> None:
    assert decline_position(position, case) == Declined(expected, True)


def test_position_capitalisation_is_kept() -> None:
    assert decline_position("Главный специалист комитета", DAT).text == "Главному специалисту комитета"
    assert decline_position("ГЛАВНЫЙ СПЕЦИАЛИСТ", GEN).text == "ГЛАВНОГО СПЕЦИАЛИСТА"
    assert decline_position("Руководитель ИМС", ACC).text == "Руководителя ИМС"


def test_position_gender_does_not_change_masculine_nouns() -> None:
    # Orders say «Плаксиной И.Н., главному специалисту» for a woman.
    for gender in Gender:
        assert decline_position("главный специалист", DAT, gender).text == "главному специалисту"


def test_acting_abbreviation_does_not_decline() -> None:
    assert decline_position("и.о. начальника отдела", DAT) == Declined("и.о. начальника отдела", True)
    assert decline_position("И. о. директора", ACC) == Declined("И. о. директора", True)


def test_unknown_head_is_left_unchanged_and_flagged() -> None:
    for position in ("космонавт", "методистка ИМЦ", "главного специалиста", "ОО «Шумская СОШ»"):
        result = decline_position(position, DAT)
        assert result.text == position
        assert not result.sure
        assert_russian_note(result)


def test_adjective_not_agreeing_with_the_head_is_flagged() -> None:
    result = decline_position("главная специалист", DAT)
    assert result == Declined("главная специалист", False, result.note)
    assert_russian_note(result)


def test_second_title_after_a_comma_is_flagged() -> None:
    result = decline_position("директор МБОУ «Шумская СОШ», председатель РМО", DAT)
    assert result.text == "директору МБОУ «Шумская СОШ», председатель РМО"
    assert not result.sure
    assert "председатель" in result.note
    assert_russian_note(result)
    assert not decline_position("председатель и секретарь", DAT).sure
    # A tail that is not a title keeps the form sure.
    assert decline_position("специалист по кадрам и охране труда", DAT).sure


def test_person_phrase_without_position_is_the_name() -> None:
    assert person_phrase("Бахмутов В.А.", "", DAT) == Declined("Бахмутову В.А.", True)


def test_person_phrase_unsure_when_position_unsure() -> None:
    result = person_phrase("Бахмутов В.А.", "космонавт", DAT)
    assert result.text == "Бахмутову В.А., космонавт"
    assert not result.sure
    assert_russian_note(result)


# --- agreement ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("masculine", "feminine"),
    [
        ("ответственным", "ответственной"),
        ("Ответственным", "Ответственной"),
        ("ответственный", "ответственная"),
        ("ведущий", "ведущая"),
        ("последний", "последняя"),
        ("ведущим", "ведущей"),
        ("ответственному", "ответственной"),
        ("ответственного", "ответственной"),
        ("ответственным исполнителем", "ответственной исполнителем"),
    ],
)
def test_agree_adjective_feminine(masculine: str, feminine: str) -> None:
    assert agree_adjective(masculine, Gender.FEMALE) == feminine
    assert agree_adjective(masculine, Gender.MALE) == masculine
    assert agree_adjective(masculine, Gender.UNKNOWN) == masculine


def test_agree_adjective_accusative() -> None:
    assert agree_adjective("ответственного", Gender.FEMALE, case=ACC) == "ответственную"


# --- hostile input -----------------------------------------------------------------------------------

HOSTILE = ["", "   ", "Smith J.", "12345", "<&>", "Иванов <script>", "Иванов И.И. 2020", "а" * 10_000, "\x00"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_returned_unchanged(text: str) -> None:
    for case in (GEN, DAT, ACC):
        for result in (decline_name(text, case), decline_position(text, case)):
            assert result.text == text
            assert not result.sure
            assert_russian_note(result)


def test_very_long_position_tail_is_kept() -> None:
    tail = "отдела " * 5000
    assert decline_position("начальник " + tail, DAT) == Declined("начальнику " + tail, True)


any_case = st.sampled_from(list(Case))
any_gender = st.sampled_from([None, *Gender])
namelike = st.text(alphabet="АБВЕИКОПСТабвеиковнчяй.-  ЁёA«»<&>1", max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), namelike), case=any_case, gender=any_gender)
def test_never_raises_and_nominative_is_identity(text: str, case: Case, gender: Gender | None) -> None:
    for result in (decline_name(text, case, gender), decline_position(text, case, gender)):
        assert isinstance(result.text, str)
        if not result.sure:
            assert_russian_note(result)
    phrase = person_phrase(text, text, case, gender=gender)
    assert isinstance(phrase.text, str)
    assert decline_name(text, NOM, gender).text == text
    assert decline_position(text, NOM, gender).text == text
    assert isinstance(guess_gender(text), Gender)
    assert isinstance(agree_adjective(text, Gender.FEMALE), str)
