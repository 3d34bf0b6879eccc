#!/usr/bin/env python3
"""Independent seeded generator of labelled accounts for testing a duplicate-account detector.

A second opinion on `generate-duplicates.py`: written from the issue's description alone, without reading that
generator or the engine, so that the engine's figures on it are figures on data it was not tuned for (see README,
"Quality"). Same output files (Account JSON Lines and a `username,person_id,pattern` labels CSV), so
`evaluate-duplicates.py` reads both.

    python3 generate.py --accounts N --seed S --out accounts.jsonl --labels labels.csv

Standard library only.  Same (N, seed) -> byte-identical output.

World model
-----------
A mid-size consumer web app, launched 2013-03, snapshot 2025-06.  People sign up either
  * with email: username (chosen by the person), email, optional first/last name; or
  * with Twitter: the account gets the Twitter identity (numeric id, screen name, display
    name); the username is pre-filled from the screen name (``_2``, ``_3``... appended when
    taken, case-insensitively; ~8% of people type their own username instead); first/last
    names are pre-filled by splitting the display name on whitespace (first token / rest),
    which people keep as-is (~55%, so "Dr." or "jane" or emoji end up in name fields),
    clean up (~28%) or blank (~17%); email is the one Twitter hands over, one typed by the
    person, or missing.
The app enforces unique usernames and emails *case-insensitively*, so a person with a second
account either uses another mailbox or another spelling of the same mailbox (gmail dots,
+tags, googlemail.com; +tags at Outlook/Hotmail/Live, iCloud, Fastmail, Proton, Posteo,
mailbox.org).  Different people never share a mailbox: every mailbox has exactly one owner
under the conservative key lower(local) minus "+tag", gmail dots removed, googlemail->gmail.

People: 8 locales (US 56%, UK 17%, Hispanic 9%, Indian 5%, German 4%, Chinese 4%, French 3%,
Japanese 2%), each with its own name lists (real names, US/UK ~340 given + ~560 surnames,
ranked roughly by frequency with Zipf weights: given w=(rank+3)^-0.85, surnames
w=(rank+3)^-0.75) and its own mail-provider mix (gmail ~45% in the US; gmx/web.de in DE;
qq/163 for Chinese; btinternet/sky/googlemail in the UK; university, employer and vanity
domains).  People reuse a personal "handle core" (e.g. jsmith84) across sites ~55% of the
time, and a personal number (birth year, 2-digit year, favourite number) in handles.
Twitter display names: "First Last" ~40%, lower case, first name only, emoji, "Dr."/",PhD",
pronouns, "| job", middle initial, quoted nickname, surname-first for CJK, kanji surname for
some Japanese, and ~8% not a name at all ("Sleepy Panda").  Twitter ids follow the real id
history: sequential ids before mid-2015 (interpolated from approximate anchors), 64-bit
snowflake ids after.  created_at grows over time (u^0.65) with a diurnal hour profile.

Pattern shares (fraction of ACCOUNTS; every account gets one label)
---------------------------------------------------------------
  singleton               77.5%  one person, one account (62% email / 38% Twitter signup)
  positives (one person owns 2-3 accounts)                                     14.5%
    email_vs_twitter       5.0%  one email signup + one Twitter signup (either order); Twitter
                                 account email: none 35% / other mailbox 25% / a second
                                 spelling of the same mailbox 20-40%
    gmail_variants         3.0%  2 accounts, same gmail mailbox spelled differently
                                 (dots moved, +tag, googlemail.com), mostly email signups
    nickname               2.0%  2 accounts, formal given name on one, nickname on the other
                                 (Robert/Bob, Elizabeth/Liz, Margaret/Peggy, Francisco/Paco...);
                                 35% also share a mailbox spelling variant, else only
                                 surname/handle/number overlap
    twitter_shared_mailbox 1.5%  2 Twitter signups (main + side/brand handle) whose emails are
                                 two spellings of one mailbox (gmail 75%, +tag providers 25%)
    plus_address           1.5%  2 accounts, same non-gmail mailbox with/without +tag
    three_accounts         1.5%  3 accounts of one person mixing the mechanisms above
  hard negatives (every account its own person)                                 8.0%
    same_name              4.0%  2-3 different people with the same common full name
                                 (John Smith, Maria Garcia, Wei Zhang...), own handles/mailboxes
    family                 3.0%  2-4 relatives, same surname, same family domain
                                 (smithfamily.net, thesmiths.com...) or same ISP domain; ~4%
                                 of families have a "Jr." with the father's first name
    handle_collision       1.0%  strangers whose preferred handle collides (jsmith for
                                 James and Jennifer Smith, "mike", "sunshine"): one gets
                                 jsmith, the Twitter one ends up jsmith_2
Budgets are exact per pattern (rounded); leftovers become singletons.  About 7.6% of people
hold more than one account.  Some positives are deliberately weak (only a shared surname and
nickname, or only name + similar handle): real duplicates are not always detectable.
Hard negatives also arise naturally among singletons (common names, same local part at
different providers, john.smith@yahoo vs johnsmith@yahoo belong to different people).

labels.csv: username,person_id,pattern (person ids P000001... in order of first appearance).
accounts.jsonl rows are in created_at order.
"""
import argparse
import bisect
import csv
import heapq
import itertools
import json
import random
import re
import time
import unicodedata
from calendar import timegm

