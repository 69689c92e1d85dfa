"""Amounts and currencies as stated in a passage, with a machine-readable range.

"$1,200" is exact (1200 USD); "2.5 million euros" is exact after scaling; "billions of dollars
a year" is kept as written with the range [1e9, 1e12) USD. Numbers are read by ``price-parser``;
currency codes are checked against ISO 4217 as Babel's CLDR data knows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import list_currencies
from price_parser import Price

from app.errors import BadInput

_SCALE = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
          "trillion": 1e12}
_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "₽": "RUB",
            "₩": "KRW", "元": "CNY", "zł": "PLN"}
_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yuan": "CNY", "renminbi": "CNY",
          "rouble": "RUB", "ruble": "RUB", "won": "KPW", "zloty": "PLN", "riyal": "QAR",
          "yen": "JPY", "peso": "UYU", "franc": "XOF"}
_CURRENCY_WORD = "|".join(sorted({*_WORDS, *(w + "s" for w in _WORDS)}, key=len, reverse=True))
_VAGUE = re.compile(
    r"\b(?:(tens|hundreds)\s+of\s+)?(thousands|millions|billions|trillions)\s+of\s+"
    rf"({_CURRENCY_WORD})\b(?:\s+(?:a|per|each)\s+(year|month|week|day))?", re.IGNORECASE)
_EXACT = re.compile(
    r"(?:(?:US\$|[$€£¥₽₩])\s?\d[\d,.\s]*\d?|\b[A-Z]{3}\s?\d[\d,.]*|\b\d[\d,.]*)"
    r"(?:\s?(?:thousand|million|billion|trillion|mn|bn)\b)?"
    rf"(?:\s?(?:[A-Z]{{3}}\b|{_CURRENCY_WORD}\b))?"
    r"(?:\s+(?:a|per|each)\s+(?:year|month|week|day))?")


@dataclass(frozen=True)
class Amount:
    """An amount as stated: the words, an exact value or a range, and the ISO currency."""

    text: str
    value: float | None
    low: float | None
    high: float | None
    currency: str


@lru_cache(maxsize=1)
def iso_currencies() -> frozenset[str]:
    """Every ISO 4217 code Babel knows."""
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """``code`` upper-cased if it is an ISO 4217 currency; else a clear refusal."""
    upper = code.strip().upper()
    if upper not in iso_currencies():
        raise BadInput(f"{code!r} is not an ISO 4217 currency code; use e.g. USD, EUR, CNY, KPW")
    return upper


def currency_of(token: str | None) -> str:
    """The ISO code for a symbol, code or currency word; '' if unknown."""
    if not token:
        return ""
    t = token.strip().lower()
    if t.upper() in iso_currencies():
        return t.upper()
    if t in _SYMBOLS:
        return _SYMBOLS[t]
    return _WORDS.get(t.rstrip("s"), _WORDS.get(t, ""))


def _vague(match: re.Match[str]) -> Amount:
    multiplier, scale, word = match.group(1), match.group(2).lower(), match.group(3)
    base = _SCALE[scale.rstrip("s")]
    if multiplier:
        base *= 10 if multiplier.lower() == "tens" else 100
    return Amount(match.group(0), None, base, base * 1000 if not multiplier else base * 10,
                  currency_of(word))


def parse_amount(text: str) -> Amount | None:
    """The first amount in ``text``, or None when it states none."""
    vague = _VAGUE.search(text)
    exact = None
    for m in _EXACT.finditer(text):
        if _has_money(m.group(0)):
            exact = m
            break
    if vague and (exact is None or vague.start() <= exact.start()):
        return _vague(vague)
    if exact is None:
        return None
    stated = exact.group(0).strip()
    price = Price.fromstring(stated)
    if price.amount is None:
        return None
    value = float(price.amount if isinstance(price.amount, Decimal) else Decimal(price.amount))
    scale = re.search(r"\b(thousand|million|billion|trillion|mn|bn)\b", stated, re.IGNORECASE)
    if scale:
        value *= _SCALE[scale.group(1).lower()]
    code = currency_of(price.currency)
    if not code:
        word = re.search(rf"\b({_CURRENCY_WORD})\b", stated, re.IGNORECASE)
        code = currency_of(word.group(1)) if word else ""
    return Amount(stated, value, value, value, code)


def _has_money(stated: str) -> bool:
    if re.search(r"US\$|[$€£¥₽₩]", stated):
        return True
    if re.search(rf"\b({_CURRENCY_WORD})\b", stated, re.IGNORECASE):
        return True
    code = re.search(r"\b([A-Z]{3})\b", stated)
    return bool(code and code.group(1) in iso_currencies())


def amount_from_args(text: str | None, amount: str | None, currency: str | None) -> Amount | None:
    """The amount a user typed: a number (exact) or words ("billions of dollars")."""
    if amount is None and not text:
        if currency:
            raise BadInput("a currency was given without an amount; add --amount")
        return None
    code = check_currency(currency) if currency else ""
    if amount is not None:
        try:
            value = float(amount.replace(",", ""))
        except ValueError:
            parsed = parse_amount(amount)
            if parsed is None:
                raise BadInput(f"cannot read the amount {amount!r}; give a number such as "
                               "1200000 or words such as 'billions of dollars'") from None
            return Amount(parsed.text, parsed.value, parsed.low, parsed.high,
                          code or parsed.currency)
        if value < 0:
            raise BadInput("an amount cannot be negative; swap payer and payee instead")
        return Amount(text or amount, value, value, value, code)
    parsed = parse_amount(text or "")
    if parsed is None:
        raise BadInput(f"cannot read an amount in {text!r}")
    return Amount(text or parsed.text, parsed.value, parsed.low, parsed.high,
                  code or parsed.currency)
