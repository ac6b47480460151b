"""Protobuf <-> domain for entrustments, with request validation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from ntb.common.v1 import common_pb2
from ntb.matching.v1 import matching_pb2 as pb
from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.entrustment import Entrustment
from ntb_matching.domain.model import FEATURES, HOURS_MAX, ScoringWeights, Window
from ntb_matching.domain.scoring import Candidate
from ntb_matching.service.demands import MatchDemands, PostDemand
from ntb_matching.service.entrustments import (
    EntrustLabor,
    SignEntrustment,
    WithdrawEntrustment,
)
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

_TAG = re.compile(r"^[a-z0-9-]{1,64}$")
_ISIC = re.compile(r"^[A-U]([0-9]{2,4})?$")
_PERIOD_MAX = timedelta(days=366)



def _hours(text: str, v: Violations) -> Decimal:
    try:
        hours = Decimal(text)
    except InvalidOperation:
        v.add("hours", "a decimal number of hours, e.g. \"720\"")
        return Decimal(0)
    ok = hours.is_finite() and Decimal(0) < hours <= HOURS_MAX and hours == hours.quantize(
        Decimal("0.01"))
    v.check(ok, "hours", f"> 0, <= {HOURS_MAX}, at most 2 decimal places")
    return hours if ok else Decimal(0)


def entrust(request: pb.EntrustLaborRequest) -> EntrustLabor:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.person_id, "person_id")
    hours = _hours(request.hours.value, v)
    window = None
    if v.check(request.availability.HasField("start_time")
               and request.availability.HasField("end_time"), "availability",
               "both ends required"):
        start = request.availability.start_time.ToDatetime(UTC)
        end = request.availability.end_time.ToDatetime(UTC)
        v.check(start < end <= start + _PERIOD_MAX, "availability", "at most 366 days, end "
                "after start")
        v.check(start >= datetime.now(UTC) - timedelta(days=1), "availability.start_time",
                "not more than a day in the past")
        window = Window(start, end) if start < end else None
    skills = list(request.skills)
    v.check(1 <= len(skills) <= 50 and len(set(skills)) == len(skills), "skills",
            "1..50 unique tags")
    for index, skill in enumerate(skills):
        v.check(bool(_TAG.match(skill)), f"skills[{index}]", "[a-z0-9-]{1,64}")
    v.check(request.min_hourly_price.asset == "CNY" and request.min_hourly_price.units > 0,
            "min_hourly_price", "CNY, units (fen) > 0")
    v.check_text(request.note, "note", length_max=2000)
    v.raise_if_any()
    assert window is not None
    return EntrustLabor(request.request_id, request.person_id, hours, window, tuple(skills),
                        request.min_hourly_price.units, request.region, request.remote_ok,
                        request.note)


def sign(request: pb.SignEntrustmentRequest) -> SignEntrustment:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.entrustment_id, "entrustment_id")
    v.require_text(request.signer_key_id, "signer_key_id", length_max=64)
    v.check(len(request.signer_signature) == 64, "signer_signature", "64 bytes (Ed25519)")
    v.raise_if_any()
    return SignEntrustment(request.request_id, request.entrustment_id, request.signer_key_id,
                           request.signer_signature)


def entrustment(model: Entrustment, platform_key_id: str) -> pb.Entrustment:
    message = pb.Entrustment(
        entrustment_id=model.entrustment_id, person_id=model.person_id,
        hours=common_pb2.Decimal(value=str(model.hours)),
        available_hours=common_pb2.Decimal(value=str(model.available_hours)),
        availability=common_pb2.TimeRange(start_time=to_timestamp(model.availability.start),
                                          end_time=to_timestamp(model.availability.end)),
        skills=list(model.skills),
        min_hourly_price=common_pb2.Money(asset=model.min_price_asset,
                                          units=model.min_price_units),
        region=model.region, remote_ok=model.remote_ok,
        status=pb.EntrustmentStatus.Value(f"ENTRUSTMENT_STATUS_{model.status.value}"),
        created_at=to_timestamp(model.created_at), note=model.note,
        contract=pb.Contract(
            contract_id=model.contract_id, canonical_terms=model.canonical_terms,
            terms_sha256=model.terms_sha256, signer_id=model.person_id,
            signer_key_id=model.signer_key_id, signer_signature=model.signer_signature,
            platform_key_id=platform_key_id if model.platform_signature else "",
            platform_signature=model.platform_signature))
    if model.signed_at is not None:
        message.activated_at.CopyFrom(to_timestamp(model.signed_at))
        message.contract.signed_at.CopyFrom(to_timestamp(model.signed_at))
        message.contract.countersigned_at.CopyFrom(to_timestamp(model.signed_at))
    return message


def post_demand(request: pb.PostDemandRequest) -> PostDemand:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.buyer_id, "buyer_id")
    v.require_text(request.title, "title", length_max=200)
    v.check_text(request.description, "description", length_max=5000)
    v.check(bool(_ISIC.match(request.industry_code)), "industry_code", "ISIC code, e.g. C26")
    skills = list(request.skills)
    v.check(1 <= len(skills) <= 20 and len(set(skills)) == len(skills), "skills",
            "1..20 unique tags")
    for index, skill in enumerate(skills):
        v.check(bool(_TAG.match(skill)), f"skills[{index}]", "[a-z0-9-]{1,64}")
    hours = _hours(request.hours.value, v)
    window = None
    if v.check(request.window.HasField("start_time") and request.window.HasField("end_time"),
               "window", "both ends required"):
        start = request.window.start_time.ToDatetime(UTC)
        end = request.window.end_time.ToDatetime(UTC)
        v.check(start < end and end > datetime.now(UTC), "window", "end after start, in the "
                "future")
        window = Window(start, end) if start < end else None
    v.check(request.max_hourly_price.asset == "CNY" and request.max_hourly_price.units > 0,
            "max_hourly_price", "CNY, units (fen) > 0")
    v.require_text(request.region, "region", length_max=16)
    v.check(0 <= request.min_experience_years <= 80, "min_experience_years", "0..80")
    v.raise_if_any()
    assert window is not None
    return PostDemand(request.request_id, request.buyer_id, request.title.strip(),
                      request.description, request.industry_code, tuple(skills), hours, window,
                      request.max_hourly_price.units, request.region, request.remote_ok,
                      request.min_experience_years)


def demand(posted: PostedDemand) -> pb.Demand:
    d = posted.demand
    return pb.Demand(
        demand_id=d.demand_id, buyer_id=d.buyer_id, title=posted.title,
        description=posted.description, industry_code=d.industry_code,
        skills=sorted(d.skills), hours=common_pb2.Decimal(value=str(d.hours)),
        open_hours=common_pb2.Decimal(value=str(posted.open_hours)),
        window=common_pb2.TimeRange(start_time=to_timestamp(d.window.start),
                                    end_time=to_timestamp(d.window.end)),
        max_hourly_price=common_pb2.Money(asset="CNY", units=d.max_hourly_price),
        region=posted.region, remote_ok=d.location.remote_ok,
        min_experience_years=d.min_experience_years,
        status=pb.DemandStatus.Value(f"DEMAND_STATUS_{posted.status}"),
        created_at=to_timestamp(posted.created_at))


def _score(value: float) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=f"{value:.6f}")  # a score, not money: 6 places shown


def candidate(found: Candidate, hourly_price_fen: int, weights: ScoringWeights
              ) -> pb.Candidate:
    s = found.score
    return pb.Candidate(
        entrustment_id=found.entrustment_id, person_id=found.person_id,
        hours=common_pb2.Decimal(value=str(found.hours)), rank=found.rank,
        hourly_price=common_pb2.Money(asset="CNY", units=hourly_price_fen),
        score=pb.ScoreBreakdown(
            industry_fit=_score(s.industry_fit), experience=_score(s.experience),
            skill_overlap=_score(s.skill_overlap), price=_score(s.price),
            availability=_score(s.availability), credit=_score(s.credit),
            total=_score(s.total),
            weights=[common_pb2.Decimal(value=str(weights.weights[f])) for f in FEATURES]))


def match_demands(request: pb.MatchDemandsRequest) -> MatchDemands:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    ids = list(request.demand_ids)
    v.check(1 <= len(ids) <= 500 and len(set(ids)) == len(ids), "demand_ids",
            "1..500 unique demand ids")
    for index, demand_id in enumerate(ids):
        v.require_uuid(demand_id, f"demand_ids[{index}]")
    min_score = Decimal(0)
    if request.min_score.value:
        try:
            min_score = Decimal(request.min_score.value)
        except InvalidOperation:
            min_score = Decimal(-1)
        v.check(min_score.is_finite() and Decimal(0) <= min_score <= Decimal(1), "min_score",
                "a decimal in 0..1")
    v.raise_if_any()
    return MatchDemands(request.request_id, tuple(ids), request.create_orders, min_score)


def withdraw(request: pb.WithdrawEntrustmentRequest) -> WithdrawEntrustment:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.entrustment_id, "entrustment_id")
    hours = _hours(request.hours.value, v) if request.hours.value else None
    v.check_text(request.reason, "reason", length_max=500)
    v.raise_if_any()
    return WithdrawEntrustment(request.request_id, request.entrustment_id, hours,
                               request.reason)
