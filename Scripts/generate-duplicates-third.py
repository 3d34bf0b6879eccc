#!/usr/bin/env python3
"""
generate-duplicates-third.py -- seeded generator of labelled user accounts ("gen3").

A third opinion beside generate-duplicates.py and generate-duplicates-independent.py: written on 2026-11-30 by a
helper that read neither the engine nor the other generators, from a short description of the app and the
patterns alone (README, "Quality"). Same output files, so evaluate-duplicates.py reads it.

Usage: python3 Scripts/generate-duplicates-third.py --accounts N --seed S --out FILE.jsonl --labels FILE.csv

World model (written independently of any detector)
---------------------------------------------------
App: accounts are created either by e-mail sign-up (person types username, e-mail,
optional first/last name) or by Twitter/X sign-up (app receives numeric id, screen
name, display name; username pre-filled = screen name, and when taken the app appends
1,2,3...; ~15% of people overwrite the pre-fill with their own habitual username;
first/last pre-filled by splitting the display name at the first blank -- people keep
it (~50%), fix it (~32%, typing their names the way they usually do) or blank it (~18%);
e-mail missing ~45% or typed).  Usernames / e-mails unique case-insensitively; the
username race is resolved in created_at order.  Timeline 2014-03..2025-06, growing.

Locales (share of persons): US 26, UK 9, BR 9, IN 8, MX 7, NG 6, VN 6, IT 5, DE 5,
TR 5, RU 5, KR 5, PL 4.  Head name lists are ordered by frequency and extended with a
tail synthesised from per-locale syllables; weights are Zipf-Mandelbrot 1/(rank+q)
(explicit weights for KR/VN surnames: Kim ~21%, Nguyen ~38%).  PL/RU surnames are
gendered (Kowalski/Kowalska, Ivanov/Ivanova).  BR/MX have compound given names and
double surnames (either part may be dropped on another account).  RU names live in
Cyrillic and are romanised per account by one of three systems (Yulia/Iuliia/Julia,
Dmitriy/Dmitrii/Dmitry); KR names live in Hangul with romanisation variants
(Lee/Yi/Rhee, Min-ji/Minji/Min Ji) and sometimes surname-first order; VN names have
middle names (Van/Thi...) and order/diacritic variants; IN has initial-style surnames
("Karthik R"); DE umlauts fold to ae/oe/ue or plain.  KR/VN/IN people may use an
English alias.  Names with diacritics are typed folded with a per-locale probability.

Nicknames: own per-locale table (Robert->Bob, Elizabeth->Liz, Katarzyna->Kasia,
Aleksandr->Sasha, Giuseppe->Peppe, Francisco->Paco, Oluwaseun->Seun, Guilherme->Gui...).
Typos: QWERTY-adjacent substitution, transposition, deletion, doubling, vowel swap and
spelling variants (Jon/John, Mohammed/Muhammad).
Handles: name-derived (jsmith, john.smith, smithj, johnsmith87, minji_kim, iam<first>,
real<first><last>) or word-based (adjective+noun+digits, e.g. luckycomet96).
Mailboxes: per-locale provider mix (gmail dominant; yahoo, outlook/hotmail, icloud,
naver/daum, mail.ru/yandex, wp.pl/onet/o2, libero, web.de/gmx, uol/bol, rediffmail...),
local parts first.last, firstlast, flast, handle, first+year...; a mailbox key is unique
per person (gmail ignores dots/+tag and googlemail==gmail; +tag ignored where supported;
yahoo/others keep dots, so john.smith@ and johnsmith@yahoo can be two people).  Company
domains with a fixed convention (first.last, flast...); family domains (smithfamily.net,
kowalscy.pl).  Rare domain typos (gmial.com).  Twitter ids: sequential (<4.6e9) for
accounts made before 2016, snowflake ids after; created before the app sign-up.
Display names: "First Last", first only, "First L.", nickname, ALL CAPS, lowercase,
emoji and flags, titles (Dr., Engr., Chief, Avv.), pronouns, job after a pipe,
non-names ("coffee addict", handle), Hangul/Cyrillic script.

Pattern shares (share of all accounts; persons in positives own 2-3 accounts):
  positives ~14.4%: dup_email_twitter 3.6, dup_nickname 2.0, dup_gmail_variant 1.8,
  dup_typo 1.5, dup_twitter_twitter 1.2, dup_handle_reuse 1.2, dup_work_personal 1.2,
  dup_weak 1.0 (re-registration years later, little evidence), dup_triple 0.9.
  hard negatives ~8.2% (one account per person, each own person_id):
  neg_same_name 3.0 (incl. Bob vs Robert namesakes), neg_family 2.2 (shared surname,
  family domain, Daniel/Danielle, Jr./Sr.), neg_colleagues 1.8 (one company domain),
  neg_handle_collision 1.2 (jsmith / luckycomet96 held by different people).
  Everything else: singleton.  Evidence in positives is sampled, not guaranteed.
Determinism: one Random(seed); no set iteration reaches the output.
"""
import argparse
import bisect
import json
import re
import sys
import unicodedata
import zlib
from random import Random


def W(s):
    return s.split()


def NT(s):
    return s.replace('_', ' ')


_FOLD_MAP = str.maketrans({'ł': 'l', 'Ł': 'L', 'ı': 'i', 'İ': 'I', 'ø': 'o', 'Ø': 'O',
                           'æ': 'ae', 'Æ': 'AE', 'ß': 'ss', 'đ': 'd', 'Đ': 'D', 'œ': 'oe',
                           'Œ': 'OE', "'": '', '’': ''})
