# Install layout and the .deb / .rpm packages (CPack). Included from the
# top-level CMakeLists.txt once the safepip target exists.
#
#   bin/safepip                                   the program (needs no data files)
#   share/man/man1/safepip.1.gz                   from docs/man/safepip.1.scd (scdoc)
#   share/safepip/*.json                          the shipped policies and schema, to read and copy
#   share/bash-completion/completions/safepip     completions, where each shell looks
#   share/zsh/vendor-completions/_safepip
#   share/fish/vendor_completions.d/safepip.fish
#   share/fish/vendor_conf.d/safepip.fish         fish's side of the opt-in shell integration
#   share/doc/safepip/                            docs, copyright, changelog
#   /etc/safepip/policy.json, shell.conf          conffiles (only with SP_INSTALL_SYSCONF)
#   /etc/profile.d/safepip.sh                     opt-in shell integration for login shells
#
# The system policy path is fixed in the binary (SP_POLICY_SYSTEM_FILE,
# src/policy/policy.h): /etc/safepip/policy.json whatever the prefix, so the
# files under /etc go to /etc itself, not to <prefix>/etc, and only when the
# install is the system's own: configured for prefix /usr (SP_INSTALL_SYSCONF)
# and installed there (as the packages are). `cmake --install --prefix ~/x`
# never writes to /etc.
include(GNUInstallDirs)

set(SP_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SP_SYSCONF_DIR /etc/safepip)

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(sp_sysconf_default ON)
else()
    set(sp_sysconf_default OFF)
endif()
option(SP_INSTALL_SYSCONF
    "Install /etc/safepip/{policy.json,shell.conf} and /etc/profile.d/safepip.sh"
    ${sp_sysconf_default})
# Debian's zsh reads vendor-completions; Fedora's and Homebrew's read site-functions.
set(SP_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions CACHE STRING
    "Where the zsh completion _safepip goes (relative to the prefix)")
set(SP_PACKAGE_MAINTAINER "safepip developers <dev@safepip.invalid>" CACHE STRING
    "Maintainer field of the .deb and packager of the .rpm")
set(SP_PACKAGE_HOMEPAGE "https://safepip.dev" CACHE STRING "Homepage field of the packages")
set(SP_PACKAGE_LICENSE "LicenseRef-safepip-unspecified" CACHE STRING
    "License field of the .rpm (see packaging/debian/copyright)")

