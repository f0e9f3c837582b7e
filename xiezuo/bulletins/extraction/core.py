"""From a bulletin's text to the cooperation activities it reports (pure functions).

The body is cut into sentences (。！？； and line ends). Each sentence is checked against the
kinds' trigger words (data/extraction.toml); a sentence may report several activities (a
visit and the agreement signed during it). Places, dates, amounts and counts are read from the
sentence; a visit's leader from it and the next sentence. Visits without a date of their own
(“两天来，……先后深入到滦平县……”) add their places to the visit reported before them; the same
activity reported twice (a photo caption and the text) is kept once.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from xiezuo.bulletins.extraction.numbers import (
    Amount,
    DateSpan,
    find_amounts,
    find_count,
    find_dates,
    find_person_times,
    find_poor_labourers,
)
from xiezuo.bulletins.extraction.places import Mention, PlaceIndex, contract_code, table_code
from xiezuo.bulletins.extraction.rules import KindRule, Rules, rules
from xiezuo.bulletins.textfile import ArticleText
from xiezuo.core.codes import Level, level_of

KINDS = (
    "visit",
    "meeting",
    "agreement",
    "training",
    "job_fair",
    "fund",
    "purchase",
    "donation",
    "investment",
    "secondment",
)
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_TITLE = re.compile(r"《([^》]{2,80})》")
_MEETING = re.compile(r"([^，,。；：:“”]{0,40}?联席会议)")
_TRAINING = re.compile(
    r"(?:举办|开展|组织|举行|开办|承办)(?:了)?(?:为期[^，,。；]{1,6}的)?([^，,。；]{2,40}?培训班?)"
)
_COMPANY = re.compile(r"([\u4e00-\u9fff（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司|集团))")
_DRIVES = re.compile(r"带动[^，,。；0-9]{0,6}?(\d+)\s*(?:名|人|户)?")
_LEADER_NAME = re.compile(
    r"(?:书记|市长|区长|县长|省长|主任|局长|部长)([\u4e00-\u9fff]{2,3})(?=率|带队|带领|一行|[，,、])"
)


@dataclass(frozen=True)
class Sides:
    """The programme's two sides (province codes, 2 digits) and its pairings (table codes)."""

    helper_province: str
    recipient_province: str
    pairings: tuple[tuple[str, str], ...] = ()

    def side(self, code: str) -> str | None:
        if code.startswith(self.helper_province):
            return "helper"
        if code.startswith(self.recipient_province):
            return "recipient"
        return None

    def partner(self, code: str) -> str | None:
        """The one region paired with `code`'s county (or district); None if not exactly one."""
        if level_of(table_code(code)) < Level.COUNTY:
            return None
        county = table_code(code)[:6]
        found = {h for h, r in self.pairings if r == county} | {
            r for h, r in self.pairings if h == county
        }
        return found.pop() if len(found) == 1 else None


@dataclass
class Activity:
    """A proposed activity; codes are printed codes (provinces as 2 digits)."""

    kind: str
    evidence: str
    span: tuple[int, int]  # the evidence's place in the body
    start: date | None = None
    end: date | None = None
    origin: str | None = None  # "from"
    to: str | None = None
    helper: str | None = None
    recipient: str | None = None
    places: list[str] = field(default_factory=list)
    leader_category: str | None = None
    leader: str | None = None
    title: str | None = None
    trainee: str | None = None
    person_times: int | None = None
    poor_labourers: int | None = None
    amount_wan_yuan: Decimal | None = None
    ledger: str | None = None
    row: dict[str, Any] | None = None
    # Finest places named (townships, villages), for the ledger row's destination.
    finest: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The activity as the `extract --format json` contract prints it."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end and self.end != self.start:
            out["end"] = self.end.isoformat()
        pairs = (
            ("from", self.origin),
            ("to", self.to),
            ("helper", self.helper),
            ("recipient", self.recipient),
            ("places", self.places),
            ("leader_category", self.leader_category),
            ("title", self.title),
            ("trainee", self.trainee),
            ("person_times", self.person_times),
            ("poor_labourers", self.poor_labourers),
            ("amount_wan_yuan", _number(self.amount_wan_yuan)),
            ("ledger", self.ledger),
            ("row", self.row),
        )
        out.update({key: value for key, value in pairs if value not in (None, [], "")})
        out["evidence"] = self.evidence
        return out


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Sentence:
    text: str
    start: int
    mentions: list[Mention]
    dates: list[DateSpan]


