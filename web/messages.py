"""What a 4xx page says: what went wrong and what to do, in plain words, never a validator's or library's name.

The JSON API keeps FastAPI's structured errors (programs read them); pages get one sentence per problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.i18n import N_

# what a parameter is to the person who typed or followed the address
_NAMES = {"page": "page number", "q": "search words", "k": "number of results", "fmt": "download format",
          "format": "format", "limit": "number of areas", "record": "passage", "area": "area", "city": "city",
          "country": "country", "doc": "document", "question": "question", "file": "file"}
_WHERE = {"query": "in the address", "path": "in the address", "body": "in the form", "header": "in the request"}

# Starlette's default details for statuses raised without a message of ours (pages show them translated)
DEFAULT_DETAILS = {
    "Not Found": N_("There is no page at this address. Check the address, or start again from the menu."),
    "Method Not Allowed": N_("This address does not take that kind of request. Go back to the page and use its "
                             "form or links."),
    "Bad Request": N_("The request could not be understood. Go back to the page and try again."),
    "Unsupported Media Type": N_("The request sent a kind of data this address does not take. Use the page's form."),
    "Request Entity Too Large": N_("What was sent is larger than this site accepts. Send a smaller file."),
}


def _problem(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = f" (it is “{given}”)" if isinstance(given, str | int | float) and str(given) and \
        len(str(given)) <= 40 else ""
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {ctx.get('ge', ctx.get('gt'))} or more{shown}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be {ctx.get('le', ctx.get('lt'))} or less{shown}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number{shown}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number{shown}"
    if kind == "missing":
        return "is missing"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "is empty"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', 'the values the page offers')}{shown}"
    return f"cannot be used{shown}"


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """One plain sentence per invalid parameter, and what to do about it."""
    said: list[str] = []
    for error in errors:
        loc = [str(x) for x in error.get("loc", ())]
        where = _WHERE.get(loc[0], "in the request") if loc else "in the request"
        name = _NAMES.get(loc[-1], f"value “{loc[-1]}”") if len(loc) > 1 else "request"
        sentence = f"The {name} {where} {_problem(error)}."
        if sentence not in said:
            said.append(sentence)
    if not said:
        said.append("The request cannot be used.")
    return " ".join(said) + " Correct the address, or go back and use the page's form."


def http_message(status: int, detail: object) -> str:
    """The message of an HTTPException as a page shows it: ours as written, Starlette's defaults explained."""
    text = str(detail)
    return DEFAULT_DETAILS.get(text, text)
