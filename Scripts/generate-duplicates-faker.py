#!/usr/bin/env python3
"""Seeded, labelled test accounts for evaluating a duplicate-account detector ("faker", the fourth generator).

A fourth opinion beside generate-duplicates.py, -independent.py and -third.py: written on 2026-12-01 by a helper
that read neither the engine nor the other generators, from the issue's own description of the patterns and hard
negatives. Its names are Faker's per-locale lists (a published source, not a list made up here). Needs
`pip install faker` (written against Faker 40.63.0; its name lists change between versions, so the same seed on
another version makes other accounts). Same output files as the others, so evaluate-duplicates.py reads it.

Models a user-account store where people either register with an e-mail
address or sign in with Twitter (X).  Names come from Faker's per-locale name
lists (en_US, en_GB, de_DE, fr_FR, es_ES, it_IT, pt_BR, nl_NL, pl_PL); the
lists are sampled once up front through Faker (so Faker's own frequency
weights are kept, e.g. Smith/Michael are common in en_US and Polish surnames
are gendered) and every later draw uses the seeded `random` module.

Usage:
  python3 generate-duplicates-faker.py --accounts N --seed S \
      --out FILE.jsonl --labels FILE.labels.csv [--neg-groups FILE.csv]

Output (JSONL, one account per line, sorted by created_at, the order a store
would hand out ids in):
  {"username", "email", "first_name", "last_name", "created_at", "twitter"}
  twitter = null | {"id", "screen_name", "name"}
Labels CSV: username,person_id,pattern  (one row per account).
Optional --neg-groups CSV: username,neg_group_id for hard-negative accounts,
so that an evaluator can score the exact hard-negative pairs (the person
accounts of one group are different people that were built to look alike).

Proportions (share of PEOPLE; group sizes in brackets)
------------------------------------------------------
  singleton               ~80.7%  one account (70% e-mail, 30% Twitter)
  hard negatives (one account each, so they count as one-account people):
    neg_same_name          3.0%   groups of 2-4 [70/22/8%] different people
                                  with the same common full name (shown on
                                  every account), own mailboxes, handles
                                  made independently
    neg_family             2.5%   groups of 2-4 [60/28/12%]: same surname,
                                  different given names; 40% share a custom
                                  family domain (smith-family.net,
                                  thesmiths.com, mueller-familie.de ...),
                                  60% share one provider (all gmail/web.de..)
    neg_handle_collision   2.0%   groups of 2-3 [80/20%] of different people
                                  whose handles are alike: same initial and
                                  surname (jsmith / j.smith / jsmith_2),
                                  same first name and surname initial
                                  (alexk / alex_k), or the same non-name
                                  handle (nightowl / nightowl_ / nightowl77)
  => ~88.2% of people hold exactly one account.
  duplicate people (11.8% of people; ~21% of accounts sit in a cluster):
    email_vs_twitter       4.0%   one e-mail account + one Twitter account;
                                  screen name = the e-mail username (35%),
                                  a variation of it (30%) or unrelated (35%);
                                  Twitter e-mail null (55%) or a second
                                  mailbox of the same person (45%)
    gmail_variants         1.8%   same gmail mailbox written with/without
                                  dots, +tag, or googlemail.com (e-mail+e-mail
                                  55%, e-mail+Twitter 45%)
    nickname               1.6%   formal name on one account, nickname on the
                                  other (Robert/Bob, Elizabeth/Liz,
                                  Johannes/Hans, Francisco/Paco, Giuseppe/
                                  Peppe, Katarzyna/Kasia ...); 30% share a
                                  mailbox variant, 30% share a handle, 40%
                                  share neither; each account shows the name
                                  it was made with (name fields or display)
    twitter_shared_mailbox 1.2%   two Twitter accounts, same mailbox.  The
                                  store (like Twitter itself) keeps e-mails
                                  unique as written, so the second one is
                                  written as a variant (gmail dots/+tag/
                                  googlemail, or +tag on outlook/icloud/...)
    typo                   1.2%   one account has a misspelt first or last
                                  name (transposition, dropped/doubled letter,
                                  ph/f, ie/ei, lost diacritic, keyboard slip);
                                  25% mailbox variant, 35% shared handle, 40%
                                  nothing but the (noisy) name; handles keep
                                  the right spelling ~70% of the time; both
                                  accounts show the name
    plus_tag               1.0%   same non-gmail mailbox with a +tag
                                  (outlook/hotmail/live/icloud/fastmail/
                                  proton/posteo/mailbox.org)
    three_accounts         1.0%   three accounts, linked pairwise by a mix of
                                  the mechanisms above
Duplicate accounts of one person are created days to years apart (12% the
same day).  3% of lone accounts at +tag-capable providers also register
with a +tag, so a +tag alone is not proof of a duplicate.  Other realism
knobs: 10% company-domain mailboxes (Faker domain_name()), country-specific
free-mail providers, e-mail accounts with
missing/lowercase/merged name fields (~20%), Twitter display names with emoji,
middle names, first name only, "John S.", nicknames; Twitter accounts expose
no e-mail ~50% of the time; first/last of Twitter accounts split naively from
the display name half of the time, null otherwise; German umlauts written
ae/oe/ue or stripped; Spanish/Brazilian double surnames; Twitter ids are
sequential before 2014 and snowflakes after; usernames are handed out in
created_at order (e-mail users who find their name taken add digits, Twitter
users get <screen_name>_2, _3).  Two different people never share a mailbox
once gmail dots, +tags and googlemail.com are normalised away.
"""
import argparse
import bisect
import csv
import itertools
import json
import random
import re
import sys
import time
import unicodedata
from datetime import datetime, timezone
from functools import lru_cache

# --------------------------------------------------------------------------
# static configuration
# --------------------------------------------------------------------------
LOCALES = [('en_US', 30), ('en_GB', 12), ('de_DE', 12), ('fr_FR', 10),
           ('es_ES', 8), ('it_IT', 7), ('pt_BR', 9), ('nl_NL', 6),
           ('pl_PL', 6)]

PROVIDERS = {
    'en_US': [('gmail.com', 44), ('yahoo.com', 14), ('hotmail.com', 9),
              ('outlook.com', 8), ('icloud.com', 8), ('aol.com', 4),
              ('comcast.net', 3), ('msn.com', 2), ('live.com', 2),
              ('protonmail.com', 2), ('me.com', 1), ('fastmail.com', 1),
              ('verizon.net', 1), ('att.net', 1)],
    'en_GB': [('gmail.com', 40), ('hotmail.co.uk', 11), ('yahoo.co.uk', 8),
              ('outlook.com', 9), ('icloud.com', 7), ('btinternet.com', 5),
              ('live.co.uk', 4), ('sky.com', 3), ('hotmail.com', 4),
              ('googlemail.com', 3), ('aol.co.uk', 1), ('protonmail.com', 2),
              ('fastmail.com', 1)],
    'de_DE': [('gmail.com', 24), ('gmx.de', 17), ('web.de', 17),
              ('t-online.de', 8), ('gmx.net', 6), ('yahoo.de', 4),
              ('hotmail.de', 4), ('outlook.de', 3), ('googlemail.com', 5),
              ('icloud.com', 4), ('posteo.de', 3), ('mailbox.org', 2),
              ('freenet.de', 2), ('protonmail.com', 1)],
    'fr_FR': [('gmail.com', 36), ('orange.fr', 13), ('hotmail.fr', 12),
              ('yahoo.fr', 8), ('free.fr', 7), ('sfr.fr', 5),
              ('laposte.net', 5), ('outlook.fr', 4), ('wanadoo.fr', 3),
              ('icloud.com', 4), ('live.fr', 3)],
    'es_ES': [('gmail.com', 46), ('hotmail.com', 13), ('hotmail.es', 10),
              ('yahoo.es', 8), ('outlook.es', 6), ('outlook.com', 4),
              ('icloud.com', 4), ('telefonica.net', 3), ('live.com', 3),
              ('yahoo.com', 3)],
    'it_IT': [('gmail.com', 40), ('libero.it', 14), ('hotmail.it', 10),
              ('yahoo.it', 8), ('virgilio.it', 6), ('alice.it', 5),
              ('outlook.it', 4), ('tiscali.it', 3), ('icloud.com', 4),
              ('live.it', 3), ('tin.it', 3)],
    'pt_BR': [('gmail.com', 52), ('hotmail.com', 17), ('yahoo.com.br', 9),
              ('outlook.com', 8), ('bol.com.br', 4), ('uol.com.br', 4),
              ('icloud.com', 3), ('live.com', 3)],
    'nl_NL': [('gmail.com', 40), ('hotmail.com', 11), ('outlook.com', 8),
              ('ziggo.nl', 8), ('kpnmail.nl', 6), ('live.nl', 6),
              ('hotmail.nl', 4), ('icloud.com', 5), ('planet.nl', 3),
              ('xs4all.nl', 3), ('home.nl', 2), ('protonmail.com', 2)],
    'pl_PL': [('gmail.com', 36), ('wp.pl', 17), ('o2.pl', 14), ('onet.pl', 11),
              ('interia.pl', 10), ('op.pl', 4), ('outlook.com', 3),
              ('icloud.com', 2), ('tlen.pl', 1), ('gazeta.pl', 2)],
}
COMPANY_SHARE = 0.10
GMAIL = ('gmail.com', 'googlemail.com')
# providers that deliver local+tag@domain to local@domain
PLUS_OK = {'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.de',
           'outlook.fr', 'outlook.es', 'outlook.it', 'hotmail.com',
           'hotmail.co.uk', 'hotmail.de', 'hotmail.fr', 'hotmail.es',
           'hotmail.it', 'hotmail.nl', 'live.com', 'live.co.uk', 'live.fr',
           'live.it', 'live.nl', 'msn.com', 'icloud.com', 'me.com',
           'fastmail.com', 'protonmail.com', 'proton.me', 'posteo.de',
           'mailbox.org'}
PLUS_EXTRA = [('fastmail.com', 6), ('protonmail.com', 5), ('proton.me', 3)]
PLUS_TAGS = ['twitter', 'x', 'tw', 'social', 'shop', 'shopping', 'news',
             'newsletter', 'spam', 'alt', '2', 'test', 'signup', 'accounts',
             'work', 'promo', 'junk', 'apps', 'forum', 'web', 'misc', 'temp',
             'login', 'sub', 'reg', '1']
