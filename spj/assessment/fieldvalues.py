"""Check values against typed fields (case fields, background, scenario details): each problem located."""

from __future__ import annotations

from collections.abc import Mapping

from spj.errors import Code, Problem, did_you_mean
from spj.files.yamlsource import Document, PathT
from spj.instrument.model import CaseField


def check_values(
    fields: Mapping[str, CaseField],
    values: Mapping[str, object],
    base: PathT,
    doc: Document,
    *,
    what: str,
    unknown: Code,
) -> list[Problem]:
    """A problem for every value whose field `what` the instrument lacks, or whose type or code is wrong."""
    problems = []
    for name, value in values.items():
        path = (*base, name)
        field = fields.get(name)
        if field is None:
            problems.append(
                doc.problem(unknown, f"no {what} {name!r} in the instrument" + did_you_mean(name, fields), path)
            )
        elif field.type == "choice":
            problems += check_choice(field, name, value, path, doc)
        elif field.type == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(doc.problem(Code.SCHEMA, f"{name} must be a whole number, got {value!r}", path))
        elif field.type == "boolean" and not isinstance(value, bool):
            problems.append(doc.problem(Code.SCHEMA, f"{name} must be true or false, got {value!r}", path))
        elif field.type == "text" and not isinstance(value, str):
            problems.append(doc.problem(Code.SCHEMA, f"{name} must be text, got {value!r}", path))
    return problems


def check_choice(field: CaseField, name: str, value: object, path: PathT, doc: Document) -> list[Problem]:
    """A choice holds one of its codes; a multiple choice a list of them (or one code alone), each once."""
    if isinstance(value, tuple | list) and not field.multiple:
        return [
            doc.problem(
                Code.SCHEMA,
                f"{name} holds one choice, got a list; give one of {', '.join(field.choices)}"
                " (or declare the field `multiple: true` in the instrument)",
                path,
            )
        ]
    codes = list(value) if isinstance(value, tuple | list) else [choice_code(value)]
    problems = [
        doc.problem(
            Code.UNKNOWN_CODE,
            f"{code!r} is not a choice of {name}; use one of {', '.join(field.choices)}",
            (*path, n) if isinstance(value, tuple | list) else path,
        )
        for n, code in enumerate(codes)
        if code not in field.choices
    ]
    if len(set(map(str, codes))) != len(codes):
        problems.append(doc.problem(Code.DUPLICATE_ID, f"{name} names a choice twice", path))
    return problems


def choice_code(value: object) -> object:
    """A choice is a code: `1` written unquoted is the code "1" (as scale codes are)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
