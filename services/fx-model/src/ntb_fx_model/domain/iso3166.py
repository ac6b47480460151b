"""ISO 3166-1 alpha-3 country codes, plus the two codes the World Bank uses in their place.

The 249 officially assigned codes were copied from the ISO 3166-1 table shipped with
pycountry 26.2.16 (`pycountry/databases/iso3166-1.json`) so that the domain stays
stdlib-only. The World Bank publishes two economies under codes outside that table:
`XKX` (Kosovo, a user-assigned code) and `CHI` (Channel Islands); both occur in the
packaged indicators and are accepted. Aggregates such as `WLD` or `EUU` are not countries
and are not accepted.
"""

from __future__ import annotations

_ASSIGNED = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN
    BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN
    CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU
    DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR
    GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV
    HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
    KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA
    MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM
    NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL
    PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE
    SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
    TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
    VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""

ISO3166_ALPHA3: frozenset[str] = frozenset(_ASSIGNED.split())

WORLD_BANK_EXTRA_ALPHA3: frozenset[str] = frozenset({"XKX", "CHI"})

KNOWN_COUNTRY_CODES: frozenset[str] = ISO3166_ALPHA3 | WORLD_BANK_EXTRA_ALPHA3
