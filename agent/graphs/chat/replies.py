"""The replies the program writes itself: where the answer is a record (a verdict, a tool's result, what the
assistant can do), restating it through a small model only adds room for error."""

from __future__ import annotations

import re

from agent.claims.citations import paper_ref

CAPABILITIES = ("I answer questions about the ML/NLP literature from papers I search (the bundled arXiv snapshot, "
                "your library, and arXiv when online), citing them. Ask what papers say about a topic, ask about "
                "the papers found (\u201cwhich of those used XNLI?\u201d), ask me to check a claim (\u201cis it "
                "true that \u2026?\u201d, \u201cis C2 supported?\u201d), or to run a zero-shot transfer experiment "
                "(\u201crun an experiment on PAWS-X for German\u201d). /help lists the commands.")
_THANKS = re.compile(r"^\s*(?:thanks?|thank you|cheers|great|ok(?:ay)?)\b", re.IGNORECASE)
_BYE = re.compile(r"^\s*(?:bye|goodbye|see you)\b", re.IGNORECASE)


def small_talk(message: str) -> str:
    if _THANKS.match(message):
        return "You're welcome. Ask me about another topic, or /report to write this thread's checked claims."
    if _BYE.match(message):
        return "Goodbye: Ctrl-D or /exit leaves, and the thread is kept."
    return CAPABILITIES


def claim_record(claim: dict) -> str:
    """A checked claim as the user reads it: id, text, verdict, confidence and the evidence quoted."""
    calibrated = "calibrated" if claim.get("calibrated") else "uncalibrated"
    lines = [f"{claim['id']} \u201c{claim['text']}\u201d: {claim['verdict']} (confidence {claim['confidence']:.2f}, "
             f"{calibrated}; source {paper_ref(claim['paper_id'])})."]
    for evidence in claim.get("evidence", [])[:3]:
        lines.append(f"{evidence['stance'].capitalize()} by {paper_ref(evidence['paper_id'])}: "
                     f"\u201c{evidence['quote']}\u201d.")
    if not claim.get("evidence"):
        lines.append("No passage of the papers found bears on it.")
    return " ".join(lines)


def extracted_record(claims: list[dict], paper_id: str) -> str:
    if not claims:
        return f"I found no checkable finding in the abstract of {paper_ref(paper_id)}."
    listed = " ".join(f"{c['id']} \u201c{c['text']}\u201d" for c in claims)
    return (f"{paper_ref(paper_id)} states: {listed}. Ask \u201cis {claims[0]['id']} supported?\u201d to check one "
            "against the other papers.")


def nothing_relevant(closest: list[tuple[str, str, float]], sources: str) -> str:
    """No paper found addresses the question: say so, with the closest ones for what they are."""
    reply = (f"I found no paper in the {sources} that addresses this question, so I cannot answer it from the "
             "literature.")
    if closest:
        named = "; ".join(f"{paper_ref(pid)} \u201c{title}\u201d" for pid, title, _ in closest[:2])
        reply += f" The closest were {named}, which are about something else."
    return reply + " Try naming the method, dataset or language you mean."


def failed(summary: str) -> str:
    return f"That did not work: {summary.removeprefix('failed: ')}"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def which_papers_mention(mentions: list, thread_size: int) -> str:
    """"Which of those used XNLI?": the exact lookup, as the answer (`prompt_context.find_mentions`)."""
    parts = []
    for mention in mentions:
        if not mention.found:
            parts.append(f"None of the {thread_size} papers in this conversation mentions {mention.term} (titles, "
                         "abstracts and any indexed full text searched).")
            continue
        named = [f"[{number}] {paper_ref(paper['id'])} (\u201c{sentence}\u201d)" for number, paper, sentence
                 in mention.found]
        absent = f"; {_listing([f'[{n}]' for n in mention.absent])} do{'es' if len(mention.absent) == 1 else ''} " \
                 "not" if mention.absent else ""
        parts.append(f"{mention.term} is mentioned in {_listing(named)}{absent}.")
    return " ".join(parts)


def papers_behind(papers: list[tuple[int, dict]], what: str) -> str:
    """"Which papers show that?": the papers an earlier answer rests on, each with its id."""
    if not papers:
        return "No paper in this conversation backs that yet; ask a question about the literature first."
    listed = "; ".join(f"[{number}] {paper_ref(p['id'])} \u201c{p['title']}\u201d ({p.get('year') or 'n.d.'})"
                       for number, p in papers)
    return f"{what}: {listed}."


def not_covered(terms: list[str]) -> str:
    """The names of a question that no paper found mentions: said first, so the answer is read for what it is."""
    return (f"None of the papers found mentions {_listing(terms)}, so they cannot say how it bears on the "
            "question.")


def by_year(papers: list[tuple[int, dict]], newest: bool) -> str:
    """"Which of them is the most recent?": read off the years, not guessed."""
    dated = [(number, p) for number, p in papers if p.get("year")]
    if not dated:
        return "The papers in this conversation carry no year."
    number, paper = (max if newest else min)(dated, key=lambda item: (item[1]["year"], item[0]))
    return (f"The {'most recent' if newest else 'earliest'} of the {len(papers)} papers in this conversation is "
            f"[{number}] {paper_ref(paper['id'])} \u201c{paper['title']}\u201d ({paper['year']}).")


def nothing_new() -> str:
    return ("The papers in this conversation say nothing on that beyond the answer above; ask it as a new "
            "question (naming the method, dataset or language) to search for more.")
