"""The demo directory's table: the organisations and services of a market town's partnership
(Melton Mowbray), fictional but typical, in English and Polish. Addresses are made up (LE13
postcodes), phone numbers are 01664 000xxx and e-mail and web addresses are example.org.

The three members of the partnership (tracker/commands/demo.py, PROVIDERS) come first; then the
organisations in the directory that are not (yet) members, each with its contact details, which
its services share. Read by tracker/commands/demo_services.py."""

from __future__ import annotations

from typing import NamedTuple

from tracker.models import Intake, ServiceStatus

TOWN = "Melton Mowbray"


def _place(name: str, address_1: str, postcode: str, en: str, pl: str) -> dict:
    return {"name": name, "address_1": address_1, "town": TOWN, "postcode": postcode, "accessibility": {"en": en, "pl": pl}}


# --- Where services are offered -----------------------------------------------------------

LEARNING_HUB = _place("The Learning Hub", "5 Nottingham Street", "LE13 1NW",
                      "Step-free entrance and a lift to the first floor. Accessible toilet. Hearing loop at the desk.",
                      "Wejście bez schodów i winda na pierwsze piętro. Toaleta dla osób z niepełnosprawnością. "
                      "Pętla indukcyjna przy ladzie.")
JOBS_OFFICE = _place("Melton Jobs Support office", "21 King Street", "LE13 1XB",
                     "Ground floor, step-free. Quiet room on request.",
                     "Parter, bez schodów. Cichy pokój na prośbę.")
ADVICE_CENTRE = _place("Melton Money Advice centre", "2 Burton Street", "LE13 1AE",
                       "One small step at the door; a ramp is kept inside, ask at the door.",
                       "Jeden mały stopień przy drzwiach; w środku jest rampa, proszę zapytać przy wejściu.")
LIBRARY = _place("Melton Mowbray Library", "14 Wilton Road", "LE13 0UJ",
                 "Step-free entrance from the car park and a lift to every floor. Accessible toilet and baby changing. "
                 "Large-print books and audiobooks.",
                 "Wejście bez schodów od strony parkingu i winda na każde piętro. Toaleta dla osób z niepełnosprawnością "
                 "i przewijak. Książki z dużym drukiem i audiobooki.")
COUNCIL_OFFICES = _place("Council offices", "7 Station Approach", "LE13 1GH",
                         "Step-free, with automatic doors. Hearing loop and a private interview room at reception.",
                         "Bez schodów, z automatycznymi drzwiami. Pętla indukcyjna i osobny pokój do rozmów przy recepcji.")
CITIZENS_OFFICE = _place("Citizens Advice office", "11 Norman Way", "LE13 1JE",
                         "Ground floor, step-free. We can book an interpreter: say so when you get in touch.",
                         "Parter, bez schodów. Możemy zamówić tłumacza: powiedz nam o tym, kontaktując się z nami.")
DIGITAL_DEN = _place("The Digital Den", "33 Sherrard Street", "LE13 1XJ",
                     "Step-free. Adjustable desks, and large keyboards and screen readers on two computers.",
                     "Bez schodów. Biurka z regulacją wysokości, a przy dwóch komputerach duże klawiatury i czytniki ekranu.")
CHURCH_HALL = _place("Sage Cross Church Hall", "9 Sage Cross Street", "LE13 1NX",
                     "Ramp at the side door. Seats while you wait. Accessible toilet.",
                     "Rampa przy bocznych drzwiach. Miejsca do siedzenia w czasie oczekiwania. Toaleta dla osób z niepełnosprawnością.")
COMMUNITY_CENTRE = _place("Wreake Community Centre", "3 Sandy Lane", "LE13 0AP",
                          "All on one level, step-free. Free parking, with two disabled bays by the door.",
                          "Wszystko na jednym poziomie, bez schodów. Bezpłatny parking, w tym dwa miejsca dla osób "
                          "z niepełnosprawnością przy wejściu.")
FAMILY_HUB = _place("Melton Family Hub", "60 Scalford Road", "LE13 1JY",
                    "Step-free, with room for pushchairs. Baby changing, and a quiet room for feeding.",
                    "Bez schodów, z miejscem na wózki dziecięce. Przewijak i cichy pokój do karmienia.")
HEALTH_CENTRE = _place("Thorpe Road Health Centre", "18 Thorpe Road", "LE13 1SE",
                       "Step-free, with a lift. Hearing loop at reception. Accessible toilets on each floor.",
                       "Bez schodów, z windą. Pętla indukcyjna w recepcji. Toalety dla osób z niepełnosprawnością na każdym piętrze.")
RECOVERY_HUB = _place("The Recovery Hub", "8 Park Road", "LE13 1TT",
                      "Ground floor, step-free. There is a side entrance if you would rather not use the front door.",
                      "Parter, bez schodów. Jest też boczne wejście, jeśli wolisz nie wchodzić od frontu.")
CARERS_CENTRE = _place("Melton Carers' Centre", "27 High Street", "LE13 0TR",
                       "Three steps at the front door, with a handrail. We can meet you at the library instead: ask when you call.",
                       "Trzy stopnie przy drzwiach wejściowych, z poręczą. Możemy też spotkać się w bibliotece: zapytaj, gdy zadzwonisz.")
AGE_OFFICE = _place("Age Friendly Melton office", "15 Leicester Street", "LE13 0PP",
                    "Step-free. Chairs with arms, and a hearing loop. Home visits for people who cannot get out.",
                    "Bez schodów. Krzesła z podłokietnikami i pętla indukcyjna. Wizyty domowe dla osób, które nie mogą wyjść z domu.")
VOLUNTEER_CENTRE = _place("Voluntary Action Melton", "6 Windsor Street", "LE13 1BU",
                          "First floor, up stairs only. We can meet you on the ground floor of the library instead.",
                          "Pierwsze piętro, tylko po schodach. Możemy też spotkać się na parterze biblioteki.")
YOUTH_CENTRE = _place("Melton Youth Zone", "2 Asfordby Road", "LE13 0HR",
                      "Step-free, with an accessible toilet and a quiet room.",
                      "Bez schodów, z toaletą dla osób z niepełnosprawnością i cichym pokojem.")
WORKSHOP = _place("The Shed workshop", "Unit 4, Snow Hill Industrial Estate", "LE13 1PD",
                  "A step-free workshop with wide doors. Some benches can be lowered for wheelchair users.",
                  "Warsztat bez schodów, z szerokimi drzwiami. Część stołów warsztatowych można obniżyć dla osób na wózkach.")
BY_PHONE = {"name": "By phone", "kind": "virtual"}


# --- Organisations ----------------------------------------------------------------------------