FAMILY_SUFFIX = {
    'en_US': ['-family.net', 'family.com', '.net', 's.org', 'family.org',
              '-home.net', 'THE'],
    'en_GB': ['-family.net', 'family.co.uk', '.me.uk', '-family.co.uk', 'THE',
              '.net'],
    'de_DE': ['-familie.de', 'familie.de', '-family.net', '.de', '-online.de',
              '.net'],
    'fr_FR': ['-famille.fr', 'famille.fr', '-family.net', '.fr', '.net'],
    'es_ES': ['-familia.es', 'familia.es', '-family.net', '.es', '.net'],
    'it_IT': ['-famiglia.it', 'famiglia.it', '-family.net', '.it', '.net'],
    'pt_BR': ['-familia.com.br', 'familia.com.br', '-family.net', '.com.br'],
    'nl_NL': ['-familie.nl', 'familie.nl', '-family.net', '.nl', '.net'],
    'pl_PL': ['-rodzina.pl', 'rodzina.pl', '-family.net', '.pl', '.net'],
}
FLAGS = {'en_US': '🇺🇸', 'en_GB': '🇬🇧', 'de_DE': '🇩🇪', 'fr_FR': '🇫🇷',
         'es_ES': '🇪🇸', 'it_IT': '🇮🇹', 'pt_BR': '🇧🇷', 'nl_NL': '🇳🇱',
         'pl_PL': '🇵🇱'}
EMOJI = ['✨', '🌸', '🌻', '⚽', '🏀', '🎮', '📚', '☕', '🎧', '🌍', '💙', '🖤',
         '🏳️‍🌈', '🐶', '🐱', '🌙', '🔥', '💫', '🎸', '📷', '🌊', '🍕', '🚴', '🧶',
         '🏃', '💻', '🌱', '🎨', '⭐', '🦋']
STOP = {'about', 'above', 'after', 'again', 'against', 'also', 'although',
        'among', 'because', 'before', 'between', 'both', 'could', 'during',
        'each', 'either', 'else', 'ever', 'every', 'from', 'have', 'hers',
        'herself', 'himself', 'however', 'into', 'itself', 'least', 'less',
        'many', 'maybe', 'might', 'more', 'most', 'much', 'must', 'myself',
        'neither', 'never', 'often', 'once', 'only', 'other', 'ourselves',
        'perhaps', 'rather', 'should', 'since', 'some', 'such', 'than',
        'that', 'their', 'them', 'themselves', 'then', 'there', 'these',
        'they', 'this', 'those', 'though', 'through', 'thus', 'together',
        'toward', 'under', 'until', 'upon', 'very', 'what', 'whatever',
        'when', 'where', 'whether', 'which', 'while', 'whom', 'whose', 'with',
        'within', 'without', 'would', 'your', 'yourself', 'been', 'were',
        'will', 'shall', 'does', 'just', 'here', 'even', 'still', 'yeah'}

