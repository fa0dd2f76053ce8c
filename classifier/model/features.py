"""Hand-made features that sit beside the sentence embedding.

A sentence embedding says what a finding is about ("working with partners") but
hardly who does it, and the codebook's "whose work" rule turns on exactly that:
a police force's or a PCC's partnership work is no theme, the CPS Area's is
`engagement`. A linear model over embeddings cannot learn that interaction from
a few hundred findings, so two flags say it outright:

- ``term_flags``  one 0/1 column per theme: the text uses that theme's codebook
  terms (the patterns of the keyword baseline);
- ``actor_flags`` two 0/1 columns: the text names the CPS or its people; the text
  names another body (police force, PCC, probation, prisons) and not the CPS.

The model learns what each flag is worth; labels are never made from them.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

# The codebook's "in" terms per theme, written as patterns by hand (also the keyword baseline).
KEYWORDS: dict[str, list[str]] = {
    "disclosure": [r"disclos", r"unused material", r"defence statement", r"\bschedules?\b",
                   r"\bDRS\b", r"record sheets? .*disclos"],
    "grip": [r"\bgrip", r"case progression", r"progress(ed|ing)? cases?", r"initial review",
             r"timel\w+ (of )?review", r"reviews? .*(timely|late)", r"trial strategy",
             r"standard operating practice", r"transforming summary justice", r"\bTSJ\b",
             r"better case management", r"\bBCM\b", r"task list", r"hearing record sheet",
             r"court (orders|directions)", r"trial preparation", r"discontinu"],
    "victim_letters": [r"victim communication and liaison", r"\bVCL\b", r"victim liaison unit",
                       r"\bVLU\b", r"letters? to victims", r"victims? letters?",
                       r"bereaved famil", r"right to review", r"\bVRR\b",
                       r"communications? with victims", r"bespoke paragraph"],
    "police_file_quality": [r"file quality", r"quality of (police )?files", r"national file standard",
                            r"\bNFS\b", r"police files?", r"file submission", r"anticipated plea",
                            r"correct part of the"],
    "engagement": [r"engag", r"staff communication", r"internal communication", r"team meetings?",
                   r"\bvisib", r"\bvision\b", r"one.area", r"communit", r"scrutiny and involvement",
                   r"\bLSIP", r"partners?\b", r"stakeholders?", r"joint working", r"witness care",
                   r"witness service", r"relationships?"],
}

# Who is doing the work. Case-sensitive where capitals carry the meaning ("the Area").
CPS_ACTOR = re.compile(
    r"\bCPS\b|Crown Prosecut|[Pp]rosecut|[Ll]awyers?\b|\bAreas?\b|\bCCPs?\b|[Cc]asework"
    r"|[Aa]dvocat|[Pp]aralegal|\bVLU\b|\bLSIPs?\b")
OTHER_BODY = re.compile(
    r"\bforces?\b|\bPCCs?\b|Police and Crime Commissioner|\bpolicing\b|[Pp]robation"
    r"|\bprisons?\b|HMICFRS|[Cc]onstabulary|[Cc]hief [Cc]onstable", re.I)

@lru_cache(maxsize=None)
def _term_patterns(theme_ids: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    never = r"(?!x)x"
    return tuple(re.compile("|".join(KEYWORDS.get(t, [never])), re.I) for t in theme_ids)


def term_flags(texts, theme_ids) -> np.ndarray:
    """(n, n_themes) 0/1: the text uses the theme's codebook terms."""
    patterns = _term_patterns(tuple(theme_ids))
    return np.array([[1.0 if p.search(text) else 0.0 for p in patterns] for text in texts],
                    dtype=np.float32).reshape(len(texts), len(patterns))


def actor_flags(texts) -> np.ndarray:
    """(n, 2) 0/1: names the CPS; names another body and not the CPS."""
    rows = []
    for text in texts:
        cps = bool(CPS_ACTOR.search(text))
        rows.append((float(cps), float(not cps and bool(OTHER_BODY.search(text)))))
    return np.array(rows, dtype=np.float32).reshape(len(texts), 2)
