"""Demonstration data for the directory: services of the demo's organisations, fictional but
typical of a market town's partnership, in English and Polish (addresses are made up)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from tracker.clock import utcnow
from tracker.models import DirectoryOrganisation, DirectoryService, Intake, Provider, ServiceLocation

LEARNING_HUB = {"name": "The Learning Hub", "address_1": "5 Nottingham Street", "town": "Melton Mowbray", "postcode": "LE13 1NW",
                "accessibility": {"en": "Step-free entrance and a lift to the first floor. Accessible toilet. Hearing loop at the desk.",
                                  "pl": "Wejście bez schodów i winda na pierwsze piętro. Toaleta dla osób z niepełnosprawnością. "
                                        "Pętla indukcyjna przy ladzie."}}
JOBS_OFFICE = {"name": "Melton Jobs Support office", "address_1": "21 King Street", "town": "Melton Mowbray", "postcode": "LE13 1XB",
               "accessibility": {"en": "Ground floor, step-free. Quiet room on request.",
                                 "pl": "Parter, bez schodów. Cichy pokój na prośbę."}}
ADVICE_CENTRE = {"name": "Melton Money Advice centre", "address_1": "2 Burton Street", "town": "Melton Mowbray", "postcode": "LE13 1AE",
                 "accessibility": {"en": "One small step at the door; a ramp is kept inside, ask at the door.",
                                   "pl": "Jeden mały stopień przy drzwiach; w środku jest rampa, proszę zapytać przy wejściu."}}
BY_PHONE = {"name": "By phone", "kind": "virtual"}

# organisation, name, description, who it is for, cost, when, intake (and weeks), languages, places
SERVICES = [
    ("Melton Adult Learning",
     {"en": "Computer basics for beginners", "pl": "Podstawy obsługi komputera dla początkujących"},
     {"en": "A small, friendly class: using a mouse and keyboard, getting online, email, and staying safe on the internet. "
            "Laptops are provided.",
      "pl": "Mała, przyjazna grupa: obsługa myszy i klawiatury, korzystanie z internetu, poczta e-mail i bezpieczeństwo w sieci. "
            "Zapewniamy laptopy."},
     {"en": "Adults aged 19 and over who live in the Melton borough.", "pl": "Dorośli od 19. roku życia mieszkający w gminie Melton."},
     {"en": "Free", "pl": "Bezpłatnie"},
     {"en": "Tuesdays 10am to 12 noon, in school term time", "pl": "Wtorki od 10:00 do 12:00, w czasie roku szkolnego"},
     (Intake.TAKING_REFERRALS, None), ["en", "pl"], [LEARNING_HUB]),
    ("Melton Adult Learning",
     {"en": "English for speakers of other languages (ESOL)", "pl": "Język angielski dla obcokrajowców (ESOL)"},
     {"en": "Classes in speaking, listening, reading and writing English for everyday life and work, from beginner level.",
      "pl": "Zajęcia z mówienia, słuchania, czytania i pisania po angielsku w życiu codziennym i w pracy, od poziomu początkującego."},
     {"en": "Adults whose first language is not English.", "pl": "Dorośli, dla których angielski nie jest językiem ojczystym."},
     {"en": "Free for most learners; ask us about fees", "pl": "Bezpłatnie dla większości uczestników; prosimy pytać o opłaty"},
     {"en": "Mondays and Thursdays 6pm to 8pm", "pl": "Poniedziałki i czwartki od 18:00 do 20:00"},
     (Intake.WAITING_LIST, 4), ["en", "pl"], [LEARNING_HUB]),
    ("Melton Jobs Support",
     {"en": "CV and job search drop-in", "pl": "Punkt pomocy: CV i szukanie pracy"},
     {"en": "Come in without an appointment for help to write or update your CV, find jobs and apply online.",
      "pl": "Przyjdź bez umawiania się, aby napisać lub zaktualizować CV, znaleźć oferty pracy i złożyć podanie przez internet."},
     {"en": "Anyone looking for work in the Melton area.", "pl": "Każdy, kto szuka pracy w okolicy Melton."},
     {"en": "Free", "pl": "Bezpłatnie"},
     {"en": "Wednesdays 1pm to 4pm", "pl": "Środy od 13:00 do 16:00"},
     (Intake.TAKING_REFERRALS, None), ["en"], [JOBS_OFFICE]),
    ("Melton Jobs Support",
     {"en": "Interview practice", "pl": "Ćwiczenie rozmów kwalifikacyjnych"},
     {"en": "One-to-one practice interviews with an adviser, with advice on what to say and what to wear.",
      "pl": "Indywidualne próbne rozmowy kwalifikacyjne z doradcą, z radami, co mówić i jak się ubrać."},
     {"en": "People with an interview coming up, or who want to be ready for one.",
      "pl": "Osoby, które mają wkrótce rozmowę kwalifikacyjną lub chcą się do niej przygotować."},
     {"en": "Free", "pl": "Bezpłatnie"},
     {"en": "By appointment, Monday to Friday", "pl": "Po umówieniu się, od poniedziałku do piątku"},
     (Intake.WAITING_LIST, 2), ["en"], [JOBS_OFFICE, BY_PHONE]),
    ("Melton Money Advice",
     {"en": "Budgeting and benefits advice", "pl": "Porady dotyczące budżetu i zasiłków"},
     {"en": "Free, confidential help to make a budget, check which benefits you can get, apply for them and deal with bills.",
      "pl": "Bezpłatna, poufna pomoc w ułożeniu budżetu, sprawdzeniu, jakie zasiłki przysługują, złożeniu wniosku i opłacaniu rachunków."},
     {"en": "Residents of the Melton borough.", "pl": "Mieszkańcy gminy Melton."},
     {"en": "Free", "pl": "Bezpłatnie"},
     {"en": "Monday to Friday 9.30am to 4pm; phone line 10am to 2pm", "pl": "Od poniedziałku do piątku od 9:30 do 16:00; telefon od 10:00 do 14:00"},
     (Intake.WAITING_LIST, 3), ["en", "pl"], [ADVICE_CENTRE, BY_PHONE]),
    ("Melton Money Advice",
     {"en": "Help to open a bank account", "pl": "Pomoc w założeniu konta bankowego"},
     {"en": "We help you choose a basic bank account, gather the documents you need and open it, in person or online.",
      "pl": "Pomagamy wybrać podstawowe konto bankowe, zebrać potrzebne dokumenty i założyć je osobiście lub przez internet."},
     {"en": "Anyone without a bank account, including people without a fixed address.",
      "pl": "Każdy bez konta bankowego, także osoby bez stałego adresu."},
     {"en": "Free", "pl": "Bezpłatnie"},
     {"en": "By appointment", "pl": "Po umówieniu się"},
     (Intake.TAKING_REFERRALS, None), ["en", "pl"], [ADVICE_CENTRE]),
]

CONTACTS = {"Melton Adult Learning": ("01664 000101", "learning@example.org", "https://learning.example.org/"),
            "Melton Jobs Support": ("01664 000202", "jobs@example.org", None),
            "Melton Money Advice": ("01664 000303", "advice@example.org", "https://advice.example.org/")}


def load_demo_services(db: Session, providers: dict[str, Provider]) -> list[DirectoryService]:
    """The demo's services and where they are offered (not committed)."""
    now = utcnow()
    for provider in providers.values():  # each member of the partnership is in the directory, under its own id
        db.add(DirectoryOrganisation(id=provider.id, provider_id=provider.id, updated_at=now))
    db.flush()
    services = []
    for n, (organisation, name, description, eligibility, cost, when, (intake, weeks), languages, places) in enumerate(SERVICES):
        phone, email, url = CONTACTS[organisation]
        service = DirectoryService(organisation_id=providers[organisation].id, name=name, description=description, eligibility=eligibility,
                                   cost=cost, opening_times=when, intake=str(intake), wait_weeks=weeks, languages=languages,
                                   phone=phone, email=email, url=url, last_checked_at=now - timedelta(days=7 * n), updated_at=now)
        db.add(service)
        db.flush()
        for place in places:
            db.add(ServiceLocation(service_id=service.id, **place))
        services.append(service)
    return services
