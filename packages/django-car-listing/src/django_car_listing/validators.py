"""VIN validation (ISO 3779 with the North American check digit in position 9)."""
import re

_TRANSLIT = {**{str(d): d for d in range(10)},
             **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
             **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
             **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLIT[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def normalize_vin(vin: str) -> str:
    return (vin or "").strip().upper()


def is_valid_vin(vin: str) -> bool:
    vin = normalize_vin(vin)
    return bool(_VIN_RE.match(vin)) and vin[8] == vin_check_digit(vin)
