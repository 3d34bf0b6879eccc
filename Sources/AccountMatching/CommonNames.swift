/// Very common given and family names (English-speaking countries): two strangers share such a name often, so a
/// name built from them is weak evidence however few accounts of a small store carry it.
///
/// Drawn from the most frequent entries of the U.S. Social Security Administration's given-name counts (births
/// 1950–2000) and the U.S. Census Bureau's 2010 surname table; folded, lowercase.
public enum CommonNames: Sendable {
    /// Whether both the given name and a family name of `name` are very common.
    public static func isCommon(given: String, family: [String]) -> Bool {
        givenNames.contains(given) && family.contains { familyNames.contains($0) }
    }

    /// Very common given names.
    public static let givenNames: Set<String> = [
        "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles",
        "christopher", "daniel", "matthew", "anthony", "mark", "donald", "steven", "paul", "andrew", "joshua",
        "kenneth", "kevin", "brian", "george", "timothy", "ronald", "edward", "jason", "jeffrey", "ryan", "jacob",
        "gary", "nicholas", "eric", "jonathan", "stephen", "larry", "justin", "scott", "brandon", "benjamin",
        "samuel", "gregory", "alexander", "frank", "patrick", "raymond", "jack", "dennis", "jerry", "tyler", "aaron",
        "jose", "adam", "nathan", "henry", "douglas", "zachary", "peter", "kyle", "mary", "patricia", "jennifer",
        "linda", "elizabeth", "barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy", "betty", "margaret",
        "sandra", "ashley", "kimberly", "emily", "donna", "michelle", "carol", "amanda", "dorothy", "melissa",
        "deborah", "stephanie", "rebecca", "sharon", "laura", "cynthia", "kathleen", "amy", "angela", "shirley",
        "anna", "brenda", "pamela", "emma", "nicole", "helen", "samantha", "katherine", "christine", "debra",
        "rachel", "carolyn", "janet", "catherine", "maria", "heather", "diane", "ruth", "julie", "olivia", "joyce",
        "virginia", "victoria", "kelly", "lauren", "christina", "joan", "evelyn", "judith", "megan", "andrea",
        "cheryl", "hannah", "jacqueline", "martha", "gloria", "teresa", "ann", "sara", "madison", "frances",
        "kathryn", "janice", "jean", "abigail", "alice", "judy", "sophia", "grace", "denise", "amber", "doris",
        "marilyn", "danielle", "beverly", "isabella", "theresa", "diana", "natalie", "brittany", "charlotte",
        "marie", "kayla", "alexis", "lori", "bob", "bill", "jim", "mike", "tom", "joe", "dave", "chris", "dan",
        "matt", "tony", "steve", "liz", "kate", "sue", "jen", "pat", "sam", "alex", "nick", "ben", "tim",
    ]

    /// Very common family names.
    public static let familyNames: Set<String> = [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker",
        "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores", "green", "adams",
        "nelson", "baker", "hall", "rivera", "campbell", "mitchell", "carter", "roberts", "gomez", "phillips",
        "evans", "turner", "diaz", "parker", "cruz", "edwards", "collins", "reyes", "stewart", "morris", "morales",
        "murphy", "cook", "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson", "bailey", "reed", "kelly",
        "howard", "ramos", "kim", "cox", "ward", "richardson", "watson", "brooks", "chavez", "wood", "james",
        "bennett", "gray", "mendoza", "ruiz", "hughes", "price", "alvarez", "castillo", "sanders", "patel", "myers",
        "long", "ross", "foster", "jimenez", "wang", "li", "zhang", "liu", "chen", "yang", "sato", "suzuki",
        "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato", "muller", "schmidt",
        "schneider", "fischer", "weber", "meyer", "wagner", "becker", "silva", "santos", "oliveira", "singh",
        "kumar", "khan", "ali", "ahmed",
    ]
}