def sentences(body: str) -> list[tuple[int, str]]:
    """The sentences of `body` with their offsets (blank ones left out)."""
    return [
        (match.start(), match.group(0))
        for match in _SENTENCE.finditer(body)
        if match.group(0).strip(" \u3000\t。！？；!?;")
    ]


def extract(article: ArticleText, *, places: PlaceIndex, sides: Sides) -> list[Activity]:
    """The activities `article` reports, with their proposed ledger rows."""
    config = rules()
    published = article.published.date()
    context: list[str] = []
    title_mentions = places.find(article.title, context=[])
    parsed = []
    for offset, text in sentences(article.body):
        mentions = places.find(text, context=context)
        parsed.append(_Sentence(text, offset, mentions, find_dates(text, published)))
    found: list[Activity] = []
    for index, sentence in enumerate(parsed):
        following = parsed[index + 1].text if index + 1 < len(parsed) else ""
        for rule in config.kinds:
            if not rule.fires(sentence.text):
                continue
            activity = _activity(rule, sentence, following, config, sides, title_mentions)
            if activity is not None:
                found.append(activity)
                found.extend(
                    replace(activity, title=title, extra={})
                    for title in activity.extra.pop("more_titles", [])
                )
                found.extend(
                    replace(activity, amount_wan_yuan=amount, recipient=recipient, extra={})
                    for amount, recipient in activity.extra.pop("more_amounts", [])
                )
    activities = _merged(found)
    for activity in activities:
        _finish(activity, sides, published)
    return activities


def _activity(
    rule: KindRule,
    sentence: _Sentence,
    following: str,
    config: Rules,
    sides: Sides,
    title_mentions: list[Mention],
) -> Activity | None:
    text = sentence.text
    evidence = text.strip()
    lead = len(text) - len(text.lstrip())
    span = (sentence.start + lead, sentence.start + lead + len(evidence))
    activity = Activity(kind=rule.kind, evidence=evidence, span=span, ledger=rule.ledger or None)
    if sentence.dates:
        activity.start, activity.end = sentence.dates[0].start, sentence.dates[0].end
    amounts = find_amounts(text)
    titles = _TITLE.findall(text)
    if "amount" in rule.requires and not amounts:
        return None
    if "title" in rule.requires and not titles:
        return None
    if "count" in rule.requires and find_count(text) is None:
        return None
    if rule.kind == "visit":
        return _visit(activity, sentence, following, config, sides)
    helper, recipient = _sides_of(sentence.mentions, sides)
    if helper is None or recipient is None:
        title_helper, title_recipient = _sides_of(title_mentions, sides)
        helper = helper or title_helper
        recipient = recipient or title_recipient
    activity.helper = helper
    activity.recipient = recipient
    if amounts and rule.kind in ("fund", "purchase", "donation", "investment"):
        activity.amount_wan_yuan = amounts[0].wan_yuan
        if len(amounts) > 1:
            _split_amounts(activity, sentence, amounts, sides)
    if rule.kind == "agreement":
        activity.title = titles[0]
        activity.extra["more_titles"] = titles[1:]  # one agreement each
    elif rule.kind == "meeting":
        match = _MEETING.search(text)
        if match:
            name = re.sub(r"^.*?(?:召开|举行|举办|组织)了?", "", match[1]).strip()
            activity.title = re.sub(r"^(?:在[^，,]{1,15}?)", "", name) or match[1]
    elif rule.kind == "training":
        activity.title = titles[0] if titles else _training_title(text)
        activity.trainee = _first_label(text, config.trainees)
        activity.person_times = find_person_times(text)
        activity.places = _recipient_places(sentence.mentions, sides)
    elif rule.kind == "job_fair":
        activity.poor_labourers = find_poor_labourers(text)
        activity.places = _recipient_places(sentence.mentions, sides)
        if activity.poor_labourers is None and not any(
            word in text for word in ("招聘会", "专场招聘")
        ):
            return None
    elif rule.kind == "fund":
        activity.extra["source"] = _first_label(text, config.fund_sources) or config.fund_default
    elif rule.kind == "donation":
        goods = any(word in text for word in config.donation_goods)
        activity.extra["category"] = "物资" if goods and not amounts else "资金"
        if goods and amounts:
            activity.extra["category"] = "物资" if "折价" in text or "价值" in text else "资金"
    elif rule.kind == "investment":
        company = _COMPANY.search(text)
        if company:
            activity.extra["company"] = re.sub(r"^.*?(?:由|与|和|引进|引入)", "", company[1])
        drives = _DRIVES.search(text)
        if drives:
            activity.extra["drives"] = int(drives[1])
    return activity


