"""VIN validation after ISO 3779: the structure always, the check digit (position 9) where it is mandatory.

ISO 3779 fixes 17 characters from digits and capital letters without I, O and Q. The check digit is
required only for vehicles made for North America, whose world manufacturer identifiers start with 1-5;
elsewhere (e.g. `WAUZZZ8K9HA012345`, an Audi built in Germany) position 9 is free.
"""
import re

_TRANSLIT = {**{str(d): d for d in range(10)},
             **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
             **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
             **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
NORTH_AMERICAN_WMI_START = "12345"

STRUCTURE_MESSAGE = "A VIN has 17 characters, digits and capital letters except I, O and Q."


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLIT[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def normalize_vin(vin: str) -> str:
    return (vin or "").strip().upper()


def vin_problem(vin: str) -> str | None:
    """What is wrong with ``vin`` (already normalised) in one sentence, or None when it is valid."""
    if not _VIN_RE.match(vin):
        return STRUCTURE_MESSAGE
    if vin[0] in NORTH_AMERICAN_WMI_START and vin[8] != vin_check_digit(vin):
        return (f"This VIN fails its check digit: a North American VIN (starting with 1-5) must have "
                f"'{vin_check_digit(vin)}' as its 9th character, not '{vin[8]}'. Check for a mistyped character.")
    return None


def is_valid_vin(vin: str) -> bool:
    return vin_problem(normalize_vin(vin)) is None
