# Install rules for the engine integration files, and the CPack setup: `cpack -G DEB` in a built
# tree (or `cmake --build DIR --target deb`) makes a .deb with the three binaries, their man
# pages, the hooks.d files, the default config as a conffile, the gc units and the docs.
#
# Every destination is relative to the install prefix: `cmake --install build --prefix P` writes
# under P (below $DESTDIR when set) and nowhere else, and never writes
# /etc/oci-netns-hook/config.json, which is the admin's. The hook runs on its built-in defaults
# while that file is missing; the default config is installed as P/share/oci-netns-hook/
# config.json.default to copy from. Only the .deb ships /etc/oci-netns-hook/config.json, as a
# conffile: dpkg keeps an admin's edits on upgrade and asks before replacing them
# (cmake/deb_staging.cmake adds it and the other Debian-only files to the package).
include(GNUInstallDirs)

# Files that name /usr/local/bin/ are rewritten for the prefix used at install time (/usr in the
# .deb), so hooks.d and systemd never point at a binary that is not there. `dest_dir` is
# relative to the prefix.
function(oci_netns_install_with_prefix src dest_dir)
  if(IS_ABSOLUTE "${dest_dir}")
    message(FATAL_ERROR "oci_netns_install_with_prefix: ${dest_dir} is outside the prefix")
  endif()
  get_filename_component(name ${src} NAME)
  install(CODE "
    file(READ \"${src}\" _text)
    string(REPLACE \"/usr/local/bin/\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/\" _text \"\${_text}\")
    set(_dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${dest_dir}\")
    file(MAKE_DIRECTORY \"\${_dest}\")
    file(WRITE \"\${_dest}/${name}\" \"\${_text}\")
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_dest}/${name}\")
    message(STATUS \"Installing: \${_dest}/${name}\")
  ")
endfunction()

# hooks.d: with the prefix /usr, /usr/share/containers/oci/hooks.d, the directory Podman and
# CRI-O read by default (oci-hooks(5)), and the shim's default.
set(OCI_NETNS_HOOKS_D ${CMAKE_INSTALL_DATADIR}/containers/oci/hooks.d)
file(GLOB _oci_netns_hooks ${PROJECT_SOURCE_DIR}/install/hooks.d/*.json)
foreach(f ${_oci_netns_hooks})
  oci_netns_install_with_prefix(${f} ${OCI_NETNS_HOOKS_D})
endforeach()
install(CODE "
  if(NOT CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    message(STATUS \"Note: Podman reads hooks.d from /usr/share/containers/oci/hooks.d and \"
                   \"/etc/containers/oci/hooks.d; pass --hooks-dir \${CMAKE_INSTALL_PREFIX}/${OCI_NETNS_HOOKS_D} \"
                   \"to podman or list it in hooks_dir of containers.conf\")
  endif()
")

file(GLOB _oci_netns_units ${PROJECT_SOURCE_DIR}/install/systemd/*.service
     ${PROJECT_SOURCE_DIR}/install/systemd/*.timer)
foreach(f ${_oci_netns_units})
  oci_netns_install_with_prefix(${f} lib/systemd/system)
endforeach()

foreach(f install/docker/daemon.json install/containerd/oci-netns-runtime.toml)
  oci_netns_install_with_prefix(${PROJECT_SOURCE_DIR}/${f} ${CMAKE_INSTALL_DOCDIR}/examples)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/install/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- the .deb ------------------------------------------------------------------------------
# The version and the maintainer come from the newest entry of install/debian/changelog, which
# ships as changelog.gz: they cannot disagree with it, and a new version without a changelog
# entry stops the configure step. The package is native (no Debian revision): the project itself
# writes its Debian packaging and changelog, and nothing is packaged separately from upstream.
file(STRINGS ${PROJECT_SOURCE_DIR}/install/debian/changelog _oci_netns_changelog)
list(GET _oci_netns_changelog 0 _oci_netns_entry)
if(NOT _oci_netns_entry MATCHES "^oci-netns-hook \\(([^)]+)\\) ")
  message(FATAL_ERROR "install/debian/changelog: first line is not \"oci-netns-hook (VERSION) ...\"")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "install/debian/changelog: the newest entry is ${CMAKE_MATCH_1}, the project "
                      "${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION}")
endif()
foreach(line IN LISTS _oci_netns_changelog)
  if(line MATCHES "^ -- (.+ <[^>]+>)  ")
    set(CPACK_PACKAGE_CONTACT "${CMAKE_MATCH_1}")
    break()
  endif()
endforeach()
if(NOT CPACK_PACKAGE_CONTACT)
  message(FATAL_ERROR "install/debian/changelog: no \" -- Name <address>  date\" line")
endif()

set(CPACK_PACKAGE_NAME oci-netns-hook)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "make container network namespaces visible to ip netns")
# Debian's extended description: lines of at most 80 characters, no double quotes (CPack does
# not escape them in the control file); CPack turns the empty line into the paragraph break.
set(CPACK_PACKAGE_DESCRIPTION [=[Container engines give every container a network namespace but never register
it in /run/netns, so 'ip netns list' shows none of them and 'ip netns exec'
cannot reach a container. This package registers them: a reference named after
the container appears while it runs and goes when it stops, optionally with
sysctls applied inside the namespace before the container's process starts.

It contains an OCI runtime hook (oci-netns-hook) that Podman and CRI-O run
from the hooks.d files installed here, so Podman containers are registered as
soon as the package is installed; a runtime shim (oci-netns-runtime) that adds
the same hooks for Docker and containerd once registered with them; and the
command line that lists the references (with each container's interfaces, host
peers and bridges) and removes those whose container is gone, which a systemd
timer runs every five minutes.]=])
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "runc | crun, iproute2")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "podman, cri-o, docker.io, containerd")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # oci-netns-hook_<version>_<arch>.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # used with CPACK_SET_DESTDIR
# The install(CODE) rules above read CMAKE_INSTALL_PREFIX to rewrite paths: staging through
# DESTDIR keeps it /usr.
set(CPACK_SET_DESTDIR ON)
# The binaries are stripped in the staging tree by cmake/deb_staging.cmake, as dh_strip does
# (CPack's own stripping keeps .comment).
set(CPACK_STRIP_FILES OFF)
set(CPACK_OCI_NETNS_STRIP ${CMAKE_STRIP})
# The executables are static (OCI_NETNS_STATIC); with a dynamic build, compute the dependencies.
if(OCI_NETNS_STATIC)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# dpkg keeps a locally edited config on upgrade, and removes it only on purge.
file(WRITE ${PROJECT_BINARY_DIR}/debian-control/conffiles "/etc/oci-netns-hook/config.json\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian-control/conffiles ${PROJECT_SOURCE_DIR}/install/debian/postinst
    ${PROJECT_SOURCE_DIR}/install/debian/prerm ${PROJECT_SOURCE_DIR}/install/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Adds the Debian-only files to the staging tree (and refuses a test build); CPACK_OCI_NETNS_*
# reach it through CPackConfig.cmake.
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb_staging.cmake)
set(CPACK_OCI_NETNS_SOURCE_DIR ${PROJECT_SOURCE_DIR})
set(CPACK_OCI_NETNS_DOCDIR ${CMAKE_INSTALL_DOCDIR})
set(CPACK_OCI_NETNS_MANPAGES ${OCI_NETNS_MANPAGES})
set(CPACK_OCI_NETNS_GZIP ${OCI_NETNS_GZIP})
set(CPACK_OCI_NETNS_NOT_FOR_INSTALL "")
foreach(option OCI_NETNS_TEST_BUILD OCI_NETNS_SANITIZE OCI_NETNS_FUZZ OCI_NETNS_ALLOW_UNTRUSTED_CONFIG)
  if(${option})
    list(APPEND CPACK_OCI_NETNS_NOT_FOR_INSTALL ${option})
  endif()
endforeach()
include(CPack)

# `cmake --build DIR --target deb`: the binaries and man pages, then the .deb in DIR. In a tree
# that is not for installation it fails at once, before cpack builds every test target.
if(CPACK_OCI_NETNS_NOT_FOR_INSTALL)
  add_custom_target(
    deb
    COMMAND ${CMAKE_COMMAND} -E echo "this build has ${CPACK_OCI_NETNS_NOT_FOR_INSTALL} set and is"
            "not for installation: package a Release build (install/build.sh --deb)"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
else()
  add_custom_target(
    deb
    COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    COMMENT "Building the .deb"
    VERBATIM)
  add_dependencies(deb oci-netns-hook oci-netns-runtime oci-netns-hook-cli)
  if(TARGET oci_netns_man)
    add_dependencies(deb oci_netns_man)
  endif()
endif()