def _split_amounts(
    activity: Activity, sentence: _Sentence, amounts: list[Amount], sides: Sides
) -> None:
    """Several amounts, each in a clause naming its own recipient ("向万全区拨付2800万元，向
    宣化区拨付2600万元"): one activity each. Otherwise the first amount stands."""
    text = sentence.text
    parts: list[tuple[Decimal, str | None]] = []
    for amount in amounts:
        clause = max(text.rfind(mark, 0, amount.start) for mark in "，,；;") + 1
        inside = [m for m in sentence.mentions if clause <= m.start < amount.start]
        parts.append((amount.wan_yuan, _sides_of(inside, sides)[1]))
    recipients = [recipient for _, recipient in parts]
    if all(recipients) and len(set(recipients)) == len(recipients):
        activity.amount_wan_yuan, activity.recipient = parts[0]
        activity.extra["more_amounts"] = parts[1:]


def _visit(
    activity: Activity, sentence: _Sentence, following: str, config: Rules, sides: Sides
) -> Activity | None:
    text = sentence.text
    verb_at = _travel_verb(text, sentence.mentions, config)
    if verb_at is None:
        return None
    before = [m for m in sentence.mentions if m.end <= verb_at]
    after = [m for m in sentence.mentions if m.start >= verb_at]
    destination = after[0]
    to_province = destination.code[:2]
    origins = [m for m in before if m.code[:2] != to_province]
    if origins:
        activity.origin = contract_code(_finest_of_chain(origins))
    activity.to = contract_code(destination.code)
    # Places visited lie on the destination's side: a district named later in the sentence
    # ("朝阳区向康保县拨付…") is the helper, not a place visited.
    visited = [m for m in after if m.code[:2] == to_province]
    activity.places = _counties(visited) or [contract_code(destination.code)]
    activity.finest = [m.code for m in visited if m.level > Level.COUNTY]
    window = text + following
    activity.leader_category = _leader_category(window, config)
    name = _LEADER_NAME.search(window)
    if name:
        activity.leader = name[1]
    return activity


def _travel_verb(text: str, mentions: list[Mention], config: Rules) -> int | None:
    """Where the first travel verb followed by a place ends; None if there is none."""
    masked = text
    for word in config.not_verbs:
        masked = masked.replace(word, "\0" * len(word))
    for position in range(len(masked)):
        for verb in config.travel_verbs:
            if masked.startswith(verb, position):
                end = position + len(verb)
                if verb in ("来我",):
                    end = position + 1
                if any(m.start >= end and m.start - end <= 30 for m in mentions):
                    return end
                break
    return None


def _finest_of_chain(mentions: list[Mention]) -> str:
    """The last mention, or the finest in the chain of names ending with it (北京市朝阳区)."""
    last = mentions[-1]
    return last.code


def _counties(mentions: list[Mention]) -> list[str]:
    found: list[str] = []
    for mention in mentions:
        if mention.level >= Level.COUNTY:
            county = mention.code[:6]
            if county not in found:
                found.append(county)
    return found


def _recipient_places(mentions: list[Mention], sides: Sides) -> list[str]:
    return [code for code in _counties(mentions) if sides.side(code) == "recipient"] or [
        contract_code(m.code)
        for m in mentions[:1]
        if sides.side(m.code) == "recipient" and m.level < Level.COUNTY
    ]


def _sides_of(mentions: list[Mention], sides: Sides) -> tuple[str | None, str | None]:
    """The most specific helper-side and recipient-side places of `mentions` (the first of
    the finest level)."""
    best: dict[str, Mention] = {}
    for mention in mentions:
        side = sides.side(mention.code)
        if side is None:
            continue
        if side not in best or mention.level > best[side].level:
            best[side] = mention
    return (
        contract_code(best["helper"].code) if "helper" in best else None,
        contract_code(best["recipient"].code) if "recipient" in best else None,
    )


