/// placeholder
public struct KeyRing: Sendable {}
