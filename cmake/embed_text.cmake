# Writes OUT, a C++ file defining `const std::string& VAR()` with the text of IN.
file(READ ${IN} text)
file(WRITE ${OUT} "// Generated from ${IN} by cmake/embed_text.cmake.\n#include <string>\nnamespace rdv {\nconst std::string& ${VAR}() {\n  static const std::string text = R\"__TEXT__(${text})__TEXT__\";\n  return text;\n}\n}  // namespace rdv\n")
