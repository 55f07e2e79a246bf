"""Name pools with a skewed (Zipf-like) frequency, and nickname variants.

All names are generic US first names and surnames; the frequencies are rough, rounded shapes of
published name-frequency tables, so that SMITH, JOHNSON, JAMES and MARIA are far more common than
the long tail. Nothing here belongs to a real person.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache

from nicknames import NickNamer

# Common surnames with a rough count per 100,000 people (shape of a census surname table).
# fmt: off
COMMON_SURNAMES: tuple[tuple[str, int], ...] = (
    ("SMITH", 828), ("JOHNSON", 655), ("WILLIAMS", 550), ("BROWN", 487), ("JONES", 483),
    ("GARCIA", 393), ("MILLER", 383), ("DAVIS", 373), ("RODRIGUEZ", 348), ("MARTINEZ", 336),
    ("HERNANDEZ", 335), ("LOPEZ", 286), ("GONZALEZ", 278), ("WILSON", 270), ("ANDERSON", 266),
    ("THOMAS", 254), ("TAYLOR", 252), ("MOORE", 243), ("JACKSON", 237), ("MARTIN", 236),
    ("LEE", 229), ("PEREZ", 215), ("THOMPSON", 214), ("WHITE", 213), ("HARRIS", 204),
    ("SANCHEZ", 199), ("CLARK", 187), ("RAMIREZ", 186), ("LEWIS", 180), ("ROBINSON", 178),
    ("WALKER", 173), ("YOUNG", 164), ("ALLEN", 163), ("KING", 161), ("WRIGHT", 160),
    ("SCOTT", 152), ("TORRES", 151), ("NGUYEN", 148), ("HILL", 147), ("FLORES", 147),
    ("GREEN", 146), ("ADAMS", 144), ("NELSON", 143), ("BAKER", 141), ("HALL", 139),
    ("RIVERA", 137), ("CAMPBELL", 137), ("MITCHELL", 136), ("CARTER", 132), ("ROBERTS", 131),
    ("GOMEZ", 121), ("PHILLIPS", 121), ("EVANS", 120), ("TURNER", 118), ("DIAZ", 118),
    ("PARKER", 117), ("CRUZ", 116), ("EDWARDS", 116), ("COLLINS", 115), ("REYES", 114),
    ("STEWART", 114), ("MORRIS", 112), ("MORALES", 111), ("MURPHY", 109), ("COOK", 107),
    ("ROGERS", 106), ("GUTIERREZ", 104), ("ORTIZ", 104), ("MORGAN", 103), ("COOPER", 102),
    ("PETERSON", 101), ("BAILEY", 100), ("REED", 99), ("KELLY", 98), ("HOWARD", 97),
    ("RAMOS", 96), ("KIM", 95), ("COX", 94), ("WARD", 93), ("RICHARDSON", 92),
    ("WATSON", 91), ("BROOKS", 90), ("CHAVEZ", 89), ("WOOD", 88), ("JAMES", 88),
    ("BENNETT", 87), ("GRAY", 87), ("MENDOZA", 86), ("RUIZ", 85), ("HUGHES", 84),
    ("PRICE", 83), ("ALVAREZ", 83), ("CASTILLO", 82), ("SANDERS", 82), ("PATEL", 81),
    ("MYERS", 80), ("LONG", 79), ("ROSS", 79), ("FOSTER", 78), ("JIMENEZ", 77),
    ("POWELL", 76), ("JENKINS", 75), ("PERRY", 74), ("RUSSELL", 74), ("SULLIVAN", 73),
    ("BELL", 72), ("COLEMAN", 72), ("BUTLER", 71), ("HENDERSON", 71), ("BARNES", 70),
    ("GONZALES", 69), ("FISHER", 68), ("VASQUEZ", 68), ("SIMMONS", 67), ("ROMERO", 67),
    ("JORDAN", 66), ("PATTERSON", 66), ("ALEXANDER", 65), ("HAMILTON", 65), ("GRAHAM", 64),
    ("REYNOLDS", 64), ("GRIFFIN", 63), ("WALLACE", 63), ("MORENO", 62), ("WEST", 62),
    ("COLE", 61), ("HAYES", 61), ("BRYANT", 60), ("HERRERA", 60), ("GIBSON", 59),
    ("ELLIS", 59), ("TRAN", 58), ("MEDINA", 58), ("AGUILAR", 57), ("STEVENS", 57),
    ("MURRAY", 56), ("FORD", 56), ("CASTRO", 55), ("MARSHALL", 55), ("OWENS", 55),
    ("HARRISON", 54), ("FERNANDEZ", 54), ("MCDONALD", 53), ("WOODS", 53), ("WASHINGTON", 53),
    ("KENNEDY", 52), ("WELLS", 52), ("VARGAS", 51), ("HENRY", 51), ("CHEN", 51),
    ("FREEMAN", 50), ("WEBB", 50), ("TUCKER", 49), ("GUZMAN", 49), ("BURNS", 49),
    ("CRAWFORD", 48), ("OLSON", 48), ("SIMPSON", 48), ("PORTER", 47), ("HUNTER", 47),
    ("GORDON", 47), ("MENDEZ", 46), ("SILVA", 46), ("SHAW", 46), ("SNYDER", 45),
    ("MASON", 45), ("DIXON", 45), ("MUNOZ", 44), ("HUNT", 44), ("HICKS", 44),
    ("HOLMES", 43), ("PALMER", 43), ("WAGNER", 43), ("BLACK", 42), ("ROBERTSON", 42),
    ("BOYD", 42), ("ROSE", 41), ("STONE", 41), ("SALAZAR", 41), ("FOX", 40),
    ("WARREN", 40), ("MILLS", 40), ("MEYER", 39), ("RICE", 39), ("SCHMIDT", 39),
    ("GARZA", 39), ("DANIELS", 38), ("FERGUSON", 38), ("NICHOLS", 38), ("STEPHENS", 37),
    ("SOTO", 37), ("WEAVER", 37), ("RYAN", 37), ("GARDNER", 36), ("PAYNE", 36),
    ("GRANT", 36), ("DUNN", 36), ("KELLEY", 35), ("SPENCER", 35), ("HAWKINS", 35),
    ("ARNOLD", 34), ("PIERCE", 34), ("VAZQUEZ", 34), ("HANSEN", 34), ("PETERS", 33),
    ("SANTOS", 33), ("HART", 33), ("BRADLEY", 33), ("KNIGHT", 32), ("ELLIOTT", 32),
    ("CUNNINGHAM", 32), ("DUNCAN", 32), ("ARMSTRONG", 31), ("HUDSON", 31), ("CARROLL", 31),
    ("LANE", 30), ("RILEY", 30), ("ANDREWS", 30), ("ALVARADO", 30), ("RAY", 30),
    ("DELGADO", 29), ("BERRY", 29), ("PERKINS", 29), ("HOFFMAN", 29), ("JOHNSTON", 29),
    ("MATTHEWS", 28), ("PENA", 28), ("RICHARDS", 28), ("CONTRERAS", 28), ("WILLIS", 28),
    ("CARPENTER", 27), ("LAWRENCE", 27), ("SANDOVAL", 27), ("GUERRERO", 27), ("GEORGE", 27),
    ("CHAPMAN", 26), ("RIOS", 26), ("ESTRADA", 26), ("ORTEGA", 26), ("WATKINS", 26),
    ("GREENE", 26), ("NUNEZ", 25), ("WHEELER", 25), ("VALDEZ", 25), ("HARPER", 25),
    ("BURKE", 25), ("LARSON", 25), ("SANTIAGO", 24), ("MALDONADO", 24), ("MORRISON", 24),
    ("FRANKLIN", 24), ("CARLSON", 24), ("AUSTIN", 24), ("DOMINGUEZ", 23), ("CARR", 23),
    ("LAWSON", 23), ("JACOBS", 23), ("O'BRIEN", 23), ("LYNCH", 23), ("SINGH", 23),
    ("VEGA", 22), ("BISHOP", 22), ("MONTGOMERY", 22), ("OLIVER", 22), ("JENSEN", 22),
    ("HARVEY", 22), ("WILLIAMSON", 22), ("GILBERT", 21), ("DEAN", 21), ("SIMS", 21),
    ("ESPINOZA", 21), ("HOWELL", 21), ("LI", 21), ("WONG", 21), ("REID", 21),
    ("HANSON", 20), ("LE", 20), ("MCCOY", 20), ("GARRETT", 20), ("BURTON", 20),
    ("FULLER", 20), ("WANG", 20), ("WEBER", 20), ("WELCH", 20), ("ROJAS", 20),
    ("LUCAS", 19), ("MARQUEZ", 19), ("FIELDS", 19), ("PARK", 19), ("YANG", 19),
    ("LITTLE", 19), ("BANKS", 19), ("PADILLA", 19), ("DAY", 19), ("WALSH", 19),
    ("BOWMAN", 18), ("SCHULTZ", 18), ("LUNA", 18), ("FOWLER", 18), ("MEJIA", 18),
    ("DAVIDSON", 18), ("ACOSTA", 18), ("BREWER", 18), ("MAY", 18), ("HOLLAND", 18),
    ("JUAREZ", 17), ("NEWMAN", 17), ("PEARSON", 17), ("CURTIS", 17), ("CORTEZ", 17),
    ("DOUGLAS", 17), ("SCHNEIDER", 17), ("JOSEPH", 17), ("BARRETT", 17), ("NAVARRO", 17),
    ("FIGUEROA", 16), ("KELLER", 16), ("AVILA", 16), ("WADE", 16), ("MOLINA", 16),
    ("STANLEY", 16), ("HOPKINS", 16), ("CAMPOS", 16), ("BARNETT", 16), ("BATES", 16),
    ("CHAMBERS", 15), ("CALDWELL", 15), ("BECK", 15), ("LAMBERT", 15), ("MIRANDA", 15),
    ("BYRD", 15), ("CRAIG", 15), ("AYALA", 15), ("LOWE", 15), ("FRAZIER", 15),
    ("POWERS", 14), ("NEAL", 14), ("LEONARD", 14), ("GREGORY", 14), ("CARRILLO", 14),
    ("SUTTON", 14), ("FLEMING", 14), ("RHODES", 14), ("SHELTON", 14), ("SCHWARTZ", 14),
    ("NORRIS", 13), ("JENNINGS", 13), ("WATTS", 13), ("DURAN", 13), ("WALTERS", 13),
    ("COHEN", 13), ("MCDANIEL", 13), ("MORAN", 13), ("PARKS", 13), ("STEELE", 13),
    ("VAUGHN", 12), ("BECKER", 12), ("HOLT", 12), ("DELEON", 12), ("BARKER", 12),
    ("TERRY", 12), ("HALE", 12), ("LEON", 12), ("O'CONNOR", 12),
    ("MCCARTHY", 11), ("DE LA CRUZ", 9), ("VAN DYKE", 5), ("ST JOHN", 4), ("D'ANGELO", 5),
)
# fmt: on

# Surnames that a compound (two-part) Hispanic surname is built from, and that pull a
# Hispanic first name more often.
# fmt: off
HISPANIC_SURNAMES: frozenset[str] = frozenset({
    "GARCIA", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "PEREZ", "SANCHEZ",
    "RAMIREZ", "TORRES", "FLORES", "RIVERA", "GOMEZ", "DIAZ", "CRUZ", "REYES", "MORALES",
    "GUTIERREZ", "ORTIZ", "RAMOS", "CHAVEZ", "MENDOZA", "RUIZ", "ALVAREZ", "CASTILLO",
    "JIMENEZ", "VASQUEZ", "ROMERO", "MORENO", "HERRERA", "MEDINA", "AGUILAR", "CASTRO",
    "FERNANDEZ", "VARGAS", "GUZMAN", "MENDEZ", "SILVA", "MUNOZ", "SALAZAR", "GARZA", "SOTO",
    "VAZQUEZ", "SANTOS", "ALVARADO", "DELGADO", "PENA", "CONTRERAS", "SANDOVAL", "GUERRERO",
    "RIOS", "ESTRADA", "ORTEGA", "NUNEZ", "VALDEZ", "SANTIAGO", "MALDONADO", "DOMINGUEZ",
    "VEGA", "ESPINOZA", "ROJAS", "MARQUEZ", "PADILLA", "LUNA", "MEJIA", "ACOSTA", "JUAREZ",
    "CORTEZ", "NAVARRO", "FIGUEROA", "AVILA", "MOLINA", "CAMPOS", "MIRANDA", "AYALA",
    "CARRILLO", "DURAN", "LEON", "DE LA CRUZ",
})
# fmt: on

# Pieces of a long tail of plausible English-style surnames (ASHFORD, WHITLEY, ...).
# fmt: off
_TAIL_HEADS = (
    "ASH", "BAR", "BLACK", "BRAD", "BRIGHT", "BROOK", "CALD", "CHAT", "CLAY", "COLD", "CROM",
    "DAL", "DUN", "EL", "FAIR", "FAR", "GOLD", "GRAN", "GREEN", "HAD", "HAR", "HART", "HAW",
    "HAY", "HEN", "HOL", "KEN", "KIRK", "LANG", "LIN", "MAR", "MID", "MOR", "NEW", "NOR", "OAK",
    "PEN", "RAD", "RED", "ROCK", "RUTH", "SAND", "SHEL", "STAN", "SUT", "THORN", "WAL", "WAR",
    "WEST", "WHIT", "WIN", "WOOD", "YORK", "ALD", "BEL", "CAR", "DRAY", "FEN", "GAR", "MAD",
)
_TAIL_TAILS = (
    "BERG", "BURN", "BURY", "BY", "DALE", "DEN", "FIELD", "FORD", "HAM", "HILL", "HURST", "LAND",
    "LEY", "MAN", "MORE", "ROW", "SON", "STEAD", "TON", "WAY", "WELL", "WICK", "WORTH", "COTT",
)
# fmt: on

# First names, most common first; weights fall off with rank (Zipf) unless given explicitly.
# fmt: off
MALE_FIRST: tuple[str, ...] = (
    "JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "JOSEPH", "THOMAS",
    "CHARLES", "CHRISTOPHER", "DANIEL", "MATTHEW", "ANTHONY", "MARK", "DONALD", "STEVEN", "PAUL",
    "ANDREW", "JOSHUA", "KENNETH", "KEVIN", "BRIAN", "GEORGE", "TIMOTHY", "RONALD", "EDWARD",
    "JASON", "JEFFREY", "RYAN", "JACOB", "GARY", "NICHOLAS", "ERIC", "JONATHAN", "STEPHEN",
    "LARRY", "JUSTIN", "SCOTT", "BRANDON", "BENJAMIN", "SAMUEL", "GREGORY", "ALEXANDER", "FRANK",
    "PATRICK", "RAYMOND", "JACK", "DENNIS", "JERRY", "TYLER", "AARON", "ADAM", "NATHAN", "HENRY",
    "DOUGLAS", "ZACHARY", "PETER", "KYLE", "ETHAN", "WALTER", "NOAH", "JEREMY", "CHRISTIAN",
    "KEITH", "ROGER", "TERRY", "GERALD", "HAROLD", "SEAN", "AUSTIN", "CARL", "ARTHUR",
    "LAWRENCE", "DYLAN", "JESSE", "JORDAN", "BRYAN", "BILLY", "JOE", "BRUCE", "GABRIEL", "LOGAN",
    "ALBERT", "WILLIE", "ALAN", "WAYNE", "ELIJAH", "RANDY", "ROY", "VINCENT", "RALPH", "EUGENE",
    "RUSSELL", "BOBBY", "MASON", "PHILIP", "LOUIS", "MARCUS", "TRAVIS", "CODY", "DUSTIN",
    "SHAWN", "COREY", "DERRICK", "CURTIS", "SHANE", "TROY", "TONY", "DARNELL", "TYRONE", "JAMAL",
    "DEANDRE", "TREVOR", "LEON", "EDDIE", "VICTOR", "MARTIN", "ALLEN", "CLARENCE", "ERNEST",
    "FRED", "DALE", "GLENN", "LEE", "MELVIN", "LEROY", "DARRYL", "REGINALD", "JEROME", "CALVIN",
    "FLOYD", "TODD", "CHAD", "BRETT", "DEREK", "LANCE", "WESLEY", "DUANE", "MARVIN", "HOWARD",
)
FEMALE_FIRST: tuple[str, ...] = (
    "MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN", "JESSICA",
    "SARAH", "KAREN", "LISA", "NANCY", "BETTY", "MARGARET", "SANDRA", "ASHLEY", "KIMBERLY",
    "EMILY", "DONNA", "MICHELLE", "CAROL", "AMANDA", "DOROTHY", "MELISSA", "DEBORAH",
    "STEPHANIE", "REBECCA", "SHARON", "LAURA", "CYNTHIA", "KATHLEEN", "AMY", "ANGELA", "SHIRLEY",
    "ANNA", "BRENDA", "PAMELA", "EMMA", "NICOLE", "HELEN", "SAMANTHA", "KATHERINE", "CHRISTINE",
    "DEBRA", "RACHEL", "CAROLYN", "JANET", "CATHERINE", "HEATHER", "DIANE", "RUTH", "JULIE",
    "OLIVIA", "JOYCE", "VIRGINIA", "VICTORIA", "KELLY", "LAUREN", "CHRISTINA", "JOAN",
    "EVELYN", "JUDITH", "MEGAN", "ANDREA", "CHERYL", "HANNAH", "JACQUELINE", "MARTHA", "GLORIA",
    "TERESA", "ANN", "SARA", "MADISON", "FRANCES", "KATHRYN", "JANICE", "JEAN", "ABIGAIL",
    "ALICE", "JUDY", "SOPHIA", "GRACE", "DENISE", "AMBER", "DORIS", "MARILYN", "DANIELLE",
    "BEVERLY", "ISABELLA", "THERESA", "DIANA", "NATALIE", "BRITTANY", "CHARLOTTE", "MARIE",
    "KAYLA", "ALEXIS", "LORI", "TIFFANY", "CRYSTAL", "TAMMY", "JASMINE", "LATOYA", "TANYA",
    "WANDA", "ERICA", "APRIL", "MONICA", "LESLIE", "SHANNON", "DAWN", "TINA", "KRISTEN",
    "MELANIE", "TRACY", "STACY", "RHONDA", "ROBIN", "PEGGY", "CONNIE", "VALERIE", "SHEILA",
    "LORETTA", "REGINA", "KRISTINA", "KATIE", "HOLLY", "BRANDY", "CASSANDRA", "DESTINY",
)
HISPANIC_MALE_FIRST: tuple[str, ...] = (
    "JOSE", "JUAN", "LUIS", "CARLOS", "JESUS", "MIGUEL", "ANTONIO", "FRANCISCO", "JORGE",
    "MANUEL", "PEDRO", "ALEJANDRO", "RICARDO", "FERNANDO", "JAVIER", "RAFAEL", "ROBERTO",
    "MARIO", "EDUARDO", "SERGIO", "RAUL", "ARMANDO", "HECTOR", "OSCAR", "RAMON", "ENRIQUE",
)
HISPANIC_FEMALE_FIRST: tuple[str, ...] = (
    "MARIA", "ROSA", "GUADALUPE", "ANA", "CARMEN", "YOLANDA", "VERONICA", "JUANA", "MARTHA",
    "LETICIA", "ELENA", "SOFIA", "GABRIELA", "ADRIANA", "BLANCA", "LUZ", "PATRICIA", "ALMA",
    "SILVIA", "ALEJANDRA", "ROSARIO", "ESPERANZA", "IRMA", "LOURDES", "CLAUDIA", "MONICA",
)
# fmt: on

# Names that are much more common than their rank alone suggests.
_BOOSTS: dict[str, float] = {"MARIA": 3.0, "JOSE": 2.0, "JUAN": 1.5}

# fmt: off
MIDDLE_MALE: tuple[str, ...] = (
    "LEE", "ALLEN", "WAYNE", "JAMES", "MICHAEL", "RAY", "EDWARD", "JOSEPH", "DEAN", "LOUIS",
    "ALAN", "PAUL", "JOHN", "DAVID", "SCOTT", "THOMAS", "ANTHONY", "EUGENE", "CARL", "RYAN",
)
MIDDLE_FEMALE: tuple[str, ...] = (
    "ANN", "MARIE", "LYNN", "LEE", "JEAN", "ELIZABETH", "NICOLE", "RENEE", "MICHELLE", "LOUISE",
    "ROSE", "KAY", "DAWN", "MAE", "GRACE", "JO", "SUE", "ELAINE", "FAYE", "DIANE",
)
# fmt: on

# The nickname people are most often recorded under, where the package lists many archaic ones.
# fmt: off
_PREFERRED_NICKNAMES: frozenset[str] = frozenset({
    "jim", "jimmy", "jamie", "jack", "johnny", "jon", "bob", "bobby", "rob", "robby", "mike",
    "mikey", "bill", "billy", "will", "willie", "dave", "davey", "rick", "ricky", "rich",
    "richie", "dick", "joe", "joey", "tom", "tommy", "charlie", "chuck", "chris", "dan", "danny",
    "matt", "tony", "steve", "andy", "drew", "josh", "ken", "kenny", "greg", "alex", "al",
    "frank", "frankie", "pat", "ray", "jerry", "nate", "hank", "doug", "zach", "pete", "walt",
    "jeff", "ron", "ronnie", "ed", "eddie", "ted", "larry", "sam", "ben", "benny", "tim",
    "timmy", "nick", "jen", "jenny", "liz", "beth", "betty", "lisa", "sue", "susie", "jess",
    "sally", "kate", "kathy", "katie", "cathy", "deb", "debbie", "becky", "peggy", "maggie",
    "meg", "patty", "trish", "mandy", "kim", "angie", "sandy", "cindy", "stephanie", "steph",
    "pam", "vicky", "vickie", "christy", "tina", "terri", "jackie", "gabe", "vince", "phil",
    "lou", "russ", "gene", "marty", "fred", "freddie", "ernie", "manny", "tere", "lupe",
    "chuy", "pepe", "paco", "nacho", "beto", "lalo", "lety", "mel", "sammy",
    "kris", "abby", "mandi", "carrie", "nan", "nancy", "becca", "dottie", "dot", "val", "reggie",
})
# fmt: on
# Spanish diminutives the nickname package does not carry.
_EXTRA_NICKNAMES: dict[str, tuple[str, ...]] = {
    "jose": ("pepe", "chepe"),
    "jesus": ("chuy",),
    "francisco": ("paco", "pancho", "frank"),
    "guadalupe": ("lupe",),
    "alberto": ("beto",),
    "roberto": ("beto", "bob"),
    "eduardo": ("lalo", "eddie"),
    "leticia": ("lety",),
    "ignacio": ("nacho",),
    "maria": ("mari",),
}


class WeightedPool:
    """A fixed list of values drawn with fixed weights (O(log n) per draw)."""

    __slots__ = ("values", "_cum")

    def __init__(self, values: Sequence[str], weights: Sequence[float]):
        if len(values) != len(weights) or not values:
            raise ValueError("a pool needs as many weights as values, and at least one value")
        self.values = tuple(values)
        self._cum = tuple(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect_right(self._cum, rng.random() * self._cum[-1])]


def _zipf(values: Sequence[str], exponent: float = 0.85, scale: float = 1.0) -> list[float]:
    return [scale * _BOOSTS.get(v, 1.0) / (rank + 1) ** exponent for rank, v in enumerate(values)]


def _surname_pool() -> WeightedPool:
    values = [name for name, _ in COMMON_SURNAMES]
    weights = [float(count) for _, count in COMMON_SURNAMES]
    common_mass = sum(weights)
    tail = [head + end for head, end in itertools.product(_TAIL_HEADS, _TAIL_TAILS)]
    tail = [name for name in tail if name not in set(values)]
    # The tail holds more people than the common names together (as real surname tables do),
    # with a gently falling weight so some tail names recur and most are rare.
    tail_weights = _zipf(tail, exponent=0.35)
    factor = 1.3 * common_mass / sum(tail_weights)
    return WeightedPool(values + tail, weights + [w * factor for w in tail_weights])


SURNAMES = _surname_pool()
FIRST_NAMES: dict[str, WeightedPool] = {
    "M": WeightedPool(MALE_FIRST, _zipf(MALE_FIRST, 0.6)),
    "F": WeightedPool(FEMALE_FIRST, _zipf(FEMALE_FIRST, 0.6)),
}
HISPANIC_FIRST_NAMES: dict[str, WeightedPool] = {
    "M": WeightedPool(HISPANIC_MALE_FIRST, _zipf(HISPANIC_MALE_FIRST, 0.7)),
    "F": WeightedPool(HISPANIC_FEMALE_FIRST, _zipf(HISPANIC_FEMALE_FIRST, 0.7)),
}
MIDDLE_NAMES: dict[str, WeightedPool] = {
    "M": WeightedPool(MIDDLE_MALE, _zipf(MIDDLE_MALE, 0.6)),
    "F": WeightedPool(MIDDLE_FEMALE, _zipf(MIDDLE_FEMALE, 0.6)),
}


def draw_surname(rng: random.Random) -> str:
    return SURNAMES.draw(rng)


def draw_first_name(rng: random.Random, sex: str, surname: str) -> str:
    hispanic = surname.split("-")[0] in HISPANIC_SURNAMES
    if hispanic and rng.random() < 0.6:
        return HISPANIC_FIRST_NAMES[sex].draw(rng)
    return FIRST_NAMES[sex].draw(rng)


def draw_middle_name(rng: random.Random, sex: str) -> str:
    if rng.random() < 0.6:
        return MIDDLE_NAMES[sex].draw(rng)
    return FIRST_NAMES[sex].draw(rng)


def is_hispanic_surname(surname: str) -> bool:
    return surname in HISPANIC_SURNAMES


@cache
def _namer() -> NickNamer:
    return NickNamer()


@cache
def nickname_variants(first_name: str) -> tuple[str, ...]:
    """Nicknames a person called FIRST_NAME is plausibly recorded under (upper case, sorted).

    Uses the ``nicknames`` package, keeping its modern, common forms (BOB, BILL, JIM) over archaic
    ones (DOBBIN, HOB) when it has both, plus a few Spanish diminutives it lacks.
    """
    key = first_name.strip().lower()
    found = set(_namer().nicknames_of(key)) | set(_EXTRA_NICKNAMES.get(key, ()))
    found.discard(key)
    preferred = sorted(n for n in found if n in _PREFERRED_NICKNAMES)
    if not preferred:
        # Fall back to short forms that keep the name's start (ALEX for ALEXANDRA).
        preferred = sorted(n for n in found if n[:2] == key[:2] and len(n) < len(key))
    return tuple(n.upper() for n in preferred)
