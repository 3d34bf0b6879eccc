#!/usr/bin/env python3
"""Seeded, labelled test accounts for a duplicate-account detector ("calibrated", the fifth generator), calibrated
so that the Splink peer reproduces the issue's published Splink figures.

    python3 Scripts/generate-duplicates-calibrated.py --accounts N --seed S --out FILE.jsonl
        --labels FILE.labels.csv [--neg-groups FILE.csv] [--set knob=value ...]

What it models
--------------
The data the issue describes: accounts on one site, made either with an email address or through Twitter, where
some people hold more than one account.  Everything is drawn from a person:

* A person has a given name, a surname, a middle initial, a birth year and, when the given name has one, a
  nickname.  Names come from Faker's US census-weighted lists (the "head") mixed with a long tail of names from
  twenty other Latin-script Faker locales, so common names are as common as in a US-centred user base and most
  surnames are rare.
* A person has a "signature handle" (name-based, like `jsmith84`, or a word handle like `bluefalcon`), which
  they reuse on every account with probability `p_reuse`; otherwise each username, screen name and mailbox local
  part is picked afresh from the usual templates (first.last, flast, firstlast+year, first_last, word+digits...).
  A taken username or screen name gets digits or an underscore, as sign-up forms force.
* An email account: a mailbox (gmail, yahoo, hotmail, ISPs, work and vanity domains), a username that is often the
  mailbox local part, and a first/last name as typed: usually proper, sometimes lower case, sometimes only the
  given name, occasionally a typo.
* A Twitter account: a screen name (<= 15 chars of [A-Za-z0-9_]), a display name (the real name mostly; sometimes
  only the given name, the screen name itself, a name with an emoji or tagline, or a placeholder like
  "Coffee Lover"), a snowflake id, a username derived from the screen name, first/last pre-filled by splitting the
  display name (kept, edited to the real name, or cleared), and an email only sometimes.

Patterns (labels `username,person_id,pattern`; every account of a person carries the person's pattern):
  singleton               one account (most people).
  email_vs_twitter        one account made with email, one through Twitter; the Twitter one gives the same mailbox
                          (half the time: the address Twitter hands over), none, or another of the person's.
  twitter_shared_mailbox  two Twitter accounts (personal + hobby/work) giving the same mailbox.
  gmail_variants          the same Gmail mailbox written with other dots, capitals or googlemail.com.
  plus_tag                the same mailbox with a +tag (85% Gmail, else Outlook/iCloud/Proton/Fastmail/work).
  nickname                full given name on one account, a nickname on the other; different mailboxes.
  three_accounts          an email account, a Twitter account, and a third account re-using the first mailbox in a
                          variant (gmail dots / +tag) or the Twitter account's mailbox.
  neg_same_name           2-3 different people with the same (common) full name, different mailboxes.
  neg_family              2-4 people sharing a surname and a domain (a family domain or a regional ISP).
  neg_handle_collision    2 different people whose handles coincide (`jsmith` for Jennifer and Jason Smith, or the
                          same word handle).

Calibration
-----------
The issue gives, for "a carefully tuned Splink 5 setup" on its data at 1,000,000 accounts, precision 0.997 and
recall 0.936, missing a third of nickname pairs and a tenth of email-vs-Twitter pairs.  The knobs were set so that
`Scripts/peer-splink-duplicates.py` (Splink 5.0.0, DuckDB 2.0.1, default options) run on this generator's 100,000
accounts lands near those figures, with Gmail-dot, +tag and shared-mailbox pairs at about 1.0.  Final figures
(clustered pairwise, all 100,000-account sets; "P>=x" = the lowest threshold whose clustered precision is >= x):

                            seed 1                 seed 2
  threshold 0.9             P 0.9957  R 0.9250     P 0.9958  R 0.9294
  P>=0.99                   P 0.9900  R 0.9359     P 0.9900  R 0.9413
  P>=0.997                  P 0.9976  R 0.9198     P 0.9970  R 0.9240
  P>=0.98                   P 0.9800  R 0.9438     P 0.9803  R 0.9473
  recall at 0.9: email_vs_twitter 0.904 / 0.902, nickname 0.646 / 0.678, gmail_variants 0.997 / 0.998,
  plus_tag 0.999 / 0.995, twitter_shared_mailbox 0.981 / 0.983, three_accounts 0.869 / 0.902.
At 1,000,000 accounts (seed 1, one run, about 8 minutes and 21 GB for the peer; measured just before two small fixes
that touch a few dozen accounts) precision falls, as accidental namesake and handle collisions grow with the square
of the population: threshold 0.9 P 0.978 R 0.913, threshold 0.999 P 0.995 R 0.860 (email_vs_twitter 0.879, nickname
0.612 at 0.9). The issue's 0.997 / 0.936 at a million is therefore matched here at 100,000 only; matching it at a
million too would need fewer collisions than this model of names and handles gives.

One address per account (added after the calibration, 2026-12-01): the store takes an address once, ignoring case,
so `accounts import` refused the lines that repeated one (about 3,900 of 100,000: the same-mailbox half of
email-vs-Twitter, and shared mailboxes).  `unique_emails` now writes a repeated address as the same mailbox another
way (Gmail dots, or a +tag where the provider documents plus addressing) and drops it otherwise, so every line
imports.  With that pass the peer gets, seed 1 at 100,000: threshold 0.9 P 0.9946 R 0.8818 (email_vs_twitter 0.864,
nickname 0.667, twitter_shared_mailbox 0.836); P>=0.98 at R 0.9057.

How it got there (from a first draft at P 0.94 / R 0.56): the peer links an email account to a Twitter account
almost only through a shared handle that carries more than the name (or a shared mailbox), so for this peer the
issue's email-vs-Twitter recall of 0.9 implies people who reuse one distinctive handle nearly everywhere (p_reuse
0.97) and Twitter sign-ups that often hand over the same mailbox (p_evt_same_mail 0.5); word handles had to come
from a wide vocabulary (Faker's English adjectives and nouns added) and "first name + hobby" handles had to be rare,
or namesakes collide on them and precision falls below 0.99; nickname recall depends on the peer learning a nickname
weight at all, which needs some same-mailbox pairs written once with the nickname (p_nick_switch 0.2). Overall
recall then follows from the pattern mix: with nickname pairs at ~0.67 and email-vs-Twitter at ~0.9, the issue's
0.936 needs roughly 31% email-vs-Twitter, 8% nickname and 9% three-account pairs, the rest mailbox-linked.
Seed-to-seed spread of nickname recall is about +-0.04 (about 700 pairs).

Knobs (change with --set name=value; defaults are the calibrated values)
-----
  p_reuse            0.97  a person reuses a signature handle across their accounts; if so, it is the username of an
                           email account with p_reuse_user 0.90, the screen name with p_reuse_screen 0.97, and the
                           mailbox local part with p_reuse_local 0.70
  p_word_handle      0.62  a signature handle is a word handle (bluefalcon42) rather than name-based (jsmith84)
  p_user_is_local    0.35  an email account's username is its mailbox local part (when not the handle)
  head_first         0.80  a given name comes from the US-weighted head (else the multi-locale tail)
  head_last          0.42  a surname comes from the US-weighted top 1,000 (their real share of the US population)
  p_habitual_nick    0.15  a person with a nicknameable name goes by the nickname on every account
  p_nick_switch      0.20  a later account of a multi-account person (not `nickname`) flips nickname/full name
  p_dn_handle        0.03  a Twitter display name is just the screen name
  p_dn_first_only    0.05  ... only the given name (or "Jane D.")
  p_dn_decorated     0.05  ... carries an emoji, tagline or title
  p_dn_placeholder   0.01  ... is a placeholder ("Coffee Lover")
  p_tw_keep, p_tw_edit  0.75, 0.17  pre-filled names on a Twitter account kept / edited to the real name (else
                           cleared)
  p_typo             0.03  a typed name has a typo
  p_evt_same_mail    0.50  the Twitter account of an email_vs_twitter person gives the same mailbox
  p_evt_no_mail      0.30  ... gives no mailbox (else another mailbox of theirs); also the nickname pattern's rate
  share_*                  share of draws (a draw is one positive person or one set of hard-negative people) per
                           pattern; singletons take the rest.  Defaults give about 77% singleton accounts, 2.6%
                           neg_same_name, 2.6% neg_family, 0.9% neg_handle_collision.

Runtime: about 10 s for 100,000 accounts and 95 s (1.1 GB) for 1,000,000.  Output is byte-identical for a seed
(no dependence on hash randomisation).  --neg-groups FILE also writes username,neg_group_id for the hard-negative
groups.
"""
from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import json
import random
import sys
import unicodedata

