"""The table reader: which cells a claim is about, and what the numbers say."""

import pytest

from tools.judge.tables import parse_table, read_claim

KEY_VALUE = ("PAWS-X test accuracy (%) per language, zero-shot transfer from English. "
             "mBERT: English 94.0, German 85.7, Spanish 87.4, Korean 69.6. "
             "XLM-R Large: English 94.7, German 89.7, Spanish 90.1, Korean 79.0.")
PIPES = """NER F1, paper and reproduced.
| Model              | amh  | hau  | swa  | Avg.
| ------------------ | ---- | ---- | ---- | ----
| XLM-R (Paper)      | 25.1 | 43.5 | 48.9 | 39.2
| XLM-R (Reproduced) | 27.1 | 42.4 | 50.2 | 39.9
| XLM-V (Paper)      | 20.6 | 35.9 | 44.0 | 33.5"""
ONE_COLUMN = "MLDoc accuracy of multilingual BERT.\nLanguage  Score\nen  94.2\nde  80.2\nja  56.6\nAverage  77.0"


def test_the_three_layouts_parse():
    assert parse_table(KEY_VALUE).rows["XLM-R Large"]["Korean"] == 79.0
    assert parse_table(PIPES).rows["XLM-R (Reproduced)"]["swa"] == 50.2
    assert parse_table(ONE_COLUMN).rows["ja"] == {"Score": 56.6}
    assert parse_table("We fine-tune mBERT on English and test on 14 languages. It reaches 65.4 on average.") is None


@pytest.mark.parametrize("claim, verdict", [
    ("XLM-R Large reaches 89.7 on German.", "SUPPORTED"),
    ("XLM-R Large reaches 87.7 on German.", "REFUTED"),
    ("mBERT transfers better to Spanish than to Korean.", "SUPPORTED"),
    ("mBERT transfers better to Korean than to German.", "REFUTED"),
    ("XLM-R Large outperforms mBERT on Korean by 9.4 points.", "SUPPORTED"),
    ("XLM-R Large outperforms mBERT on Korean by 4.0 points.", "REFUTED"),
    ("mBERT is outperformed by XLM-R Large on Spanish.", "SUPPORTED"),
    ("Korean is the hardest language for mBERT.", "SUPPORTED"),
    ("German is the hardest language for mBERT.", "REFUTED"),
    ("mBERT reaches 71.2 on Finnish.", "NOT_ENOUGH_INFO"),
    ("mT5-XXL reaches 91.0 on German.", "NOT_ENOUGH_INFO"),
])
def test_claims_about_a_key_value_table(claim, verdict):
    assert read_claim(claim, KEY_VALUE).verdict == verdict


@pytest.mark.parametrize("claim, verdict", [
    ("The paper reports 43.5 F1 for XLM-R on Hausa.", "SUPPORTED"),
    ("The reproduced XLM-R reaches 43.5 F1 on Hausa.", "REFUTED"),
    ("The reproduced XLM-R does better on Swahili than the paper's XLM-R.", "SUPPORTED"),
    ("On average the paper's XLM-V is 5.7 points behind the paper's XLM-R.", "SUPPORTED"),
    ("For the reproduced XLM-R, Amharic is the hardest of these languages.", "SUPPORTED"),
    ("For the reproduced XLM-R, Swahili is the hardest of these languages.", "REFUTED"),
    ("The paper's XLM-V reaches 30.2 F1 on Zulu.", "NOT_ENOUGH_INFO"),
])
def test_claims_about_a_pipe_table_with_qualified_rows(claim, verdict):
    assert read_claim(claim, PIPES).verdict == verdict


def test_a_row_named_without_the_qualifier_that_tells_two_apart_is_not_read():
    assert read_claim("XLM-R reaches 43.5 F1 on Hausa.", PIPES) is None


def test_a_one_column_table_with_languages_as_rows():
    assert read_claim("mBERT reaches 80.2 on German MLDoc.", ONE_COLUMN).verdict == "SUPPORTED"
    assert read_claim("Japanese is the hardest language on MLDoc.", ONE_COLUMN).verdict == "SUPPORTED"
    assert read_claim("English is the hardest language on MLDoc.", ONE_COLUMN).verdict == "REFUTED"
    assert read_claim("The average accuracy is 74.5.", ONE_COLUMN).verdict == "REFUTED"
    assert read_claim("mBERT reaches 70.1 on Portuguese MLDoc.", ONE_COLUMN).verdict == "NOT_ENOUGH_INFO"


def test_claims_that_are_not_about_the_cells_get_no_reading():
    assert read_claim("Code-switching improves transfer to low-resource languages.", KEY_VALUE) is None
    assert read_claim("XLM-R Large reaches 89.7 on German.", "An abstract with no table in it.") is None
