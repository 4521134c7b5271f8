"""The briefing's words: the answers, the method, the caveats.

Every figure in a sentence is read from a *released* table (after disclosure control), never
from the exact figures, so the text can never say more than the tables.
"""

from __future__ import annotations

from helpers import briefing as b
from helpers.codes import HO_CLASS_TITLES
from helpers.report import Html, bullet_list, count_phrase, definitions, esc, long_date
from helpers.sources import FORCE_SOURCES


def _people(value: str) -> str:
    return count_phrase(value, "person", "people")


def _offences(value: str) -> str:
    return count_phrase(value, "offence", "offences")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def answers(params, released: b.Released) -> list[str]:
    """One plain sentence per question, in the order the request asked them."""
    year = str(params.charge_year)
    sentences = []
    for group in params.charge_groups.values():
        value = released.value("people_charged", group.label, year)
        sentences.append(f"In {year} we charged {_people(value)} with {_lower_first(group.label)}.")
    if len(params.charge_groups) > 1:
        either = released.value("people_charged", b.EITHER_ROW, year)
        sentences.append(
            f"Counting each person once, {_people(either)} were charged with at least one of these offences in {year}."
        )
    vigilante = released.value("people_charged", b.VIGILANTE_ROW, year)
    sentences.append(
        f"Of these, {_people(vigilante)} were charged on a crime whose record shows evidence from a "
        "so-called \u201cpaedophile hunter\u201d group (online child abuse activist group). "
        "This comes from a search of the free-text circumstances of each crime, explained below."
    )
    return sentences


def request_and_answer(params, released: b.Released) -> Html:
    """Your request, and our answer in plain sentences."""
    questions = bullet_list(params.questions, ordered=True, klass="questions")
    answer_items = bullet_list(answers(params, released), ordered=True, klass="answers")
    years = released.tables["offences_by_year"]
    total = years.loc["Total", "Total"]
    context = (
        f"For context, we recorded {_offences(total)} of {params.offence_description} from "
        f"{long_date(params.period_from)} to {long_date(params.period_to)}. Tables 2 and 3 give them by year "
        "with their outcomes."
    )
    return Html(
        "<h2>Your request</h2>"
        f"<p>You asked:</p>{questions}"
        "<h2>Our answer</h2>"
        f'<div class="summary">{answer_items}<p>{esc(context)}</p></div>'
        "<p>Where a figure is between 1 and "
        f"{params.disclosure_threshold - 1} we show it as \u201c&lt;{params.disclosure_threshold}\u201d, "
        "so that no one can be identified from it (see \u201cProtecting the people behind the figures\u201d).</p>"
    )


def classes_text(params) -> str:
    named = [f"{code} ({HO_CLASS_TITLES[code].lower()})" if code in HO_CLASS_TITLES else code for code in params.offence_classes]
    return ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]


def method(params) -> Html:
    """How each figure was counted: every rule, in plain words."""
    systems = "; ".join(source.description for source in FORCE_SOURCES)
    year = params.charge_year
    codes_text = "; ".join(f"{group.label}: {', '.join(group.codes)}" for group in params.charge_groups.values())
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
        "Two crime systems": (
            f"We used two systems in this period: {systems}. A crime migrated at the switch-over is counted "
            "once, as it stands now on Connect, under the date it was first recorded on the old system "
            "(Connect shows the migration date as its recorded date)."
        ),
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
            f"than one record (on the two systems, or a duplicate record) are matched by their Police "
            f"National Computer ID and the old system's person number. A charge counts when it was "
            f"laid in {year}, whatever the year the crime was recorded and however the crime is "
            "classified (a crime is recorded under its most serious offence, so a charge of grooming can "
            "sit on a crime recorded as another offence). Charges copied from the old system to Connect "
            f"are counted once. Offence codes: {codes_text}. Aiding and abetting, conspiracy and "
            "encouraging the offence are not counted."
        ),
    }
    return Html("<h2>How we counted</h2>" + definitions(rules))


def evidence_method(params, released: b.Released, findings: b.EvidenceFindings) -> Html:
    """How the hunter-group figure was found, what it can miss, and what the review cost."""
    terms = ", ".join(f"\u201c{term}\u201d" for term in params.search_terms)
    scope = (
        "the request's offences"
        if params.search_scope == "offences"
        else "every crime recorded in the period"
    )
    def crimes(row: str) -> str:
        return count_phrase(released.value("evidence_review", row, "Crimes"), "crime", "crimes")

    if findings.review.reviewed:
        review_text = (
            f"Staff reviewed {crimes(b.REVIEWED_ROW)} by hand and changed the search's call for "
            f"{crimes(b.OVERTURNED_ROW)}; the figures use their decisions (Table 4)."
        )
    else:
        review_text = (
            "The matches have not yet been reviewed by hand: the figures count every match that is "
            "not negated (Table 4)."
        )
    cost = findings.cost
    if cost.within_s12_limit:
        cost_text = (
            f"Checking the matches by hand takes {cost.hours_text()} at {cost.minutes_per_record:g} minutes a "
            "record, within the 18 hours that section 12 of the Freedom of Information Act allows."
        )
    else:
        cost_text = (
            f"Checking every match by hand would take {cost.hours_text()} at {cost.minutes_per_record:g} minutes "
            "a record, more than the 18 hours that section 12 of the Freedom of Information Act allows."
        )
    return Html(
        "<h2>Evidence from \u201cpaedophile hunter\u201d groups</h2>"
        "<p>No crime system has a field for where evidence came from. The only record is the officer's "
        "free-text summary of the circumstances of each crime. We searched that text, for "
        f"{esc(scope)} and for the crimes on which the {params.charge_year} charges were laid, for the terms "
        f"{esc(terms)}.</p>"
        "<p>The search allows for capital letters, hyphens, line breaks, plurals, British and American "
        "spellings and small typing errors. It does not count a mention that is negated (\u201cnot a "
        "vigilante referral\u201d), a police undercover operation, or words such as the surname Hunter. "
        "It relies on officers having used these words: a crime whose summary does not mention a hunter "
        f"group is not counted. {esc(review_text)}</p>"
        f"<p>{esc(cost_text)}</p>"
    )


def disclosure_note(params, released: b.Released) -> Html:
    """The disclosure rules applied, in plain words (the disclosure module's own note)."""
    import mistune

    from helpers.disclosure import describe_protection

    note = describe_protection(released.protection)
    note = note.split("**", 2)[-1].strip() if note.startswith("**") else note  # our heading says it
    return Html("<h2>Protecting the people behind the figures</h2>" + mistune.html(note))


def data_quality(params, released: b.Released) -> Html:
    return Html(
        "<h2>Data quality</h2>"
        "<p>Every record in the extracts is either used or set aside; none is dropped unseen. A record is "
        "set aside when it cannot be used as it stands (an impossible date, a code that is not a Home "
        "Office code, a duplicated reference, a record whose crime is in neither system). Records set "
        "aside are checked by the force's analysts and do not count in the figures above.</p>"
    )


def colophon(params) -> Html:
    from helpers import __version__

    return Html(
        '<footer class="colophon">'
        f"<p>FOI {esc(params.reference)}. Produced with foi-briefing {esc(__version__)} from the force's crime "
        f"extracts of {esc(long_date(params.extracts_taken_on))}. The tables are also published as CSV files "
        "beside this briefing.</p></footer>"
    )
