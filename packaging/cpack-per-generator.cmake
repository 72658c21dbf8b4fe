# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE). Each package
# is one file made of the listed install components: the .deb adds the
# Debian changelog and lintian overrides (component "debian", which a plain
# `cmake --install` leaves out), the others do not.
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
if(CPACK_GENERATOR STREQUAL "DEB")
    set(CPACK_COMPONENTS_ALL Unspecified debian)
    set(CPACK_DEB_COMPONENT_INSTALL ON)
else()
    set(CPACK_COMPONENTS_ALL Unspecified)
    set(CPACK_RPM_COMPONENT_INSTALL ON)
    set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)
endif()