_DE_MAP = str.maketrans({'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'Ä': 'Ae', 'Ö': 'Oe', 'Ü': 'Ue'})
_fold_cache = {}


def fold(s):
    """ASCII-fold a name (diacritics dropped, ł->l, ı->i ...)."""
    r = _fold_cache.get(s)
    if r is None:
        t = unicodedata.normalize('NFKD', s.translate(_FOLD_MAP))
        r = ''.join(c for c in t if not unicodedata.combining(c))
        r = r.encode('ascii', 'ignore').decode()
        _fold_cache[s] = r
    return r


def fold_de(s):
    return fold(s.translate(_DE_MAP))


_slug_cache = {}


def slug(s):
    r = _slug_cache.get(s)
    if r is None:
        r = ''.join(c for c in fold(s).lower() if c.isalnum())
        _slug_cache[s] = r
    return r


# ---- Cyrillic romanisation: three systems -------------------------------------------
_CYR = dict(zip('абвгдеёжзийклмнопрстуфхцчшщъыьэюя',
                ['a', 'b', 'v', 'g', 'd', 'e', 'e', 'zh', 'z', 'i', 'y', 'k', 'l', 'm', 'n', 'o',
                 'p', 'r', 's', 't', 'u', 'f', 'kh', 'ts', 'ch', 'sh', 'shch', '', 'y', '', 'e',
                 'yu', 'ya']))
_RU_RULES = {
    'pop': [('ий$', 'iy'), ('ый$', 'yy'), ('ей', 'ey'), ('ия', 'iya'), ('ья', 'ya'),
            ('ье', 'ye'), ('ё', 'yo'), ('^е', 'ye'), ('ю', 'yu'), ('я', 'ya'), ('й', 'y')],
    'icao': [('ий$', 'ii'), ('ей', 'ei'), ('ья', 'ia'), ('ю', 'iu'), ('я', 'ia'),
             ('й', 'i'), ('ё', 'e')],
    'eng': [('ий$', 'y'), ('ей', 'ei'), ('ия', 'ia'), ('ья', 'ia'), ('кс', 'x'), ('^ю', 'ju'),
            ('ю', 'yu'), ('я', 'ya'), ('й', 'i'), ('ё', 'yo')],
}
_RU_RULES = {k: [(re.compile(a), b) for a, b in v] for k, v in _RU_RULES.items()}
RU_SYSTEMS = ('pop', 'icao', 'eng')
_tr_cache = {}


def translit(word, system):
    key = (word, system)
    r = _tr_cache.get(key)
    if r is None:
        parts = []
        for w in word.split(' '):
            t = w.lower()
            for rx, rep in _RU_RULES[system]:
                t = rx.sub(rep, t)
            t = ''.join(_CYR.get(c, c) for c in t)
            parts.append(t[:1].upper() + t[1:])
        r = ' '.join(parts)
        _tr_cache[key] = r
    return r


def ru_fem(s):
    for a, b in (('ский', 'ская'), ('цкий', 'цкая'), ('ой', 'ая'), ('ов', 'ова'), ('ев', 'ева'),
                 ('ёв', 'ёва'), ('ин', 'ина'), ('ын', 'ына')):
        if s.endswith(a):
            return s[:-len(a)] + b
    return s


def pl_fem(s):
    for a, b in (('ski', 'ska'), ('cki', 'cka'), ('dzki', 'dzka')):
        if s.endswith(a):
            return s[:-len(a)] + b
    return s


def cap(s):
    return s[:1].upper() + s[1:]


# ---- Name tables (head lists, most frequent first; '_' = space) -----------------------
EN_M = ("James Michael Robert John David William Richard Joseph Thomas Christopher Charles "
        "Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian "
        "Timothy Ronald George Jason Edward Jeffrey Ryan Jacob Nicholas Gary Eric Jonathan "
        "Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank "
        "Raymond Jack Dennis Jerry Tyler Aaron Adam Nathan Henry Zachary Douglas Peter Kyle "
        "Noah Ethan Jeremy Christian Walter Keith Austin Sean Gerald Carl Dylan Harold Jordan "
        "Jesse Bryan Lawrence Arthur Gabriel Bruce Logan Alan Elijah Albert Wayne Randy Mason "
        "Vincent Liam Roy Caleb Bradley Russell Lucas Theodore Frederick Nathaniel")
EN_F = ("Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Karen Sarah Lisa Nancy "
        "Sandra Betty Ashley Emily Kimberly Margaret Donna Michelle Carol Amanda Melissa "
        "Deborah Stephanie Rebecca Sharon Laura Cynthia Dorothy Amy Kathleen Angela Emma "
        "Brenda Pamela Nicole Anna Samantha Katherine Christine Rachel Carolyn Janet Maria "
        "Olivia Heather Helen Catherine Diane Julie Victoria Joyce Lauren Kelly Christina Ruth "
        "Joan Virginia Judith Evelyn Hannah Andrea Megan Jacqueline Madison Teresa Abigail "
        "Sophia Martha Sara Gloria Kathryn Ann Isabella Judy Charlotte Julia Grace Amber Alice "
        "Jean Denise Frances Danielle Natalie Diana Brittany Theresa Kayla Alexis Tiffany "
        "Alexandra Paula Erica")
LOCALES = {
 'US': dict(w=26, m=EN_M, f=EN_F, s=(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher "
    "Simmons Romero Jordan Patterson Hamilton Graham Reynolds Griffin Wallace West Cole "
    "Hayes Bryant Gibson Ellis Tran Stevens Murray Ford Marshall Owens Harrison McDonald "
    "Woods Washington Kennedy Wells O'Brien O'Connor McCarthy Schmidt Olson Snyder"),
    fs="Ja Ke Bra Ty Ka Ma Da Ry Ja Sha Ay Bry Jo Co Ha Li Ca Tre Je Ro Ni Ma Kay Bro Ze",
    fm="den son ley ric ton ron vin dall ler ce lan ston than ver",
    ff="lyn lee leigh ley na nah ette elle ia sha ra isa anne nie",
    sr="Ash Black Brad Bur Cal Craw Dal Dun Ed Fair Gar Hal Hart Kirk Lang Mar Mor Nor Pen "
       "Rad Shel Stan Thorn Wal Whit Wins Wood Ald Beck Carl Dray Fen Gled Hol Lock Mad",
    se="son ton ley man field wood er ford well by ham ridge worth ington ley land more ett"),
 'UK': dict(w=9, m=(
    "Oliver George Harry Jack Jacob Charlie Thomas James William Joshua Daniel Samuel Alfie "
    "Joseph Oscar Henry Leo Archie Ethan Isaac Alexander Lucas Max Mohammed Logan Dylan "
    "Benjamin Adam Callum Liam Ryan Lewis Jamie Connor Kieran Matthew David Paul Andrew Mark "
    "Richard Stephen Christopher Gareth Rhys Owen Ewan Fraser Angus Alistair Nigel Graham "
    "Ian Neil Simon Craig Darren Dean Lee Edward Alfred Archibald Robert Michael"), f=(
    "Olivia Amelia Isla Ava Emily Sophie Grace Lily Mia Jessica Ella Charlotte Poppy "
    "Isabella Evie Chloe Sophia Ruby Freya Holly Hannah Lucy Emma Sarah Laura Rebecca Gemma "
    "Claire Rachel Victoria Katie Amy Jennifer Nicola Louise Kirsty Joanne Samantha Helen "
    "Elizabeth Catherine Eleanor Harriet Imogen Niamh Siobhan Aoife Ffion Megan Bethan Carys "
    "Zoe Abigail Kayleigh Stacey Margaret Danielle"), s=(
    "Smith Jones Williams Taylor Davies Brown Wilson Evans Thomas Johnson Roberts Walker "
    "Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Martin "
    "Jackson Clarke Clark Turner Hill Scott Cooper Morris Ward Moore King Watson Baker "
    "Harrison Morgan Patel Young Allen Mitchell James Anderson Phillips Lee Bell Parker Davis "
    "Shaw Kelly Khan Bennett Cook Griffiths Richardson Carter Marshall Bailey Murphy Hussain "
    "Price Campbell Mason Collins Stewart Knight Owen Murray Ellis Chapman Webb Powell Begum "
    "Lloyd Russell Simpson Fletcher Hunt Barker MacDonald McLeod Fraser Reid Ross Ferguson "
    "Duncan Ali Rahman Singh Jenkins Rees Pritchard Ashworth Pemberton Whitfield Sutcliffe"),
    fs="Al Ca Fi Ro Ma Ell Isa Ha Ne Gra Ja Ru Fre Lo Ar", fm="fie lan ie ver ton ley rick in",
    ff="a ie ey ette ine lie ra na",
    sr="Ash Brad Bur Cal Crom Dal Dun Fair Gar Hal Hart Kirk Lang Mar Mor Nor Pen Rad Shel "
       "Stan Thorn Wal Whit Wins Ald Beck Carl Dray Fen Gled Hol Lock Mad Pem Sut Tre Pol",
    se="son ton ley man field wood er ford well by ham ridge worth bury combe shaw thwaite"),
 'BR': dict(w=9, fold=0.35, m=(
    "João José Pedro Lucas Gabriel Matheus Rafael Felipe Bruno Guilherme Gustavo Thiago "
    "Rodrigo Carlos Luiz Marcelo Eduardo Leonardo Diego Vinícius Paulo Francisco Antônio "
    "Daniel Marcos Alexandre André Fernando Ricardo Roberto Fábio Renato Leandro Caio "
    "Henrique Igor Murilo Samuel Davi Arthur Heitor Bernardo Enzo João_Pedro Luiz_Felipe "
    "José_Carlos Luiz_Fernando Otávio Wellington Anderson Cristiano Edson Márcio"), f=(
    "Maria Ana Juliana Fernanda Camila Amanda Bruna Beatriz Larissa Letícia Mariana "
    "Gabriela Patrícia Aline Jéssica Vitória Luana Carolina Isabela Raquel Daniela Renata "
    "Tatiana Vanessa Priscila Natália Débora Cláudia Adriana Sandra Simone Luciana Thaís "
    "Bianca Yasmin Lívia Giovanna Manuela Helena Alice Laura Valentina Ana_Paula Maria_Eduarda "
    "Ana_Clara Maria_Clara Ana_Luiza Maria_Fernanda Francisca Antônia Paula Eduarda"), s=(
    "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro "
    "Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento "
    "Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso Teixeira Cavalcanti Araújo "
    "Pinto Campos Correia Castro Moura Monteiro Batista Azevedo Borges Reis Medeiros Ramos "
    "Sampaio Farias Siqueira Coelho Prado Brandão Queiroz Guimarães Leite Tavares"),
    fs="Ra Lu Ma Dan Ed Wel Jo Cle Ger Val Ro Ju Na Thai Kle Ja Ro Da",
    fm="ilson elson ênio son mir ivaldo erson aldo iel", ff="elma iane ielle ilene ara ice ina ete",
    sr="Bar Pin Fon Mou Cor Gue Mes Gal Fal Vas Bra Pei Ser Mat Rab Lac Tor Val Sou Bel",
    se="eira ães ado oso inho ares elo ento ão ica ides ado ela"),
 'MX': dict(w=7, fold=0.45, m=(
    "José Juan Luis Carlos Jorge Miguel Francisco Alejandro Jesús Manuel Ricardo Eduardo "
    "Fernando Roberto Javier Daniel Diego Sergio Guillermo Ignacio Enrique Antonio Alberto "
    "Rafael Pedro Arturo Raúl Óscar Héctor Santiago Sebastián Emiliano Mateo Rodrigo "
    "Juan_Carlos José_Luis Luis_Fernando José_Antonio Miguel_Ángel Juan_Pablo"), f=(
    "María Guadalupe Ana Sofía Valeria Fernanda Daniela Gabriela Alejandra Mariana Andrea "
    "Adriana Verónica Patricia Rosa Dolores Claudia Lucía Ximena Paola Karla Leticia Silvia "
    "Mónica Elena Regina Camila Renata Natalia Rosario Concepción Itzel Yesenia "
    "María_José María_Fernanda Ana_María María_Guadalupe"), s=(
    "Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz Flores "
    "Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz "
    "Moreno Castillo Romero Álvarez Méndez Chávez Rivera Juárez Ramos Domínguez Herrera "
    "Medina Castro Vargas Guzmán Velázquez Salazar Rojas Contreras Luna Ortega Estrada "
    "Navarro Delgado Campos Cortés Soto Núñez Ríos Espinoza Ochoa Cervantes Zamora"),
    fs="Ar Ben Eus Fau Gil Hu Is Lau Mar Ros Ten Vic Yaz Zu", fm="ando iberto ulio emio elio",
    ff="ela ina ita encia ara ira", sr="Al Ben Cab Es Fal Gal Ib Lar Mal Nav Ol Pal Quin Sal Tam Ur Vil Zap",
    se="ez ero illo ado ana anes uera ón era edo"),
 'IT': dict(w=5, fold=0.1, m=(
    "Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Carlo "
    "Franco Domenico Bruno Paolo Michele Giorgio Aldo Sergio Luciano Alessandro Andrea "
    "Marco Matteo Lorenzo Luca Davide Simone Federico Riccardo Stefano Roberto Massimo "
    "Maurizio Fabio Gabriele Emanuele Daniele Filippo Giacomo Tommaso Edoardo Leonardo "
    "Alberto Enrico Guglielmo"), f=(
    "Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Caterina Francesca "
    "Giulia Chiara Sara Martina Valentina Alessandra Elisabetta Federica Silvia Laura Elena "
    "Paola Daniela Roberta Simona Monica Barbara Cristina Giorgia Beatrice Benedetta "
    "Eleonora Margherita Alice Aurora Ginevra Sofia Emma Greta Ilaria Serena"), s=(
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
    "Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro "
    "Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale "
    "Lombardo Serra Coppola De_Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri "
    "Fabbri Bianco Marini Grasso Valentini Messina Sala De_Angelis Gatti Pellegrini Palumbo "
    "Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa"),
    fs="Gal Bel Cap Ros Giann Pal Ser Ren Tul Vit Ar Fil Ors Ott", fm="ino ello ano io ero",
    ff="ina ella ana ia era",
    sr="Bel Cap Mar Ross Giann Pal Ser Tor Vall Bon Cald Fior Gras Lan Mont Pag Sca Trev Zan",
    se="ini etti one ello ucci azzo ari occhi ani ati oni elli ese"),
 'PL': dict(w=4, fold=0.4, m=(
    "Jan Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Łukasz Jakub Adam Marek Grzegorz "
    "Mateusz Wojciech Kamil Maciej Dariusz Rafał Szymon Bartosz Przemysław Stanisław "
    "Jarosław Mirosław Zbigniew Sławomir Aleksander Daniel Filip Antoni Kacper Dawid Igor "
    "Robert Sebastian Damian Patryk Hubert Oskar"), f=(
    "Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Magdalena Joanna "
    "Aleksandra Monika Zofia Natalia Karolina Justyna Agata Dorota Beata Paulina Elżbieta "
    "Weronika Dominika Wiktoria Julia Zuzanna Marta Iwona Renata Halina Jadwiga Danuta "
    "Alicja Martyna Patrycja Sylwia Janina Daniela Stanisława"), s=(
    "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
    "Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski "
    "Nowakowski Pawłowski Michalski Wróbel Jabłoński Król Majewski Olszewski Stępień "
    "Jaworski Malinowski Dudek Adamczyk Pawlak Górski Nowicki Sikora Walczak Baran Rutkowski "
    "Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski Wróblewski Marciniak Jasiński "
    "Zawadzki Bąk Jakubowski Sadowski Duda Włodarczyk Wilk Chmielewski"),
    fs="Bo Mi Ra Sła Wie Ja Zdzi Lu Bro Cze Do", fm="sław mir dan cław", ff="sława mira dana ława",
    sr="Kot Bor Dzik Gór Jast Kras Lip Mak Nos Pol Rys Sob Tar Wol Zar Bial Czar Grab Kur Sosn",
    se="owski ewski ski cki czyk ak ek ewicz iak owicz"),
 'TR': dict(w=5, fold=0.45, m=(
    "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Murat Emre Burak Yusuf Ömer Can Eren "
    "Kerem Serkan Oğuz Barış Cem Fatih Abdullah Halil Süleyman Osman Kemal Mert Onur Volkan "
    "Tolga Emir Ege Umut Deniz Arda Berk Hakan Erkan Selim Muhammed"), f=(
    "Ayşe Fatma Emine Zeynep Elif Hatice Merve Büşra Esra Özlem Selin Ece Derya Deniz Gizem "
    "Tuğba Sevgi Ebru Aslı Nur Kübra Melek Sibel Yasemin Gamze Seda Pınar Burcu Dilek Cansu "
    "Eda Duygu İrem Damla Hande Nazlı Sena"), s=(
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
    "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Erdoğan Güneş Aksoy Korkmaz Özcan Tekin "
    "Ateş Bulut Avcı Tunç Keskin Acar Güler Uçar Akın Bozkurt Sarı Turan Kaplan Işık Ünal "
    "Erdem Aktaş Karataş Altun Duman Sönmez Taş Kocabaş"),
    fs="Ay Gül Nur Su Can Er Ham Tol Ser Yağ Ön Tan Bil", fm="han can er tay kut alp",
    ff="gül ay nur su dem sel nil",
    sr="Ak Kara Demir Öz Er Gök Yıl Bal Çak Ay Bay Tur Kal Sa Dur Yal Ok Tok Alp",
    se="soy taş can han kaya tekin oğlu güneş türk dağ er ay tepe"),
 'DE': dict(w=5, fold=0.3, m=(
    "Thomas Michael Andreas Stefan Christian Markus Alexander Daniel Tobias Jan Lukas Felix "
    "Jonas Sebastian Matthias Johannes Wolfgang Klaus Jürgen Uwe Florian Maximilian Dominik "
    "Frank Peter Martin Hans Dieter Bernd Ralf Sven Jens Niklas Leon Paul Finn Moritz Tim"),
    f=("Anna Julia Katharina Sabine Petra Susanne Stefanie Laura Lena Sarah Christina Nicole "
       "Sandra Andrea Claudia Melanie Jessica Lea Hannah Johanna Ursula Monika Birgit Karin "
       "Franziska Alexandra Elisabeth Heike Anja Jana Lisa Marie Sophie Mia Emilia Daniela"),
    s=("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
       "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
       "Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Köhler Maier Weiß Herrmann "
       "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel "
       "Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht"),
    fs="Ger Bern Wil Hel Ul Rein Sieg Die Ott Lud", fm="hard bert helm fried mar old",
    ff="trud hild linde burga rike",
    sr="Ober Stein Brand Eichen Linden Wald Rosen Holz Grün Berg Feld Hasel Stroh Kirch Mühl",
    se="mann er ke hardt berg feld bach inger meier huber bauer"),
 'RU': dict(w=5, m=(
    "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай "
    "Владимир Павел Денис Роман Игорь Олег Антон Никита Илья Кирилл Егор Вадим Юрий Виктор "
    "Константин Григорий Тимур Руслан Василий Фёдор Борис Леонид Степан Глеб Станислав "
    "Ярослав Вячеслав Геннадий Анатолий Валентин Ян Арсений Матвей Тимофей Даниил"), f=(
    "Анна Мария Елена Ольга Наталья Екатерина Татьяна Ирина Светлана Юлия Анастасия Дарья "
    "Марина Ксения Виктория Алина Полина Елизавета Софья Людмила Галина Вера Надежда Любовь "
    "Валентина Евгения Кристина Александра Алёна Оксана Яна Василиса Маргарита Диана "
    "Вероника Арина Ульяна Милана Таисия"), s=(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
    "Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов "
    "Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков "
    "Миронов Крылов Куликов Карпов Власов Мельников Денисов Покровский Никольский Черных"),
    sr="Бел Сор Гор Кар Мед Зуб Лыс Тих Сит Бур Вор Гол Дуб Жар Куд Лап Мох Пес Рыж Сух Чиж",
    se="ов ев ин ский ищев ков енков"),
 'NG': dict(w=6, m=(
    "Chinedu Emeka Oluwaseun Adebayo Babatunde Ifeanyi Abubakar Musa Ibrahim Yusuf Godwin "
    "Samuel Emmanuel Kelechi Obinna Uche Olamide Babajide Chukwuemeka Oluwatobi Oluwafemi "
    "Adewale Olumide Chinonso Ebuka Tunde Segun Kunle Femi Daniel David Michael John "
    "Peter Sunday Friday Usman Aliyu Sani Nnamdi Ikenna Tochukwu Oluwaseyi"), f=(
    "Ngozi Chioma Funmilayo Aisha Fatima Blessing Precious Chiamaka Temitope Damilola "
    "Yetunde Amaka Nkechi Halima Zainab Joy Grace Favour Ifeoma Oluwadamilola Olufunmilayo "
    "Oluwakemi Bukola Oluwabukola Chidinma Adeola Oluwatosin Oyinkansola Oluwatoyin Esther "
    "Mercy Hauwa Khadija Adaeze Uchechi Folake Titilayo Busayo Nneka Ogechi Hadiza"), s=(
    "Okafor Adeyemi Okonkwo Eze Nwosu Ibrahim Bello Mohammed Abubakar Olawale Adebayo "
    "Balogun Chukwu Ogunleye Nwachukwu Okeke Oyelaran Afolabi Onyeka Danjuma Lawal Adewale "
    "Obi Usman Yusuf Suleiman Abdullahi Musa Okoro Nwankwo Ogundipe Oladipo Akinola Oyebanji "
    "Okoye Ezeh Uzor Anyanwu Igwe Nnadi Adeleke Ajayi Ojo Olatunji Salami Babatunde Aliyu"),
    fs="Olu Ade Ayo Chi Ife Oba Nnam Uche Tobi Kay Ebe Ugo Sola Dayo",
    fm="wale dike nna yemi seun chukwu kunle gozie", ff="nike ma bunmi ola dara nne yinka",
    sr="Ade Oke Nwa Ogun Ola Eze Chukwu Obi Aji Oye Ako Ugo Ona Ibe Efe",
    se="yemi kunle nwa gbemi wole sanya kwe bueze dike nna lade bisi"),
 'IN': dict(w=8, m=(
    "Rahul Amit Rohit Vikram Sandeep Suresh Ramesh Deepak Arjun Karthik Aditya Rajesh Anil "
    "Sunil Vijay Manoj Sanjay Ravi Kiran Harish Srinivas Venkatesh Mohammed Abdul Abhishek "
    "Siddharth Vignesh Nikhil Krishna Prakash Ashok Naveen Gaurav Varun Akash Ankit Pranav "
    "Sachin Rakesh Arun"), f=(
    "Priya Anjali Sneha Pooja Neha Divya Kavya Lakshmi Meera Swati Shreya Aishwarya "
    "Priyanka Fatima Bhagyashree Ananya Deepika Nisha Ritu Sunita Kavitha Meenakshi Gayatri "
    "Shalini Anita Rekha Asha Pallavi Sakshi Tanvi Ishita Aarti Kiran Radhika Sonali"), s=(
    "Sharma Kumar Singh Patel Reddy Gupta Iyer Nair Rao Das Joshi Mehta Shah Verma Agarwal "
    "Chopra Menon Pillai Naidu Bhat Mishra Pandey Yadav Khan Banerjee Chatterjee Mukherjee "
    "Ghosh Desai Kulkarni Jain Malhotra Krishnan Subramanian Srinivasan Ramasamy Kapoor "
    "Saxena Tiwari Dubey Chauhan Thakur Bose Sinha Hegde Shetty Gowda"),
    fs="Ra Vi Su Ha Pra Ma Shi Ja Ani Di Ka Sa", fm="esh endra ant ish an deep it", ff="ita ika ini ya aja",
    sr="Raj Krish Venk Bala Subr Chand Nara Ram Gop Shiv", se="an amurthy appa esan endran ani"),
}

# Korean: surname hangul:romanisations:weight ; syllables hangul:romanisations
KR_SUR = ("김:Kim:21.5 이:Lee/Yi/Rhee:14.7 박:Park/Pak/Bak:8.4 최:Choi/Choe:4.7 "
          "정:Jung/Jeong/Chung:4.4 강:Kang:2.3 조:Cho/Jo:2.1 윤:Yoon/Yun:2.0 장:Jang/Chang:2.0 "
          "임:Lim/Im:1.7 한:Han:1.5 오:Oh:1.5 서:Seo/Suh:1.5 신:Shin/Sin:1.5 권:Kwon:1.4 "
          "황:Hwang:1.3 안:Ahn/An:1.3 송:Song:1.3 류:Ryu/Yoo:1.2 전:Jeon/Jun:1.1 홍:Hong:1.1 "
          "고:Ko/Go:0.9 문:Moon/Mun:0.9 양:Yang:0.9 손:Son/Sohn:0.9 배:Bae:0.8 백:Baek/Paik:0.8 "
          "허:Heo/Huh:0.6 남:Nam:0.5 심:Shim/Sim:0.5 노:Noh/Roh:0.5 하:Ha:0.5 곽:Kwak:0.4 "
          "성:Sung/Seong:0.4 차:Cha:0.4 주:Joo/Ju:0.4 우:Woo:0.4 구:Koo/Gu:0.4 민:Min:0.3 "
          "남궁:Namgung:0.05 선우:Sunwoo:0.03 제갈:Jegal:0.02")
KR_SYL = ("민:min 지:ji 서:seo 준:jun 현:hyun/hyeon 영:young/yeong 수:soo/su 연:yeon/yun 우:woo "
          "진:jin 은:eun 하:ha 윤:yoon/yun 도:do 예:ye 성:sung/seong 호:ho 재:jae 혜:hye "
          "주:joo/ju 원:won 희:hee/hui 경:kyung/gyeong 태:tae 상:sang 동:dong 아:ah/a 나:na "
          "소:so 유:yoo/yu 채:chae 다:da 인:in 석:seok/suk 훈:hoon/hun 철:chul/cheol 미:mi "
          "정:jung/jeong 선:sun/seon 빈:bin 규:kyu/gyu 혁:hyuk/hyeok 람:ram 린:rin 별:byul")
KR_MALE2 = set(W("준 호 훈 석 철 우 혁 규 빈 성 원 동 재 태 상 진 현"))
KR_FEM2 = set(W("지 연 은 희 미 나 아 영 혜 린 람 별 서 윤 주 소 수 채 다 선"))
KR_ALIAS = {'f': W("Jenny Grace Sarah Esther Julie Amy Irene Lucy Sophie Joy Jessica Christine"),
            'm': W("Kevin Daniel David Brian Eric Andrew Jay Sam Steve Peter Paul John James Sean "
                   "Justin Jason")}
# Vietnamese
VN_SUR = ("Nguyễn:38 Trần:11 Lê:9.5 Phạm:7 Hoàng:5 Huỳnh:5 Phan:4.5 Vũ:3.9 Võ:3.9 Đặng:2.1 "
          "Bùi:2 Đỗ:1.4 Hồ:1.3 Ngô:1.3 Dương:1 Lý:0.5 Đinh:0.5 Trương:0.5 Lâm:0.4 Mai:0.4 "
          "Tô:0.3 Tạ:0.2 Hà:0.3 Cao:0.3 Lương:0.3 Chu:0.2 Quách:0.1 Thái:0.2 Kiều:0.1 Văn:0.1")
VN_MID_M = W("Văn Minh Đức Quang Hữu Thành Công Xuân Hoàng Ngọc Gia Tuấn")
VN_MID_F = W("Thị Ngọc Thu Thanh Minh Phương Hồng Kim Bảo Mai Khánh Ngọc")
VN_M = W("Anh Minh Huy Dũng Tuấn Hùng Nam Quang Thành Trung Hiếu Khoa Long Đức Phúc Hải Sơn "
         "Tùng Thắng Bình Cường Hoàng Việt Khánh Phong Tâm Lộc Tài Vinh Hưng Bảo Duy Hào Nhân "
         "Thiện Kiên Lâm Đạt Khôi Quân Tiến Toàn")
VN_F = W("Linh Trang Thảo Hương Hà Lan Mai Phương Hoa Ngọc Vy Anh Nhung Hạnh Huyền Nga Yến "
         "Tâm Thủy Vân Loan Quỳnh Diệp Nhi Trâm Uyên Giang My Hằng Thư Châu Oanh Dung Hiền Ly")
VN_ALIAS = {'f': W("Jenny Lily Vivian Anna Kim Tina Sunny Emily Linda Helen Kelly Amy"),
            'm': W("Tony Kevin Peter Henry Jack Leo Andy Tom Jimmy Steven Sunny")}
IN_ALIAS = {'f': W("Pinky Babli Sweety Dolly Sunny Guddu"),
            'm': W("Sunny Bunty Vicky Rocky Sonu Monu Chintu Tinku Bittu")}
LOCALES['KR'] = dict(w=5)
LOCALES['VN'] = dict(w=6, fold=0.6)

# ---- Nicknames: formal:nick,nick ... ------------------------------------------------
NICK_TXT = {
 'EN': "Robert:Bob,Rob,Bobby,Robbie William:Will,Bill,Billy,Liam James:Jim,Jimmy,Jamie "
       "Richard:Rick,Rich,Richie Michael:Mike,Mikey Elizabeth:Liz,Beth,Lizzie,Betty,Eliza "
       "Katherine:Kate,Katie,Kathy,Kat Catherine:Cathy,Cat,Kate Margaret:Maggie,Meg,Peggy "
       "Jennifer:Jen,Jenny Christopher:Chris Matthew:Matt Daniel:Dan,Danny Joseph:Joe,Joey "
       "Thomas:Tom,Tommy Anthony:Tony Nicholas:Nick Alexander:Alex,Xander Benjamin:Ben,Benny "
       "Samuel:Sam,Sammy Jonathan:Jon,Jonny Edward:Ed,Eddie,Ted Andrew:Andy,Drew "
       "Patricia:Pat,Patty,Trish Rebecca:Becky,Becca Jessica:Jess,Jessie Samantha:Sam,Sammy "
       "Victoria:Vicky,Tori Alexandra:Alex,Lexi Christine:Chris,Chrissy Christina:Tina,Chris "
       "Deborah:Debbie,Deb Susan:Sue,Suzy Abigail:Abby Stephanie:Steph Kimberly:Kim "
       "Olivia:Liv Charles:Charlie,Chuck Steven:Steve Stephen:Steve Timothy:Tim "
       "Gregory:Greg Jacob:Jake Nathan:Nate Nathaniel:Nate,Nat Zachary:Zach,Zack "
       "Theodore:Theo,Ted Frederick:Fred,Freddie Lawrence:Larry Gerald:Jerry Harold:Harry "
       "Henry:Harry,Hank John:Jack,Johnny Dorothy:Dot Pamela:Pam Cynthia:Cindy Barbara:Barb "
       "Kathleen:Kathy Judith:Judy Virginia:Ginny Amanda:Mandy Melissa:Mel,Missy "
       "Danielle:Dani Jacqueline:Jackie Madison:Maddie Isabella:Bella,Izzy "
       "Charlotte:Lottie,Charlie Natalie:Nat Theresa:Tess Teresa:Terri Eleanor:Ellie,Nell "
       "Harriet:Hattie Gabriel:Gabe Raymond:Ray Dennis:Denny Douglas:Doug Kenneth:Ken,Kenny "
       "Ronald:Ron,Ronnie Donald:Don Jeffrey:Jeff Joshua:Josh Peter:Pete Walter:Walt "
       "Albert:Al,Bert Alan:Al Vincent:Vince,Vinny Russell:Russ Bradley:Brad Sophia:Sophie "
       "Evelyn:Evie Oliver:Ollie Alfred:Alfie Archibald:Archie Callum:Cal Alistair:Ali "
       "Joanne:Jo Nicola:Nicki Louise:Lou Gemma:Gem Frances:Fran Alexis:Lexi Julia:Jules",
 'BR': "José:Zé Francisco:Chico Antônio:Toninho Guilherme:Gui Gabriel:Biel Rafael:Rafa "
       "Fernanda:Nanda,Fê Beatriz:Bia Eduardo:Dudu,Edu Felipe:Lipe Juliana:Ju Carolina:Carol "
       "Mariana:Mari Isabela:Isa,Bela Gustavo:Guga,Gus Alexandre:Alê Roberto:Beto "
       "Patrícia:Paty Paulo:Paulinho Leonardo:Léo Matheus:Teteu Thiago:Thi Rodrigo:Digo "
       "Vinícius:Vini Marcelo:Celo Bruna:Bru Camila:Cami,Mila Letícia:Lelê Larissa:Lari "
       "Gabriela:Gabi Vitória:Vivi Raquel:Quel Maria_Eduarda:Duda Eduarda:Duda "
       "João_Pedro:JP Ana_Paula:Aninha Luiz_Felipe:Lipe Daniela:Dani Daniel:Dani "
       "Valentina:Val Giovanna:Gi Manuela:Manu Fernando:Nando Henrique:Rique",
 'MX': "Francisco:Paco,Pancho José:Pepe Guadalupe:Lupe Jesús:Chucho,Chuy Alejandro:Alex,Ale "
       "Enrique:Quique Ignacio:Nacho Manuel:Manolo Dolores:Lola Concepción:Concha "
       "Rosario:Charo María_José:Majo Eduardo:Lalo Roberto:Beto Guillermo:Memo Alberto:Beto "
       "Fernando:Nando Ricardo:Richi Javier:Javi Daniel:Dani Daniela:Dani Alejandra:Ale "
       "Gabriela:Gaby Mariana:Mari Verónica:Vero Patricia:Paty Adriana:Adri Ximena:Xime "
       "Sofía:Sofi Valeria:Vale Fernanda:Fer Antonio:Toño Sebastián:Sebas Santiago:Santi "
       "Rodrigo:Rodri Rafael:Rafa Sergio:Checo María_Fernanda:Marifer Guadalupe:Lupita",
 'IT': "Giuseppe:Peppe,Beppe,Pino Giovanni:Gianni Francesco:Franco,Checco Alessandro:Ale,Sandro "
       "Antonio:Toni,Tonino Salvatore:Totò,Salvo Roberto:Robi Federico:Fede Alessandra:Ale "
       "Francesca:Fra,Franci Elisabetta:Betta,Elisa Giulia:Giuly Caterina:Cate "
       "Margherita:Marghe Vincenzo:Enzo Domenico:Mimmo Lorenzo:Lollo,Renzo Riccardo:Ricky "
       "Matteo:Teo Gabriele:Gabri Davide:Dado Emanuele:Manu Simone:Simo Stefano:Ste "
       "Massimo:Max Maurizio:Mauri Valentina:Vale Federica:Fede Martina:Marti "
       "Beatrice:Bea Benedetta:Bene Eleonora:Ele Daniela:Dani Daniele:Dani Filippo:Pippo "
       "Guglielmo:Memo Giuseppina:Pina Tommaso:Tommy Edoardo:Edo Ilaria:Ila Serena:Sere",
 'PL': "Katarzyna:Kasia Małgorzata:Gosia,Małgosia Aleksandra:Ola Agnieszka:Aga "
       "Magdalena:Magda,Madzia Joanna:Asia Krzysztof:Krzysiek Tomasz:Tomek Jakub:Kuba "
       "Grzegorz:Grzesiek Wojciech:Wojtek Bartosz:Bartek Przemysław:Przemek Mateusz:Mati "
       "Piotr:Piotrek Paweł:Pawełek Marcin:Marcinek Andrzej:Jędrek Barbara:Basia Elżbieta:Ela "
       "Zofia:Zosia Ewa:Ewka Anna:Ania Maria:Marysia Monika:Monia Michał:Michałek "
       "Dariusz:Darek Szymon:Szymek Maciej:Maciek Jan:Janek Stanisław:Staszek "
       "Jarosław:Jarek Mirosław:Mirek Zbigniew:Zbyszek Sławomir:Sławek Weronika:Wera "
       "Aleksander:Olek Wiktoria:Wika Krystyna:Krysia Dominika:Domi Zuzanna:Zuza "
       "Patrycja:Pati Sebastian:Seba Dawid:Dawidek Kacper:Kacperek",
 'TR': "Mehmet:Memo Mustafa:Musti Hüseyin:Hüso Muhammed:Memo Abdullah:Apo Fatma:Fato "
       "İbrahim:İbo Zeynep:Zeyno Elif:Elo Büşra:Büşo Ömer:Ömo Gizem:Gizo Süleyman:Süleyş",
 'DE': "Johannes:Hannes Wolfgang:Wolf Katharina:Kathi Alexander:Alex Christian:Chris "
       "Matthias:Matze Elisabeth:Lisa Stefanie:Steffi Andreas:Andi Thomas:Tom Michael:Micha "
       "Susanne:Susi Sebastian:Basti Maximilian:Max Dominik:Domi Tobias:Tobi Florian:Flo "
       "Christina:Tina Nicole:Nici Franziska:Franzi Alexandra:Alex Lukas:Luki Johanna:Hanna "
       "Daniel:Dani Daniela:Dani Niklas:Nik Moritz:Mo Dieter:Didi",
 'RU': "Александр:Саша,Шура Алексей:Лёша Дмитрий:Дима Сергей:Серёжа Андрей:Андрюша "
       "Михаил:Миша Николай:Коля Владимир:Вова,Володя Иван:Ваня Евгений:Женя Павел:Паша "
       "Максим:Макс Артём:Тёма Екатерина:Катя Анастасия:Настя Мария:Маша Елена:Лена Ольга:Оля "
       "Татьяна:Таня Наталья:Наташа Юлия:Юля Ирина:Ира Светлана:Света Анна:Аня Дарья:Даша "
       "Ксения:Ксюша Виктория:Вика Елизавета:Лиза Александра:Саша Евгения:Женя "
       "Людмила:Люда Галина:Галя Надежда:Надя Любовь:Люба Валентина:Валя Маргарита:Рита "
       "Полина:Поля Софья:Соня Вероника:Ника Константин:Костя Григорий:Гриша Юрий:Юра "
       "Виктор:Витя Василий:Вася Фёдор:Федя Борис:Боря Станислав:Стас Ярослав:Слава "
       "Вячеслав:Слава Анатолий:Толя Геннадий:Гена Роман:Рома Денис:Дэн Игорь:Гоша "
       "Антон:Тоша Степан:Стёпа Вадим:Вадик Тимофей:Тима Даниил:Даня Арсений:Арсюша",
 'NG': "Oluwaseun:Seun Oluwatobi:Tobi Babatunde:Tunde Olufunmilayo:Funmi Funmilayo:Funmi "
       "Chukwuemeka:Emeka Ifeoma:Ify Chiamaka:Amaka Oluwadamilola:Dami Damilola:Dami "
       "Temitope:Tope Adebayo:Bayo Oluwafemi:Femi Olamide:Lami Chinedu:Nedu Obinna:Obi "
       "Oluwakemi:Kemi Abubakar:Abu Ibrahim:Ibro Emmanuel:Emma Oluwaseyi:Seyi "
       "Oluwatoyin:Toyin Adewale:Wale Oluwabukola:Bukky Bukola:Bukky Chidinma:Dinma "
       "Chinonso:Nonso Kelechi:KC Ifeanyi:Ify Blessing:Bless Precious:Presh Adeola:Deola "
       "Yetunde:Yetty Oluwatosin:Tosin Oyinkansola:Oyin Babajide:Jide Olumide:Mide "
       "Titilayo:Titi Folake:Fola Tochukwu:Tochi Nnamdi:Zik",
 'IN': "Venkatesh:Venky Srinivas:Srini Rajesh:Raju Aishwarya:Ash Karthik:Karthi "
       "Krishna:Kittu Priyanka:Priya Abhishek:Abhi Siddharth:Sid Vignesh:Vicky "
       "Bhagyashree:Bhagya Mohammed:Mo Suresh:Suri Ramesh:Ramu Deepak:Deepu Aditya:Adi "
       "Lakshmi:Lucky Divya:Divi Sandeep:Sandy Vijay:Viju Anjali:Anju Nikhil:Nik "
       "Vikram:Vicky Meenakshi:Meenu Gayatri:Gayu Prakash:Prakki Akash:Aku Ananya:Annu",
}
NICK_TXT['US'] = NICK_TXT['UK'] = NICK_TXT['EN']


def _parse_nicks(txt):
    d = {}
    for item in txt.split():
        k, v = item.split(':')
        d[NT(k)] = [NT(x) for x in v.split(',')]
    return d


NICKS = {loc: _parse_nicks(NICK_TXT[loc]) for loc in LOCALES if loc in NICK_TXT}

# spelling variants (used by the typo model and by namesakes)
SPELL = {}
for _grp in ("John/Jon Jonathan/Johnathan Steven/Stephen Sara/Sarah Ann/Anne Philip/Phillip "
             "Catherine/Katherine/Kathryn Mohammed/Muhammad/Mohamed/Muhammed Geoffrey/Jeffrey "
             "Brian/Bryan Sean/Shawn/Shaun Aaron/Aron Isabella/Isabela Rebecca/Rebekah "
             "Alan/Allan/Allen Teresa/Theresa Mark/Marc Nicholas/Nicolas Michelle/Michele "
             "Matthew/Mathew Luiz/Luis Thiago/Tiago Rafael/Raphael Matheus/Mateus "
             "Aleksandra/Alexandra Yusuf/Yousuf Chinedu/Chinedum Kayleigh/Kayley "
             "Erica/Erika Caitlin/Kaitlyn Zoe/Zoey Lewis/Louis Jessica/Jesica Giovanna/Geovana "
             "Vinícius/Vinicius Priya/Preeya Lakshmi/Laxmi Mohammed/Mohd").split():
    _vs = _grp.split('/')
    for _v in _vs:
        SPELL.setdefault(_v, []).extend(x for x in _vs if x != _v)

# ---- Mail providers per locale --------------------------------------------------------
PROVIDERS = {
 'US': "gmail.com:55 yahoo.com:11 hotmail.com:6 outlook.com:8 icloud.com:9 aol.com:3 "
       "protonmail.com:2 comcast.net:2 me.com:1 live.com:1 att.net:1 msn.com:1",
 'UK': "gmail.com:45 hotmail.co.uk:11 yahoo.co.uk:8 outlook.com:10 btinternet.com:5 "
       "icloud.com:8 sky.com:3 live.co.uk:3 googlemail.com:3 hotmail.com:2 aol.co.uk:1 proton.me:1",
 'BR': "gmail.com:60 hotmail.com:15 outlook.com:8 yahoo.com.br:8 uol.com.br:4 bol.com.br:3 "
       "terra.com.br:2 icloud.com:2",
 'MX': "gmail.com:55 hotmail.com:20 outlook.com:8 yahoo.com.mx:7 live.com.mx:4 outlook.es:2 "
       "icloud.com:3 prodigy.net.mx:1",
 'IT': "gmail.com:45 libero.it:15 hotmail.it:10 yahoo.it:8 alice.it:5 virgilio.it:5 "
       "tiscali.it:3 outlook.it:4 icloud.com:3 live.it:2",
 'PL': "gmail.com:40 wp.pl:18 o2.pl:12 onet.pl:12 interia.pl:10 op.pl:4 outlook.com:3 tlen.pl:1",
 'TR': "gmail.com:55 hotmail.com:25 yandex.com.tr:6 outlook.com:8 yahoo.com:5 icloud.com:1",
 'DE': "gmail.com:28 web.de:20 gmx.de:18 t-online.de:10 outlook.de:5 posteo.de:3 gmx.net:6 "
       "googlemail.com:4 yahoo.de:3 icloud.com:3",
 'RU': "mail.ru:30 yandex.ru:25 gmail.com:30 rambler.ru:5 bk.ru:4 list.ru:3 inbox.ru:3",
 'NG': "gmail.com:72 yahoo.com:19 outlook.com:4 hotmail.com:4 ymail.com:1",
 'IN': "gmail.com:76 yahoo.co.in:8 rediffmail.com:5 outlook.com:5 hotmail.com:4 yahoo.com:2",
 'KR': "naver.com:45 gmail.com:30 daum.net:12 hanmail.net:8 kakao.com:3 nate.com:2",
 'VN': "gmail.com:76 yahoo.com:10 yahoo.com.vn:3 outlook.com:6 hotmail.com:5",
}
PLUS_OK = set(W("gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk hotmail.it "
                "outlook.it outlook.de outlook.es live.com live.co.uk live.it live.com.mx "
                "icloud.com me.com protonmail.com proton.me yandex.ru yandex.com.tr fastmail.com "
                "posteo.de"))
GMAIL = ('gmail.com', 'googlemail.com')
DOMAIN_TYPO = {'gmail.com': ['gmial.com', 'gmail.con', 'gmai.com', 'gamil.com'],
               'hotmail.com': ['hotmial.com', 'hotmail.co'], 'yahoo.com': ['yahooo.com', 'yaho.com'],
               'outlook.com': ['outlok.com']}
CO_TLD = {'US': 'com com com io co us', 'UK': 'co.uk co.uk com', 'BR': 'com.br com.br com',
          'MX': 'com.mx mx com', 'IT': 'it it com', 'PL': 'pl pl com', 'TR': 'com.tr com.tr com',
          'DE': 'de de com', 'RU': 'ru ru com', 'NG': 'com.ng ng com', 'IN': 'in co.in com',
          'KR': 'co.kr co.kr com', 'VN': 'vn com.vn com'}
CO_W1 = W("acme nova bright blue apex terra vertex orbit quantum silver summit pioneer harbor "
          "atlas zenith nimbus lumen crest cobalt north river oak cedar falcon iron delta "
          "alpha prime green swift clear true red sky stone bridge arc core")
CO_W2 = W("labs tech soft systems group solutions works media logistics health capital energy "
          "digital foods retail analytics consulting partners studio bank insurance motors "
          "pharma data cloud")
FAMILY_DOM = W("{s}family.net {s}family.com the{s}s.com {s}.family {s}.me {s}home.net "
               "{s}-familie.de casa{s}.it {s}familia.com.br {s}.name")

# ---- handle words, decorations ----------------------------------------------------------
ADJ = W("lucky happy crazy silent dark little blue red golden wild lazy cosmic electric sunny "
        "misty urban lonely salty sweet mad brave quiet frozen neon pixel tiny mighty fuzzy "
        "shiny rusty witty sleepy angry chill super hyper magic royal lost lone mystic")
NOUN = W("comet tiger panda wolf fox dragon ninja rider pilot shadow storm river moon star "
         "coder gamer queen king penguin mango cookie rocket ghost falcon lion bear kitten "
         "otter raven sparrow phoenix potato pickle waffle bean cactus llama koala wizard "
         "knight samurai unicorn biscuit noodle")
LOC_WORDS = {'BR': W("gato lua sol flor praia"), 'IT': W("gatto sole luna stella"),
             'TR': W("kedi ay yildiz deniz"), 'RU': W("kot volk zvezda"), 'MX': W("gato sol luna"),
             'PL': W("kot słońce"), 'DE': W("katze sonne")}
EMOJI = W("🌻 ✨ 🔥 💙 🌙 ⚽ 🎮 📚 ☕ 🎧 💻 🌊 🐾 🌸 ⭐ 🦋 🏳️‍🌈 💜 🙏 🚀")
FLAG = {'US': '🇺🇸', 'UK': '🇬🇧', 'BR': '🇧🇷', 'MX': '🇲🇽', 'IT': '🇮🇹', 'PL': '🇵🇱', 'TR': '🇹🇷',
        'DE': '🇩🇪', 'RU': '🇷🇺', 'NG': '🇳🇬', 'IN': '🇮🇳', 'KR': '🇰🇷', 'VN': '🇻🇳'}
JOBS = ["Data Engineer", "UX Designer", "Product Manager", "Nurse", "Teacher", "Dev",
        "Photographer", "PhD student", "Marketing", "Realtor", "Software Engineer",
        "Journalist", "Artist", "Musician", "Lawyer", "MD", "Founder", "CPA", "Chef",
        "Engenheira", "Ingeniero", "Avvocato", "Lehrerin", "Barrister", "Pharmacist"]
PRONOUNS = {'f': ["(she/her)", "she/her", "she/they", "(they/them)"],
            'm': ["(he/him)", "he/him", "he/they", "(they/them)"]}
TITLES = {'NG': W("Dr. Engr. Chief Barr. Pastor Prof. Arc."), 'IT': W("Avv. Dott. Ing. Dr."),
          'DE': W("Dr. Prof. Dipl.-Ing."), 'IN': W("Dr. Er. Adv."), '*': W("Dr. Dr Prof. Rev.")}
NON_NAMES = ["coffee addict", "just a girl", "not a bot", "sleepy", "gamer", "crypto bro",
             "Mom of 3", "bookworm", "lurker", "night owl", "ok", "user", ".", "anon",
             "football fan", "dreamer", "Mamãe do Theo", "tired", "vibes only", "no name"]
JUNK_FIRST = ["asdf", "x", "a", "test", "N/A", "-", "Mr", "Ms", "qwerty"]
SIMILAR_PAIRS = ("Daniel/Danielle Paul/Paula Eric/Erica Michael/Michelle Christopher/Christina "
                 "Alexander/Alexandra Brian/Brianna Nicholas/Nicole Robert/Roberta Justin/Justine "
                 "Jesse/Jessica Francis/Frances Gabriel/Gabriella Joseph/Josephine Ethan/Evan "
                 "Emma/Emily Anna/Hannah Sophie/Sophia Olivia/Olive Mason/Madison Liam/Lily "
                 "Rahul/Rohit Priya/Priyanka Anil/Sunil Ramesh/Suresh Chinedu/Chinonso "
                 "Oluwaseun/Oluwaseyi Oluwatobi/Oluwatosin Emre/Emir Eda/Elif Can/Cansu "
                 "Jan/Janina Jan/Jana Aleksander/Aleksandra Paweł/Paulina Daniel/Daniela "
                 "Stanisław/Stanisława Mario/Maria Giovanni/Giovanna Francesco/Francesca "
                 "Paulo/Paula Carlos/Carla Antônio/Antônia Francisco/Francisca Luiz/Luiza "
                 "Daniele/Daniela Gabriele/Gabriella Lukas/Luka Leon/Lena Jonas/Jana "
                 "Александр/Александра Евгений/Евгения Валентин/Валентина Ян/Яна")
SIMILAR = {}
for _grp in SIMILAR_PAIRS.split():
    _a, _b = _grp.split('/')
    SIMILAR.setdefault(_a, []).append(_b)
    SIMILAR.setdefault(_b, []).append(_a)
KEYB = dict(zip("qwertyuiopasdfghjklzxcvbnm",
                W("wa qes wrd etf ryg tuh yij uok ipl ol qsz adwx sfe dgrc fhtv gjyb hkun jlim ko "
                  "xas zcs xvd cbf vng bmh nj")))
VOWELS = 'aeiou'


# ---- Weighted pools ---------------------------------------------------------------------
class Pool(object):
    __slots__ = ('items', 'cum', 'total')

    def __init__(self, items, weights):
        self.items = items
        c, acc = [], 0.0
        for w in weights:
            acc += w
            c.append(acc)
        self.cum, self.total = c, acc

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]

    def pick_top(self, rng, k):
        c = self.cum[min(k, len(self.cum)) - 1]
        return self.items[bisect.bisect_right(self.cum, rng.random() * c)]


def zipf_pool(items, q, s=1.0, nhead=None, tail_share=None):
    """Zipf-Mandelbrot 1/(rank+q)^s; the synthesised tail (after nhead) is rescaled to
    carry tail_share of the mass."""
    ws = [1.0 / (r + q) ** s for r in range(1, len(items) + 1)]
    if nhead is not None and tail_share is not None and nhead < len(items):
        hs, ts = sum(ws[:nhead]), sum(ws[nhead:])
        f = tail_share / (1.0 - tail_share) * hs / ts
        ws = ws[:nhead] + [w * f for w in ws[nhead:]]
    return Pool(items, ws)


def kv_pool(txt, conv=float):
    items, ws = [], []
    for tok in txt.split():
        k, v = tok.rsplit(':', 1)
        items.append(k)
        ws.append(conv(v))
    return Pool(items, ws)


def synth_tail(key, starts, ends, n, exclude, lower_mid=True):
    """Deterministic rare names: start + (optional mid) + end."""
    r = Random(zlib.crc32(key.encode()))
    starts, ends = W(starts), W(ends)
    out, seen, tries = [], set(exclude), 0
    while len(out) < n and tries < n * 30:
        tries += 1
        s = r.choice(starts)
        if r.random() < 0.3:
            s += r.choice(starts).lower()[:2]
        nm = s + r.choice(ends)
        if nm not in seen:
            seen.add(nm)
            out.append(nm)
    return out


class World(object):
    """Name pools per locale, independent of the run seed."""

    def __init__(self):
        self.loc_pool = Pool(list(LOCALES), [LOCALES[k]['w'] for k in LOCALES])
        self.first = {}
        self.sur = {}
        for loc, d in LOCALES.items():
            if loc in ('KR', 'VN'):
                continue
            for g in 'mf':
                head = [NT(x) for x in W(d[g])]
                tail = []
                if 'fs' in d:
                    tail = synth_tail(loc + g, d['fs'], d['fm' if g == 'm' else 'ff'], 500, head)
                self.first[(loc, g)] = zipf_pool(head + tail, 8.0, 1.0, len(head), 0.15)
            head = [NT(x) for x in W(d['s'])]
            tail = synth_tail(loc + 's', d['sr'], d['se'], 3000, head)
            self.sur[loc] = zipf_pool(head + tail, 25.0, 1.0, len(head), 0.3)
        # Korean
        syl = [(t.split(':')[0], t.split(':')[1].split('/')) for t in W(KR_SYL)]
        pairs_m, pairs_f = [], []
        r = Random(977)
        for a in syl:
            for b in syl:
                if a[0] == b[0]:
                    continue
                if b[0] in KR_MALE2:
                    pairs_m.append((a, b))
                if b[0] in KR_FEM2:
                    pairs_f.append((a, b))
        r.shuffle(pairs_m)
        r.shuffle(pairs_f)
        self.kr_given = {'m': zipf_pool(pairs_m, 6.0), 'f': zipf_pool(pairs_f, 6.0)}
        items, ws = [], []
        for tok in W(KR_SUR):
            h, roms, w = tok.split(':')
            items.append((h, roms.split('/')))
            ws.append(float(w))
        self.kr_sur = Pool(items, ws)
        self.vn_sur = kv_pool(VN_SUR)
        self.vn_given = {'m': zipf_pool(VN_M, 3.0), 'f': zipf_pool(VN_F, 3.0)}
        self.vn_mid = {'m': Pool(VN_MID_M, [6] + [1] * (len(VN_MID_M) - 1)),
                       'f': Pool(VN_MID_F, [6] + [1] * (len(VN_MID_F) - 1))}
        self.providers = {loc: kv_pool(txt) for loc, txt in PROVIDERS.items()}
        # companies per locale (Zipf sizes) with a fixed address convention
        self.companies = {}
        self.co_conv = {}
        convs = ['f.l'] * 12 + ['il'] * 3 + ['f'] * 2 + ['f_l', 'fi', 'l.f', 'fl']
        for loc in LOCALES:
            r = Random(zlib.crc32(('co' + loc).encode()))
            tlds, doms, seen = W(CO_TLD[loc]), [], set()
            while len(doms) < 400:
                d = r.choice(CO_W1) + r.choice(['', '-'] + [''] * 4) + r.choice(CO_W2)
                d += '.' + r.choice(tlds)
                if d not in seen:
                    seen.add(d)
                    doms.append(d)
                    self.co_conv[d] = r.choice(convs)
            self.companies[loc] = zipf_pool(doms, 3.0)


# ---- time constants -----------------------------------------------------------------------
T0 = 1393632000          # 2014-03-01 app launch
T1 = 1751327999          # 2025-06-30 23:59:59
TW0 = 1152921600         # 2006-07-15 first Twitter accounts
TW_SNOW = 1451606400     # 2016-01-01: user ids become snowflakes (model)
TW_EPOCH_MS = 1288834974657
DAY = 86400
YEAR = 31557600

HSTYLES = Pool(W("fl f.l f_l il fly fy lf fi word fword iam nick l.i rand xx"),
               [14, 10, 6, 9, 8, 6, 3, 3, 16, 5, 4, 4, 3, 6, 1])
LSTYLES = Pool(W("f.l fl h il i.l fy f_l l.f fly f nick"), [30, 14, 18, 7, 3, 8, 4, 3, 7, 2, 4])
RSYS_POOL = Pool(list(RU_SYSTEMS), [45, 25, 30])
VARIANT_KINDS = Pool(W("dots plus gm both"), [40, 35, 10, 15])
DISPLAY_CORE = Pool(W("full first finit nick non"), [58, 13, 7, 10, 12])
SAME_NAME_SIZE = Pool([2, 3, 4, 5], [60, 25, 10, 5])
FAMILY_SIZE = Pool([2, 3, 4, 5], [40, 30, 20, 10])
TAGS = W("shop news spam promo twitter app signup work test alt 2 x netflix junk me")


def kr_given_str(a, b, ia, ib, style):
    ra = a[1][min(ia, len(a[1]) - 1)]
    rb = b[1][min(ib, len(b[1]) - 1)]
    if style == 0:
        return cap(ra + rb)
    if style == 1:
        return cap(ra) + '-' + rb
    if style == 2:
        return cap(ra) + ' ' + cap(rb)
    return cap(ra) + cap(rb)


def clean_local(s):
    s = re.sub(r'[^a-z0-9._+-]', '', s.lower())
    s = re.sub(r'\.{2,}', '.', s).strip('.')
    return s


def mbkey(local, domain):
    d = 'gmail.com' if domain == 'googlemail.com' else domain.lower()
    l = local.lower()
    if d in PLUS_OK:
        l = l.split('+')[0]
    if d == 'gmail.com':
        l = l.replace('.', '')
    return l + '@' + d


class Person(object):
    __slots__ = ('loc', 'g', 'first', 'last', 'mid', 'nat_first', 'nat_last', 'kr', 'rsys',
                 'byear', 'fold', 'handle', 'boxes', 'company', 'nick', 'nick_nat', 'init',
                 'sur_base', 'pid', 'nick_habit')


class Gen(object):
    def __init__(self, seed):
        self.rng = Random(seed)
        self.w = World()
        self.boxkeys = set()
        self.emails = set()
        self.screens = set()
        self.twids = set()
        self.domains_taken = set()

    # ---------------- persons ----------------
    def new_person(self, loc=None, g=None, given=None, sur_base=None, like=None):
        r = self.rng
        w = self.w
        p = Person()
        if like is not None:
            loc, g = like.loc, like.g
        loc = loc or w.loc_pool.pick(r)
        g = g or ('m' if r.random() < 0.5 else 'f')
        p.loc, p.g = loc, g
        p.mid = p.nat_first = p.nat_last = p.kr = p.rsys = p.nick = p.nick_nat = None
        p.init, p.boxes, p.company, p.pid = False, [], None, None
        age = min(78, 17 + int(abs(r.gauss(0, 1)) * 15))
        p.byear = 2025 - age - r.randint(0, 1)
        p.fold = r.random() < LOCALES[loc].get('fold', 0.0)
        if like is not None:
            for a in ('first', 'last', 'mid', 'nat_first', 'nat_last', 'kr', 'rsys', 'sur_base'):
                setattr(p, a, getattr(like, a))
        elif loc == 'KR':
            sh, sroms = sur_base or w.kr_sur.pick(r)
            a, b = given or w.kr_given[g].pick(r)
            ia = 0 if r.random() < 0.75 else 1
            ib = 0 if r.random() < 0.75 else 1
            style = bisect.bisect_right([0.55, 0.8, 0.9], r.random())
            si = 0 if r.random() < 0.8 else r.randrange(len(sroms))
            p.kr = (sh, sroms, a, b, ia, ib, style, si)
            p.first = kr_given_str(a, b, ia, ib, style)
            p.last = sroms[si]
            p.nat_first, p.nat_last = a[0] + b[0], sh
            p.sur_base = (sh, sroms)
        elif loc == 'VN':
            p.last = sur_base or w.vn_sur.pick(r)
            p.mid = w.vn_mid[g].pick(r)
            p.first = given or w.vn_given[g].pick(r)
            p.sur_base = p.last
        else:
            fn = given or w.first[(loc, g)].pick(r)
            sb = sur_base or w.sur[loc].pick(r)
            p.sur_base = sb
            if loc == 'RU':
                lc = ru_fem(sb) if g == 'f' else sb
                p.rsys = RSYS_POOL.pick(r)
                p.nat_first, p.nat_last = fn, lc
                p.first, p.last = translit(fn, p.rsys), translit(lc, p.rsys)
            else:
                ln = pl_fem(sb) if (loc == 'PL' and g == 'f') else sb
                if loc == 'BR' and r.random() < 0.5:
                    ln = w.sur[loc].pick(r) + ' ' + ln
                elif loc == 'MX' and r.random() < 0.6:
                    ln = ln + ' ' + w.sur[loc].pick(r)
                p.first, p.last = fn, ln
                if loc == 'IN':
                    p.init = r.random() < 0.15
        # nickname / alias
        if loc == 'RU':
            nn = NICKS['RU'].get(p.nat_first)
            if nn:
                p.nick_nat = r.choice(nn)
                p.nick = translit(p.nick_nat, p.rsys or 'pop')
        elif loc in NICKS and p.first in NICKS[loc]:
            p.nick = r.choice(NICKS[loc][p.first])
        if p.nick is None and loc in ('KR', 'VN', 'IN') and r.random() < 0.3:
            p.nick = r.choice((KR_ALIAS if loc == 'KR' else VN_ALIAS if loc == 'VN' else IN_ALIAS)[g])
        p.nick_habit = p.nick is not None and r.random() < 0.25
        p.handle = self.make_handle(p)
        return p

    def name_parts(self, p):
        r = self.rng
        ft = p.first.split(' ')
        f = slug(ft[0]) if (len(ft) == 1 or r.random() < 0.55) else slug(p.first)
        lt = p.last.split(' ')
        if len(lt) > 1 and r.random() < 0.75:
            l = slug(lt[-1] if p.loc == 'BR' else lt[0])
        else:
            l = slug(p.last)
        if p.loc == 'DE' and r.random() < 0.5:
            l = ''.join(c for c in fold_de(p.last).lower() if c.isalnum())
        if p.nick_habit and r.random() < 0.5:
            f = slug(p.nick) or f
        return (f or 'user'), (l or 'x')

    def make_handle(self, p, style=None):
        r = self.rng
        f, l = self.name_parts(p)
        st = style or HSTYLES.pick(r)
        camel = r.random() < 0.1
        if camel:
            f, l = cap(f), cap(l)
        yy, yyyy = str(p.byear)[2:], str(p.byear)
        if st == 'fl':
            h = f + l
        elif st == 'f.l':
            h = f + '.' + l
        elif st == 'f_l':
            h = f + '_' + l
        elif st == 'il':
            h = f[0] + l
        elif st == 'fly':
            h = f + l + (yy if r.random() < 0.8 else yyyy)
        elif st == 'fy':
            h = f + r.choice((yy, yyyy, str(r.randint(1, 99))))
        elif st == 'lf':
            h = l + f
        elif st == 'fi':
            h = f + l[0]
        elif st == 'word':
            words = LOC_WORDS.get(p.loc, []) if r.random() < 0.2 else []
            a = r.choice(ADJ)
            n = slug(r.choice(words)) if words else r.choice(NOUN)
            if camel:
                a, n = cap(a), cap(n)
            h = a + r.choice(('', '', '', '_')) + n
            if r.random() < 0.7:
                h += r.choice((yy, str(r.randint(1, 999)), str(r.randint(1, 99))))
        elif st == 'fword':
            h = f + r.choice(('', '_')) + r.choice(NOUN)
        elif st == 'iam':
            h = r.choice(('iam', 'real', 'the', 'its')) + f + (l if r.random() < 0.5 else '')
        elif st == 'nick':
            if p.nick and slug(p.nick):
                h = slug(p.nick) + r.choice(('', l, '_' + l, yy, '.' + l))
            else:
                h = f + l
        elif st == 'l.i':
            h = l + r.choice(('.', '', '_')) + f[0]
        elif st == 'rand':
            h = f + str(r.randint(10, 9999))
        else:
            h = 'xX' + f + 'Xx'
        h = h[:30].strip('._')
        if not any(c.isalpha() for c in h):
            h = 'u' + h
        return h[:30]

    # ---------------- mailboxes ----------------
    def local_for(self, p, st):
        r = self.rng
        f, l = self.name_parts(p)
        f, l = f.lower(), l.lower()
        yy = str(p.byear)[2:]
        if st == 'f.l':
            s = f + '.' + l
        elif st == 'fl':
            s = f + l
        elif st == 'h':
            s = p.handle.lower()
        elif st == 'il':
            s = f[0] + l
        elif st == 'i.l':
            s = f[0] + '.' + l
        elif st == 'fy':
            s = f + r.choice((yy, str(p.byear)))
        elif st == 'f_l':
            s = f + '_' + l
        elif st == 'l.f':
            s = l + '.' + f
        elif st == 'fly':
            s = f + r.choice(('.', '')) + l + yy
        elif st == 'f':
            s = f
        else:
            s = (slug(p.nick) if p.nick else f) + r.choice(('', '.' + l, l))
        return s

    def claim_box(self, p, local, domain, style='x'):
        r = self.rng
        if domain in GMAIL:
            local = local.replace('_', '').replace('-', '')
        local = clean_local(local) or 'user'
        if domain in GMAIL and len(local.replace('.', '')) < 6:
            local += str(p.byear)
        base, tries = local, 0
        while mbkey(local, domain) in self.boxkeys:
            tries += 1
            if style == 'co' and tries == 1 and '.' in base and len(base.split('.')) == 2:
                a, b = base.split('.')
                local = a + '.' + r.choice('abcdefghijklmnoprstw') + '.' + b
            elif style == 'co' or style == 'fam':
                local = base + str(tries + 1)
            elif tries == 1:
                local = base + str(p.byear)[2:]
            elif tries == 2:
                local = base + str(p.byear)
            else:
                local = base + str(r.randint(1, 10 ** min(tries - 1, 5)))
        self.boxkeys.add(mbkey(local, domain))
        addr = local + '@' + domain
        p.boxes.append(addr)
        return addr

    def new_box(self, p, domain=None, style=None):
        r = self.rng
        if domain is None:
            domain = self.w.providers[p.loc].pick(r)
        return self.claim_box(p, self.local_for(p, style or LSTYLES.pick(r)), domain)

    def work_box(self, p):
        conv = self.w.co_conv[p.company]
        f, l = self.name_parts(p)
        f, l = f.lower(), l.lower()
        local = {'f.l': f + '.' + l, 'il': f[0] + l, 'f': f, 'f_l': f + '_' + l,
                 'fi': f + l[0], 'l.f': l + '.' + f, 'fl': f + l}[conv]
        return self.claim_box(p, local, p.company, 'co')

    def box(self, p):
        """Primary personal mailbox (created on first use)."""
        if not p.boxes:
            self.new_box(p)
        return p.boxes[0]

    def gmail_box(self, p):
        for b in p.boxes:
            if b.split('@')[1] in GMAIL:
                return b
        return self.new_box(p, 'gmail.com' if (p.loc not in ('UK', 'DE') or self.rng.random()
                                                < 0.7) else 'googlemail.com')

    def written(self, addr, allow_caps=True):
        """The string the person types for a mailbox; None if that string is taken."""
        r = self.rng
        s = addr
        x = r.random()
        if allow_caps and x < 0.03:
            loc, dom = s.split('@')
            s = '.'.join(cap(t) for t in loc.split('.')) + '@' + (dom if r.random() < 0.7 else cap(dom))
        elif x < 0.035:
            loc, dom = s.split('@')
            if dom in DOMAIN_TYPO:
                s = loc + '@' + r.choice(DOMAIN_TYPO[dom])
        k = s.lower()
        if k in self.emails:
            return None
        self.emails.add(k)
        return s

    def variant(self, addr, kind=None):
        """Another spelling of the same mailbox (gmail dots/+tag/googlemail, +tag)."""
        r = self.rng
        local, dom = addr.split('@')
        for _ in range(6):
            if dom in GMAIL:
                k = kind or VARIANT_KINDS.pick(r)
            elif dom in PLUS_OK:
                k = 'plus'
            else:
                return None
            l2, d2 = local, dom
            if k in ('dots', 'both'):
                if '.' in l2 and r.random() < 0.6:
                    l2 = l2.replace('.', '') if r.random() < 0.6 else l2.replace('.', '', 1)
                else:
                    core = l2.replace('.', '')
                    i = r.randint(1, max(1, len(core) - 1))
                    l2 = core[:i] + '.' + core[i:]
            if k in ('plus', 'both'):
                l2 = l2.split('+')[0] + '+' + r.choice(TAGS)
            if k == 'gm' or (k == 'both' and r.random() < 0.3):
                d2 = 'googlemail.com' if dom == 'gmail.com' else 'gmail.com'
            s = clean_local(l2) + '@' + d2
            if s.lower() not in self.emails:
                self.emails.add(s.lower())
                return s
        return None

    # ---------------- Twitter ----------------
    def claim_screen(self, h):
        r = self.rng
        s = re.sub(r'[^A-Za-z0-9_]', '_' if r.random() < 0.5 else '', h)[:15] or 'user'
        if not any(c.isalpha() for c in s):
            s = ('x' + s)[:15]
        base, tries = s, 0
        while s.lower() in self.screens:
            tries += 1
            opt = r.randrange(6)
            if opt == 0:
                s = (base + '_')[:15]
            elif opt == 1:
                d = str(r.randint(1, 99 if tries < 4 else 9999))
                s = base[:15 - len(d)] + d
            elif opt == 2:
                s = ('_' + base)[:15]
            elif opt == 3:
                s = ('the' + base)[:15]
            elif opt == 4:
                s = ('real' + base)[:15]
            else:
                d = str(r.randint(100, 99999))
                s = base[:15 - len(d)] + d
        self.screens.add(s.lower())
        return s

    def tw_id(self, tc):
        r = self.rng
        while True:
            if tc < TW_SNOW:
                v = int(1e6 + (tc - TW0) / float(TW_SNOW - TW0) * 4.5e9) + r.randint(0, 400000)
            else:
                v = (int(tc * 1000 - TW_EPOCH_MS) << 22) | r.getrandbits(22)
            if v not in self.twids:
                self.twids.add(v)
                return str(v)
            tc -= r.randint(1, 600)

    def new_tw(self, p, t_signup, base=None):
        r = self.rng
        if base is None:
            base = p.handle if r.random() < 0.6 else self.make_handle(p)
        s = self.claim_screen(base)
        span = min(t_signup - TW0 - DAY, 12 * YEAR)
        tc = t_signup - DAY - int(span * r.random() ** 1.3)
        return (self.tw_id(tc), s, self.display_name(p, s))

    # ---------------- names as people write them ----------------
    def full_name(self, p, f=None):
        r = self.rng
        f = f or p.first
        l = p.last
        if p.loc == 'KR' and r.random() < 0.3:
            s = l + ' ' + f
        elif p.loc == 'VN' and r.random() < 0.45:
            s = l + ' ' + (p.mid + ' ' if r.random() < 0.8 else '') + f
        else:
            s = f + ' ' + l
        if p.fold and r.random() < 0.7:
            s = fold(s)
        return s

    def display_name(self, p, screen, core=None):
        r = self.rng
        f, l = p.first, p.last
        if core is None:
            x = r.random()
            if p.nat_first is not None and x < 0.3:
                if p.loc == 'KR':
                    s = p.nat_last + p.nat_first if r.random() < 0.75 else p.nat_first
                else:
                    y = r.random()
                    s = (p.nat_first + ' ' + p.nat_last if y < 0.6 else p.nat_first if y < 0.8
                         else (p.nick_nat or p.nat_first))
                core = 'nat'
            else:
                core = DISPLAY_CORE.pick(r)
        if core == 'nat':
            pass
        elif core == 'full':
            s = self.full_name(p)
        elif core == 'first':
            s = fold(f) if p.fold else f
        elif core == 'finit':
            s = f + ' ' + (fold(l)[:1] or 'X') + '.'
        elif core == 'nick':
            n = p.nick or f
            s = n + (' ' + l if r.random() < 0.5 else '')
        else:
            y = r.random()
            s = r.choice(NON_NAMES) if y < 0.5 else screen if y < 0.8 else 'the real ' + f
        x = r.random()
        if x < 0.04:
            s = s.upper()
        elif x < 0.12:
            s = s.lower()
        if r.random() < (0.08 if p.loc == 'NG' else 0.02):
            s = r.choice(TITLES.get(p.loc, TITLES['*'])) + ' ' + s
        x = r.random()
        if x < 0.06:
            s = s + ' ' + r.choice(EMOJI)
        elif x < 0.09:
            s = s + ' ' + FLAG[p.loc]
        elif x < 0.12:
            s = r.choice(EMOJI) + ' ' + s
        x = r.random()
        if x < 0.04:
            s = s + ' ' + r.choice(PRONOUNS[p.g])
        elif x < 0.09:
            s = s + ' | ' + r.choice(JOBS)
        return s[:50].strip() or screen

    def typed_name(self, p, nick=False):
        r = self.rng
        loc = p.loc
        f, l = (p.nick if (nick and p.nick) else p.first), p.last
        x = r.random()
        if loc == 'RU':
            nf = p.nick_nat if (nick and p.nick_nat) else (p.nat_first if not nick else None)
            if nf is not None and x < 0.15:
                f, l = nf, p.nat_last
            elif nf is not None and x < 0.27:
                sy = r.choice(RU_SYSTEMS)
                f, l = translit(nf, sy), translit(p.nat_last, sy)
        elif loc == 'KR':
            sh, sroms, a, b, ia, ib, st, si = p.kr
            if x < 0.1:
                f, l = (p.nat_first if not nick else f), sh
            elif x < 0.28 and not nick:
                f = kr_given_str(a, b, r.randint(0, 1), r.randint(0, 1), r.randint(0, 3))
            elif x < 0.36:
                l = r.choice(sroms)
            elif x < 0.46:
                f, l = l, f
            elif x < 0.5:
                f, l = l + ' ' + f, None
        elif loc == 'VN':
            if x < 0.22 and not nick:
                f = p.mid + ' ' + f
            elif x < 0.32:
                f, l = l, f
            elif x < 0.36:
                f, l = l + ' ' + p.mid + ' ' + f, None
        elif loc in ('BR', 'MX'):
            if ' ' in f and x < 0.3:
                f = f.split(' ')[0]
            if ' ' in l and r.random() < 0.35:
                l = l.split(' ')[-1] if loc == 'BR' else l.split(' ')[0]
        elif loc == 'IN' and p.init:
            y = r.random()
            if y < 0.6:
                l = l[0]
            elif y < 0.8:
                l = l[0] + '.'
        if l is not None:
            y = r.random()
            if (p.fold and y < 0.85) or (not p.fold and y < 0.04):
                if loc == 'DE' and r.random() < 0.5:
                    f, l = fold_de(f), fold_de(l)
                else:
                    f, l = fold(f) or f, fold(l) or l
        y = r.random()
        if y < 0.06:
            f, l = f.lower(), (l.lower() if l else l)
        elif y < 0.08:
            f, l = f.upper(), (l.upper() if l else l)
        y = r.random()
        if y < 0.05:
            return None, None
        if y < 0.11:
            return f, None
        if y < 0.114:
            return r.choice(JUNK_FIRST), None
        return f, l

    def prefill(self, disp):
        parts = disp.strip().split(None, 1)
        return (parts[0] if parts else None), (parts[1] if len(parts) > 1 else None)

    def tw_names(self, p, disp, nick=False):
        x = self.rng.random()
        if x < 0.5:
            return self.prefill(disp)
        if x < 0.82:
            return self.typed_name(p, nick)
        return None, None

    def typo(self, s):
        r = self.rng
        if not s or len(s) < 3:
            return s
        if s in SPELL and r.random() < 0.15:
            return r.choice(SPELL[s])
        for _ in range(4):
            ch = list(s)
            i = r.randrange(1, len(ch))
            c = ch[i].lower()
            op = r.random()
            if op < 0.33 and c in KEYB:
                n = r.choice(KEYB[c])
                ch[i] = n.upper() if ch[i].isupper() else n
            elif op < 0.53 and i < len(ch) - 1:
                ch[i], ch[i + 1] = ch[i + 1], ch[i]
            elif op < 0.73:
                del ch[i]
            elif op < 0.87:
                ch.insert(i, ch[i])
            elif c in VOWELS:
                ch[i] = r.choice([v for v in VOWELS if v != c])
            t = ''.join(ch)
            if t != s and t.strip() and t[-1] != ' ':
                return t
        return s + s[-1]

    def pick_username(self, p):
        r = self.rng
        x = r.random()
        if x < 0.5:
            return p.handle
        if x < 0.62 and p.boxes:
            u = re.sub(r'[^A-Za-z0-9._-]', '', p.boxes[0].split('@')[0].split('+')[0])
            if u and any(c.isalnum() for c in u):
                return u[:30]
        if x < 0.9:
            return self.make_handle(p)
        return self.make_handle(p, 'word')

    # ---------------- time ----------------
    def t_single(self):
        return T0 + int((T1 - T0) * self.rng.random() ** 0.75)

    def times(self, n, long=False):
        r = self.rng
        gaps = []
        for _ in range(n - 1):
            x = r.random()
            if long:
                g = r.randint(YEAR, 7 * YEAR)
            elif x < 0.15:
                g = r.randint(60, 2 * DAY)
            elif x < 0.5:
                g = r.randint(DAY, 90 * DAY)
            else:
                g = min(int(r.expovariate(1.0 / (500 * DAY))), 8 * YEAR)
            gaps.append(g)
        tot = sum(gaps)
        if tot > 0.9 * (T1 - T0):
            gaps = [int(g * 0.9 * (T1 - T0) / tot) for g in gaps]
        room = (T1 - T0) - sum(gaps)
        t = T0 + int(room * r.random() ** 0.75)
        out = [t]
        for g in gaps:
            t += g
            out.append(t)
        return out

    # ---------------- accounts ----------------
    def pid_for(self, p):
        if p.pid is None:
            self.npid += 1
            p.pid = 'p%07d' % self.npid
        return p.pid

    def acct_email(self, p, t, pat, email, names=None, uname=None):
        if names is None:
            names = self.typed_name(p, p.nick_habit and self.rng.random() < 0.6)
        if uname is None:
            uname = self.pick_username(p)
        self.seq += 1
        self.accts.append([t, self.seq, self.pid_for(p), pat, uname, 'e', str(p.byear)[2:],
                           email, names[0], names[1], None])

    def acct_tw(self, p, t, pat, tw, email, names=None, nick=False):
        r = self.rng
        if names is None:
            names = self.tw_names(p, tw[2], nick or (p.nick_habit and r.random() < 0.6))
        if r.random() < 0.15:
            uname, mode = self.pick_username(p), 'e'
        else:
            uname, mode = tw[1], 't'
        self.seq += 1
        self.accts.append([t, self.seq, self.pid_for(p), pat, uname, mode, str(p.byear)[2:],
                           email, names[0], names[1], tw])

    def w_box(self, p, addr=None):
        """Typed form of a mailbox; falls back to a fresh mailbox if the string is taken."""
        s = self.written(addr or self.box(p))
        while s is None:
            s = self.written(self.new_box(p), False)
        return s

    def single_account(self, p, t, pat, email_p=0.6):
        r = self.rng
        if r.random() < email_p:
            self.acct_email(p, t, pat, self.w_box(p))
        else:
            tw = self.new_tw(p, t)
            x = r.random()
            e = None if x < 0.45 else self.w_box(p) if x < 0.92 else self.w_box(p, self.new_box(p))
            self.acct_tw(p, t, pat, tw, e)

    def singleton(self, n):
        r = self.rng
        p = self.new_person()
        if r.random() < 0.07:
            p.company = self.w.companies[p.loc].pick(r)
            self.work_box(p)
        self.single_account(p, self.t_single(), 'singleton')
        return 1

    # ---------------- positives ----------------
    def other_email(self, p, x=None):
        """E-mail typed on a second account: none / variant / another mailbox."""
        r = self.rng
        x = r.random() if x is None else x
        if x < 0.6:
            return self.w_box(p, self.new_box(p))
        v = self.variant(self.box(p))
        return v if v is not None else self.w_box(p, self.new_box(p))

    def pos_email_twitter(self, n):
        r = self.rng
        p = self.new_person()
        ta, tb = self.times(2)
        if r.random() < 0.45:
            ta, tb = tb, ta
        self.acct_email(p, ta, 'dup_email_twitter', self.w_box(p))
        base = p.handle if r.random() < 0.45 else self.make_handle(p)
        tw = self.new_tw(p, tb, base)
        x = r.random()
        if x < 0.42:
            e = None
        elif x < 0.54:
            e = self.variant(self.box(p))
        elif x < 0.92:
            e = self.w_box(p, self.new_box(p))
        else:
            p.company = self.w.companies[p.loc].pick(r)
            e = self.w_box(p, self.work_box(p))
        self.acct_tw(p, tb, 'dup_email_twitter', tw, e)
        return 2

    def pos_twitter_twitter(self, n):
        r = self.rng
        p = self.new_person()
        ta, tb = self.times(2)
        tw1 = self.new_tw(p, ta)
        x = r.random()
        if x < 0.4:
            base = tw1[1][:12] + r.choice(W("_ 2 _alt art tv _bk x _2 irl"))
        elif x < 0.65:
            base = self.make_handle(p)
        else:
            base = self.make_handle(p, 'word')
        tw2 = self.new_tw(p, tb, base)
        if r.random() < 0.5:
            tw2 = (tw2[0], tw2[1], tw1[2])
        x = r.random()
        if x < 0.7:
            e1 = self.w_box(p)
            e2 = self.variant(self.box(p))
        elif x < 0.85:
            e1, e2 = self.w_box(p), None
            if r.random() < 0.5:
                e1, e2 = e2, e1
        else:
            e1, e2 = self.w_box(p), self.w_box(p, self.new_box(p))
        self.acct_tw(p, ta, 'dup_twitter_twitter', tw1, e1)
        self.acct_tw(p, tb, 'dup_twitter_twitter', tw2, e2)
        return 2

    def pos_gmail_variant(self, n):
        r = self.rng
        p = self.new_person()
        g = self.gmail_box(p)
        ta, tb = self.times(2)
        e1 = self.w_box(p, g) if r.random() < 0.8 else (self.variant(g) or self.w_box(p, g))
        e2 = self.variant(g)
        if e2 is None:
            e2 = self.variant(g, 'plus') or self.w_box(p, self.new_box(p))
        self.acct_email(p, ta, 'dup_gmail_variant', e1)
        if r.random() < 0.8:
            self.acct_email(p, tb, 'dup_gmail_variant', e2)
        else:
            self.acct_tw(p, tb, 'dup_gmail_variant', self.new_tw(p, tb), e2)
        return 2

    def nick_person(self):
        for _ in range(40):
            p = self.new_person()
            if p.nick:
                return p
        return p

    def pos_nickname(self, n):
        r = self.rng
        p = self.nick_person()
        ta, tb = self.times(2)
        x = r.random()
        kinds = ('ee' if x < 0.45 else 'et' if x < 0.9 else 'tt')
        if r.random() < 0.5:
            kinds = kinds[::-1]
        for i, (t, k) in enumerate(((ta, kinds[0]), (tb, kinds[1]))):
            nick = (i == 1)
            if i == 0:
                e = self.w_box(p)
            else:
                y = r.random()
                e = (self.w_box(p, self.new_box(p)) if y < 0.65 else
                     (self.variant(self.box(p)) if y < 0.8 else None))
                if e is None and k == 'e':
                    e = self.w_box(p, self.new_box(p))
            if k == 'e':
                nm = self.typed_name(p, nick)
                un = self.make_handle(p, 'nick') if (nick and r.random() < 0.4) else None
                self.acct_email(p, t, 'dup_nickname', e, nm, un)
            else:
                tw = self.new_tw(p, t)
                if nick:
                    tw = (tw[0], tw[1], self.display_name(p, tw[1], 'nick'))
                self.acct_tw(p, t, 'dup_nickname', tw, e, nick=nick)
        return 2

    def pos_typo(self, n):
        r = self.rng
        p = self.new_person()
        ta, tb = self.times(2)
        if r.random() < 0.5:
            ta, tb = tb, ta
        f, l = self.typed_name(p)
        if f is None:
            f, l = p.first, p.last
        y = r.random()
        ft = self.typo(f) if (y < 0.5 or y >= 0.9 or not l) else f
        lt = self.typo(l) if (l and y >= 0.5) else l
        x = r.random()
        self.acct_email(p, ta, 'dup_typo', self.w_box(p), (f, l))
        y = r.random()
        e = (self.w_box(p, self.new_box(p)) if y < 0.55 else
             self.variant(self.box(p)) if y < 0.7 else None)
        if x < 0.6:
            self.acct_email(p, tb, 'dup_typo', e or self.w_box(p, self.new_box(p)), (ft, lt))
        else:
            tw = self.new_tw(p, tb)
            if r.random() < 0.5:
                tw = (tw[0], tw[1], ft + (' ' + lt if lt else ''))
                nm = self.prefill(tw[2])
            else:
                nm = (ft, lt)
            self.acct_tw(p, tb, 'dup_typo', tw, e, nm)
        return 2

    def pos_handle_reuse(self, n):
        r = self.rng
        p = self.new_person()
        h = p.handle
        ta, tb = self.times(2)
        if r.random() < 0.4:
            ta, tb = tb, ta
        self.acct_email(p, ta, 'dup_handle_reuse', self.w_box(p), None, h)
        if r.random() < 0.6:
            tw = self.new_tw(p, tb, h)
            e = None if r.random() < 0.5 else self.w_box(p, self.new_box(p))
            nm = (None, None) if r.random() < 0.3 else None
            self.acct_tw(p, tb, 'dup_handle_reuse', tw, e, nm)
        else:
            u = r.choice((h + '_', h.replace('.', '_'), h + str(p.byear)[2:], h + '2', 'x' + h,
                          h.replace('_', '.'), h.capitalize()))
            if r.random() < 0.5:
                e = self.w_box(p, self.claim_box(p, h.lower(), self.w.providers[p.loc].pick(r)))
            else:
                e = self.w_box(p, self.new_box(p))
            nm = (None, None) if r.random() < 0.3 else None
            self.acct_email(p, tb, 'dup_handle_reuse', e, nm, u[:30])
        return 2

    def pos_work_personal(self, n):
        r = self.rng
        p = self.new_person()
        p.company = self.w.companies[p.loc].pick(r)
        wb = self.work_box(p)
        ta, tb = self.times(2)
        if r.random() < 0.5:
            ta, tb = tb, ta
        nm = self.typed_name(p)
        un = wb.split('@')[0] if r.random() < 0.3 else None
        self.acct_email(p, ta, 'dup_work_personal', self.w_box(p, wb), nm, un)
        nm2 = nm if r.random() < 0.5 else None
        if r.random() < 0.6:
            self.acct_email(p, tb, 'dup_work_personal', self.w_box(p, self.new_box(p)), nm2)
        else:
            e = self.w_box(p, self.new_box(p)) if r.random() < 0.6 else None
            self.acct_tw(p, tb, 'dup_work_personal', self.new_tw(p, tb), e)
        return 2

    def pos_weak(self, n):
        r = self.rng
        p = self.new_person()
        ta, tb = self.times(2, long=True)
        self.single_account(p, ta, 'dup_weak')
        old = self.box(p)
        dom = self.w.providers[p.loc].pick(r)
        if dom == old.split('@')[1]:
            dom = self.w.providers[p.loc].pick(r)
        nb = self.new_box(p, dom)
        p.handle = self.make_handle(p)
        if r.random() < 0.6:
            self.acct_email(p, tb, 'dup_weak', self.w_box(p, nb))
        else:
            e = None if r.random() < 0.5 else self.w_box(p, nb)
            self.acct_tw(p, tb, 'dup_weak', self.new_tw(p, tb, self.make_handle(p)), e)
        return 2

    def pos_triple(self, n):
        r = self.rng
        p = self.new_person()
        ts = self.times(3)
        r.shuffle(ts)
        self.acct_email(p, ts[0], 'dup_triple', self.w_box(p))
        tw = self.new_tw(p, ts[1])
        x = r.random()
        e = None if x < 0.5 else self.variant(self.box(p)) if x < 0.75 else \
            self.w_box(p, self.new_box(p))
        self.acct_tw(p, ts[1], 'dup_triple', tw, e)
        x = r.random()
        if x < 0.3:
            e = self.variant(self.gmail_box(p)) or self.w_box(p, self.new_box(p))
            self.acct_email(p, ts[2], 'dup_triple', e)
        elif x < 0.5 and p.nick:
            self.acct_email(p, ts[2], 'dup_triple', self.other_email(p), self.typed_name(p, True))
        elif x < 0.7:
            f, l = self.typed_name(p)
            f = self.typo(f) if f else f
            self.acct_email(p, ts[2], 'dup_triple', self.other_email(p), (f, l))
        else:
            tw2 = self.new_tw(p, ts[2])
            self.acct_tw(p, ts[2], 'dup_triple', tw2, None if r.random() < 0.5 else
                         self.other_email(p))
        return 3

    # ---------------- hard negatives ----------------
    def neg_same_name(self, n):
        r = self.rng
        w = self.w
        loc = w.loc_pool.pick(r)
        g = 'm' if r.random() < 0.5 else 'f'
        if loc == 'KR':
            tpl = self.new_person(loc, g, w.kr_given[g].pick_top(r, 30), w.kr_sur.pick_top(r, 5))
        elif loc == 'VN':
            tpl = self.new_person(loc, g, w.vn_given[g].pick_top(r, 12), w.vn_sur.pick_top(r, 5))
        else:
            tpl = self.new_person(loc, g, w.first[(loc, g)].pick_top(r, 25),
                                  w.sur[loc].pick_top(r, 12))
        for i in range(n):
            q = tpl if i == 0 else self.new_person(like=tpl)
            if i > 0:
                if q.loc == 'RU' and r.random() < 0.4:
                    q.rsys = RSYS_POOL.pick(r)
                    q.first, q.last = translit(q.nat_first, q.rsys), translit(q.nat_last, q.rsys)
                if q.nick and r.random() < 0.15:
                    q.nick_habit = True
                elif q.first in SPELL and r.random() < 0.1:
                    q.first = r.choice(SPELL[q.first])
                q.handle = self.make_handle(q)
            self.single_account(q, self.t_single(), 'neg_same_name')
        return n

    def similar_given(self, loc, g, name):
        """A different given name that looks like `name` (siblings / spouses)."""
        r = self.rng
        opts = list(SIMILAR.get(name, []))
        if loc in ('IT', 'BR', 'MX') and len(name) > 3:
            if name.endswith('o'):
                opts.append(name[:-1] + 'a')
            elif name.endswith('a'):
                opts.append(name[:-1] + 'o')
        if loc not in ('KR', 'VN'):
            for g2 in 'mf':
                for cand in W(LOCALES[loc][g2])[:80]:
                    c = NT(cand)
                    if c != name and c[:3] == name[:3]:
                        opts.append(c)
        if loc == 'RU':
            opts = [o for o in opts if o and o[0] >= 'А']
        return r.choice(opts) if opts else None

    def neg_family(self, n):
        r = self.rng
        w = self.w
        head = self.new_person()
        loc = head.loc
        sb = head.sur_base
        fam_dom = None
        if r.random() < 0.6:
            s = slug(sb[1][0] if loc == 'KR' else
                     (translit(sb, 'pop') if loc == 'RU' else sb.split(' ')[-1]))
            if loc == 'PL' and s.endswith('ski'):
                fam_dom = s[:-3] + 'scy.pl'
            elif loc == 'PL' and s.endswith('cki'):
                fam_dom = s[:-3] + 'ccy.pl'
            else:
                fam_dom = r.choice(FAMILY_DOM).format(s=s)
            base, k = fam_dom, 1
            while fam_dom in self.domains_taken:
                k += 1
                a, b = base.split('.', 1)
                fam_dom = a + str(k) + '.' + b
            self.domains_taken.add(fam_dom)
        members = [head]
        for i in range(1, n):
            x = r.random()
            g = 'm' if r.random() < 0.5 else 'f'
            given = None
            if loc == 'KR':
                a, b = head.kr[2], head.kr[3]
                base = w.kr_given[g].pick(r)
                given = (a, base[1]) if r.random() < 0.5 else (base[0], b)
                if given == (a, b):
                    given = base
            elif x < 0.5:
                src = r.choice(members)
                sim = self.similar_given(loc, src.g, src.nat_first if loc == 'RU' else src.first)
                if sim:
                    given = sim
                    mnames = LOCALES[loc].get('m', '')
                    g = 'm' if (sim.replace(' ', '_') in W(mnames) if loc != 'VN'
                                else sim in VN_M) else 'f'
            q = self.new_person(loc, g, given, sb)
            if loc == 'VN' and r.random() < 0.5:
                q.mid = head.mid if head.g == g else q.mid
            if x > 0.92 and head.g == 'm' and loc in ('US', 'UK', 'NG', 'BR'):
                q = self.new_person(like=head)          # Jr.
                q.byear = min(2008, head.byear + r.randint(22, 34))
                q.handle = self.make_handle(q)
                q.last = head.last + r.choice((' Jr.', ' Jr', ' Junior', ' II'))
            elif r.random() < 0.6:
                q.byear = min(2008, head.byear + r.randint(20, 36))
            else:
                q.byear = head.byear + r.randint(-6, 6)
            members.append(q)
        for q in members:
            if fam_dom and r.random() < 0.85:
                f = slug(q.first.split(' ')[0]) or 'user'
                y = r.random()
                if y < 0.7:
                    loc_part = f
                elif y < 0.85:
                    loc_part = f[0] + slug(q.last.split(' ')[0])
                elif y < 0.95 and q.nick:
                    loc_part = slug(q.nick) or f
                else:
                    loc_part = ('dad' if q.g == 'm' else 'mom') if q.byear < 1985 else f
                q.boxes.insert(0, self.claim_box(q, loc_part, fam_dom, 'fam'))
                q.boxes.pop()
            self.single_account(q, self.t_single(), 'neg_family', 0.65)
        return n

    def neg_handle_collision(self, n):
        r = self.rng
        w = self.w
        if r.random() < 0.5:
            first = self.new_person()
            h = self.make_handle(first, 'word')
            members = [first] + [self.new_person() for _ in range(n - 1)]
        else:
            first = self.new_person(r.choice(W("US UK US NG IN BR IT DE")))
            f0, l0 = self.name_parts(first)
            h = f0[0].lower() + l0.lower()
            members = [first]
            for _ in range(n - 1):
                q = None
                for _t in range(60):
                    g = 'm' if r.random() < 0.5 else 'f'
                    q = self.new_person(first.loc, g, None, first.sur_base)
                    if slug(q.first)[:1] == f0[:1].lower() and slug(q.first) != slug(first.first):
                        break
                members.append(q)
        for i, q in enumerate(members):
            q.handle = h
            t = self.t_single()
            x = r.random()
            if r.random() < 0.5:
                box = self.claim_box(q, h.lower(), w.providers[q.loc].pick(r))
            else:
                box = self.box(q)
            if i == 0 or x < 0.4:
                self.acct_email(q, t, 'neg_handle_collision', self.w_box(q, box), None, h)
            else:
                e = None if r.random() < 0.4 else self.w_box(q, box)
                self.acct_tw(q, t, 'neg_handle_collision', self.new_tw(q, t, h), e)
        return n

    def neg_colleagues(self, n):
        r = self.rng
        w = self.w
        loc = w.loc_pool.pick(r)
        dom = w.companies[loc].pick(r)
        members = []
        for i in range(n):
            ql = loc if r.random() < 0.8 else w.loc_pool.pick(r)
            g = 'm' if r.random() < 0.5 else 'f'
            x = r.random()
            q = None
            if members and x < 0.35:
                src = r.choice(members)
                if src.loc == ql and ql not in ('KR', 'VN', 'RU'):
                    q = self.new_person(ql, src.g, src.first)            # same given name
            elif members and x < 0.6:
                src = r.choice(members)
                if src.loc == ql:
                    q = self.new_person(ql, g, None, src.sur_base)       # same surname
            if q is None:
                q = self.new_person(ql, g)
            q.company = dom
            members.append(q)
        for q in members:
            wb = self.work_box(q)
            t = self.t_single()
            x = r.random()
            if x < 0.7:
                un = wb.split('@')[0] if r.random() < 0.25 else None
                self.acct_email(q, t, 'neg_colleagues', self.w_box(q, wb), None, un)
            elif x < 0.85:
                self.acct_tw(q, t, 'neg_colleagues', self.new_tw(q, t), self.w_box(q, wb))
            else:
                self.acct_email(q, t, 'neg_colleagues', self.w_box(q, self.new_box(q)))
        return n

    # ---------------- plan, resolve, write ----------------
    def plan(self, N):
        r = self.rng
        fixed = lambda k: (lambda: k)
        specs = [
            ('dup_email_twitter', 0.036, self.pos_email_twitter, fixed(2)),
            ('dup_nickname', 0.020, self.pos_nickname, fixed(2)),
            ('dup_gmail_variant', 0.018, self.pos_gmail_variant, fixed(2)),
            ('dup_typo', 0.015, self.pos_typo, fixed(2)),
            ('dup_twitter_twitter', 0.012, self.pos_twitter_twitter, fixed(2)),
            ('dup_handle_reuse', 0.012, self.pos_handle_reuse, fixed(2)),
            ('dup_work_personal', 0.012, self.pos_work_personal, fixed(2)),
            ('dup_weak', 0.010, self.pos_weak, fixed(2)),
            ('dup_triple', 0.009, self.pos_triple, fixed(3)),
            ('neg_same_name', 0.030, self.neg_same_name,
             lambda: SAME_NAME_SIZE.pick(r)),
            ('neg_family', 0.022, self.neg_family,
             lambda: FAMILY_SIZE.pick(r)),
            ('neg_colleagues', 0.018, self.neg_colleagues, lambda: r.randint(3, 8)),
            ('neg_handle_collision', 0.012, self.neg_handle_collision,
             lambda: 2 if r.random() < 0.75 else 3),
        ]
        jobs, used = [], 0
        for name, share, fn, sizer in specs:
            target, acc = int(round(share * N)), 0
            while True:
                sz = sizer()
                if acc + sz > target or used + sz > N:
                    break
                jobs.append((fn, sz))
                acc += sz
                used += sz
        jobs.extend([(self.singleton, 1)] * (N - used))
        r.shuffle(jobs)
        return jobs

    def resolve(self, pref, mode, yy):
        r = self.rng
        un = self.unames
        pref = pref[:30]
        if pref.lower() not in un:
            return pref
        if mode == 't':
            k = 1
            while True:
                s = str(k)
                c = pref[:30 - len(s)] + s
                if c.lower() not in un:
                    return c
                k += 1
        tries = 0
        while True:
            tries += 1
            if tries == 1:
                s = yy
            elif tries == 2:
                s = r.choice(('_', '.', '')) + yy
            else:
                s = str(r.randint(1, 10 ** min(2 + tries // 3, 6)))
            c = pref[:30 - len(s)] + s
            if c.lower() not in un:
                return c

    def run(self, N, out, labels):
        self.accts, self.seq, self.npid = [], 0, 0
        for fn, sz in self.plan(N):
            fn(sz)
        assert len(self.accts) == N, (len(self.accts), N)
        self.accts.sort(key=lambda a: (a[0], a[1]))
        self.unames = set()
        ts_cache = {}
        import time as _time
        with open(out, 'w', encoding='utf-8', newline='\n') as fo, \
                open(labels, 'w', encoding='utf-8', newline='\n') as fl:
            fl.write('username,person_id,pattern\n')
            for a in self.accts:
                t, seq, pid, pat, pref, mode, yy, email, fn_, ln_, tw = a
                u = self.resolve(pref, mode, yy)
                self.unames.add(u.lower())
                day = t - t % DAY
                ds = ts_cache.get(day)
                if ds is None:
                    ds = _time.strftime('%Y-%m-%dT', _time.gmtime(day))
                    ts_cache[day] = ds
                sec = t - day
                created = '%s%02d:%02d:%02dZ' % (ds, sec // 3600, sec // 60 % 60, sec % 60)
                rec = {'username': u, 'email': email, 'first_name': fn_ or None,
                       'last_name': ln_ or None, 'created_at': created,
                       'twitter': (None if tw is None else
                                   {'id': tw[0], 'screen_name': tw[1], 'name': tw[2]})}
                fo.write(json.dumps(rec, ensure_ascii=False))
                fo.write('\n')
                fl.write('%s,%s,%s\n' % (u, pid, pat))


def main(argv=None):
    ap = argparse.ArgumentParser(description='gen3 labelled duplicate-account generator')
    ap.add_argument('--accounts', type=int, required=True)
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--labels', required=True)
    a = ap.parse_args(argv)
    if a.accounts < 1:
        ap.error('--accounts must be >= 1')
    Gen(a.seed).run(a.accounts, a.out, a.labels)


if __name__ == '__main__':
    main()