from faker.providers.person.en_US import Provider as US

KNOBS = {
    "p_reuse": 0.97,
    "p_reuse_user": 0.90,
    "p_reuse_screen": 0.97,
    "p_reuse_local": 0.70,
    "p_word_handle": 0.62,
    "p_user_is_local": 0.35,
    "head_first": 0.80,
    "head_last": 0.42,
    "p_habitual_nick": 0.15,
    "p_nick_switch": 0.20,
    "p_dn_handle": 0.03,
    "p_dn_first_only": 0.05,
    "p_dn_decorated": 0.05,
    "p_dn_placeholder": 0.01,
    "p_tw_keep": 0.75,
    "p_tw_edit": 0.17,
    "p_typo": 0.03,
    "p_evt_same_mail": 0.50,
    "p_evt_no_mail": 0.30,
    # shares of groups (a group is one positive person, or one set of hard-negative people)
    "share_email_vs_twitter": 0.0300,
    "share_twitter_shared_mailbox": 0.0218,
    "share_gmail_variants": 0.0194,
    "share_plus_tag": 0.0087,
    "share_nickname": 0.0082,
    "share_three_accounts": 0.0029,
    "share_neg_same_name": 0.0140,
    "share_neg_family": 0.0110,
    "share_neg_handle_collision": 0.0050,
}

# --------------------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------------------

TAIL_LOCALES = ("en_GB en_IE en_NZ en_IN de_DE fr_FR es_ES es_MX it_IT pt_BR nl_NL sv_SE no_NO da_DK fi_FI cs_CZ "
                "hu_HU ro_RO tr_TR id_ID").split()

# Nicknames: full given name -> nicknames, most usual first.
NICKS = {
    "Michael": ["Mike", "Mikey", "Mick"], "William": ["Will", "Bill", "Billy", "Liam", "Willie"],
    "Robert": ["Rob", "Bob", "Bobby", "Robbie"], "James": ["Jim", "Jimmy", "Jamie"], "John": ["Johnny", "Jack"],
    "Richard": ["Rick", "Rich", "Ricky", "Dick"], "Thomas": ["Tom", "Tommy"], "Christopher": ["Chris", "Topher"],
    "Daniel": ["Dan", "Danny"], "Matthew": ["Matt", "Matty"], "Anthony": ["Tony", "Ant"],
    "Joseph": ["Joe", "Joey"], "David": ["Dave", "Davey"], "Steven": ["Steve"], "Stephen": ["Steve"],
    "Andrew": ["Andy", "Drew"], "Joshua": ["Josh"], "Kenneth": ["Ken", "Kenny"],
    "Edward": ["Ed", "Eddie", "Ted", "Ned"], "Benjamin": ["Ben", "Benny", "Benji"], "Samuel": ["Sam", "Sammy"],
    "Alexander": ["Alex", "Xander", "Al"], "Nicholas": ["Nick", "Nicky"], "Jonathan": ["Jon", "Jonny"],
    "Timothy": ["Tim", "Timmy"], "Gregory": ["Greg"], "Jeffrey": ["Jeff"], "Patrick": ["Pat", "Paddy"],
    "Charles": ["Charlie", "Chuck", "Chaz"], "Ronald": ["Ron", "Ronnie"], "Donald": ["Don", "Donnie"],
    "Gerald": ["Jerry", "Gerry"], "Lawrence": ["Larry"], "Raymond": ["Ray"], "Frederick": ["Fred", "Freddie"],
    "Zachary": ["Zach", "Zack"], "Nathan": ["Nate"], "Nathaniel": ["Nate", "Nat"], "Jacob": ["Jake"],
    "Eugene": ["Gene"], "Leonard": ["Leo", "Len", "Lenny"], "Peter": ["Pete"], "Phillip": ["Phil"],
    "Philip": ["Phil"], "Douglas": ["Doug"], "Vincent": ["Vince", "Vinny"], "Harold": ["Harry", "Hal"],
    "Henry": ["Hank", "Harry"], "Walter": ["Walt"], "Albert": ["Al", "Bert"], "Francis": ["Frank"],
    "Franklin": ["Frank"], "Bradley": ["Brad"], "Cameron": ["Cam"], "Gabriel": ["Gabe"], "Jeremy": ["Jerry"],
    "Mitchell": ["Mitch"], "Randall": ["Randy"], "Russell": ["Russ"], "Stanley": ["Stan"], "Terrence": ["Terry"],
    "Theodore": ["Ted", "Teddy", "Theo"], "Dominic": ["Dom"], "Gary": ["Gaz"], "Timothy ": ["Tim"],
    "Jeffery": ["Jeff"], "Kevin": ["Kev"], "Maxwell": ["Max"], "Maximilian": ["Max"], "Frank": ["Frankie"],
    "Elizabeth": ["Liz", "Beth", "Lizzie", "Betty", "Eliza"], "Jennifer": ["Jen", "Jenny", "Jenn"],
    "Katherine": ["Kate", "Katie", "Kathy", "Kat"], "Catherine": ["Cathy", "Kate", "Cat"],
    "Kathryn": ["Kate", "Katie", "Kathy"], "Kathleen": ["Kathy", "Kathleen", "Katie"],
    "Margaret": ["Maggie", "Peggy", "Meg", "Marge"], "Patricia": ["Pat", "Patty", "Trish"],
    "Susan": ["Sue", "Susie"], "Deborah": ["Debbie", "Deb"], "Rebecca": ["Becky", "Becca"],
    "Jessica": ["Jess", "Jessie"], "Samantha": ["Sam", "Sammy"], "Christina": ["Tina", "Chris", "Chrissy"],
    "Christine": ["Chris", "Chrissy", "Tina"], "Victoria": ["Vicky", "Tori"],
    "Alexandra": ["Alex", "Lexi", "Sasha"], "Abigail": ["Abby"], "Kimberly": ["Kim"], "Stephanie": ["Steph"],
    "Cynthia": ["Cindy"], "Pamela": ["Pam"], "Barbara": ["Barb", "Barbie"], "Dorothy": ["Dot", "Dottie"],
    "Judith": ["Judy"], "Madison": ["Maddie"], "Madeline": ["Maddie"], "Olivia": ["Liv", "Livvy"],
    "Isabella": ["Bella", "Izzy"], "Gabriella": ["Gabby", "Gabi"], "Gabrielle": ["Gabby"],
    "Amanda": ["Mandy", "Manda"], "Melissa": ["Missy", "Mel", "Lissa"], "Melanie": ["Mel"],
    "Theresa": ["Terri", "Tess"], "Teresa": ["Terri", "Tess"], "Valerie": ["Val"], "Angela": ["Angie"],
    "Jacqueline": ["Jackie"], "Frances": ["Fran"], "Josephine": ["Josie", "Jo"], "Cassandra": ["Cassie"],
    "Natalie": ["Nat"], "Kristen": ["Kris"], "Allison": ["Allie", "Ally"], "Danielle": ["Dani"],
    "Nicole": ["Nikki", "Nic"], "Caroline": ["Carrie"], "Michelle": ["Shelly", "Chelle"], "Anna": ["Annie"],
    "Emily": ["Em", "Emmy"], "Eleanor": ["Ellie", "Nell"], "Charlotte": ["Charlie", "Lottie"],
    "Veronica": ["Ronnie"], "Tiffany": ["Tiff"], "Sandra": ["Sandy"], "Donna": ["Donna"], "Carol": ["Carol"],
    "Christopher ": ["Chris"], "Suzanne": ["Suzy"], "Jillian": ["Jill"], "Rachel": ["Rach"],
    "Kristina": ["Kristy", "Tina"], "Penelope": ["Penny"], "Virginia": ["Ginny"], "Priscilla": ["Cilla"],
    "Evelyn": ["Evie"], "Lauren": ["Laurie"], "Sophia": ["Sophie"], "Kelly": ["Kel"], "Mary": ["Molly"],
    "Ann": ["Annie"], "Debra": ["Deb", "Debbie"], "Jacquelyn": ["Jackie"], "Alicia": ["Ali"],
    "Brittany": ["Britt"], "Courtney": ["Court"], "Andrea": ["Andi"], "Heather": ["Heath"],
}
NICKS = {k.strip(): [n for n in v if n != k.strip()] for k, v in NICKS.items()}
NICKS = {k: v for k, v in NICKS.items() if v}