# Nicknames: formal name -> usual short forms.  A formal name is only used if
# it occurs in that locale's Faker name list (Faker supplies the people; this
# table only says how a given Faker name is shortened).
_EN = {
    'Robert': ['Bob', 'Rob', 'Bobby', 'Robbie'], 'William': ['Bill', 'Will', 'Billy', 'Liam'],
    'Elizabeth': ['Liz', 'Beth', 'Lizzie', 'Eliza', 'Betsy'], 'Katherine': ['Kate', 'Katie', 'Kathy'],
    'Catherine': ['Kate', 'Cathy', 'Cat'], 'Kathryn': ['Kate', 'Katie', 'Kathy'], 'Kathleen': ['Kathy', 'Kath'],
    'Michael': ['Mike', 'Mikey', 'Mick'], 'James': ['Jim', 'Jimmy', 'Jamie'],
    'Alexander': ['Alex', 'Xander', 'Al'], 'Alexandra': ['Alex', 'Lexi', 'Sasha'],
    'Richard': ['Rick', 'Rich', 'Richie', 'Dick'], 'Thomas': ['Tom', 'Tommy'], 'Joseph': ['Joe', 'Joey'],
    'Daniel': ['Dan', 'Danny'], 'Christopher': ['Chris', 'Topher'], 'Matthew': ['Matt'],
    'Anthony': ['Tony'], 'Jonathan': ['Jon', 'Jonny'], 'Nicholas': ['Nick', 'Nicky'],
    'Benjamin': ['Ben', 'Benny'], 'Samuel': ['Sam', 'Sammy'], 'Edward': ['Ed', 'Eddie', 'Ted'],
    'Margaret': ['Maggie', 'Meg', 'Peggy'], 'Jennifer': ['Jen', 'Jenny'], 'Jessica': ['Jess', 'Jessie'],
    'Rebecca': ['Becky', 'Becca'], 'Patricia': ['Pat', 'Trish', 'Patty'], 'Susan': ['Sue', 'Suzy'],
    'Deborah': ['Debbie', 'Deb'], 'Victoria': ['Vicky', 'Tori'], 'Charles': ['Charlie', 'Chuck'],
    'Steven': ['Steve'], 'Stephen': ['Steve'], 'Timothy': ['Tim', 'Timmy'], 'Andrew': ['Andy', 'Drew'],
    'Gregory': ['Greg'], 'Jacob': ['Jake'], 'Joshua': ['Josh'], 'Zachary': ['Zach', 'Zack'],
    'Kimberly': ['Kim'], 'Samantha': ['Sam', 'Sammie'], 'Christina': ['Chris', 'Tina'],
    'Christine': ['Chris', 'Chrissy'], 'Abigail': ['Abby'], 'Amanda': ['Mandy'], 'Nathan': ['Nate'],
    'Nathaniel': ['Nate', 'Nat'], 'Peter': ['Pete'], 'Frederick': ['Fred', 'Freddie'],
    'Lawrence': ['Larry'], 'Gerald': ['Jerry'], 'Donald': ['Don', 'Donnie'], 'Ronald': ['Ron', 'Ronnie'],
    'Kenneth': ['Ken', 'Kenny'], 'Raymond': ['Ray'], 'Theodore': ['Ted', 'Teddy', 'Theo'],
    'Douglas': ['Doug'], 'Philip': ['Phil'], 'Phillip': ['Phil'], 'Leonard': ['Len', 'Leo'],
    'Dorothy': ['Dot', 'Dottie'], 'Barbara': ['Barb', 'Barbie'], 'Eleanor': ['Ellie', 'Nell'],
    'Gabriel': ['Gabe'], 'Vincent': ['Vince', 'Vinny'], 'Francis': ['Frank'], 'Frances': ['Fran', 'Frankie'],
    'Jacqueline': ['Jackie'], 'Natalie': ['Nat'], 'Alexis': ['Lexi'], 'Cynthia': ['Cindy'],
    'Pamela': ['Pam'], 'Melissa': ['Mel', 'Missy'], 'Stephanie': ['Steph'], 'Jeffrey': ['Jeff'],
    'Gary': ['Gaz'], 'Terence': ['Terry'], 'Geoffrey': ['Geoff'], 'Harold': ['Harry', 'Hal'],
    'Henry': ['Harry', 'Hank'], 'Josephine': ['Jo', 'Josie'], 'Judith': ['Judy'], 'Joanne': ['Jo'],
    'Caroline': ['Carrie', 'Caro'], 'Rosemary': ['Rosie'], 'Suzanne': ['Suzy', 'Sue'],
    'Gillian': ['Jill', 'Gill'], 'Hilary': ['Hils'], 'Jeremy': ['Jez', 'Jerry'], 'Nicola': ['Nicky'],
    'Stuart': ['Stu'], 'Russell': ['Russ'], 'Bradley': ['Brad'], 'Mitchell': ['Mitch'],
    'Cameron': ['Cam'], 'Jacqui': ['Jackie'], 'Maximilian': ['Max'], 'Isabella': ['Bella', 'Izzy'],
    'Isabel': ['Izzy', 'Bel'], 'Olivia': ['Liv', 'Livvy'], 'Madison': ['Maddie'], 'Evelyn': ['Evie'],
    'Ashley': ['Ash'], 'Jason': ['Jay'], 'Brandon': ['Brandy'], 'Allison': ['Ally', 'Allie'],
    'Danielle': ['Dani'], 'Gabriella': ['Gabby', 'Ella'], 'Valerie': ['Val'], 'Angela': ['Angie'],
    'Dennis': ['Denny'], 'Walter': ['Walt', 'Wally'], 'Albert': ['Al', 'Bert'], 'Arthur': ['Art', 'Artie'],
    'Wendy': ['Wen'], 'Dominic': ['Dom'], 'Sebastian': ['Seb', 'Bash'], 'Oliver': ['Ollie'],
    'Charlotte': ['Lottie', 'Charlie'], 'Rosie': ['Ro'], 'Callum': ['Cal'], 'Leonardo': ['Leo'],
}
NICKNAMES = {
    'en_US': _EN, 'en_GB': _EN,
    'de_DE': {
        'Johannes': ['Hans', 'Hannes', 'Jo'], 'Johann': ['Hans'], 'Friedrich': ['Fritz'],
        'Alexander': ['Alex', 'Sascha'], 'Katharina': ['Kathi', 'Katja', 'Kati'],
        'Elisabeth': ['Lisa', 'Elli', 'Liesl', 'Sissi'], 'Wolfgang': ['Wolf', 'Wolfi'],
        'Matthias': ['Matze', 'Matti'], 'Christian': ['Chris'], 'Michael': ['Micha', 'Michi'],
        'Thomas': ['Tom', 'Thommy'], 'Andreas': ['Andi'], 'Margarete': ['Grete', 'Gretel'],
        'Magdalena': ['Lena', 'Leni'], 'Franziska': ['Franzi'], 'Josef': ['Sepp', 'Beppo'],
        'Heinrich': ['Heinz', 'Heini'], 'Maximilian': ['Max', 'Maxi'], 'Susanne': ['Susi'],
        'Barbara': ['Babsi', 'Babs'], 'Dorothea': ['Thea', 'Doro'], 'Ulrich': ['Uli'],
        'Bernhard': ['Bernd'], 'Gerhard': ['Gerd'], 'Daniela': ['Dani'], 'Benjamin': ['Ben', 'Benni'],
        'Tobias': ['Tobi'], 'Sebastian': ['Basti'], 'Florian': ['Flo'], 'Wilhelm': ['Willi'],
        'Christoph': ['Chris'], 'Stefanie': ['Steffi'], 'Nikolaus': ['Klaus', 'Niko'],
        'Alexandra': ['Alex', 'Sandra'], 'Theodor': ['Theo'], 'Gabriele': ['Gabi'],
        'Annegret': ['Anne'], 'Cornelia': ['Conny'], 'Konstantin': ['Konsti'], 'Rudolf': ['Rudi'],
        'Helmut': ['Helle'], 'Walburga': ['Wally'], 'Jakob': ['Jack', 'Jakko'], 'Patrick': ['Paddy'],
        'Dominik': ['Dome'], 'Manfred': ['Manni'], 'Marianne': ['Janne'], 'Hans-Peter': ['HP'],
        'Kristina': ['Tina'], 'Christina': ['Tina', 'Chrissi'], 'Veronika': ['Vroni'],
    },
    'fr_FR': {
        'Frédéric': ['Fred'], 'Nicolas': ['Nico'], 'Alexandre': ['Alex'], 'Christophe': ['Chris'],
        'Dominique': ['Dom'], 'Philippe': ['Phil'], 'Thomas': ['Tom'], 'Maxime': ['Max'],
        'Catherine': ['Cathy', 'Cat'], 'Isabelle': ['Isa', 'Babette'], 'Élisabeth': ['Babette', 'Élise', 'Lisa'],
        'Joséphine': ['Josie', 'Fifi'], 'Stéphanie': ['Steph'], 'Valentin': ['Val'],
        'Marguerite': ['Margot', 'Maggie'], 'Guillaume': ['Guigui', 'Will'], 'Mathilde': ['Mathou'],
        'Jacqueline': ['Jacotte', 'Jackie'], 'Sébastien': ['Seb'], 'Benoît': ['Ben'],
        'Théodore': ['Théo'], 'Emmanuel': ['Manu'], 'Emmanuelle': ['Manue'], 'Charlotte': ['Charlie', 'Lolotte'],
        'Caroline': ['Caro'], 'Véronique': ['Véro'], 'Christine': ['Kiki', 'Christie'],
        'Gabriel': ['Gaby'], 'Gabrielle': ['Gaby'], 'Jérôme': ['Jéjé'], 'Anne': ['Annie', 'Nanou'],
        'Victor': ['Vic'], 'Timothée': ['Tim'], 'Patrick': ['Pat'], 'Henri': ['Riri'],
        'Suzanne': ['Suzy'], 'Dorothée': ['Doro'], 'Antoine': ['Toto', 'Tony'], 'Matthieu': ['Matt'],
        'Virginie': ['Virgi'], 'Françoise': ['Fanfan'], 'Nathalie': ['Nath'],
    },
    'es_ES': {
        'Francisco': ['Paco', 'Curro', 'Fran', 'Pancho'], 'José': ['Pepe'], 'Ignacio': ['Nacho'],
        'Manuel': ['Manolo', 'Manu'], 'Dolores': ['Lola'], 'Concepción': ['Concha', 'Conchi'],
        'Guadalupe': ['Lupe'], 'Jesús': ['Chus', 'Chuy', 'Chucho'], 'Antonio': ['Toño', 'Toni'],
        'Enrique': ['Quique'], 'Rosario': ['Charo'], 'Alfonso': ['Poncho', 'Fonsi'],
        'Eduardo': ['Edu', 'Lalo'], 'Mercedes': ['Merche'], 'Josefa': ['Pepa'], 'Isabel': ['Isa', 'Chabela'],
        'Gonzalo': ['Gonza'], 'Alejandro': ['Álex', 'Alex'], 'Cristina': ['Cris'], 'Consuelo': ['Chelo'],
        'Luis': ['Lucho'], 'Asunción': ['Asun'], 'Inmaculada': ['Inma'], 'Montserrat': ['Montse'],
        'Purificación': ['Puri'], 'Encarnación': ['Encarna'], 'Fernando': ['Nando', 'Fer'],
        'Rafael': ['Rafa'], 'Alberto': ['Beto'], 'Daniel': ['Dani'], 'Ramón': ['Moncho'],
        'Salvador': ['Salva', 'Chava'], 'Vicente': ['Chente'], 'Guillermo': ['Guille', 'Memo'],
        'Ana María': ['Anamari'], 'Remedios': ['Reme'], 'Milagros': ['Mila'], 'Pilar': ['Pili'],
        'Sebastián': ['Sebas'], 'Nicolás': ['Nico'], 'Jacinto': ['Jacin'], 'Ezequiel': ['Ezequi'],
        'Rosa': ['Rosi'], 'María José': ['Majo'], 'Federico': ['Fede'], 'Aurora': ['Aury'],
        'Francisca': ['Paca', 'Paquita'], 'Esperanza': ['Espe'], 'Macarena': ['Maca'],
    },
    'it_IT': {
        'Giuseppe': ['Peppe', 'Beppe', 'Pino'], 'Giovanni': ['Gianni', 'Nanni'], 'Francesco': ['Franco', 'Checco', 'Cesco'],
        'Alessandro': ['Sandro', 'Ale'], 'Roberto': ['Robi', 'Berto'], 'Antonio': ['Tonino', 'Totò'],
        'Salvatore': ['Totò', 'Turi'], 'Vincenzo': ['Enzo'], 'Domenico': ['Mimmo'], 'Luigi': ['Gino'],
        'Massimiliano': ['Max', 'Massi'], 'Federico': ['Fede'], 'Elisabetta': ['Betta', 'Lisa'],
        'Margherita': ['Rita', 'Marghe'], 'Caterina': ['Rina'], 'Giuseppina': ['Pina', 'Giusy'],
        'Francesca': ['Fra', 'Cesca'], 'Raffaele': ['Lele'], 'Gabriele': ['Lele'], 'Emanuele': ['Manu', 'Lele'],
        'Leonardo': ['Leo'], 'Alessandra': ['Ale', 'Sandra'], 'Alessio': ['Ale'], 'Gianluca': ['Luca'],
        'Giacomo': ['Giaco', 'Mino'], 'Beatrice': ['Bea'], 'Valentina': ['Vale'], 'Valentino': ['Vale'],
        'Riccardo': ['Ricky', 'Richi'], 'Tommaso': ['Tommy', 'Maso'], 'Annunziata': ['Nunzia'],
        'Maddalena': ['Lena'], 'Benedetto': ['Betto'], 'Gaetano': ['Tano'], 'Girolamo': ['Momo'],
        'Filippo': ['Pippo'], 'Eleonora': ['Ele'], 'Ludovico': ['Ludo'], 'Michele': ['Michi'],
        'Carmelo': ['Melo'], 'Rosario': ['Saro'], 'Pasquale': ['Lino'], 'Sebastiano': ['Seba', 'Nello'],
    },
    'pt_BR': {
        'Francisco': ['Chico'], 'José': ['Zé'], 'Antônio': ['Toninho', 'Tonho'], 'Eduardo': ['Dudu', 'Edu'],
        'Ricardo': ['Rick', 'Cadu'], 'Fernando': ['Nando'], 'Rafael': ['Rafa'], 'Gabriel': ['Gabi', 'Biel'],
        'Gabriela': ['Gabi'], 'Guilherme': ['Gui'], 'Felipe': ['Lipe'], 'Mariana': ['Mari'],
        'Isabela': ['Isa', 'Bela'], 'Isabella': ['Isa', 'Bella'], 'Leonardo': ['Léo'], 'Alexandre': ['Xande', 'Alê'],
        'Vinícius': ['Vini'], 'Carolina': ['Carol'], 'Fernanda': ['Nanda'], 'Beatriz': ['Bia'],
        'Júlia': ['Ju'], 'Maria Eduarda': ['Duda'], 'Matheus': ['Teteu', 'Math'], 'Mateus': ['Teteu'],
        'Luiz Henrique': ['Rique'], 'Henrique': ['Rique'], 'Heloísa': ['Helô'], 'Heloisa': ['Helô'],
        'Manuela': ['Manu'], 'Emanuel': ['Manu'], 'Pietra': ['Pi'], 'Lorenzo': ['Enzo'],
        'Vitória': ['Vivi'], 'Daniela': ['Dani'], 'Daniel': ['Dani'], 'Rodrigo': ['Digo'],
        'Benjamin': ['Ben'], 'Samuel': ['Samu'], 'Giovanna': ['Gio'], 'Luana': ['Lu'],
        'João Pedro': ['JP'], 'Bernardo': ['Bê'], 'Valentina': ['Val', 'Tina'], 'Nathan': ['Nat'],
        'Letícia': ['Lelê'], 'Camila': ['Mila', 'Cami'], 'Juliana': ['Ju'], 'Thiago': ['Thi'],
        'Lucas': ['Luquinhas'], 'Raquel': ['Quel'],
    },
    'nl_NL': {
        'Johannes': ['Jan', 'Hans', 'Joop'], 'Hendrik': ['Henk'], 'Cornelis': ['Kees'], 'Willem': ['Wim'],
        'Jacobus': ['Koos', 'Jaap'], 'Gerardus': ['Gerard', 'Gert'], 'Adrianus': ['Adrie', 'Arie'],
        'Petrus': ['Piet', 'Peter'], 'Antonius': ['Toon', 'Ton', 'Teun'], 'Johanna': ['Jo', 'Anneke'],
        'Elisabeth': ['Lies', 'Els', 'Betty'], 'Catharina': ['Toos', 'Ina', 'Trijntje'], 'Maria': ['Mieke', 'Marijke'],
        'Wilhelmina': ['Mien', 'Wil'], 'Alexander': ['Lex', 'Sander', 'Alex'], 'Robert': ['Rob'],
        'Thomas': ['Tom'], 'Matthijs': ['Thijs'], 'Martinus': ['Tinus'], 'Bartholomeus': ['Bart'],
        'Sebastiaan': ['Bas'], 'Benjamin': ['Ben', 'Benji'], 'Jasper': ['Jas'], 'Maximiliaan': ['Max'],
        'Nicolaas': ['Klaas', 'Niek'], 'Frederik': ['Freek', 'Frits'], 'Dirk': ['Dick'],
        'Christiaan': ['Chris', 'Stijn'], 'Isabelle': ['Isa', 'Bella'], 'Floris': ['Flo'],
        'Gijsbertus': ['Gijs'], 'Jozef': ['Jos', 'Sjef'], 'Lodewijk': ['Lo', 'Louis'],
        'Michael': ['Mike', 'Michiel'], 'Theodorus': ['Theo', 'Dorus'], 'Josephina': ['Fien', 'Josje'],
        'Margaretha': ['Greet', 'Grietje'], 'Eliza': ['Lies'], 'Daniel': ['Daan'], 'Matthias': ['Thijs'],
        'Johannes Cornelis': ['Hans'], 'Evelien': ['Eef'], 'Julia': ['Juul', 'Jools'],
    },
    'pl_PL': {
        'Aleksander': ['Olek', 'Olo'], 'Aleksandra': ['Ola'], 'Katarzyna': ['Kasia'], 'Małgorzata': ['Gosia', 'Małgosia'],
        'Jan': ['Janek'], 'Piotr': ['Piotrek'], 'Tomasz': ['Tomek'], 'Krzysztof': ['Krzysiek'],
        'Agnieszka': ['Aga'], 'Magdalena': ['Magda'], 'Elżbieta': ['Ela'], 'Józef': ['Józek'],
        'Stanisław': ['Staszek', 'Stasiek'], 'Bartłomiej': ['Bartek'], 'Wojciech': ['Wojtek'],
        'Zbigniew': ['Zbyszek'], 'Joanna': ['Asia'], 'Anna': ['Ania'], 'Barbara': ['Basia'],
        'Jakub': ['Kuba'], 'Mateusz': ['Mati'], 'Jadwiga': ['Jadzia'], 'Zofia': ['Zosia'],
        'Maria': ['Marysia'], 'Weronika': ['Wera'], 'Michał': ['Michu'], 'Antoni': ['Antek', 'Tosiek'],
        'Antonina': ['Tosia'], 'Franciszek': ['Franek'], 'Kazimierz': ['Kazik'],
        'Szymon': ['Szymek'], 'Dominik': ['Domek'], 'Julia': ['Julka'],
        'Natalia': ['Nati'], 'Wiktoria': ['Wika'], 'Zuzanna': ['Zuzia'], 'Maciej': ['Maciek'],
        'Przemysław': ['Przemek'], 'Dariusz': ['Darek'],
        'Sławomir': ['Sławek'], 'Jarosław': ['Jarek'], 'Grzegorz': ['Grzesiek'], 'Hanna': ['Hania'],
        'Alicja': ['Ala'], 'Urszula': ['Ula'], 'Gabriela': ['Gabi'], 'Nikola': ['Nika'], 'Marianna': ['Marysia'],
        'Ryszard': ['Rysiek'], 'Tadeusz': ['Tadek'], 'Karolina': ['Karola'],
    },
}

