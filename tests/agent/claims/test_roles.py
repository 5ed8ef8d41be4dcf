"""Which sentences are claims: findings, methods and datasets are; background, aims and fragments are not."""

import pytest

from agent.claims.roles import claim_kind, is_claim, is_fragment, statement_role


@pytest.mark.parametrize("text, role", [
    # from real reports: background and aims restated as claims, and a fragment
    ("Cross-lingual transfer has become a crucial aspect of multilingual NLP, enabling models to generalize.",
     "background"),
    ("Most existing work on adversarial data generation focuses on English.", "background"),
    ("One notable approach proposed composable sparse fine-tuning (SFT) for cross-lingual transfer.", "background"),
    ("Massively multilingual transformers pretrained with language modeling objectives have become a de facto "
     "default transfer paradigm for NLP.", "background"),
    ("Investigating how language family proximity and morphological similarity affect performance across NLP "
     "tasks.", "fragment"),
    ("We investigate whether intermediate-task training helps cross-lingual transfer.", "aim"),
    ("English), Asai et al.'s method leverages existing RC resources in the pivot language.", "fragment"),
    ("and it transfers well to German in most settings.", "fragment"),
    ("mBERT transfers well to German.", "finding"),
    ("Recently massively multilingual models (e.g., mBERT, XLM-R) demonstrate strong zero-shot transfer [14] [13].",
     "background"),
    ("In this paper, we study the effect of code-switching on transfer.", "aim"),
    # findings, methods and datasets
    ("Goworek et al. show that multilingual training is neither necessary nor sufficient for transfer.", "finding"),
    ("XLM-R outperforms mBERT by 4.2 points on XNLI.", "finding"),
    ("Other high-resource languages such as German and Russian often transfer more effectively than English.",
     "finding"),
    ("The results show no improvement for Swahili.", "finding"),
    ("We propose SALT, a self-augmentation method for zero-shot cross-lingual transfer.", "method"),
    ("We introduce XTREME-R, a benchmark covering 50 languages.", "dataset"),
    ("The XNLI benchmark covers fifteen languages including Swahili and Urdu.", "dataset"),
    ("English is the dominant source language for transfer, as reinforced by popular zero-shot benchmarks.",
     "background"),
])
def test_statement_roles(text, role):
    assert statement_role(text) == role
    assert is_claim(role) == (role in ("finding", "method", "dataset"))


def test_fragments_and_kinds():
    assert is_fragment("To study transfer across languages.") and is_fragment("Too short a claim")
    assert not is_fragment("Training on STS data improves transfer to Swahili.")
    assert claim_kind("XLM-R outperforms mBERT by 4.2 points.", "finding", "result") == "comparison"
    assert claim_kind("Accuracy on Swahili rises to 61.3.", "finding", "comparison") == "result"
    assert claim_kind("We introduce a corpus.", "dataset", "result") == "dataset"
