"""The report's view of an assessment: plain data, built once per report, that templates only print.

`report_context` returns dicts, tuples and strings: labels localized, dates
formatted, and every sentence with values in it already worded
(`spj.report.wording`: translated, its values escaped for the output kind).
User and instrument texts stay plain strings, escaped by the template when
printed. Templates loop and print; they look little up and call no code of
ours but the `paragraphs`, `names` and `date` filters.

The view's shape (`…` marks a sentence, safe text):

    instrument   {id, version, sha256, title, license, citation}
    assessment   {id, case_id, assessor_id, assessor_name, agency, date, draft, previous, amends}
    heading …, case_fields ({subject, value}), sources ({id, kind, date, description})
    domains      ({id, title, description, entries, empty}); entries, in the instrument's order, group
                 neighbouring indicators of one kind: {kind: "rated", indicators: rated ones {id, kind,
                 sentence …, other_levels ({scale, label, code}), evidence_for, evidence_against, note,
                 sources}} | {kind: "absent", indicators (named), sentence …} (rated absent, nothing more to say) |
                 {kind: "unknown", indicators: omitted/unrated {status, sentence …, guidance …, decides …}}
    completeness {counts …, sufficiency …}
    raised, unknown_flags   ({severity, severity_label, title, message, raised, error, reasons, missing …,
                              missing_case_fields …}); a reason: {subject, part, status, value}
    phases ({heading …, steps ({title, by …, critical, description, prerequisite …, reasons, requires …,
             after …})}), trajectory …, critical_path …, undetermined ({title, provider, missing …,
             missing_case_fields …})
    formulation, scenarios ({kind, title, text}), judgements ({title, level, code, rationale})
    background, scenario_columns, scenario_rows, review_triggers   (spj.report.records: the background
                 step, the scenarios as a table with their details, the triggers for an earlier review)
    footer       {instrument …, license …, prepared …}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from spj.assessment.model import Assessment, Rating
from spj.evaluation.decisive import decisive_reasons
from spj.evaluation.results import AgreedStep, Evaluation, FlagResult, PlanStep, Reason, render_ref
from spj.instrument import index_of
from spj.instrument.model import Indicator, Instrument, ScaleLevel
from spj.instrument.text import case_value_text, localize
from spj.report.records import records_context
from spj.report.tracks import TRACKS, track_title
from spj.report.wording import Kind, Named, Wording, report_wording

_NO_RATING = Rating()


def report_context(
    instrument: Instrument,
    assessment: Assessment,
    evaluation: Evaluation,
    *,
    lang: str,
    kind: Kind,
    spj_version: str,
) -> dict[str, Any]:
    """Everything the `kind` report template prints, in `lang` (instrument texts fall back to its default)."""
    return _Builder(instrument, assessment, evaluation, report_wording(lang, kind)).context(spj_version)


_OUTCOME = {"raised": True, "clear": False}
"""A flag's status as the truth of its rule (unknown: None)."""


