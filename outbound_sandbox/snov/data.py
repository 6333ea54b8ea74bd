"""The Snov.io simulator's search database, seeded deterministically from ``config.seed``.

Names tests of the server can rely on (same for every seed):

* ``acme.com`` (Acme Corporation): 48 prospects, exactly 5 with position "Engineering Manager"
  (the positions filter is a case-insensitive substring match), 130 domain emails (3 pages of
  50), 9 generic contacts. First prospects: Jane Cooper (CTO, jane.cooper@acme.com), Marcus Webb
  (Engineering Manager, marcus.webb@acme.com). Every 5th prospect (index 4, 9, ...) has no email.
* ``globex.com`` (Globex Corporation): 22 prospects, 60 domain emails, 4 generic contacts.
* ``initech.com`` (Initech): 6 prospects, 8 domain emails, 2 generic; a catch-all mail server.
* ``octagon.com`` (Octagon, the doc's examples): Gavin Vanrooyen, Lizi Hamer.
* ``gmail.com``: webmail (email count 0). Any other domain: no results, no charge.

Known at once (the free v1 path): every prospect with an email is known to the finder
(get-emails-from-names), to the verifier (valid) and to get-profile-by-email. Unknown until
queued: any other name or email, e.g. Alex Rivera / alex.rivera@acme.com. After queueing and
``job_delay``: a name is found as first.last@domain (``valid`` on seeded domains, ``unknown``
elsewhere) except first name "Ghost" (never found); an email verifies ``not_valid`` when its local
part starts with "bounce" or "invalid", ``unknown`` (catch-all) on initech.com, else ``valid``.
``sam.grey@globex.com`` stays ``greylisted`` forever. LinkedIn URLs
``https://www.linkedin.com/in/<first>-<last>-<n>`` belong to prospects; the first 5 acme.com
prospects' URLs (e.g. https://www.linkedin.com/in/jane-cooper-1001) answer get-emails-from-url
at once, the other prospects' after add-url-for-search; other URLs are never found.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Logan", "Amelia", "Elijah", "Harper", "Oliver", "Evelyn", "Aiden", "Abigail", "James",
    "Emily", "Benjamin", "Ella", "Henry", "Scarlett", "Samuel", "Grace", "Daniel", "Chloe", "Owen",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez", "Lopez",
    "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
]  # fmt: skip
POSITIONS = [
    "Software Engineer", "Senior Software Engineer", "QA Engineer", "Web developer", "Product Manager",
    "VP of Sales", "Account Executive", "Marketing Manager", "Data Scientist", "DevOps Engineer",
    "HR Business Partner", "Sales Development Representative", "Customer Success Manager",
    "Product Designer", "Head of Finance", "Technical Writer",
]  # fmt: skip
LOCALITIES = [("United States", "New York"), ("United States", "Austin"), ("Germany", "Berlin"), ("Canada", "Toronto")]
GREYLISTED = "sam.grey@globex.com"
CATCH_ALL_DOMAINS = {"initech.com"}
WEBMAIL_DOMAINS = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"}
NEVER_FOUND_FIRST_NAME = "ghost"


@dataclass
class Company:
    domain: str
    name: str
    city: str
    founded: str
    hq_phone: str
    industry: str
    size: str
    related_domains: list[str]


@dataclass
class Person:
    first: str
    last: str
    position: str
    domain: str
    email: str | None
    hash: str
    url: str
    country: str
    locality: str
    industry: str
    id: int

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Verdict:
    smtp: str  # valid, not_valid, unknown, greylisted
    catchall: bool = False
    webmail: bool = False


@dataclass
class SnovDatabase:
    companies: dict[str, Company] = field(default_factory=dict[str, Company])
    people: dict[str, list[Person]] = field(default_factory=dict[str, list[Person]])
    domain_emails: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    generic: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    by_hash: dict[str, Person] = field(default_factory=dict[str, Person])
    by_email: dict[str, Person] = field(default_factory=dict[str, Person])
    by_url: dict[str, Person] = field(default_factory=dict[str, Person])
    finder: dict[tuple[str, str, str], Person] = field(default_factory=dict[tuple[str, str, str], Person])
    verified: dict[str, Verdict] = field(default_factory=dict[str, Verdict])
    urls_known: set[str] = field(default_factory=set[str])

    def domain_info(self, domain: str) -> Company | None:
        return self.companies.get(domain.lower().strip())

    def find_name(self, first: str, last: str, domain: str) -> Person | None:
        return self.finder.get((first.lower().strip(), last.lower().strip(), domain.lower().strip()))

    def resolve_name(self, first: str, last: str, domain: str) -> tuple[str, str] | None:
        """What a queued name search finds: (email, emailStatus), or None."""
        known = self.find_name(first, last, domain)
        if known and known.email:
            return known.email, "valid"
        if first.strip().lower() == NEVER_FOUND_FIRST_NAME or not first.strip() or "." not in domain:
            return None
        local = f"{first.strip()}.{last.strip()}".lower().replace(" ", "")
        status = "valid" if domain.lower() in self.companies else "unknown"
        return f"{local}@{domain.lower().strip()}", status

    def verdict(self, email: str) -> Verdict:
        """What a verification finds once it has run."""
        email = email.lower().strip()
        if email in self.verified:
            return self.verified[email]
        local, _, domain = email.partition("@")
        if not domain or "." not in domain:
            return Verdict("not_valid")
        if local.startswith(("bounce", "invalid")):
            return Verdict("not_valid")
        if domain in CATCH_ALL_DOMAINS:
            return Verdict("unknown", catchall=True)
        return Verdict("valid", webmail=domain in WEBMAIL_DOMAINS)


def long_hash(*parts: object) -> str:
    """A prospect hash as long as the doc's (about 100 hex characters)."""
    raw = ":".join(str(p) for p in parts).encode()
    return hashlib.sha256(raw).hexdigest() + hashlib.sha1(raw).hexdigest()[:40]


