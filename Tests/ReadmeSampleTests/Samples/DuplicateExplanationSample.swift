import AccountModel
import AccountStore
import DuplicateDetection

extension DuplicateExplanationSample {
    /// README "Why are two accounts (not) linked?", from the library.
    func run() throws {
        var detector = DuplicateDetector()
        try store.scanMatchableAccountBatches { batch in detector.add(DuplicateDetector.prepare(batch)) }
        let why = try detector.explain([ann.id, annOnTwitter.id])  // [PairExplanation]; throws ExplanationError
        print(ReportRenderer.render(why, as: .text))  // or .json
    }
}
