"""Wave points, profiles and ratings as protobuf messages (shared by the API and events)."""

from __future__ import annotations

from decimal import Decimal

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.domain.model import EnterpriseProfile, FinancialStatements, PersonProfile
from ntb_identity.domain.value_model import ValueInputs
from ntb_identity.domain.waves import CreditPoint, ValuePoint, WaveCause
from ntbkit.timestamps import to_timestamp

timestamp = to_timestamp  # the codecs of this service call it m.timestamp


def cny(fen: int) -> common_pb2.Money:
    return common_pb2.Money(asset="CNY", units=fen)


def decimal(value: Decimal) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=str(value))


def cause(value: WaveCause) -> pb.WaveCause.ValueType:
    return pb.WaveCause.Value(f"WAVE_CAUSE_{value.value}")


def value_inputs(inputs: ValueInputs) -> pb.ValueInputs:
    return pb.ValueInputs(
        region=inputs.region, industry_code=inputs.industry_code,
        base_hourly_value=cny(inputs.base_hourly_value_fen), age_years=inputs.age_years,
        experience_years=inputs.experience_years, age_factor=decimal(inputs.age_factor),
        experience_factor=decimal(inputs.experience_factor),
        quality_factor=decimal(inputs.quality_factor),
        rating_average=decimal(inputs.rating_average), ratings_count=inputs.ratings_count,
        value_model_version=inputs.value_model_version, education=inputs.education,
        region_factor=decimal(inputs.region_factor),
        industry_factor=decimal(inputs.industry_factor),
    )


def value_point(point: ValuePoint) -> pb.ValuePoint:
    return pb.ValuePoint(
        principal_id=point.principal_id, sequence=point.sequence,
        hourly_value=cny(point.hourly_value_fen), effective_at=timestamp(point.effective_at),
        inputs=value_inputs(point.inputs), cause=cause(point.cause), cause_ref=point.cause_ref,
    )


def credit_point(point: CreditPoint) -> pb.CreditPoint:
    return pb.CreditPoint(
        principal_id=point.principal_id, sequence=point.sequence, score=point.score,
        effective_at=timestamp(point.effective_at), scorecard_version=point.scorecard_version,
        reasons=[common_pb2.ReasonCode(code=r.code, description=r.description)
                 for r in point.reasons],
        cause=cause(point.cause), cause_ref=point.cause_ref,
    )


def person(profile: PersonProfile) -> pb.PersonProfile:
    return pb.PersonProfile(
        birth_year=profile.birth_year, experience_years=profile.experience_years,
        education=profile.education, skills=list(profile.skills),
        advantages=list(profile.advantages),
    )


def financials(statements: FinancialStatements) -> pb.FinancialStatements:
    s = statements
    return pb.FinancialStatements(
        fiscal_year=s.fiscal_year, revenue=cny(s.revenue_fen), net_income=cny(s.net_income_fen),
        ebit=cny(s.ebit_fen), interest_expense=cny(s.interest_expense_fen),
        total_assets=cny(s.total_assets_fen), total_liabilities=cny(s.total_liabilities_fen),
        current_assets=cny(s.current_assets_fen),
        current_liabilities=cny(s.current_liabilities_fen),
    )


def enterprise(profile: EnterpriseProfile) -> pb.EnterpriseProfile:
    message = pb.EnterpriseProfile(
        registration_number=profile.registration_number, size=profile.size)
    if profile.financials is not None:
        message.financials.CopyFrom(financials(profile.financials))
    return message