DUP_PATTERNS = [('email_vs_twitter', 0.040), ('gmail_variants', 0.018),
                ('nickname', 0.016), ('twitter_shared_mailbox', 0.012),
                ('typo', 0.012), ('plus_tag', 0.010), ('three_accounts', 0.010)]
NEG_PATTERNS = [('neg_same_name', 0.030, [(2, 70), (3, 22), (4, 8)]),
                ('neg_family', 0.025, [(2, 60), (3, 28), (4, 12)]),
                ('neg_handle_collision', 0.020, [(2, 80), (3, 20)])]

STORE_START = datetime(2012, 1, 1, tzinfo=timezone.utc).timestamp()
STORE_END = datetime(2024, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()
TW_START = datetime(2007, 1, 1, tzinfo=timezone.utc).timestamp()
TW_SNOWFLAKE_USERS = datetime(2014, 1, 1, tzinfo=timezone.utc).timestamp()
TW_EPOCH_MS = 1288834974657
DAY = 86400

_SPECIAL = {'ß': 'ss', 'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'æ': 'ae',
            'Æ': 'Ae', 'œ': 'oe', 'Œ': 'Oe', 'đ': 'd', 'Đ': 'D', 'ð': 'd',
            'þ': 'th', 'ı': 'i'}
_GERMAN = {'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'Ä': 'Ae', 'Ö': 'Oe', 'Ü': 'Ue'}
_NONALNUM = re.compile(r'[^a-z0-9]+')
_SCREEN_BAD = re.compile(r'[^A-Za-z0-9_]')
_USER_BAD = re.compile(r'[^A-Za-z0-9._-]')


@lru_cache(maxsize=None)
def to_ascii(s, german=False):
    if german:
        s = ''.join(_GERMAN.get(c, c) for c in s)
    s = ''.join(_SPECIAL.get(c, c) for c in s)
    s = unicodedata.normalize('NFKD', s)
    return ''.join(c for c in s if ord(c) < 128 and not unicodedata.combining(c))


@lru_cache(maxsize=None)
def slug(s, german=False, first_token=False):
    a = to_ascii(s, german).lower()
    if first_token:
        parts = [x for x in _NONALNUM.split(a) if x]
        return parts[0] if parts else ''
    return _NONALNUM.sub('', a)


def canon_email(e):
    """Mailbox identity: case, +tag, gmail dots and googlemail.com removed."""
    local, _, dom = e.lower().rpartition('@')
    if dom == 'googlemail.com':
        dom = 'gmail.com'
    local = local.split('+', 1)[0]
    if dom == 'gmail.com':
        local = local.replace('.', '')
    return local + '@' + dom


class WChoice:
    __slots__ = ('items', 'cum', 'total')

    def __init__(self, pairs):
        self.items = [x for x, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self):
        return self.items[bisect.bisect_right(self.cum, random.random() * self.total)]


rnd = random.random
choice = random.choice
randint = random.randint


# --------------------------------------------------------------------------
# name lists from Faker (sampled once, then drawn with `random`)
# --------------------------------------------------------------------------
def build_name_cache(seed, draws=3000):
    from faker import Faker
    Faker.seed(seed)
    cache = {}
    for i, (loc, _) in enumerate(LOCALES):
        f = Faker(loc)
        f.seed_instance(seed * 1009 + i)
        m = [f.first_name_male() for _ in range(draws)]
        w = [f.first_name_female() for _ in range(draws)]
        lm = [f.last_name_male() for _ in range(draws)]
        lf = [f.last_name_female() for _ in range(draws)]
        prov = [p for p in f.providers if 'providers.person' in type(p).__module__][0]
        allfirst = set(prov.first_names_male) | set(prov.first_names_female) | set(m) | set(w)
        doms = sorted({f.domain_name() for _ in range(250)})

        def top(lst, k):
            cnt = {}
            for x in lst:
                cnt[x] = cnt.get(x, 0) + 1
            return [x for x, _ in sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]
        cache[loc] = {'m': m, 'f': w, 'lm': lm, 'lf': lf, 'all': allfirst,
                      'dom': doms, 'top_m': top(m, 25), 'top_f': top(w, 25),
                      'top_l': top(lm, 30)}
    f = Faker('en_US')
    f.seed_instance(seed * 7919 + 1)
    words = sorted({x for x in (f.word().lower() for _ in range(6000))
                    if x.isalpha() and 4 <= len(x) <= 9 and x not in STOP})
    colors = sorted({slug(f.color_name()) for _ in range(300)})
    colors = [c for c in colors if len(c) <= 7]
    return cache, words, colors


# --------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------
class Gen:
    def __init__(self, cache, words, colors):
        self.C = cache
        self.words = words
        self.colors = colors
        self.pick_locale = WChoice(LOCALES)
        self.provider = {loc: WChoice(PROVIDERS[loc]) for loc, _ in LOCALES}
        self.plus_provider = {}
        for loc, _ in LOCALES:
            pairs = [(d, w) for d, w in PROVIDERS[loc] if d in PLUS_OK and d not in GMAIL]
            have = {d for d, _ in pairs}
            pairs += [(d, w) for d, w in PLUS_EXTRA if d not in have]
            self.plus_provider[loc] = WChoice(pairs)
        self.name_style = WChoice([('f.l', 22), ('fl', 12), ('f_l', 5), ('il', 12), ('i.l', 4),
                                   ('li', 4), ('l.f', 3), ('fld', 10), ('f.ld', 6), ('fd', 5),
                                   ('fli', 4), ('ild', 4), ('f-l', 2), ('ld', 2), ('lf', 2),
                                   ('i_l', 1), ('f_ld', 2)])
        self.short_styles = ['il', 'fli', 'ild', 'fd', 'li', 'fl']
        self.corp_style = WChoice([('f.l', 50), ('il', 22), ('f', 10), ('f_l', 5), ('fl', 8), ('fli', 5)])
        self.canon_owner = {}      # canonical mailbox -> person key
        self.email_lit = set()     # lower-case literal e-mails
        self.screens = set()       # lower-case screen names (Twitter-wide)
        self.tw_ids = set()
        self.domains_taken = set()
        for loc in cache:
            self.domains_taken.update(cache[loc]['dom'])
        for loc in PROVIDERS:
            self.domains_taken.update(d for d, _ in PROVIDERS[loc])
        self.next_key = 0
        self.company = set()
        for loc in cache:
            self.company.update(cache[loc]['dom'])
        # nickname eligibility: formal names present in Faker's lists
        self.nick_pool = {}
        for loc, _ in LOCALES:
            tbl = NICKNAMES.get(loc, {})
            male = set(cache[loc]['m'])
            fem = set(cache[loc]['f'])
            pool = []
            for formal, nicks in sorted(tbl.items()):
                if formal in cache[loc]['all']:
                    g = 'm' if formal in male else ('f' if formal in fem else None)
                    if g is None:
                        continue
                    pool.append((formal, g, nicks))
            self.nick_pool[loc] = pool
        self.nick_by_name = {loc: {f: n for f, _, n in self.nick_pool[loc]} for loc in self.nick_pool}
        nick_locs = [(loc, w) for loc, w in LOCALES if len(self.nick_pool[loc]) >= 5]
        self.pick_nick_locale = WChoice(nick_locs)

    # ---------------------------------------------------------------- people
    def rand_digits(self):
        r = rnd()
        if r < 0.45:
            return str(randint(1, 99))
        if r < 0.75:
            return '%02d' % randint(60, 99) if rnd() < 0.6 else '%02d' % randint(0, 9)
        if r < 0.9:
            return str(randint(100, 999))
        return choice(['1', '7', '13', '23', '69', '99', '00', '01', '123', '007', '2000', '1234'])

    def surnames(self, loc, g):
        c = self.C[loc]
        lst = c['lm'] if g == 'm' else c['lf']
        if loc == 'es_ES':
            return [choice(lst), choice(lst)]
        if loc == 'pt_BR' and rnd() < 0.6:
            return [choice(lst), choice(lst)]
        return [choice(lst)]

    def new_person(self, loc=None, g=None, first=None, sur=None, by=None, domain=None):
        loc = loc or self.pick_locale()
        g = g or ('m' if rnd() < 0.5 else 'f')
        c = self.C[loc]
        first = first or choice(c[g])
        sur = sur or self.surnames(loc, g)
        by = by or int(random.triangular(1950, 2007, 1989))
        self.next_key += 1
        p = {'key': self.next_key, 'loc': loc, 'g': g, 'first': first, 'sur': sur, 'by': by,
             'de': loc == 'de_DE' and rnd() < 0.7, 'ft': rnd() < 0.5,
             'middle': choice(c[g]) if rnd() < 0.5 else None, 'nick': None}
        r = rnd()
        if r < 0.40:
            p['digits'] = str(by)[2:]
        elif r < 0.55:
            p['digits'] = str(by)
        else:
            p['digits'] = self.rand_digits()
        if domain is None:
            domain = self.free_domain(loc) if rnd() > COMPANY_SHARE else choice(c['dom'])
        p['domain'] = domain
        self.set_slugs(p)
        p['handle'] = self.name_handle(p) if rnd() < 0.68 else self.nonname()
        return p

    def set_slugs(self, p):
        sur = p['sur']
        prim = sur[-1] if p['loc'] == 'pt_BR' else sur[0]
        if len(sur) > 1 and rnd() < 0.2:
            p['lslug'] = slug(sur[0], p['de']) + slug(sur[1], p['de'])
        else:
            p['lslug'] = slug(prim, p['de'])
        if not p['lslug']:
            p['lslug'] = 'x'
        p['prim'] = prim

    def fslug(self, p, given=None):
        name = given or p['first']
        if name == p['first'] and 'hfirst' in p:
            name = p['hfirst']      # misspelt on the account, not in the handle
        s = slug(name, p['de'], p['ft'])
        return s or 'x'

    def render_last(self, p):
        sur = p['sur']
        if len(sur) == 1:
            return sur[0]
        if p['loc'] == 'es_ES':
            return ' '.join(sur) if rnd() < 0.55 else sur[0]
        return ' '.join(sur) if rnd() < 0.35 else sur[-1]

    def free_domain(self, loc):
        return self.provider[loc]()

    def other_domain(self, p):
        for _ in range(10):
            d = self.free_domain(p['loc'])
            if d != p['domain']:
                return d
        return 'outlook.com' if p['domain'] != 'outlook.com' else 'gmail.com'

    # --------------------------------------------------------------- handles
    def name_handle(self, p, given=None, style=None, camel=False):
        f = self.fslug(p, given)
        l = p['lslug']
        if camel:
            f, l = f.capitalize(), l.capitalize()
        st = style or self.name_style()
        d = p['digits'] if rnd() < 0.7 else self.rand_digits()
        i = f[0]
        if st == 'f.l':
            h = f + '.' + l
        elif st == 'fl':
            h = f + l
        elif st == 'f_l':
            h = f + '_' + l
        elif st == 'il':
            h = i + l
        elif st == 'i.l':
            h = i + '.' + l
        elif st == 'li':
            h = l + i
        elif st == 'l.f':
            h = l + '.' + f
        elif st == 'fld':
            h = f + l + d
        elif st == 'f.ld':
            h = f + '.' + l + d
        elif st == 'fd':
            h = f + d
        elif st == 'fli':
            h = f + l[0]
        elif st == 'ild':
            h = i + l + d
        elif st == 'f-l':
            h = f + '-' + l
        elif st == 'ld':
            h = l + d
        elif st == 'lf':
            h = l + f
        elif st == 'i_l':
            h = i + '_' + l
        elif st == 'f_ld':
            h = f + '_' + l + d
        elif st == 'f':
            h = f
        else:
            h = f + l
        return h[:30]

    def nonname(self):
        W = self.words
        w1, w2 = choice(W), choice(W)
        r = rnd()
        if r < 0.28:
            h = w1 + w2
        elif r < 0.38:
            h = w1 + '_' + w2
        elif r < 0.58:
            h = w1 + self.rand_digits()
        elif r < 0.70:
            h = w1 + w2 + str(randint(1, 99))
        elif r < 0.76:
            h = 'the' + w1 + (w2 if rnd() < 0.5 else '')
        elif r < 0.82:
            h = w1 + '.' + w2
        elif r < 0.90:
            h = choice(self.colors) + w1
        elif r < 0.95:
            h = 'x' + w1 + 'x'
        else:
            h = w1 + '_' + str(randint(1, 999))
        return h[:24]

    def screenify(self, h):
        sep = '_' if rnd() < 0.4 else ''
        s = _SCREEN_BAD.sub('', h.replace('.', sep).replace('-', sep))
        if not s:
            s = 'user' + str(randint(1, 99999))
        return s[:15]

    def screen_from_name(self, p, given=None):
        camel = rnd() < 0.25
        h = self.name_handle(p, given, camel=camel)
        s = self.screenify(h)
        if len(h.replace('.', '').replace('-', '')) > 15:
            s = self.screenify(self.name_handle(p, given, style=choice(self.short_styles), camel=camel))
        r = rnd()
        if r < 0.04 and len(s) <= 11:
            s = choice(['real', 'its', 'the', 'im']) + s
        elif r < 0.07 and len(s) <= 14:
            s = s + '_'
        return s[:15]

    def similar_handle(self, h, p):
        """A variation of handle h as the same person might pick it again."""
        base = h.rstrip('0123456789_.') or h
        r = rnd()
        if r < 0.25:
            out = base + p['digits'] if base == h else base
        elif r < 0.45:
            out = h.replace('.', '_') if '.' in h else (h.replace('_', '') if '_' in h else h + '_')
        elif r < 0.60:
            out = choice(['real', 'its', 'the', 'im', 'iam']) + base
        elif r < 0.72:
            out = base + choice(['_', 'x', '_x', 'official', 'tweets', 'hq', '1'])
        elif r < 0.85:
            out = base + str(randint(1, 99))
        else:
            out = h[:1].upper() + h[1:] if h[:1].islower() else h.lower() + '_'
        return out

    # --------------------------------------------------------------- mailbox
    def email_local(self, p, given, domain):
        if domain in self.company:
            return self.name_handle(p, given, style=self.corp_style())
        r = rnd()
        if r < 0.82:
            return self.name_handle(p, given)
        if r < 0.92:
            return p['handle']
        return self.nonname()

    @staticmethod
    def fix_local(local, domain):
        local = local.lower()
        if domain in GMAIL:
            local = local.replace('_', '.').replace('-', '.')
            while '..' in local:
                local = local.replace('..', '.')
            local = local.strip('.')
            if len(local.replace('.', '')) < 6:
                local = local + str(randint(10, 999))
        return local.strip('.') or 'mail'

    def alloc_mailbox(self, p, local, domain, capital_ok=True):
        local = self.fix_local(local, domain)
        base = local
        for i in range(200):
            e = local + '@' + domain
            c = canon_email(e)
            if c not in self.canon_owner and e not in self.email_lit:
                self.canon_owner[c] = p['key']
                self.email_lit.add(e)
                if capital_ok and rnd() < 0.03:
                    e = '.'.join(x.capitalize() for x in local.split('.')) + '@' + domain
                return e
            if i == 0 and not base[-1:].isdigit():
                suf = p['digits']
            elif i < 20:
                suf = str(randint(1, 99))
            elif i < 60:
                suf = str(randint(100, 9999))
            else:
                suf = str(randint(10000, 999999))
            local = self.fix_local(base[:24] + suf, domain)
        raise RuntimeError('mailbox allocation failed')

    def new_mailbox(self, p, given=None, domain=None):
        domain = domain or p['domain']
        return self.alloc_mailbox(p, self.email_local(p, given or p['first'], domain), domain)

    def mailbox_variant(self, p, email):
        """Same mailbox written differently (must stay unique as written)."""
        local, dom = email.rsplit('@', 1)
        base = local.split('+', 1)[0]
        gm = dom.lower() in GMAIL
        c0 = canon_email(email)
        for i in range(60):
            l2, d2 = base.lower(), dom.lower()
            r = rnd()
            if gm and r < 0.38:
                l2 = self._dot_variant(p, l2)
            elif gm and r < 0.52:
                d2 = 'googlemail.com' if d2 == 'gmail.com' else 'gmail.com'
                if rnd() < 0.4:
                    l2 = self._dot_variant(p, l2)
            elif gm and r < 0.62:
                l2 = self._dot_variant(p, l2) + '+' + choice(PLUS_TAGS)
            else:
                l2 = l2 + '+' + choice(PLUS_TAGS)
            if i > 30:
                l2 = l2.split('+')[0] + '+' + choice(PLUS_TAGS) + str(randint(1, 99))
            e2 = l2 + '@' + d2
            if e2 not in self.email_lit and canon_email(e2) == c0:
                self.email_lit.add(e2)
                if rnd() < 0.05:
                    e2 = l2[:1].upper() + l2[1:] + '@' + d2
                return e2
        raise RuntimeError('variant failed for ' + email)

    def _dot_variant(self, p, l):
        if '.' in l:
            if rnd() < 0.7:
                return l.replace('.', '')
            flat = l.replace('.', '')
            k = randint(1, len(flat) - 1)
            return flat[:k] + '.' + flat[k:]
        f = self.fslug(p)
        if l.startswith(f) and len(l) > len(f) and rnd() < 0.7:
            return f + '.' + l[len(f):]
        if len(l) < 2:
            return l
        k = randint(1, len(l) - 1)
        return l[:k] + '.' + l[k:]

    # -------------------------------------------------------------- twitter
    def alloc_screen(self, p, base):
        base = _SCREEN_BAD.sub('', base)[:15] or ('user' + str(randint(1, 99999)))
        s = base
        for i in range(300):
            if s.lower() not in self.screens:
                self.screens.add(s.lower())
                return s
            r = rnd()
            if i == 0 and not base[-1].isdigit():
                suf = p['digits']
            elif r < 0.15:
                suf = '_'
            elif r < 0.3 and len(base) <= 11:
                s = choice(['real', 'its', 'the', 'im']) + base
                continue
            elif i < 30:
                suf = str(randint(1, 99))
            elif i < 100:
                suf = str(randint(100, 9999))
            else:
                suf = str(randint(10000, 999999))
            s = base[:15 - len(suf)] + suf
        raise RuntimeError('screen name allocation failed')

    def tw_id(self, store_t):
        for _ in range(100):
            tw_t = TW_START + (store_t - TW_START) * (rnd() ** 0.6)
            if tw_t < TW_SNOWFLAKE_USERS:
                frac = (tw_t - TW_START) / (TW_SNOWFLAKE_USERS - TW_START)
                i = int(600000 + frac ** 1.6 * 2_300_000_000) + randint(0, 99999)
            else:
                ms = int(tw_t * 1000) + randint(0, 999)
                i = ((ms - TW_EPOCH_MS) << 22) | random.getrandbits(22)
            if i not in self.tw_ids:
                self.tw_ids.add(i)
                return str(i)
        raise RuntimeError('twitter id')

    def display_name(self, p, given=None):
        given = given or p['first']
        last = self.render_last(p)
        r = rnd()
        if r < 0.56:
            return given + ' ' + last
        if r < 0.65:
            e = FLAGS[p['loc']] if rnd() < 0.3 else choice(EMOJI)
            return (given + ' ' + last + ' ' + e) if rnd() < 0.75 else (e + ' ' + given + ' ' + last)
        if r < 0.72 and p['middle'] and p['middle'] != given:
            return given + ' ' + p['middle'] + ' ' + last
        if r < 0.82:
            return given if rnd() < 0.7 else given + ' ' + choice(EMOJI)
        if r < 0.86:
            nk = self.nick_by_name[p['loc']].get(given)
            if nk:
                return choice(nk) + ' ' + last
            return given + ' ' + last
        if r < 0.92:
            return given + ' ' + last[0] + '.'
        if r < 0.96:
            return (given + ' ' + last).lower()
        if r < 0.98:
            return (given + ' ' + last).upper()
        return ' '.join(w.capitalize() for w in (choice(self.words), choice(self.words)))

    @staticmethod
    def split_display(dn):
        toks = [t for t in dn.split() if any(ch.isalpha() for ch in t)]
        if not toks:
            return None, None
        if len(toks) == 1:
            return toks[0], None
        return toks[0], ' '.join(toks[1:])

    # -------------------------------------------------------------- accounts
    def name_fields(self, given, last):
        r = rnd()
        if r < 0.80:
            return given, last
        if r < 0.88:
            return None, None
        if r < 0.92:
            return given, None
        if r < 0.95:
            return given.lower(), last.lower()
        if r < 0.97:
            return given + ' ' + last, None
        if r < 0.985:
            return given.upper(), last.upper()
        return given[0] + '.', last

    def email_acc(self, p, t, given=None, email=None, want=None, last=None):
        given = given or p['first']
        last = last or self.render_last(p)
        if email is None:
            email = self.new_mailbox(p, given)
        if want is None:
            r = rnd()
            if r < 0.40:
                want = email.split('@')[0].split('+')[0]
            elif r < 0.62:
                want = p['handle']
            elif r < 0.90:
                want = self.name_handle(p, given)
            else:
                want = self.nonname()
            if rnd() < 0.06:
                want = want[:1].upper() + want[1:]
        fn, ln = self.name_fields(given, last)
        return {'key': p['key'], 'kind': 'e', 't': t, 'email': email, 'first': fn,
                'last': ln, 'want': want, 'tw': None}

    def tw_acc(self, p, t, given=None, email='auto', screen=None, display=None):
        given = given or p['first']
        if screen is None:
            r = rnd()
            if r < 0.55:
                screen = self.screenify(p['handle'])
            elif r < 0.87:
                screen = self.screen_from_name(p, given)
            else:
                screen = self.screenify(self.nonname())
        screen = self.alloc_screen(p, screen)
        if display is None:
            display = self.display_name(p, given)
        if email == 'auto':
            if rnd() < 0.5:
                email = None
            else:
                email = self.new_mailbox(p, given, p['domain'] if rnd() < 0.8 else self.other_domain(p))
        if rnd() < 0.5:
            fn, ln = self.split_display(display)
        else:
            fn, ln = None, None
        return {'key': p['key'], 'kind': 't', 't': t, 'email': email, 'first': fn,
                'last': ln, 'want': screen,
                'tw': {'id': self.tw_id(t), 'screen_name': screen, 'name': display}}

    def ensure_name(self, a, q, given):
        """Make the account show `given` and q's main surname somewhere (name fields
        or display name); used where the name itself is the point of the pattern."""
        tok = q['sur'][-1] if q['loc'] == 'pt_BR' else q['sur'][0]
        vis = ' '.join(x for x in (a['first'], a['last'], a['tw']['name'] if a['tw'] else None) if x)
        toks = set(vis.lower().replace('.', ' ').split())
        if all(t in toks for t in given.lower().split()) and all(t in toks for t in tok.lower().split()):
            return
        last = self.render_last(q)
        if a['tw']:
            dn = given + ' ' + last
            if rnd() < 0.15:
                dn += ' ' + choice(EMOJI)
            a['tw']['name'] = dn
            if a['first'] is not None or a['last'] is not None:
                a['first'], a['last'] = self.split_display(dn)
        else:
            a['first'], a['last'] = (given, last) if rnd() < 0.95 else (given.lower(), last.lower())

    def acc(self, p, t, kind=None):
        if kind is None:
            kind = 'e' if rnd() < 0.70 else 't'
        a = self.email_acc(p, t) if kind == 'e' else self.tw_acc(p, t)
        e = a['email']
        if e and rnd() < 0.03 and e.rsplit('@', 1)[1].lower() in PLUS_OK:
            # a lone account registered with a +tag (people tag sign-ups too)
            local, dom = e.rsplit('@', 1)
            e2 = local + '+' + choice(PLUS_TAGS) + '@' + dom
            if e2.lower() not in self.email_lit:
                self.email_lit.discard(e.lower())
                self.email_lit.add(e2.lower())
                a['email'] = e2
        return a

    # ----------------------------------------------------------------- times
    @staticmethod
    def rand_time():
        return STORE_START + (STORE_END - STORE_START) * (rnd() ** 0.75)

    def times(self, n):
        """Creation times of one person's n accounts (gaps: same day .. years)."""
        dts = []
        for _ in range(n - 1):
            r = rnd()
            if r < 0.12:
                dt = randint(60, DAY)
            elif r < 0.40:
                dt = randint(DAY, 90 * DAY)
            else:
                dt = randint(90 * DAY, 6 * 365 * DAY)
            dts.append(dt)
        span = STORE_END - STORE_START
        total = sum(dts)
        if total > 0.9 * span:
            dts = [d * 0.9 * span / total for d in dts]
            total = sum(dts)
        t = STORE_START + (span - total) * (rnd() ** 0.75)
        ts = [t]
        for d in dts:
            t += d
            ts.append(t)
        return ts

    # -------------------------------------------------------------- patterns
    def p_singleton(self):
        p = self.new_person()
        return [(p, [self.acc(p, self.rand_time())])]

    def p_email_vs_twitter(self):
        p = self.new_person()
        t1, t2 = self.times(2)
        te, tt = (t1, t2) if rnd() < 0.6 else (t2, t1)
        ea = self.email_acc(p, te)
        r = rnd()
        if r < 0.35:
            screen = self.screenify(ea['want'])
        elif r < 0.65:
            screen = self.screenify(self.similar_handle(ea['want'], p))
        else:
            screen = self.screen_from_name(p) if rnd() < 0.6 else self.screenify(self.nonname())
        if rnd() < 0.55:
            temail = None
        else:
            temail = self.new_mailbox(p, None, self.other_domain(p) if rnd() < 0.7 else p['domain'])
        ta = self.tw_acc(p, tt, email=temail, screen=screen)
        return [(p, [ea, ta])]

    def _variant_capable(self, p, gmail):
        if gmail:
            p['domain'] = 'gmail.com' if rnd() < 0.9 else 'googlemail.com'
        else:
            p['domain'] = self.plus_provider[p['loc']]()

    def p_twitter_shared_mailbox(self):
        p = self.new_person()
        self._variant_capable(p, rnd() < 0.65)
        t1, t2 = self.times(2)
        e1 = self.new_mailbox(p)
        e2 = self.mailbox_variant(p, e1)
        if rnd() < 0.5:
            e1, e2 = e2, e1
        a1 = self.tw_acc(p, t1, email=e1)
        r = rnd()
        if r < 0.45:
            s2 = self.screenify(self.similar_handle(a1['tw']['screen_name'], p))
        elif r < 0.70:
            s2 = self.screen_from_name(p)
        else:
            s2 = self.screenify(self.nonname())
        d2 = None
        if rnd() < 0.35:
            d2 = ' '.join(w.capitalize() for w in (choice(self.words), choice(self.words)))
            if rnd() < 0.3:
                d2 += ' ' + choice(EMOJI)
        a2 = self.tw_acc(p, t2, email=e2, screen=s2, display=d2)
        return [(p, [a1, a2])]

    def _pair_same_mailbox(self, p, kinds, ts, gmail):
        self._variant_capable(p, gmail)
        e1 = self.new_mailbox(p)
        e2 = self.mailbox_variant(p, e1)
        if not gmail and rnd() < 0.2:
            # both written with (different) tags
            e1b = self.mailbox_variant(p, e1)
            self.email_lit.discard(e1.lower())
            e1 = e1b
        if rnd() < 0.5:
            e1, e2 = e2, e1
        accs = []
        for k, t, e in zip(kinds, ts, (e1, e2)):
            if k == 'e':
                want = None
                if accs and accs[0]['kind'] == 'e' and rnd() < 0.5:
                    want = accs[0]['want']          # tries the same username again
                accs.append(self.email_acc(p, t, email=e, want=want))
            else:
                accs.append(self.tw_acc(p, t, email=e))
        return accs

    def p_gmail_variants(self):
        p = self.new_person()
        kinds = ('e', 'e') if rnd() < 0.55 else (('e', 't') if rnd() < 0.5 else ('t', 'e'))
        return [(p, self._pair_same_mailbox(p, kinds, self.times(2), True))]

    def p_plus_tag(self):
        p = self.new_person()
        kinds = ('e', 'e') if rnd() < 0.55 else (('e', 't') if rnd() < 0.5 else ('t', 'e'))
        return [(p, self._pair_same_mailbox(p, kinds, self.times(2), False))]

    def _linked_pair(self, p, givens, link, kinds, ts, qs=None, show_names=False):
        """Two accounts of p; givens = given name used on each account."""
        qs = qs or (p, p)
        accs = []
        if link == 'mailbox':
            self._variant_capable(p, rnd() < 0.7)
            e1 = self.new_mailbox(qs[0], givens[0], p['domain'])
            e2 = self.mailbox_variant(p, e1)
            if rnd() < 0.5:
                e1, e2 = e2, e1
            emails = (e1, e2)
        else:
            emails = (None, None)
        for i in range(2):
            q, k, t, g, e = qs[i], kinds[i], ts[i], givens[i], emails[i]
            if link == 'handle':
                h = p['handle']
                if k == 'e':
                    if e is None:
                        e = self.new_mailbox(q, g, p['domain'] if i == 0 else self.other_domain(p)) \
                            if rnd() < 0.5 else self.alloc_mailbox(q, h, p['domain'] if i == 0 else self.other_domain(p))
                    accs.append(self.email_acc(q, t, given=g, email=e, want=h))
                else:
                    if e is None:
                        e = None if rnd() < 0.55 else self.new_mailbox(q, g, self.other_domain(p))
                    acc = self.tw_acc(q, t, given=g, email=e, screen=self.screenify(h))
                    accs.append(acc)
            else:
                if k == 'e':
                    if e is None:
                        e = self.new_mailbox(q, g, p['domain'] if i == 0 else self.other_domain(p))
                    want = self.name_handle(q, g) if rnd() < 0.5 else None
                    accs.append(self.email_acc(q, t, given=g, email=e, want=want))
                else:
                    if e is None and link != 'mailbox':
                        e = None if rnd() < 0.55 else self.new_mailbox(q, g, self.other_domain(p))
                    accs.append(self.tw_acc(q, t, given=g, email=e, screen=self.screen_from_name(q, g)))
        if show_names:
            for a, q, g in zip(accs, qs, givens):
                self.ensure_name(a, q, g)
        return accs

    def _kinds_pair(self):
        r = rnd()
        if r < 0.40:
            return ('e', 'e')
        if r < 0.80:
            return ('e', 't') if rnd() < 0.5 else ('t', 'e')
        return ('t', 't')

    def p_nickname(self):
        loc = self.pick_nick_locale()
        formal, g, nicks = choice(self.nick_pool[loc])
        p = self.new_person(loc, g, first=formal)
        nick = choice(nicks)
        p['nick'] = nick
        givens = (formal, nick) if rnd() < 0.5 else (nick, formal)
        if rnd() < 0.5:   # the handle habit follows the name the person actually uses
            p['handle'] = self.name_handle(p, nick) if rnd() < 0.7 else p['handle']
        r = rnd()
        link = 'mailbox' if r < 0.30 else ('handle' if r < 0.60 else 'none')
        accs = self._linked_pair(p, givens, link, self._kinds_pair(), self.times(2), show_names=True)
        return [(p, accs)]

    def p_typo(self):
        p = self.new_person()
        q = dict(p)        # same person (same key), misspelt name on one account
        if rnd() < 0.5:
            q['first'] = typo(p['first'])
            if q['middle'] == p['first']:
                q['middle'] = None
            if rnd() < 0.7:    # handles keep the correct spelling
                q['hfirst'] = p['first']
        else:
            k = len(p['sur']) - 1 if p['loc'] == 'pt_BR' else 0   # the surname people see
            q['sur'] = p['sur'][:k] + [typo(p['sur'][k])] + p['sur'][k + 1:]
            if rnd() < 0.3:    # misspelling also made it into this account's handles
                self.set_slugs(q)
        r = rnd()
        link = 'mailbox' if r < 0.25 else ('handle' if r < 0.60 else 'none')
        order = (p, q) if rnd() < 0.5 else (q, p)
        givens = (order[0]['first'], order[1]['first'])
        accs = self._linked_pair(p, givens, link, self._kinds_pair(), self.times(2), qs=order,
                                 show_names=True)
        return [(p, accs)]

    def p_three_accounts(self):
        loc = self.pick_locale()
        nk = None
        if rnd() < 0.25 and len(self.nick_pool[loc]) >= 5:
            formal, g, nicks = choice(self.nick_pool[loc])
            p = self.new_person(loc, g, first=formal)
            nk = choice(nicks)
        else:
            p = self.new_person(loc)
        if rnd() < 0.5:
            self._variant_capable(p, rnd() < 0.75)
        kinds = ['e' if rnd() < 0.7 else 't'] + ['e' if rnd() < 0.4 else 't' for _ in range(2)]
        ts = self.times(3)
        accs = [self.acc(p, ts[0], kinds[0])]
        base_email = accs[0]['email']
        for i in (1, 2):
            k = kinds[i]
            r = rnd()
            given = nk if (nk and rnd() < 0.5) else p['first']
            if r < 0.35 and p['domain'] in PLUS_OK:
                if base_email is None:
                    e = base_email = self.new_mailbox(p, given)
                else:
                    e = self.mailbox_variant(p, base_email)
            elif r < 0.55:
                e = self.new_mailbox(p, given, self.other_domain(p))
            else:
                e = None if k == 't' and rnd() < 0.6 else self.new_mailbox(p, given, self.other_domain(p))
            hr = rnd()
            if k == 'e':
                if e is None:
                    e = self.new_mailbox(p, given, self.other_domain(p))
                want = p['handle'] if hr < 0.35 else (self.similar_handle(accs[0]['want'], p) if hr < 0.55 else None)
                accs.append(self.email_acc(p, ts[i], given=given, email=e, want=want))
            else:
                screen = self.screenify(p['handle']) if hr < 0.35 else (
                    self.screenify(self.similar_handle(accs[0]['want'], p)) if hr < 0.6 else None)
                accs.append(self.tw_acc(p, ts[i], given=given, email=e, screen=screen))
        return [(p, accs)]

    # ------------------------------------------------------------- negatives
    def n_neg_same_name(self, n):
        loc = self.pick_locale()
        c = self.C[loc]
        g = 'm' if rnd() < 0.5 else 'f'
        first = choice(c['top_m'] if g == 'm' else c['top_f'])
        if loc == 'pl_PL':
            sur = [choice(c['lm'] if g == 'm' else c['lf'])]
        else:
            sur = [choice(c['top_l'])]
            if loc == 'es_ES' or (loc == 'pt_BR' and rnd() < 0.6):
                sur.append(choice(c['top_l']))
        out = []
        for _ in range(n):
            p = self.new_person(loc, g, first=first, sur=list(sur))
            a = self.acc(p, self.rand_time())
            self.ensure_name(a, p, first)
            out.append((p, [a]))
        return out

    def family_domain(self, loc, surname):
        s = slug(surname)
        if not s:
            s = 'family'
        sufs = FAMILY_SUFFIX[loc][:]
        random.shuffle(sufs)
        for i in range(40):
            suf = sufs[i % len(sufs)]
            if suf == 'THE':
                d = 'the' + s + 's.' + ('com' if loc == 'en_US' else 'co.uk')
            else:
                d = s + suf
            if i >= len(sufs):
                d = d.replace('.', str(randint(2, 99)) + '.', 1)
            if d not in self.domains_taken:
                self.domains_taken.add(d)
                return d
        raise RuntimeError('family domain')

    def n_neg_family(self, n):
        loc = self.pick_locale()
        c = self.C[loc]
        base_sur = choice(c['lm'])
        second = choice(c['lm']) if loc in ('es_ES', 'pt_BR') else None
        fam_dom = self.family_domain(loc, base_sur) if rnd() < 0.4 else None
        shared = fam_dom or self.free_domain(loc)
        b0 = int(random.triangular(1950, 1985, 1970))
        gs = (['m', 'f'] if rnd() < 0.8 else [choice('mf'), choice('mf')]) + [choice('mf') for _ in range(n - 2)]
        used = set()
        tclose = self.rand_time()
        out = []
        for i, g in enumerate(gs):
            for _ in range(50):
                first = choice(c[g])
                if first not in used and slug(first, True, True) not in {slug(u, True, True) for u in used}:
                    break
            used.add(first)
            sur = base_sur
            if loc == 'pl_PL' and g == 'f':
                sur = pl_female(base_sur)
            if loc == 'es_ES':
                surs = [sur, second] if i < 2 else [sur, choice(c['lm'])]
            elif loc == 'pt_BR':
                surs = [second, sur]
            else:
                surs = [sur]
            if i == 0:
                by = b0
            elif i == 1:
                by = b0 + randint(-6, 6)
            else:
                by = min(2008, b0 + randint(22, 38))
            p = self.new_person(loc, g, first=first, sur=surs, by=by, domain=shared)
            t = tclose + randint(-60 * DAY, 60 * DAY) if rnd() < 0.5 else self.rand_time()
            t = min(max(t, STORE_START), STORE_END)
            if fam_dom:
                r = rnd()
                f = self.fslug(p)
                if r < 0.55:
                    local = f
                elif r < 0.75:
                    local = f + '.' + p['lslug']
                elif r < 0.85:
                    local = f[0] + p['lslug']
                else:
                    local = f + p['digits']
                e = self.alloc_mailbox(p, local, fam_dom)
            else:
                e = self.new_mailbox(p)
            if rnd() < 0.75:
                a = self.email_acc(p, t, email=e)
            else:
                a = self.tw_acc(p, t, email=e if rnd() < 0.7 else None)
                if a['email'] is None:
                    self.email_lit.discard(e.lower())  # mailbox exists, just not shared
            if rnd() < 0.85:
                self.ensure_name(a, p, first)
            out.append((p, [a]))
        return out

    def n_neg_handle_collision(self, n):
        r = rnd()
        ppl = []
        if r < 0.5:      # same initial + surname, different given names
            loc = self.pick_locale()
            c = self.C[loc]
            sur = choice(c['lm'])
            g0 = choice('mf')
            f0 = choice(c[g0])
            ini = slug(f0, True)[:1]
            ppl.append(self.new_person(loc, g0, first=f0, sur=[sur if not (loc == 'pl_PL' and g0 == 'f') else pl_female(sur)]))
            for _ in range(n - 1):
                for _ in range(200):
                    g = choice('mf')
                    f = choice(c[g])
                    if slug(f, True)[:1] == ini and slug(f, True) != slug(f0, True):
                        break
                s2 = pl_female(sur) if (loc == 'pl_PL' and g == 'f') else sur
                ppl.append(self.new_person(loc, g, first=f, sur=[s2]))
            base = ini + slug(sur, ppl[0]['de'])
            variants = [base, ini + '.' + base[1:], ini + '_' + base[1:], base[1:] + ini, base + '_',
                        base + str(randint(1, 99))]
        elif r < 0.8:    # same non-name handle
            base = self.nonname()
            base = _USER_BAD.sub('', base.rstrip('0123456789_.')) or base
            for _ in range(n):
                ppl.append(self.new_person())
            variants = [base, base + '_', base + str(randint(1, 99)), base.replace('_', '.') if '_' in base else base + 'x',
                        'the' + base, base + str(randint(100, 999)), 'x' + base]
        else:            # same given name + surname initial
            loc = self.pick_locale()
            c = self.C[loc]
            g = choice('mf')
            first = choice(c[g])
            s0 = choice(c['lm'])
            ini = slug(s0, True)[:1]
            ppl.append(self.new_person(loc, g, first=first, sur=[s0]))
            for _ in range(n - 1):
                for _ in range(300):
                    s = choice(c['lm'])
                    if slug(s, True)[:1] == ini and s != s0:
                        break
                ppl.append(self.new_person(loc, g, first=first, sur=[s]))
            f = slug(first, ppl[0]['de'], True)
            base = f + ini
            variants = [base, f + '.' + ini, f + '_' + ini, base + str(randint(1, 99)), base + '_', f + ini + ini]
        out = []
        hs = [variants[0]] + random.sample(variants[1:], min(n - 1, len(variants) - 1))
        for p, h in zip(ppl, hs):
            p['handle'] = h[:30]
            t = self.rand_time()
            if rnd() < 0.6:
                e = self.alloc_mailbox(p, h, p['domain']) if rnd() < 0.6 else self.new_mailbox(p)
                a = self.email_acc(p, t, email=e, want=h)
            else:
                a = self.tw_acc(p, t, screen=self.screenify(h))
            out.append((p, [a]))
        return out


def pl_female(s):
    for a, b in (('ski', 'ska'), ('cki', 'cka'), ('dzki', 'dzka')):
        if s.endswith(a):
            return s[:-len(a)] + b
    return s


_KEYB = {'a': 'sq', 'b': 'vn', 'c': 'xv', 'd': 'sf', 'e': 'wr', 'f': 'dg', 'g': 'fh', 'h': 'gj', 'i': 'uo',
         'j': 'hk', 'k': 'jl', 'l': 'k', 'm': 'n', 'n': 'bm', 'o': 'ip', 'p': 'o', 'q': 'w', 'r': 'et',
         's': 'ad', 't': 'ry', 'u': 'yi', 'v': 'cb', 'w': 'qe', 'x': 'zc', 'y': 'tu', 'z': 'x'}
_PHON = [('ph', 'f'), ('f', 'ph'), ('ie', 'ei'), ('ei', 'ie'), ('y', 'i'), ('i', 'y'), ('c', 'k'),
         ('k', 'c'), ('th', 't'), ('ll', 'l'), ('tt', 't'), ('nn', 'n'), ('ss', 's'), ('mm', 'm'),
         ('ck', 'k'), ('ou', 'u'), ('ae', 'a'), ('sch', 'sh'), ('z', 's'), ('v', 'w'), ('w', 'v'),
         ('ch', 'c'), ('ey', 'ay'), ('an', 'en'), ('en', 'an'), ('er', 'ar')]
_VOW = 'aeiou'


def typo(name):
    """A realistic misspelling of name (never returns name unchanged)."""
    n = len(name)
    for _ in range(30):
        r = rnd()
        s = name
        if r < 0.22 and n >= 3:
            i = randint(1, n - 2)
            if s[i] != s[i + 1]:
                s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        elif r < 0.42 and n >= 4:
            dbl = [i for i in range(1, n) if s[i] == s[i - 1]]
            i = choice(dbl) if dbl and rnd() < 0.7 else randint(1, n - 1)
            s = s[:i] + s[i + 1:]
        elif r < 0.54:
            i = randint(1, n - 1)
            if s[i].isalpha():
                s = s[:i] + s[i] + s[i:]
        elif r < 0.72:
            low = s.lower()
            opts = [(a, b) for a, b in _PHON if a in low[1:]]
            if opts:
                a, b = choice(opts)
                k = low.find(a, 1)
                s = s[:k] + b + s[k + len(a):]
        elif r < 0.84:
            idx = [i for i in range(1, n) if s[i] in _VOW]
            if idx:
                i = choice(idx)
                s = s[:i] + choice([v for v in _VOW if v != s[i]]) + s[i + 1:]
        elif r < 0.92:
            a = to_ascii(s)
            if a != s:
                s = a
        else:
            i = randint(1, n - 1)
            ch = s[i].lower()
            if ch in _KEYB:
                s = s[:i] + choice(_KEYB[ch]) + s[i + 1:]
        if s != name and len(s) >= 2 and s.strip() == s:
            return s
    return name + name[-1]


# --------------------------------------------------------------------------
def plan(n_accounts):
    """List of (pattern, n_people, n_accounts) tasks that sum to n_accounts."""
    dup_people = sum(f for _, f in DUP_PATTERNS)
    three = dict(DUP_PATTERNS)['three_accounts']
    per_person = (1 - dup_people) + 2 * (dup_people - three) + 3 * three
    people = n_accounts / per_person
    tasks = []
    for name, frac in DUP_PATTERNS:
        k = int(round(people * frac))
        size = 3 if name == 'three_accounts' else 2
        tasks += [(name, 1, size)] * k
    for name, frac, sizes in NEG_PATTERNS:
        target = people * frac
        ws = WChoice(sizes)
        got = 0
        while got + 1 < target:
            s = ws()
            tasks.append((name, s, s))
            got += s
    random.shuffle(tasks)
    kept, used = [], 0
    for tsk in tasks:
        if used + tsk[2] <= n_accounts:
            kept.append(tsk)
            used += tsk[2]
    kept += [('singleton', 1, 1)] * (n_accounts - used)
    random.shuffle(kept)
    return kept


def fmt_time(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(t)))


def assign_usernames(accounts, persons):
    taken = set()
    out = []
    for a in accounts:
        want = _USER_BAD.sub('', a['want'])[:30] or 'user'
        u = want
        if a['kind'] == 't':
            k = 2
            while u.lower() in taken:
                suf = '_%d' % k
                u = want[:30 - len(suf)] + suf
                k += 1
        else:
            digits = persons[a['key']]
            i = 0
            while u.lower() in taken:
                if i == 0 and not want[-1].isdigit():
                    suf = digits
                elif i < 10:
                    suf = str(randint(1, 99))
                elif i < 40:
                    suf = str(randint(100, 9999))
                else:
                    suf = str(randint(10000, 9999999))
                u = want[:30 - len(suf)] + suf
                i += 1
        taken.add(u.lower())
        out.append(u)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--accounts', type=int, required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--out', required=True)
    ap.add_argument('--labels', required=True)
    ap.add_argument('--neg-groups', default=None,
                    help='optional CSV username,neg_group_id for hard-negative groups')
    args = ap.parse_args()
    if args.accounts < 0:
        ap.error('--accounts must be >= 0')
    t0 = time.time()
    random.seed(args.seed)
    cache, words, colors = build_name_cache(args.seed)
    random.seed(args.seed)       # generation stream independent of Faker internals
    g = Gen(cache, words, colors)
    tasks = plan(args.accounts)

    persons = {}      # key -> person
    pattern_of = {}   # key -> pattern
    neg_group = {}    # key -> group id
    accounts = []
    gid = 0
    for name, npeople, _nacc in tasks:
        if name == 'singleton':
            groups = g.p_singleton()
        elif name.startswith('neg_'):
            groups = getattr(g, 'n_' + name)(npeople)
            gid += 1
        else:
            groups = getattr(g, 'p_' + name)()
        for p, accs in groups:
            persons[p['key']] = p['digits']     # all that is needed later
            pattern_of[p['key']] = name
            if name.startswith('neg_'):
                neg_group[p['key']] = gid
            accounts.extend(accs)
    assert len(accounts) == args.accounts, (len(accounts), args.accounts)

    # people get opaque ids (not in pattern order); accounts are listed by creation
    keys = list(persons)
    random.shuffle(keys)
    width = max(6, len(str(len(keys))))
    pid = {k: 'P%0*d' % (width, i + 1) for i, k in enumerate(keys)}
    accounts.sort(key=lambda a: a['t'])
    unames = assign_usernames(accounts, persons)

    counts = {}
    with open(args.out, 'w', encoding='utf-8') as fo, \
            open(args.labels, 'w', encoding='utf-8', newline='') as fl:
        w = csv.writer(fl, lineterminator='\n')
        w.writerow(['username', 'person_id', 'pattern'])
        dumps = json.dumps
        for a, u in zip(accounts, unames):
            rec = {'username': u, 'email': a['email'], 'first_name': a['first'],
                   'last_name': a['last'], 'created_at': fmt_time(a['t']), 'twitter': a['tw']}
            fo.write(dumps(rec, ensure_ascii=False))
            fo.write('\n')
            pat = pattern_of[a['key']]
            w.writerow([u, pid[a['key']], pat])
            counts[pat] = counts.get(pat, 0) + 1
    if args.neg_groups:
        with open(args.neg_groups, 'w', encoding='utf-8', newline='') as fg:
            w = csv.writer(fg, lineterminator='\n')
            w.writerow(['username', 'neg_group_id'])
            for a, u in zip(accounts, unames):
                if a['key'] in neg_group:
                    w.writerow([u, 'G%d' % neg_group[a['key']]])
    n_tw = sum(1 for a in accounts if a['tw'])
    n_dup = sum(v for k, v in counts.items() if k != 'singleton' and not k.startswith('neg_'))
    summary = ' '.join('%s=%d' % kv for kv in sorted(counts.items()))
    print('generate-duplicates-faker: %d accounts, %d people, %d twitter, %d in duplicate clusters '
          '(seed %d, %.1fs) accounts per pattern: %s'
          % (len(accounts), len(persons), n_tw, n_dup, args.seed, time.time() - t0, summary),
          file=sys.stderr)


if __name__ == '__main__':
    main()
