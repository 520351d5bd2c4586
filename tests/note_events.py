"""A throwaway event type in two versions, for the codec's and the compatibility check's tests: v2
split v1's ``text`` into ``title`` and ``body``, a breaking change, hence an upcaster."""

from __future__ import annotations

from typing import Any, ClassVar

from contracts import Event


class NoteV1(Event):
    EVENT_TYPE: ClassVar[str] = "org.hotline.test.note"
    VERSION: ClassVar[int] = 1
    note_id: str
    text: str

    def event_id(self) -> str:
        return self.note_id

    def partition_key(self) -> str:
        return self.note_id


class NoteV2(Event):
    """``text`` split into ``title`` and ``body``: a new version, with an upcaster."""

    EVENT_TYPE: ClassVar[str] = "org.hotline.test.note"
    VERSION: ClassVar[int] = 2
    note_id: str
    title: str
    body: str

    def event_id(self) -> str:
        return self.note_id

    def partition_key(self) -> str:
        return self.note_id


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    title, _, body = data.pop("text").partition("\n")
    return {**data, "title": title, "body": body}