_TRANSLIT = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ł": "l", "Ł": "L", "ı": "i",
                           "đ": "d", "Đ": "D", "œ": "oe", "þ": "th", "ð": "d"})


def fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s.translate(_TRANSLIT)).encode("ascii", "ignore").decode()


def _clean_name(s: str) -> str | None:
    s = s.strip()
    folded = fold(s).replace("-", "").replace("'", "")
    if len(folded) < 2 or not folded.isalpha() or not all(ch.isalpha() or ch in "-'" for ch in s):
        return None
    return s


def _weighted(d) -> tuple[list[str], list[float]]:
    names, cum, total = [], [], 0.0
    for name, w in d.items():
        total += w
        names.append(name)
        cum.append(total)
    return names, cum


def _load_tails():
    import importlib
    first = {"M": [], "F": []}
    last = []
    seen_f, seen_l = set(), set()
    for loc in TAIL_LOCALES:
        p = importlib.import_module("faker.providers.person." + loc).Provider
        for g, attr in (("M", "first_names_male"), ("F", "first_names_female")):
            for n in getattr(p, attr, ()):
                c = _clean_name(n)
                if c and (c, g) not in seen_f:
                    seen_f.add((c, g))
                    first[g].append(c)
        for n in getattr(p, "last_names", ()):
            c = _clean_name(n)
            if c and c not in seen_l and " " not in c:
                seen_l.add(c)
                last.append(c)
    return first, last


US_FIRST = {"M": _weighted(US.first_names_male), "F": _weighted(US.first_names_female)}
US_LAST = _weighted(US.last_names)
FIRST_MAX = {g: max(US.first_names_male.values() if g == "M" else US.first_names_female.values()) for g in "MF"}
LAST_MAX = max(US.last_names.values())
TAIL_FIRST, TAIL_LAST = _load_tails()

ADJ = ("blue red dark silent happy lucky crazy wild little big golden silver lazy cosmic electric shadow sunny "
       "rusty frozen mighty quiet purple neon urban retro salty spicy sleepy cool brave fuzzy angry ancient arctic "
       "atomic bitter black bold bright broken bubbly burning calm chill clever cloudy cold copper crimson curly "
       "cyber dizzy dusty eager early easy emerald epic fancy fast fierce fire flying foggy free fresh funky gentle "
       "ghostly giant glass gloomy good grand gray green grumpy hidden holy honest hungry icy iron jolly jumpy "
       "kind last late lone loud magic mellow merry midnight misty modern moody muddy mystic noble northern odd "
       "old orange pale perfect pink plain polar proud pure quick rainy rapid rare raw rebel royal rowdy rugged "
       "sacred savage scarlet secret sharp shiny shy simple sly smooth snowy soft solar sour southern stormy "
       "strange sweet swift tiny toxic true twisted velvet violet vivid wandering warm weird white wicked windy "
       "wise wooden yellow young zen").split()
NOUN = ("falcon wolf tiger fox panda dragon ninja pirate rider knight ghost phoenix raven otter moose bear "
        "hawk viking wizard monkey coyote badger rocket comet storm river pixel biscuit taco mango pepper "
        "acorn anchor angel apple arrow asteroid avocado bagel bandit banjo barn bat beacon beetle berry bison "
        "blade blizzard bobcat bolt bones breeze brick bronco buffalo bullet bunny burrito cactus canyon captain "
        "cat cheetah cherry cobra cookie cougar cowboy coyote crow cupcake cyclone daisy dingo dino donut dove "
        "duck eagle echo ember falcon ferret flame flamingo forest fossil frog galaxy gator gecko giraffe goat "
        "goblin gopher gorilla grizzly gull hammer harbor hippo hornet hound husky jaguar jelly jester kangaroo "
        "kitten koala kraken lemon lemur leopard lion lizard llama lobster lotus lynx magpie mammoth mantis "
        "maple marlin meadow meteor minnow mole moon moth muffin mustang nebula needle nomad nugget oak ocean "
        "octopus orca owl oyster paladin panther parrot peach pebble pelican penguin pickle pigeon pilot pine "
        "planet plum pony poodle possum potato prairie pretzel puffin puma pumpkin quail rabbit raccoon ranger "
        "rhino robin robot rogue rooster sailor salmon samurai scorpion shark sheriff skunk sloth snail "
        "sparrow sphinx spider squid squirrel stallion star sunset swan thunder titan toad tornado toucan "
        "trout tulip turtle unicorn valley vortex walrus warrior wasp whale willow wombat yeti zebra").split()
NOUN = list(dict.fromkeys(NOUN))


def _lorem_words(kind: str, exclude) -> list[str]:
    from faker.providers.lorem.en_US import Provider as Lorem
    words = getattr(Lorem, "parts_of_speech", {}).get(kind, ())
    return [w for w in dict.fromkeys(words) if w.isalpha() and 3 <= len(w) <= 7 and w not in exclude]


# Faker's everyday English adjectives and nouns widen the word-handle space (fewer accidental collisions).
ADJ2 = _lorem_words("adjective", set(ADJ))
NOUN2 = _lorem_words("noun", set(NOUN))
INTEREST = ("gamer fan runner writes codes photo travels reads cooks bakes lifts golf art music dev design "
            "hoops surf ski chef nerd plays draws sings knits hikes bikes rides dances paints films blogs fishes "
            "yoga vegan tunes beats words lens ink").split()
