cmake_policy(SET CMP0007 NEW)
# Writes OUT, a C++ file holding every file of IN (a |-separated list of
# paths under BASE) as {relative path, text} pairs: the pages' templates and
# stylesheet travel inside the binary.
string(REPLACE "|" ";" IN "${IN}")
list(FILTER IN EXCLUDE REGEX "^$")
list(SORT IN)
set(body "// Generated from web/ by cmake/embed_assets.cmake.\n#include <map>\n#include <string>\n")
string(APPEND body "namespace rdv {\nconst std::map<std::string, std::string>& ${VAR}() {\n  static const std::map<std::string, std::string> m = {\n")
foreach(f IN LISTS IN)
  file(RELATIVE_PATH name ${BASE} ${f})
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"__ASSET__(${text})__ASSET__\"},\n")
endforeach()
string(APPEND body "  };\n  return m;\n}\n}  // namespace rdv\n")
file(WRITE ${OUT} "${body}")
