# test_deb_package: builds the .deb with CPack from the build folder
# (cmake/Package.cmake), installs it into a scratch root with dpkg-deb -x
# (no maintainer scripts, no root needed), and checks what an operator
# gets: the package's fields and dependencies (libcurl4 recommended, never
# a Depends: no program links it), the layout (/usr/bin/fcgi-users, the
# four programs in /usr/lib/fcgi-users/cgi-bin, schema, configurations
# and guides in /usr/share/fcgi-users, nothing else), and that the
# installed admin tool and programs run (--version).
#
#   cmake -DCPACK=... -DDPKG_DEB=... -DBUILD_DIR=... -DWORK=... -DVERSION=...
#         -P check_deb.cmake

foreach(v CPACK DPKG_DEB BUILD_DIR WORK VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_deb.cmake: -D${v}=... is required")
  endif()
endforeach()

set(failures 0)
macro(bad what)
  message(SEND_ERROR "test_deb_package: ${what}")
  math(EXPR failures "${failures} + 1")
endmacro()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${CPACK}" --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed (${rc}):\n${out}\n${err}")
endif()
file(GLOB debs "${WORK}/*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "want one .deb in ${WORK}, found ${n}: ${debs}\n${out}")
endif()
set(deb "${debs}")
file(SIZE "${deb}" size)
get_filename_component(debname "${deb}" NAME)
message(STATUS "package: ${debname}, ${size} bytes")

# --- control fields ---
macro(field name var)
  execute_process(COMMAND "${DPKG_DEB}" -f "${deb}" ${name}
    OUTPUT_VARIABLE ${var} OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  message(STATUS "${name}: ${${var}}")
endmacro()
field(Package pkg)
field(Version ver)
field(Architecture arch)
field(Depends depends)
field(Recommends recommends)
if(NOT pkg STREQUAL "fcgi-users")
  bad("Package is \"${pkg}\"")
endif()
if(NOT ver STREQUAL "${VERSION}")
  bad("Version is \"${ver}\", the project's is ${VERSION}")
endif()
if(arch STREQUAL "" OR arch STREQUAL "all")
  bad("Architecture is \"${arch}\": the programs are native")
endif()
# What the programs link (dpkg-shlibdeps), by Debian 12's package names.
foreach(lib libc6 libssl3 libsqlite3-0 libjson-c5 libfcgi0ldbl libargon2-1 libcrypt1)
  if(NOT depends MATCHES "(^|, )${lib}( |,|$)")
    bad("Depends lacks ${lib}: ${depends}")
  endif()
endforeach()
if(depends MATCHES "curl")
  bad("Depends names libcurl, which no program links: ${depends}")
endif()
if(depends MATCHES "libpq")
  bad("Depends names libpq, which no program links: ${depends}")
endif()
field(Suggests suggests)
if(NOT suggests MATCHES "(^|, )libpq5( |,|$)")
  bad("Suggests lacks libpq5 (loaded with dlopen for PostgreSQL): ${suggests}")
endif()
if(NOT recommends MATCHES "(^|, )libcurl4( |,|$)")
  bad("Recommends lacks libcurl4 (loaded with dlopen for SMTP and Nominatim): ${recommends}")
endif()

# --- contents ---
execute_process(COMMAND "${DPKG_DEB}" -c "${deb}" OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
foreach(stray "/test_" "floor.fcgi" "/bench/" "/usr/cgi-bin" "/usr/local/" "argon2_once"
    "/include/" "\\.a\n")
  if(listing MATCHES "${stray}")
    bad("the package holds \"${stray}\":\n${listing}")
  endif()
endforeach()
set(root "${WORK}/root")
execute_process(COMMAND "${DPKG_DEB}" -x "${deb}" "${root}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dpkg-deb -x failed: ${err}")
endif()
set(programs auth.fcgi users.fcgi geocoding.fcgi mcp.fcgi)
set(want
  usr/bin/fcgi-users
  usr/share/fcgi-users/README.md
  usr/share/fcgi-users/schema/sqlite/0001_users.sql
  usr/share/fcgi-users/lighttpd/production.conf
  usr/share/fcgi-users/lighttpd/dev.conf
  usr/share/fcgi-users/lighttpd/cgi.conf
  usr/share/fcgi-users/apache/fcgi-users.conf
  usr/share/fcgi-users/apache/fcgi-users-proxy.conf
  usr/share/fcgi-users/apache/htaccess
  usr/share/fcgi-users/nginx/fcgi-users.conf
  usr/share/fcgi-users/docs/deploy-deb.md
  usr/share/fcgi-users/docs/deploy-lighttpd.md
  usr/share/fcgi-users/docs/deploy-apache.md
  usr/share/fcgi-users/docs/deploy-cgi.md
  usr/share/fcgi-users/docs/deploy-nginx.md)
foreach(p ${programs})
  list(APPEND want usr/lib/fcgi-users/cgi-bin/${p})
endforeach()
foreach(f ${want})
  if(NOT EXISTS "${root}/${f}")
    bad("/${f} is missing")
  endif()
endforeach()
if(EXISTS "${root}/usr/cgi-bin")
  bad("/usr/cgi-bin exists: the programs belong in /usr/lib/fcgi-users/cgi-bin")
endif()
file(GLOB_RECURSE schema RELATIVE "${root}" "${root}/usr/share/fcgi-users/schema/sqlite/*.sql")
list(LENGTH schema nschema)
if(nschema LESS 7)
  bad("only ${nschema} schema migrations installed: ${schema}")
endif()

# --- it runs ---
macro(runs exe want_out)
  execute_process(COMMAND "${exe}" --version OUTPUT_VARIABLE o ERROR_VARIABLE e
    RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT o STREQUAL "${want_out}")
    bad("${exe} --version: status ${rc}, \"${o}\" ${e}; want \"${want_out}\"")
  else()
    message(STATUS "${o}")
  endif()
endmacro()
runs("${root}/usr/bin/fcgi-users" "fcgi-users ${VERSION}")
foreach(p ${programs})
  runs("${root}/usr/lib/fcgi-users/cgi-bin/${p}" "${p} ${VERSION}")
endforeach()

if(failures GREATER 0)
  message(FATAL_ERROR "test_deb_package: ${failures} check(s) failed")
endif()
message(STATUS "test_deb_package: ${debname} (${size} bytes) passes")