PLACEHOLDERS = ("Sports Fan", "Coffee Lover", "Proud Mom", "Proud Dad", "Dog Mom", "Music Lover", "Gamer",
                "Just Me", "Bookworm", "Foodie", "Traveler", "Cat Lady", "Wanderer", "Dreamer", "Nobody")
TAGLINES = (" | Writer", " | Realtor", " | Photographer", " (pronouns)", ", PhD", " - parent of 3", " | Teacher",
            " | Nurse", " | Dev")
EMOJI = (" \U0001F33B", " \u2728", " \U0001F1FA\U0001F1F8", " \U0001F3C0", " \u2615", " \U0001F308", " \U0001F33F")
TITLES = ("Dr. ", "Coach ", "Rev. ")
PLUS_TAGS = ("shop", "news", "site", "spam", "signup", "accounts", "social", "2", "alt", "work")

# (domain, weight); the gmail share is roughly that of a US consumer site.
DOMAINS = [("gmail.com", 40), ("yahoo.com", 12), ("hotmail.com", 8), ("outlook.com", 6), ("icloud.com", 5),
           ("aol.com", 3), ("live.com", 1.5), ("msn.com", 1), ("me.com", 1), ("comcast.net", 2), ("att.net", 1),
           ("verizon.net", 0.7), ("sbcglobal.net", 0.7), ("protonmail.com", 1.2), ("proton.me", 0.5),
           ("gmx.de", 0.8), ("web.de", 0.6), ("yahoo.co.uk", 0.8), ("hotmail.co.uk", 0.6), ("btinternet.com", 0.4),
           ("orange.fr", 0.4), ("free.fr", 0.3), ("mail.com", 0.5), ("ymail.com", 0.4), ("*work", 5), ("*edu", 2)]
ISPS = ("comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "charter.net", "bellsouth.net",
        "earthlink.net", "optonline.net", "frontier.com", "windstream.net", "centurylink.net")
WORK_SUFFIX = ("group", "law", "corp", "inc", "partners", "llc", "labs", "design", "media", "realty", "health",
               "consulting", "tech", "co", "studio", "solutions")
EDU = ("state.edu", "u.edu", "college.edu", "tech.edu")

# Name-based handle templates: f/l first and last name (lower case), F/L capitalised, fi/li/mi initials, d digits
# (a birth year, its last two digits, or a small number).
NAME_TEMPLATES = {
    "twitter": [(12, "{F}{L}"), (8, "{f}_{l}"), (6, "{f}{l}"), (5, "{fi}{l}"), (5, "{f}{d}"), (4, "{F}{L}{d}"),
                (3, "the{F}{L}"), (3, "real{F}{L}"), (2, "its{f}{l}"), (2, "im{f}"), (3, "{f}_{l}_"), (2, "{F}_{L}"),
                (2, "{f}{li}"), (2, "{l}{f}"), (2, "{f}_{d}"), (1, "{fi}_{l}"), (1, "{F}{MI}{L}"), (1, "{l}_{f}"),
                (2, "{f}"), (1, "{l}{d}")],
    "email": [(18, "{f}.{l}"), (13, "{f}{l}"), (10, "{fi}{l}"), (8, "{f}{l}{d}"), (6, "{f}.{l}{d}"), (4, "{f}_{l}"),
              (5, "{f}{d}"), (3, "{l}{f}"), (2, "{l}.{f}"), (5, "{fi}{l}{d}"), (3, "{f}{li}"), (2, "{f}{mi}{l}"),
              (2, "{fi}{mi}{l}"), (1, "{l}{fi}"), (2, "{f}.{mi}.{l}"), (2, "{fi}.{l}"), (1, "{l}{d}")],
    "user": [(10, "{f}{l}"), (6, "{f}.{l}"), (6, "{f}_{l}"), (8, "{fi}{l}"), (3, "{f}{d}"), (6, "{f}{l}{d}"),
             (3, "{f}"), (3, "{f}{li}"), (3, "{l}{f}"), (3, "{fi}{l}{d}"), (2, "{f}-{l}"), (1, "{l}"),
             (1, "{f}{mi}{l}")],
}
SIGNATURE_TEMPLATES = [(3, "{f}{l}{d}"), (3, "{fi}{l}{d}"), (1, "{f}_{l}{d}"), (1, "{f}{li}{d}"), (1, "{l}{fi}{d}"),
                       (0.5, "{f}x{li}"), (0.5, "{f}{l}"), (0.5, "{f}_{l}"), (0.3, "{fi}{mi}{l}")]

EPOCH_TW = 1288834974657  # Twitter snowflake epoch (ms)
SNOWFLAKE_START = EPOCH_TW / 1000 + 1
TW_START = dt.datetime(2007, 1, 1, tzinfo=dt.timezone.utc).timestamp()
SITE_START = dt.datetime(2012, 1, 1, tzinfo=dt.timezone.utc).timestamp()
SITE_END = dt.datetime(2025, 6, 30, tzinfo=dt.timezone.utc).timestamp()


