"""Encoding the replies of clients, waves, explanations, ratings and pay bands."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import wave_messages as m
from ntb_identity.domain import enterprise_rating, pay_band
from ntb_identity.domain.model import ApiClient
from ntb_identity.domain.numbers import CONTEXT, rounded
from ntb_identity.domain.value_model import ValueInputs, ValueModel
from ntb_identity.domain.waves import CreditPoint, ValuePoint


def api_client(client: ApiClient) -> pb.ApiClient:
    message = pb.ApiClient(
        client_id=client.client_id, principal_id=client.principal_id,
        display_name=client.display_name, roles=sorted(client.roles),
        scopes=sorted(client.scopes), created_at=m.timestamp(client.created_at),
    )
    for name in ("secret_issued_at", "previous_secret_expires_at", "revoked_at"):
        moment: datetime | None = getattr(client, name)
        if moment is not None:
            getattr(message, name).CopyFrom(m.timestamp(moment))
    return message


_EXPLAINED = ("base_hourly_value_fen", "age_factor", "experience_factor", "quality_factor")


def value_changes(point: ValuePoint, previous: ValuePoint | None) -> list[pb.ValueChange]:
    if previous is None:
        return []
    changes = []
    for name in ValueInputs.__dataclass_fields__:
        before, after = getattr(previous.inputs, name), getattr(point.inputs, name)
        if before == after:
            continue
        effect = Decimal(1)
        if name in _EXPLAINED and before:
            effect = rounded(CONTEXT.divide(Decimal(after), Decimal(before)))
        changes.append(pb.ValueChange(input=name, before=str(before), after=str(after),
                                      effect=m.decimal(effect)))
    return changes


def value_summary(point: ValuePoint) -> str:
    i = point.inputs
    return (f"P = base {i.base_hourly_value_fen / 100:.2f} CNY/h ({i.region} x {i.region_factor}, "
            f"{i.industry_code} x {i.industry_factor}) x age factor {i.age_factor} "
            f"(age {i.age_years}) x experience factor {i.experience_factor} "
            f"({i.experience_years} years) x quality factor {i.quality_factor} "
            f"({i.ratings_count} ratings, mean {i.rating_average}) = "
            f"{point.hourly_value_fen / 100:.2f} CNY/h, value model v{i.value_model_version}.")


def explain_value(point: ValuePoint, previous: ValuePoint | None) -> pb.ExplainValueResponse:
    response = pb.ExplainValueResponse(
        point=m.value_point(point), changes=value_changes(point, previous),
        summary=value_summary(point))
    if previous is not None:
        response.previous.CopyFrom(m.value_point(previous))
    return response


def explain_credit(point: CreditPoint, previous: CreditPoint | None) -> pb.ExplainCreditResponse:
    response = pb.ExplainCreditResponse(
        point=m.credit_point(point), base_points=point.base_points,
        attributes=[pb.ScorecardAttribute(feature=a.feature, value=a.value, bin=a.bin,
                                          points=a.points) for a in point.attributes])
    if previous is not None:
        response.previous.CopyFrom(m.credit_point(previous))
    return response


def rating(principal_id: str, result: enterprise_rating.EnterpriseRating,
           rated_at: datetime) -> pb.EnterpriseRating:
    return pb.EnterpriseRating(
        principal_id=principal_id,
        rating=common_pb2.CreditRating.Value(f"CREDIT_RATING_{result.rating}"),
        score=result.score,
        probability_of_default=m.decimal(result.probability_of_default),
        reasons=[common_pb2.ReasonCode(code=r.code, description=r.description)
                 for r in result.reasons],
        rated_at=m.timestamp(rated_at), model_version=result.model_version,
    )


def band(query: pb.RecommendPayBandRequest, result: pay_band.PayBand, model_version: int,
         computed_at: datetime) -> pb.PayBand:
    return pb.PayBand(
        industry_code=query.industry_code, region=query.region,
        experience_years=query.experience_years, p10=m.cny(result.p10_fen),
        p25=m.cny(result.p25_fen), median=m.cny(result.median_fen), p75=m.cny(result.p75_fen),
        p90=m.cny(result.p90_fen), sample_size=result.sample_size,
        value_model_version=model_version, computed_at=m.timestamp(computed_at),
    )


def _curve(points: tuple[tuple[Decimal, Decimal], ...]) -> list[pb.CurvePoint]:
    return [pb.CurvePoint(x=m.decimal(x), factor=m.decimal(y)) for x, y in points]


def _factors(table: dict[str, Decimal]) -> list[pb.ModelFactor]:
    return [pb.ModelFactor(key=key, factor=m.decimal(value)) for key, value in sorted(
        table.items())]


def value_model(model: ValueModel) -> pb.ValueModel:
    return pb.ValueModel(
        version=model.version,
        base_rates=[pb.BaseRate(region=region, industry_code=industry,
                                hourly_value=m.cny(fen))
                    for (region, industry), fen in sorted(model.base_rates_fen.items())],
        age_curve=_curve(model.age_curve), experience_curve=_curve(model.experience_curve),
        quality_curve=_curve(model.quality_curve),
        quality_min_ratings=model.quality_min_ratings, note=model.note,
        national_hourly_value=m.cny(model.national_hourly_value_fen),
        region_factors=_factors(model.region_factors),
        industry_factors=_factors(model.industry_factors), sources=list(model.sources),
    )
