"""Stage 2: parse condition strings (grammars/conditions.lark) into immutable AST nodes."""
