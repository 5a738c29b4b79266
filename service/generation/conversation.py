"""Conversations: a bounded history per conversation id, and follow-ups rewritten into standalone queries.

"那需要什么材料？" after "临江区怎么申请低保？" is searched as "临江区申请低保需要什么材料？". Without a model the
region, year and topic of the previous turn are carried over; with one, the model rewrites (and the carry-over is
its fallback). History is stored redacted in the service database, bounded in turns and characters.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from service.answers import REFUSAL_PREFIX
from service.db import Database, utc_now
from service.errors import UserInputError
from service.extractive import GENERIC_PLACES, PLACE, YEAR
from service.generation.base import GenerationFailed, Generator, call_model
from service.generation.prompting import Prompt, load_prompt
from service.redact import redact

log = logging.getLogger(__name__)

MIGRATIONS = [
    """
    CREATE TABLE conversation_turns (
        conversation_id TEXT NOT NULL, n INTEGER NOT NULL, created_at TEXT NOT NULL,
        question TEXT NOT NULL, rewritten TEXT NOT NULL, answer TEXT NOT NULL,
        PRIMARY KEY (conversation_id, n)
    )
    """,
]
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
FOLLOW_UP_START = re.compile(r"^(?:那么|那如果|那|还有|另外|以及|如果|要是|再问一下|再问)[，,]?")
ELLIPTIC_END = re.compile(r"(?:的)?呢[？?。]*$")
ANAPHORA = re.compile(r"这个|那个|这项|该项|此项|上述|这些|那些|它的|它|该(?=政策|办法|文件|规定|事项|通知)")
CALENDAR_YEAR = {"今年": 0, "去年": -1, "前年": -2, "明年": 1}
CONTEXT_YEAR = {"上一年": -1, "前一年": -1, "上年": -1, "次年": 1, "下一年": 1, "同年": 0, "当年": 0, "那一年": 0,
                "那年": 0}
RELATIVE_YEAR = re.compile("|".join(sorted([*CALENDAR_YEAR, *CONTEXT_YEAR], key=len, reverse=True)))
QUESTION_WORDS = re.compile(
    r"请问|咱们|我们|我想问一下|我想问|想问一下|想问|现在的?|目前的?|怎么样|怎么|如何|怎样|了?多少(?:钱|[件条个项人户次元天名家份])?|"
    r"了?几[件条个项人户次天名家份]|什么时候|什么|"
    r"哪些|哪里|哪儿|哪个|是否|是不是|能不能|可不可以|可以吗|吗|呢|吧|啊|[？?。！!，,\s]"
)
PLACE_LEAD = re.compile(r"^(?:咱们|我们|你们|请问|我想问|想问|现在|这个|那个|在)+")


@dataclass
class Turn:
    question: str
    rewritten: str
    answer: str


class ConversationStore:
    """Turns of each conversation in the service database; only the last `max_turns` are kept."""

    def __init__(self, db: Database, max_turns: int = 6, max_chars: int = 2000) -> None:
        if max_turns < 0 or max_chars < 0:
            raise ValueError("max_turns and max_chars must not be negative")
        self.db = db
        self.max_turns = max_turns
        self.max_chars = max_chars
        db.migrate("conversation", MIGRATIONS)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    @staticmethod
    def check_id(conversation_id: str) -> str:
        """The id itself; raises UserInputError unless it is 1-64 letters, digits or `_ . : -`."""
        if not CONVERSATION_ID.match(conversation_id or ""):
            raise UserInputError("a conversation id is 1-64 letters, digits, '_', '.', ':' or '-' (any new one starts"
                                 " a conversation)")
        return conversation_id

    def history(self, conversation_id: str) -> list[Turn]:
        """The most recent turns, oldest first, within `max_turns` turns and `max_chars` characters."""
        rows = self.db.query(
            "SELECT question, rewritten, answer FROM conversation_turns WHERE conversation_id = ? ORDER BY n DESC"
            " LIMIT ?", (self.check_id(conversation_id), self.max_turns),
        )
        turns: list[Turn] = []
        used = 0
        for row in rows:
            used += len(row["question"]) + len(row["answer"])
            if used > self.max_chars and turns:
                break
            turns.append(Turn(row["question"], row["rewritten"], row["answer"]))
        return turns[::-1]

    def record(self, conversation_id: str, question: str, rewritten: str, answer: str) -> None:
        """Append a turn (personal data redacted, the answer cut to `max_chars`) and drop turns beyond the bound."""
        self.check_id(conversation_id)
        with self.db.transaction() as cur:
            row = cur.execute("SELECT COALESCE(MAX(n), 0) FROM conversation_turns WHERE conversation_id = ?",
                              (conversation_id,)).fetchone()
            n = int(row[0]) + 1
            cur.execute("INSERT INTO conversation_turns VALUES (?, ?, ?, ?, ?, ?)",
                        (conversation_id, n, utc_now(), redact(question), redact(rewritten),
                         redact(answer)[: self.max_chars]))
            cur.execute("DELETE FROM conversation_turns WHERE conversation_id = ? AND n <= ?",
                        (conversation_id, n - self.max_turns))

    def forget(self, conversation_id: str) -> int:
        sql = "DELETE FROM conversation_turns WHERE conversation_id = ?"
        return self.db.execute(sql, (self.check_id(conversation_id),))


def region_of(text: str) -> str:
    for place in PLACE.findall(text):
        place = PLACE_LEAD.sub("", place)
        if len(place) >= 2 and place not in GENERIC_PLACES:
            return place
    return ""


def topic_of(question: str) -> str:
    """What a question is about, without its place, year and question words: "临江区怎么申请低保？" -> "申请低保"."""
    first = re.split(r"[？?。！!]", question.strip())[0]
    region = region_of(first)
    if region:
        first = first.replace(region, "")
    first = re.sub(r"\d{4}\s*年度?", "", first)
    return QUESTION_WORDS.sub("", first).strip("的是了在")


class CarryOverRewriter:
    """Rewrites follow-ups without a model, by carrying over the previous turn's region, year and topic.

    Calendar words (今年, 去年, 前年) are resolved against `today`; 上一年, 同年 and the like against the year of the
    previous turn.
    """

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self.today = today

    def rewrite(self, question: str, history: list[Turn]) -> str:
        previous = (history[-1].rewritten or history[-1].question) if history else ""
        years = YEAR.findall(previous)
        context_year = int(years[-1]) if years else None
        question = self._resolve_years(question, context_year)
        if not previous or not self._is_follow_up(question):
            return question
        core = FOLLOW_UP_START.sub("", question).strip()
        if ELLIPTIC_END.search(core):  # "去年呢？", "洪泽区呢？": the previous question with one slot changed
            return self._replace_slots(previous, ELLIPTIC_END.sub("", core).strip("，, "))
        region, year = region_of(previous), (f"{context_year}年" if context_year else "")
        lead = "".join([region if region and not region_of(core) else "",
                        year if year and not YEAR.search(core) else "", topic_of(previous)])
        return lead + ANAPHORA.sub("", core)

    def _resolve_years(self, question: str, context_year: int | None) -> str:
        def to_year(m: re.Match[str]) -> str:
            word = m.group()
            if word in CALENDAR_YEAR:
                return f"{self.today().year + CALENDAR_YEAR[word]}年"
            if context_year is None:
                return word
            return f"{context_year + CONTEXT_YEAR[word]}年"

        return RELATIVE_YEAR.sub(to_year, question)

    @staticmethod
    def _is_follow_up(question: str) -> bool:
        content = QUESTION_WORDS.sub("", question)
        return bool(FOLLOW_UP_START.search(question) or ELLIPTIC_END.search(question)
                    or ANAPHORA.search(question) or len(content) <= 4)  # "要多久？" has no subject of its own

    @staticmethod
    def _replace_slots(previous: str, change: str) -> str:
        new = previous
        year = YEAR.search(change)
        if year:
            old = YEAR.search(new)
            new = YEAR.sub(year.group(1), new, count=1) if old else f"{year.group(1)}年{new}"
            change = re.sub(rf"{year.group(1)}\s*年度?", "", change)
        region = region_of(change)
        if region:
            old_region = region_of(new)
            new = new.replace(old_region, region, 1) if old_region else region + new
            change = change.replace(region, "")
        change = change.strip("的，, ")
        return f"{change}，{new}" if change else new


class ModelRewriter:
    """Asks the model for the standalone question; falls back to `fallback` on failure or an unusable reply."""

    def __init__(
        self, generator: Generator, fallback: CarryOverRewriter | None = None, prompt: Prompt | None = None, *,
        timeout: float = 30.0, retries: int = 0, max_tokens: int = 96, max_chars: int = 300,
    ) -> None:
        self.generator = generator
        self.fallback = fallback or CarryOverRewriter()
        self.prompt = prompt or load_prompt("rewrite")
        self.timeout = timeout
        self.retries = retries
        self.max_tokens = max_tokens
        self.max_chars = max_chars

    def rewrite(self, question: str, history: list[Turn]) -> str:
        if not history:
            return self.fallback.rewrite(question, history)
        lines = []
        for turn in history:
            lines += [f"问：{turn.rewritten or turn.question}", f"答：{turn.answer[:200]}"]
        messages = self.prompt.render(history="\n".join(lines), question=question)
        try:
            reply = "".join(call_model(self.generator, messages, max_tokens=self.max_tokens, timeout=self.timeout,
                                       retries=self.retries))
        except GenerationFailed as exc:
            log.warning("query rewrite failed; carrying context over", extra={"reason": exc.reason})
            return self.fallback.rewrite(question, history)
        rewritten = self._clean(reply)
        return rewritten or self.fallback.rewrite(question, history)

    def _clean(self, reply: str) -> str:
        line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
        line = re.sub(r"^(?:改写后的问题|改写|问题|问)[:：]\s*", "", line).strip("“”\"' ")
        if REFUSAL_PREFIX in line or len(line) > self.max_chars or len(re.findall(r"[\u4e00-\u9fff]", line)) < 2:
            return ""
        return line
