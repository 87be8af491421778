# EmbedSchema: compiles the numbered SQL migrations of a schema folder into
# a C file, so every program carries the migrations it expects (migrate.h).
#
# fu_embed_schema(SCHEMA_DIR OUTPUT_C [SUFFIX]) adds a build-time rule that runs
# embed_schema_script.cmake (cmake -P) whenever a NNNN_name.sql file is
# edited; CONFIGURE_DEPENDS re-globs at build time, so adding or removing a
# file also regenerates.  The generated file defines migrate_list() and
# migrate_latest(), or with SUFFIX (_postgres) migrate_list_postgres() and
# migrate_latest_postgres().  A malformed folder (a file without both dbmate markers
# "-- migrate:up" / "-- migrate:down", a bad name, duplicate or missing
# numbers) fails the build with a message naming the file.

set(_FU_EMBED_SCHEMA_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_schema_script.cmake)

function(fu_embed_schema schema_dir output_c)
  set(_fu_suffix "${ARGN}")
  file(GLOB _fu_sql CONFIGURE_DEPENDS "${schema_dir}/*.sql")
  list(SORT _fu_sql)
  # The file list itself is an input: a removed or renamed migration leaves
  # every remaining file older than the output, so the reconfigure that
  # CONFIGURE_DEPENDS triggers rewrites this list, which reruns the rule.
  # It is rewritten only when it changes, to spare needless rebuilds.
  string(REPLACE ";" "\n" _fu_list "${_fu_sql}")
  file(WRITE "${output_c}.inputs.tmp" "${_fu_list}\n")
  file(COPY_FILE "${output_c}.inputs.tmp" "${output_c}.inputs" ONLY_IF_DIFFERENT)
  file(REMOVE "${output_c}.inputs.tmp")
  add_custom_command(
    OUTPUT ${output_c}
    COMMAND ${CMAKE_COMMAND} -DSCHEMA_DIR=${schema_dir} -DOUTPUT_C=${output_c}
            -DSUFFIX=${_fu_suffix} -P ${_FU_EMBED_SCHEMA_SCRIPT}
    DEPENDS ${_fu_sql} ${output_c}.inputs ${_FU_EMBED_SCHEMA_SCRIPT}
    COMMENT "Embedding SQL migrations from ${schema_dir}"
    VERBATIM)
endfunction()
