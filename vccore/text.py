"""Bilingual text: what skillcred shows people is Chinese first, English beside it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A text in Chinese (``zh``) and English (``en``)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang``: English for ``"en"``, Chinese otherwise."""
        return self.en if lang == "en" else self.zh
