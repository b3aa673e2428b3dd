"""Currencies, their minor units, and rounding exact amounts once."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

#: ISO 4217 codes in current use whose minor unit is not 2 places.
_NOT_TWO: Final = (
    dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0)
    | dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3)
    | dict.fromkeys(["CLF", "UYW"], 4)
)

#: ISO 4217 codes in current use with a 2-place minor unit.
_TWO: Final = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BMD",
        "BND",
        "BOB",
        "BOV",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHE",
        "CHF",
        "CHW",
        "CNY",
        "COP",
        "COU",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IRR",
        "JMD",
        "KES",
        "KGS",
        "KHR",
        "KPW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MXV",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "USD",
        "USN",
        "UZS",
        "VES",
        "VED",
        "WST",
        "XCD",
        "XCG",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)

ROUNDING_MODES: Final = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def is_currency(code: str) -> bool:
    """Tell whether ``code`` is an ISO 4217 currency code this library knows."""
    return code in _TWO or code in _NOT_TWO


def minor_unit(code: str) -> int:
    """The number of decimal places of the currency's minor unit.

    Raises:
        KeyError: The code is not a known ISO 4217 currency.
    """
    if code in _TWO:
        return 2
    return _NOT_TWO[code]


def round_money(amount: Fraction, currency: str, rounding: str) -> Decimal:
    """Round an exact amount once, to the currency's minor unit.

    Args:
        amount: The exact amount.
        currency: An ISO 4217 code.
        rounding: ``"half_up"`` (away from zero at .5) or ``"half_even"``.

    Returns:
        The amount with exactly the currency's number of decimal places.
    """
    places = minor_unit(currency)
    return round_fraction(amount, places, rounding)


def round_fraction(value: Fraction, places: int, rounding: str = "half_even") -> Decimal:
    """Round an exact fraction to ``places`` decimals with integer arithmetic."""
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    twice = 2 * rest
    if twice > magnitude.denominator or (
        twice == magnitude.denominator and (rounding == "half_up" or whole % 2 == 1)
    ):
        whole += 1
    exponent = Decimal(1).scaleb(-places)
    return Decimal(sign * whole).scaleb(-places).quantize(exponent)


def to_fraction(value: Decimal | int) -> Fraction:
    """An exact fraction for a finite decimal or integer."""
    return Fraction(value)


def parse_decimal(text: str) -> Decimal:
    """Parse a plain decimal written as text: no exponent, NaN or infinity.

    Raises:
        ValueError: The text is not a plain finite decimal.
    """
    stripped = text.strip()
    body = stripped.lstrip("+-")
    if not body or "e" in body.lower() or not all(c.isdigit() or c == "." for c in body):
        msg = f'{text!r} is not a plain decimal number such as "12.50"'
        raise ValueError(msg)
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        msg = f'{text!r} is not a plain decimal number such as "12.50"'
        raise ValueError(msg) from None
    return value
