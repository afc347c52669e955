# Installs writ from WRIT_BUILD_DIR into WORK_DIR/prefix and builds and runs
# consumers against the installed package only (cmake -P; see CMakeLists.txt).
cmake_minimum_required(VERSION 3.25)

foreach(var WRIT_BUILD_DIR WRIT_SOURCE_DIR WORK_DIR CONSUMER_DIR GENERATOR C_COMPILER CXX_COMPILER VERSION LIBDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Builds with sanitizers link their runtime into the static libraries'
# users: consumers need the same flags.
set(flags "")
if(SANITIZE STREQUAL "address")
  set(flags "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer")
elseif(SANITIZE STREQUAL "thread")
  set(flags "-fsanitize=thread")
endif()

function(run)
  execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT COMMAND_ERROR_IS_FATAL ANY)
endfunction()

# 1. Install.
run("${CMAKE_COMMAND}" --install "${WRIT_BUILD_DIR}" --prefix "${prefix}")

# 2. What was installed: the headers, the package files, no path into the
#    source or build tree, and public headers that include only writ/, absl/
#    and the standard library.
foreach(f include/writ/writ.h include/writ/c_api.h ${LIBDIR}/cmake/writ/writConfig.cmake
          ${LIBDIR}/cmake/writ/writConfigVersion.cmake ${LIBDIR}/cmake/writ/writTargets.cmake
          ${LIBDIR}/pkgconfig/writ.pc ${LIBDIR}/libwrit_capi.a ${LIBDIR}/libwrit_compile.a)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB package_files "${prefix}/${LIBDIR}/cmake/writ/*.cmake" "${prefix}/${LIBDIR}/pkgconfig/writ.pc")
foreach(f IN LISTS package_files)
  file(READ "${f}" text)
  foreach(tree "${WRIT_SOURCE_DIR}" "${WRIT_BUILD_DIR}")
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${f} refers to ${tree}")
    endif()
  endforeach()
endforeach()
file(GLOB headers "${prefix}/include/writ/*.h")
foreach(h IN LISTS headers)
  file(STRINGS "${h}" includes REGEX "^#[ \t]*include")
  foreach(line IN LISTS includes)
    if(NOT line MATCHES "^#[ \t]*include[ \t]*(\"(writ|absl)/[^\"]+\"|<[a-z_]+(\\.h)?>)")
      message(FATAL_ERROR "${h}: a public header includes something consumers do not have: ${line}")
    endif()
    if(line MATCHES "\"writ/([^\"]+)\"")
      if(NOT EXISTS "${prefix}/include/writ/${CMAKE_MATCH_1}")
        message(FATAL_ERROR "${h}: includes writ/${CMAKE_MATCH_1}, which is not installed")
      endif()
    endif()
  endforeach()
endforeach()

# 3. A CMake project: find_package(writ CONFIG REQUIRED), nothing else.
run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/cmake-consumer" -G "${GENERATOR}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_C_FLAGS=${flags}" "-DCMAKE_CXX_FLAGS=${flags}"
    "-DEXPECTED_VERSION=${VERSION}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/cmake-consumer")
run("${WORK_DIR}/cmake-consumer/consumer_cxx")
run("${WORK_DIR}/cmake-consumer/consumer_c")

# 4. pkg-config: a C program compiled and linked with the flags it gives.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs writ OUTPUT_VARIABLE pc_flags
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "pkg-config --cflags --libs writ: ${pc_flags}")
execute_process(COMMAND "${PKG_CONFIG}" --modversion writ OUTPUT_VARIABLE pc_version
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
if(NOT pc_version STREQUAL VERSION)
  message(FATAL_ERROR "pkg-config --modversion writ: ${pc_version}, expected ${VERSION}")
endif()
separate_arguments(pc_list UNIX_COMMAND "${pc_flags}")
separate_arguments(flag_list UNIX_COMMAND "${flags}")
set(werror "")
if(WERROR)
  set(werror -Werror)   # writ's own builds (WRIT_WERROR): the C header is warning-free
endif()
run("${C_COMPILER}" -std=c99 -Wall -Wextra ${werror} -pedantic ${flag_list}
    "${CONSUMER_DIR}/consumer.c" -o "${WORK_DIR}/consumer_pc" ${pc_list})
run("${WORK_DIR}/consumer_pc")

# 5. A project that vendors the source tree with add_subdirectory: configured
#    only (its CMakeLists.txt asserts that the library alone is defined, with
#    no tests, tools, serve, benchmarks or examples and no -Werror); building
#    it would compile the library a second time.
run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}/../subdir_consumer" -B "${WORK_DIR}/subdir-consumer" -G "${GENERATOR}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "-DWRIT_SOURCE_DIR=${WRIT_SOURCE_DIR}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
message(STATUS "installed package works: CMake (C++ and C) and pkg-config (C) consumers; add_subdirectory configures the library alone")