# --- the man page: scdoc source -> roff -> gzip (Debian wants it compressed) ---
find_program(SCDOC scdoc)
find_program(GZIP gzip)
set(sp_man_src ${CMAKE_SOURCE_DIR}/docs/man/safepip.1.scd)
if(SCDOC AND GZIP)
    set(sp_man ${CMAKE_BINARY_DIR}/man/safepip.1)
    # -n: no name or time stamp in the header, so the .gz is reproducible.
    add_custom_command(
        OUTPUT ${sp_man} ${sp_man}.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
        COMMAND sh -c "'${SCDOC}' < '${sp_man_src}' > '${sp_man}.tmp'"
        COMMAND ${CMAKE_COMMAND} -E rename ${sp_man}.tmp ${sp_man}
        COMMAND sh -c "'${GZIP}' -9n -c '${sp_man}' > '${sp_man}.gz'"
        DEPENDS ${sp_man_src}
        COMMENT "Generating the safepip(1) man page"
        VERBATIM)
    add_custom_target(safepip_man ALL DEPENDS ${sp_man}.gz)
    install(FILES ${sp_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
    message(WARNING "scdoc or gzip not found: the safepip(1) man page is not built "
        "(apt-get install scdoc, or run scripts/deps.sh)")
endif()

# --- data, completions, docs ---
install(FILES
    ${CMAKE_SOURCE_DIR}/policy/default.json ${CMAKE_SOURCE_DIR}/policy/strict.json
    ${CMAKE_SOURCE_DIR}/policy/permissive.json ${CMAKE_SOURCE_DIR}/policy/schema.json
    DESTINATION ${CMAKE_INSTALL_DATADIR}/safepip)
install(FILES ${SP_PKG_DIR}/completions/safepip.bash
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME safepip)
install(FILES ${SP_PKG_DIR}/completions/_safepip DESTINATION ${SP_ZSH_COMPLETION_DIR})
install(FILES ${SP_PKG_DIR}/completions/safepip.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${SP_PKG_DIR}/shell/vendor_conf.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_conf.d RENAME safepip.fish)

# The changelog carries the project's version, so it is made at configure time.
# The day only, so that reconfiguring does not rebuild it (SOURCE_DATE_EPOCH wins).
string(TIMESTAMP sp_changelog_date "%a, %d %b %Y 00:00:00 +0000" UTC)
configure_file(${SP_PKG_DIR}/debian/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog.Debian
    @ONLY)
if(GZIP)
    add_custom_command(
        OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
        COMMAND sh -c "'${GZIP}' -9n -c changelog.Debian > changelog.Debian.gz"
        WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/packaging
        DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.Debian
        VERBATIM)
    add_custom_target(safepip_changelog ALL
        DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
    install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT debian EXCLUDE_FROM_ALL)
endif()
install(FILES ${SP_PKG_DIR}/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
foreach(doc policy exit-codes shell json-output rules onboarding team)
    install(FILES ${CMAKE_SOURCE_DIR}/docs/${doc}.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
endforeach()
# Tags explained in the file. The "debian" component goes into the .deb only
# (packaging/cpack-per-generator.cmake), not into `cmake --install` either.
install(FILES ${SP_PKG_DIR}/debian/lintian-overrides
    DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME safepip
    COMPONENT debian EXCLUDE_FROM_ALL)

if(SP_INSTALL_SYSCONF)
    # Decided again at install time: `cmake --install build --prefix ~/x` of a
    # build configured for /usr must not write to the real /etc. DESTDIR (as
    # cpack uses) still applies: file(INSTALL) puts it in front.
    install(CODE "
        if(NOT CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
            message(STATUS \"Skipping /etc/safepip and /etc/profile.d: prefix is not /usr\")
        else()
            file(INSTALL DESTINATION \"${SP_SYSCONF_DIR}\" TYPE FILE
                FILES \"${SP_PKG_DIR}/etc/policy.json\" \"${SP_PKG_DIR}/etc/shell.conf\")
            file(INSTALL DESTINATION /etc/profile.d TYPE FILE
                FILES \"${SP_PKG_DIR}/etc/profile.d/safepip.sh\")
        endif()")
endif()

# --- CPack: .deb and .rpm ---
set(CPACK_PACKAGE_NAME safepip)
set(CPACK_PACKAGE_VENDOR "safepip developers")
set(CPACK_PACKAGE_CONTACT "${SP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL "${SP_PACKAGE_HOMEPAGE}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "gate for pip that scans Python packages before install")
set(CPACK_PACKAGE_DESCRIPTION_FILE ${SP_PKG_DIR}/description.txt)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE ${SP_PKG_DIR}/cpack-per-generator.cmake)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/third_party/" "__pycache__")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SP_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries the binary links, with versions, from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# install and lock ask the target interpreter for its facts, and make venvs.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-venv")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
if(SP_INSTALL_SYSCONF)
    set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${SP_PKG_DIR}/debian/conffiles)
endif()

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "${SP_PACKAGE_LICENSE}")
set(CPACK_RPM_PACKAGE_GROUP "Development/Tools")
set(CPACK_RPM_PACKAGE_URL "${SP_PACKAGE_HOMEPAGE}")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# /etc/safepip is where the binary looks, whatever the prefix.
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_SUGGESTS "python3")
# Directories other packages own: the rpm must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/profile.d /usr/share/bash-completion /usr/share/bash-completion/completions
    /usr/share/zsh /usr/share/zsh/vendor-completions /usr/share/zsh/site-functions
    /usr/share/fish /usr/share/fish/vendor_completions.d /usr/share/fish/vendor_conf.d
    /usr/share/lintian /usr/share/lintian/overrides /usr/share/man /usr/share/man/man1)
if(SP_INSTALL_SYSCONF)
    # An edited policy survives upgrades; rpm keeps the new one as .rpmnew.
    set(CPACK_RPM_USER_FILELIST
        "%config(noreplace) /etc/safepip/policy.json"
        "%config(noreplace) /etc/safepip/shell.conf"
        "%config(noreplace) /etc/profile.d/safepip.sh")
endif()

include(CPack)