class Gen:
    def __init__(self, seed: int, knobs: dict):
        self.k = knobs
        self.r = random.Random(seed)
        self.usernames: set[str] = set()
        self.screen_names: set[str] = set()
        self.mailboxes: set[str] = set()      # normalised mailboxes in use
        self.tw_ids: set[int] = set()
        self.family_domains: set[str] = set()
        self.work_domains = self._work_domains()
        self.rows: list[tuple[dict, str, str]] = []   # (account, person_id, pattern)
        self.neg_groups: list[tuple[str, str]] = []
        self.next_person = 1
        dw = [w for _, w in DOMAINS]
        self.dom_names = [d for d, _ in DOMAINS]
        self.dom_cum = list(itertools.accumulate(dw))

    # ---------------------------------------------------------------- small helpers
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def wpick(self, options):
        """options: list of (weight, value)."""
        total = sum(w for w, _ in options)
        x = self.r.random() * total
        for w, v in options:
            x -= w
            if x < 0:
                return v
        return options[-1][1]

    def wcall(self, options):
        """options: list of (weight, callable); builds only the chosen one."""
        return self.wpick(options)()

    def _work_domains(self):
        out, seen = [], set()
        names = US_LAST[0] + TAIL_LAST
        while len(out) < 3000:
            base = fold(self.pick(names)).lower().replace("-", "").replace("'", "")
            d = base + self.pick(WORK_SUFFIX) + self.pick((".com", ".com", ".com", ".net", ".org", ".io"))
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out

    # ---------------------------------------------------------------- people
    def first_name(self, gender: str) -> str:
        if self.chance(self.k["head_first"]):
            names, cum = US_FIRST[gender]
            return names[bisect.bisect(cum, self.r.random() * cum[-1])]
        return self.pick(TAIL_FIRST[gender])

    def last_name(self) -> str:
        if self.chance(self.k["head_last"]):
            names, cum = US_LAST
            return names[bisect.bisect(cum, self.r.random() * cum[-1])]
        return self.pick(TAIL_LAST)

    def person(self, first=None, last=None, gender=None, nick_needed=False) -> dict:
        r = self.r
        gender = gender or ("M" if r.random() < 0.5 else "F")
        if first is None:
            for _ in range(200):
                first = self.first_name(gender)
                if not nick_needed or first in NICKS:
                    break
            if nick_needed and first not in NICKS:
                first = self.pick([n for n in NICKS if n in US_FIRST[gender][0]])
        last = last or self.last_name()
        nick = None
        if first in NICKS:
            opts = NICKS[first]
            nick = opts[0] if r.random() < 0.6 else self.pick(opts)
        p = {
            "first": first, "last": last, "gender": gender, "nick": nick,
            "mi": chr(65 + r.randrange(26)), "year": r.randrange(1955, 2007),
            "id": "p%07d" % self.next_person,
        }
        self.next_person += 1
        p["handle"] = self.signature_handle(p)
        p["reuse"] = self.chance(self.k["p_reuse"])
        return p

    # ---------------------------------------------------------------- handles
    def toks(self, p, use_nick=False):
        f = fold(p["nick"] if use_nick and p["nick"] else p["first"]).lower()
        f = "".join(ch for ch in f if ch.isalnum())
        l = "".join(ch for ch in fold(p["last"]).lower() if ch.isalnum())
        return f, l

    def digits(self, p) -> str:
        r = self.r
        return self.wcall([(3, lambda: "%02d" % (p["year"] % 100)), (2, lambda: str(p["year"])),
                           (3, lambda: str(r.randrange(1, 100))), (1, lambda: str(r.randrange(100, 1000))),
                           (0.2, lambda: "123"), (0.1, lambda: "007"), (0.3, lambda: "1")])

    def adj(self) -> str:
        return self.pick(ADJ) if self.chance(0.6) else self.pick(ADJ2)

    def noun(self) -> str:
        return self.pick(NOUN) if self.chance(0.6) else self.pick(NOUN2)

    def word_handle(self, p) -> str:
        f, l = self.toks(p, use_nick=self.chance(0.3))
        r = self.r
        return self.wcall([
            (3, lambda: self.adj() + self.noun()),
            (3, lambda: self.adj() + self.noun() + str(r.randrange(1, 100))),
            (1, lambda: self.adj() + "_" + self.noun()),
            (1, lambda: self.noun() + str(r.randrange(1, 1000))),
            (0.1, lambda: f + self.pick(INTEREST)),
            (0.05, lambda: f + "_" + self.pick(INTEREST)),
            (0.05, lambda: self.pick(INTEREST) + f),
            (0.3, lambda: f + self.noun()),
            (0.7, lambda: "the" + self.adj() + self.noun()),
        ])

    def fill(self, templates, p, f: str, l: str) -> str:
        """Pick a template from (weight, template) pairs and fill it from the name tokens."""
        t = self.wpick(templates)
        return t.format(f=f, l=l, F=f.capitalize(), L=l.capitalize(), fi=f[:1], li=l[:1], mi=p["mi"].lower(),
                        MI=p["mi"], d=self.digits(p) if "{d}" in t else "")

    def name_handle(self, p, kind: str, use_nick=False) -> str:
        """A name-based handle: kind is 'email', 'user' or 'twitter'."""
        f, l = self.toks(p, use_nick)
        return self.fill(NAME_TEMPLATES[kind], p, f, l)

    def signature_handle(self, p) -> str:
        """The handle a person would reuse: a word handle, or a name with a number (a bare name is rarely free)."""
        if self.chance(self.k["p_word_handle"]):
            return self.word_handle(p)
        f, l = self.toks(p, use_nick=self.chance(0.25))
        return self.fill(SIGNATURE_TEMPLATES, p, f, l)

    def reused(self, h: str) -> str:
        """The signature handle as it lands on one more service (mostly as is; sometimes with a digit or an
        underscore because the exact one was taken)."""
        return self.wpick([(18, h), (1, h + str(self.r.randrange(1, 10))), (1, h + "_")])

    # ---------------------------------------------------------------- uniqueness
    def unique_username(self, base: str, p: dict | None = None) -> str:
        base = "".join(ch for ch in base if ch.isalnum() or ch in "._-").strip("._-") or "user"
        base = base[:30]
        if len(base) < 3:
            base = base + str(self.r.randrange(10, 100))
        u = base
        own = p.setdefault("own", set()) if p is not None else set()
        if u.lower() in own:
            # the person's own earlier account holds it: a second account is usually marked as such
            u = base[:27] + self.wpick([(3, "2"), (2, "_"), (2, "_2"), (1, "_alt"), (1, "1")])
        while u.lower() in self.usernames:
            # what people type when the name is taken, or what the form suggests
            suffix = self.wpick([(3, str(self.r.randrange(1, 10))), (3, str(self.r.randrange(10, 100))),
                                 (2, "_" + str(self.r.randrange(1, 100))), (2, str(self.r.randrange(100, 10000))),
                                 (1, "_")])
            u = base[: 30 - len(suffix)] + suffix
        self.usernames.add(u.lower())
        own.add(u.lower())
        own.add(base.lower())
        return u

    def unique_screen_name(self, base: str) -> str:
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in fold(base))
        base = base.replace("__", "_")
        if len(base) > 15:
            base = base[:15] if self.chance(0.5) else base.replace("_", "")[:15]
        if len(base) < 4:
            base = base + str(self.r.randrange(10, 1000))
        s = base
        while s.lower() in self.screen_names:
            suffix = self.wpick([(4, str(self.r.randrange(1, 100))), (2, "_"), (2, "_" + str(self.r.randrange(1, 10))),
                                 (1, str(self.r.randrange(100, 10000)))])
            if self.chance(0.1):
                s = ("_" + base)[:15]
                if s.lower() not in self.screen_names:
                    break
            s = base[: 15 - len(suffix)] + suffix
        self.screen_names.add(s.lower())
        return s

    # ---------------------------------------------------------------- mailboxes
    @staticmethod
    def normalise(email: str) -> str:
        local, domain = email.lower().split("@")
        local = local.split("+")[0]
        if domain in ("gmail.com", "googlemail.com"):
            local, domain = local.replace(".", ""), "gmail.com"
        return local + "@" + domain

    def domain(self, p) -> str:
        d = self.dom_names[bisect.bisect(self.dom_cum, self.r.random() * self.dom_cum[-1])]
        if d == "*work":
            return self.pick(self.work_domains)
        if d == "*edu":
            return fold(self.pick(US_LAST[0])).lower() + self.pick(EDU)
        return d

    def mailbox(self, p, domain=None, local=None) -> str:
        domain = domain or self.domain(p)
        for attempt in range(50):
            if local is None or attempt > 0:
                if p["reuse"] and attempt == 0 and self.chance(self.k["p_reuse_local"]):
                    local = p["handle"]
                else:
                    local = self.name_handle(p, "email", use_nick=p.get("habitual", False)) if self.chance(0.85) \
                        else self.word_handle(p)
                if attempt > 2:
                    local = local + str(self.r.randrange(1, 1000))
            local = local.replace("-", ".").strip(".")
            while ".." in local:
                local = local.replace("..", ".")
            if domain == "gmail.com" and len(local.replace(".", "")) < 6:   # Gmail wants six or more
                local = local + str(self.r.randrange(10, 100))
            if len(local) > 2 and self.normalise(local + "@" + domain) not in self.mailboxes:
                break
        else:
            raise RuntimeError("no free mailbox for %r at %s" % (local, domain))
        email = local + "@" + domain
        self.mailboxes.add(self.normalise(email))
        return email

    def gmail_variant(self, email: str) -> str:
        local, domain = email.split("@")
        bare = local.replace(".", "")
        for _ in range(20):
            kind = self.wpick([(5, "dots"), (2, "case"), (1, "googlemail")])
            if kind == "dots":
                cut = sorted(self.r.sample(range(1, len(bare)), min(len(bare) - 1, self.r.choice((1, 1, 2)))))
                parts, prev = [], 0
                for c in cut:
                    parts.append(bare[prev:c])
                    prev = c
                parts.append(bare[prev:])
                v = ".".join(parts) + "@gmail.com"
                if self.chance(0.3):
                    v = bare + "@gmail.com"
            elif kind == "case":
                v = ".".join(w.capitalize() for w in local.split(".")) + "@" + self.pick(("gmail.com", "Gmail.com"))
            else:
                v = local + "@googlemail.com"
            if v != email:
                return v
        return local.upper() + "@gmail.com"

    def plus_variant(self, email: str) -> str:
        local, domain = email.split("@")
        return local + "+" + self.pick(PLUS_TAGS) + "@" + domain

    # ---------------------------------------------------------------- times and ids
    def signup_time(self, after: float | None = None) -> float:
        if after is None:
            return SITE_START + (SITE_END - SITE_START) * (self.r.random() ** 0.8)
        t = after + self.r.expovariate(1 / (86400 * 400)) + 60
        return t if t < SITE_END else after + (SITE_END - after) * self.r.random()

    @staticmethod
    def stamp(t: float) -> str:
        return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def twitter_id(self, site_time: float) -> str:
        while True:
            t = TW_START + (site_time - TW_START) * self.r.random()
            if t < SNOWFLAKE_START:
                i = int(1e6 + (t - TW_START) / (SNOWFLAKE_START - TW_START) * 2.2e8) + self.r.randrange(1000)
            else:
                i = ((int(t * 1000) - EPOCH_TW) << 22) | self.r.getrandbits(22)
            if i not in self.tw_ids:
                self.tw_ids.add(i)
                return str(i)

    # ---------------------------------------------------------------- names as typed
    def typo(self, s: str) -> str:
        if len(s) < 4:
            return s
        i = self.r.randrange(1, len(s) - 1)
        kind = self.r.randrange(4)
        if kind == 0:
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if kind == 1:
            return s[:i] + s[i + 1:]
        if kind == 2:
            return s[:i] + s[i] + s[i:]
        return s[:i] + self.pick("aeiou") + s[i + 1:]

    def typed_name(self, p, use_nick=False) -> tuple[str | None, str | None]:
        first = p["nick"] if use_nick and p["nick"] else p["first"]
        last = p["last"]
        if self.chance(self.k["p_typo"]):
            if self.chance(0.5):
                first = self.typo(first)
            else:
                last = self.typo(last)
        style = self.wpick([(89, "proper"), (6, "lower"), (3, "first_only"), (1, "none"), (1.5, "mi"), (1, "upper"),
                            (0.5, "initial_last")])
        if style == "lower":
            return first.lower(), last.lower()
        if style == "upper":
            return first.upper(), last.upper()
        if style == "first_only":
            return first, None
        if style == "none":
            return None, None
        if style == "mi":
            return first + " " + p["mi"] + ".", last
        if style == "initial_last":
            return first[0] + ".", last
        return first, last

    def display_name(self, p, screen_name: str, use_nick=False) -> str:
        k = self.k
        first = p["nick"] if use_nick and p["nick"] else p["first"]
        full = first + " " + p["last"]
        x = self.r.random()
        for key in ("p_dn_handle", "p_dn_first_only", "p_dn_decorated", "p_dn_placeholder"):
            if x < k[key]:
                break
            x -= k[key]
        else:
            key = "real"
        if key == "p_dn_handle":
            return screen_name
        if key == "p_dn_first_only":
            return first if self.chance(0.7) else first + " " + p["last"][0] + "."
        if key == "p_dn_placeholder":
            return self.pick(PLACEHOLDERS)
        if key == "p_dn_decorated":
            tag = self.pick(TAGLINES)
            tag = tag.replace("pronouns", "he/him" if p["gender"] == "M" else "she/her")
            tag = tag.replace("parent", "Dad" if p["gender"] == "M" else "Mom")
            return self.wpick([(4, full + self.pick(EMOJI)), (4, full + tag),
                               (1, self.pick(TITLES) + full), (1, first + " " + p["mi"] + ". " + p["last"])])
        return self.wpick([(88, full), (6, full.lower()), (2, full.upper()),
                           (2, first + " " + p["mi"] + ". " + p["last"]), (1, p["last"] + " " + first)])

    # ---------------------------------------------------------------- accounts
    def emit(self, acct: dict, p: dict, pattern: str):
        self.rows.append((acct, p["id"], pattern))

    def email_account(self, p, email: str, t: float, use_nick=False) -> dict:
        local = email.split("@")[0]
        if p["reuse"] and self.chance(self.k["p_reuse_user"]):
            base = self.reused(p["handle"])
        elif self.chance(self.k["p_user_is_local"]):
            base = local.split("+")[0]
        else:
            base = self.name_handle(p, "user", use_nick) if self.chance(0.8) else self.word_handle(p)
        first, last = self.typed_name(p, use_nick)
        return {"username": self.unique_username(base, p), "email": email, "first_name": first, "last_name": last,
                "created_at": self.stamp(t), "twitter": None}

    def twitter_account(self, p, email: str | None, t: float, use_nick=False, base: str | None = None,
                        display: str | None = None) -> dict:
        if base is None:
            if p["reuse"] and self.chance(self.k["p_reuse_screen"]):
                base = self.reused(p["handle"])
            else:
                base = self.name_handle(p, "twitter", use_nick) if self.chance(0.7) else self.word_handle(p)
        sn = self.unique_screen_name(base)
        dn = display if display is not None else self.display_name(p, sn, use_nick)
        ustyle = self.wpick([(60, "lower"), (22, "same"), (10, "own"), (8, "tw")])
        if ustyle == "lower":
            ub = sn.lower()
        elif ustyle == "same":
            ub = sn
        elif ustyle == "tw":
            ub = "tw_" + sn.lower()
        else:
            ub = self.name_handle(p, "user", use_nick)
        x = self.r.random()
        if x < self.k["p_tw_keep"]:
            words = dn.split()
            first = words[0] if words else None
            last = " ".join(words[1:]) or None
        elif x < self.k["p_tw_keep"] + self.k["p_tw_edit"]:
            first, last = self.typed_name(p, use_nick)
        else:
            first, last = None, None
        return {"username": self.unique_username(ub, p), "email": email, "first_name": first, "last_name": last,
                "created_at": self.stamp(t),
                "twitter": {"id": self.twitter_id(t), "screen_name": sn, "name": dn}}

    def any_account(self, p, pattern, t=None):
        t = t or self.signup_time()
        if self.chance(0.72):
            self.emit(self.email_account(p, self.mailbox(p), t, p.get("habitual", False)), p, pattern)
        else:
            email = self.mailbox(p) if self.chance(0.5) else None
            self.emit(self.twitter_account(p, email, t, p.get("habitual", False)), p, pattern)

    # ---------------------------------------------------------------- patterns
    def singleton(self):
        p = self.person()
        p["habitual"] = bool(p["nick"]) and self.chance(self.k["p_habitual_nick"])
        self.any_account(p, "singleton")

    def nick_flags(self, p, n: int) -> list[bool]:
        """Which of a person's n accounts use the nickname: the habit, flipped on a later account with
        probability p_nick_switch (people write "Mike" on one form and "Michael" on another)."""
        base = p.get("habitual", False)
        out = [base]
        for _ in range(n - 1):
            out.append((not base) if p["nick"] and self.chance(self.k["p_nick_switch"]) else base)
        return out

    def multi_person(self) -> dict:
        p = self.person()
        p["habitual"] = bool(p["nick"]) and self.chance(self.k["p_habitual_nick"])
        return p

    def email_vs_twitter(self):
        p = self.multi_person()
        n1, n2 = self.nick_flags(p, 2)
        t1 = self.signup_time()
        t2 = self.signup_time(t1)
        if self.chance(0.4):
            t1, t2 = t2, t1
        email = self.mailbox(p)
        a = self.email_account(p, email, t1, n1)
        x = self.r.random()
        if x < self.k["p_evt_same_mail"]:
            e2 = email
        elif x < self.k["p_evt_same_mail"] + self.k["p_evt_no_mail"]:
            e2 = None
        else:
            e2 = self.mailbox(p)
        b = self.twitter_account(p, e2, t2, n2)
        self.emit(a, p, "email_vs_twitter")
        self.emit(b, p, "email_vs_twitter")

    def twitter_shared_mailbox(self):
        p = self.multi_person()
        n1, n2 = self.nick_flags(p, 2)
        email = self.mailbox(p)
        t1 = self.signup_time()
        a = self.twitter_account(p, email, t1, n1)
        # the second one: a hobby or work account, or a fresh personal one
        kind = self.wpick([(6, "personal"), (3, "hobby"), (1, "work")])
        f, l = self.toks(p, n2)
        first = p["nick"] if n2 and p["nick"] else p["first"]
        if kind == "personal":
            b = self.twitter_account(p, email, self.signup_time(t1), n2)
        elif kind == "hobby":
            word = self.pick(INTEREST)
            base = self.wpick([(1, f + word), (1, f + "_" + word + str(self.r.randrange(1, 100))),
                               (1, f + l[:1] + word), (2, self.adj() + self.noun())])
            dn = self.wpick([(2, first + " " + word.capitalize()), (2.5, first + " " + p["last"]), (0.5, base)])
            b = self.twitter_account(p, email, self.signup_time(t1), n2, base=base, display=dn)
        else:
            base = self.wpick([(1, f + l + "_" + self.pick(("biz", "work", "pro", "co"))),
                               (1, l + self.pick(WORK_SUFFIX))])
            dn = self.wpick([(1, p["last"] + " " + self.pick(WORK_SUFFIX).capitalize()),
                             (2, first + " " + p["last"] + " " + self.pick(("Official", "Studio", "Realty")))])
            b = self.twitter_account(p, email, self.signup_time(t1), n2, base=base, display=dn)
        self.emit(a, p, "twitter_shared_mailbox")
        self.emit(b, p, "twitter_shared_mailbox")

    def mailbox_variants(self, pattern):
        p = self.multi_person()
        if pattern == "gmail_variants" or self.chance(0.85):   # +tags are mostly a Gmail habit
            email = self.mailbox(p, domain="gmail.com")
            variant = self.gmail_variant(email) if pattern == "gmail_variants" else self.plus_variant(email)
            if pattern == "plus_tag" and self.chance(0.3):
                email, variant = variant, email
        else:
            email = self.mailbox(p, domain=self.pick(("outlook.com", "hotmail.com", "icloud.com", "protonmail.com",
                                                      "fastmail.com", self.pick(self.work_domains))))
            variant = self.plus_variant(email)
            if self.chance(0.3):
                email, variant = variant, email
        t1 = self.signup_time()
        t2 = self.signup_time(t1)
        accts = []
        for e, t, nick in zip((email, variant), (t1, t2), self.nick_flags(p, 2)):
            if self.chance(0.8):
                accts.append(self.email_account(p, e, t, nick))
            else:
                accts.append(self.twitter_account(p, e, t, nick))
        for a in accts:
            self.emit(a, p, pattern)

    def nickname(self):
        p = self.person(nick_needed=True)
        t1 = self.signup_time()
        t2 = self.signup_time(t1)
        nick_first = self.chance(0.5)
        e1 = self.mailbox(p)
        if self.chance(0.35):   # two email accounts
            p2mail = self.mailbox(p)
            a = self.email_account(p, e1, t1, use_nick=nick_first)
            b = self.email_account(p, p2mail, t2, use_nick=not nick_first)
        else:                  # an email account and a Twitter one, the nickname more often on Twitter
            tw_nick = self.chance(0.65)
            a = self.email_account(p, e1, t1, use_nick=not tw_nick)
            e2 = None if self.chance(self.k["p_evt_no_mail"]) else self.mailbox(p)
            b = self.twitter_account(p, e2, t2, use_nick=tw_nick)
        self.emit(a, p, "nickname")
        self.emit(b, p, "nickname")

    def three_accounts(self):
        p = self.multi_person()
        n1, n2, n3 = self.nick_flags(p, 3)
        t1 = self.signup_time()
        email = self.mailbox(p, domain="gmail.com" if self.chance(0.5) else None)
        a = self.email_account(p, email, t1, n1)
        tw_mail = None if self.chance(0.5) else self.mailbox(p)
        b = self.twitter_account(p, tw_mail, self.signup_time(t1), n2)
        if tw_mail and self.chance(0.3):
            c = self.twitter_account(p, tw_mail, self.signup_time(t1), n3)
        else:
            v = self.gmail_variant(email) if email.endswith("@gmail.com") and self.chance(0.6) \
                else self.plus_variant(email)
            c = self.email_account(p, v, self.signup_time(t1), n3)
        for x in (a, b, c):
            self.emit(x, p, "three_accounts")

    def common_name(self, gender: str) -> tuple[str, str]:
        """A first and last name drawn with weight ~ frequency^1.5: namesakes are mostly common names."""
        while True:
            names, cum = US_FIRST[gender]
            i = bisect.bisect(cum, self.r.random() * cum[-1])
            j = bisect.bisect(US_LAST[1], self.r.random() * US_LAST[1][-1])
            fw = cum[i] - (cum[i - 1] if i else 0)
            lw = US_LAST[1][j] - (US_LAST[1][j - 1] if j else 0)
            if self.r.random() < (fw / FIRST_MAX[gender] * lw / LAST_MAX) ** 0.5:
                return names[i], US_LAST[0][j]

    def neg_same_name(self, gid):
        g = "M" if self.chance(0.5) else "F"
        first, last = self.common_name(g)
        n = 2 if self.chance(0.85) else 3
        for _ in range(n):
            p = self.person(first=first, last=last, gender=g)
            self.any_account(p, "neg_same_name")
            self.neg_groups.append((self.rows[-1][0]["username"], gid))

    def neg_family(self, gid):
        last = self.last_name()
        ll = "".join(ch for ch in fold(last).lower() if ch.isalnum())
        if self.chance(0.5):
            for _ in range(10):
                d = self.wpick([(3, ll + "family.com"), (2, "the" + ll + "s.net"), (2, ll + ".org"),
                                (1, ll + "home.net"), (1, ll + "-family.net"), (1, ll + ".me"), (1, ll + "s.us")])
                if d not in self.family_domains:
                    break
                d = None
            if d is None:
                d = self.pick(ISPS)
            self.family_domains.add(d)
        else:
            d = self.pick(ISPS)
        n = self.wpick([(5, 2), (3, 3), (2, 4)])
        g0 = "M" if self.chance(0.5) else "F"
        used_first: list[str] = []
        t0 = self.signup_time()
        style = self.wpick([(3, "first"), (2, "fl"), (1, "first.last"), (1, "mixed")])
        for i in range(n):
            g = g0 if i == 0 else ("F" if g0 == "M" else "M") if i == 1 else ("M" if self.chance(0.5) else "F")
            for _ in range(50):
                f = self.first_name(g)
                if f not in used_first and (not used_first or f[0] != used_first[0][0] or self.chance(0.3)):
                    break
            used_first.append(f)
            p = self.person(first=f, last=last, gender=g)
            ff = "".join(ch for ch in fold(f).lower() if ch.isalnum())
            s = style if style != "mixed" else self.pick(("first", "fl", "first.last"))
            if d in ISPS and s == "first":   # a bare given name is long gone at a big ISP
                s = "first.last"
            local = {"first": ff, "fl": ff[0] + ll, "first.last": ff + "." + ll}[s]
            email = self.mailbox(p, domain=d, local=local)
            t = t0 + self.r.random() * (min(SITE_END, t0 + 86400 * 365 * 3) - t0)
            if self.chance(0.8):
                self.emit(self.email_account(p, email, t), p, "neg_family")
            else:
                self.emit(self.twitter_account(p, email if self.chance(0.5) else None, t), p, "neg_family")
            self.neg_groups.append((self.rows[-1][0]["username"], gid))

    def neg_handle_collision(self, gid):
        kind = self.wpick([(3, "initials"), (2, "word")])
        if kind == "initials":
            last = self.last_name()
            g1, g2 = ("M" if self.chance(0.5) else "F"), ("M" if self.chance(0.5) else "F")
            p1 = self.person(gender=g1, last=last)
            for _ in range(100):
                p2 = self.person(gender=g2, last=last)
                if p2["first"][0] == p1["first"][0] and p2["first"] != p1["first"]:
                    break
            f, l = self.toks(p1)
            handle = self.wpick([(3, f[0] + l), (1, f[0] + "_" + l), (1, f[0] + l + "1")])
        else:
            p1, p2 = self.person(), self.person()
            handle = self.pick(ADJ) + self.pick(NOUN)
        # p1 holds the handle as a site username; p2 as a screen name, a mailbox local part, or both.
        t1 = self.signup_time()
        e1 = self.mailbox(p1)
        a = self.email_account(p1, e1, t1)
        a["username"] = self._take_username(handle, a["username"])
        self.emit(a, p1, "neg_handle_collision")
        self.neg_groups.append((a["username"], gid))
        where = self.wpick([(2, "twitter"), (1, "email")])
        t2 = self.signup_time()
        if where == "twitter":
            b = self.twitter_account(p2, None if self.chance(0.5) else self.mailbox(p2), t2, base=handle)
        else:
            e2 = self.mailbox(p2, local=handle)
            b = self.email_account(p2, e2, t2)
        self.emit(b, p2, "neg_handle_collision")
        self.neg_groups.append((b["username"], gid))

    def _take_username(self, wanted: str, current: str) -> str:
        if wanted.lower() in self.usernames:
            return current
        self.usernames.discard(current.lower())
        self.usernames.add(wanted.lower())
        return wanted

    # ---------------------------------------------------------------- driver
    def run(self, n_accounts: int):
        kinds = ["email_vs_twitter", "twitter_shared_mailbox", "gmail_variants", "plus_tag", "nickname",
                 "three_accounts", "neg_same_name", "neg_family", "neg_handle_collision"]
        weights = [self.k["share_" + x] for x in kinds]
        kinds.append("singleton")
        weights.append(max(0.0, 1.0 - sum(weights)))
        cum = list(itertools.accumulate(weights))
        gid = 0
        while len(self.rows) < n_accounts:
            room = n_accounts - len(self.rows)
            kind = kinds[bisect.bisect(cum, self.r.random() * cum[-1])]
            if room < 4:
                kind = "singleton"
            if kind == "singleton":
                self.singleton()
            elif kind == "email_vs_twitter":
                self.email_vs_twitter()
            elif kind == "twitter_shared_mailbox":
                self.twitter_shared_mailbox()
            elif kind in ("gmail_variants", "plus_tag"):
                self.mailbox_variants(kind)
            elif kind == "nickname":
                self.nickname()
            elif kind == "three_accounts":
                self.three_accounts()
            else:
                gid += 1
                getattr(self, kind)("g%06d" % gid)


