# SwaggerUI: swagger-ui-dist, the npm package pinned in docs/package.json
# and docs/package-lock.json, whose swagger-ui-bundle.js and swagger-ui.css
# users.fcgi builds in for /docs (src/users/docs_assets.c).
#
# fu_swagger_ui(OUT_VAR) sets OUT_VAR to the folder holding those files, or
# to "" when the build goes without Swagger UI (/docs then answers 404;
# /openapi.json is always built in):
#   -DFCGI_USERS_SWAGGER_UI=OFF           build without it;
#   -DFCGI_USERS_SWAGGER_UI_DIR=/path     use that folder (offline builds);
#   otherwise `npm ci --ignore-scripts` into <build>/docs-node at configure
#   time, again only when the lock file changes.  --ignore-scripts: the
#   package's dependency @scarf/scarf would otherwise report the install
#   over the network.  When npm is missing or fails, a warning says so and
#   the build goes on without Swagger UI.

option(FCGI_USERS_SWAGGER_UI "Build Swagger UI (npm swagger-ui-dist) into users.fcgi for /docs" ON)
set(FCGI_USERS_SWAGGER_UI_DIR "" CACHE PATH
  "A swagger-ui-dist folder to build in (default: npm ci into the build tree)")

function(fu_swagger_ui out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(NOT FCGI_USERS_SWAGGER_UI)
    message(STATUS "Swagger UI: off (FCGI_USERS_SWAGGER_UI=OFF): /docs answers 404")
    return()
  endif()
  set(src ${PROJECT_SOURCE_DIR}/docs)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${src}/package.json ${src}/package-lock.json)
  if(FCGI_USERS_SWAGGER_UI_DIR)
    set(dir ${FCGI_USERS_SWAGGER_UI_DIR})
  else()
    set(prefix ${CMAKE_BINARY_DIR}/docs-node)
    set(dir ${prefix}/node_modules/swagger-ui-dist)
    file(SHA256 ${src}/package-lock.json want)
    set(have "")
    if(EXISTS ${prefix}/installed.sha256)
      file(READ ${prefix}/installed.sha256 have)
    endif()
    if(NOT have STREQUAL want OR NOT EXISTS ${dir}/swagger-ui-bundle.js)
      find_program(FU_NPM npm)
      if(NOT FU_NPM)
        message(WARNING "Swagger UI: npm not found (Debian: apt-get install npm); "
          "building without it: /docs answers 404")
        return()
      endif()
      file(REMOVE ${prefix}/installed.sha256)
      file(MAKE_DIRECTORY ${prefix})
      file(COPY ${src}/package.json ${src}/package-lock.json DESTINATION ${prefix})
      message(STATUS "Swagger UI: npm ci --ignore-scripts in ${prefix}")
      execute_process(
        COMMAND ${CMAKE_COMMAND} -E env SCARF_ANALYTICS=false
                ${FU_NPM} ci --ignore-scripts --prefer-offline --no-audit --no-fund
        WORKING_DIRECTORY ${prefix}
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
        TIMEOUT 300)
      if(NOT rc EQUAL 0)
        message(WARNING "Swagger UI: npm ci failed (${rc}); building without it: "
          "/docs answers 404.  npm said:\n${out}")
        return()
      endif()
      file(WRITE ${prefix}/installed.sha256 "${want}")
    endif()
  endif()
  foreach(f swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE)
    if(NOT EXISTS ${dir}/${f})
      message(WARNING "Swagger UI: ${dir}/${f} is missing; building without it")
      return()
    endif()
  endforeach()
  message(STATUS "Swagger UI: ${dir}")
  set(${out_var} ${dir} PARENT_SCOPE)
endfunction()
