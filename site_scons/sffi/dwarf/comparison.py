"""Comparison: a lowered declaration against a prototype read from DWARF, by these rules.

Both sides are in the reduced type model (:mod:`sffi.dwarf.model`). Reading
(:mod:`sffi.dwarf.typereduce`) already follows typedefs and modifiers, counts the
pointer depth and takes an enumeration as its underlying int; :func:`compare`
applies the rest, and each :class:`~sffi.dwarf.model.Mismatch` message names
both sides.

Comparison rules (:func:`compare`):

* a type is followed through ``typedef`` (§5.4) and the modifiers ``const``,
  ``volatile``, ``restrict`` and ``_Atomic`` (§5.3) to its base; names are
  never compared, since Rust and C name the same types differently
  (``i64``/``int64_t``, ``I64Slice``/``sffi_i64_slice``);
* compared: the kind (void, int, float, bool, struct), the size in bytes, the
  pointer depth (pointers and C++ references each add one), and for ints the
  signedness (``DW_AT_encoding``, §5.1, ``DW_ATE_*`` codes in §7.8);
* 1-byte ints are interchangeable *behind a pointer*: C ``char``, ``signed
  char`` and ``unsigned char``, Rust ``c_char`` (``i8`` or ``u8`` by target)
  and ``u8`` all carry text bytes. As values their signedness counts;
* ``bool`` (``DW_ATE_boolean``, also Rust's ``bool``) is not a 1-byte int;
* an enumeration (§5.9) counts as its underlying int type;
* a struct passed by value is compared field by field (recursively: kinds,
  sizes, pointer depths, signedness) and by total size; struct and field
  names are not compared. Behind a pointer only a struct's size is compared;
* a pointee is compared like any type: pointer to ``int64_t`` against pointer
  to ``double`` is a mismatch. A ``void *``, or a pointer to a type that does
  not reduce (a union, an array, a function), is a mismatch against a typed
  declaration, and the description says the pointee cannot be checked;
"""

from __future__ import annotations

from sffi import abi
from sffi.dwarf.model import CType, Mismatch, Prototype


def _difference(declared: CType, actual: CType, behind: bool = False) -> str | None:
    """Why two reduced types are incompatible, by the module's rules; None when compatible.

    The reason is ``""`` when the two shapes already show it, else a phrase
    (which field of a struct differs).
    """
    if declared.pointer_depth != actual.pointer_depth:
        return ""
    behind = behind or declared.pointer_depth > 0
    if actual.kind == "unknown" or declared.kind != actual.kind:
        return ""  # includes `void *` against a typed pointer: the pointee cannot be checked
    if declared.kind == "void":
        return None
    if declared.size != actual.size:
        return ""
    if declared.kind == "int" and declared.signed != actual.signed and not (behind and declared.size == 1):
        return ""
    if declared.kind == "struct" and not behind:
        if len(declared.fields) != len(actual.fields):
            return f"{_plural(len(declared.fields), 'field')} against {len(actual.fields)}"
        for i, (d, a) in enumerate(zip(declared.fields, actual.fields), start=1):
            if _difference(d, a) is not None:
                return f"field {i} is {d.shape()} against {a.shape()}"
    return None


def _param_labels(declared: Prototype) -> list[str]:
    """The declared side of each C parameter: ``"`s` is declared `text` (pointer to 1-byte int)"``."""
    shapes = [p.shape() for p in declared.params]
    if declared.decl is None:
        return [f"is declared `{p.spelling or s}` ({s})" for p, s in zip(declared.params, shapes)]
    labels = []
    for p in declared.decl.params:
        said = f"`{p.name}` is declared `{p.type}`"
        if len(abi.TYPES[p.type].c_params) == 1:
            labels.append(f"{said} ({shapes[len(labels)]})")
        else:  # an array: its data pointer, then its length
            labels += [f"{said} (data: {shapes[len(labels)]})", f"{said} (length: {shapes[len(labels) + 1]})"]
    return labels


def _result_label(declared: Prototype) -> str:
    if declared.decl is not None:
        return f"`{declared.decl.result or 'none'}`"
    return f"`{declared.result.spelling or declared.result.shape()}`"


def compare(declared: Prototype, actual: Prototype) -> list[Mismatch]:
    """Compare a lowered declaration with a definition's prototype, by the module's rules.

    Args:
        declared: usually :func:`sffi.dwarf.lower` of a declaration.
        actual: the definition, from :func:`sffi.dwarf.read_prototypes`.
    Returns:
        The mismatches, empty when compatible: one for the result, then one
        for a different parameter count (parameters are then not compared one
        by one) or one per differing parameter. Parameter numbers count C
        parameters from 1 (an array declares two). Each message names both
        sides and the definition's location.
    """
    where = f"the definition at {actual.location}"
    found = _result_mismatches(declared, actual, where)
    if len(declared.params) != len(actual.params):
        return found + [_count_mismatch(declared, actual, where)]
    return found + _param_mismatches(declared, actual, where)


def _result_mismatches(declared: Prototype, actual: Prototype, where: str) -> list[Mismatch]:
    """The mismatch of the results, if any."""
    name, why = declared.name, _difference(declared.result, actual.result)
    if why is None:
        return []
    return [Mismatch(name, f"{name}: the result is declared {_result_label(declared)} "
                           f"({declared.result.shape()}) but {where} returns "
                           f"`{actual.result.spelling or 'void'}` ({actual.result.shape()})"
                           f"{_detail(why)}")]


def _count_mismatch(declared: Prototype, actual: Prototype, where: str) -> Mismatch:
    """The mismatch of two parameter counts."""
    name = declared.name
    count = len(declared.decl.params) if declared.decl is not None else len(declared.params)
    return Mismatch(name, f"{name}: declared {_plural(count, 'parameter')} (lowered to "
                          f"{_plural(len(declared.params), 'C parameter')}: "
                          f"`{declared.c_text()}`) but {where} takes "
                          f"{len(actual.params)}: `{actual.c_text()}`")


def _param_mismatches(declared: Prototype, actual: Prototype, where: str) -> list[Mismatch]:
    """One mismatch per differing parameter of two equally long parameter lists."""
    name, found = declared.name, []
    for i, (label, d, a) in enumerate(zip(_param_labels(declared), declared.params, actual.params), 1):
        why = _difference(d, a)
        if why is not None:
            found.append(Mismatch(name, f"{name}: parameter {i} {label} but {where} "
                                        f"takes `{a.spelling or a.shape()}` ({a.shape()}){_detail(why)}"))
    return found


def _detail(why: str) -> str:
    return f": {why}" if why else ""


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