# Providers that deliver `local+tag@domain` to `local@domain` (the store's mailbox rules know them).
PLUS_DOMAINS = ("outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "fastmail.com",
                "protonmail.com", "proton.me")


def unique_emails(g, rows, order):
    """The store takes an address once (ignoring case): a later account (in file order) giving an address already
    used gets the same mailbox written another way where the provider allows it -- Gmail dots, or a +tag where plus
    addressing is documented -- and no address otherwise (its owner typed none, or another one the site took).
    Without this pass `accounts import` refuses those lines."""
    used = set()
    for i in order:
        acct = rows[i][0]
        email = acct["email"]
        if email is None:
            continue
        if email.lower() not in used:
            used.add(email.lower())
            continue
        local, domain = email.split("@")
        candidates = []
        if domain.lower() in ("gmail.com", "googlemail.com"):
            bare = local.split("+")[0]
            for k in range(1, len(bare)):
                if bare[k - 1] != "." and bare[k] != ".":
                    candidates.append(bare[:k] + "." + bare[k:] + "@" + domain)
            g.r.shuffle(candidates)
        if domain.lower() in ("gmail.com", "googlemail.com") or domain.lower() in PLUS_DOMAINS:
            bare = local.split("+")[0]
            candidates += [bare + "+" + tag + "@" + domain for tag in PLUS_TAGS]
            candidates += [bare + "+" + tag + str(n) + "@" + domain for n in range(2, 50) for tag in PLUS_TAGS]
        acct["email"] = next((c for c in candidates if c.lower() not in used), None)
        if acct["email"] is not None:
            used.add(acct["email"].lower())


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--accounts", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--neg-groups", help="optional CSV username,neg_group_id for hard-negative groups")
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE", help="override a knob")
    args = ap.parse_args()
    knobs = dict(KNOBS)
    for kv in args.set:
        key, _, val = kv.partition("=")
        if key not in knobs:
            ap.error("unknown knob %r (known: %s)" % (key, ", ".join(sorted(knobs))))
        knobs[key] = float(val)
    g = Gen(args.seed, knobs)
    g.run(args.accounts)
    rows = g.rows
    # shuffle deterministically so the file order does not give people away
    order = list(range(len(rows)))
    g.r.shuffle(order)
    unique_emails(g, rows, order)
    with open(args.out, "w", encoding="utf-8") as out, open(args.labels, "w", encoding="utf-8", newline="") as lab:
        w = csv.writer(lab, lineterminator="\n")
        w.writerow(["username", "person_id", "pattern"])
        for i in order:
            acct, pid, pattern = rows[i]
            out.write(json.dumps(acct, ensure_ascii=False) + "\n")
            w.writerow([acct["username"], pid, pattern])
    if args.neg_groups:
        with open(args.neg_groups, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["username", "neg_group_id"])
            w.writerows(g.neg_groups)
    counts = {}
    for _, _, pattern in rows:
        counts[pattern] = counts.get(pattern, 0) + 1
    print("accounts %d: %s" % (len(rows), ", ".join("%s %d" % kv for kv in sorted(counts.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
