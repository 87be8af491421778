# Packaging: the install layout's Debian variant, and a .deb for Debian 12
# built by CPack from the build folder (docs/deploy-deb.md):
#
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j
#   cpack --config build/CPackConfig.cmake -B build/package    # build/package/fcgi-users_<v>_amd64.deb
#
# `cmake --install build --prefix P` lays out P/cgi-bin/ (the four
# programs), P/bin/fcgi-users and P/share/fcgi-users/ (schema, the server
# configurations, the guides).  Under /usr, which a Debian package uses,
# a cgi-bin/ folder has no place (FHS): there the programs go to
# /usr/lib/fcgi-users/cgi-bin instead.  Their own install rules
# (src/*/CMakeLists.txt) say cgi-bin; fu_relocate_cgi, run at install time
# after them, moves the four files when the prefix is /usr.  Included from
# the top-level CMakeLists.txt after the programs' directories.
#
# Dependencies: dpkg-shlibdeps reads them from the programs (libc6,
# libssl3, libsqlite3-0, libjson-c5, libfcgi0ldbl, libargon2-1,
# libcrypt1).  libcurl is not among them: no program links it, the process
# that sends mail over SMTP or asks Nominatim loads it with dlopen
# (src/common/curl_dl.c), so libcurl4 is declared here, as Recommends:
# without it the offline gazetteer and the mail outbox work, SMTP and
# Nominatim fail with a log line.  tests/package/check_deb.cmake checks
# the package (test_deb_package).

# `make install` and cpack do not build first (build, then install or
# package): otherwise cpack's "preinstall" step walks every target of the
# tree (tests included), which took 25 s of an up-to-date build here.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(CODE [[
  # fu_relocate_cgi: /usr/cgi-bin/*.fcgi -> /usr/lib/fcgi-users/cgi-bin/
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(_fu_from "$ENV{DESTDIR}/usr/cgi-bin")
    set(_fu_to "$ENV{DESTDIR}/usr/lib/fcgi-users/cgi-bin")
    file(MAKE_DIRECTORY "${_fu_to}")
    foreach(_fu_p auth.fcgi users.fcgi geocoding.fcgi mcp.fcgi)
      if(EXISTS "${_fu_from}/${_fu_p}")
        file(RENAME "${_fu_from}/${_fu_p}" "${_fu_to}/${_fu_p}")
        message(STATUS "Moved to: ${_fu_to}/${_fu_p}")
      endif()
    endforeach()
    # Only when we emptied it: a cgi-bin of someone else's stays.
    file(GLOB _fu_left "${_fu_from}/*")
    if(NOT _fu_left)
      file(REMOVE_RECURSE "${_fu_from}")
    endif()
  endif()
]])

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fcgi-users)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fcgi-users maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "FastAPI-Users' API in C: FastCGI/CGI programs for Apache, lighttpd, nginx")
set(CPACK_PACKAGE_DESCRIPTION
  "fcgi-users is a drop-in replacement for a Python FastAPI service built on
FastAPI-Users: the same paths, JSON bodies, status codes, error strings and
JWT Bearer tokens, served by four FastCGI programs (auth, users,
geocoding, mcp) behind Apache (mod_fcgid, or .htaccess on shared
hosting), lighttpd or nginx, or as plain CGI.  The admin tool fcgi-users
migrates the SQLite database, manages users and keys and mints tokens.
The programs are in /usr/lib/fcgi-users/cgi-bin; server configurations and
guides in /usr/share/fcgi-users.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcurl4")
# libpq5: loaded with dlopen for a postgresql:// DATABASE_URL only.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
  "lighttpd | apache2 | nginx, libapache2-mod-fcgid, spawn-fcgi, multiwatch, sqlite3, libpq5")
include(CPack)
