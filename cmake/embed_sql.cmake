cmake_policy(SET CMP0007 NEW)
# Writes OUT, a C++ file holding every migration of IN (a |-separated list of
# .sql files, sorted by name) as {name, text} pairs, so the binary carries its
# own schema.
string(REPLACE "|" ";" IN "${IN}")
list(FILTER IN EXCLUDE REGEX "^$")
list(SORT IN)
set(body "// Generated from src/storage/*/migrations by cmake/embed_sql.cmake.\n")
string(APPEND body "#include \"storage/migration.h\"\nnamespace rdv {\nconst std::vector<Migration>& ${VAR}() {\n  static const std::vector<Migration> m = {\n")
foreach(f IN LISTS IN)
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"__SQL__(${text})__SQL__\"},\n")
endforeach()
string(APPEND body "  };\n  return m;\n}\n}  // namespace rdv\n")
file(WRITE ${OUT} "${body}")
