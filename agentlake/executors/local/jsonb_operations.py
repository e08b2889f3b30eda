"""PostgreSQL's jsonb operators and functions over parsed values (``jsonb_values.parse``).

Each follows the PostgreSQL 16 documentation ("JSON Functions and Operators"), errors and
SQLSTATEs included; the DataFusion functions in ``json_functions`` call them row by row.
"""

from __future__ import annotations

from ...errors import function_error
from .jsonb_values import JsonValue, same_scalar, storage_order


def contains(container: JsonValue, contained: JsonValue, top: bool = True) -> bool:
    """``@>``: objects contain objects key by key, arrays contain arrays element by element (in any
    order, repeats allowed), scalars equal scalars; a top-level array also contains a scalar."""
    if isinstance(container, dict):
        return isinstance(contained, dict) and all(
            key in container and contains(container[key], value, False) for key, value in contained.items()
        )
    if isinstance(container, list):
        if isinstance(contained, list):
            return all(any(contains(item, wanted, False) for item in container) for wanted in contained)
        return (
            top
            and not isinstance(contained, dict)
            and any(not isinstance(item, (list, dict)) and same_scalar(item, contained) for item in container)
        )
    return not isinstance(contained, (list, dict)) and same_scalar(container, contained)


def has_key(document: JsonValue, key: str) -> bool:
    """``?``: a top-level key, a string element of a top-level array, or the string itself."""
    if isinstance(document, dict):
        return key in document
    if isinstance(document, list):
        return any(isinstance(item, str) and item == key for item in document)
    return isinstance(document, str) and document == key


def concat(left: JsonValue, right: JsonValue) -> JsonValue:
    """``||``: objects merge (the right wins); anything else concatenates as arrays."""
    if isinstance(left, dict) and isinstance(right, dict):
        return {**left, **right}
    return (left if isinstance(left, list) else [left]) + (right if isinstance(right, list) else [right])


def delete_keys(document: JsonValue, keys: list[str]) -> JsonValue:
    """``- text`` and ``- text[]``: keys from an object, matching strings from an array."""
    if isinstance(document, dict):
        return {k: v for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [item for item in document if not (isinstance(item, str) and item in keys)]
    raise function_error("22023", "cannot delete from scalar")


def delete_index(document: JsonValue, index: int) -> JsonValue:
    """``- integer``: an array element, counting from the end when negative."""
    if isinstance(document, dict):
        raise function_error("22023", "cannot delete from object using integer index")
    if not isinstance(document, list):
        raise function_error("22023", "cannot delete from scalar")
    position = index + len(document) if index < 0 else index
    return [item for i, item in enumerate(document) if i != position]


def get_path(document: JsonValue, path: list[str | None]) -> tuple[bool, JsonValue]:
    """``#>``: (found, value) following keys and array indexes (negative from the end)."""
    value = document
    for step in path:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step is not None and _index(step, len(value)) is not None:
            value = value[_index(step, len(value))]
        else:
            return False, None
    return True, value


def _index(step: str, length: int) -> int | None:
    try:
        index = int(step)
    except ValueError:
        return None
    index = index + length if index < 0 else index
    return index if 0 <= index < length else None


def set_path(document: JsonValue, path: list[str | None], new: JsonValue, create_missing: bool) -> JsonValue:
    """jsonb_set: replace (or, with ``create_missing``, add) the item at ``path``; a missing
    step before the last leaves the document unchanged."""
    check_settable_path(document, path)
    return _set(document, path, 1, new, create_missing) if path else document


def check_settable_path(document: JsonValue, path: list[str | None]) -> None:
    """What jsonb_set and jsonb_insert refuse before walking a path: a scalar document (22023) and
    a NULL step (22004)."""
    if not isinstance(document, (list, dict)):
        raise function_error("22023", "cannot set path in scalar")
    for position, step in enumerate(path, 1):
        if step is None:
            raise function_error("22004", f"path element at position {position} is null")


def _set(value: JsonValue, path: list[str], position: int, new: JsonValue, create: bool) -> JsonValue:
    step, last = path[position - 1], position == len(path)
    if isinstance(value, dict):
        if step not in value:
            return {**value, step: new} if last and create else value
        return {**value, step: new if last else _set(value[step], path, position + 1, new, create)}
    if isinstance(value, list):
        at = array_position(value, step, position)
        if not 0 <= at < len(value):
            if not (last and create):
                return value
            return [new, *value] if at < 0 else [*value, new]
        updated = new if last else _set(value[at], path, position + 1, new, create)
        return [*value[:at], updated, *value[at + 1 :]]
    return value


def array_position(array: list, step: str | None, position: int) -> int:
    """The index a path step names in an array (negative steps count from the end), as jsonb_set,
    jsonb_insert and ``#-`` read it; a step that is not an integer is 22P02."""
    try:
        index = int(step)
    except (TypeError, ValueError):
        raise function_error("22P02", f'path element at position {position} is not an integer: "{step}"') from None
    return index + len(array) if index < 0 else index


def delete_path(document: JsonValue, path: list[str | None]) -> JsonValue:
    """``#-``: the document without the item at ``path`` (unchanged when the path is missing)."""
    if not isinstance(document, (list, dict)):
        raise function_error("22023", "cannot delete path in scalar")
    return _delete_at(document, path, 1) if path else document


def _delete_at(value: JsonValue, path: list, position: int) -> JsonValue:
    step, last = path[position - 1], position == len(path)
    if isinstance(value, dict):
        if step not in value:
            return value
        if last:
            return {k: v for k, v in value.items() if k != step}
        return {**value, step: _delete_at(value[step], path, position + 1)}
    if isinstance(value, list):
        at = array_position(value, step, position)
        if not 0 <= at < len(value):
            return value
        return (
            [*value[:at], *value[at + 1 :]]
            if last
            else [*value[:at], _delete_at(value[at], path, position + 1), *value[at + 1 :]]
        )
    return value


def array_elements(document: JsonValue) -> list[JsonValue]:
    """jsonb_array_elements' rows."""
    if isinstance(document, list):
        return document
    raise function_error(
        "22023", f"cannot extract elements from {'an object' if isinstance(document, dict) else 'a scalar'}"
    )


def object_pairs(document: JsonValue, function: str) -> list[tuple[str, JsonValue]]:
    """jsonb_each's rows, in storage order."""
    if not isinstance(document, dict):
        raise function_error(
            "22023", f"cannot call {function} on {'an array' if isinstance(document, list) else 'a non-object'}"
        )
    return [(key, document[key]) for key in sorted(document, key=storage_order)]
