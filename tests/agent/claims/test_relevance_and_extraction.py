"""Extraction reads the abstract for the question: the most relevant sentences, no background, claims labelled
by their relevance to the question."""

from agent.claims.extraction import extract_from_paper, sentences_to_read
from agent.claims.relevance import claim_relevance, sentence_relevance
from agent.records import Claim
from tools.papers import Paper

QUESTION = "Does intermediate-task training on STS data help zero-shot transfer to Swahili?"
SENTENCES = [
    "Cross-lingual transfer has become a crucial aspect of multilingual NLP.",
    "We investigate whether intermediate-task training helps cross-lingual transfer.",
    "Intermediate-task training on STS data improves zero-shot transfer to Swahili by 3.1 points.",
    "Training on QA data hurts transfer to Thai.",
    "Our code is released under the MIT license.",
]


def test_background_and_aims_are_not_read_and_the_most_relevant_sentences_are(scripted_services):
    embed = scripted_services.library.embedder.embed
    chosen = sentences_to_read(SENTENCES, QUESTION, [], embed, k=2)
    assert chosen == [2, 3] or chosen == [2, 4]
    assert 2 in chosen and 0 not in chosen and 1 not in chosen
    scores = sentence_relevance(SENTENCES, QUESTION, ["Which languages gain?"], embed)
    assert max(range(len(scores)), key=scores.__getitem__) == 2


def test_claims_from_background_sentences_are_dropped(scripted_services, chat_server):
    paper = Paper(id="p1", title="STS for transfer", abstract=" ".join(SENTENCES), authors=["Ada Lovelace"])
    before = len(chat_server.requests)
    claims = extract_from_paper(paper, scripted_services.provider, limit=4, question=QUESTION,
                                embed=scripted_services.library.embedder.embed)
    prompt = chat_server.requests[before]["messages"][1]["content"]
    assert QUESTION in prompt and "crucial aspect" not in prompt, "the model reads the question, not the background"
    assert claims and all("crucial aspect" not in c.text for c in claims)
    assert all(c.quote in paper.abstract for c in claims)


def test_relevance_is_a_label_probability_per_claim(scripted_services, chat_server):
    claim = Claim(text="Intermediate-task training on STS data improves zero-shot transfer to Swahili.",
                  paper_id="p", quote="q")
    before = len(chat_server.requests)
    labelled = claim_relevance(claim, QUESTION, ["Which languages gain?"], scripted_services.provider)
    request = chat_server.requests[before]
    assert request["max_tokens"] == 1 and request["logprobs"]
    assert labelled.relevance == "direct" and 0.5 < labelled.relevance_score <= 1.0
    far = claim.model_copy(update={"text": "A corpus of Urdu poetry is released for authorship attribution."})
    assert claim_relevance(far, QUESTION, [], scripted_services.provider).relevance == "background"


def test_sentence_claims_are_the_most_relevant_finding_sentences_made_self_contained(scripted_services):
    from agent.claims.extraction import sentence_claims

    abstract = " ".join([*SENTENCES, "We show that our method transfers to Swahili with 61.3 accuracy."])
    paper = Paper(id="p1", title="STS for transfer", abstract=abstract, authors=["Ada Lovelace"])
    claims = sentence_claims(paper, limit=2, question=QUESTION, embed=scripted_services.library.embedder.embed)
    assert [c.quote for c in claims] == [SENTENCES[2], "We show that our method transfers to Swahili with 61.3 "
                                                       "accuracy."]
    assert claims[1].text == ("Lovelace et al. show that Lovelace et al.'s method transfers to Swahili with 61.3 "
                              "accuracy.")
    assert all(c.paper_id == "p1" and c.kind in ("result", "comparison") for c in claims)


def test_auto_extraction_writes_claims_only_where_generation_is_cheap(scripted_services):
    from agent.graphs.research.nodes.extract import extraction_mode

    assert extraction_mode(scripted_services) == "model"  # an OpenAI-compatible server
    scripted_services.settings.extraction = "sentences"
    assert extraction_mode(scripted_services) == "sentences"
