"""Build questions.jsonl for the report gold suite.

Facts are written by hand below as (paper_id, sentence_index, label, fact); the sentence index
refers to `split_sentences(abstract)` of that paper in the bundled snapshot, and the verbatim
sentence is copied into the output. Run: .venv/bin/python evals/suites/report/build.py
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from tools.text import split_sentences

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT = ROOT / "tools/data/arxiv_snapshot.jsonl.gz"
RETRIEVAL = ROOT / "evals/retrieval/questions.jsonl"
OUT = Path(__file__).resolve().parent / "questions.jsonl"

S, R = "SUPPORTED", "REFUTED"

FACTS: dict[str, list[tuple[str, int, str, str]]] = {
    "q01": [
        ("1905.11471", 2, S, "XLDA (cross-lingual data augmentation) enhances performance of all 14 tested languages of the cross-lingual natural language inference (XNLI) benchmark."),
        ("1905.11471", 4, S, "XLDA performs markedly better than a more naive approach that aggregates examples in various languages in a way that each example is solely in one language."),
        ("2309.10891", 4, S, "Experimental results on XNLI and PAWS-X show that SALT improves zero-shot cross-lingual transferability without external data."),
        ("2006.06402", 5, S, "The code-switching data augmentation framework CoSDA-ML leads to significantly improved performance over mBERT on all of five tasks with 19 languages."),
        ("1905.11471", 6, R, "XLDA is more effective for pretrained models than for randomly initialized models."),
    ],
    "q02": [
        ("2003.11080", 2, S, "The XTREME benchmark evaluates the cross-lingual generalization capabilities of multilingual representations across 40 languages and 9 tasks."),
        ("2104.07412", 4, S, "XTREME-R consists of an improved set of ten natural language understanding tasks, including challenging language-agnostic retrieval tasks, and covers 50 typologically diverse languages."),
        ("2004.01401", 1, S, "XGLUE provides 11 diversified tasks that cover both natural language understanding and generation scenarios, with labeled data in multiple languages for each task."),
        ("2003.11080", 3, R, "On XTREME, cross-lingually transferred models reach human performance on most tasks, with the smallest gaps on syntactic and sentence retrieval tasks."),
    ],
    "q03": [
        ("1809.05053", 3, S, "XNLI extends the development and test sets of the Multi-Genre Natural Language Inference Corpus (MultiNLI) to 15 languages, including low-resource languages such as Swahili and Urdu."),
        ("1908.11828", 2, S, "PAWS-X is a dataset of 23,659 human translated PAWS evaluation pairs in six typologically distinct languages: French, Spanish, German, Chinese, Japanese, and Korean."),
        ("1910.07475", 5, S, "The MLQA extractive QA benchmark contains QA instances in 7 languages, namely English, Arabic, German, Spanish, Hindi, Vietnamese and Simplified Chinese."),
        ("1910.07475", 9, S, "On MLQA, cross-lingual transfer results are significantly behind training-language performance in all cases."),
        ("1809.05053", 6, R, "On XNLI, directly translating the test data yields the worst performance among the available baselines."),
    ],
    "q05": [
        ("2005.00633", 2, S, "Zero-shot cross-lingual transfer via massively multilingual transformers is substantially less effective in resource-lean scenarios and for distant languages."),
        ("2005.00633", 4, S, "Inexpensive few-shot transfer, i.e. fine-tuning on a few target-language instances after fine-tuning in the source language, is surprisingly effective across the board."),
        ("2005.09093", 3, S, "mBERT does better than or comparable to baselines on high resource languages but does much worse for low resource languages."),
        ("2010.12858", 5, S, "Transliterating unseen languages whose failure to transfer is tied to their script improves very significantly the ability of large-scale multilingual language models on downstream tasks."),
        ("2005.09093", 4, R, "Monolingual BERT models for low-resource languages do better than multilingual BERT (mBERT) on those languages."),
    ],
    "q06": [
        ("2204.08110", 2, S, "Common English pretraining corpora contain significant amounts of non-English text: even when less than 1% of data is not English, this leads to hundreds of millions of foreign language tokens in large-scale datasets."),
        ("2204.08110", 3, S, "Small percentages of non-English data in English pretraining corpora facilitate cross-lingual transfer, with target language performance strongly correlated to the amount of in-language data seen during pretraining."),
        ("2509.18750", 6, S, "On XNLI and XQuAD, models with vocabulary overlap outperform models with disjoint vocabularies, and transfer performance generally improves as overlap increases."),
        ("2601.00364", 3, S, "Removing bilingual data, which constitutes only 2% of the pretraining corpus, causes translation performance to drop 56% in BLEU, while cross-lingual QA and general reasoning remain stable."),
        ("2601.00364", 6, R, "Reintroducing code-switching data into a monolingual-only pretraining corpus almost fully restores translation performance (91% of the unfiltered baseline), whereas parallel data contributes minimally."),
    ],
    "q10": [
        ("1811.01088", 2, S, "Applying supplementary training on intermediate labeled-data tasks to BERT attains a GLUE score of 81.8, a 1.4 point improvement over BERT."),
        ("2005.00628", 4, S, "In intermediate-task transfer with pretrained models, intermediate tasks requiring high-level inference and reasoning abilities tend to work best."),
        ("2104.08247", 4, S, "For choosing intermediate tasks, efficient embedding based methods that rely solely on the respective datasets outperform computationally expensive few-shot fine-tuning approaches."),
        ("2005.00770", 3, S, "Transfer learning between NLP tasks is more beneficial than previously thought, especially when target task data is scarce, and can improve performance even when the source task is small or differs substantially from the target task."),
        ("1812.10860", 4, R, "Fine-tuning BERT on an intermediate task consistently improves downstream transfer."),
    ],
    "q11": [
        ("2305.15425", 3, S, "The same text translated into different languages can have drastically different tokenization lengths, with differences up to 15 times in some cases."),
        ("2305.15425", 6, S, "Tokenization disparities induce unfair treatment for some language communities in the cost of accessing commercial language services, the processing time and latency, and the amount of content that can be provided as context to the models."),
        ("2606.24460", 5, S, "For African languages, the tokenization premium translates into up to 8.9x inference cost and an equivalent generation-latency multiplier (N'Ko vs English on GPT-5; 7.4x for Amharic), and as little as 11% of English's effective context window."),
        ("2509.05486", 4, S, "Translating token inflation to economics, a doubling in tokens results in quadrupled training cost and time."),
        ("2305.15425", 4, R, "Tokenization length disparities between languages disappear for tokenizers that are intentionally trained for multilingual support."),
    ],
    "q16": [
        ("2506.01796", 3, S, "In grammar-book-based translation of extremely low-resource languages, grammar rule retrieval constitutes a primary bottleneck."),
        ("2506.01796", 6, S, "Representing grammar rules as code functions significantly boosts both rule retrieval and application, resulting in a 13.1% BLEU improvement in translation."),
        ("2302.07856", 4, S, "DiPMT, which prompts an LLM with possible translations from bilingual dictionaries for a subset of the input words, outperforms the baseline both in low-resource MT and in out-of-domain MT."),
        ("2604.07320", 8, S, "LLMs' accuracy when translating with a formal grammar given in context decreases markedly as a function of grammar size and sentence length."),
        ("2606.03782", 6, R, "Using linguistic reasoning traces as training data yields larger and more consistent gains for low-resource MT than using them as inference-time guidance."),
    ],
    "q17": [
        ("2505.02463", 4, S, "Iterative and incremental back translation for the English-Luganda pair exceeds previous benchmarks by more than 10 BLEU score units across all translation directions."),
        ("2509.07471", 3, S, "Sentence concatenation with back translation and switch-out give a minimum increase of 25% in BLEU score across all six African languages studied."),
        ("2505.14423", 5, S, "LLM-generated synthetic data, even when noisy, can substantially improve MT performance for low-resource languages."),
        ("2506.19952", 4, S, "CycleDistill, relying solely on monolingual corpora and 1 to 4 few-shot examples, improves upon a few-shot baseline model by over 20-30 chrF points on average in the first iteration for three Indian languages."),
        ("2601.03135", 5, R, "On Guarani-Spanish and Quechua-Spanish translation, synthetic data augmentation lowers chrF++ compared with training on curated data only."),
    ],
    "q21": [
        ("2303.12528", 3, S, "MEGA benchmarks generative LLMs on standard NLP benchmarks covering 16 NLP datasets across 70 typologically diverse languages."),
        ("2304.05613", 8, S, "Compared to the performance of previous models, ChatGPT shows worse performance for different NLP tasks and languages."),
        ("2302.04023", 4, S, "ChatGPT is better at understanding non-Latin script languages than generating them."),
        ("2305.16339", 7, S, "GPT exhibits highly translating-like behaviour in multilingual settings."),
        ("2302.04023", 3, R, "ChatGPT underperforms LLMs with zero-shot learning on most tasks and never outperforms fine-tuned models."),
    ],
    "q29": [
        ("1901.07291", 2, S, "XLM comes in two variants: an unsupervised one that only relies on monolingual data, and a supervised one that leverages parallel data with a new cross-lingual language model objective."),
        ("1909.00964", 2, S, "Unicoder proposes three cross-lingual pre-training tasks: cross-lingual word recovery, cross-lingual paraphrase classification and cross-lingual masked language model."),
        ("2106.16138", 1, S, "XLM-E uses two ELECTRA-style pre-training tasks, multilingual replaced token detection and translation replaced token detection."),
        ("2007.15960", 5, S, "Hierarchical Contrastive Learning (HiCTL) outperforms XLM-R by an absolute gain of 4.2% accuracy on the XTREME benchmark."),
        ("1901.07291", 4, R, "On XNLI, cross-lingual language model pretraining (XLM) pushes the state of the art by an absolute gain of 9.4% accuracy."),
    ],
    "q30": [
        ("1911.02116", 1, S, "XLM-R is a Transformer-based masked language model trained on one hundred languages, using more than two terabytes of filtered CommonCrawl data."),
        ("1911.02116", 2, S, "XLM-R outperforms multilingual BERT (mBERT) by +14.6% average accuracy on XNLI, +13% average F1 score on MLQA, and +2.4% F1 score on NER."),
        ("2010.11934", 1, S, "mT5 is a multilingual variant of T5 pre-trained on a new Common Crawl-based dataset covering 101 languages."),
        ("2509.06888", 2, S, "mmBERT is an encoder-only language model pretrained on 3T tokens of multilingual text in over 1800 languages."),
        ("2105.00572", 2, R, "XLM-R XL and XLM-R XXL underperform XLM-R by 1.8% and 2.4% average accuracy on XNLI."),
    ],
}


def main() -> None:
    snapshot = {}
    with gzip.open(SNAPSHOT, "rt") as fh:
        for line in fh:
            d = json.loads(line)
            snapshot[d["id"]] = d
    retrieval = {q["id"]: q for q in map(json.loads, RETRIEVAL.read_text().splitlines())}
    rows = []
    for qid in sorted(FACTS):
        q = retrieval[qid]
        facts = []
        for pid, idx, label, fact in FACTS[qid]:
            assert pid in q["gold"], (qid, pid)
            sentence = split_sentences(snapshot[pid]["abstract"])[idx]
            facts.append({"fact": fact, "paper_id": pid, "sentence": sentence, "label": label})
        rows.append({"id": qid, "question": q["question"], "gold_papers": q["gold"],
                     "difficulty": q["difficulty"], "topic": q["topic"], "facts": facts})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"wrote {len(rows)} questions, {sum(len(r['facts']) for r in rows)} facts to {OUT}")


if __name__ == "__main__":
    main()
