# Man pages for the three commands, generated at build time by help2man from the built programs'
# own --help (cmake/manpage.cmake), so they cannot drift from it; install/man/<program>.h2m holds
# the prose --help has no room for. Built with ALL, so that `cpack -G DEB` after a build finds
# them; not in sanitizer or fuzz builds, whose instrumented programs are not for installation.
include(GNUInstallDirs)

set(OCI_NETNS_MANPAGES "")
if(OCI_NETNS_SANITIZE OR OCI_NETNS_FUZZ)
  return()
endif()
find_program(OCI_NETNS_HELP2MAN help2man)
find_program(OCI_NETNS_GZIP gzip REQUIRED)
if(NOT OCI_NETNS_HELP2MAN)
  message(WARNING "help2man not found (install/deps.sh installs it): no man pages; "
                  "a package built from this tree is incomplete")
  return()
endif()

# program, --name text, extra manpage.cmake arguments
function(oci_netns_manpage program description)
  set(out ${PROJECT_BINARY_DIR}/man/${program}.1.gz)
  set(include ${PROJECT_SOURCE_DIR}/install/man/${program}.h2m)
  add_custom_command(
    OUTPUT ${out}
    COMMAND
      ${CMAKE_COMMAND} -DHELP2MAN=${OCI_NETNS_HELP2MAN} -DGZIP=${OCI_NETNS_GZIP}
      -DPROGRAM=$<TARGET_FILE:${program}> "-DDESCRIPTION=${description}" -DINCLUDE=${include}
      -DOUTPUT=${out} -DVERSION=${PROJECT_VERSION} ${ARGN} -P
      ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
    # The hook and the shim exec oci-netns-hook-cli for --help (common/sys/self_exec.hpp).
    DEPENDS ${program} oci-netns-hook-cli ${include} ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
    COMMENT "Generating the man page of ${program} from its --help"
    VERBATIM)
  set(OCI_NETNS_MANPAGES ${OCI_NETNS_MANPAGES} ${out} PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/man)
oci_netns_manpage(oci-netns-hook "register container network namespaces in /run/netns")
# Its --version names oci-netns-hook, whose command line it is; help2man would title the page so.
oci_netns_manpage(oci-netns-hook-cli "command line of oci-netns-hook" -DUSE_VERSION_STRING=ON)
# Its own --help and --version are runc's (the shim passes them through): its admin verbs' help
# and the project's version instead.
oci_netns_manpage(oci-netns-runtime "OCI runtime shim that adds hooks.d hooks for Docker and containerd"
                  -DHELP_ARGS=--oci-netns-admin -DUSE_VERSION_STRING=ON)
add_custom_target(oci_netns_man ALL DEPENDS ${OCI_NETNS_MANPAGES})
install(FILES ${OCI_NETNS_MANPAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
