"""IntangibleBankService requests -> commands, with validation (one violation per bad
field). Responses are built by adapters.messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb_intangible_bank.domain import valuation as model
from ntb_intangible_bank.domain.assets import AssetKind, Creator, Holder, LegalStatus
from ntb_intangible_bank.domain.rights import ConfirmationStatus, RightKind
from ntb_intangible_bank.entrypoints import fields as f
from ntb_intangible_bank.service.loans import LoanCommand, RepayLoan, RequestLoan
from ntb_intangible_bank.service.registry import RegisterAsset, TransferAsset, UpdateLegalStatus
from ntb_intangible_bank.service.rights import DecideRights, ExamineRights, SubmitRights
from ntb_intangible_bank.service.valuations import (
    DEFAULT_COST,
    CostRequest,
    LaborRequest,
    RateAsset,
    ValueAsset,
)
from ntbkit.validation import Violations

_REGIONAL = frozenset({"EP", "WO", "EM"})
_REGISTRATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./ -]{0,63}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./:-]{0,31}$")
ONE, ZERO = Decimal(1), Decimal(0)
HOURS_MAX = Decimal(1_000_000)


def jurisdiction(code: str, field: str, v: Violations) -> str:
    if code not in _REGIONAL:
        v.require_country_alpha2(code, field)
    return code


def _holders(items: list[pb.AssetHolder], field: str, v: Violations) -> tuple[Holder, ...]:
    v.check(1 <= len(items) <= 50, field, "1..50 holders")
    holders = []
    for index, item in enumerate(items):
        v.require_uuid(item.principal_id, f"{field}[{index}].principal_id")
        share = f.decimal(item.share, f"{field}[{index}].share", v, low=ZERO, high=ONE,
                          low_open=True)
        holders.append(Holder(item.principal_id, share))
    v.check(len({h.principal_id for h in holders}) == len(holders), field,
            "each principal at most once")
    if holders and all(h.share > 0 for h in holders):
        v.check(sum(h.share for h in holders) == ONE, field, "shares sum to exactly 1")
    return tuple(holders)


def _creators(items: list[pb.Creator], v: Violations) -> tuple[Creator, ...]:
    v.check(len(items) <= 100, "creators", "at most 100")
    creators = []
    for index, item in enumerate(items):
        field = f"creators[{index}]"
        if item.principal_id:
            v.require_uuid(item.principal_id, f"{field}.principal_id")
        v.require_text(item.name, f"{field}.name", length_max=200)
        hours = f.decimal(item.labor_hours, f"{field}.labor_hours", v, low=ZERO,
                          high=HOURS_MAX, required=False, default=ZERO)
        f.text(item.role, f"{field}.role", v, length_max=64)
        creators.append(Creator(item.principal_id, item.name, hours, item.role))
    return tuple(creators)


def _asset_kind(value: int, field: str, v: Violations) -> AssetKind | None:
    name = f.enum_name(pb.AssetKind, value, "ASSET_KIND_", field, v)
    return None if name is None else AssetKind(name)


def _status(value: int, field: str, v: Violations, *, required: bool = True
            ) -> LegalStatus | None:
    name = f.enum_name(pb.LegalStatus, value, "LEGAL_STATUS_", field, v, required=required)
    return None if name is None else LegalStatus(name)


def register(request: pb.RegisterAssetRequest, today: datetime) -> RegisterAsset:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    kind = _asset_kind(request.kind, "kind", v)
    v.require_text(request.title, "title", length_max=500)
    f.text(request.description, "description", v, length_max=10000)
    jurisdiction(request.jurisdiction, "jurisdiction", v)
    v.check(bool(_REGISTRATION.match(request.registration_number)), "registration_number",
            "1..64 characters: letters, digits, . / - and spaces")
    codes = list(request.classification_codes)
    v.check(len(codes) <= 20, "classification_codes", "at most 20")
    for index, code in enumerate(codes):
        v.check(bool(_CODE.match(code)), f"classification_codes[{index}]", "1..32 characters")
    holders = _holders(list(request.holders), "holders", v)
    creators = _creators(list(request.creators), v)
    filing = f.day(request.filing_date, "filing_date", v)
    if filing is not None:
        v.check(filing <= today.date(), "filing_date", "not in the future")
    grant = f.optional_day(request, "grant_date", "grant_date", v)
    expiry = f.optional_day(request, "expiry_date", "expiry_date", v)
    if filing is not None and grant is not None:
        v.check(grant >= filing, "grant_date", "on or after filing_date")
    if filing is not None and expiry is not None:
        v.check(expiry > filing, "expiry_date", "after filing_date")
    status = _status(request.legal_status, "legal_status", v)
    sha256s = f.documents(list(request.documents), "documents", v)
    v.raise_if_any()
    assert kind is not None and filing is not None and status is not None
    return RegisterAsset(request.request_id, kind, request.title, request.description,
                         request.jurisdiction, request.registration_number, tuple(codes),
                         holders, creators, filing, grant, expiry, status, sha256s)


def update_status(request: pb.UpdateLegalStatusRequest) -> UpdateLegalStatus:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    status = _status(request.legal_status, "legal_status", v)
    grant = f.optional_day(request, "grant_date", "grant_date", v)
    expiry = f.optional_day(request, "expiry_date", "expiry_date", v)
    v.require_text(request.reason, "reason", length_max=500)
    sha256s = f.documents(list(request.documents), "documents", v)
    v.raise_if_any()
    assert status is not None
    return UpdateLegalStatus(request.request_id, request.asset_id, status, grant, expiry,
                             request.reason, sha256s)


def transfer(request: pb.TransferAssetRequest) -> TransferAsset:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    holders = _holders(list(request.holders), "holders", v)
    v.require_text(request.reason, "reason", length_max=500)
    sha256s = f.documents(list(request.documents), "documents", v)
    v.raise_if_any()
    return TransferAsset(request.request_id, request.asset_id, holders, request.reason, sha256s)


def asset_filter_parts(request: pb.ListAssetsRequest, v: Violations
                       ) -> tuple[AssetKind | None, LegalStatus | None]:
    if request.holder_id:
        v.require_uuid(request.holder_id, "holder_id")
    kind = None if not request.kind else _asset_kind(request.kind, "kind", v)
    status = _status(request.legal_status, "legal_status", v, required=False)
    if request.jurisdiction:
        jurisdiction(request.jurisdiction, "jurisdiction", v)
    f.text(request.classification_prefix, "classification_prefix", v, length_max=32)
    return kind, status


def right_kind(value: int, field: str, v: Violations, *, required: bool = True
               ) -> RightKind | None:
    name = f.enum_name(pb.RightKind, value, "RIGHT_KIND_", field, v, required=required)
    return None if name is None else RightKind(name)


def confirmation_status(value: int, v: Violations) -> ConfirmationStatus | None:
    name = f.enum_name(pb.ConfirmationStatus, value, "CONFIRMATION_STATUS_", "status", v,
                       required=False)
    return None if name is None else ConfirmationStatus(name)


def submit(request: pb.SubmitRightsConfirmationRequest) -> SubmitRights:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    kind = right_kind(request.right_kind, "right_kind", v)
    v.require_uuid(request.holder_id, "holder_id")
    v.require_text(request.scope, "scope", length_max=500)
    territories = tuple(request.territories)
    v.check(len(territories) <= 250 and len(set(territories)) == len(territories),
            "territories", "0..250 unique codes")
    for index, code in enumerate(territories):
        v.require_country_alpha2(code, f"territories[{index}]")
    start = f.time_or_none(request.term, "start_time")
    end = f.time_or_none(request.term, "end_time")
    if end is not None:
        v.check(end > (start or datetime.now(UTC)), "term.end_time", "after the start")
    evidence = f.documents(list(request.evidence), "evidence", v, required=True)
    v.raise_if_any()
    assert kind is not None
    return SubmitRights(request.request_id, request.asset_id, kind, request.holder_id,
                        request.scope, territories, start, end, evidence, request.exclusive)


def examine(request: pb.ExamineRightsConfirmationRequest) -> ExamineRights:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.confirmation_id, "confirmation_id")
    v.require_text(request.examination_notes, "examination_notes", length_max=5000)
    v.raise_if_any()
    return ExamineRights(request.request_id, request.confirmation_id, request.examination_notes)


def decide(request: pb.DecideRightsConfirmationRequest) -> DecideRights:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.confirmation_id, "confirmation_id")
    if request.confirm:
        f.text(request.reason, "reason", v, length_max=2000)
    else:
        v.require_text(request.reason, "reason", length_max=2000)
    v.raise_if_any()
    return DecideRights(request.request_id, request.confirmation_id, request.confirm,
                        request.reason)


def _rate(value: object, field: str, v: Violations, *, default: Decimal = ZERO) -> Decimal:
    return f.decimal(value, field, v, low=ZERO, high=ONE,  # type: ignore[arg-type]
                     required=False, default=default)


def _cost(request: pb.ValueAssetRequest, v: Violations) -> CostRequest:
    if not request.HasField("cost"):
        return DEFAULT_COST
    cost = request.cost
    v.check(len(cost.labor) <= 100, "cost.labor", "at most 100 entries")
    labor = []
    for index, item in enumerate(cost.labor):
        field = f"cost.labor[{index}]"
        hours = f.decimal(item.hours, f"{field}.hours", v, low=ZERO, high=HOURS_MAX,
                          low_open=True)
        value = None
        if item.HasField("hourly_value"):
            value = f.cny(item.hourly_value, f"{field}.hourly_value", v)
        else:
            v.check(bool(item.principal_id), f"{field}.hourly_value",
                    "required when principal_id is empty")
        if item.principal_id:
            v.require_uuid(item.principal_id, f"{field}.principal_id")
        labor.append(LaborRequest(item.principal_id, hours, value))
    physical = None
    if cost.physical_obsolescence.value:
        physical = _rate(cost.physical_obsolescence, "cost.physical_obsolescence", v)
    return CostRequest(
        tuple(labor), f.cny(cost.direct_costs, "cost.direct_costs", v, required=False),
        f.cny(cost.indirect_costs, "cost.indirect_costs", v, required=False),
        _rate(cost.developer_profit_rate, "cost.developer_profit_rate", v), physical,
        _rate(cost.functional_obsolescence, "cost.functional_obsolescence", v),
        _rate(cost.economic_obsolescence, "cost.economic_obsolescence", v))


def _income(request: pb.ValueAssetRequest, v: Violations) -> model.IncomeInputs | None:
    if not request.HasField("income"):
        return None
    income = request.income
    v.check(1 <= len(income.annual_revenues) <= 50, "income.annual_revenues", "1..50 years")
    revenues = tuple(f.cny(r, f"income.annual_revenues[{i}]", v)
                     for i, r in enumerate(income.annual_revenues))
    royalty = f.decimal(income.royalty_rate, "income.royalty_rate", v, low=ZERO, high=ONE)
    discount = f.decimal(income.discount_rate, "income.discount_rate", v, low=ZERO, high=ONE,
                         low_open=True, high_open=True)
    tax = _rate(income.tax_rate, "income.tax_rate", v, default=model.DEFAULT_TAX_RATE)
    v.check(1 <= income.economic_life_years <= 50, "income.economic_life_years", "1..50")
    return model.IncomeInputs(revenues, royalty, discount, tax, income.economic_life_years)


def _comparables(request: pb.ValueAssetRequest, v: Violations
                 ) -> tuple[model.Comparable, ...] | None:
    if not request.HasField("market") or not request.market.comparables:
        return None
    items = request.market.comparables
    v.check(len(items) <= 50, "market.comparables", "at most 50")
    found = []
    for index, item in enumerate(items):
        field = f"market.comparables[{index}]"
        price = f.cny(item.price, f"{field}.price", v, positive=True)
        similarity = f.decimal(item.similarity, f"{field}.similarity", v, low=ZERO, high=ONE)
        adjustment = f.decimal(item.adjustment, f"{field}.adjustment", v, low=ZERO,
                               high=Decimal(100), low_open=True, required=False, default=ONE)
        f.text(item.description, f"{field}.description", v, length_max=500)
        found.append(model.Comparable(item.agreement_id, price, similarity, adjustment,
                                      item.description))
    return tuple(found)


def _weights(request: pb.ValueAssetRequest, v: Violations) -> model.Weights | None:
    if not request.HasField("weights"):
        return None
    w = request.weights
    weights = model.Weights(_rate(w.cost, "weights.cost", v), _rate(w.income, "weights.income", v),
                            _rate(w.market, "weights.market", v))
    v.check(weights.cost + weights.income + weights.market == ONE, "weights", "sum to 1")
    return weights


def value(request: pb.ValueAssetRequest) -> ValueAsset:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    command = ValueAsset(request.request_id, request.asset_id, _cost(request, v),
                         _income(request, v), _comparables(request, v), _weights(request, v))
    v.raise_if_any()
    return command


def rate(request: pb.RateAssetRequest) -> RateAsset:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    v.raise_if_any()
    return RateAsset(request.request_id, request.asset_id)


def request_loan(request: pb.RequestLoanRequest) -> RequestLoan:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.borrower_id, "borrower_id")
    v.require_uuid(request.lender_id, "lender_id")
    v.require_uuid(request.asset_id, "asset_id")
    ids = tuple(request.confirmation_ids)
    v.check(1 <= len(ids) <= 4 and len(set(ids)) == len(ids), "confirmation_ids",
            "1..4 unique UUIDs")
    for index, item in enumerate(ids):
        v.require_uuid(item, f"confirmation_ids[{index}]")
    principal = f.cny(request.principal, "principal", v, positive=True)
    rate = f.decimal(request.annual_rate, "annual_rate", v, low=ZERO, high=ONE)
    v.check(1 <= request.term_days <= 3650, "term_days", "1..3650")
    f.text(request.purpose, "purpose", v, length_max=500)
    v.raise_if_any()
    return RequestLoan(request.request_id, request.borrower_id, request.lender_id,
                       request.asset_id, ids, principal, rate, request.term_days,
                       request.purpose)


def loan_command(request: object, *, reason_required: bool = False,
                 with_rate: bool = False, with_price: bool = False) -> LoanCommand:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")  # type: ignore[attr-defined]
    v.require_uuid(request.loan_id, "loan_id")  # type: ignore[attr-defined]
    reason = getattr(request, "reason", "")
    if reason_required:
        v.require_text(reason, "reason", length_max=500)
    rate = None
    if with_rate and request.annual_rate.value:  # type: ignore[attr-defined]
        rate = f.decimal(request.annual_rate, "annual_rate", v,  # type: ignore[attr-defined]
                         low=ZERO, high=ONE)
    price = None
    if with_price and request.HasField("asking_price"):  # type: ignore[attr-defined]
        price = f.cny(request.asking_price, "asking_price", v,  # type: ignore[attr-defined]
                      positive=True)
    v.raise_if_any()
    return LoanCommand(request.request_id, request.loan_id,  # type: ignore[attr-defined]
                       reason, rate, price)


def repay(request: pb.RepayLoanRequest) -> RepayLoan:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.loan_id, "loan_id")
    amount = f.cny(request.amount, "amount", v, positive=True)
    v.raise_if_any()
    return RepayLoan(request.request_id, request.loan_id, amount)
