"""The briefing's words: the answers, the method, the caveats.

Every figure in a sentence is read from a *released* table (after disclosure control), never
from the exact figures, so the text can never say more than the tables.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from helpers import __version__
from helpers.analysis import evidence
from helpers.analysis.review import S12_LIMIT_HOURS, ReviewCost, RunReview
from helpers.briefing.report import (
    Html,
    as_number,
    bullet_list,
    count_phrase,
    definitions,
    esc,
    long_date,
    text_html,
    thousands,
)
from helpers.extracts.sources import missing_fields
from helpers.request import tables
from helpers.request.parameters import EITHER_ROW, VIGILANTE_ROW
from helpers.request.tables import lower_first as _lower_first
from helpers.request.tables import named_classes, number_word

if TYPE_CHECKING:
    from helpers.request.measures import SearchReview

HUNTER_GROUP = "so-called \u201cpaedophile hunter\u201d group"
#: what the briefing says of a question the force's exports hold nothing to answer with
UNANSWERABLE = "cannot be answered from these extracts"


def evidence_unanswerable(params) -> bool:
    """No system exports the circumstances text, the only record of hunter-group evidence: the
    question cannot be answered (its figure, 0, would say none was found)."""
    return len(missing_fields(params.sources, "circumstances")) == len(params.sources)


def _no_text(params) -> str:
    """Why the hunter-group question cannot be answered, mid-sentence: `X's export has no
    circumstances text: its crimes could not be searched`."""
    systems = missing_fields(params.sources, "circumstances")
    phrase = _systems_phrase(systems)
    phrase = phrase if len(systems) == 1 else _lower_first(phrase)
    its = "its" if len(systems) == 1 else "their"
    return f"{phrase} no circumstances text: {its} crimes could not be searched"


def _people(value: str) -> str:
    return count_phrase(value, "person", "people")


def _offences(value: str) -> str:
    return count_phrase(value, "offence", "offences")


def were(value: str) -> str:
    """The verb for a released count of people: `1 person was`, `fewer than 5 people were`."""
    return "was" if str(value) == "1" else "were"


def amount(value: str) -> str:
    """A released count with no noun: `18`, `fewer than 5`, `none`, or a withheld number."""
    value = str(value)
    if value.startswith("<"):
        return f"fewer than {value[1:]}"
    if value == "[c]":
        return "a number (withheld to protect smaller figures)"
    return "none" if value == "0" else thousands(value)


def people_noun(value: str) -> str:
    """`person` for a released 1, else `people` (`<5`, `[c]` and 0 included)."""
    return "person" if str(value) == "1" else "people"


# ---- the answer


def answers(params, released: tables.Released) -> list[str]:
    """One plain sentence per question, in the order the request asked them: one per charge group,
    then the hunter-group question, which says which total it is a part of."""
    year = str(params.charge_year)
    column = tables.people_column(params)
    sentences = []
    for group in params.charge_groups.values():
        value = released.value("people_charged", group.label, column)
        sentences.append(f"In {year} we charged {_people(value)} with {_lower_first(group.label)}.")
    either = released.value("people_charged", EITHER_ROW, column)
    vigilante = released.value("people_charged", VIGILANTE_ROW, column)
    offences = {1: "this offence", 2: "either offence"}.get(
        len(params.charge_groups), "any of these offences"
    )
    if evidence_unanswerable(params):
        sentences.append(
            f"Whether any of the people charged with {offences} was charged on a crime whose record "
            f"shows evidence from a {HUNTER_GROUP} (an online child abuse activist group) "
            f"{UNANSWERABLE} ({_no_text(params)}): the officer\u2019s summary of the circumstances is "
            "the only record of such evidence."
        )
        return sentences
    whole = f"Of the {_people(thousands(either))}" if as_number(either) else "Of the people"
    sentences.append(
        f"{whole} charged with {offences}, {amount(vigilante)} {were(vigilante)} charged on a crime whose "
        f"record shows evidence from a {HUNTER_GROUP} (an online child abuse activist group)."
    )
    return sentences


def key_facts(params, released: tables.Released) -> Html:
    """The answers at a glance: one figure per question, large, with what it counts."""
    year = str(params.charge_year)
    column = tables.people_column(params)
    facts = []
    for group in params.charge_groups.values():
        value = released.value("people_charged", group.label, column)
        facts.append(
            (value, f"{people_noun(value)} charged in {year} with {_lower_first(group.label)}")
        )
    either = released.value("people_charged", EITHER_ROW, column)
    vigilante = released.value("people_charged", VIGILANTE_ROW, column)
    part_of = (
        f"of the {thousands(either)} people charged"
        if as_number(either)
        else "of the people charged"
    )
    if evidence_unanswerable(params):
        facts.append(("\u2014", f"hunter-group evidence: {UNANSWERABLE}"))
    else:
        facts.append(
            (
                vigilante,
                f"{part_of}: the crime they were charged on shows evidence from a {HUNTER_GROUP}",
            )
        )
    tiles = "".join(
        f'<div class="fact"><p class="figure">{esc(thousands(value))}</p><p class="label">{text_html(label)}</p></div>'
        for value, label in facts
    )
    return Html(
        f'<section class="key-facts" aria-label="Key facts"><h2 class="key-facts-heading">Key facts</h2><div class="facts">{tiles}</div></section>'
    )


def _numbered(questions: list[str], answer_list: list[str]) -> bool:
    """Number the answers like the questions only when there is one answer per question."""
    return len(questions) == len(answer_list)


def request_and_answer(params, released: tables.Released) -> Html:
    """Your request, and our answer in plain sentences, in the order you asked."""
    answer_list = answers(params, released)
    questions = bullet_list(params.questions, ordered=True, klass="questions")
    answer_items = bullet_list(
        answer_list, ordered=_numbered(params.questions, answer_list), klass="answers"
    )
    total = thousands(released.tables["offences_by_year"].loc["Total", "Total"])
    period = f"from {long_date(params.period_from)} to {long_date(params.period_to)}"
    recorded = (
        f"offences of {params.legacy.offence_description} {period} (their number is withheld to protect "
        "smaller figures)"
        if total == "[c]"
        else f"{_offences(total)} of {params.legacy.offence_description} {period}"
    )
    context = (
        f"For context, we recorded {recorded}. Tables 2 and 3 give them by year, with their "
        "outcomes."
    )
    return Html(
        "<h2>Your request</h2>"
        f"<p>You asked:</p>{questions}"
        "<h2>Our answer</h2>"
        f'<div class="summary">{answer_items}<p>{text_html(context)}</p></div>'
        + marks_note(params.disclosure_threshold)
        + "<h3>Before you use these figures</h3>"
        + bullet_list(caveats(params), klass="caveats")
    )


def marks_note(threshold: int, shown: Collection[str] = ("<", "[c]")) -> str:
    """What `<T` and `[c]` mean, under the answer: those of them the tables show (`shown`)."""
    T = threshold
    said = []
    if T > 1 and "<" in shown:
        said.append(
            f"Where a figure is between 1 and {T - 1} we show it as \u201c&lt;{T}\u201d, so that "
            "no one can be identified from it"
        )
    if T > 1 and "[c]" in shown:
        said.append(
            "\u201c[c]\u201d marks a larger figure withheld so that a small one cannot be worked out"
        )
    if not said:
        return ""
    text = "; ".join(said)
    return (
        f'<p class="small-print">{text[:1].upper()}{text[1:]} (see \u201cProtecting the people '
        "behind the figures\u201d).</p>"
    )


def caveats(params) -> list[str]:
    """The few things a reader must know before quoting the figures."""
    hunter = (
        f"The hunter-group question {UNANSWERABLE} ({_no_text(params)}): its figures count "
        "nothing, and are not a finding of none."
        if evidence_unanswerable(params)
        else "The hunter-group figure depends on officers having mentioned the group in their summary "
        "of the crime. No field records it, so it may be an undercount."
    )
    return [
        f"People are counted by the date they were charged ({params.charge_year}); offences by the date "
        "the crime was recorded, which can be later than when it was committed.",
        hunter,
        "The offence of sexual communication with a child (section 15A) is not included; the Office for "
        "National Statistics includes it in its \u201cSexual grooming\u201d figures from April 2017.",
    ]


# ---- the tables' introductions


def offences_intro(params) -> Html:
    hunter = (
        f" (whether they have evidence from a hunter group on record {UNANSWERABLE}, so none is "
        "counted as having it)"
        if evidence_unanswerable(params)
        else ", and how many of them have evidence from a hunter group on record"
    )
    text = (
        f"Table 2 counts the offences of {params.legacy.offence_description} we recorded each year{hunter}. Table 3 shows what has happened to them: the "
        f"outcome recorded for each offence by {long_date(params.extracts_taken_on)}. Figure 1 draws Table 3."
    )
    return Html(f"<h2>The offences and their outcomes</h2><p>{text_html(text)}</p>")


def chart_caption(params) -> str:
    return f"Offences of {params.legacy.offence_description} recorded each year, by outcome"


def people_table_notes(params) -> list[str]:
    notes = []
    if len(params.charge_groups) > 1:
        notes.append(
            "A person charged with more than one of these offences is counted once in the row \u201cCharged with any of these\u201d."
        )
    notes.append(
        "The last row is part of the row above it: people charged on a crime whose record shows hunter-group evidence."
        + (
            f" Whether anyone belongs in it {UNANSWERABLE} ({_no_text(params)}): its figure is "
            "not a finding of none."
            if evidence_unanswerable(params)
            else ""
        )
    )
    return notes


# ---- how we counted


def classes_text(params) -> str:
    return named_classes(params.legacy.offence_classes, params.class_titles)


def own_titles_text(codes: Sequence[str], own: Mapping[str, str]) -> str | None:
    """The method's word on class titles, where the briefing titles some of `codes` as the force
    does (a profile's `class_titles`) rather than as the Home Office list does; None where it
    titles none so."""
    titled = [code for code in dict.fromkeys(codes) if code in own]
    if not titled:
        return None
    named = tables.listed([f"{code} (\u201c{own[code]}\u201d)" for code in titled])
    return (
        "A class is titled as the Home Office\u2019s list of offence classes titles it, except "
        f"where the force records a class under a title of its own: {named}."
    )


def _systems_phrase(systems: list[str]) -> str:
    """`A's export has`, `The exports of A and B have`: what they lack is said next."""
    if len(systems) == 1:
        return f"{systems[0]}\u2019s export has"
    return f"The exports of {', '.join(systems[:-1])} and {systems[-1]} have"


def systems_text(sources) -> str:
    """The crime systems in plain words, and how a crime migrated between them is counted."""
    described = "; ".join(source.description or source.system for source in sources)
    if len(sources) == 1:
        return f"We used one crime system: {described}."
    newer = [source for source in sources if source.legacy_system]
    text = f"We used {number_word(len(sources))} crime systems in this period: {described}."
    for source in newer:
        text += (
            f" A crime migrated from {source.legacy_system} to {source.system} at the switch-over is counted once, "
            f"as it stands now on {source.system}, under the date it was first recorded on {source.legacy_system} "
            f"({source.system} shows the migration date as its recorded date)."
        )
    return text


def method(params) -> Html:
    """How each figure was counted: every rule, in plain words."""
    systems = systems_text(params.sources)
    migration = next((s for s in params.sources if s.legacy_system), None)
    records_where = (
        f"on the {number_word(len(params.sources))} systems, or a duplicate record"
        if len(params.sources) > 1
        else "duplicate records"
    )
    migrations = sum(1 for s in params.sources if s.legacy_system)
    no_pnc = missing_fields(params.sources, "pnc_id")
    unmatched = (
        f" {_systems_phrase(no_pnc)} no Police National Computer IDs: a person with two records "
        f"there under different numbers is counted twice."
        if no_pnc
        else ""
    )
    person_number = {0: "the system's person reference", 1: "the old system's person number"}.get(
        migrations, "the older systems' person numbers"
    )
    copied = {
        0: "",
        1: f" Charges copied from the old system to {migration.system} are counted once."
        if migration
        else "",
    }.get(migrations, " Charges copied from one system to the next are counted once.")
    year = params.charge_year
    codes_text = "; ".join(
        f"{_lower_first(group.label)}: {', '.join(group.codes)}"
        for group in params.charge_groups.values()
    )
    rules = {
        "Which offences": (
            f"Crimes recorded under Home Office classification {classes_text(params)}, as the crime is "
            "classified now (a crime can be reclassified after it is first recorded). Crimes that were "
            "cancelled or transferred (\u201cno crimed\u201d) are not counted."
        ),
        "Which date": (
            f"The date the crime was recorded, which is the date official crime statistics count by: from "
            f"{long_date(params.period_from)} to {long_date(params.period_to)} inclusive, whole days, UK local "
            "time. The date the offence was committed can be earlier."
        ),
        "Crime systems": systems,
        "Sexual communication with a child": (
            "The offence of sexual communication with a child (section 15A of the Sexual Offences Act "
            "2003, in force from 3 April 2017) is classified 071/17 and is not included. The Office for "
            "National Statistics includes it in its published \u201cSexual grooming\u201d figures from "
            "April 2017, so those figures are not comparable with these."
        ),
        "Outcomes": (
            "The outcome recorded for each offence now, grouped as the Home Office publishes them. An "
            "offence recorded in one year can get its outcome in a later year; offences still under "
            "investigation have no outcome yet."
        ),
        "People charged": (
            f"Each person is counted once, however many charges or crimes they have: people with more "
            f"than one record ({records_where}) are matched by their Police "
            f"National Computer ID and {person_number}. A charge counts when it was "
            f"laid in {year}, whatever the year the crime was recorded and however the crime is "
            "classified (a crime is recorded under its most serious offence, so a charge of grooming can "
            f"sit on a crime recorded as another offence).{copied}{unmatched} Offence codes: {codes_text}. Aiding "
            "and abetting, conspiracy and encouraging the offence are not counted."
        ),
    }
    titled = own_titles_text(params.legacy.offence_classes, params.class_titles)
    if titled is not None:
        rules["Class titles"] = titled
    return Html("<h2>How we counted</h2>" + definitions(rules))


# ---- the hunter-group search


def review_time(released_candidates: str, minutes_per_record: float, threshold: int) -> str:
    """The time to check every match by hand, from the RELEASED count of matches: rounded up to the
    half hour; an upper bound for `<T` (its most, `T - 1` matches: "at most"); no figure for a
    withheld `[c]`."""
    value = str(released_candidates)
    if value.startswith("<"):
        bound = (threshold - 1) * minutes_per_record / 60
        if bound < 1:
            return "under 1 hour"
        rounded = math.ceil(bound * 2) / 2
        return f"at most {rounded:g} hour{'' if rounded == 1 else 's'}"
    count = as_number(value)
    if count is None:
        return ""
    hours = count * minutes_per_record / 60
    if hours < 1:
        return "under 1 hour"
    rounded = math.ceil(hours * 2) / 2
    return f"about {rounded:g} hour{'' if rounded == 1 else 's'}"


def review_cost_text(released_candidates: str, minutes_per_record: float, threshold: int) -> str:
    """How long checking every match by hand takes, against the time section 12 of the Freedom
    of Information Act allows, from the RELEASED count of matches alone: a withheld count gives
    no time, and a range of counts (`<T`) on both sides of the limit is compared with nothing."""
    value = str(released_candidates)
    rate = f"{minutes_per_record:g} minutes a record"
    time = review_time(value, minutes_per_record, threshold)
    if not time:
        return (
            f"Checking a match by hand takes {minutes_per_record:g} minutes; the time for them "
            "all is not given, as the number of matches is withheld."
        )
    # the fewest and the most matches the released count can be
    fewest, most = (1, threshold - 1) if value.startswith("<") else (as_number(value),) * 2
    limit = (
        f"the {S12_LIMIT_HOURS:g} hours that section 12 of the Freedom of Information Act allows"
    )
    if ReviewCost(int(most or 0), minutes_per_record).within_s12_limit:
        return f"Checking every match by hand takes {time} at {rate}, within {limit}."
    if not ReviewCost(int(fewest or 0), minutes_per_record).within_s12_limit:
        return f"Checking every match by hand would take {time} at {rate}, more than {limit}."
    return f"Checking every match by hand takes {time} at {rate}."


def second_review_sentence(run: RunReview) -> str:
    """Whether a second reviewer checked the decisions, and whether the two agree (no figure:
    the sample's counts are not a released table's)."""
    second = run.second_review
    if not second.get("made"):
        if second.get("asked"):
            return "A second review of these decisions was asked for but not yet made."
        return "The decisions were not checked by a second reviewer."
    sentence = "A second reviewer checked a sample of them drawn at random (a fifth, at least ten)"
    if second.get("open_disagreements"):
        return (
            f"{sentence}; some of their disagreements were not yet settled when this briefing "
            "was made, and the first reviewer's decisions are used."
        )
    return f"{sentence}, and the two settled every disagreement."


def evidence_method(params, released: tables.Released, reviewed: SearchReview) -> Html:
    """How the hunter-group figure was found (`reviewed`: the search and its review), what it
    can miss, and what the review cost."""
    if evidence_unanswerable(params):
        return Html(
            "<h2>Evidence from \u201cpaedophile hunter\u201d groups</h2>"
            "<p>No crime system has a field for where evidence came from. The only record is the "
            "officer\u2019s free-text summary of the circumstances of each crime, and "
            f"{text_html(_no_text(params))}, so the question {UNANSWERABLE}. No search was made, "
            "and the hunter-group figures count nothing.</p>"
        )
    terms = ", ".join(f"\u201c{term}\u201d" for term in params.search_terms)
    scope = (
        "the request's offences"
        if params.search_scope == "offences"
        else "every crime recorded in the period"
    )

    def crimes(row: str) -> str:
        return count_phrase(
            thousands(released.value("evidence_review", row, "Crimes")), "crime", "crimes"
        )

    if reviewed.outcome.reviewed:
        review_text = (
            f"Staff reviewed {crimes(tables.REVIEWED_ROW)} by hand and changed the search's call for "
            f"{crimes(tables.OVERTURNED_ROW)}; the figures use their decisions (Table 4)."
        )
        if reviewed.outcome.reviewed < len(reviewed.candidates):
            review_text += " The other matches are counted as the search called them."
        review_text += " " + second_review_sentence(reviewed.run)
    else:
        review_text = (
            "The matches have not yet been reviewed by hand: the figures count every match that is "
            "not negated (Table 4)."
        )
    # no figure: a count of them beside Table 4's would be a relation disclosure control does
    # not model (they are neither reviewed nor unreviewed candidates)
    if reviewed.run.review_again:
        review_text += (
            " For some matches the circumstances text changed after the review: there the "
            "figures use the search's call until the text is reviewed again."
        )
    # a text over the search's budget of words, said plainly (the row is there only then)
    if tables.searched_in_part_row() in released.tables["evidence_review"].index:
        review_text += (
            f" For {crimes(tables.searched_in_part_row())}, the summary was longer than "
            f"{evidence.WORD_LIMIT:,} words and only its first {evidence.WORD_LIMIT:,} words were "
            "searched (Table 4)."
        )
    cost_text = review_cost_text(
        released.value("evidence_review", tables.CANDIDATES_ROW, "Crimes"),
        params.review_minutes_per_record,
        params.disclosure_threshold,
    )
    unsearched = missing_fields(params.sources, "circumstances")
    if unsearched:
        review_text += (
            f" {_systems_phrase(unsearched)} no circumstances text: "
            f"{'its' if len(unsearched) == 1 else 'their'} crimes could not be searched, and no "
            f"hunter-group figure here counts them."
        )
    return Html(
        "<h2>Evidence from \u201cpaedophile hunter\u201d groups</h2>"
        "<p>No crime system has a field for where evidence came from. The only record is the officer\u2019s "
        "free-text summary of the circumstances of each crime. We searched that text, for "
        f"{text_html(scope)} and for the crimes on which the {params.charge_year} charges were laid, for the terms "
        f"{esc(terms)}.</p>"
        "<p>The search allows for capital letters, hyphens, line breaks, plurals, British and American "
        "spellings and small typing errors. It does not count a mention that is negated (\u201cnot a "
        "vigilante referral\u201d), a police undercover operation, or words such as the surname Hunter. "
        "It relies on officers having used these words: a crime whose summary does not mention a hunter "
        f"group is not counted. {text_html(review_text)}</p>"
        f"<p>{text_html(cost_text)}</p>"
    )


# ---- protection, data quality, colophon


def disclosure_note(params, released: tables.Released) -> Html:
    """The disclosure rules applied, in plain words (the disclosure module's own note)."""
    # here, not at the top: loaded for the disclosure note, not at the kernel's start (PRELOAD)
    import mistune

    from helpers.disclosure.describe import describe_protection

    # the first request's figures are about sexual offences against children; a request in the
    # grammar may be about any crime
    about = {} if params.has_legacy else {"about": "crimes and the people recorded with them"}
    note = describe_protection(released.protection, released.published_releases, **about)
    note = note.split("**", 2)[-1].strip() if note.startswith("**") else note  # our heading says it
    # raw HTML escaped, no plugins: the note's own markup only (its titles are escaped markdown)
    rendered = mistune.create_markdown(escape=True)(note)
    assert isinstance(rendered, str)  # mistune's HTML renderer writes HTML, not tokens
    return Html(
        '<section class="protection"><h2>Protecting the people behind the figures</h2>'
        + rendered
        + "</section>"
    )


def set_aside_sentence(value: str) -> str:
    """What became of the records that could not be used, from the released total."""
    if value == "0":
        return "None was set aside."
    if value.startswith("<"):
        return f"Fewer than {value[1:]} were set aside."
    if value == "[c]":
        return "Some were set aside; their number is withheld to protect smaller figures."
    return f"{'1 was' if value == '1' else thousands(value) + ' were'} set aside."


def data_quality(params, released: tables.Released, first_table: int = 5) -> Html:
    """The records read and set aside and how they were combined: Tables `first_table` and the
    next."""
    files_table, merging_table = f"Table {first_table}", f"Table {first_table + 1}"
    read = released.value("data_quality_files", "Total", tables.RECORDS_READ)
    set_aside = released.value("data_quality_files", "Total", tables.RECORDS_SET_ASIDE)
    files = number_word(len(released.tables["data_quality_files"]) - 1)
    records = count_phrase(thousands(read), "record", "records")
    first = f"We read {records} from the {files} extract files ({files_table}). {set_aside_sentence(set_aside)}"
    people, _ = tables.counts_people_and_charges(params)
    systems = "both systems" if len(params.sources) == 2 else "more than one system"
    linked = (  # a request counting crimes alone has no people to link
        f" People with records on {systems}, or with more than one record, are counted once."
        if people
        else ""
    )
    if any(source.legacy_system for source in params.sources):
        migrated = released.value(
            "data_quality_merging", tables.migrated_row(params.sources), "Records"
        )
        moved = count_phrase(thousands(migrated), "crime", "crimes")
        if len(params.sources) == 2:
            second = (
                f"{moved[:1].upper()}{moved[1:]} moved from the old system to the new one at the switch-over; each is "
                f"counted once ({merging_table}).{linked}"
            )
        else:
            times = count_phrase(thousands(migrated), "time", "times")
            second = (
                f"Crimes moved from one system to the next {times} at the switch-overs (a crime that moved "
                f"twice, twice); each crime is counted once ({merging_table}).{linked}"
            )
    else:  # the table of one system is of its people whatever the request counts
        second = f"People with more than one record are counted once ({merging_table})."
    return Html(
        "<h2>Data quality</h2>"
        f"<p>{text_html(first)} "
        "Every record is either used or set aside; none is dropped unseen. A record is set aside when it "
        "cannot be used as it stands (an impossible date, a code that is not a Home Office code, a "
        f"duplicated reference, a record whose crime is in {'neither system' if len(params.sources) == 2 else 'no crimes file'}); records set aside are checked "
        "by the force\u2019s analysts and do not count in the figures above.</p>"
        f"<p>{text_html(second)}</p>"
    )


def colophon(params) -> Html:
    return Html(
        '<footer class="colophon">'
        f"<p>FOI {esc(params.reference)}. Produced with foi-briefing {esc(__version__)} from the force\u2019s crime "
        f"extracts of {esc(long_date(params.extracts_taken_on))}. The tables are also published beside this "
        "briefing as CSV files and as one spreadsheet (tables.xlsx).</p></footer>"
    )
