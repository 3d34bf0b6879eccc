#!/usr/bin/env python3
"""Seeded generator of labelled test accounts for `accounts duplicates`.

Writes accounts in the import format of ARCHITECTURE "Account JSON Lines" and a separate labels file
(CSV: username,person_id,pattern) saying which person each account belongs to and which pattern made it.

  python3 Scripts/generate-duplicates.py --accounts 100000 --seed 7 --out /tmp/dups.jsonl --labels /tmp/dups-labels.csv

Patterns (positives: one person, several accounts):
  email_vs_twitter        an email sign-up and a later Twitter sign-up of the same person
  twitter_shared_mailbox  two Twitter accounts whose emails are one mailbox (gmail dots/+tag, plus-addressing, IDN)
  gmail_variants          two email sign-ups with gmail/googlemail dot and +tag variants of one address
  nickname                the same person as Robert and as Bob, reusing a handle or an address at another provider
  name_typo               the same person with a typo in the given or family name, reusing a handle or a mailbox
  three_accounts          email sign-up, Twitter sign-up and a gmail variant
Hard negatives (several people who must NOT be clustered):
  same_name               people with exactly the same common name, independent handles and addresses
  family                  relatives sharing a family name and a family email domain (similar given names included)
  same_handle_strangers   different people whose handles collide (a Twitter handle equal to another's username)
Everyone else is a `singleton`.

The person's handle habits follow rough real-world shares: about half of handles carry digits or a word that is
not the name, the rest are built from the name alone (`john.smith`, `jsmith`). Names are drawn from common
English name lists with a long synthetic tail, plus some accented names (a list and an accented synthetic tail) and
CJK names.
"""
import argparse
import csv
import json
import random
import sys
import unicodedata

GIVEN_MALE = """james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony
mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack
dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian keith
roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan
albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip louis""".split()
GIVEN_FEMALE = """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret
sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura
cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel
carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan
evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean
abigail alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany
charlotte marie kayla alexis lori""".split()
SURNAMES = """smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker
young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter
roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers
gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez
wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez powell
jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher vasquez simmons romero jordan
patterson alexander hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson ellis tran
medina aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy wells
vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon mendez silva shaw snyder
mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone salazar fox warren mills meyer rice
schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn kelley spencer hawkins
arnold pierce vazquez hansen peters santos hart bradley knight elliott cunningham duncan armstrong hudson carroll lane
riley andrews alvarado ray delgado berry perkins hoffman johnston matthews pena richards contreras willis carpenter
lawrence sandoval""".split()
ACCENTED_GIVEN = ["Zoë", "Chloé", "José", "Renée", "André", "Søren", "Björn", "Łukasz", "François", "Inés", "Jürgen",
                  "Maël", "Noël", "Agnès", "Małgorzata", "Ñico", "Şebnem", "Zoé", "Élodie", "Günther", "Åsa", "Ørjan",
                  "Ramón", "Sofía", "Jesús", "Iñaki", "Raúl", "Thérèse", "Hélène", "Jérôme", "Loïc", "Gaëlle", "Björk",
                  "Kärt", "Dóra", "Zoltán", "Ágnes", "Tomáš", "Jiří", "Michał", "Paweł", "Ümit", "Gülşen", "Søs",
                  "Øystein", "Aleš", "Matěj", "Léa", "Anaïs", "Rubén"]
ACCENTED_FAMILY = ["Müller", "Ångström", "García", "Núñez", "Dvořák", "Çelik", "Øvergård", "Jäger", "Pérez", "Gómez",
                   "Łoś", "Straße", "Kovačević", "Lefèvre", "Håkansson", "Núñez-Ruiz", "Bjørnstad", "Öztürk",
                   "Sánchez", "Fernández", "Martín", "Rodríguez", "Jiménez", "Muñoz", "Álvarez", "Ibáñez", "Lefébure",
                   "Bérubé", "Gagné", "Côté", "Lévesque", "Bélanger", "Schröder", "Köhler", "Größ", "Krüger",
                   "Jørgensen", "Sørensen", "Åberg", "Löfgren", "Nyström", "Kovács", "Szabó", "Tóth", "Horváth",
                   "Nováková", "Dušek", "Wójcik", "Kamiński", "Lewandowski", "Şahin", "Yılmaz", "Doğan", "Ødegård"]
