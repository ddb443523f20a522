# Install rules for the engine integration files and the CPack setup: `cpack -G DEB` builds a
# .deb with the three binaries, the hooks.d files, the default config, the gc units and the docs.

# Files that name /usr/local/bin/ are rewritten for the prefix used at install time (/usr in the
# .deb), so hooks.d and systemd never point at a binary that is not there.
function(oci_netns_install_with_prefix src dest_dir)
  get_filename_component(name ${src} NAME)
  install(CODE "
    file(READ \"${src}\" _text)
    string(REPLACE \"/usr/local/bin/\" \"\${CMAKE_INSTALL_PREFIX}/bin/\" _text \"\${_text}\")
    set(_dest \"${dest_dir}\")
    if(NOT IS_ABSOLUTE \"\${_dest}\")
      set(_dest \"\${CMAKE_INSTALL_PREFIX}/\${_dest}\")
    endif()
    file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${_dest}\")
    file(WRITE \"\$ENV{DESTDIR}\${_dest}/${name}\" \"\${_text}\")
    message(STATUS \"Installing: \$ENV{DESTDIR}\${_dest}/${name}\")
  ")
endfunction()

# hooks.d: the directory Podman and CRI-O read by default (oci-hooks(5)), and the shim's default.
file(GLOB _oci_netns_hooks ${PROJECT_SOURCE_DIR}/install/hooks.d/*.json)
foreach(f ${_oci_netns_hooks})
  oci_netns_install_with_prefix(${f} /usr/share/containers/oci/hooks.d)
endforeach()

file(GLOB _oci_netns_units ${PROJECT_SOURCE_DIR}/install/systemd/*.service
     ${PROJECT_SOURCE_DIR}/install/systemd/*.timer)
foreach(f ${_oci_netns_units})
  oci_netns_install_with_prefix(${f} lib/systemd/system)
endforeach()

install(FILES config/config.json DESTINATION /etc/oci-netns-hook)
foreach(f install/docker/daemon.json install/containerd/oci-netns-runtime.toml)
  oci_netns_install_with_prefix(${PROJECT_SOURCE_DIR}/${f} ${CMAKE_INSTALL_DOCDIR}/examples)
endforeach()

set(CPACK_PACKAGE_NAME oci-netns-hook)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "oci-netns-hook maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "OCI hook and runtime shim that make container network namespaces visible to ip netns")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # used with CPACK_SET_DESTDIR
set(CPACK_STRIP_FILES ON)
# Absolute destinations (/etc, /usr/share/containers) must land in the staging tree.
set(CPACK_SET_DESTDIR ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# The executables are static (OCI_NETNS_STATIC); with a dynamic build, compute the dependencies.
if(OCI_NETNS_STATIC)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "runc | crun, iproute2")
# dpkg keeps a locally edited config on upgrade and purge-only removal.
file(WRITE ${PROJECT_BINARY_DIR}/debian-control/conffiles "/etc/oci-netns-hook/config.json\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian-control/conffiles)
include(CPack)
