"""The 17 ICC Index areas: the one place where their names, groups and descriptions live."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from corpus.places import fold


@dataclass(frozen=True, slots=True)
class Area:
    slug: str
    name: str
    aliases: tuple[str, ...]
    core: bool  # one of the 14 areas of the original index
    lens: bool  # one of the six areas of the "intercultural lens"
    description: str
    keywords: tuple[str, ...] = ()  # words that, in a question, name this area

    @property
    def group(self) -> str:
        return "core" if self.core else "extended"


AREAS: tuple[Area, ...] = (
    Area("commitment", "Commitment", ("commitment", "intercultural commitment", "public commitment"),
         True, False,
         "The city sends a clear, well-publicised message of its commitment to intercultural principles "
         "(diversity, equality, interaction): an intercultural strategy or integration plan, public "
         "statements, a budget, a body that co-ordinates the work across departments, and recognition of "
         "residents who promote interculturalism.",
         ("strategy", "commitment", "intercultural plan", "integration plan", "political statement", "action plan",
          "integration policy", "diversity policy")),
    Area("education", "Education", ("education", "schools"), True, True,
         "Schools and extracurricular activities shape how children perceive diversity: mixed schools, "
         "teachers who reflect the pupils' backgrounds, parents of migrant background involved in school "
         "life, intercultural projects and teaching about discrimination.",
         ("school", "schools", "pupils", "teachers", "children", "education", "early childhood", "kindergarten")),
    Area("neighbourhoods", "Neighbourhoods", ("neighbourhoods", "neighborhoods", "neighbourhood"), True, True,
         "Districts and neighbourhoods where people of different backgrounds live together: avoiding "
         "segregation and ethnic concentration, neighbourhood plans, actions where residents of different "
         "origins meet, community centres and renewal of deprived areas.",
         ("neighbourhood", "neighbourhoods", "neighborhood", "neighborhoods", "district", "segregation", "housing",
          "community centre", "community center")),
    Area("public_services", "Public services", ("public services", "public and community services"), True, True,
         "Public services adapted to a diverse population: a municipal workforce that mirrors the "
         "population, diversity in recruitment, services tailored to residents' backgrounds, multilingual "
         "information and guidance, health and social care for migrants.",
         ("public services", "workforce", "recruitment", "municipal staff", "services", "health care", "healthcare",
          "social services", "social workers", "police")),
    Area("business", "Business and the labour market",
         ("business and the labour market", "business and labour market", "business", "labour market",
          "employment"), True, True,
         "Diversity in the economy and in work: employment of migrants, entrepreneurs and businesses of "
         "minority background, diversity charters for employers, procurement that favours diverse firms, "
         "mentoring and skills for job-seekers.",
         ("business", "businesses", "labour market", "employment", "jobs", "jobseekers", "employers",
          "entrepreneurs", "procurement", "labor market", "job seekers", "job-seekers", "unemployed", "unemployment",
          "self-employment", "entrepreneurship", "diversity charter")),
    Area("cultural", "Cultural and social life",
         ("cultural and social life", "cultural and civil life", "culture", "cultural life"), True, True,
         "Arts, culture and sport as places where people of different backgrounds meet: funding "
         "intercultural projects, festivals and events, cultural organisations dealing with diversity, "
         "public debates and campaigns.",
         ("culture", "cultural", "festival", "festivals", "arts", "sport", "sports", "music", "football", "theatre",
          "museum", "exhibitions")),
    Area("public_space", "Public space", ("public space", "public spaces"), True, True,
         "Streets, squares, parks, libraries and public buildings designed, renovated and managed so that "
         "everyone feels welcome and safe, with consultation of residents of diverse backgrounds.",
         ("public space", "public spaces", "parks", "squares", "library", "libraries", "urban planning", "urbanism",
          "playgrounds")),
    Area("mediation", "Mediation and conflict resolution",
         ("mediation and conflict resolution", "mediation", "conflict resolution"), True, False,
         "Preventing and resolving conflicts in a diverse city: intercultural mediation services, "
         "neighbourhood mediation, inter-religious dialogue, early detection of tensions and responses to "
         "hate crimes.",
         ("mediation", "conflict", "conflicts", "tensions", "inter-religious", "hate crime", "hate crimes", "mediators",
          "polarisation", "polarization")),
    Area("language", "Language", ("language", "multilingualism", "languages"), True, False,
         "Learning the local language and valuing other languages: language courses for newcomers, "
         "teaching of migrant and minority languages, language cafes, support for multilingual media and "
         "events.",
         ("language", "languages", "multilingual", "language cafe", "language café", "mother tongue", "linguistic",
          "bilingual", "polyglot")),
    Area("media", "Media and communication",
         ("media and communication", "media", "communication"), True, False,
         "How the city and the local media present diversity: communication that highlights migrants' "
         "contribution, monitoring how media portray minorities, engaging journalists, media training for "
         "people of migrant background, countering negative stereotypes.",
         ("media", "press", "journalists", "communication", "newspaper", "stereotypes", "journalism", "radio",
          "television", "social media")),
    Area("international", "International outlook", ("international outlook", "international relations"),
         True, False,
         "The city's connections abroad: international co-operation, business and cultural links with "
         "the countries of origin of its diaspora groups, twinning, ambassadors, international students.",
         ("international", "diaspora", "twinning", "ambassadors", "abroad")),
    Area("competence", "Intercultural intelligence and competence",
         ("intercultural intelligence and competence", "intelligence/competence",
          "intercultural competence", "intercultural intelligence", "competence"), True, False,
         "Knowledge and skills for intercultural policy: data and research on diversity, surveys of "
         "public perception of migrants, intercultural training for officials and staff.",
         ("training", "staff training", "surveys", "survey", "competence", "research", "data", "trainings",
          "e-learning", "observatory", "statistics")),
    Area("welcoming", "Welcoming newcomers",
         ("welcoming newcomers", "welcoming of new arrivals", "welcoming", "welcome"), True, False,
         "Receiving people who arrive in the city: a welcome unit or centre, information packs in several "
         "languages, welcome ceremonies and receptions, support for refugees, students and unaccompanied "
         "minors.",
         ("welcome", "welcoming", "newcomers", "new arrivals", "new residents", "arrival", "refugees",
          "reception", "refugee", "asylum", "newly arrived", "newcomer", "welcome centre", "welcome center")),
    Area("leadership", "Leadership and citizenship",
         ("leadership and citizenship", "governance", "leadership", "citizenship"), True, False,
         "Democratic representation of residents of migrant background: voting and standing in local "
         "elections, consultative bodies of migrants, representation on public boards, encouraging "
         "participation in political life.",
         ("vote", "voting", "elections", "consultative body", "council", "citizenship", "representation",
          "migrant council", "immigrant council", "advisory council", "advisory committee", "advisory board",
          "consultative committee")),
    Area("anti_discrimination", "Anti-discrimination", ("anti-discrimination", "anti discrimination",
                                                        "discrimination"), False, False,
         "Combating racism and discrimination: reviewing municipal rules, support for victims, monitoring "
         "discrimination, anti-rumour strategies, campaigns against racism and hate speech.",
         ("discrimination", "racism", "anti-rumour", "anti-rumours", "rumours", "hate speech", "racist", "xenophobia",
          "anti-racist", "anti-racism", "antiracist", "equal treatment")),
    Area("participation", "Participation", ("participation", "civic participation"), False, False,
         "Involving residents of migrant background in decisions: consultation and co-creation, data on "
         "their participation, fair representation in institutions and organisations, volunteering.",
         ("participation", "participate", "involvement", "volunteering", "consultation", "co-creation", "participatory",
          "citizen engagement", "co-governance", "decision making", "decision-making", "have a say",
          "involve residents", "participatory budgeting")),
    Area("interaction", "Interaction", ("interaction", "intercultural interaction"), False, False,
         "Everyday contact between people of different backgrounds: civil society and grassroots "
         "organisations working on intercultural inclusion, meeting places and joint activities.",
         ("interaction", "meet", "encounters", "mixing", "contact", "intercultural contact", "living together",
          "social mixing", "meeting place", "meeting places")),
)

BY_SLUG: dict[str, Area] = {a.slug: a for a in AREAS}
SLUGS: tuple[str, ...] = tuple(a.slug for a in AREAS)
CORE_SLUGS: tuple[str, ...] = tuple(a.slug for a in AREAS if a.core)
LENS_SLUGS: tuple[str, ...] = tuple(a.slug for a in AREAS if a.lens)


def _key(text: str) -> str:
    text = fold(text).replace("&", " and ").replace("-", " ").replace("_", " ")
    return re.sub(r"[^a-z/ ]+", " ", re.sub(r"\s+", " ", text)).strip().replace("  ", " ")


_NAMES: dict[str, str] = {}
for _a in AREAS:
    for _n in (_a.slug, _a.name, *_a.aliases):
        _NAMES.setdefault(_key(_n), _a.slug)


def find_area(name: str) -> Area | None:
    """The area a slug, a name or an alias names, or None."""
    return BY_SLUG.get(_NAMES.get(_key(name), ""))


def nearest_areas(name: str, n: int = 1) -> list[str]:
    return [
        _NAMES[m] for m in difflib.get_close_matches(_key(name), list(_NAMES), n=n, cutoff=0.4)
    ]


def resolve_area(name: str) -> Area:
    """The area named, or a ValueError that lists the valid slugs and the nearest match."""
    area = find_area(name)
    if area is not None:
        return area
    near = nearest_areas(name)
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise ValueError(f"unknown area {name!r}.{hint} Valid areas: {', '.join(SLUGS)}")
