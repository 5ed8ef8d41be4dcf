"""Language names and the codes papers and result tables use for them (ISO 639-1, and the 3-letter codes of
benchmarks such as MasakhaNER), so "German", "de" and "deu" name one column."""

from __future__ import annotations

# canonical name -> other names and codes it goes by
_LANGUAGES = {
    "english": ("en", "eng"), "german": ("de", "deu", "ger"), "french": ("fr", "fra", "fre"),
    "spanish": ("es", "spa"), "italian": ("it", "ita"), "portuguese": ("pt", "por"), "dutch": ("nl", "nld"),
    "russian": ("ru", "rus"), "bulgarian": ("bg", "bul"), "greek": ("el", "ell", "gre"), "turkish": ("tr", "tur"),
    "arabic": ("ar", "ara"), "hebrew": ("he", "heb"), "persian": ("fa", "fas", "farsi"), "hindi": ("hi", "hin"),
    "urdu": ("ur", "urd"), "bengali": ("bn", "ben", "bangla"), "marathi": ("mr", "mar"), "tamil": ("ta", "tam"),
    "telugu": ("te", "tel"), "swahili": ("sw", "swa"), "amharic": ("am", "amh"), "hausa": ("ha", "hau"),
    "igbo": ("ig", "ibo"), "yoruba": ("yo", "yor"), "kinyarwanda": ("rw", "kin"), "luganda": ("lg", "lug"),
    "luo": ("luo",), "nigerian pidgin": ("pcm", "pidgin"), "wolof": ("wo", "wol"), "zulu": ("zu", "zul"),
    "xhosa": ("xh", "xho"), "afrikaans": ("af", "afr"), "chinese": ("zh", "zho", "chi", "mandarin"),
    "japanese": ("ja", "jpn"), "korean": ("ko", "kor"), "thai": ("th", "tha"), "vietnamese": ("vi", "vie"),
    "indonesian": ("id", "ind"), "malay": ("ms", "msa"), "tagalog": ("tl", "tgl"), "finnish": ("fi", "fin"),
    "estonian": ("et", "est"), "hungarian": ("hu", "hun"), "polish": ("pl", "pol"), "czech": ("cs", "ces"),
    "ukrainian": ("uk", "ukr"), "romanian": ("ro", "ron"), "swedish": ("sv", "swe"), "danish": ("da", "dan"),
    "norwegian": ("no", "nor"), "basque": ("eu", "eus"), "catalan": ("ca", "cat"), "georgian": ("ka", "kat"),
    "kazakh": ("kk", "kaz"), "punjabi": ("pa", "pan"), "burmese": ("my", "mya"), "azerbaijani": ("az", "aze"),
    "lithuanian": ("lt", "lit"), "latvian": ("lv", "lav"), "gujarati": ("gu", "guj"), "malayalam": ("ml", "mal"),
    "javanese": ("jv", "jav"), "icelandic": ("is", "isl"), "slovak": ("sk", "slk"), "slovenian": ("sl", "slv"),
    "croatian": ("hr", "hrv"), "serbian": ("sr", "srp"), "welsh": ("cy", "cym"), "irish": ("ga", "gle"),
    "shona": ("sn", "sna"), "fon": ("fon",), "twi": ("tw", "twi"), "somali": ("so", "som"), "nepali": ("ne", "nep"),
    "sinhala": ("si", "sin"), "khmer": ("km", "khm"), "lao": ("lo", "lao"), "mongolian": ("mn", "mon"),
    "quechua": ("qu", "quy"), "guarani": ("gn", "grn"), "aymara": ("ay", "aym"),
}
_BY_ALIAS = {alias: name for name, aliases in _LANGUAGES.items() for alias in (name, *aliases)}
LANGUAGE_NAMES = tuple(_LANGUAGES)


def canonical_language(token: str) -> str | None:
    """The canonical (lower-case English) name of a language named or coded by `token`, else None."""
    return _BY_ALIAS.get(token.strip().lower())
