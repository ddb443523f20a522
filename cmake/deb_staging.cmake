# CPack pre-build script for the .deb (CPACK_PRE_BUILD_SCRIPTS): runs after `cmake --install` has
# staged the package and before it is packed. It adds what only the Debian package has, so that
# no `cmake --install` ever writes it: /etc/oci-netns-hook/config.json (a conffile), the changelog
# (changelog.gz, gzip -9n: the name in a native package) and the lintian override; and it strips
# the binaries. It refuses a tree built for the tests, and one without man pages.
if(CPACK_OCI_NETNS_NOT_FOR_INSTALL)
  message(FATAL_ERROR "this build has ${CPACK_OCI_NETNS_NOT_FOR_INSTALL} set and is not for "
                      "installation: package a Release build (install/build.sh --deb)")
endif()
if(NOT CPACK_OCI_NETNS_MANPAGES)
  message(FATAL_ERROR "no man pages in this build (help2man missing at configure time?)")
endif()

# With CPACK_SET_DESTDIR the staged files are under <staging dir>/usr/...
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(NOT EXISTS "${root}/usr/bin/oci-netns-hook")
  message(FATAL_ERROR "deb_staging.cmake: ${root}/usr/bin/oci-netns-hook is missing")
endif()
set(src "${CPACK_OCI_NETNS_SOURCE_DIR}")
set(doc "${root}/usr/${CPACK_OCI_NETNS_DOCDIR}")

# file(COPY_FILE), not file(INSTALL): cpack runs this script with DESTDIR set to the staging
# directory, and file(INSTALL) would put it in front of these paths a second time.
function(stage from to)
  get_filename_component(dir "${to}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${from}" "${to}" ONLY_IF_DIFFERENT)
  file(CHMOD "${to}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()
stage("${src}/config/config.json" "${root}/etc/oci-netns-hook/config.json")
stage("${src}/install/debian/lintian-overrides" "${root}/usr/share/lintian/overrides/oci-netns-hook")
execute_process(COMMAND "${CPACK_OCI_NETNS_GZIP}" -9n -c "${src}/install/debian/changelog"
                OUTPUT_FILE "${doc}/changelog.gz" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip of install/debian/changelog failed")
endif()
file(CHMOD "${doc}/changelog.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Stripped as dh_strip strips an executable: all symbols and debug info (most of a static
# binary's size), and the .comment and .note sections (compiler versions); build ids stay.
file(GLOB binaries "${root}/usr/bin/*")
foreach(binary IN LISTS binaries)
  execute_process(COMMAND "${CPACK_OCI_NETNS_STRIP}" --remove-section=.comment
                          --remove-section=.note "${binary}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strip ${binary} failed")
  endif()
endforeach()
