# `cmake --install`: the public headers (include/writ), every stage library,
# the `writ` command, a CMake package (writConfig.cmake: targets writ::writ,
# writ::writ_capi, writ::writ_<stage>) and a pkg-config file (writ.pc).
#
# Consumers: find_package(writ CONFIG REQUIRED) + target_link_libraries(app
# PRIVATE writ::writ); or `pkg-config --cflags --libs writ`.
#
# What is installed is `writ` and the stages it links, found by following
# the links from `writ` through the stages (writ_stage registers each in the
# global property WRIT_STAGE_TARGETS); a new stage added to `writ` is
# installed without an edit here, and stages outside it (src/serve, used by
# the CLI only) are not. A stage that brings a new external dependency adds
# its find_dependency to cmake/writConfig.cmake.in and its pkg-config module
# to WRIT_PC_REQUIRES.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(WRIT_STAGE_TARGETS GLOBAL PROPERTY WRIT_STAGE_TARGETS)

# Sets `out` to the stages `writ` links, directly or not, each before the
# stages it links (the order static libraries are given to a linker):
# a depth-first walk with an explicit stack of (target, expanded?) pairs.
function(_writ_stage_link_order out)
  set(order "")
  set(visited "")
  get_target_property(roots writ INTERFACE_LINK_LIBRARIES)
  foreach(root IN LISTS roots)
    if(NOT root IN_LIST WRIT_STAGE_TARGETS)
      continue()
    endif()
    set(stack "${root}:0")
    while(stack)
      list(POP_BACK stack top)
      string(REPLACE ":" ";" parts "${top}")
      list(GET parts 0 t)
      list(GET parts 1 expanded)
      if(expanded)
        list(APPEND order "${t}")
        continue()
      endif()
      if(t IN_LIST visited)
        continue()
      endif()
      list(APPEND visited "${t}")
      list(APPEND stack "${t}:1")
      get_target_property(deps ${t} LINK_LIBRARIES)
      foreach(d IN LISTS deps)
        if(d IN_LIST WRIT_STAGE_TARGETS AND NOT d IN_LIST visited)
          list(APPEND stack "${d}:0")
        endif()
      endforeach()
    endwhile()
  endforeach()
  # `order` has each stage after everything it links; linkers want the reverse.
  list(REVERSE order)
  set(${out} "${order}" PARENT_SCOPE)
endfunction()
_writ_stage_link_order(WRIT_INSTALLED_STAGES)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/writ"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h")
install(TARGETS writ writ_headers ${WRIT_INSTALLED_STAGES}
        EXPORT writTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"   # WRIT_SHARED_STAGES
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(WRIT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/writ")
install(EXPORT writTargets NAMESPACE writ:: DESTINATION "${WRIT_CMAKE_DIR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/writConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/writConfig.cmake"
                              INSTALL_DESTINATION "${WRIT_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/writConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/writConfig.cmake" "${PROJECT_BINARY_DIR}/writConfigVersion.cmake"
        DESTINATION "${WRIT_CMAKE_DIR}")

# writ.pc. The libraries are static, so Libs names every installed stage in
# link order, then the C++ runtime (for C programs), and Requires every
# library they use.
set(WRIT_PC_LIBS "")
foreach(t IN LISTS WRIT_INSTALLED_STAGES)
  string(APPEND WRIT_PC_LIBS " -l${t}")
endforeach()
set(WRIT_PC_REQUIRES
    "absl_status absl_statusor absl_strings absl_str_format absl_span absl_flat_hash_map absl_flat_hash_set absl_hash absl_time re2 yaml-cpp libcrypto libarchive")
file(RELATIVE_PATH WRIT_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" WRIT_PC_TO_PREFIX "${WRIT_PC_TO_PREFIX}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/writ.pc.in" "${PROJECT_BINARY_DIR}/writ.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/writ.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