class _Builder:
    """Turns instrument, assessment and evaluation into the view, in one language, for one output kind."""

    def __init__(self, instrument: Instrument, assessment: Assessment, evaluation: Evaluation, words: Wording) -> None:
        self.instrument = instrument
        self.assessment = assessment
        self.evaluation = evaluation
        self.words = words
        self.lang = words.lang
        self.indicators = {i.id: i for i in instrument.indicators}
        self.domains = {d.id: d for d in instrument.domains}
        self.rules = {r.id: r for r in instrument.rules}
        self.interventions = {iv.id: iv for iv in instrument.interventions}
        self.case_field_defs = {f.id: f for f in instrument.case_fields}
        self.domain_indicators: dict[str, list[Indicator]] = {}
        for indicator in instrument.indicators:
            self.domain_indicators.setdefault(indicator.domain, []).append(indicator)
        self._levels: dict[tuple[str, str], dict[str, str]] = {}
        self.flags = evaluation.flags
        self.undetermined_recommendations = evaluation.undetermined
        self.severity_names = {"info": words("information"), "concern": words("concern"), "critical": words("critical")}
        self.status_names = {
            "omitted": words("omitted"),
            "not rated": words("not yet rated"),
            "not given": words("not given"),
            "not applicable": words("not asked for this case"),
            "unknown": words("unknown"),
            "raised": words("raised"),
            "not raised": words("not raised"),
        }

    def text(self, value: Any) -> str:
        if type(value) is str:  # most instrument texts: one language
            return value
        return localize(value, self.lang, self.instrument)

    def context(self, spj_version: str) -> dict[str, Any]:
        instrument, assessment, evaluation, words = self.instrument, self.assessment, self.evaluation, self.words
        plan = evaluation.plan
        steps = {s.id: self.step(s, s.id in plan.critical_path) for s in plan.ordered_steps}
        phases = tuple(
            {
                "heading": words(
                    "Phase %(number)s (weeks %(start)s–%(end)s)",
                    number=n,
                    start=min(steps[i]["start_week"] for i in ids),
                    end=max(steps[i]["end_week"] for i in ids),
                ),
                "steps": tuple(steps[i] for i in ids),
            }
            for n, ids in enumerate(plan.phases, start=1)
        )
        critical_path = tuple(Named(i, steps[i]["title"]) for i in plan.critical_path)
        c = evaluation.completeness
        percent = {"percent": round(c.omitted_ratio * 100), "threshold": round(c.max_omitted_ratio * 100)}
        sufficiency = (
            words(
                "With %(percent)s%% omitted, the information is sufficient (the instrument accepts up to "
                "%(threshold)s%%).",
                **percent,
            )
            if c.sufficient
            else words(
                "With %(percent)s%% omitted, the information is not sufficient (the instrument accepts up to "
                "%(threshold)s%%): read what follows with care and gather what is missing first.",
                **percent,
            )
        )
        license_ = instrument.license
        return {
            "lang": self.lang,
            "spj_version": spj_version,
            "instrument": {
                "id": instrument.id,
                "version": instrument.version,
                "sha256": instrument.sha256 or evaluation.instrument_sha256,
                "title": self.text(instrument.title),
                "license": license_,
                "citation": instrument.citation or "",
            },
            "assessment": {
                "id": assessment.id,
                "case_id": assessment.case.id,
                "assessor_id": assessment.assessor.id,
                "assessor_name": assessment.assessor.name or "",
                "agency": assessment.assessor.agency or "",
                "date": words.date(assessment.date),
                "draft": assessment.status != "final",
                "previous": assessment.previous or "",
                "amends": assessment.amends or "",
            },
            "heading": words("Assessment report for case %(case)s", case=assessment.case.id),
            "agreed": self.agreed_plan(),
            "provisional": (
                ""
                if c.sufficient
                else words(
                    "Too much is unknown for a firm plan: the proposal below is provisional until the omitted "
                    "indicators are known."
                )
            ),
            "case_fields": self.case_fields(),
            "sources": tuple(
                {"id": s.id, "kind": s.kind, "date": words.date(s.date), "description": s.description or ""}
                for s in assessment.sources
            ),
            "domains": tuple(self.domain(d.id) for d in instrument.domains),
            "completeness": {
                "counts": words(
                    "Of %(total)s indicators, %(rated)s were rated, %(omitted)s omitted for lack of information "
                    "and %(unrated)s not yet rated.",
                    rated=c.rated,
                    total=c.indicators,
                    omitted=c.omitted,
                    unrated=c.unrated,
                ),
                "sufficiency": sufficiency,
            },
            "raised": tuple(self.flag(f) for f in self.flags if f.status == "raised"),
            "unknown_flags": tuple(self.flag(f) for f in self.flags if f.status == "unknown"),
            "phases": phases,
            # The plural follows the number of weeks, as it always has (the first value of the message).
            "trajectory": words.plural(
                "The trajectory has one phase and takes about %(weeks)s weeks in all.",
                "The trajectory has %(count)s phases and takes about %(weeks)s weeks in all.",
                plan.total_weeks,
                weeks=plan.total_weeks,
                count=len(phases),
            ),
            "critical_path": (
                words(
                    "Its length is set by this sequence (the critical path): %(path)s.",
                    path=words.names(critical_path),
                )
                if critical_path
                else ""
            ),
            "tracks": self.tracks(plan.tracks(), steps),
            "undetermined": tuple(self.undetermined(r.id) for r in self.undetermined_recommendations),
            "formulation": assessment.formulation or "",
            "scenarios": tuple({"kind": s.kind, "title": s.title or "", "text": s.text} for s in assessment.scenarios),
            "judgements": tuple(self.judgement(j.id) for j in instrument.judgements),
            **records_context(instrument, assessment, words, self.text),
            "footer": {
                "instrument": words(
                    "Instrument %(id)s, version %(version)s", id=instrument.id, version=instrument.version
                ),
                "license": words("Licence: %(license)s.", license=license_),
                "prepared": words(
                    "Prepared with spj %(version)s. spj orders information and proposes; the assessor decides.",
                    version=spj_version,
                ),
            },
        }

    # -- the expert's agreed plan (DESIGN 4.6)

    def agreed_plan(self) -> dict[str, Any] | None:
        """The agreed steps, what was declined and what is still to decide; None before version 2."""
        agreed = self.evaluation.agreed_plan
        if agreed is None:
            return None
        words = self.words
        titles = {iv.id: self.text(iv.title) for iv in self.instrument.interventions}
        undecided = tuple(Named(i, titles.get(i, i)) for i in agreed.undecided)
        others = len(agreed.findings) - len(agreed.undecided)
        return {
            "review": (
                words("To be reviewed on %(date)s.", date=words.date(dt.date.fromisoformat(agreed.review_date)))
                if agreed.review_date
                else words("No review date is set yet.")
            ),
            "weeks": words.plural(
                "The agreed steps take about %(weeks)s week from now.",
                "The agreed steps take about %(weeks)s weeks from now.",
                agreed.total_weeks,
                weeks=agreed.total_weeks,
            ),
            "steps": tuple(self.agreed_step(s) for s in agreed.steps),
            "declined": tuple({"title": titles.get(d.id, d.id), "reason": d.reason or ""} for d in agreed.declined),
            "undecided": (words("Still to decide: %(steps)s.", steps=words.names(undecided)) if undecided else ""),
            "incomplete": (
                words.plural(
                    "One more point of the plan needs the expert's attention before it is final.",
                    "%(count)s more points of the plan need the expert's attention before it is final.",
                    others,
                    count=others,
                )
                if others > 0
                else ""
            ),
        }

    def tracks(self, tracks: dict[str, list[str]], steps: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        """One sentence per follow-up track with steps in the plan: the two tracks shown apart."""
        words = self.words
        return tuple(
            words(
                "%(track)s: %(steps)s.",
                track=track_title(track, self.lang),
                steps=words.names(Named(i, steps[i]["title"]) for i in tracks[track]),
            )
            for track in TRACKS
            if track in tracks
        )

    def agreed_step(self, step: AgreedStep) -> dict[str, Any]:
        words = self.words
        decision = {
            "accept": words("accepted as proposed"),
            "amend": words("amended"),
            "add": words("added by the expert"),
        }[step.decision]
        return {
            "title": self.text(step.title),
            "when": (
                words(step.status)
                if step.status in ("completed", "stopped")
                else words(
                    "weeks %(start)s–%(end)s, %(status)s",
                    start=step.start_week,
                    end=step.end_week,
                    status=words(step.status),
                )
            ),
            "by": step.partner or step.provider or "",
            "contact": step.contact or "",
            "decision": decision,
            "reason": step.reason or "",
            "status_reason": step.status_reason or "",
            "objective": step.objective or "",
            "addresses": words.names(self.named_indicators(step.addresses)) if step.addresses else "",
            "track": track_title(step.track, self.lang),
        }

    # -- indicators and life areas

    def domain(self, domain_id: str) -> dict[str, Any]:
        domain = self.domains[domain_id]
        entries: list[dict[str, Any]] = []
        status_of = self.evaluation.indicator_status
        for indicator in self.domain_indicators.get(domain_id, ()):
            status = status_of.get(indicator.id, "unrated")
            if status == "not_applicable":  # not asked for this case: said so, not shown as omitted
                self.add_entry(entries, "not_applicable", Named(indicator.id, self.text(indicator.title)))
                continue
            if status != "rated":
                self.add_entry(entries, "unknown", self.unknown_indicator(indicator, status))
                continue
            view = self.rated_indicator(indicator)
            if view["position"] != "bottom" or view["evidence_for"] or view["evidence_against"] or view["note"]:
                self.add_entry(entries, "rated", view)
            else:  # rated absent and nothing more to say: named with its absent neighbours in one sentence
                self.add_entry(entries, "absent", Named(indicator.id, view["title"]))
        for entry in entries:
            if entry["kind"] == "absent":
                names = self.words.names(entry["indicators"])
                entry["sentence"] = self.words("Rated absent: %(absent)s.", absent=names)
            elif entry["kind"] == "not_applicable":
                names = self.words.names(entry["indicators"])
                entry["sentence"] = self.words(
                    "Not asked for this case (its condition does not hold): %(names)s.", names=names
                )
        return {
            "id": domain.id,
            "title": self.text(domain.title),
            "description": self.text(domain.description),
            "entries": tuple(entries),
            "empty": not entries,
        }

    @staticmethod
    def add_entry(entries: list[dict[str, Any]], kind: str, item: Any) -> None:
        """Append `item` to the last entry when it is of the same kind, else start a new one (instrument order)."""
        if entries and entries[-1]["kind"] == kind:
            entries[-1]["indicators"].append(item)
        else:
            entries.append({"kind": kind, "indicators": [item]})

    def rated_indicator(self, indicator: Indicator) -> dict[str, Any]:
        rating = self.assessment.ratings.get(indicator.id) or _NO_RATING
        applies = self.evaluation.applicability.applies
        levels = {
            scale: self.level(scale, code)
            for scale, code in rating.codes.items()
            if scale in indicator.rate and applies(indicator.id, scale) is not False  # one not asked is set aside
        }
        presence = levels.pop("presence", None)
        relevance = levels.pop("relevance", None)
        title = self.text(indicator.title)
        words = self.words
        if presence and relevance:
            sentence = words(
                "%(title)s (%(id)s) is rated “%(presence)s” (%(code)s); its relevance is “%(relevance)s”.",
                title=title,
                id=indicator.id,
                presence=presence["label"],
                code=presence["code"],
                relevance=relevance["label"],
            )
        elif presence:
            sentence = words(
                "%(title)s (%(id)s) is rated “%(presence)s” (%(code)s).",
                title=title,
                id=indicator.id,
                presence=presence["label"],
                code=presence["code"],
            )
        else:
            sentence = words("%(title)s (%(id)s) is rated.", title=title, id=indicator.id)
        evidence = rating.evidence
        return {
            "id": indicator.id,
            "title": title,
            "kind": indicator.kind,
            # A rating without presence is listed with the present ones, as before.
            "position": presence["position"] if presence else "",
            "sentence": sentence,
            "other_levels": tuple(levels.values()),
            "evidence_for": (evidence.for_ or "") if evidence else "",
            "evidence_against": (evidence.against or "") if evidence else "",
            "note": rating.note or "",
            "sources": rating.sources,
        }

    def unknown_indicator(self, indicator: Indicator, status: str) -> dict[str, Any]:
        rating = self.assessment.ratings.get(indicator.id) or _NO_RATING
        title = self.text(indicator.title)
        words = self.words
        if status != "omitted":
            sentence = words("%(title)s (%(id)s) has not been rated yet.", title=title, id=indicator.id)
        elif rating.reason:
            sentence = words(
                "%(title)s (%(id)s) is not known: %(reason)s", title=title, id=indicator.id, reason=rating.reason
            )
        else:
            sentence = words("%(title)s (%(id)s) is not known; no reason was given.", title=title, id=indicator.id)
        guidance = self.text(indicator.guidance)
        decides = self.decided_by(indicator.id)
        return {
            "status": status,
            "sentence": sentence,
            "guidance": words("To find out: %(guidance)s", guidance=guidance) if guidance else "",
            "decides": (
                words("Knowing it would decide: %(decides)s.", decides=words.names(decides)) if decides else ""
            ),
        }

    def level(self, scale: str, code: Any) -> dict[str, str]:
        """The level of `scale` with `code`: its label, code and position (the same dict each time: read only)."""
        key = (scale, str(code))
        found = self._levels.get(key)
        if found is None:
            found = self._levels[key] = self._find_level(scale, code)
        return found

    def _find_level(self, scale: str, code: Any) -> dict[str, str]:
        levels: tuple[ScaleLevel, ...] = self.instrument.scales.get(scale, ())
        for n, level in enumerate(levels):
            if level.code == str(code):
                position = "top" if n == len(levels) - 1 else "bottom" if n == 0 else "middle"
                return {"scale": scale, "label": self.text(level.label), "code": level.code, "position": position}
        return {"scale": scale, "label": str(code), "code": str(code), "position": "middle"}

    def decided_by(self, indicator_id: str) -> list[Named]:
        """Flags and interventions that stay unknown until this indicator is known."""
        out = [self.named_rule(f.id) for f in self.flags if indicator_id in f.missing]
        out += [self.named_intervention(r.id) for r in self.undetermined_recommendations if indicator_id in r.missing]
        return out

    # -- reasons

    def reason(self, reason: Reason) -> dict[str, str]:
        head, name, part = reason.ref.root, reason.ref.name, ".".join(reason.ref.rest)
        value = "" if reason.value is None else str(reason.value)
        subject = render_ref(reason.ref)
        shown_part = ""
        if head == "ratings" and name in self.indicators:
            subject = f"{self.text(self.indicators[name].title)} ({name})"
            shown_part = part if part not in ("case", "flag") else ""
            if reason.code is not None and part:
                value = f"{self.level(part, reason.code)['label']} ({reason.code})"
        elif head == "domains" and name in self.domains:
            subject = self.text(self.domains[name].title)
            shown_part = part if part not in ("case", "flag") else ""
        elif head == "flags" and name in self.rules:
            if reason.value is not None:
                value = "raised" if reason.value else "not raised"
            subject = self.named_rule(name).title
        elif head == "case" and name in self.case_field_defs:
            field = self.case_field_defs[name]
            subject = self.text(field.title) or name
            value = case_value_text(field, reason.value, self.lang, self.instrument) if reason.value is not None else ""
        names = self.status_names
        return {
            "subject": subject,
            "part": shown_part,
            "status": names.get(reason.status, reason.status) if reason.status else "",
            "value": names.get(value, value),
        }

    def named_rule(self, rule_id: str) -> Named:
        rule = self.rules[rule_id]
        return Named(rule_id, self.text(rule.title) if rule.title else self.text(rule.message))

    def named_intervention(self, intervention_id: str) -> Named:
        return Named(intervention_id, self.text(self.interventions[intervention_id].title))

    def named_indicators(self, ids: tuple[str, ...]) -> list[Named]:
        return [Named(i, self.text(self.indicators[i].title) if i in self.indicators else i) for i in ids]

    def named_case_fields(self, ids: tuple[str, ...]) -> list[Named]:
        defs = self.case_field_defs
        return [Named(i, (self.text(defs[i].title) if i in defs else "") or i) for i in ids]

    def missing_sentences(self, missing: tuple[str, ...], missing_case_fields: tuple[str, ...]) -> tuple[str, str]:
        words = self.words
        return (
            words(
                "Cannot be decided yet. It depends on what is not known about: %(missing)s.",
                missing=words.names(self.named_indicators(missing)),
            )
            if missing
            else "",
            words(
                "It also needs these facts about the case: %(missing)s.",
                missing=words.names(self.named_case_fields(missing_case_fields)),
            )
            if missing_case_fields
            else "",
        )

    # -- flags, steps, undetermined, judgements

    def flag(self, flag: FlagResult) -> dict[str, Any]:
        rule = self.rules[flag.id]
        missing, missing_case_fields = self.missing_sentences(flag.missing, flag.missing_case_fields)
        return {
            "severity": flag.severity,
            "severity_label": self.severity_names.get(flag.severity, flag.severity).capitalize(),
            "title": self.text(rule.title) if rule.title else "",
            "message": self.text(rule.message),
            "raised": flag.status == "raised",
            **self.reasons(self.decisive("rules", flag.id, _OUTCOME.get(flag.status), flag.because)),
            "missing": missing,
            "missing_case_fields": missing_case_fields,
            "error": flag.error or "",
        }

    def reasons(self, reasons: tuple[Reason, ...]) -> dict[str, tuple[dict[str, str], ...]]:
        """`reasons`: what holds; `checked_absent`: flags read and found not raised, shown apart."""
        absent = [r for r in reasons if r.ref.root == "flags" and r.value is False]
        return {
            "reasons": tuple(self.reason(r) for r in reasons if r not in absent),
            "checked_absent": tuple(self.reason(r) for r in absent),
        }

    def decisive(
        self, kind: str, item_id: str, outcome: bool | None, because: tuple[Reason, ...]
    ) -> tuple[Reason, ...]:
        """Only what made a flag raised or a step recommended (`spj.evaluation.decisive`); all when unknown."""
        index = index_of(self.instrument)
        compiled = index.rules.get(item_id) if kind == "rules" else index.interventions.get(item_id)
        return because if compiled is None else decisive_reasons(compiled.expression.tree, outcome, because)

    def step(self, step: PlanStep, critical: bool) -> dict[str, Any]:
        iv = step.intervention
        rec = step.recommendation
        words = self.words
        requires = [self.named_intervention(i) for i in step.predecessors if i in iv.requires]
        after = [self.named_intervention(i) for i in step.predecessors if i not in iv.requires]
        prerequisite = step.reason == "prerequisite"
        return {
            "title": self.text(iv.title),
            "start_week": step.start_week,
            "end_week": step.end_week,
            "by": words(
                "by %(provider)s, weeks %(start)s–%(end)s.",
                provider=iv.provider,
                start=step.start_week,
                end=step.end_week,
            ),
            "critical": critical,
            "track": track_title(iv.track, self.lang),
            "description": self.text(iv.description),
            "prerequisite": (
                words(
                    "Included as a prerequisite of %(of)s.",
                    of=words.names(self.named_intervention(i) for i in step.required_by),
                )
                if prerequisite
                else ""
            ),
            **self.reasons(
                self.decisive("interventions", rec.id, rec.value, rec.because) if rec and not prerequisite else ()
            ),
            "requires": (
                words("Requires %(steps)s to be completed first.", steps=words.names(requires)) if requires else ""
            ),
            "after": words("Comes after %(steps)s.", steps=words.names(after)) if after else "",
        }

    def undetermined(self, intervention_id: str) -> dict[str, Any]:
        rec = self.evaluation.recommendations[intervention_id]
        iv = self.interventions[intervention_id]
        words = self.words
        return {
            "title": self.text(iv.title),
            "provider": iv.provider,
            "missing": (
                words(
                    "it would be decided by information on %(missing)s.",
                    missing=words.names(self.named_indicators(rec.missing)),
                )
                if rec.missing
                else ""
            ),
            "missing_case_fields": (
                words(
                    "It also needs these facts about the case: %(missing)s.",
                    missing=words.names(self.named_case_fields(rec.missing_case_fields)),
                )
                if rec.missing_case_fields
                else ""
            ),
        }

    def judgement(self, judgement_id: str) -> dict[str, str]:
        judgement = next(j for j in self.instrument.judgements if j.id == judgement_id)
        entry = self.assessment.judgements.get(judgement_id)
        code = (entry.level or "") if entry else ""
        label = judgement.labels.get(code)
        return {
            "title": self.text(judgement.title),
            "level": self.text(label) if label else code,
            "code": code,
            "rationale": (entry.rationale or "") if entry else "",
        }

    def case_fields(self) -> tuple[dict[str, str], ...]:
        out = []
        for field_id, value in self.assessment.case.fields.items():
            field = self.case_field_defs.get(field_id)
            title = (self.text(field.title) if field and field.title else "") or field_id
            out.append({"subject": title, "value": case_value_text(field, value, self.lang, self.instrument)})
        return tuple(out)
