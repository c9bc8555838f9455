"""The ``.eval`` language: text -> AST -> IR, and AST -> canonical text. No network, no judges."""
