"""Every prompt the program sends, as a Jinja2 template file in this folder.

A template file holds a `--- system` section and a `--- user` section, and names the variables it
takes in its first line: `{# variables: question, n_queries #}`. Rendering checks that exactly those
variables are given, so a template and its caller cannot drift apart silently.

What a prompt carries as data (the question, a paper's text, a claim, the transcript) sits in a tagged block,
`<question>…</question>`, `<passage paper="…">…</passage>`, and passes the `untrusted` filter, so text inside
cannot open or close a block. The tags are the contract with the scripted test server
(`tests/support/chat_server.py`), which reads them and the response schema a request asks for, never the
prompts' wording.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

PROMPT_DIR = Path(__file__).parent
_VARIABLES = re.compile(r"^\{#\s*variables:\s*(?P<names>[^#]*)#\}")
_SECTION = re.compile(r"^--- (system|user)\s*$", re.MULTILINE)
_env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
DATA_TAGS = ("passage", "paper", "papers", "abstract", "title", "claim", "claims", "question", "answer",
             "mentions", "conversation")
_DATA_TAG = re.compile(r"<(/?\s*(?:" + "|".join(DATA_TAGS) + r")\b)", re.IGNORECASE)
# A chat template's control tokens (`<|im_start|>`, `<|endoftext|>`…): the local provider tokenizes the
# rendered prompt with special tokens on, so written inside paper text they would be real turn boundaries.
_CONTROL_TOKEN = re.compile(r"<\|([^<>|]{0,40})\|>")


def untrusted(text: str) -> str:
    """Paper text as data: tags that frame data in our prompts cannot be opened or closed from inside it,
    quotes cannot end an attribute, and a chat template's control tokens are spelt apart so they stay text
    (`{{ passage | untrusted }}`)."""
    text = _CONTROL_TOKEN.sub(lambda m: "‹|" + m.group(1) + "|›", str(text))
    return _DATA_TAG.sub(lambda m: "‹" + m.group(1), text).replace('"', "”")


_env.filters["untrusted"] = untrusted


class PromptTemplate:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        header = _VARIABLES.match(text)
        if not header:
            raise ValueError(f"prompt {name}: first line must declare its variables")
        self.variables = frozenset(v.strip() for v in header.group("names").split(",") if v.strip())
        parts = _SECTION.split(text[header.end():])
        sections = dict(zip(parts[1::2], parts[2::2]))
        if set(sections) != {"system", "user"}:
            raise ValueError(f"prompt {name}: needs exactly a '--- system' and a '--- user' section")
        self.system = _env.from_string(sections["system"].strip())
        self.user = _env.from_string(sections["user"].strip())

    def messages(self, **variables) -> list[dict[str, str]]:
        given = set(variables)
        if given != self.variables:
            raise TypeError(f"prompt {self.name} takes {sorted(self.variables)}, got {sorted(given)}")
        return [
            {"role": "system", "content": self.system.render(**variables)},
            {"role": "user", "content": self.user.render(**variables)},
        ]


@lru_cache(maxsize=None)
def load_prompt(name: str) -> PromptTemplate:
    path = PROMPT_DIR / f"{name}.j2"
    return PromptTemplate(name, path.read_text(encoding="utf-8"))


def render(name: str, **variables) -> list[dict[str, str]]:
    return load_prompt(name).messages(**variables)


ECHO_WORDS = 6  # a run of this many words of a prompt's instructions in generated text is an echo


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


@lru_cache(maxsize=1)
def instruction_ngrams() -> frozenset[tuple[str, ...]]:
    """Every run of `ECHO_WORDS` words in the prompts' own text (template markup and variables left out)."""
    grams: set[tuple[str, ...]] = set()
    for path in sorted(PROMPT_DIR.glob("*.j2")):
        text = re.sub(r"\{[{#%].*?[}#%]\}", " | ", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        text = re.sub(r"<[^>]*>", " | ", text)
        for line in text.split("|"):
            words = _words(line)
            grams.update(tuple(words[i:i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1))
    return frozenset(grams)


def echoed_instructions(text: str) -> list[str]:
    """The runs of words of `text` copied from the prompts' instructions (none in anything a report shows)."""
    words = _words(text)
    grams = instruction_ngrams()
    return [" ".join(words[i:i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1)
            if tuple(words[i:i + ECHO_WORDS]) in grams]