def _first_label(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    for label, keys in words.items():
        if any(key in text for key in keys):
            return label
    return None


def _leader_category(text: str, config: Rules) -> str | None:
    found = None
    order = list(config.leaders)
    for label, titles in config.leaders.items():
        for title in titles:
            for match in re.finditer(re.escape(title), text):
                deputy = text[max(0, match.start() - 1) : match.start()] == "副"
                category = order[-1] if deputy else label
                if found is None or order.index(category) < order.index(found):
                    found = category
    return found


def _training_title(text: str) -> str | None:
    match = _TRAINING.search(text)
    if match is None:
        return None
    name = match[1]
    name = re.sub(r"^.*?(?:举办|开展|组织|举行)", "", name)
    return name.strip() or None


def _merged(found: list[Activity]) -> list[Activity]:
    """Fold visits without a date into the visit before them (or, before the first dated
    one, into the first dated visit after them); keep repeats once."""
    out: list[Activity] = []
    dated = [a for a in found if a.kind == "visit" and a.start is not None]
    for activity in found:
        if (
            activity.kind == "visit"
            and activity.start is None
            and dated
            and not any(a.kind == "visit" for a in out)
            and _compatible(dated[0].origin, activity.origin)
        ):
            _fold(dated[0], activity)
            continue
        if activity.kind == "visit":
            earlier = [a for a in out if a.kind == "visit"]
            same = next(
                (
                    a
                    for a in earlier
                    if a.start == activity.start
                    and activity.start is not None
                    and _compatible(a.origin, activity.origin)
                ),
                None,
            )
            if (
                same is None
                and activity.start is None
                and earlier
                and _compatible(earlier[-1].origin, activity.origin)
            ):
                same = earlier[-1]
            if same is not None:
                _fold(same, activity)
                continue
        else:
            key = _key(activity)
            if any(a.kind == activity.kind and _key(a) == key for a in out):
                continue
        out.append(activity)
    return out


def _compatible(first: str | None, second: str | None) -> bool:
    return first is None or second is None or first[:2] == second[:2]


def _fold(into: Activity, other: Activity) -> None:
    """Add a later report of the same visit to it."""
    places = [p for p in into.places if level_of(table_code(p)) >= Level.COUNTY]
    side = (into.to or "")[:2]
    for place in other.places:
        if side and place[:2] != side:
            continue
        if level_of(table_code(place)) >= Level.COUNTY and place not in places:
            places.append(place)
    if places:
        into.places = places
    for code in other.finest:
        if code not in into.finest:
            into.finest.append(code)
    into.origin = into.origin or other.origin
    into.to = into.to or other.to
    if into.leader_category is None or (
        other.leader_category is not None
        and list(rules().leaders).index(other.leader_category)
        < list(rules().leaders).index(into.leader_category)
    ):
        into.leader_category = other.leader_category or into.leader_category
    into.leader = into.leader or other.leader
    into.end = into.end or other.end


def _key(activity: Activity) -> tuple[Any, ...]:
    if activity.kind == "agreement":
        return (activity.title,)
    return (
        activity.start,
        activity.helper,
        activity.recipient,
        activity.title,
        activity.amount_wan_yuan,
        activity.person_times,
        activity.poor_labourers,
    )


def _finish(activity: Activity, sides: Sides, published: date) -> None:
    """Fill the sides from the pairings, and the ledger row."""
    if activity.kind not in ("visit", "training", "job_fair"):
        activity.end = None  # a one-day event: signed, paid, held on its first day
    if activity.kind == "visit":
        if activity.origin is None:
            activity.origin = _other_side(activity.to, activity.places, sides)
        for code in (activity.origin, activity.to):
            if code is None:
                continue
            if sides.side(code) == "helper":
                activity.helper = code
            elif sides.side(code) == "recipient":
                activity.recipient = code
        if activity.recipient and len(activity.recipient) == 2:
            counties = [p for p in activity.places if sides.side(p) == "recipient" and len(p) > 2]
            if len(counties) == 1:
                activity.recipient = counties[0]
    else:
        if activity.helper is None and activity.recipient is not None:
            activity.helper = sides.partner(activity.recipient) or sides.helper_province
        elif activity.recipient is None and activity.helper is not None:
            activity.recipient = sides.partner(activity.helper) or sides.recipient_province
    if activity.ledger:
        from xiezuo.bulletins.extraction.rows import ledger_row

        activity.row = ledger_row(activity, published)


def _other_side(to: str | None, places: list[str], sides: Sides) -> str | None:
    """Who travelled when the text does not say: the one pairing partner of the places
    visited, else the other side's province."""
    if to is None:
        return None
    counties = [p for p in places if len(p) >= 6]
    partners = {sides.partner(p) for p in counties}
    if len(partners) == 1 and None not in partners:
        return partners.pop()
    side = sides.side(to)
    if side == "recipient":
        return sides.helper_province
    if side == "helper":
        return sides.recipient_province
    return None
