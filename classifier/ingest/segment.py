"""Whole reports in, candidate findings out.

Each format is read with a well-kept library (pypdf, python-docx, BeautifulSoup)
into *blocks*: a piece of text with its location and whether it is a heading or
a list item. Blocks then become findings: numbered recommendations and bullet
items one each, other paragraphs one each (long ones split into sentences of up
to two at a time). Running headers and footers (lines repeated on many pages),
contents lines, page numbers and fragments too short to be a finding are
dropped. The section heading above a finding, where it names one, gives its kind.

Output columns: source_file, source_title, location, section, kind, text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from classifier.errors import InputError
from classifier.fileio import decode_text, read_csv

SEGMENT_COLUMNS = ["source_file", "source_title", "location", "section", "kind", "text"]
SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv")
MAX_BYTES = 50 * 1024 * 1024          # a report bigger than this is refused
MAX_PDF_PAGES = 2000
MIN_WORDS, MIN_CHARS = 6, 40          # shorter fragments are not findings
LONG_PARAGRAPH = 600                  # characters; longer paragraphs are split into sentences

_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}\))\s*(?=\S)(?!\d)")
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦●–]|\d{1,2}\t)\s*")
_CONTENTS = re.compile(r"(\.{3,}|\t)\s*\d{1,4}\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z‘'\"(])")
_KIND_HEADINGS = [
    (re.compile(r"recommendation", re.I), "recommendation"),
    (re.compile(r"issues? to address|areas? for improvement|aspects? for improvement", re.I), "issue"),
    (re.compile(r"good practice", re.I), "good_practice"),
    (re.compile(r"strengths?", re.I), "strength"),
]


@dataclass
class Block:
    text: str
    location: str
    heading: bool = False
    item: bool = False


# --------------------------------------------------------------------------- readers
def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError("file not found")
    if path.is_dir():
        raise InputError("is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError("file is empty")
    if size > MAX_BYTES:
        raise InputError(f"file is {size // 2**20} MB; the limit is {MAX_BYTES // 2**20} MB")
    return path.read_bytes()


def _text_blocks(text: str) -> list[Block]:
    """Plain text / Markdown: blank-line paragraphs; list lines and table rows are items."""
    blocks: list[Block] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    para: list[str] = []
    start = 0

    def flush():
        if para:
            blocks.append(Block(" ".join(p.strip() for p in para), f"line {start + 1}"))
            para.clear()

    for i, raw in enumerate(lines):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("#"):
            flush()
            blocks.append(Block(stripped.lstrip("#").strip(), f"line {i + 1}", heading=True))
            continue
        is_item = bool(_NUMBERED.match(stripped) or _BULLET.match(line) or
                       re.match(r"^\d{1,3}\t", line))
        if is_item:
            flush()
            blocks.append(Block(_strip_marker(line), f"line {i + 1}", item=True))
            continue
        if line.startswith((" ", "\t")) and blocks and blocks[-1].item and not para:
            blocks[-1].text += " " + stripped  # a wrapped list item or table cell
            continue
        if not para:
            start = i
        para.append(line)
    flush()
    return blocks


def _strip_marker(line: str) -> str:
    line = re.sub(r"^\s*\d{1,3}\t\s*", "", line)
    line = _BULLET.sub("", line, count=1)
    line = _NUMBERED.sub("", line, count=1)
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    # a table row "text<TAB>status": keep the longest cell (the finding), drop short status cells
    return max(cells, key=len) if cells else ""


def _html_blocks(data: bytes) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "svg",
                     "iframe", "template"]):
        tag.decompose()
    blocks = []
    for n, el in enumerate(soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td"])):
        if el.name in ("p", "td") and el.find_parent("li"):
            continue
        if el.name == "li" and el.find("li"):
            continue
        text = " ".join(el.get_text(" ").split())
        if text:
            blocks.append(Block(text, f"element {n + 1}", heading=el.name.startswith("h"),
                                item=el.name == "li"))
    return blocks


def _pdf_blocks(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError("PDF is encrypted; save an unencrypted copy")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(f"PDF has {len(reader.pages)} pages; the limit is {MAX_PDF_PAGES}")
        pages = [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"not a readable PDF ({type(exc).__name__})") from None
    if not any(text.strip() for _, text in pages):
        raise InputError("PDF has no text layer (scanned?); run OCR on it first")
    blocks = []
    for number, text in pages:
        for b in _text_blocks(text):
            b.location = f"page {number}, {b.location}"
            blocks.append(b)
    return blocks


def _docx_blocks(path: Path) -> list[Block]:
    import zipfile

    from docx import Document

    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
        if total > 20 * MAX_BYTES:
            raise InputError("DOCX expands to more than 1 GB (zip bomb?); refused")
        document = Document(str(path))
    except InputError:
        raise
    except Exception as exc:  # python-docx raises many types for a broken package
        raise InputError(f"not a readable DOCX ({type(exc).__name__})") from None
    blocks = []
    for n, p in enumerate(document.paragraphs):
        text = " ".join(p.text.split())
        if not text:
            continue
        style = (p.style.name if p.style is not None else "") or ""
        numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
        blocks.append(Block(_strip_marker(text) if _NUMBERED.match(text) or _BULLET.match(text)
                            else text, f"paragraph {n + 1}",
                            heading=style.startswith(("Heading", "Title")),
                            item=numbered or "List" in style or bool(_NUMBERED.match(text))))
    return blocks


def read_blocks(path: Path, *, text_column: str = "text") -> list[Block]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"unsupported file type {suffix or '(none)'}; use one of "
                         f"{', '.join(SUPPORTED)}")
    data = _read_bytes(path)
    if suffix in (".txt", ".md"):
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError("binary data, not text")
        return _text_blocks(decode_text(data, path.name))
    if suffix in (".html", ".htm"):
        return _html_blocks(data)
    if suffix == ".pdf":
        return _pdf_blocks(path)
    if suffix == ".docx":
        return _docx_blocks(path)
    frame = read_csv(path)
    if text_column not in frame.columns:
        raise InputError(f"no column {text_column!r} (columns: {', '.join(frame.columns)}); "
                         "use --text-column")
    return [Block(str(t), f"row {i + 2}", item=True) for i, t in enumerate(frame[text_column])
            if str(t).strip()]


# --------------------------------------------------------------------------- segmentation
def _is_heading(block: Block) -> bool:
    if block.heading:
        return True
    text = block.text.strip()
    return (len(text) < 90 and not text.endswith((".", ";", ",", ":")) and not block.item
            and len(text.split()) <= 12 and text[:1].isupper())


def _kind_of(heading: str) -> str:
    for pattern, kind in _KIND_HEADINGS:
        if pattern.search(heading):
            return kind
    return ""


def _sentences(text: str) -> list[str]:
    if len(text) <= LONG_PARAGRAPH:
        return [text]
    sentences = _SENTENCE.split(text)
    chunks, current = [], ""
    for s in sentences:
        if current and (len(current) + len(s) > LONG_PARAGRAPH // 2 or current.count(". ") >= 1):
            chunks.append(current)
            current = s
        else:
            current = f"{current} {s}".strip()
    if current:
        chunks.append(current)
    return chunks


def _is_finding(text: str) -> bool:
    """Long enough to say something, and not a lead-in to a list ("... found that:")."""
    return (len(text) >= MIN_CHARS and len(text.split()) >= MIN_WORDS
            and not text.rstrip().endswith(":"))


def segment_blocks(blocks: list[Block]) -> list[dict]:
    repeated = Counter(b.text.strip() for b in blocks)
    pages = {b.location.split(",")[0] for b in blocks if b.location.startswith("page")}
    rows, section = [], ""
    for b in blocks:
        text = " ".join(b.text.split())
        if not text or _PAGE_NUMBER.match(text) or _CONTENTS.search(b.text):
            continue
        if len(pages) >= 3 and repeated[b.text.strip()] >= 3:
            continue  # running header or footer
        if _is_heading(b):
            section = text
            continue
        for part in ([text] if b.item else _sentences(text)):
            if _is_finding(part):
                rows.append({"location": b.location, "section": section,
                             "kind": _kind_of(section), "text": part})
    return rows


def segment_text(text: str) -> pd.DataFrame:
    """Segment plain text (for tests and the app's paste box)."""
    rows = segment_blocks(_text_blocks(text))
    return pd.DataFrame(rows, columns=["location", "section", "kind", "text"])


def segment_file(path: Path, *, text_column: str = "text",
                 display_name: str | None = None) -> pd.DataFrame:
    """One row per finding of ``path`` (columns SEGMENT_COLUMNS); InputError if unreadable."""
    path = Path(path)
    blocks = read_blocks(path, text_column=text_column)
    title = next((b.text for b in blocks if b.text.strip()), "")[:200]
    rows = segment_blocks(blocks)
    frame = pd.DataFrame(rows, columns=["location", "section", "kind", "text"])
    frame.insert(0, "source_title", title)
    frame.insert(0, "source_file", display_name or path.name)
    return frame[SEGMENT_COLUMNS]