class Organisation(NamedTuple):
    """An organisation in the directory that is not a member of the partnership."""
    name: str
    description: dict
    phone: str
    email: str
    url: str | None


# The members' contact details (their names and descriptions are their providers').
MEMBER_CONTACTS = {"Melton Adult Learning": ("01664 000101", "learning@example.org", "https://learning.example.org/"),
                   "Melton Jobs Support": ("01664 000202", "jobs@example.org", None),
                   "Melton Money Advice": ("01664 000303", "advice@example.org", "https://advice.example.org/")}

ORGANISATIONS = [
    Organisation("Melton Citizens Advice",
                 {"en": "Free, independent and confidential advice on benefits, work, debt, housing, consumer problems and immigration.",
                  "pl": "Bezpłatne, niezależne i poufne porady w sprawach zasiłków, pracy, długów, mieszkania, praw konsumenta "
                        "i imigracji."},
                 "01664 000410", "contact@citizens.example.org", "https://citizens.example.org/"),
    Organisation("Melton Council Housing Options",
                 {"en": "The borough council's housing team: help if you are homeless or could lose your home, the housing register, "
                        "and advice for tenants.",
                  "pl": "Zespół mieszkaniowy rady gminy: pomoc, gdy nie masz gdzie mieszkać lub możesz stracić dom, lista "
                        "oczekujących na mieszkanie komunalne i porady dla najemców."},
                 "01664 000420", "housing@council.example.org", "https://council.example.org/housing"),
    Organisation("Melton Mowbray Library",
                 {"en": "The town's public library: books, computers, Wi-Fi, printing, and groups for all ages.",
                  "pl": "Miejska biblioteka publiczna: książki, komputery, Wi-Fi, drukowanie i zajęcia dla osób w każdym wieku."},
                 "01664 000430", "library@example.org", "https://library.example.org/"),
    Organisation("Get Online Melton",
                 {"en": "The digital inclusion hub: lends laptops and tablets, gives away mobile data, and helps people get online "
                        "with confidence.",
                  "pl": "Centrum włączenia cyfrowego: wypożycza laptopy i tablety, rozdaje karty z internetem mobilnym i pomaga "
                        "pewnie korzystać z sieci."},
                 "01664 000440", "hello@getonline.example.org", "https://getonline.example.org/"),
    Organisation("Melton Community Larder",
                 {"en": "A food bank and low-cost community larder, run by volunteers from local churches and businesses.",
                  "pl": "Bank żywności i tania spiżarnia społeczna, prowadzone przez wolontariuszy z miejscowych parafii i firm."},
                 "01664 000450", "larder@example.org", "https://larder.example.org/"),
    Organisation("Melton Carers' Network",
                 {"en": "Support for unpaid carers: anyone who looks after a relative, partner or friend who could not manage "
                        "without them.",
                  "pl": "Wsparcie dla opiekunów nieformalnych, czyli osób, które opiekują się krewnym, partnerem lub przyjacielem, "
                        "który bez nich by sobie nie poradził."},
                 "01664 000460", "carers@example.org", "https://carers.example.org/"),
    Organisation("Melton Recovery Service",
                 {"en": "Free, confidential support for adults who want to change their drinking or drug use, and for the people "
                        "close to them.",
                  "pl": "Bezpłatne, poufne wsparcie dla dorosłych, którzy chcą ograniczyć picie alkoholu lub zażywanie narkotyków, "
                        "oraz dla ich bliskich."},
                 "01664 000470", "recovery@example.org", "https://recovery.example.org/"),
    Organisation("Melton Talking Therapies",
                 {"en": "The NHS talking therapies service for adults with anxiety, depression or stress.",
                  "pl": "Poradnia NHS (publicznej służby zdrowia) oferująca terapię rozmową dorosłym, którzy zmagają się z lękiem, "
                        "depresją lub stresem."},
                 "01664 000480", "talking@example.org", "https://talking.example.org/"),
    Organisation("Melton Minds",
                 {"en": "A local mental health charity: peer support, a weekly wellbeing café and a listening ear.",
                  "pl": "Lokalna organizacja charytatywna działająca na rzecz zdrowia psychicznego: wsparcie osób z podobnymi "
                        "doświadczeniami, cotygodniowa kawiarenka wsparcia i ktoś, kto wysłucha."},
                 "01664 000490", "hello@minds.example.org", "https://minds.example.org/"),
    Organisation("Wreake Valley Credit Union",
                 {"en": "A not-for-profit savings and loans co-operative for people who live or work in Melton and Rutland.",
                  "pl": "Spółdzielnia oszczędnościowo-pożyczkowa non-profit dla osób, które mieszkają lub pracują w Melton i Rutland."},
                 "01664 000510", "save@creditunion.example.org", "https://creditunion.example.org/"),
    Organisation("Voluntary Action Melton",
                 {"en": "The borough's volunteering centre: it matches volunteers with local groups and supports community "
                        "organisations.",
                  "pl": "Centrum wolontariatu gminy: łączy wolontariuszy z lokalnymi grupami i wspiera organizacje społeczne."},
                 "01664 000520", "volunteer@example.org", "https://volunteer.example.org/"),
    Organisation("Melton Family Hub",
                 {"en": "The county's family hub: support for families with children and young people aged 0 to 19 (up to 25 with "
                        "special educational needs or disabilities).",
                  "pl": "Centrum wsparcia rodzin prowadzone przez hrabstwo: pomoc dla rodzin z dziećmi i młodzieżą w wieku od 0 "
                        "do 19 lat (do 25 lat w przypadku specjalnych potrzeb edukacyjnych lub niepełnosprawności)."},
                 "01664 000530", "familyhub@example.org", "https://familyhub.example.org/"),
    Organisation("Melton Community Transport",
                 {"en": "Volunteer drivers and a wheelchair-accessible minibus for people who cannot use the bus: to appointments, "
                        "the shops and clubs.",
                  "pl": "Kierowcy-wolontariusze i minibus przystosowany do przewozu wózków dla osób, które nie mogą jeździć "
                        "autobusem: na wizyty, na zakupy i na zajęcia."},
                 "01664 000540", "transport@example.org", None),
    Organisation("Melton Safe Space",
                 {"en": "Confidential support for anyone experiencing domestic abuse, whatever their gender, age or background.",
                  "pl": "Poufne wsparcie dla każdej osoby doświadczającej przemocy domowej, bez względu na płeć, wiek czy pochodzenie."},
                 "01664 000550", "support@safespace.example.org", "https://safespace.example.org/"),
    Organisation("Age Friendly Melton",
                 {"en": "A local charity for older people: advice on pensions and benefits, befriending, and help to stay "
                        "independent at home.",
                  "pl": "Lokalna organizacja charytatywna dla osób starszych: porady w sprawie emerytur i świadczeń, kontakt "
                        "z wolontariuszami i pomoc w samodzielnym życiu we własnym domu."},
                 "01664 000560", "hello@agefriendly.example.org", "https://agefriendly.example.org/"),
    Organisation("Melton Welcome",
                 {"en": "A volunteer group welcoming refugees and people new to the country: advice, English conversation and "
                        "new friends.",
                  "pl": "Grupa wolontariuszy, która wspiera uchodźców i osoby nowo przybyłe do kraju: porady, rozmowy po angielsku "
                        "i nowe znajomości."},
                 "01664 000570", "welcome@example.org", "https://welcome.example.org/"),
    Organisation("Leicestershire Debt Line",
                 {"en": "A free, confidential debt advice line for people across Leicestershire and Rutland.",
                  "pl": "Bezpłatna, poufna infolinia z poradami w sprawie długów dla mieszkańców Leicestershire i Rutland."},
                 "01664 000580", "debtline@example.org", "https://debtline.example.org/"),
    Organisation("Melton Youth Zone",
                 {"en": "Youth work for young people aged 11 to 19 (up to 25 with a disability): open sessions, trips and "
                        "one-to-one support.",
                  "pl": "Zajęcia dla młodzieży w wieku od 11 do 19 lat (do 25 lat w przypadku niepełnosprawności): spotkania "
                        "otwarte, wycieczki i wsparcie indywidualne."},
                 "01664 000590", "youth@example.org", "https://youth.example.org/"),
    Organisation("Melton Men's Shed",
                 {"en": "A community workshop where people, mostly men, meet to make and mend things, share skills and talk.",
                  "pl": "Warsztat społeczny, w którym ludzie, głównie mężczyźni, spotykają się, żeby coś zrobić lub naprawić, "
                        "podzielić się umiejętnościami i porozmawiać."},
                 "01664 000610", "shed@example.org", None),
    Organisation("Warm Homes Melton",
                 {"en": "Free, impartial advice on energy bills, keeping warm, and grants for insulation and heating.",
                  "pl": "Bezpłatne, bezstronne porady w sprawie rachunków za energię, ogrzewania domu oraz dotacji na ocieplenie "
                        "i ogrzewanie."},
                 "01664 000620", "warmhomes@example.org", "https://warmhomes.example.org/"),
]