# --------------------------------------------------------------------------------------
# Name data (typed from general knowledge; roughly in descending frequency)
# --------------------------------------------------------------------------------------
US_MALE = """
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry
Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy
Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse
Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah Randy Roy
Vincent Ralph Eugene Russell Bobby Mason Philip Louis Harry Oliver Liam Lucas Owen Luke
Isaac Caleb Connor Hunter Evan Ian Cameron Colin Adrian Marcus Trevor Travis Derek Shane
Chad Craig Todd Troy Curtis Dustin Jared Cody Seth Victor Martin Allen Howard Fred Stanley
Leonard Dale Earl Jimmy Antonio Danny Bradley Mitchell Glenn Phillip Johnny Calvin Alex
Leo Max Jake Theo Freddie Alfie Archie Callum Jamie Rhys Declan Niall Gareth Graham Nigel
Neil Stuart Darren Lee Dean Wesley Spencer Simon Tony Lewis Reece Kieran Jay Marc Carlos
Luis Miguel Omar Andre Darnell Malik Jamal Terrence DeShawn Tyrone Xavier Grant Blake
Chase Cole Garrett Brett Devin Casey Clayton Elliott Miles Jasper Silas Wyatt Levi Carter
Grayson Jackson Aiden Jayden Sebastian Julian Hudson Everett Ezra Rowan Finn Nolan Brody
Dominic Tristan Maxwell Harrison Edwin Clarence Herbert Lloyd Norman Leroy Ernest Francis
Rodney Marvin Warren Gordon Ray Hugh Rupert Alistair Hamish Angus Fergus Ewan Barry Clive
Trevor Desmond Malcolm Kenny Ross Jeffery Lance Derrick Reginald Maurice Nathaniel Theodore
Frederick Jeremiah Bernard Leon Gavin Mario Ricky Jon Joel Ivan Dwayne
"""
US_FEMALE = """
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah
Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria
Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn
Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances
Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle
Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Jane
Tiffany Erin Courtney Allison Kristen Jenna Chloe Amelia Ava Mia Harper Ella Lily Zoe
Madeline Caroline Claire Ellie Isla Poppy Freya Imogen Harriet Phoebe Eleanor Lucy Holly
Gemma Kirsty Leanne Stacey Joanne Nicola Rachael Siobhan Fiona Morag Eilidh Catriona
Bethany Chelsea Jade Katie Molly Jasmine Aaliyah Destiny Jada Keisha Latoya Tamika Shanice
Ebony Monique Crystal Tracy Stacy Wendy Dawn Tammy Tina Rhonda Paula Robin Valerie Vanessa
Veronica Monica Erica Melanie Alyssa Brianna Gabrielle Jocelyn Leah Naomi Ruby Stella
Violet Hazel Aurora Savannah Audrey Layla Nora Penelope Scarlett Riley Paige Morgan Taylor
Sydney Haley Kaitlyn Caitlin Mackenzie Brooke Shelby Lindsay Lindsey Kristin Carly Jill
Joanna Rosemary Elaine Ellen Sally Joy Connie Bonnie Sheila Norma Lois Beatrice Florence
Edith Agnes Irene Josephine Lillian Rose Margot Georgia Sienna Matilda Elsie Deirdre Maureen
Bridget Colleen Kathy Susanne Yvonne Gwendolyn Tanya Sonia Alicia Rebekah Abby Jacquelyn
Marissa Miranda Vivian Clara Eliza Evie Daisy Esther Miriam Ruthie Nadia Tessa
"""
US_SURNAMES = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin
Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott
Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans
Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell
Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders
Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Fisher Henderson Coleman
Simmons Patterson Jordan Reynolds Hamilton Graham Wallace West Cole Hayes Bryant Gibson
Ellis Stevens Murray Ford Marshall Owens McDonald Harrison Kennedy Wells Webb Tucker Porter
Hunter Hicks Crawford Henry Boyd Mason Warren Dixon Burns Gordon Shaw Holmes Rice Robertson
Hunt Black Daniels Palmer Mills Grant Knight Ferguson Stone Hawkins Dunn Perkins Hudson
Spencer Stephens Pierce Hart Armstrong Carroll Elliott Cunningham Lane Andrews Berry Willis
Matthews Riley Fox Lawrence Chapman Fuller Wheeler Payne Lynch Dean Harper Hanson Barnes
Day Carpenter Pearson Austin Sutton Fletcher Barker Lloyd Watts Bates Hale Kim Newman Walsh
Ryan Byrne O'Brien O'Connor O'Neill O'Sullivan McCarthy Doyle Quinn Gallagher Duffy
Brennan Fitzgerald Nolan Flynn Burke Keane Hogan Reilly Donnelly McLaughlin MacDonald
MacLeod Fraser Douglas Cameron Sinclair Munro Buchanan Ritchie Paterson Davies Griffiths
Rees Howells Pritchard Llewellyn Vaughan Owen Parry Bowen Hall Clarke Lee Chambers Barrett
Holland Holt Nash Lamb Kirby Rowe Pike Rose Sharp Steele Bird Gill Norris Stanley Frost
Cross Atkinson Atkins Lowe Sheppard Field Page Booth Dawson Slater Greenwood Whitehead
Marsh Woodward Howe Hopkins Hewitt Winter Summers Goodwin Bradley Hammond Simpson Pearce
Webster Dobson Sharpe Wilkinson Rowley Humphreys Hobbs Dodd Mellor Kay Hutchinson Briggs
Cartwright Lambert Hope Parsons Oliver Barber Bishop Weston Fowler Hodgson Hancock
Nicholson Coates Burton Bull Jarvis Randall Sykes Whittaker Naylor Gough Howell Freeman
Garrett Weaver Lawson Hoffman Snyder Olson Larson Hansen Nielsen Christensen Jensen
Erickson Swanson Carlson Gustafson Olsen Wolfe Schultz Kaufman Cohen Levy Katz Goldberg
Friedman Shapiro Rosen Weiss Silverman Bernstein Rosenberg Schwartz Greenberg Kaplan
Horowitz Levin Segal Russo Romano Esposito Ricci Rossi Costa Bianchi Colombo Marino Greco
Bruno Gallo Conti DeLuca Mancini Lombardi Moretti Barbieri Fontana Santoro Ferrari Rinaldi
Caruso Ferraro Leone Longo Vitale Martinelli Giordano Kowalski Nowak Wisniewski Wojcik
Kaminski Lewandowski Zielinski Szymanski Kowalczyk Mazur Washington Jefferson Banks Booker
Mosley Gaines Dorsey Woods Franklin Joseph Pierre Baptiste Alexander Sims Rhodes Lucas
Fields Gardner Harvey Greene Ramsey Barnett Dennis Bowman Frank Pope McCoy Moss Gilbert
Ballard Garner Malone Hardy Morton Caldwell Kelley Reeves Lyons McCormick Brewer Wade
Curtis Keller Barton Patton Mann Little Thornton Cannon Bush Glover Walters Todd McGee
Adkins Hodges Wolf Ball Walton Harrington Benson Hines Sherman Hubbard Logan Fleming Newton
Blair Poole Jennings Clayton Craig Potter Reid Chandler Francis Tyler Cummings Norman
Terry Daniel Goodman Parks Ingram Stokes Conner Burgess Vaughn Gross Lindsey McDaniel
Maxwell Rowland Wilkins Horton Byrd Carr McKinney Gregory Jacobs Holloway Cobb Conway Drake
Farmer Huff McBride Moran Pittman Sparks Osborne Shelton Dalton Knox Blackwell Whitfield
Whitley Vance Rollins Maddox Pratt Nguyen Tran Pham Le Park Choi Cho Yoon Kang Van Dyke
Vanderberg MacKenzie McKenzie Ahmed Khan Ali Hussain Shah Begum Akhtar Iqbal Rahman
Obi Okafor Adeyemi Mensah Osei Boateng Abbott Acosta Aguilar Bauer Beck Becker Blake
Bolton Bond Boone Bradshaw Brady Bray Browning Buckley Burnett Bush Cain Callahan Case
Chase Church Clay Cochran Combs Crane Crosby Dillon Donovan Duncan Eaton Emerson English
Fitzpatrick Floyd Frazier Gentry Gilmore Glenn Golden Hahn Hartley Hayden Hendricks
Hickman Hinton Holden Hood Hooper Horne Houston Hyde Irwin Jarrett Kemp Kent Kerr Kirk
Kline Lindsay Livingston Lucero Lowery Lynn Macias Manning Marks Mayer Mays McIntyre
McLean Meadows Mercer Merritt Middleton Monroe Montgomery Moody Nixon Noble Odom Pace
Pacheco Patrick Peck Pennington Powers Preston Ramsay Ratliff Ray Richards Riggs Rivers
Roach Rocha Roth Salinas Sampson Sargent Savage Sawyer Schneider Sexton Shepherd Short
Skinner Sloan Stark Strickland Sweeney Talley Tate Townsend Underwood Valentine Vinson
Wall Ware Wiley Wilcox Wong Workman Yates York Zimmerman
"""
ES_MALE = """José Juan Luis Carlos Jorge Miguel Antonio Jesús Francisco Manuel Pedro Alejandro
Javier Fernando Ricardo Eduardo Raúl Sergio Andrés Diego Pablo Rafael Roberto Ramón Alberto
Héctor Óscar Víctor Iván Joaquín Emilio Ignacio Santiago Mateo Martín Hugo Adrián Álvaro
Rubén Gonzalo Tomás Nicolás Enrique Guillermo Arturo"""
ES_FEMALE = """María Ana Carmen Lucía Sofía Isabel Laura Marta Elena Paula Rosa Patricia
Gabriela Valentina Camila Daniela Verónica Mónica Adriana Alejandra Andrea Natalia Beatriz
Claudia Guadalupe Dolores Pilar Inés Raquel Cristina Silvia Yolanda Mercedes Ximena Valeria
Mariana Fernanda Renata Paola Julia Concepción"""
ES_SURNAMES = """García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres
Flores Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos Ruiz Jiménez Álvarez
Romero Vásquez Castillo Moreno Muñoz Mendoza Herrera Medina Aguilar Vargas Castro Guzmán
Fernández Núñez Peña Rojas Soto Delgado Vega Navarro Campos Salazar Ibáñez Domínguez Ríos
Cabrera Molina Serrano Blanco Suárez Cortés Márquez Iglesias Santos Guerrero Lozano Cano
Prieto Méndez Calvo Gallego Vidal León Herrero Sáez Pascual Rubio Marín Sanz Ortega Fuentes
Carrasco Caballero Nieto Santana Espinoza Mejía Acosta Estrada Contreras Sandoval Figueroa
Luna Maldonado Cervantes Velázquez Zamora Orozco Ochoa Valdez Escobar"""
DE_MALE = """Lukas Jonas Leon Felix Maximilian Paul Finn Elias Noah Ben Luca Jan Tim Niklas
Tobias Florian Sebastian Stefan Thomas Michael Andreas Christian Markus Daniel Alexander
Jürgen Jörg Uwe Klaus Wolfgang Dieter Günter Horst Matthias Frank Sven Dirk Björn Kai Lars
Moritz Jens Ralf Torsten Heinz Hans Johannes Friedrich"""
DE_FEMALE = """Anna Lena Lea Marie Sophie Hannah Laura Julia Lisa Katharina Sarah Johanna
Leonie Mia Emma Sabine Petra Monika Ursula Renate Gisela Karin Birgit Claudia Susanne Andrea
Stefanie Nicole Anja Kerstin Heike Jutta Ingrid Brigitte Jana Franziska Charlotte Greta
Mathilda Lotte Ines Nadine Silke"""
DE_SURNAMES = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann
Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger
Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier
Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung
Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke
Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger
Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn
Kühn Pohl Engel Horn Busch Bergmann Voigt Sauer Arnold Wolff Pfeiffer"""
FR_MALE = """Jean Pierre Michel Philippe Alain Nicolas François Christophe Julien Thomas Antoine
Mathieu Sébastien Olivier Laurent Frédéric Guillaume Benoît Jérôme Stéphane Rémi Théo Hugo
Lucas Louis Gabriel Arthur Raphaël Maxime Clément"""
FR_FEMALE = """Marie Nathalie Isabelle Sylvie Catherine Françoise Sophie Céline Julie Camille Léa
Manon Chloé Emma Inès Jade Louise Zoé Élodie Amélie Aurélie Hélène Mélanie Margaux Clémence
Anaïs Juliette Océane Lucie Émilie"""
FR_SURNAMES = """Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon
Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André
Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc
Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez
Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier
Roger Roche Roy Noël Meyer Lucas Meunier Marchand Dufour Blanchard Barbier Brun Dumas Brunet
Leroux Colin Fernandez"""
IN_MALE = """Aarav Vihaan Arjun Rahul Amit Rohit Vikram Sanjay Rajesh Suresh Ramesh Anil Sunil
Vijay Ravi Arun Deepak Manoj Ajay Nikhil Karan Rohan Siddharth Aditya Pranav Varun Gaurav
Harish Krishna Srinivas Venkat Prakash Abhishek Ankit Akash Mohammed Imran Farhan Sameer
Kunal"""
IN_FEMALE = """Priya Ananya Aishwarya Divya Pooja Neha Anjali Kavya Shreya Sneha Deepika Lakshmi
Meera Sunita Anita Kavita Swati Nisha Ritu Pallavi Shalini Aditi Isha Riya Sanya Aarti
Preeti Jyoti Rekha Fatima Ayesha Sana Zara"""
IN_SURNAMES = """Sharma Patel Singh Kumar Gupta Shah Mehta Reddy Rao Iyer Nair Menon Pillai
Joshi Desai Verma Agarwal Jain Chopra Kapoor Malhotra Khanna Bhatia Chatterjee Banerjee
Mukherjee Das Bose Ghosh Sen Naidu Krishnan Subramanian Venkatesan Khan Ali Hussain Ahmed
Qureshi Sheikh Siddiqui Chaudhry Kaur Gill Sandhu Dhillon Grewal Saini Pandey Mishra Tiwari
Yadav Thakur Chauhan Bhatt Trivedi Kulkarni Deshpande Patil"""
CN_MALE = """Wei Lei Jun Hao Ming Qiang Yong Jie Tao Feng Bo Peng Haoran Zhiwei Xiaolong Yuxuan
Xiaoming Jian Gang Chao Bin Kai"""
CN_FEMALE = """Jing Min Yan Hui Ying Fang Xin Yu Lin Na Xiu Mei Ling Hong Yi Xiaoyu Zihan Jiahui
Shu Ping Lan Qing Hua Li"""
CN_SURNAMES = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao
Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang
Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Chan Wong Leung Cheung Lau Ng Ho Tsang Chow Lam"""
JP_MALE = """Hiroshi Takashi Kenji Daisuke Yuki Haruto Sota Ren Yuto Kenta Shota Takumi Ryota
Kazuki Naoki Satoshi Makoto Akira Tatsuya Kaito Hiroki Yusuke Taro Ichiro Koji Masato"""
JP_FEMALE = """Yuki Sakura Yui Hina Aoi Mio Yuna Haruka Ayaka Misaki Nanami Akiko Keiko Tomoko
Yoko Naoko Emi Mai Aya Rina Saki Kana Miyu Yumi Megumi Chihiro"""
JP_SURNAMES = """Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato
Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe
Ikeda Hashimoto Yamashita Ishikawa Nakajima Maeda Fujita Ogawa Goto Okada Hasegawa Murakami
Kondo Ishii Saito Sakamoto Endo Aoki Fujii Nishimura Fukuda Ota Miura Fujiwara Okamoto
Matsuda Nakagawa"""
JP_KANJI = {"Sato": "佐藤", "Suzuki": "鈴木", "Takahashi": "高橋", "Tanaka": "田中",
            "Watanabe": "渡辺", "Ito": "伊藤", "Yamamoto": "山本", "Nakamura": "中村",
            "Kobayashi": "小林", "Kato": "加藤", "Yoshida": "吉田", "Yamada": "山田"}
# a few multi-word surnames, used occasionally for US people
US_MULTIWORD = ["van der Berg", "De La Cruz", "Van Dyke", "St. John", "Del Rosario", "Smith-Jones",
                "Lloyd-Webber", "Taylor-Smith", "de Souza", "Da Silva"]

NICKNAMES_RAW = """
Robert:Bob,Rob,Bobby,Robbie;William:Bill,Will,Billy,Liam;Richard:Rick,Rich,Dick,Richie;
James:Jim,Jimmy,Jamie;John:Jack,Johnny;Michael:Mike,Mikey;Thomas:Tom,Tommy;
Christopher:Chris,Kit;Daniel:Dan,Danny;Matthew:Matt;Anthony:Tony;Joseph:Joe,Joey;
Charles:Charlie,Chuck;David:Dave,Davey;Steven:Steve;Stephen:Steve;Edward:Ed,Eddie,Ted,Ned;
Andrew:Andy,Drew;Joshua:Josh;Nicholas:Nick,Nicky;Jonathan:Jon,Jonny;Benjamin:Ben,Benny;
Samuel:Sam,Sammy;Alexander:Alex,Xander,Sasha;Patrick:Pat,Paddy;Timothy:Tim,Timmy;
Kenneth:Ken,Kenny;Ronald:Ron,Ronnie;Donald:Don,Donnie;Gregory:Greg;Jeffrey:Jeff;Peter:Pete;
Lawrence:Larry;Gerald:Jerry;Raymond:Ray;Frederick:Fred,Freddie;Henry:Hank,Harry;
Theodore:Ted,Teddy,Theo;Zachary:Zach,Zack;Nathaniel:Nate;Nathan:Nate;Jacob:Jake;
Gabriel:Gabe;Harold:Harry,Hal;Walter:Walt,Wally;Albert:Al,Bert;Francis:Frank;
Leonard:Leo,Len,Lenny;Douglas:Doug;Philip:Phil;Phillip:Phil;Vincent:Vince,Vinny;
Eugene:Gene;Stanley:Stan;Russell:Russ;Bradley:Brad;Mitchell:Mitch;Jeremiah:Jerry;
Maxwell:Max;Dominic:Dom;Victor:Vic;Ernest:Ernie;Arthur:Art,Artie;Louis:Lou;
Reginald:Reggie;Bernard:Bernie;Timothy:Tim;Cameron:Cam;Frank:Frankie;
Elizabeth:Liz,Beth,Betty,Lizzie,Eliza,Libby;Margaret:Peggy,Maggie,Meg,Madge;
Katherine:Kate,Katie,Kathy,Kat;Catherine:Cathy,Cat,Kate;Kathryn:Kate,Kathy;Kathleen:Kathy,Kat;
Jennifer:Jen,Jenny;Patricia:Pat,Patty,Tricia,Trish;Susan:Sue,Suzy;Deborah:Deb,Debbie;
Rebecca:Becky,Becca;Jessica:Jess,Jessie;Samantha:Sam,Sammie;Victoria:Vicky,Tori;
Christina:Chrissy,Tina;Christine:Chris,Tina;Alexandra:Alex,Lexi,Sasha;Abigail:Abby;
Jacqueline:Jackie;Kimberly:Kim;Pamela:Pam;Barbara:Barb,Babs;Dorothy:Dot,Dottie;
Theresa:Terri,Tess;Teresa:Terri,Tess;Cynthia:Cindy;Melissa:Mel,Missy;Stephanie:Steph;
Amanda:Mandy;Gabrielle:Gabby;Madeline:Maddie;Madison:Maddie;Natalie:Nat;Valerie:Val;
Virginia:Ginny;Josephine:Jo,Josie;Frances:Fran,Frankie;Penelope:Penny;Eleanor:Ellie,Nell;
Isabella:Izzy,Bella;Caroline:Carrie;Carolyn:Carrie;Judith:Judy;Mary:Molly,Polly;
Sandra:Sandy;Allison:Ally;Olivia:Liv;Charlotte:Lottie,Charlie;Evelyn:Evie;Florence:Flo;
Harriet:Hattie;Dolores:Lola;Beatrice:Bea;Jacquelyn:Jackie;Gwendolyn:Gwen;Kristen:Kris;
Danielle:Dani;Nicole:Nikki;Veronica:Ronnie;Vanessa:Nessa;
José:Pepe;Francisco:Paco,Pancho;Guadalupe:Lupe;Alejandro:Alex;Manuel:Manny;Enrique:Kike;
Jesús:Chuy;Eduardo:Lalo;Ignacio:Nacho;Concepción:Concha;Mercedes:Meche;María:Mari;
Johannes:Hannes;Friedrich:Fritz;Wolfgang:Wolfi;Katharina:Kathi;Maximilian:Max;
Aishwarya:Ash;Venkat:Venky;Siddharth:Sid;Abhishek:Abhi;Srinivas:Srini
"""


# cohort effects for US/UK given names: rejected (re-drawn) with some probability when the
# person's birth year makes them unlikely (Linda/Gary born 1995, Aiden/Harper born 1965)
OLD_NAMES = set("""Mary Patricia Linda Barbara Betty Dorothy Shirley Carol Nancy Donna Sandra Sharon
Deborah Debra Judith Joyce Gloria Martha Doris Beverly Janice Marilyn Frances Joan Jean Ruth
Helen Virginia Diane Janet Carolyn Cheryl Brenda Pamela Judy Lois Norma Bonnie Connie Sheila
Peggy Maureen Irene Agnes Edith Gerald Harold Larry Gary Dennis Ronald Donald Kenneth Roger
Terry Walter Carl Ralph Eugene Wayne Roy Bruce Billy Willie Earl Leroy Clarence Herbert Lloyd
Norman Ernest Howard Fred Stanley Leonard Dale Glenn Marvin Rodney Randy Barry Clive Nigel
Malcolm Desmond Reginald Maurice Bernard Dwayne Rhonda Tammy Dawn Wendy Tina Lori""".split())
YOUNG_NAMES = set("""Aiden Jayden Grayson Harper Aurora Layla Scarlett Nora Ezra Silas Wyatt Hudson
Everett Rowan Finn Brody Liam Noah Mason Logan Elijah Isla Poppy Freya Mia Ava Ella Chloe Zoe
Lily Madison Alexis Brianna Destiny Aaliyah Jada Savannah Paige Riley Jasper Levi Carter Jackson
Alfie Archie Freddie Theo Sienna Matilda Imogen Phoebe Ellie Evie Violet Hazel Stella Penelope
Haley Kaitlyn Mackenzie Sydney Jocelyn Gabrielle Alyssa Kayla Brittany Tiffany Courtney
Caleb Hunter Connor Cameron Tristan Chase Dylan Austin Tyler Brandon Ethan""".split())


def _words(s):
    seen, out = set(), []
    for w in s.split():
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def _nicknames(raw):
    d = {}
    for item in raw.replace("\n", "").split(";"):
        if ":" in item:
            k, v = item.split(":")
            d.setdefault(k.strip(), [])
            for n in v.split(","):
                if n.strip() and n.strip() not in d[k.strip()]:
                    d[k.strip()].append(n.strip())
    return d


NICK = _nicknames(NICKNAMES_RAW)
NICK_OF = {}  # nickname -> set of formal names (to keep family first names distinguishable)
for _k, _vs in NICK.items():
    for _v in _vs:
        NICK_OF.setdefault(_v, set()).add(_k)

HOBBY = _words("""coffee pizza gamer runner bookworm traveler foodie photo music guitar drummer
yoga hiker surfer skater cyclist chef baker artist designer dev coder geek nerd ninja pirate
dragon wolf tiger fox panda kitty bunny star moon sun sky ocean river storm thunder shadow
ghost rebel rocket pixel soccer football hockey baseball hoops tennis golf chess anime manga
retro vinyl tea wine beer taco noodle cookie cupcake honey peach cherry mango lemon bear owl
raven falcon koala otter llama unicorn wizard knight viking cowboy mermaid garden poet""")
ADJ = _words("""happy sunny lucky crazy little big mad cool wild lazy sleepy dancing flying
silver golden blue red green purple dark bright quiet salty spicy sweet tiny mighty cosmic
electric midnight rainy frozen urban lonely brave""")
EMOJI = ["🌸", "✨", "🌻", "🏳️‍🌈", "☕", "🎮", "📚", "🏃‍♂️", "⚽", "🎸", "💙", "🖤", "🌊", "🐶",
         "🐱", "🍕", "🌙", "⭐", "🔥", "😎", "💜", "🌈", "🇺🇦", "🎧", "🌱", "🏀", "🎨", "🦋"]
FLAG = {"us": "🇺🇸", "uk": "🇬🇧", "es": "🇲🇽", "de": "🇩🇪", "fr": "🇫🇷", "in": "🇮🇳", "cn": "🇨🇳", "jp": "🇯🇵"}
ROLES = ["Designer", "Dad of 3", "Mom of 2", "Nurse", "Teacher", "Software Engineer", "Photographer",
         "Writer", "Realtor", "Student", "Runner", "Coach", "Founder", "Data nerd", "Artist"]
TAGS = ["news", "shop", "shopping", "spam", "junk", "signup", "app", "test", "2", "alt", "work",
        "social", "twitter", "promo", "deals", "web", "reg", "accounts", "misc", "x", "games", "apps"]
PLUS_DOMAINS = {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
                "hotmail.co.uk", "live.co.uk", "outlook.de", "hotmail.de", "hotmail.fr", "outlook.fr",
                "hotmail.es", "outlook.es", "live.com.mx", "outlook.jp", "hotmail.co.jp", "icloud.com",
                "me.com", "mac.com", "fastmail.com", "fastmail.fm", "protonmail.com", "proton.me",
                "pm.me", "posteo.de", "mailbox.org"}
GMAIL = {"gmail.com", "googlemail.com"}
TYPO = {"gmail.com": ["gmial.com", "gmail.co", "gmai.com", "gnail.com", "gmail.con"],
        "yahoo.com": ["yaho.com", "yahooo.com", "yahoo.co"], "hotmail.com": ["hotmial.com", "hotmail.con"],
        "outlook.com": ["outlok.com"], "icloud.com": ["icoud.com"]}

EDU = {"us": ["umich.edu", "utexas.edu", "berkeley.edu", "nyu.edu", "osu.edu", "ucla.edu", "uw.edu",
              "psu.edu", "asu.edu", "bu.edu", "gatech.edu", "illinois.edu", "wisc.edu", "rutgers.edu"],
       "uk": ["ox.ac.uk", "cam.ac.uk", "ucl.ac.uk", "ed.ac.uk", "manchester.ac.uk", "leeds.ac.uk",
              "bristol.ac.uk", "kcl.ac.uk"],
       "es": ["ucm.es", "unam.mx", "uba.ar", "upv.es"], "de": ["tum.de", "fu-berlin.de", "uni-heidelberg.de"],
       "fr": ["sorbonne-universite.fr", "ens.fr"], "in": ["iitb.ac.in", "iitd.ac.in", "du.ac.in"],
       "cn": ["pku.edu.cn", "tsinghua.edu.cn", "fudan.edu.cn"], "jp": ["u-tokyo.ac.jp", "kyoto-u.ac.jp"]}
WORK = ["brightpathconsulting.com", "northwindtraders.com", "bluehorizonlabs.io", "summitdental.com",
        "lakesidemedical.org", "pinecrestrealty.com", "redoakbuilders.com", "harborviewlaw.com",
        "silverlineanalytics.com", "greenleaflandscaping.com", "ironbridgecapital.com",
        "maplegroveschools.org", "cedarpointinsurance.com", "clearwaterlogistics.com",
        "stonebridgepartners.co.uk", "meridianhealth.org", "brookfieldaccounting.co.uk",
        "keystonemarketing.com", "riversidechurch.org", "oakwoodvet.com", "horizonhotels.com",
        "quantumleapsoftware.com", "tallpinescamp.org", "westfieldlibrary.org"]
TOWNS = ["springfield", "riverside", "fairview", "oakdale", "kent", "leeds", "austin", "dayton",
         "boise", "york", "bath", "tulsa", "ames", "salem", "dover"]

# provider mixes per locale (weights); '@edu', '@work', '@personal' are resolved later
PROVIDERS = {
    "us": [("gmail.com", 44), ("yahoo.com", 12), ("hotmail.com", 7), ("outlook.com", 7), ("icloud.com", 6),
           ("aol.com", 3), ("comcast.net", 2), ("att.net", 1), ("verizon.net", .7), ("sbcglobal.net", .8),
           ("msn.com", .8), ("live.com", 1), ("me.com", 1), ("mac.com", .4), ("protonmail.com", .8),
           ("proton.me", .5), ("fastmail.com", .4), ("ymail.com", .5), ("cox.net", .5), ("charter.net", .3),
           ("bellsouth.net", .4), ("earthlink.net", .2), ("@edu", 1.5), ("@work", 2), ("@personal", .6)],
    "uk": [("gmail.com", 38), ("googlemail.com", 3), ("hotmail.co.uk", 10), ("yahoo.co.uk", 7),
           ("outlook.com", 8), ("icloud.com", 6), ("btinternet.com", 5), ("live.co.uk", 3), ("sky.com", 3),
           ("hotmail.com", 4), ("aol.co.uk", 1), ("virginmedia.com", 2), ("ntlworld.com", 1),
           ("talktalk.net", 1), ("protonmail.com", .8), ("me.com", 1), ("@edu", 1.5), ("@work", 2),
           ("@personal", .5)],
    "es": [("gmail.com", 50), ("hotmail.com", 15), ("hotmail.es", 5), ("outlook.com", 6), ("yahoo.com", 6),
           ("yahoo.es", 2), ("yahoo.com.mx", 2), ("live.com.mx", 1), ("icloud.com", 4), ("outlook.es", 2),
           ("@edu", 1), ("@work", 1)],
    "de": [("gmx.de", 20), ("web.de", 18), ("gmail.com", 28), ("googlemail.com", 6), ("t-online.de", 8),
           ("yahoo.de", 3), ("outlook.de", 3), ("posteo.de", 2), ("mailbox.org", 1), ("icloud.com", 4),
           ("hotmail.de", 2), ("freenet.de", 1), ("gmx.net", 3), ("@edu", 1)],
    "fr": [("gmail.com", 40), ("orange.fr", 12), ("hotmail.fr", 10), ("yahoo.fr", 8), ("free.fr", 8),
           ("laposte.net", 5), ("sfr.fr", 5), ("outlook.fr", 4), ("wanadoo.fr", 3), ("icloud.com", 4)],
    "in": [("gmail.com", 70), ("yahoo.co.in", 8), ("rediffmail.com", 5), ("hotmail.com", 5),
           ("outlook.com", 6), ("yahoo.com", 4), ("@edu", 1), ("@work", 1)],
    "cn": [("qq.com", 28), ("163.com", 18), ("126.com", 6), ("gmail.com", 27), ("outlook.com", 8),
           ("hotmail.com", 5), ("sina.com", 3), ("foxmail.com", 2), ("@edu", 1)],
    "jp": [("gmail.com", 45), ("yahoo.co.jp", 20), ("docomo.ne.jp", 6), ("ezweb.ne.jp", 4),
           ("icloud.com", 12), ("outlook.jp", 5), ("hotmail.co.jp", 4)],
}
ISP_FAMILY = {"us": ["comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "charter.net"],
              "uk": ["btinternet.com", "sky.com", "virginmedia.com", "talktalk.net"],
              "de": ["t-online.de", "gmx.de", "web.de"], "fr": ["orange.fr", "free.fr", "sfr.fr"],
              "es": ["hotmail.com", "yahoo.com.mx"], "in": ["rediffmail.com"], "cn": ["163.com"],
              "jp": ["docomo.ne.jp"]}
PUBLIC = {d for v in PROVIDERS.values() for d, _ in v if not d.startswith("@")} | GMAIL
GMAIL_LOCAL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.]*[a-z0-9])?$")


def plausible_local(local, dom):
    """Could a newcomer still register this local part?  Big public providers have had every
    plain first name, surname and dictionary word taken for decades, so short number-less
    locals are refused; gmail also needs 6-30 letters/digits/dots."""
    lc = local.lower()
    if dom in GMAIL:
        core = lc.split("+", 1)[0]
        if not GMAIL_LOCAL_RE.match(core) or ".." in core or not 6 <= len(core.replace(".", "")) <= 30:
            return False
    if dom in PUBLIC:
        bare = re.sub(r"[._-]", "", lc)
        if not any(c.isdigit() for c in bare) and len(bare) < 10:
            return False
    return True


LOCALE_WEIGHTS = [("us", 56), ("uk", 17), ("es", 9), ("in", 5), ("de", 4), ("cn", 4), ("fr", 3), ("jp", 2)]


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
class Picker:
    """Weighted choice with precomputed cumulative weights (bisect)."""
    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf(items, s, k=3):
    return Picker(items, [(i + k) ** -s for i in range(len(items))])


def wpick(rng, pairs):
    r = rng.random() * sum(w for _, w in pairs)
    for v, w in pairs:
        r -= w
        if r < 0:
            return v
    return pairs[-1][0]


_TR = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L",
                     "đ": "d", "œ": "oe", "Œ": "OE", "Ō": "O", "ō": "o"})
_UML = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NONALNUM = re.compile(r"[^a-z0-9]")
_fold_cache = {}


def fold(s):
    r = _fold_cache.get(s)
    if r is None:
        t = unicodedata.normalize("NFKD", s.translate(_TR))
        r = "".join(c for c in t if not unicodedata.combining(c))
        _fold_cache[s] = r
    return r


def slug(s, umlaut_e=False):
    if umlaut_e:
        s = s.translate(_UML)
    return _NONALNUM.sub("", fold(s).lower())


def has_accent(s):
    return fold(s) != s


def canon_key(email):
    """Conservative mailbox identity: used only to guarantee one owner per mailbox."""
    local, _, dom = email.lower().rpartition("@")
    if dom == "googlemail.com":
        dom = "gmail.com"
    local = local.split("+", 1)[0]
    if dom == "gmail.com":
        local = local.replace(".", "")
    return local + "@" + dom


def ts(y, m, d):
    return timegm((y, m, d, 0, 0, 0))


APP_START = ts(2013, 3, 1)
APP_END = ts(2025, 6, 30) + 86399
TW_START = ts(2007, 1, 1)
SNOWFLAKE_EPOCH_MS = 1288834974657
# approximate Twitter user-id history (sequential ids until ~mid 2015, then snowflake)
TW_ANCHORS = [(ts(2006, 7, 1), 1e3), (ts(2007, 1, 1), 5e5), (ts(2008, 1, 1), 1.1e7),
              (ts(2009, 1, 1), 1.9e7), (ts(2010, 1, 1), 1.0e8), (ts(2011, 1, 1), 2.3e8),
              (ts(2012, 1, 1), 4.6e8), (ts(2013, 1, 1), 1.05e9), (ts(2014, 1, 1), 2.25e9),
              (ts(2015, 1, 1), 2.95e9), (ts(2015, 6, 1), 3.35e9)]
HOURS = Picker(range(24), [3, 2, 1.5, 1, 1, 1.2, 2, 3.5, 5, 6, 6.5, 7, 7, 6.5, 6.5, 6.5, 6.5, 7, 8,
                           9, 9.5, 9, 7, 5])

HANDLE_STYLES = Picker(
    ["f.l", "fi.l", "f.li", "l.f", "l.fi", "f", "f.mi.l", "fi.mi.l", "word", "adj.noun", "f.word",
     "word.f", "l", "fi.l.word"],
    [22, 14, 4, 3, 3, 7, 3, 2, 9, 7, 5, 2, 2, 1])
EMAIL_STYLES = Picker(
    ["f.l", "fi.l", "f.li", "l.f", "l.fi", "f", "f.mi.l", "fi.mi.l", "word", "adj.noun", "f.word", "l"],
    [40, 16, 3, 4, 3, 7, 4, 3, 5, 4, 3, 2])


class Locale:
    def __init__(self, code, male, female, surnames, s_given=0.85, s_sur=0.75):
        self.code = code
        self.male_list, self.female_list, self.sur_list = _words(male), _words(female), _words(surnames)
        self.male = zipf(self.male_list, s_given)
        self.female = zipf(self.female_list, s_given)
        self.sur = zipf(self.sur_list, s_sur)
        self.top_male = zipf(self.male_list[:40], 0.6)
        self.top_female = zipf(self.female_list[:40], 0.6)
        self.top_sur = zipf(self.sur_list[:40], 0.6)
        prov = PROVIDERS[code]
        self.providers = Picker([d for d, _ in prov], [w for _, w in prov])
        self.plus_providers = [d for d, _ in prov if d in PLUS_DOMAINS and d not in GMAIL]


LOCALES = {
    "us": Locale("us", US_MALE, US_FEMALE, US_SURNAMES),
    "uk": Locale("uk", US_MALE, US_FEMALE, US_SURNAMES),
    "es": Locale("es", ES_MALE, ES_FEMALE, ES_SURNAMES),
    "de": Locale("de", DE_MALE, DE_FEMALE, DE_SURNAMES),
    "fr": Locale("fr", FR_MALE, FR_FEMALE, FR_SURNAMES),
    "in": Locale("in", IN_MALE, IN_FEMALE, IN_SURNAMES),
    "cn": Locale("cn", CN_MALE, CN_FEMALE, CN_SURNAMES),
    "jp": Locale("jp", JP_MALE, JP_FEMALE, JP_SURNAMES),
}
LOCALE_PICK = Picker([c for c, _ in LOCALE_WEIGHTS], [w for _, w in LOCALE_WEIGHTS])
SCREEN_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
USER_RE = re.compile(r"^[A-Za-z0-9._-]{1,30}$")


def formal_of(name):
    if name in NICK:
        return name
    s = NICK_OF.get(name)
    return min(s) if s else name


class Person:
    __slots__ = ("pid", "loc", "L", "gender", "first", "go_by", "middle", "last", "byear", "num",
                 "core", "mailboxes", "primary", "umlaut_e", "reuse")


class Mailbox:
    __slots__ = ("local", "domain", "tokens", "canon_local")

    def __init__(self, local, domain, tokens):
        self.local, self.domain, self.tokens = local, domain, tokens
        self.canon_local = local.lower().replace(".", "") if domain in GMAIL else local.lower()


# --------------------------------------------------------------------------------------
# World
# --------------------------------------------------------------------------------------
class World:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.usernames, self.emails, self.screens, self.tw_ids = set(), set(), set(), set()
        self.owner = {}          # canonical mailbox -> pid
        self.domains = set()     # vanity / family domains in use
        self.out = []
        self.npeople = 0

    # ---------------- people ----------------
    def person(self, loc=None, gender=None, first=None, last=None, need_nick=False):
        rng = self.rng
        p = Person()
        self.npeople += 1
        p.pid = self.npeople
        p.loc = loc or LOCALE_PICK.pick(rng)
        L = p.L = LOCALES[p.loc]
        p.gender = gender or ("m" if rng.random() < 0.49 else "f")
        p.byear = max(1945, min(2009, int(rng.gauss(1989, 11))))
        given = L.male if p.gender == "m" else L.female
        if first is None:
            if p.loc == "cn" and rng.random() < 0.35:   # English given name
                given = LOCALES["us"].male if p.gender == "m" else LOCALES["us"].female
            for _ in range(6):
                first = given.pick(rng)
                if first in OLD_NAMES and p.byear > 1975 and rng.random() < 0.75:
                    continue
                if first in YOUNG_NAMES and p.byear < 1982 and rng.random() < 0.8:
                    continue
                break
            if need_nick:
                for _ in range(200):
                    if first in NICK:
                        break
                    first = given.pick(rng)
                else:
                    usl = LOCALES["us"]
                    while first not in NICK:
                        first = (usl.male if p.gender == "m" else usl.female).pick(rng)
        p.first = first
        if last is None:
            last = L.sur.pick(rng)
            if p.loc == "es" and rng.random() < 0.25:
                last2 = L.sur.pick(rng)
                if last2 != last:
                    last = last + " " + last2
            elif p.loc == "us" and rng.random() < 0.01:
                last = rng.choice(US_MULTIWORD)
        p.last = last
        p.middle = given.pick(rng) if p.loc in ("us", "uk", "de", "fr") else None
        nicks = NICK.get(first)
        p.go_by = rng.choice(nicks) if nicks and not need_nick and rng.random() < 0.22 else first
        r = rng.random()
        if r < 0.25:
            p.num = str(p.byear)
        elif r < 0.55:
            p.num = str(p.byear)[2:]
        elif r < 0.75:
            p.num = str(rng.randint(1, 99))
        elif r < 0.87:
            p.num = str(rng.randint(100, 999))
        elif r < 0.92:
            p.num = str(rng.randint(2100, 9999))
        else:
            p.num = rng.choice(["7", "13", "23", "69", "88", "99", "123", "007", "1", "2", "3", "11", "21"])
        p.core = None
        p.mailboxes = []
        p.primary = None
        p.umlaut_e = rng.random() < 0.6
        p.reuse = rng.random() < 0.55
        return p

    def tokens(self, p, styles, first=None):
        rng = self.rng
        f = slug(first or p.go_by, p.umlaut_e) or "x"
        lparts = [slug(w, p.umlaut_e) for w in p.last.replace("-", " ").split()]
        lparts = [w for w in lparts if w] or ["x"]
        if len(lparts) > 1:
            l = "".join(lparts) if rng.random() < 0.55 else (lparts[0] if p.loc == "es" else lparts[-1])
        else:
            l = lparts[0]
        st = styles.pick(rng)
        if st in ("f.mi.l", "fi.mi.l") and not p.middle:
            st = "f.l"
        if p.loc in ("cn", "jp") and st == "f.l" and rng.random() < 0.3:
            st = "l.f"
        mi = slug(p.middle)[:1] if p.middle else ""
        if st == "f.l":
            return [f, l]
        if st == "fi.l":
            return [f[0], l]
        if st == "f.li":
            return [f, l[0]]
        if st == "l.f":
            return [l, f]
        if st == "l.fi":
            return [l, f[0]]
        if st == "f":
            return [f]
        if st == "f.mi.l":
            return [f, mi, l]
        if st == "fi.mi.l":
            return [f[0] + mi, l]
        if st == "word":
            return [rng.choice(HOBBY)]
        if st == "adj.noun":
            return [rng.choice(ADJ), rng.choice(HOBBY)]
        if st == "f.word":
            return [f, rng.choice(HOBBY)]
        if st == "word.f":
            return [rng.choice(HOBBY), f]
        if st == "l":
            return [l]
        return [f[0], l, rng.choice(HOBBY)]

    def core(self, p):
        if p.core is None:
            toks = self.tokens(p, HANDLE_STYLES)
            num = p.num if (self.rng.random() < 0.45 or len("".join(toks)) < 4) else None
            p.core = (toks, num)
        return p.core

    def handle(self, p, mode, first=None):
        """(tokens, num) for a new handle: 'core' reuses the personal core, 'fresh' invents."""
        rng = self.rng
        if mode == "core" and first is None:
            return self.core(p)
        toks = self.tokens(p, HANDLE_STYLES, first)
        if mode == "core" or rng.random() < 0.35:
            num = p.num
        elif rng.random() < 0.15:
            num = str(rng.randint(1, 999))
        else:
            num = None
        return toks, num

    # ---------------- usernames / screen names ----------------
    def render_username(self, toks, num):
        rng = self.rng
        sep = wpick(rng, [("", 50), (".", 25), ("_", 18), ("-", 7)])
        if rng.random() < 0.85:
            parts = [t.lower() for t in toks]
        else:
            parts = [t.capitalize() for t in toks]
        s = sep.join(parts)
        if num:
            s += (sep if sep and rng.random() < 0.3 else "") + num
        return s[:26]

    def alloc_username(self, base, p):
        rng = self.rng
        base = base[:26] or "user"
        for i in range(60):
            if i == 0:
                c = base
            elif i == 1:
                c = base + p.num
            elif i < 4:
                c = base + wpick(rng, [("", 6), ("_", 2), (".", 1)]) + str(rng.randint(1, 99))
            elif i < 20:
                c = base + str(rng.randint(1, 999))
            else:
                c = base[:20] + str(rng.randint(1000, 999999))
            c = c[:30]
            if c.lower() not in self.usernames:
                self.usernames.add(c.lower())
                return c
        raise RuntimeError("username space exhausted")

    def render_screen(self, toks, num):
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            parts = [t.lower() for t in toks]
        elif r < 0.9:
            parts = [t.capitalize() for t in toks]
        else:
            parts = [toks[0].lower()] + [t.capitalize() for t in toks[1:]]
        sep = "_" if rng.random() < 0.22 else ""
        s = sep.join(parts)
        if num:
            s += ("_" if rng.random() < 0.2 else "") + num
        if len(s) > 15 and len(parts) > 1:
            s = sep.join([parts[0][0]] + parts[1:]) + (num or "")
        s = s[:15]
        if len(s) < 4:
            s += num if num and len(s + num) <= 15 else str(rng.randint(10, 99))
        return s

    def alloc_screen(self, base, p):
        rng = self.rng
        for i in range(60):
            if i == 0:
                c = base
            else:
                kind = wpick(rng, [("_s", 3), ("s_", 2), ("num", 3), ("rnd", 4), ("the", 1), ("real", 1),
                                   ("its", 1), ("iam", 1)])
                if kind == "_s":
                    c = base[:14] + "_"
                elif kind == "s_":
                    c = "_" + base[:14]
                elif kind == "num":
                    c = base[:15 - len(p.num)] + p.num
                elif kind == "rnd":
                    n = str(rng.randint(1, 99 if i < 10 else 99999))
                    c = base[:15 - len(n)] + n
                else:
                    c = ((kind if base[:1].islower() else kind.capitalize()) + base)[:15]
            if SCREEN_RE.match(c) and c.lower() not in self.screens:
                self.screens.add(c.lower())
                return c
        raise RuntimeError("screen name space exhausted")

    # ---------------- mailboxes ----------------
    def resolve_domain(self, p, dom):
        rng = self.rng
        if dom == "@edu":
            return rng.choice(EDU[p.loc])
        if dom == "@work":
            return rng.choice(WORK)
        if dom == "@personal":
            f, l = slug(p.go_by), slug(p.last)
            d = (f + l if rng.random() < 0.7 else l) + rng.choice([".com", ".com", ".net", ".me", ".io"])
            if d in self.domains or len(d) < 6:
                return "gmail.com"
            self.domains.add(d)
            return d
        return dom

    def make_local(self, p, dom, first, tokens, attempt):
        rng = self.rng
        if dom == "qq.com":
            return str(rng.randint(100000, 3999999999)), None
        if dom in self.domains and tokens is None:   # vanity domain
            return rng.choice(["hello", "me", "mail", "contact", slug(p.go_by) or "me"]) + \
                (str(attempt) if attempt else ""), None
        if (dom.endswith(".edu") or ".ac." in dom or dom.endswith(".edu.cn")) and rng.random() < 0.5:
            ini = slug(first or p.go_by)[:1] + (slug(p.middle)[:1] if p.middle else "") + slug(p.last)[:1]
            return ini + str(rng.randint(1, 9999)), None
        if tokens is not None:
            toks = list(tokens)
        elif dom in WORK:
            f, l = slug(first or p.go_by), slug(p.last)
            toks = wpick(rng, [([f, l], 5), ([f[0] + l], 3), ([f], 2)])
        else:
            toks = self.tokens(p, EMAIL_STYLES, first)
        if attempt == 0:
            joined = "".join(toks)
            if dom in PUBLIC:
                pn = 0.97 if len(toks) == 1 else (0.6 if len(joined) <= 12 else 0.3)
            else:
                pn = 0.1
            num = p.num if rng.random() < pn else None
        elif attempt < 3:
            num = p.num
        elif attempt < 9:
            num = str(rng.randint(1, 99))
        else:
            num = str(rng.randint(100, 99999))
        if dom in GMAIL:
            sep = "." if rng.random() < 0.4 else ""
        else:
            sep = wpick(rng, [(".", 35), ("", 45), ("_", 14), ("-", 6)])
        parts = toks + ([num] if num else [])
        if dom in GMAIL and len("".join(parts)) < 6:
            parts.append(str(rng.randint(100, 999)))
        if len(parts) > 1 and parts[-1].isdigit() and rng.random() < 0.6:
            local = sep.join(parts[:-1]) + parts[-1]
        else:
            local = sep.join(parts)
        return local, parts

    def new_mailbox(self, p, domain=None, local=None, first=None, tokens=None):
        rng = self.rng
        dom = domain or self.resolve_domain(p, p.L.providers.pick(rng))
        for attempt in range(80):
            if attempt and attempt % 25 == 0 and domain is None:
                dom = self.resolve_domain(p, p.L.providers.pick(rng))
            if local is not None:
                if attempt == 0:
                    lp, toks = local, [local]
                else:
                    n = p.num if attempt < 3 else str(rng.randint(1, 9999))
                    lp, toks = local + n, [local, n]
            else:
                lp, toks = self.make_local(p, dom, first, tokens, attempt)
            email = lp + "@" + dom
            ck = canon_key(email)
            if ck in self.owner or email.lower() in self.emails or not plausible_local(lp, dom):
                continue
            self.owner[ck] = p.pid
            mb = Mailbox(lp, dom, toks or [lp])
            p.mailboxes.append(mb)
            if p.primary is None:
                p.primary = mb
            return mb
        raise RuntimeError("mailbox space exhausted")

    def primary(self, p):
        return p.primary or self.new_mailbox(p)

    def claim_email(self, s):
        if s.lower() in self.emails:
            return None
        self.emails.add(s.lower())
        return s

    def spell(self, mb, variant=False):
        """A spelling of mailbox mb not yet used by any account (None if impossible)."""
        rng = self.rng
        if not variant:
            s = mb.local + "@" + mb.domain
            if rng.random() < 0.03:
                s = s[:1].upper() + s[1:]
            return self.claim_email(s)
        if mb.domain not in PLUS_DOMAINS:
            return None
        for _ in range(30):
            dom, local = mb.domain, mb.local
            if mb.domain in GMAIL:
                c = mb.canon_local
                changed = False
                if rng.random() < 0.6:
                    k = rng.random()
                    toks = [t for t in mb.tokens if t]
                    if k < 0.35 and len(toks) > 1:
                        local = ".".join(toks).lower()
                    elif k < 0.55:
                        local = c
                    elif k < 0.9:
                        local = "".join(ch + ("." if rng.random() < 0.2 else "") for ch in c[:-1]) + c[-1]
                    else:
                        local = ".".join(c)
                    changed = local != mb.local.lower()
                if rng.random() < 0.25:
                    dom = "googlemail.com" if dom == "gmail.com" else "gmail.com"
                    changed = True
                if not changed or rng.random() < 0.35:
                    local += "+" + rng.choice(TAGS)
            else:
                local = local + "+" + rng.choice(TAGS)
            s = self.claim_email(local + "@" + dom)
            if s:
                return s
        return None

    def email_for(self, p, how, first=None, typed=False):
        """how: 'none' | 'primary' | 'variant' | 'other' | ('mb', mailbox, variant)."""
        rng = self.rng
        if how == "none":
            return None
        if isinstance(how, tuple):
            _, mb, variant = how
            s = self.spell(mb, variant) or self.spell(mb, True)
            return s or self.email_for(p, "other", first)
        if how == "other":
            if p.mailboxes and rng.random() < 0.4:      # same local part at another provider
                base = rng.choice(p.mailboxes)
                dom = p.L.providers.pick(rng)
                if not dom.startswith("@") and dom != base.domain and \
                        not (dom in GMAIL and base.domain in GMAIL):
                    loc = base.local if dom not in GMAIL else base.local.replace("_", "").replace("-", "")
                    if dom == "qq.com" or (dom in GMAIL and len(loc.replace(".", "")) < 6):
                        loc = None
                    if loc and plausible_local(loc, dom) and canon_key(loc + "@" + dom) not in self.owner and \
                            (loc + "@" + dom).lower() not in self.emails:
                        mb = self.new_mailbox(p, domain=dom, local=loc)
                        return self.spell(mb)
            mb = self.new_mailbox(p, first=first)
            return self.spell(mb) or self.spell(mb, True)
        mb = self.primary(p)
        if how == "primary":
            if typed and rng.random() < 0.012 and mb.domain in TYPO:
                s = mb.local + "@" + rng.choice(TYPO[mb.domain])  # a typo'd domain: a dead mailbox
                ck = canon_key(s)
                if ck not in self.owner and s.lower() not in self.emails:
                    self.owner[ck] = p.pid
                    return self.claim_email(s)
            s = self.spell(mb)
            if s:
                return s
            # already used on an earlier account: the app says "email taken"
            if rng.random() < 0.4:
                s = self.spell(mb, True)
                if s:
                    return s
            return self.email_for(p, "other", first)
        # variant
        return self.spell(mb, True) or self.spell(mb) or self.email_for(p, "other", first)

    # ---------------- names ----------------
    def first_for_form(self, p):
        if p.go_by != p.first and self.rng.random() < 0.35:
            return p.first
        return p.go_by

    def display_name(self, p, f, name_only=False):
        rng = self.rng
        l = p.last
        if p.loc == "es" and " " in l and rng.random() < 0.45:
            l = l.split()[0]
        if rng.random() < 0.15:
            f, l = fold(f), fold(l)
        if p.loc == "jp" and p.last in JP_KANJI and rng.random() < 0.15:
            return JP_KANJI[p.last]
        if p.loc == "cn" and rng.random() < 0.35:
            return f"{l} {f}"
        r = rng.random()
        if name_only:
            r *= 0.86
        if r < 0.40:
            return f"{f} {l}"
        if r < 0.47:
            return f"{f} {l}".lower()
        if r < 0.49:
            return f"{f} {l}".upper()
        if r < 0.58:
            return f
        if r < 0.61:
            return f"{f} {l[0]}."
        if r < 0.67:
            e = FLAG[p.loc] if rng.random() < 0.2 else rng.choice(EMOJI)
            return f"{f} {l} {e}" if rng.random() < 0.7 else f"{e} {f} {l}"
        if r < 0.70:
            return f"{f} {rng.choice(EMOJI)}"
        if r < 0.73:
            return f"{rng.choice(['Dr.', 'Dr.', 'Dr', 'Prof.', 'Rev.'])} {f} {l}"
        if r < 0.75:
            return f"{f} {l}, {rng.choice(['PhD', 'MD', 'MBA', 'CPA', 'RN', 'Esq.', 'Jr.'])}"
        if r < 0.78 and p.middle:
            return f"{f} {p.middle[0]}. {l}"
        if r < 0.81:
            pro = {"m": "he/him", "f": "she/her"}[p.gender] if rng.random() < 0.85 else "they/them"
            return f"{f} {l} ({pro})"
        if r < 0.84:
            return f"{f} {l} | {rng.choice(ROLES)}"
        if r < 0.86:
            if p.go_by != p.first:
                return f'{p.first} "{p.go_by}" {l}'
            return f"{f} {l}"
        if r < 0.94:
            k = rng.random()
            if k < 0.4:
                return f"{rng.choice(ADJ).capitalize()} {rng.choice(HOBBY).capitalize()}"
            if k < 0.6:
                return f"{rng.choice(ADJ)} {rng.choice(HOBBY)} {rng.choice(EMOJI)}"
            if k < 0.8:
                return f"{f} the {rng.choice(HOBBY).capitalize()}"
            return f"{rng.choice(HOBBY)}{rng.choice(['', ' ', ' & ']) or ''}{rng.choice(HOBBY)}"
        return f"{f} {l}"

    def name_fields(self, p, f, force=False):
        rng = self.rng
        l = p.last
        if p.loc == "es" and " " in l and rng.random() < 0.3:
            l = l.split()[0]
        if rng.random() < 0.15:
            f, l = fold(f), fold(l)
        r = rng.random() * (0.72 if force else 1.0)
        if r < 0.66:
            fn, ln = f, l
        elif r < 0.71:
            fn, ln = f.lower(), l.lower()
        elif r < 0.72:
            fn, ln = f.upper(), l.upper()
        elif r < 0.80:
            fn, ln = f, None
        else:
            fn, ln = None, None
        if p.loc in ("cn", "jp") and fn and ln and rng.random() < 0.12:
            fn, ln = ln, fn
        return fn, ln

    # ---------------- time / twitter ----------------
    def base_time(self):
        rng = self.rng
        t = APP_START + (APP_END - APP_START) * rng.random() ** 0.65
        day = t - t % 86400
        return max(APP_START, min(APP_END, day + HOURS.pick(rng) * 3600 + rng.randrange(3600)))

    def times(self, n, mean_days=150, same_day=0.0):
        rng = self.rng
        out = [self.base_time()]
        for _ in range(n - 1):
            if rng.random() < same_day:
                dt = rng.uniform(60, 6 * 3600)
            else:
                dt = rng.expovariate(1.0 / (mean_days * 86400)) + rng.uniform(60, 3600)
            t = out[-1] + dt
            if t > APP_END:
                t = rng.uniform(out[-1], APP_END)
            out.append(t)
        return [int(x) for x in out]

    def twitter_id(self, signup_t):
        rng = self.rng
        hi = signup_t - 2 * 86400
        if hi <= TW_START:
            hi = TW_START + 86400
        t = TW_START + (hi - TW_START) * rng.betavariate(1.6, 1.3)
        if t < TW_ANCHORS[-1][0]:
            i = bisect.bisect_right([a for a, _ in TW_ANCHORS], t)
            (t0, v0), (t1, v1) = TW_ANCHORS[i - 1], TW_ANCHORS[i]
            v = int(v0 + (v1 - v0) * (t - t0) / (t1 - t0)) + rng.randint(0, 5000)
            while str(v) in self.tw_ids:
                v += 1
        else:
            ms = int(t * 1000) - SNOWFLAKE_EPOCH_MS
            v = (ms << 22) | rng.getrandbits(22)
            while str(v) in self.tw_ids:
                v = (ms << 22) | rng.getrandbits(22)
        self.tw_ids.add(str(v))
        return str(v)

    # ---------------- accounts ----------------
    def emit(self, t, p, pattern, username, email, fn, ln, tw):
        rec = {"username": username, "email": email, "first_name": fn, "last_name": ln,
               "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), "twitter": tw}
        self.out.append((rec, p.pid, pattern))

    def email_signup(self, p, t, pattern, how="primary", first=None, handle="core", force_names=False):
        toks, num = handle if isinstance(handle, tuple) else self.handle(p, handle, first)
        username = self.alloc_username(self.render_username(toks, num), p)
        email = self.email_for(p, how, first, typed=True)
        fn, ln = self.name_fields(p, first or self.first_for_form(p), force_names)
        self.emit(t, p, pattern, username, email, fn, ln, None)
        return username

    def twitter_signup(self, p, t, pattern, how, first=None, handle="core", display=None,
                       screen=None, force_names=False):
        rng = self.rng
        f = first or (p.go_by if rng.random() < 0.9 else p.first)
        if screen is None:
            toks, num = handle if isinstance(handle, tuple) else self.handle(p, handle, first)
            screen = self.render_screen(toks, num)
        screen = self.alloc_screen(screen, p)
        if display is None:
            display = self.display_name(p, f, name_only=force_names)
        tw = {"id": self.twitter_id(t), "screen_name": screen, "name": display}
        if rng.random() < 0.08:
            username = self.alloc_username(self.render_username(*self.handle(p, "fresh", first)), p)
        else:
            username, k = screen, 2
            while username.lower() in self.usernames:
                username = f"{screen}_{k}"
                k += 1
            self.usernames.add(username.lower())
        parts = display.split()
        r = rng.random()
        if force_names:
            r *= 0.83
        if r < 0.55:
            fn, ln = (parts[0] if parts else None), (" ".join(parts[1:]) or None)
        elif r < 0.83:
            fn, ln = f, p.last
        elif r < 0.93:
            fn, ln = None, None
        else:
            fn, ln = (parts[0] if parts else None), None
        if how == "typed":
            how = "primary" if rng.random() < 0.75 else "other"
            email = self.email_for(p, how, first, typed=True)
        else:
            email = self.email_for(p, how, first)
        self.emit(t, p, pattern, username, email, fn, ln, tw)
        return username, screen

    def singleton_account(self, p, t, pattern, force_names=False):
        if self.rng.random() < 0.62:
            self.email_signup(p, t, pattern, force_names=force_names)
        else:
            self.twitter_signup(p, t, pattern, self.tw_email_how(), force_names=force_names)

    def tw_email_how(self):
        return wpick(self.rng, [("primary", 52), ("typed", 13), ("none", 35)])

    # ---------------- pattern groups (generators: yield the time of the next account) ----------
    def g_singleton(self, size):
        p = self.person()
        t, = self.times(1)
        yield t
        self.singleton_account(p, t, "singleton")

    def g_email_vs_twitter(self, size):
        rng, pat = self.rng, "email_vs_twitter"
        p = self.person()
        p.reuse = rng.random() < 0.6
        ta, tb = self.times(2)
        hm = "core" if p.reuse else "fresh"
        if rng.random() < 0.6:
            yield ta
            self.email_signup(p, ta, pat, "primary", handle=hm)
            yield tb
            how = wpick(rng, [("none", 35), ("other", 25), ("variant", 20), ("primary", 20)])
            self.twitter_signup(p, tb, pat, how, handle=hm)
        else:
            yield ta
            self.twitter_signup(p, ta, pat, wpick(rng, [("primary", 50), ("none", 35), ("other", 15)]),
                                handle=hm)
            yield tb
            self.email_signup(p, tb, pat, "primary", handle=hm)

    def side_persona(self, p):
        rng = self.rng
        f, l = slug(p.go_by) or "x", slug(p.last) or "x"
        word = rng.choice(HOBBY)
        toks = wpick(rng, [([f, word], 4), ([word, f], 2), ([rng.choice(ADJ), word], 3),
                           ([f, l, rng.choice(["art", "photo", "bakes", "writes", "games", "fit", "music"])], 3),
                           (self.core(p)[0] + ["2"], 2), (["its", f], 1), ([f[0], l, "alt"], 1)])
        F = p.go_by
        k = rng.random()
        if k < 0.4:
            disp = self.display_name(p, F)
        elif k < 0.7:
            disp = rng.choice([f"{F}'s {word.capitalize()}", f"{F} {p.last} {word.capitalize()}",
                               f"{F} {p.last} Photography", f"{F} makes things", f"{F} (alt)",
                               f"{F} {p.last} Art {rng.choice(EMOJI)}"])
        else:
            disp = f"{rng.choice(ADJ).capitalize()} {word.capitalize()} {rng.choice(EMOJI)}"
        return (toks, None if rng.random() < 0.7 else p.num), disp

    def g_twitter_shared_mailbox(self, size):
        rng, pat = self.rng, "twitter_shared_mailbox"
        p = self.person()
        ta, tb = self.times(2, mean_days=200)
        yield ta
        if rng.random() < 0.75:
            dom = "gmail.com" if (p.loc not in ("uk", "de") or rng.random() < 0.8) else "googlemail.com"
        else:
            dom = rng.choice(p.L.plus_providers or ["outlook.com", "icloud.com"])
        mb = self.new_mailbox(p, domain=dom)
        p.primary = mb
        self.twitter_signup(p, ta, pat, ("mb", mb, False))
        yield tb
        h, disp = self.side_persona(p)
        self.twitter_signup(p, tb, pat, ("mb", mb, True), handle=h, display=disp)

    def _two_spellings(self, pat, size, domain_fn, first_variant_p):
        rng = self.rng
        p = self.person()
        ta, tb = self.times(2)
        kinds = wpick(rng, [(("e", "e"), 70), (("e", "t"), 20), (("t", "e"), 10)])
        yield ta
        mb = self.new_mailbox(p, domain=domain_fn(p))
        p.primary = mb
        h1 = "core" if p.reuse else "fresh"
        how1 = ("mb", mb, rng.random() < first_variant_p)
        if kinds[0] == "e":
            self.email_signup(p, ta, pat, how1, handle=h1)
        else:
            self.twitter_signup(p, ta, pat, how1, handle=h1)
        yield tb
        h2 = wpick(rng, [("core", 3), ("fresh", 4), ((self.core(p)[0], str(rng.randint(2, 9))), 3)])
        if kinds[1] == "e":
            self.email_signup(p, tb, pat, ("mb", mb, True), handle=h2)
        else:
            self.twitter_signup(p, tb, pat, ("mb", mb, True), handle=h2)

    def g_gmail_variants(self, size):
        rng = self.rng
        return self._two_spellings(
            "gmail_variants", size,
            lambda p: "googlemail.com" if rng.random() < (0.3 if p.loc in ("uk", "de") else 0.05)
            else "gmail.com", 0.2)

    def g_plus_address(self, size):
        rng = self.rng
        generic = ["outlook.com"] * 6 + ["hotmail.com"] * 4 + ["icloud.com"] * 4 + \
            ["live.com", "me.com", "fastmail.com", "fastmail.com", "protonmail.com", "proton.me"]
        return self._two_spellings(
            "plus_address", size,
            lambda p: rng.choice(p.L.plus_providers) if p.L.plus_providers and rng.random() < 0.5
            else rng.choice(generic), 0.25)

    def g_nickname(self, size):
        rng, pat = self.rng, "nickname"
        p = self.person(need_nick=True)
        nick = rng.choice(NICK[p.first])
        order = [p.first, nick] if rng.random() < 0.5 else [nick, p.first]
        p.go_by = order[0]
        share_mb = rng.random() < 0.35
        shared_num = p.num if rng.random() < 0.6 else None
        ts_ = self.times(2)
        for i in range(2):
            yield ts_[i]
            f = order[i]
            toks = self.tokens(p, HANDLE_STYLES, f)
            num = shared_num if shared_num and rng.random() < 0.85 else (p.num if rng.random() < 0.2 else None)
            if i == 0:
                how_e, how_t = "primary", wpick(rng, [("primary", 55), ("none", 30), ("other", 15)])
            else:
                how_e = "variant" if share_mb else "other"
                how_t = how_e if rng.random() < 0.7 else "none"
            if rng.random() < 0.55:
                self.email_signup(p, ts_[i], pat, how_e, first=f, handle=(toks, num), force_names=True)
            else:
                self.twitter_signup(p, ts_[i], pat, how_t, first=f, handle=(toks, num), force_names=True)

    def g_three_accounts(self, size):
        rng, pat = self.rng, "three_accounts"
        p = self.person()
        p.reuse = rng.random() < 0.6
        nick = rng.choice(NICK[p.first]) if p.first in NICK and rng.random() < 0.4 else None
        ts_ = self.times(3, mean_days=120)
        for i in range(3):
            yield ts_[i]
            email_signup = rng.random() < (0.65 if i == 0 else 0.45)
            first = nick if nick and rng.random() < 0.35 else None
            hm = "core" if p.reuse and rng.random() < 0.7 else "fresh"
            if i == 0:
                how = "primary" if email_signup else wpick(rng, [("primary", 60), ("none", 25), ("other", 15)])
            else:
                how = wpick(rng, [("variant", 45), ("other", 25), ("none" if not email_signup else "variant", 30)])
            if email_signup:
                self.email_signup(p, ts_[i], pat, how, first=first, handle=hm)
            else:
                self.twitter_signup(p, ts_[i], pat, how, first=first, handle=hm)

    def g_same_name(self, size):
        rng = self.rng
        loc = "us" if rng.random() < 0.65 else ("uk" if rng.random() < 0.55 else LOCALE_PICK.pick(rng))
        L = LOCALES[loc]
        gender = "m" if rng.random() < 0.5 else "f"
        first = (L.top_male if gender == "m" else L.top_female).pick(rng)
        last = L.top_sur.pick(rng)
        people = [self.person(loc, gender, first, last) for _ in range(size)]
        for p in people:
            p.go_by = first if rng.random() < 0.85 else p.go_by
        times_ = sorted(self.base_time() for _ in range(size))
        for p, t in zip(people, times_):
            yield t
            self.singleton_account(p, t, "same_name", force_names=rng.random() < 0.85)

    def family_domain(self, last):
        rng = self.rng
        l = slug(last.split()[0]) or "home"
        for i in range(20):
            d = wpick(rng, [(f"{l}family.net", 3), (f"{l}family.com", 3), (f"the{l}s.com", 2),
                            (f"the{l}s.net", 2), (f"{l}-family.org", 1), (f"{l}home.net", 1),
                            (f"{l}clan.org", 1), (f"{l}s.us", 1), (f"{l}.family", 1),
                            (f"{l}household.com", 1)])
            if i > 3:
                d = d.replace(l, l + rng.choice(TOWNS) if rng.random() < 0.5 else l + str(rng.randint(2, 99)), 1)
            if d not in self.domains:
                self.domains.add(d)
                return d
        raise RuntimeError("no family domain")

    def g_family(self, size):
        rng, pat = self.rng, "family"
        loc = LOCALE_PICK.pick(rng)
        L = LOCALES[loc]
        last = L.sur.pick(rng)
        couple = rng.random() < 0.7
        genders = (["m", "f"] if couple else []) + \
            ["m" if rng.random() < 0.5 else "f" for _ in range(size - (2 if couple else 0))]
        genders = genders[:size]
        members, used = [], set()
        junior = couple and size >= 3 and genders[2] == "m" and rng.random() < 0.12
        for i, g in enumerate(genders):
            if junior and i == 2:
                first = members[0].first
            else:
                for _ in range(100):
                    first = (L.male if g == "m" else L.female).pick(rng)
                    if formal_of(first) not in used:
                        break
            used.add(formal_of(first))
            p = self.person(loc, g, first, last)
            if junior and i == 2:
                p.go_by = first
            members.append(p)
        if couple:   # parents older than children
            for c in members[2:]:
                c.byear = max(c.byear, members[0].byear + rng.randint(22, 38))
                if c.byear > 2009:
                    c.byear = 2009
        custom = rng.random() < 0.6
        dom = self.family_domain(last) if custom else rng.choice(ISP_FAMILY[loc])
        times_ = self.times(size, mean_days=60, same_day=0.45)
        for i, (p, t) in enumerate(zip(members, times_)):
            yield t
            mb = None
            if rng.random() < 0.85:
                f, l = slug(p.go_by) or "x", slug(last.split()[0]) or "x"
                if custom:
                    local = wpick(rng, [(f, 5), (f"{f}.{l}", 2), (f[0] + l, 2), (f + l[0], 1)])
                    if junior and i == 2:
                        local = rng.choice([f + "jr", f + "2", f"{f}.{l}.jr"])
                    mb = self.new_mailbox(p, domain=dom, local=local)
                else:
                    mb = self.new_mailbox(p, domain=dom)
                p.primary = mb
            jr = junior and i == 2
            if rng.random() < (0.7 if i < 2 else 0.5):
                uname = self.email_signup(p, t, pat, "primary")
                if jr and rng.random() < 0.5:   # "Smith Jr." in the last-name field
                    rec = self.out[-1][0]
                    if rec["last_name"]:
                        rec["last_name"] = rec["last_name"] + " Jr."
            else:
                how = "primary" if mb else self.tw_email_how()
                disp = f"{p.first} {last} Jr." if jr and rng.random() < 0.5 else None
                self.twitter_signup(p, t, pat, how, display=disp)

    def g_handle_collision(self, size):
        rng, pat = self.rng, "handle_collision"
        kind = wpick(rng, [("initial", 50), ("first", 25), ("word", 25)])
        loc = "us" if rng.random() < 0.7 else "uk"
        L = LOCALES[loc]
        g1 = "m" if rng.random() < 0.5 else "f"
        a = self.person(loc, g1)
        people = [a]
        for _ in range(size - 1):
            g = "m" if rng.random() < 0.5 else "f"
            if kind == "initial":
                fl = L.male if g == "m" else L.female
                f = fl.pick(rng)
                for _ in range(200):
                    if f[0] == a.first[0] and formal_of(f) != formal_of(a.first):
                        break
                    f = fl.pick(rng)
                people.append(self.person(loc, g, f, a.last))
            elif kind == "first":
                b = self.person(loc, a.gender, a.first)
                b.go_by = a.go_by
                people.append(b)
            else:
                people.append(self.person(loc, g))
        fa = slug(a.go_by)
        if kind == "initial":
            h = fa[0] + slug(a.last) if rng.random() < 0.7 else slug(a.last) + fa[0]
            for q in people:
                q.go_by = q.first
        elif kind == "first":
            h = fa
        else:
            h = rng.choice(HOBBY) if rng.random() < 0.5 else rng.choice(ADJ) + rng.choice(HOBBY)
        h = h[:15]
        times_ = sorted(self.base_time() for _ in range(size))
        yield times_[0]
        if rng.random() < 0.4:
            self.new_mailbox(a, local=h)
        h_taken = self.email_signup(a, times_[0], pat, "primary", handle=([h], None))
        b = people[1]
        yield times_[1]
        if rng.random() < 0.4:
            self.new_mailbox(b, local=h)
        scr = h_taken if SCREEN_RE.match(h_taken) else h
        if rng.random() < 0.5:
            scr = scr.capitalize() if kind != "initial" else scr[0].upper() + scr[1:2].upper() + scr[2:]
        self.twitter_signup(b, times_[1], pat, wpick(rng, [("primary", 55), ("none", 45)]), screen=scr)
        if size > 2:
            yield times_[2]
            self.email_signup(people[2], times_[2], pat, "primary", handle=([h], None))


SHARES = [  # pattern, share of accounts, group sizes (weights)
    ("email_vs_twitter", 0.050, [(2, 1)]),
    ("gmail_variants", 0.030, [(2, 1)]),
    ("nickname", 0.020, [(2, 1)]),
    ("twitter_shared_mailbox", 0.015, [(2, 1)]),
    ("plus_address", 0.015, [(2, 1)]),
    ("three_accounts", 0.015, [(3, 1)]),
    ("same_name", 0.040, [(2, 70), (3, 30)]),
    ("family", 0.030, [(2, 45), (3, 35), (4, 20)]),
    ("handle_collision", 0.010, [(2, 80), (3, 20)]),
]


def generate(n, seed):
    w = World(seed)
    rng = w.rng
    plan = []
    for name, share, sizes in SHARES:
        budget = round(n * share)
        smin = min(s for s, _ in sizes)
        while budget >= smin:
            s = wpick(rng, sizes)
            if s > budget:
                s = max(x for x, _ in sizes if x <= budget)
            plan.append((name, s))
            budget -= s
    plan += [("singleton", 1)] * (n - sum(s for _, s in plan))
    rng.shuffle(plan)
    heap = []
    for i, (name, size) in enumerate(plan):
        g = getattr(w, "g_" + name)(size)
        heap.append((next(g), i, g))
    heapq.heapify(heap)
    while heap:
        _, i, g = heap[0]
        try:
            t = g.send(None)
            heapq.heapreplace(heap, (t, i, g))
        except StopIteration:
            heapq.heappop(heap)
    assert len(w.out) == n, (len(w.out), n)
    return w.out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--labels", required=True)
    a = ap.parse_args()
    out = generate(a.accounts, a.seed)
    pid_map = {}
    with open(a.out, "w", encoding="utf-8", newline="\n") as fo, \
            open(a.labels, "w", encoding="utf-8", newline="") as fl:
        wr = csv.writer(fl, lineterminator="\n")
        wr.writerow(["username", "person_id", "pattern"])
        for rec, pid, pattern in out:
            fo.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if pid not in pid_map:
                pid_map[pid] = "P%06d" % (len(pid_map) + 1)
            wr.writerow([rec["username"], pid_map[pid], pattern])


if __name__ == "__main__":
    main()