CJK_GIVEN = [("太郎", "taro"), ("花子", "hanako"), ("健", "ken"), ("美咲", "misaki"), ("翔", "sho"), ("陽菜", "hina"),
             ("蓮", "ren"), ("結衣", "yui"), ("大翔", "hiroto"), ("さくら", "sakura"), ("伟", "wei"), ("芳", "fang"),
             ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("洋", "yang"), ("悠真", "yuma"), ("葵", "aoi"),
             ("湊", "minato"), ("凛", "rin"), ("颯太", "sota"), ("芽依", "mei"), ("樹", "itsuki"), ("杏", "an"),
             ("秀英", "xiuying"), ("桂英", "guiying"), ("建华", "jianhua"), ("志强", "zhiqiang"), ("丽", "li"),
             ("军", "jun"), ("勇", "yong"), ("艳", "yan")]
CJK_FAMILY = [("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
              ("伊藤", "ito"), ("渡辺", "watanabe"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
              ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
              ("吉田", "yoshida"), ("山本", "yamamoto"), ("松本", "matsumoto"), ("井上", "inoue"), ("木村", "kimura"),
              ("林", "hayashi"), ("清水", "shimizu"), ("山口", "yamaguchi"), ("黄", "huang"), ("赵", "zhao"),
              ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu")]
ROMANISED = dict(CJK_GIVEN + CJK_FAMILY)
ACCENTS = {"a": "áàäåã", "e": "éèëê", "i": "íïî", "o": "óöøô", "u": "úüû", "n": "ñ", "c": "ç", "s": "şš", "z": "žż",
           "l": "ł", "r": "ř"}
# Common nicknames the generator uses (written independently of the engine's table; a few are not in it).
NICKNAMES = {
    "robert": ["bob", "rob", "bobby", "robbie"], "william": ["bill", "will", "billy", "liam"],
    "elizabeth": ["liz", "beth", "lizzie", "betty"], "james": ["jim", "jimmy", "jamie"],
    "richard": ["rick", "dick", "rich", "richie"], "michael": ["mike", "mikey", "mick"],
    "thomas": ["tom", "tommy"], "joseph": ["joe", "joey"], "charles": ["charlie", "chuck"],
    "christopher": ["chris", "topher"], "daniel": ["dan", "danny"], "matthew": ["matt"],
    "anthony": ["tony"], "steven": ["steve"], "stephen": ["steve"], "andrew": ["andy", "drew"],
    "kenneth": ["ken", "kenny"], "edward": ["ed", "eddie", "ted"], "jonathan": ["jon"], "nicholas": ["nick", "nicky"],
    "samuel": ["sam", "sammy"], "gregory": ["greg"], "alexander": ["alex", "xander"], "patrick": ["pat", "paddy"],
    "benjamin": ["ben", "benny"], "timothy": ["tim", "timmy"], "jeffrey": ["jeff"], "zachary": ["zach", "zack"],
    "raymond": ["ray"], "lawrence": ["larry"], "gerald": ["gerry", "jerry"], "douglas": ["doug"],
    "margaret": ["maggie", "peggy", "meg"], "katherine": ["kate", "kathy", "katie"], "catherine": ["cathy", "cat"],
    "jennifer": ["jen", "jenny"], "patricia": ["pat", "patty", "trish"], "susan": ["sue", "susie"],
    "deborah": ["deb", "debbie"], "rebecca": ["becky", "becca"], "pamela": ["pam"], "victoria": ["vicky", "tori"],
    "samantha": ["sam", "sammy"], "jessica": ["jess", "jessie"], "christine": ["chris", "chrissy"],
    "abigail": ["abby"], "kimberly": ["kim"], "cynthia": ["cindy"], "dorothy": ["dot", "dottie"],
    "barbara": ["barb", "babs"], "jacqueline": ["jackie"], "theresa": ["tess", "terri"], "frances": ["fran"],
    "henry": ["hank", "harry"], "harold": ["hal", "harry"], "walter": ["walt"], "albert": ["al", "bert"],
    "vincent": ["vince", "vinny"], "eugene": ["gene"], "louis": ["lou"], "philip": ["phil"], "peter": ["pete"],
}
NOUNS = """sk8er photog gamer runner chef nerd coder traveler music guitar pixel ninja wolf falcon tiger dragon
rocket comet storm shadow maple cedar river ocean surfer hiker yogi reader writer doodle coffee tea vegan foodie
bookworm cyclist climber diver sailor pilot rider biker drummer piano violin jazz blues geek wizard robot byte kernel
lambda nova astro fox owl bear otter panda koala raven crow hawk lynx moose bison whale shark squid crab lotus
cactus fern willow oak pine birch aspen ember blaze frost breeze cloud thunder pebble stone canyon summit valley
meadow harbor island lagoon glacier comet orbit quasar photon neutron circuit widget gadget muffin waffle pancake
noodle dumpling taco burrito pickle mango papaya kiwi lemon cherry plum peach melon berry biscuit cookie donut
bagel pretzel""".split()
ADJECTIVES = """lucky sunny happy sleepy grumpy brave clever quiet loud tiny giant swift lazy crazy cosmic lunar solar
stellar retro vintage indie urban rustic wild frozen golden silver crimson azure emerald midnight electric atomic
neon pixel salty spicy sweet bitter misty stormy""".split()
WORDS = NOUNS + [a + n for a in ADJECTIVES for n in NOUNS[:60]]
NON_NAMES = ["Coffee Addict", "Plant Mom", "Just Vibing", "Sports Fan", "Not A Bot", "Dog Person", "Night Owl",
             "Daily Runner", "Book Club", "Retro Gamer"]
EMOJI = ["🌟", "🔥", "🇺🇸", "☕", "🎸", "🌈", "✨", "🐶"]
PROVIDERS = [("gmail.com", 34), ("yahoo.com", 10), ("outlook.com", 7), ("hotmail.com", 6), ("icloud.com", 5),
             ("aol.com", 2), ("proton.me", 2), ("fastmail.com", 1), ("gmx.de", 2), ("web.de", 1), ("mail.com", 1),
             ("company", 15), ("university", 5), ("personal", 9)]
PLUS_PROVIDERS = ["outlook.com", "hotmail.com", "icloud.com", "fastmail.com", "proton.me"]
COMPANIES = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "cyberdyne", "tyrell",
             "soylent", "vandelay", "kramerica", "dunder", "pied-piper", "aperture", "blackmesa", "oscorp"]
UNIVERSITIES = ["mit.edu", "stanford.edu", "ox.ac.uk", "cam.ac.uk", "berkeley.edu", "uw.edu", "ethz.ch", "kth.se"]
IDN_DOMAINS = [("bücher.example", "xn--bcher-kva.example"), ("münchen.example", "xn--mnchen-3ya.example"),
               ("café.example", "xn--caf-dma.example")]
SYLLABLES = """ka lo ri ve ta na mi so de ra el an or is um ba ke li mo nu sa te vi zo ar en il on ur ca da fe
gi ho ja ko lu ma ne pe qu re si tu va wy xe yo za""".split()


def fold(text):
    """ASCII letters and digits of a name (accents dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    special = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "Ø": "O", "Ł": "L"}
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        ch = special.get(ch, ch)
        out.append(ch)
    return "".join(c for c in "".join(out).lower() if c.isascii() and c.isalnum())


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.usernames = set()
        self.emails = set()
        self.mailboxes = {}
        self.twitter_ids = set()
        self.screen_names = set()
        self.rows = []
        self.labels = []
        self.person_count = 0
        given_weights = [1 / (rank + 4) ** 0.9 for rank in range(150)]
        self.given_male = (GIVEN_MALE, given_weights[:len(GIVEN_MALE)])
        self.given_female = (GIVEN_FEMALE, given_weights[:len(GIVEN_FEMALE)])
        self.surname_weights = [1 / (rank + 6) ** 0.9 for rank in range(len(SURNAMES))]
        self.tail_given = [self.synthetic(2, 3) for _ in range(3000)]
        self.tail_family = [self.synthetic(2, 4) for _ in range(200000)]

    def accented(self, tail):
        """A name from the synthetic tail with one letter accented: accented names have a long tail too (50 given
        and 54 family names alone would give 40,000 people of a million 2,700 names between them)."""
        word = self.rng.choice(tail)
        positions = [i for i, c in enumerate(word) if c in ACCENTS]
        if positions:
            i = self.rng.choice(positions)
            word = word[:i] + self.rng.choice(ACCENTS[word[i]]) + word[i + 1:]
        return word.capitalize()

    def synthetic(self, low, high):
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(low, high)))

    # People -------------------------------------------------------------------------------------------------------

    def person(self, family=None, given=None, common=False):
        rng = self.rng
        self.person_count += 1
        kind = rng.random()
        person = {"id": "p%d" % self.person_count}
        if kind < 0.005 and given is None and family is None:
            (g, gr), (f, fr) = rng.choice(CJK_GIVEN), rng.choice(CJK_FAMILY)
            person.update(given=g, family=f, given_ascii=gr, family_ascii=fr)
        else:
            if given is None:
                if kind < 0.04 and not common:
                    given = rng.choice(ACCENTED_GIVEN) if rng.random() < 0.4 else self.accented(self.tail_given)
                elif rng.random() < 0.78 or common:
                    names, weights = self.given_male if rng.random() < 0.5 else self.given_female
                    given = rng.choices(names, weights)[0].capitalize()
                else:
                    given = self.rng.choice(self.tail_given).capitalize()
            if family is None:
                if kind < 0.04 and not common:
                    family = rng.choice(ACCENTED_FAMILY) if rng.random() < 0.4 else self.accented(self.tail_family)
                elif rng.random() < 0.55 or common:
                    family = rng.choices(SURNAMES, self.surname_weights)[0].capitalize()
                else:
                    family = rng.choice(self.tail_family).capitalize()
            # A relative of a CJK-named person shares the family name: romanise it as the person did.
            person.update(given=given, family=family, given_ascii=fold(given) or ROMANISED.get(given, "x"),
                          family_ascii=fold(family) or ROMANISED.get(family, "x"))
        person["year"] = rng.randint(1955, 2006)
        person["word"] = rng.choice(WORDS)
        person["handle"] = self.handle_for(person)
        return person

    def handle_for(self, person, style=None):
        rng = self.rng
        g, f = person["given_ascii"], person["family_ascii"]
        yy = "%02d" % (person["year"] % 100)
        nn = str(rng.choice([person["year"], yy, rng.randint(1, 99), rng.randint(100, 999)]))
        styles = [("g.f", 11), ("gf", 9), ("g_f", 5), ("if", 9), ("gi", 3), ("fg", 2), ("gfN", 12), ("ifN", 10),
                  ("g.fN", 5), ("wN", 9), ("gw", 6), ("wf", 4), ("w_w", 3), ("gN", 5)]
        if style is None:
            style = rng.choices([s for s, _ in styles], [w for _, w in styles])[0]
        other = rng.choice(WORDS)
        handle = {
            "g.f": "%s.%s" % (g, f), "gf": g + f, "g_f": "%s_%s" % (g, f), "if": g[:1] + f, "gi": g + f[:1],
            "fg": f + g, "gfN": g + f + nn, "ifN": g[:1] + f + nn, "g.fN": "%s.%s%s" % (g, f, nn),
            "wN": person["word"] + nn, "gw": g + person["word"], "wf": person["word"] + f,
            "w_w": "%s_%s" % (person["word"], other), "gN": g + nn,
        }[style]
        return handle[:24]

    # Fields -------------------------------------------------------------------------------------------------------

    def unique_username(self, base, registration=False):
        """A free username: people add digits of their own; Twitter registration adds `_2`, `_3`, … (as
        Registration's ProfilePrefill.freeUsername does)."""
        base = "".join(c for c in base if c.isascii() and (c.isalnum() or c in "._-"))[:26] or "user"
        if not any(c.isalnum() for c in base):
            base = "user" + base
        candidate = base
        number = 2
        while candidate.lower() in self.usernames:
            if registration:
                candidate = "%s_%d" % (base[:30 - len(str(number)) - 1], number)
                number += 1
            else:
                candidate = "%s%d" % (base[:26], self.rng.randint(1, 9999))
        self.usernames.add(candidate.lower())
        return candidate

    def unique_screen_name(self, base):
        base = "".join(c for c in base.replace(".", "_").replace("-", "_") if c.isascii() and (c.isalnum() or c == "_"))
        base = base[:15] or "tw"
        candidate = base
        while candidate.lower() in self.screen_names:
            candidate = "%s%d" % (base[:11], self.rng.randint(1, 9999))
        self.screen_names.add(candidate.lower())
        return candidate

    @staticmethod
    def mailbox_key(email):
        """The mailbox an address delivers to, as far as the generator needs: one mailbox belongs to one person."""
        local, _, domain = email.lower().rpartition("@")
        domain = {"googlemail.com": "gmail.com", "me.com": "icloud.com", "mac.com": "icloud.com",
                  "xn--bcher-kva.example": "bücher.example", "xn--mnchen-3ya.example": "münchen.example",
                  "xn--caf-dma.example": "café.example"}.get(domain, domain)
        if domain in ("gmail.com", "outlook.com", "hotmail.com", "icloud.com", "fastmail.com", "proton.me"):
            local = local.split("+")[0]
        if domain == "gmail.com":
            local = local.replace(".", "")
        return local + "@" + domain

    def take_email(self, email, owner=None):
        """`email` when nobody else has its mailbox (`owner` may have it already), else None."""
        key = email.lower()
        mailbox = self.mailbox_key(email)
        holder = self.mailboxes.get(mailbox)
        if key in self.emails or (holder is not None and holder != owner):
            return None
        self.emails.add(key)
        self.mailboxes[mailbox] = owner if owner is not None else "?%d" % len(self.emails)
        return email

    def domain_for(self, person, family_domain=None):
        if family_domain:
            return family_domain
        provider = self.rng.choices([p for p, _ in PROVIDERS], [w for _, w in PROVIDERS])[0]
        if provider == "company":
            return self.rng.choice(COMPANIES) + "." + self.rng.choice(["com", "io", "co.uk", "net"])
        if provider == "university":
            return self.rng.choice(UNIVERSITIES)
        if provider == "personal":
            if self.rng.random() < 0.1:
                return self.rng.choice(IDN_DOMAINS)[self.rng.randint(0, 1)]
            return "%s%s.%s" % (person["family_ascii"] or "home", self.rng.choice(["", "home", "mail", "net"]),
                                self.rng.choice(["com", "net", "org", "me"]))
        return provider

    def fresh_email(self, person, local=None, domain=None):
        for _ in range(20):
            local_part = local or self.handle_for(person)
            email = "%s@%s" % (local_part, domain or self.domain_for(person))
            if self.rng.random() < 0.05:
                email = email.capitalize()
            taken = self.take_email(email, person["id"])
            if taken:
                return taken
            local = None
        return self.take_email("%s%d@%s" % (person["given_ascii"] or "x", self.rng.randint(1, 10**9), "example.org"), person["id"])

    def gmail_variant(self, local):
        """Another spelling of local@gmail.com that gmail delivers to the same mailbox."""
        rng = self.rng
        plain = local.replace(".", "")
        choice = rng.random()
        if choice < 0.35 and len(plain) > 2:
            cut = rng.randint(1, len(plain) - 1)
            variant = plain[:cut] + "." + plain[cut:]
        elif choice < 0.7:
            variant = plain + "+" + rng.choice(["news", "shop", "tw", "spam", "work", "x", "2"])
        elif choice < 0.85:
            variant = ".".join(plain) if len(plain) < 12 else plain[:3] + "." + plain[3:]
        else:
            variant = plain
        domain = "googlemail.com" if rng.random() < 0.3 else "gmail.com"
        return "%s@%s" % (variant, domain)

    def mailbox_variants(self, person, count):
        """`count` addresses of one mailbox."""
        rng = self.rng
        for _ in range(50):
            local = self.handle_for(person).replace("_", "").replace("-", "")
            kind = rng.random()
            if kind < 0.7:
                base = "%s@gmail.com" % local
                addresses = [base] + [self.gmail_variant(local) for _ in range(count - 1)]
            elif kind < 0.92:
                domain = rng.choice(PLUS_PROVIDERS)
                base = "%s@%s" % (local, domain)
                addresses = [base] + ["%s+%s@%s" % (local, rng.choice(["tw", "alt", "news", "x%d" % i]), domain)
                                      for i in range(count - 1)]
            else:
                unicode_domain, ascii_domain = rng.choice(IDN_DOMAINS)
                addresses = ["%s@%s" % (local, unicode_domain), "%s@%s" % (local.upper(), ascii_domain)][:count]
                while len(addresses) < count:
                    addresses.append("%s@%s" % (local.capitalize(), ascii_domain.upper()))
            unique = len(set(a.lower() for a in addresses)) == count
            if unique and not any(a.lower() in self.emails or self.mailbox_key(a) in self.mailboxes for a in addresses):
                for address in addresses:
                    self.take_email(address, person["id"])
                return addresses
        return [self.fresh_email(person) for _ in range(count)]

    def display_name(self, person, nickname=None):
        rng = self.rng
        given = nickname.capitalize() if nickname else person["given"]
        family = person["family"]
        if any(ord(c) > 0x2E80 for c in family):
            return "%s %s" % (family, given)
        choice = rng.random()
        if choice < 0.55:
            return "%s %s" % (given, family)
        if choice < 0.62:
            return given
        if choice < 0.67:
            return "%s %s." % (given, family[:1])
        if choice < 0.73:
            return "%s %s %s" % (given, family, rng.choice(EMOJI))
        if choice < 0.78:
            return "%s %s" % (given.lower(), family.lower())
        if choice < 0.81:
            return "%s %s" % (given.upper(), family.upper())
        if choice < 0.84:
            return "Dr. %s %s" % (given, family)
        if choice < 0.89:
            return rng.choice(NON_NAMES)
        if choice < 0.93:
            return given + family
        if choice < 0.97:
            return "%s, %s" % (family, given)
        return "%s %s %s" % (given, rng.choice(["J.", "Marie", "Lee", "Ann"]), family)

    def twitter_id(self):
        while True:
            value = str(self.rng.choice([self.rng.randint(10**5, 10**9), self.rng.randint(10**15, 2**63)]))
            if value not in self.twitter_ids:
                self.twitter_ids.add(value)
                return value

    def created_at(self):
        seconds = self.rng.randint(1420070400, 1764547200)
        micros = self.rng.choice([0, self.rng.randint(0, 999999)])
        from datetime import datetime, timezone
        stamp = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return stamp + (".%06dZ" % micros if micros else "Z")

    # Accounts ------------------------------------------------------------------------------------------------------

    def emit(self, person, pattern, username, email, first, last, twitter=None):
        row = {"username": username, "email": email, "first_name": first, "last_name": last,
               "created_at": self.created_at(), "twitter": twitter}
        self.rows.append(row)
        self.labels.append((username, person["id"], pattern))

    def email_account(self, person, pattern, email=None, handle=None, given=None, family=None, names=True):
        handle = handle or (person["handle"] if self.rng.random() < 0.7 else self.handle_for(person))
        username = self.unique_username(handle)
        if email is None:
            local = handle if self.rng.random() < 0.45 else None
            email = self.fresh_email(person, local=local)
        if names and self.rng.random() < 0.93:
            first, last = given or person["given"], family or person["family"]
        else:
            first, last = None, None
        self.emit(person, pattern, username, email, first, last)
        return username

    def twitter_account(self, person, pattern, email="fresh", screen=None, nickname=None, display=None):
        rng = self.rng
        screen_name = self.unique_screen_name(screen or person["handle"])
        display = display or self.display_name(person, nickname)
        # Registration pre-fills the username from the screen name (taken: a digit is added) and the names from
        # the display name; some people change them.
        username = self.unique_username(screen_name, registration=True)
        choice = rng.random()
        if choice < 0.6:
            # As Registration's ProfilePrefill.splitName does: the last word is the family name (the first one for
            # East Asian names).
            words = display.split()
            if len(words) < 2:
                first, last = (words[0] if words else None), None
            elif all(any(ord(c) > 0x2E80 for c in word) for word in words):
                first, last = " ".join(words[1:]), words[0]
            else:
                first, last = " ".join(words[:-1]), words[-1]
        elif choice < 0.8:
            first, last = (nickname.capitalize() if nickname else person["given"]), person["family"]
        else:
            first, last = None, None
        if email == "fresh":
            email = self.fresh_email(person) if rng.random() < 0.5 else None
        twitter = {"id": self.twitter_id(), "screen_name": screen_name, "name": display}
        self.emit(person, pattern, username, email, first, last, twitter)
        return username

    def typo(self, word):
        rng = self.rng
        if len(word) < 4:
            return word + word[-1]
        i = rng.randint(1, len(word) - 2)
        kind = rng.random()
        if kind < 0.3:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if kind < 0.55:
            return word[:i] + word[i + 1:]
        if kind < 0.8:
            return word[:i] + word[i] + word[i:]
        return word[:i] + rng.choice("aeiourstnl") + word[i + 1:]

    # Patterns ------------------------------------------------------------------------------------------------------

    def singleton(self):
        person = self.person()
        if self.rng.random() < 0.65:
            self.email_account(person, "singleton")
        else:
            self.twitter_account(person, "singleton")

    def email_vs_twitter(self):
        rng = self.rng
        person = self.person()
        self.email_account(person, "email_vs_twitter", handle=person["handle"])
        choice = rng.random()
        email = None
        if choice < 0.35:
            email = self.fresh_email(person)
        screen = person["handle"]
        if rng.random() < 0.3:
            screen = rng.choice([screen + "_", "the" + screen, screen + str(rng.randint(1, 9)), screen.replace(".", "")])
        if choice >= 0.85:
            # Arrived with a variant of the same mailbox and made a new account anyway.
            first_email = self.rows[-1]["email"] or ""
            if first_email.lower().endswith("@gmail.com"):
                candidate = self.gmail_variant(first_email.split("@")[0])
                email = self.take_email(candidate, person["id"])
        self.twitter_account(person, "email_vs_twitter", email=email, screen=screen)

    def twitter_shared_mailbox(self):
        rng = self.rng
        person = self.person()
        first, second = self.mailbox_variants(person, 2)
        self.twitter_account(person, "twitter_shared_mailbox", email=first)
        alt = rng.choice([person["handle"] + "_alt", person["word"] + str(rng.randint(1, 999)),
                          self.handle_for(person), person["given_ascii"] + "_" + rng.choice(WORDS)])
        display = self.display_name(person) if rng.random() < 0.7 else rng.choice(NON_NAMES)
        self.twitter_account(person, "twitter_shared_mailbox", email=second, screen=alt, display=display)

    def gmail_variants(self):
        rng = self.rng
        person = self.person()
        local = person["handle"].replace("_", "").replace("-", "")
        base = self.take_email("%s@gmail.com" % local, person["id"])
        if base is None:
            return self.singleton()
        variant = None
        for _ in range(10):
            variant = self.take_email(self.gmail_variant(local), person["id"])
            if variant:
                break
        if variant is None:
            return self.singleton()
        self.email_account(person, "gmail_variants", email=base)
        self.email_account(person, "gmail_variants", email=variant, handle=self.handle_for(person),
                           names=rng.random() < 0.8)

    def nickname(self):
        rng = self.rng
        for _ in range(30):
            person = self.person()
            if person["given_ascii"] in NICKNAMES:
                break
        else:
            return self.singleton()
        nickname = rng.choice(NICKNAMES[person["given_ascii"]])
        handle = person["handle"]
        self.email_account(person, "nickname", handle=handle)
        choice = rng.random()
        if choice < 0.4:
            # Twitter account under the nickname, same handle.
            self.twitter_account(person, "nickname", screen=handle, nickname=nickname)
        elif choice < 0.7:
            # Same local part at another provider.
            local = (self.rows[-1]["email"] or handle).split("@")[0]
            email = self.fresh_email(person, local=local)
            self.email_account(person, "nickname", email=email, handle=handle + str(rng.randint(1, 9)),
                               given=nickname.capitalize())
        else:
            first = self.rows[-1]["email"] or ""
            if first.lower().endswith("@gmail.com"):
                email = self.take_email(self.gmail_variant(first.split("@")[0]), person["id"]) or self.fresh_email(person)
            else:
                email = self.fresh_email(person, local=handle)
            self.email_account(person, "nickname", email=email, handle=handle, given=nickname.capitalize())

    def name_typo(self):
        rng = self.rng
        person = self.person()
        handle = person["handle"]
        self.email_account(person, "name_typo", handle=handle)
        given, family = person["given"], person["family"]
        if rng.random() < 0.5:
            given = self.typo(given)
        else:
            family = self.typo(family)
        choice = rng.random()
        if choice < 0.4:
            typo_person = dict(person, given=given, family=family)
            self.twitter_account(typo_person, "name_typo", screen=handle)
        elif choice < 0.75:
            local = (self.rows[-1]["email"] or handle).split("@")[0]
            self.email_account(person, "name_typo", email=self.fresh_email(person, local=local), handle=handle,
                               given=given, family=family)
        else:
            first = self.rows[-1]["email"] or ""
            if first.lower().endswith("@gmail.com"):
                email = self.take_email(self.gmail_variant(first.split("@")[0]), person["id"]) or self.fresh_email(person)
            else:
                email = self.fresh_email(person, local=handle)
            self.email_account(person, "name_typo", email=email, handle=self.handle_for(person), given=given,
                               family=family)

    def three_accounts(self):
        person = self.person()
        local = person["handle"].replace("_", "").replace("-", "")
        base = self.take_email("%s@gmail.com" % local, person["id"])
        variant = self.take_email(self.gmail_variant(local), person["id"])
        if not base or not variant:
            return self.singleton()
        self.email_account(person, "three_accounts", email=base, handle=person["handle"])
        self.twitter_account(person, "three_accounts", email=None, screen=person["handle"])
        self.email_account(person, "three_accounts", email=variant, handle=self.handle_for(person))

    def same_name(self):
        rng = self.rng
        template = self.person(common=True)
        for _ in range(rng.randint(2, 4)):
            person = self.person(family=template["family"], given=template["given"])
            if rng.random() < 0.6:
                self.email_account(person, "same_name")
            else:
                self.twitter_account(person, "same_name")

    def family(self):
        rng = self.rng
        head = self.person()
        domain = "%s%s.%s" % (rng.choice(["", "the"]), head["family_ascii"] + rng.choice(["family", "s", "home", ""]),
                              rng.choice(["net", "org", "com", "me"]))
        members = rng.randint(2, 4)
        sibling_sets = [("Mark", "Mary"), ("Daniel", "Danielle"), ("Paul", "Paula"), ("Eric", "Erica"),
                        ("Chris", "Christine"), ("John", "Joan"), ("Alan", "Alana"), ("Jon", "Jan")]
        givens = []
        if rng.random() < 0.3:
            givens.extend(rng.choice(sibling_sets))
        style = rng.choice(["g", "g.f", "gf", "if"])
        for index in range(members):
            given = givens[index] if index < len(givens) else None
            person = self.person(family=head["family"], given=given)
            local = {"g": person["given_ascii"], "g.f": "%s.%s" % (person["given_ascii"], person["family_ascii"]),
                     "gf": person["given_ascii"] + person["family_ascii"],
                     "if": person["given_ascii"][:1] + person["family_ascii"]}[style]
            email = self.take_email("%s@%s" % (local, domain), person["id"])
            if email is None:
                continue
            if rng.random() < 0.75:
                self.email_account(person, "family", email=email, handle=self.handle_for(person))
            else:
                self.twitter_account(person, "family", email=email)

    def same_handle_strangers(self):
        first = self.person()
        second = self.person()
        # Strangers collide on handles that say nothing about a name (`luckycomet96`), seldom on a name handle.
        if self.rng.random() < 0.85:
            handle = self.handle_for(first, style=self.rng.choice(["wN", "w_w"]))
        else:
            handle = first["handle"]
        self.email_account(first, "same_handle_strangers", handle=handle)
        self.twitter_account(second, "same_handle_strangers", screen=handle)

    def generate(self, accounts):
        patterns = [
            (self.singleton, 760), (self.email_vs_twitter, 45), (self.twitter_shared_mailbox, 15),
            (self.gmail_variants, 20), (self.nickname, 20), (self.name_typo, 20), (self.three_accounts, 8),
            (self.same_name, 35), (self.family, 30), (self.same_handle_strangers, 10),
        ]
        functions = [p for p, _ in patterns]
        weights = [w for _, w in patterns]
        while len(self.rows) < accounts:
            self.rng.choices(functions, weights)[0]()
        del self.rows[accounts:]
        del self.labels[accounts:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="accounts, JSON Lines")
    parser.add_argument("--labels", required=True, help="labels, CSV username,person_id,pattern")
    args = parser.parse_args()
    generator = Generator(args.seed)
    generator.generate(args.accounts)
    with open(args.out, "w", encoding="utf-8") as out:
        for row in generator.rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(args.labels, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["username", "person_id", "pattern"])
        writer.writerows(generator.labels)
    print("wrote %d accounts of %d people" % (len(generator.rows), generator.person_count), file=sys.stderr)


if __name__ == "__main__":
    main()
