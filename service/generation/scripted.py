"""A scripted LangChain chat model: replies given in advance, for tests and for measuring the service's overhead.

Each reply is a string (streamed in small pieces), an exception (raised), or a function of the prompt text (for a
model that echoes or misbehaves). Calls are recorded, so tests can check what the model was shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

Reply = str | BaseException | Callable[[str], str]


class ScriptedChatModel(BaseChatModel):
    """Answers call after call from `replies`; the last one repeats when `repeat_last` is set.

    `delay` seconds pass before each streamed piece of `piece_chars` characters (to simulate a slow model).
    """

    replies: list[Any] = Field(default_factory=list)
    repeat_last: bool = False
    delay: float = 0.0
    piece_chars: int = 3
    calls: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def prompt_text(self, call: int = -1) -> str:
        """All message contents of a recorded call, joined (for assertions)."""
        return "\n".join(str(m.content) for m in self.calls[call])

    def _next_reply(self, messages: list[BaseMessage]) -> str:
        self.calls.append(list(messages))
        if not self.replies:
            raise RuntimeError("the scripted chat model has no reply left")
        reply = self.replies[0] if (self.repeat_last and len(self.replies) == 1) else self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply("\n".join(str(m.content) for m in messages))
        return str(reply)

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next_reply(messages)))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._next_reply(messages)
        for i in range(0, len(text), self.piece_chars):
            if self.delay:
                time.sleep(self.delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + self.piece_chars]))