_COMPANIES = [
    Company("acme.com", "Acme Corporation", "New York", "2009", "12125550100", "Computer Software", "201-500",
            ["acme.co.uk", "acme.de", "acme.io"]),
    Company("globex.com", "Globex Corporation", "Austin", "1996", "15125550142", "Industrial Automation", "1001-5000",
            ["globex.net"]),
    Company("initech.com", "Initech", "Dallas", "1999", "14695550175", "Information Technology and Services",
            "51-200", []),
    Company("octagon.com", "Octagon", "Stamford", "1983", "12035540100", "Marketing and Advertising", "1001-5000",
            ["octagon.co.uk"]),
]  # fmt: skip
_SIZES = {"acme.com": (48, 130, 9), "globex.com": (22, 60, 4), "initech.com": (6, 8, 2), "octagon.com": (2, 2, 1)}
_GENERIC = ["info", "sales", "support", "press", "careers", "billing", "hello", "partners", "security"]
_FIXED = {
    "acme.com": [("Jane", "Cooper", "CTO"), ("Marcus", "Webb", "Engineering Manager")],
    "globex.com": [("Sam", "Grey", "Procurement Lead"), ("Hank", "Scorpio", "CEO")],
    "initech.com": [("Bill", "Lumbergh", "Division VP"), ("Peter", "Gibbons", "Software Engineer")],
    "octagon.com": [("Gavin", "Vanrooyen", "Senior Brand Director"), ("Lizi", "Hamer", "Regional Creative Director")],
}


def _positions(domain: str, count: int, rng: random.Random) -> list[str]:
    fixed = [p for _, _, p in _FIXED[domain]]
    rest = [POSITIONS[(i * 7 + len(domain)) % len(POSITIONS)] for i in range(count - len(fixed))]
    if domain == "acme.com":  # exactly 5 Engineering Managers, spread over the 3 pages
        for i in (8, 19, 27, 38):
            rest[i] = "Engineering Manager"
    return fixed + rest


def seed_database(seed: int) -> SnovDatabase:
    rng = random.Random(seed)
    db = SnovDatabase()
    person_id = 1000
    used_names: set[tuple[str, str]] = set()
    for company in _COMPANIES:
        domain = company.domain
        n_people, n_emails, n_generic = _SIZES[domain]
        db.companies[domain] = company
        positions = _positions(domain, n_people, rng)
        people: list[Person] = []
        for i in range(n_people):
            if i < len(_FIXED[domain]):
                first, last, _ = _FIXED[domain][i]
            else:
                while True:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    if (first, last) not in used_names:
                        break
            used_names.add((first, last))
            person_id += 1
            has_email = i % 5 != 4
            country, locality = LOCALITIES[i % len(LOCALITIES)]
            email = f"{first}.{last}@{domain}".lower() if has_email else None
            person = Person(
                first=first,
                last=last,
                position=positions[i],
                domain=domain,
                email=email,
                hash=long_hash(seed, domain, i),
                url=f"https://www.linkedin.com/in/{first}-{last}-{person_id}".lower(),
                country=country,
                locality=locality,
                industry=company.industry,
                id=person_id,
            )
            people.append(person)
            db.by_hash[person.hash] = person
            db.by_url[person.url] = person
            if email:
                db.by_email[email] = person
                db.finder[(first.lower(), last.lower(), domain)] = person
                db.verified[email] = Verdict("valid", catchall=domain in CATCH_ALL_DOMAINS)
        db.people[domain] = people
        emails = [p.email for p in people if p.email]
        k = 0
        while len(emails) < n_emails:
            first, last = FIRST_NAMES[k % len(FIRST_NAMES)], LAST_NAMES[(k * 7) % len(LAST_NAMES)]
            candidate = f"{first[0]}{last}{k // 30 or ''}@{domain}".lower()
            if candidate not in emails:
                emails.append(candidate)
            k += 1
        db.domain_emails[domain] = emails[:n_emails]
        db.generic[domain] = [f"{g}@{domain}" for g in _GENERIC[:n_generic]]
    db.verified[GREYLISTED] = Verdict("greylisted")
    db.urls_known = {p.url for p in db.people["acme.com"][:5]}
    return db
