"""RegisterPrincipal validation reports one field violation per bad field, with the
field's path, and accepts a well-formed person and enterprise. Pure codec, no I/O."""

from __future__ import annotations

import uuid

import pytest

from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.domain.model import PrincipalKind
from ntb_identity.entrypoints import codec
from ntbkit.errors import InvalidArgument


def person(**overrides: object) -> pb.RegisterPrincipalRequest:
    request = pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_PERSON, display_name="Li Wei",
        country_code="CN", region="CN-GD", industry_code="C26",
        person=pb.PersonProfile(birth_year=1990, experience_years=8, skills=["python"]),
    )
    for name, value in overrides.items():
        setattr(request, name, value)
    return request


def fields_of(request: pb.RegisterPrincipalRequest) -> list[str]:
    with pytest.raises(InvalidArgument) as raised:
        codec.register_principal(request)
    return [v.field for v in raised.value.violations]


def test_valid_person_decodes() -> None:
    command = codec.register_principal(person(display_name="  Li Wei  "))
    assert command.kind is PrincipalKind.PERSON
    assert command.display_name == "Li Wei"
    assert command.person is not None and command.person.skills == ("python",)


def test_empty_name_and_unknown_country_are_two_violations() -> None:
    assert fields_of(person(display_name="", country_code="XX")) == [
        "display_name", "country_code"]


def test_region_must_belong_to_the_country() -> None:
    assert fields_of(person(region="US-CA")) == ["region"]


def test_every_bad_field_at_once() -> None:
    request = person(request_id="nope", industry_code="62", kind=0)
    request.person.skills.append("Not A Tag")
    assert fields_of(request) == ["request_id", "kind", "industry_code", "person"]


def test_person_profile_rules() -> None:
    request = person()
    request.person.birth_year = 1850
    request.person.skills.append("bad tag")
    request.person.experience_years = 90
    assert fields_of(request) == [
        "person.birth_year", "person.experience_years", "person.skills[1]"]


def test_enterprise_needs_registration_number_and_no_person_profile() -> None:
    request = person(kind=pb.PRINCIPAL_KIND_ENTERPRISE)
    assert fields_of(request) == ["person", "enterprise"]
    request.ClearField("person")
    request.enterprise.CopyFrom(
        pb.EnterpriseProfile(registration_number="91440300MA5DC8", size="small"))
    assert codec.register_principal(request).enterprise is not None
