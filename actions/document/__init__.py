"""Reader of published Urgent Action documents (plain text, Markdown, PDF text layer)."""

from actions.document.errors import DocumentError
from actions.document.model import ParsedDocument, ParseWarning, Subject, Target
from actions.document.reader import parse_document, read_document

__all__ = [
    "DocumentError",
    "ParseWarning",
    "ParsedDocument",
    "Subject",
    "Target",
    "parse_document",
    "read_document",
]