# --- Services ---------------------------------------------------------------------------------

FREE = {"en": "Free", "pl": "Bezpłatnie"}


class Service(NamedTuple):
    """A service, with whether it takes people now (and roughly how many weeks' wait), the
    languages its staff speak (ISO 639-1), where it is offered, and how many days ago its
    organisation last said all this is right."""
    organisation: str
    name: dict
    description: dict
    eligibility: dict
    cost: dict
    when: dict
    intake: tuple[Intake, int | None]
    languages: list[str]
    places: list[dict]
    checked_days_ago: int
    status: ServiceStatus = ServiceStatus.ACTIVE


SERVICES = [
    # The members of the partnership
    Service("Melton Adult Learning",
            {"en": "Computer basics for beginners", "pl": "Podstawy obsługi komputera dla początkujących"},
            {"en": "A small, friendly class: using a mouse and keyboard, getting online, email, and staying safe on the internet. "
                   "Laptops are provided.",
             "pl": "Mała, przyjazna grupa: obsługa myszy i klawiatury, korzystanie z internetu, poczta e-mail i bezpieczeństwo "
                   "w sieci. Zapewniamy laptopy."},
            {"en": "Adults aged 19 and over who live in the Melton borough.", "pl": "Dorośli od 19. roku życia mieszkający w gminie Melton."},
            FREE,
            {"en": "Tuesdays 10am to 12 noon, in school term time", "pl": "Wtorki od 10:00 do 12:00, w czasie roku szkolnego"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [LEARNING_HUB], 0),
    Service("Melton Adult Learning",
            {"en": "English for speakers of other languages (ESOL)", "pl": "Język angielski dla obcokrajowców (ESOL)"},
            {"en": "Classes in speaking, listening, reading and writing English for everyday life and work, from beginner level.",
             "pl": "Zajęcia z mówienia, słuchania, czytania i pisania po angielsku w życiu codziennym i w pracy, od poziomu "
                   "początkującego."},
            {"en": "Adults whose first language is not English.", "pl": "Dorośli, dla których angielski nie jest językiem ojczystym."},
            {"en": "Free for most learners; ask us about fees", "pl": "Bezpłatnie dla większości uczestników; prosimy pytać o opłaty"},
            {"en": "Mondays and Thursdays 6pm to 8pm", "pl": "Poniedziałki i czwartki od 18:00 do 20:00"},
            (Intake.WAITING_LIST, 4), ["en", "pl"], [LEARNING_HUB], 7),
    Service("Melton Jobs Support",
            {"en": "CV and job search drop-in", "pl": "Punkt pomocy: CV i szukanie pracy"},
            {"en": "Come in without an appointment for help to write or update your CV, find jobs and apply online.",
             "pl": "Przyjdź bez umawiania się, aby napisać lub zaktualizować CV, znaleźć oferty pracy i złożyć podanie przez internet."},
            {"en": "Anyone looking for work in the Melton area.", "pl": "Każdy, kto szuka pracy w okolicy Melton."},
            FREE,
            {"en": "Wednesdays 1pm to 4pm", "pl": "Środy od 13:00 do 16:00"},
            (Intake.TAKING_REFERRALS, None), ["en"], [JOBS_OFFICE], 14),
    Service("Melton Jobs Support",
            {"en": "Interview practice", "pl": "Ćwiczenie rozmów kwalifikacyjnych"},
            {"en": "One-to-one practice interviews with an adviser, with advice on what to say and what to wear.",
             "pl": "Indywidualne próbne rozmowy kwalifikacyjne z doradcą, z radami, co mówić i jak się ubrać."},
            {"en": "People with an interview coming up, or who want to be ready for one.",
             "pl": "Osoby, które mają wkrótce rozmowę kwalifikacyjną lub chcą się do niej przygotować."},
            FREE,
            {"en": "By appointment, Monday to Friday", "pl": "Po umówieniu się, od poniedziałku do piątku"},
            (Intake.WAITING_LIST, 2), ["en"], [JOBS_OFFICE, BY_PHONE], 21),
    Service("Melton Money Advice",
            {"en": "Budgeting and benefits advice", "pl": "Porady dotyczące budżetu i zasiłków"},
            {"en": "Free, confidential help to make a budget, check which benefits you can get, apply for them and deal with bills.",
             "pl": "Bezpłatna, poufna pomoc w ułożeniu budżetu, sprawdzeniu, jakie zasiłki przysługują, złożeniu wniosku "
                   "i opłacaniu rachunków."},
            {"en": "Residents of the Melton borough.", "pl": "Mieszkańcy gminy Melton."},
            FREE,
            {"en": "Monday to Friday 9.30am to 4pm; phone line 10am to 2pm",
             "pl": "Od poniedziałku do piątku od 9:30 do 16:00; telefon od 10:00 do 14:00"},
            (Intake.WAITING_LIST, 3), ["en", "pl"], [ADVICE_CENTRE, BY_PHONE], 28),
    Service("Melton Money Advice",
            {"en": "Help to open a bank account", "pl": "Pomoc w założeniu konta bankowego"},
            {"en": "We help you choose a basic bank account, gather the documents you need and open it, in person or online.",
             "pl": "Pomagamy wybrać podstawowe konto bankowe, zebrać potrzebne dokumenty i założyć je osobiście lub przez internet."},
            {"en": "Anyone without a bank account, including people without a fixed address.",
             "pl": "Każdy bez konta bankowego, także osoby bez stałego adresu."},
            FREE,
            {"en": "By appointment", "pl": "Po umówieniu się"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [ADVICE_CENTRE], 35),

    # Advice, money and housing
    Service("Melton Citizens Advice",
            {"en": "General advice", "pl": "Porady ogólne"},
            {"en": "Talk to an adviser about benefits, work, housing, debt, consumer rights or immigration. We help you understand "
                   "your options and what to do next.",
             "pl": "Porozmawiaj z doradcą o zasiłkach, pracy, mieszkaniu, długach, prawach konsumenta lub sprawach imigracyjnych. "
                   "Pomożemy Ci zrozumieć, jakie masz możliwości i co zrobić dalej."},
            {"en": "Anyone who lives or works in the Melton borough.", "pl": "Każdy, kto mieszka lub pracuje w gminie Melton."},
            FREE,
            {"en": "Drop-in Mondays and Wednesdays 10am to 1pm; phone line Monday to Friday 9am to 5pm",
             "pl": "Bez umawiania się w poniedziałki i środy od 10:00 do 13:00; telefon od poniedziałku do piątku od 9:00 do 17:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl", "ro"], [CITIZENS_OFFICE, BY_PHONE], 5),
    Service("Melton Citizens Advice",
            {"en": "Help to claim Universal Credit", "pl": "Pomoc w złożeniu wniosku o Universal Credit"},
            {"en": "Step-by-step help to make a Universal Credit claim online, get ready for your first Jobcentre appointment and "
                   "get your first payment.",
             "pl": "Pomoc krok po kroku w złożeniu wniosku o Universal Credit przez internet, w przygotowaniu się do pierwszej "
                   "wizyty w Jobcentre i w otrzymaniu pierwszej wypłaty."},
            {"en": "Anyone applying for Universal Credit, or who has just applied.",
             "pl": "Każdy, kto składa wniosek o Universal Credit lub właśnie go złożył."},
            FREE,
            {"en": "Monday to Friday 9am to 5pm, by phone", "pl": "Od poniedziałku do piątku od 9:00 do 17:00, telefonicznie"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [BY_PHONE], 12),
    Service("Melton Council Housing Options",
            {"en": "Housing options and homelessness advice", "pl": "Porady mieszkaniowe i pomoc w razie bezdomności"},
            {"en": "If you are homeless, or worried you will lose your home, we look at your situation with you and agree a plan. "
                   "We also help you join the housing register.",
             "pl": "Jeśli nie masz gdzie mieszkać lub obawiasz się utraty domu, wspólnie przyjrzymy się Twojej sytuacji i ustalimy "
                   "plan działania. Pomagamy też zapisać się na listę oczekujących na mieszkanie komunalne."},
            {"en": "Anyone in the Melton borough who is homeless, or could be within the next eight weeks.",
             "pl": "Każdy mieszkaniec gminy Melton, który nie ma gdzie mieszkać lub może stracić dach nad głową w ciągu "
                   "najbliższych ośmiu tygodni."},
            FREE,
            {"en": "Monday to Friday 9am to 5pm. Out of hours, if you have nowhere to stay tonight, call and choose option 1.",
             "pl": "Od poniedziałku do piątku od 9:00 do 17:00. Poza tymi godzinami, jeśli nie masz gdzie spędzić nocy, "
                   "zadzwoń i wybierz opcję 1."},
            (Intake.TAKING_REFERRALS, None), ["en"], [COUNCIL_OFFICES, BY_PHONE], 20),
    Service("Leicestershire Debt Line",
            {"en": "Free debt advice by phone", "pl": "Bezpłatne porady w sprawie długów przez telefon"},
            {"en": "An adviser looks at what you owe and what you can afford, deals with the people you owe money to, and helps "
                   "with debt solutions such as a Debt Relief Order or Breathing Space.",
             "pl": "Doradca przeanalizuje Twoje długi i to, na jakie spłaty Cię stać, skontaktuje się z wierzycielami i pomoże "
                   "wybrać rozwiązanie, takie jak Debt Relief Order czy Breathing Space."},
            {"en": "Anyone in Leicestershire or Rutland who is struggling to pay their debts.",
             "pl": "Każdy mieszkaniec Leicestershire lub Rutland, który ma trudności ze spłatą długów."},
            {"en": "Free; we never charge you or sell your details", "pl": "Bezpłatnie; nigdy nie pobieramy opłat ani nie sprzedajemy Twoich danych"},
            {"en": "Monday to Friday 9am to 8pm, Saturday 9.30am to 1pm",
             "pl": "Od poniedziałku do piątku od 9:00 do 20:00, w soboty od 9:30 do 13:00"},
            (Intake.WAITING_LIST, 2), ["en"], [BY_PHONE], 13),
    Service("Wreake Valley Credit Union",
            {"en": "Savings accounts and affordable loans", "pl": "Konta oszczędnościowe i tanie pożyczki"},
            {"en": "Save from £1 a week, straight from your wages or benefits, and borrow at a fair rate when you need to: far "
                   "cheaper than payday or doorstep lenders.",
             "pl": "Oszczędzaj już od 1 funta tygodniowo, prosto z wynagrodzenia lub zasiłku, i pożyczaj na uczciwych warunkach, "
                   "gdy zajdzie potrzeba: dużo taniej niż chwilówki czy pożyczki udzielane w domu klienta."},
            {"en": "Anyone aged 16 or over who lives or works in Melton or Rutland.",
             "pl": "Każdy od 16. roku życia, kto mieszka lub pracuje w Melton lub w Rutland."},
            {"en": "Free to join; loans from 1% a month", "pl": "Członkostwo bezpłatne; pożyczki od 1% miesięcznie"},
            {"en": "At the library on Wednesdays 10am to 1pm; by phone Monday to Friday",
             "pl": "W bibliotece w środy od 10:00 do 13:00; telefonicznie od poniedziałku do piątku"},
            (Intake.TAKING_REFERRALS, None), ["en"], [LIBRARY, BY_PHONE], 75),
    Service("Warm Homes Melton",
            {"en": "Energy bills and warm home advice", "pl": "Porady w sprawie rachunków za energię i ogrzewania domu"},
            {"en": "Help to understand your energy bills, move to a cheaper tariff, deal with a prepayment meter, and apply for "
                   "grants for insulation or a new boiler. An adviser can visit you at home.",
             "pl": "Pomoc w zrozumieniu rachunków za energię, przejściu na tańszą taryfę, sprawach licznika przedpłatowego "
                   "i złożeniu wniosku o dotację na ocieplenie lub nowy piec. Doradca może odwiedzić Cię w domu."},
            {"en": "Households in the Melton borough, especially on a low income or with a health condition the cold makes worse.",
             "pl": "Gospodarstwa domowe w gminie Melton, zwłaszcza o niskich dochodach lub gdy ktoś choruje, a zimno pogarsza "
                   "jego stan."},
            FREE,
            {"en": "Monday to Friday 9am to 5pm, by phone; home visits by appointment",
             "pl": "Od poniedziałku do piątku od 9:00 do 17:00, telefonicznie; wizyty domowe po umówieniu się"},
            (Intake.TAKING_REFERRALS, None), ["en"], [BY_PHONE], 18),

    # Getting online, the library, food
    Service("Melton Mowbray Library",
            {"en": "Free computers, Wi-Fi and printing", "pl": "Bezpłatne komputery, Wi-Fi i drukowanie"},
            {"en": "Use a computer for up to two hours a day, or bring your own device and use the free Wi-Fi. Staff can help you "
                   "get started.",
             "pl": "Korzystaj z komputera do dwóch godzin dziennie albo przynieś własne urządzenie i połącz się z bezpłatnym Wi-Fi. "
                   "Pracownicy biblioteki pomogą Ci zacząć."},
            {"en": "Anyone. Joining the library is free: bring something with your address on it.",
             "pl": "Każdy. Zapisanie się do biblioteki jest bezpłatne: wystarczy dokument z Twoim adresem."},
            {"en": "Free; printing 10p a page", "pl": "Bezpłatnie; drukowanie 10 pensów za stronę"},
            {"en": "Monday to Friday 9am to 6pm, Saturday 9am to 1pm",
             "pl": "Od poniedziałku do piątku od 9:00 do 18:00, w soboty od 9:00 do 13:00"},
            (Intake.TAKING_REFERRALS, None), ["en"], [LIBRARY], 9),
    Service("Melton Mowbray Library",
            {"en": "Home library service", "pl": "Biblioteka z dowozem do domu"},
            {"en": "Volunteers bring books, audiobooks and large-print books to your home every three weeks, chosen with you. We "
                   "are not taking new readers until we have more volunteer drivers.",
             "pl": "Co trzy tygodnie wolontariusze przywożą do domu książki, audiobooki i książki z dużym drukiem, wybrane razem "
                   "z Tobą. Nowych czytelników przyjmiemy, gdy znajdziemy więcej wolontariuszy-kierowców."},
            {"en": "People who cannot get to the library because of illness, disability or caring for someone.",
             "pl": "Osoby, które nie mogą dotrzeć do biblioteki z powodu choroby, niepełnosprawności lub opieki nad kimś."},
            FREE,
            {"en": "Visits on weekdays, at a time agreed with you", "pl": "Wizyty w dni powszednie, w godzinach ustalonych z Tobą"},
            (Intake.NOT_TAKING, None), ["en"], [BY_PHONE], 45),
    Service("Get Online Melton",
            {"en": "Laptop, tablet and mobile data loans", "pl": "Wypożyczanie laptopów i tabletów, internet mobilny"},
            {"en": "Borrow a laptop or tablet for up to three months, or get a free SIM card with mobile data, so that you can "
                   "look for work, study or keep in touch.",
             "pl": "Wypożycz laptopa lub tablet na maksymalnie trzy miesiące albo odbierz bezpłatną kartę SIM z internetem "
                   "mobilnym, żeby szukać pracy, uczyć się lub być w kontakcie z bliskimi."},
            {"en": "Residents of the Melton borough on a low income with no device or internet at home.",
             "pl": "Mieszkańcy gminy Melton o niskich dochodach, którzy nie mają w domu urządzenia ani internetu."},
            FREE,
            {"en": "Collect by appointment, Tuesday to Friday", "pl": "Odbiór po umówieniu się, od wtorku do piątku"},
            (Intake.WAITING_LIST, 6), ["en", "pl", "lt"], [DIGITAL_DEN], 3),
    Service("Get Online Melton",
            {"en": "One-to-one digital help", "pl": "Indywidualna pomoc z komputerem i telefonem"},
            {"en": "Bring your phone, tablet or laptop and a digital champion will help with whatever you need: email, video "
                   "calls, online forms, the NHS App or shopping safely online.",
             "pl": "Przynieś telefon, tablet lub laptopa, a nasz cyfrowy wolontariusz pomoże Ci w tym, czego potrzebujesz: "
                   "z pocztą e-mail, rozmowami wideo, formularzami w internecie, aplikacją NHS czy bezpiecznymi zakupami w sieci."},
            {"en": "Anyone who would like help to use technology.", "pl": "Każdy, kto potrzebuje pomocy w korzystaniu z technologii."},
            FREE,
            {"en": "Drop-in Thursdays 10am to 12 noon; other times by appointment",
             "pl": "Czwartki od 10:00 do 12:00 bez umawiania się; w innych terminach po umówieniu się"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [DIGITAL_DEN, LIBRARY], 3),
    Service("Melton Community Larder",
            {"en": "Emergency food parcels", "pl": "Paczki żywnościowe w nagłej potrzebie"},
            {"en": "Three days of nutritious food, with toiletries and nappies if you need them. You need a food voucher: an "
                   "adviser, your GP, a school or the council can give you one.",
             "pl": "Żywność na trzy dni, a w razie potrzeby także środki higieniczne i pieluchy. Potrzebny jest bon żywnościowy: "
                   "możesz go dostać od doradcy, lekarza rodzinnego, szkoły lub urzędu gminy."},
            {"en": "Anyone in crisis who cannot afford food, with a voucher.",
             "pl": "Każda osoba w trudnej sytuacji, której nie stać na jedzenie, z bonem żywnościowym."},
            FREE,
            {"en": "Tuesdays and Fridays 11am to 2pm", "pl": "Wtorki i piątki od 11:00 do 14:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl", "ro"], [CHURCH_HALL], 14),
    Service("Melton Community Larder",
            {"en": "Community larder membership", "pl": "Członkostwo w spiżarni społecznej"},
            {"en": "Members choose ten or more items of food and household essentials each week for a small fee, saving about "
                   "£15 a shop.",
             "pl": "Co tydzień członkowie wybierają co najmniej dziesięć produktów spożywczych i artykułów domowych za niewielką "
                   "opłatą, oszczędzając około 15 funtów na każdych zakupach."},
            {"en": "Households in the Melton borough on a low income.", "pl": "Gospodarstwa domowe w gminie Melton o niskich dochodach."},
            {"en": "£4 a week", "pl": "4 funty tygodniowo"},
            {"en": "Saturdays 10am to 12 noon", "pl": "Soboty od 10:00 do 12:00"},
            (Intake.WAITING_LIST, 5), ["en", "pl"], [CHURCH_HALL], 14),

    # Health, care and wellbeing
    Service("Melton Carers' Network",
            {"en": "Support for unpaid carers", "pl": "Wsparcie dla opiekunów nieformalnych"},
            {"en": "A carer's assessment, advice on money and on taking a break, a monthly carers' café, and someone to talk to "
                   "when it all gets too much.",
             "pl": "Ocena potrzeb opiekuna, porady w sprawie pieniędzy i odpoczynku od opieki, comiesięczna kawiarenka dla "
                   "opiekunów i ktoś, z kim można porozmawiać, gdy wszystko staje się zbyt trudne."},
            {"en": "Adults who, without being paid, look after someone who is ill, disabled or older, or has a mental health "
                   "problem or an addiction.",
             "pl": "Dorośli, którzy bez wynagrodzenia opiekują się osobą chorą, z niepełnosprawnością, starszą, z problemami "
                   "psychicznymi lub uzależnieniem."},
            FREE,
            {"en": "Monday to Friday 9am to 4pm; carers' café on the first Wednesday of the month, 2pm to 4pm",
             "pl": "Od poniedziałku do piątku od 9:00 do 16:00; kawiarenka dla opiekunów w pierwszą środę miesiąca od 14:00 do 16:00"},
            (Intake.WAITING_LIST, 2), ["en"], [CARERS_CENTRE, BY_PHONE], 60),
    Service("Melton Recovery Service",
            {"en": "Drug and alcohol support", "pl": "Pomoc w problemach z alkoholem i narkotykami"},
            {"en": "Talk to a recovery worker in confidence, make a plan that suits you, and join groups with other people in "
                   "recovery. Families can get help too.",
             "pl": "Porozmawiaj w zaufaniu z terapeutą uzależnień, ułóż plan, który Ci odpowiada, i dołącz do grup z innymi "
                   "osobami, które wychodzą z uzależnienia. Pomagamy także rodzinom."},
            {"en": "Adults aged 18 and over in the Melton borough, and their families. You can refer yourself.",
             "pl": "Dorośli od 18. roku życia z gminy Melton oraz ich rodziny. Można zgłosić się samodzielnie."},
            FREE,
            {"en": "Monday to Friday 9am to 5pm; Thursdays until 8pm",
             "pl": "Od poniedziałku do piątku od 9:00 do 17:00; w czwartki do 20:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [RECOVERY_HUB, BY_PHONE], 30),
    Service("Melton Talking Therapies",
            {"en": "Talking therapies for anxiety and low mood", "pl": "Terapia rozmową przy lęku i obniżonym nastroju"},
            {"en": "Short courses of therapy, such as cognitive behavioural therapy (CBT) and counselling, one to one or in a "
                   "group, by phone, by video or in person.",
             "pl": "Krótkie formy terapii, takie jak terapia poznawczo-behawioralna (CBT) i poradnictwo psychologiczne, "
                   "indywidualnie lub w grupie, przez telefon, przez internet lub osobiście."},
            {"en": "Adults aged 18 and over registered with a GP in the Melton area. You can refer yourself: you do not need to "
                   "see your GP first.",
             "pl": "Dorośli od 18. roku życia zapisani do lekarza rodzinnego w okolicy Melton. Można zgłosić się samodzielnie, "
                   "bez wcześniejszej wizyty u lekarza."},
            {"en": "Free on the NHS", "pl": "Bezpłatnie w ramach NHS"},
            {"en": "Monday to Friday 8am to 8pm", "pl": "Od poniedziałku do piątku od 8:00 do 20:00"},
            (Intake.WAITING_LIST, 10), ["en", "pl"], [HEALTH_CENTRE, BY_PHONE], 21),
    Service("Melton Minds",
            {"en": "Wellbeing café: a mental health drop-in", "pl": "Kawiarenka wsparcia psychicznego (bez zapisów)"},
            {"en": "Come for a cup of tea and a chat with people who understand. Trained volunteers with their own experience of "
                   "mental ill health are there to listen and point you to more help.",
             "pl": "Przyjdź na herbatę i rozmowę z ludźmi, którzy rozumieją. Przeszkoleni wolontariusze, którzy sami przeszli "
                   "przez problemy psychiczne, wysłuchają Cię i podpowiedzą, gdzie szukać dalszej pomocy."},
            {"en": "Adults who are struggling with their mental health, or want to stay well. No need to book or be referred.",
             "pl": "Dorośli, którzy zmagają się z problemami psychicznymi lub chcą zadbać o swoje samopoczucie. Nie trzeba się "
                   "zapisywać ani mieć skierowania."},
            {"en": "Free; drinks and cake for a donation", "pl": "Bezpłatnie; napoje i ciasto za dobrowolną opłatą"},
            {"en": "Thursdays 6pm to 8pm", "pl": "Czwartki od 18:00 do 20:00"},
            (Intake.TAKING_REFERRALS, None), ["en"], [COMMUNITY_CENTRE], 400),
    Service("Melton Community Transport",
            {"en": "Door-to-door community transport", "pl": "Transport społeczny od drzwi do drzwi"},
            {"en": "Book a volunteer driver or our wheelchair-accessible minibus to get to the doctor, the hospital, the shops or "
                   "a club. Journeys are paused while we find more volunteer drivers; we hope to start again soon.",
             "pl": "Zarezerwuj przejazd z kierowcą-wolontariuszem lub naszym minibusem przystosowanym do przewozu wózków: do "
                   "lekarza, do szpitala, na zakupy lub na zajęcia. Przejazdy są wstrzymane, dopóki nie znajdziemy więcej "
                   "kierowców-wolontariuszy; mamy nadzieję wkrótce je wznowić."},
            {"en": "People in the Melton borough who cannot use buses because of their age, a disability or where they live.",
             "pl": "Mieszkańcy gminy Melton, którzy nie mogą jeździć autobusami ze względu na wiek, niepełnosprawność lub miejsce "
                   "zamieszkania."},
            {"en": "From £3 a journey, depending on the distance", "pl": "Od 3 funtów za przejazd, w zależności od odległości"},
            {"en": "Bookings by phone, Monday to Friday 9am to 12 noon",
             "pl": "Rezerwacje telefoniczne od poniedziałku do piątku od 9:00 do 12:00"},
            (Intake.NOT_TAKING, None), ["en"], [BY_PHONE], 16, ServiceStatus.TEMPORARILY_CLOSED),
    # A domestic abuse service never says where it is: by phone only.
    Service("Melton Safe Space",
            {"en": "Domestic abuse support line", "pl": "Telefon wsparcia dla osób doświadczających przemocy domowej"},
            {"en": "Talk in confidence to a trained support worker about what is happening at home. We can help you make a "
                   "safety plan, find somewhere safe to stay and get legal advice. If you are in danger now, call 999.",
             "pl": "Porozmawiaj w zaufaniu z przeszkoloną osobą o tym, co dzieje się w domu. Pomożemy Ci przygotować plan "
                   "bezpieczeństwa, znaleźć bezpieczne miejsce pobytu i uzyskać poradę prawną. Jeśli grozi Ci "
                   "niebezpieczeństwo, zadzwoń pod numer 999."},
            {"en": "Anyone aged 16 or over affected by domestic abuse, and anyone worried about someone else.",
             "pl": "Każdy od 16. roku życia, kogo dotyka przemoc domowa, a także każdy, kto martwi się o kogoś innego."},
            FREE,
            {"en": "Every day 8am to 8pm", "pl": "Codziennie od 8:00 do 20:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl", "ro"], [BY_PHONE], 2),

    # Older people, families and young people
    Service("Age Friendly Melton",
            {"en": "Pension Credit and benefits checks", "pl": "Sprawdzenie prawa do Pension Credit i innych świadczeń"},
            {"en": "Many older people miss out on Pension Credit, Attendance Allowance or a council tax discount. We check what "
                   "you can get and fill in the forms with you, at our office or at home.",
             "pl": "Wiele osób starszych nie pobiera Pension Credit, Attendance Allowance ani zniżki w podatku lokalnym, choć "
                   "ma do nich prawo. Sprawdzimy, co Ci przysługuje, i wypełnimy z Tobą formularze w naszym biurze lub "
                   "u Ciebie w domu."},
            {"en": "People who have reached State Pension age, and their families.",
             "pl": "Osoby, które osiągnęły wiek emerytalny, oraz ich rodziny."},
            FREE,
            {"en": "Tuesday to Thursday 10am to 3pm; home visits by appointment",
             "pl": "Od wtorku do czwartku od 10:00 do 15:00; wizyty domowe po umówieniu się"},
            (Intake.WAITING_LIST, 5), ["en"], [AGE_OFFICE, BY_PHONE], 25),
    Service("Age Friendly Melton",
            {"en": "Telephone befriending", "pl": "Rozmowy telefoniczne z wolontariuszem"},
            {"en": "A friendly phone call every week from the same volunteer, for a chat and to check you are well. All our "
                   "volunteers are matched at the moment: call us to hear when there is a place.",
             "pl": "Co tydzień przyjazna rozmowa telefoniczna z tym samym wolontariuszem: żeby porozmawiać i sprawdzić, czy "
                   "wszystko w porządku. W tej chwili wszyscy nasi wolontariusze mają już swoich rozmówców: zadzwoń, "
                   "a powiemy Ci, kiedy zwolni się miejsce."},
            {"en": "People aged 60 and over who feel lonely or cut off.",
             "pl": "Osoby od 60. roku życia, które czują się samotne lub odcięte od ludzi."},
            FREE,
            {"en": "Calls on weekdays, at a time that suits you", "pl": "Rozmowy w dni powszednie, o porze, która Ci odpowiada"},
            (Intake.NOT_TAKING, None), ["en"], [BY_PHONE], 500),
    Service("Melton Family Hub",
            {"en": "Family support and parenting courses", "pl": "Wsparcie dla rodzin i kursy dla rodziców"},
            {"en": "A family worker can help with routines, behaviour, school, money worries or relationships at home. Free "
                   "parenting courses run every term.",
             "pl": "Pracownik ds. rodzin pomoże w sprawach codziennego rytmu dnia, zachowania dzieci, szkoły, kłopotów "
                   "finansowych lub relacji w domu. Bezpłatne kursy dla rodziców prowadzimy w każdym okresie szkolnym."},
            {"en": "Families with children and young people aged 0 to 19 (up to 25 with special educational needs or disabilities).",
             "pl": "Rodziny z dziećmi i młodzieżą w wieku od 0 do 19 lat (do 25 lat w przypadku specjalnych potrzeb edukacyjnych "
                   "lub niepełnosprawności)."},
            FREE,
            {"en": "Monday to Friday 9am to 5pm", "pl": "Od poniedziałku do piątku od 9:00 do 17:00"},
            (Intake.WAITING_LIST, 4), ["en", "pl", "ro"], [FAMILY_HUB], 8),
    Service("Melton Family Hub",
            {"en": "Stay and play for under-fives", "pl": "Zabawy dla dzieci do lat pięciu z rodzicami"},
            {"en": "Play, songs and stories for babies and young children with their parents or carers, and a chance to meet "
                   "other families and ask a health visitor.",
             "pl": "Zabawy, piosenki i bajki dla niemowląt i małych dzieci z rodzicami lub opiekunami, a także okazja, żeby "
                   "poznać inne rodziny i zapytać o radę pielęgniarkę środowiskową."},
            {"en": "Children under five with a parent or carer.", "pl": "Dzieci poniżej piątego roku życia z rodzicem lub opiekunem."},
            FREE,
            {"en": "Mondays and Fridays 9.30am to 11am", "pl": "Poniedziałki i piątki od 9:30 do 11:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [FAMILY_HUB], 8),
    Service("Melton Youth Zone",
            {"en": "Youth club and one-to-one support", "pl": "Klub młodzieżowy i wsparcie indywidualne"},
            {"en": "Evening sessions with games, cooking, music and sport, and a youth worker to talk to about school, friends, "
                   "home or anything else.",
             "pl": "Wieczorne zajęcia z grami, gotowaniem, muzyką i sportem oraz opiekun, z którym można porozmawiać o szkole, "
                   "znajomych, domu i o wszystkim innym."},
            {"en": "Young people aged 11 to 19, or up to 25 with a disability.",
             "pl": "Młodzież w wieku od 11 do 19 lat lub do 25 lat w przypadku niepełnosprawności."},
            {"en": "50p a session", "pl": "50 pensów za zajęcia"},
            {"en": "Tuesdays and Thursdays 6pm to 9pm; Fridays 4pm to 7pm for 11 to 14 year olds",
             "pl": "Wtorki i czwartki od 18:00 do 21:00; piątki od 16:00 do 19:00 dla osób w wieku od 11 do 14 lat"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [YOUTH_CENTRE], 35),

    # Community, volunteering and newcomers
    Service("Voluntary Action Melton",
            {"en": "Find a volunteering role", "pl": "Znajdź wolontariat dla siebie"},
            {"en": "Tell us what you enjoy and how much time you have, and we will find you a role with a local group, from "
                   "driving and gardening to befriending and charity shops. Volunteering looks good on a CV too.",
             "pl": "Powiedz nam, co lubisz robić i ile masz czasu, a znajdziemy Ci zajęcie w lokalnej organizacji: od "
                   "prowadzenia samochodu i prac w ogrodzie po odwiedzanie samotnych osób i pomoc w sklepach charytatywnych. "
                   "Wolontariat dobrze wygląda też w CV."},
            {"en": "Anyone aged 16 or over.", "pl": "Każdy od 16. roku życia."},
            FREE,
            {"en": "Monday to Thursday 9.30am to 3pm", "pl": "Od poniedziałku do czwartku od 9:30 do 15:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "pl"], [VOLUNTEER_CENTRE], 120),
    Service("Melton Welcome",
            {"en": "Welcome drop-in for refugees and newcomers", "pl": "Spotkania dla uchodźców i osób nowo przybyłych"},
            {"en": "Help with forms, letters, registering with a doctor and finding English classes, over tea and cake. Children "
                   "are welcome, and there is a play corner.",
             "pl": "Pomoc z formularzami, listami, zapisaniem się do lekarza i znalezieniem kursu angielskiego, przy herbacie "
                   "i cieście. Dzieci są mile widziane, jest też kącik zabaw."},
            {"en": "Refugees, people seeking asylum and anyone new to the UK, whatever their immigration status.",
             "pl": "Uchodźcy, osoby ubiegające się o azyl i wszyscy nowo przybyli do Wielkiej Brytanii, bez względu na status "
                   "imigracyjny."},
            FREE,
            {"en": "Saturdays 10am to 1pm", "pl": "Soboty od 10:00 do 13:00"},
            (Intake.TAKING_REFERRALS, None), ["en", "uk", "ar", "ro", "pl"], [COMMUNITY_CENTRE], 6),
    Service("Melton Men's Shed",
            {"en": "Men's Shed workshop", "pl": "Warsztat Men's Shed"},
            {"en": "Woodwork, repairs and projects for the community, with tools and a kettle; you do not need any skills to "
                   "start. The workshop is closed for roof repairs and will open again as soon as it is safe.",
             "pl": "Stolarka, naprawy i projekty dla lokalnej społeczności, z narzędziami i czajnikiem; nie trzeba mieć "
                   "żadnych umiejętności, żeby zacząć. Warsztat jest zamknięty z powodu naprawy dachu i zostanie ponownie "
                   "otwarty, gdy tylko będzie to bezpieczne."},
            {"en": "Anyone aged 18 or over; women are welcome too.", "pl": "Każdy od 18. roku życia; kobiety też są mile widziane."},
            {"en": "£2 a session, tea included", "pl": "2 funty za spotkanie, herbata w cenie"},
            {"en": "Mondays and Wednesdays 10am to 3pm", "pl": "Poniedziałki i środy od 10:00 do 15:00"},
            (Intake.NOT_TAKING, None), ["en"], [WORKSHOP], 40, ServiceStatus.TEMPORARILY_CLOSED),
]

# What each service can help with and who it is for (codes of tracker/domain/catalogue/data/taxonomies.toml),
# by the service's English name.
TAGS = {
    "Computer basics for beginners": (("using-devices", "getting-online", "staying-safe-online"), ()),
    "English for speakers of other languages (ESOL)": (("english-and-maths",), ("english-second-language", "new-to-the-uk")),
    "CV and job search drop-in": (("finding-work", "cv-and-applications"), ("out-of-work",)),
    "Interview practice": (("interviews", "finding-work"), ("out-of-work",)),
    "Budgeting and benefits advice": (("budgeting", "benefits", "bills"), ("low-income",)),
    "Help to open a bank account": (("bank-account",), ()),
    "General advice": (("advice", "benefits", "debt", "housing"), ()),
    "Help to claim Universal Credit": (("benefits", "online-services"), ("out-of-work", "low-income")),
    "Housing options and homelessness advice": (("housing",), ()),
    "Free debt advice by phone": (("debt",), ()),
    "Savings accounts and affordable loans": (("bank-account", "debt", "budgeting"), ()),
    "Energy bills and warm home advice": (("bills",), ("low-income", "older-people")),
    "Free computers, Wi-Fi and printing": (("getting-online", "using-devices", "online-services"), ()),
    "Home library service": (("loneliness",), ("older-people", "disabled-people", "carers")),
    "Laptop, tablet and mobile data loans": (("getting-online",), ("low-income",)),
    "One-to-one digital help": (("using-devices", "online-services", "staying-safe-online"), ("older-people",)),
    "Emergency food parcels": (("food",), ("low-income",)),
    "Community larder membership": (("food", "budgeting"), ("low-income",)),
    "Support for unpaid carers": (("caring",), ("carers",)),
    "Drug and alcohol support": (("drugs-and-alcohol",), ()),
    "Talking therapies for anxiety and low mood": (("wellbeing",), ()),
    "Wellbeing café: a mental health drop-in": (("wellbeing", "loneliness"), ()),
    "Door-to-door community transport": (("getting-about",), ("older-people", "disabled-people")),
    "Domestic abuse support line": (("safety-at-home",), ()),
    "Pension Credit and benefits checks": (("benefits",), ("older-people",)),
    "Telephone befriending": (("loneliness",), ("older-people",)),
    "Family support and parenting courses": (("families",), ("parents",)),
    "Stay and play for under-fives": (("families", "loneliness"), ("parents",)),
    "Youth club and one-to-one support": (("wellbeing", "volunteering"), ("young-people",)),
    "Find a volunteering role": (("volunteering",), ()),
    "Welcome drop-in for refugees and newcomers": (("advice", "english-and-maths", "loneliness"), ("new-to-the-uk", "english-second-language")),
    "Men's Shed workshop": (("loneliness", "wellbeing", "volunteering"), ()),
}
