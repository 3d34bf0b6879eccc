/// Given names and their nicknames: `Bob` and `Robert`, `Liz` and `Elizabeth` are the same given name.
///
/// A table maps a full name to the short forms people use for it. A nickname may stand for several names (`Chris`:
/// Christopher, Christine, Christina, Christian); two given names are equivalent when they share a full name.
/// Names are compared folded (``NameText/fold(_:)``). Extend the table with ``adding(_:)``.
public struct Nicknames: Sendable {
    /// Folded name → the full names it may stand for (a full name stands for itself).
    private let forms: [String: [String]]
    /// Folded full name → every name that may stand for it (itself and its nicknames).
    private let variants: [String: [String]]

    /// A table from full names to their nicknames (`["robert": ["bob", "rob", "bobby"]]`); case and accents are
    /// folded.
    public init(_ table: [String: [String]]) {
        var forms: [String: Set<String>] = [:]
        var variants: [String: Set<String>] = [:]
        for (full, nicknames) in table {
            let canonical = NameText.fold(full)
            forms[canonical, default: []].insert(canonical)
            variants[canonical, default: []].insert(canonical)
            for nickname in nicknames {
                let folded = NameText.fold(nickname)
                forms[folded, default: []].insert(canonical)
                variants[canonical, default: []].insert(folded)
            }
        }
        // A full name that is also someone's nickname (`jon`, `harry`) stands for both.
        self.forms = forms.mapValues { $0.sorted() }
        self.variants = variants.mapValues { $0.sorted() }
        self.table = table
    }

    private let table: [String: [String]]

    /// This table with more entries (nicknames of a name already present are added to its list).
    public func adding(_ more: [String: [String]]) -> Nicknames {
        Nicknames(table.merging(more) { old, new in old + new })
    }

    /// The full names `name` may stand for, sorted; a name the table does not know stands for itself.
    public func fullNames(of name: String) -> [String] {
        let folded = NameText.fold(name)
        return forms[folded] ?? [folded]
    }

    /// Every name that may stand for the same person as `name`: its full names and their nicknames, sorted.
    public func variants(of name: String) -> [String] {
        var result = Set<String>([NameText.fold(name)])
        for full in fullNames(of: name) { result.formUnion(variants[full] ?? [full]) }
        return result.sorted()
    }

    /// Every name the table knows (full names and nicknames), folded.
    public var allNames: [String] { Array(forms.keys) }

    /// Whether the table knows `name`, as a full name or a nickname.
    public func isKnown(_ name: String) -> Bool {
        forms[NameText.fold(name)] != nil
    }

    /// Whether `first` and `second` may be the same given name (equal, or sharing a full name).
    public func areEquivalent(_ first: String, _ second: String) -> Bool {
        let a = fullNames(of: first)
        let b = fullNames(of: second)
        return a.contains { b.contains($0) }
    }

