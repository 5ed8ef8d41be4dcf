from tools.text import sentence_windows, split_sentences


def test_sentences_are_verbatim_and_abbreviations_do_not_split():
    text = ("We propose X, e.g. for NER and NLI. It gains 3.5 points over Hu et al. on XNLI! "
            "Results (see Fig. 2) hold for 40 languages. J. Doe agrees. A last sentence without a period")
    sentences = split_sentences(text)
    assert sentences == [
        "We propose X, e.g. for NER and NLI.",
        "It gains 3.5 points over Hu et al. on XNLI!",
        "Results (see Fig. 2) hold for 40 languages.",
        "J. Doe agrees.",
        "A last sentence without a period",
    ]
    assert all(sentence in text for sentence in sentences)


def test_eg_and_ie_without_inner_periods_do_not_split():
    # a real abstract (arXiv:2506.20793) writes "(eg. Arabic, English)"; a claim from it was cut at "(eg."
    text = "Robustness varies, with certain languages (eg. Hindi and Swahili) most affected. Ie. Thai too. Next."
    assert split_sentences(text) == [
        "Robustness varies, with certain languages (eg. Hindi and Swahili) most affected.", "Ie. Thai too.", "Next."]


def test_empty_text_has_no_sentences():
    assert split_sentences("   ") == []


def test_windows_cover_every_sentence():
    windows = sentence_windows(["a"] * 7, size=3, stride=2)
    covered = {i for start, end in windows for i in range(start, end)}
    assert covered == set(range(7))
    assert windows[-1][1] == 7