    /// Common English given names and their nicknames.
    public static let english = Nicknames([
        "abigail": ["abby", "abbie", "gail"],
        "abraham": ["abe", "bram"],
        "albert": ["al", "bert", "bertie"],
        "alexander": ["alex", "al", "alec", "sandy", "xander", "lex", "alek"],
        "alexandra": ["alex", "alexa", "sandra", "sandy", "lexi", "lexie", "ally", "allie"],
        "alfred": ["al", "alf", "alfie", "fred", "freddie"],
        "alison": ["ali", "allie", "ally"],
        "allan": ["al"],
        "alan": ["al"],
        "amanda": ["mandy", "manda"],
        "andrew": ["andy", "drew", "andie"],
        "angela": ["angie"],
        "ann": ["annie", "nan"],
        "anne": ["annie", "nan"],
        "anna": ["annie", "ann"],
        "anthony": ["tony", "ant"],
        "antonio": ["tony", "toni"],
        "arthur": ["art", "artie"],
        "barbara": ["barb", "barbie", "babs"],
        "benjamin": ["ben", "benny", "benji", "benjy"],
        "bernard": ["bernie", "barney"],
        "beverly": ["bev"],
        "bradley": ["brad"],
        "bridget": ["biddy", "bridie"],
        "caroline": ["carrie", "caro"],
        "catherine": ["cathy", "cath", "cat", "kate", "katie", "cate", "kitty"],
        "charles": ["charlie", "chuck", "chas", "chaz", "chip"],
        "charlotte": ["charlie", "lottie", "lotte", "char"],
        "christian": ["chris", "christy"],
        "christina": ["chris", "tina", "christy", "chrissy"],
        "christine": ["chris", "tina", "christy", "chrissy"],
        "christopher": ["chris", "kit", "topher", "cris"],
        "clifford": ["cliff"],
        "cynthia": ["cindy", "cyndi"],
        "daniel": ["dan", "danny", "dani"],
        "danielle": ["dani", "danni"],
        "david": ["dave", "davey", "davie"],
        "deborah": ["deb", "debbie", "debby"],
        "dennis": ["denny"],
        "donald": ["don", "donnie", "donny"],
        "dorothy": ["dot", "dottie", "dolly", "dory"],
        "douglas": ["doug", "dougie"],
        "edward": ["ed", "eddie", "eddy", "ted", "teddy", "ned"],
        "edwin": ["ed", "eddie"],
        "edmund": ["ed", "eddie", "ned"],
        "eleanor": ["ellie", "nell", "nellie"],
        "elizabeth": [
            "liz", "lizzie", "lizzy", "beth", "betty", "bette", "betsy", "bess", "bessie", "eliza", "libby", "liza",
            "elsie", "ellie",
        ],
        "emily": ["em", "emmy", "millie"],
        "eugene": ["gene"],
        "frances": ["fran", "frannie", "fanny"],
        "francis": ["frank", "fran", "frankie"],
        "franklin": ["frank", "frankie"],
        "frederick": ["fred", "freddie", "freddy", "fritz", "rick"],
        "gabriel": ["gabe", "gabby"],
        "gabrielle": ["gabby", "gabi"],
        "gerald": ["gerry", "jerry"],
        "gregory": ["greg", "gregg"],
        "gwendolyn": ["gwen", "wendy"],
        "harold": ["harry", "hal"],
        "harriet": ["hattie", "hatty"],
        "helen": ["nell", "nellie"],
        "henry": ["harry", "hank", "hal", "henny"],
        "herbert": ["herb", "bert"],
        "howard": ["howie"],
        "isabel": ["izzy", "bella", "isa", "belle"],
        "isabella": ["izzy", "bella", "isa", "belle"],
        "jacob": ["jake"],
        "jacqueline": ["jackie", "jacqui", "jacky"],
        "james": ["jim", "jimmy", "jamie", "jimbo", "jem"],
        "jane": ["janie", "jenny", "jan"],
        "janet": ["jan", "jenny", "netty"],
        "jeffrey": ["jeff", "geoff"],
        "geoffrey": ["geoff", "jeff"],
        "jennifer": ["jen", "jenny", "jenn"],
        "jessica": ["jess", "jessie", "jessi"],
        "joanna": ["jo", "joanie", "jojo"],
        "joanne": ["jo", "joanie", "jojo"],
        "john": ["jack", "johnny", "jon", "jonny", "jock"],
        "jonathan": ["jon", "jonny", "johnny"],
        "joseph": ["joe", "joey", "jo", "jos", "joss"],
        "josephine": ["jo", "josie", "jojo", "josey"],
        "joshua": ["josh"],
        "judith": ["judy", "judi", "jude"],
        "julia": ["jules", "julie"],
        "katherine": ["kathy", "kate", "katie", "kat", "kath", "kay", "kit", "kitty", "katy"],
        "kathleen": ["kathy", "kate", "katie", "kath", "kay"],
        "kenneth": ["ken", "kenny"],
        "kimberly": ["kim", "kimmy"],
        "lawrence": ["larry", "laurie"],
        "leonard": ["len", "lenny"],
        "leonardo": ["leo", "leon"],
        "louis": ["lou", "louie"],
        "louise": ["lou", "lulu", "louie"],
        "madeline": ["maddie", "maddy", "madge"],
        "margaret": ["maggie", "meg", "peg", "peggy", "marge", "margie"],
        "martha": ["marty", "mattie", "patty"],
        "mary": ["molly", "polly", "mae", "mamie", "mimi"],
        "matthew": ["matt", "matty"],
        "melissa": ["mel", "missy", "lissa"],
        "michael": ["mike", "mikey", "mick", "mickey", "mitch"],
        "michelle": ["shelly", "shelley", "mickey", "chelle"],
        "natalie": ["nat", "talia", "nattie"],
        "natasha": ["tasha", "tash", "nat"],
        "nathan": ["nate", "nat"],
        "nathaniel": ["nate", "nat", "nathan", "natty"],
        "nicholas": ["nick", "nicky", "nico"],
        "nicole": ["nikki", "nicky", "niki"],
        "oliver": ["ollie", "olly"],
        "olivia": ["liv", "livvy", "ollie"],
        "pamela": ["pam", "pammy"],
        "patricia": ["pat", "patty", "patsy", "trish", "tricia", "trisha"],
        "patrick": ["pat", "paddy", "patty", "rick"],
        "penelope": ["penny", "nell"],
        "peter": ["pete", "petey"],
        "philip": ["phil", "pip"],
        "phillip": ["phil", "pip"],
        "randall": ["randy", "rand"],
        "raymond": ["ray"],
        "rebecca": ["becky", "becca", "bec", "becks"],
        "reginald": ["reg", "reggie"],
        "richard": ["rich", "rick", "ricky", "dick", "richie", "rico"],
        "robert": ["bob", "bobby", "rob", "robbie", "robby", "bert", "bertie"],
        "rodney": ["rod", "roddy"],
        "ronald": ["ron", "ronnie", "ronny"],
        "rosemary": ["rosie", "rose"],
        "russell": ["russ", "rusty"],
        "samantha": ["sam", "sammy", "sammie"],
        "samuel": ["sam", "sammy", "sammie"],
        "sandra": ["sandy", "sandi"],
        "sarah": ["sally", "sadie"],
        "stephanie": ["steph", "stephie", "stevie"],
        "stephen": ["steve", "stevie", "steph"],
        "steven": ["steve", "stevie"],
        "stuart": ["stu"],
        "susan": ["sue", "susie", "suzy", "suzie", "sukie"],
        "suzanne": ["sue", "susie", "suzy"],
        "sylvia": ["syl", "sylvie"],
        "terence": ["terry", "tel"],
        "teresa": ["terry", "terri", "tess", "tessa"],
        "theodore": ["ted", "teddy", "theo"],
        "theresa": ["terry", "terri", "tess", "tessa", "tessie"],
        "thomas": ["tom", "tommy", "thom"],
        "timothy": ["tim", "timmy"],
        "tobias": ["toby"],
        "valerie": ["val"],
        "victoria": ["vicky", "vicki", "vickie", "tori", "vic", "toria"],
        "vincent": ["vince", "vinny", "vinnie"],
        "virginia": ["ginny", "ginger", "jinny"],
        "walter": ["walt", "wally"],
        "william": ["bill", "billy", "will", "willy", "willie", "liam"],
        "zachary": ["zach", "zack", "zak"],
    ])
}
