# Writes one gzipped man page from a built program's own --help (cmake -P, from manpages.cmake), so
# the page cannot drift from what the program prints: help2man formats the top-level --help, and
# each subcommand listed under "Subcommands:" there gets a section made by help2man from that
# subcommand's --help. INCLUDE adds the prose --help has no room for (help2man's [SECTION] format).
#
# -D arguments: HELP2MAN, GZIP, PROGRAM (the built executable), DESCRIPTION (help2man --name),
# INCLUDE, OUTPUT (.1.gz), VERSION; HELP_ARGS (";"-list put before --help, for a program whose own
# --help is another program's: oci-netns-runtime passes its --help through to runc) and
# USE_VERSION_STRING (ON: VERSION instead of the program's --version, which for the runtime is
# runc's, and for the CLI names oci-netns-hook; help2man takes the page's title from it).
cmake_minimum_required(VERSION 3.22)

foreach(var HELP2MAN GZIP PROGRAM DESCRIPTION INCLUDE OUTPUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpage.cmake: -D${var}=... is required")
  endif()
endforeach()

get_filename_component(name "${PROGRAM}" NAME)
get_filename_component(dir "${PROGRAM}" DIRECTORY)
# help2man runs the program by name, so that usage lines say "oci-netns-hook", not the build path.
set(ENV{PATH} "${dir}:$ENV{PATH}")
# What goes before a subcommand or --help ("" or "--oci-netns-admin ").
set(help_prefix "")
foreach(arg IN LISTS HELP_ARGS)
  string(APPEND help_prefix "${arg} ")
endforeach()

function(run_help2man help_option out_var)
  set(version_args)
  if(USE_VERSION_STRING)
    set(version_args "--version-string=${VERSION}")
  endif()
  execute_process(
    COMMAND ${HELP2MAN} --no-info --section=1 "--name=${DESCRIPTION}" ${version_args}
            "--help-option=${help_option}" ${ARGN} ${name}
    OUTPUT_VARIABLE page
    ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man ${name} ${help_option} failed (${rc}): ${err}")
  endif()
  set(${out_var} "${page}" PARENT_SCOPE)
endfunction()

# The body of section `title` in a help2man page ("" if absent).
function(section_body page title out_var)
  string(FIND "${page}" "\n.SH ${title}\n" start)
  if(start EQUAL -1)
    set(${out_var} "" PARENT_SCOPE)
    return()
  endif()
  string(LENGTH "\n.SH ${title}\n" header)
  math(EXPR start "${start} + ${header}")
  string(SUBSTRING "${page}" ${start} -1 rest)
  string(FIND "${rest}" "\n.SH " end)
  if(NOT end EQUAL -1)
    string(SUBSTRING "${rest}" 0 ${end} rest)
  endif()
  set(${out_var} "${rest}" PARENT_SCOPE)
endfunction()

# The subcommands the top-level --help lists (CLI11: "Subcommands:", then "  name  description").
execute_process(COMMAND ${name} ${HELP_ARGS} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${name} ${help_prefix}--help failed (${rc})")
endif()
string(REGEX REPLACE ".*\nSubcommands:\n" "" listing "${help}")
if(listing STREQUAL help)
  set(listing "")
endif()
string(REPLACE "\n" ";" listing "${listing}")
set(subcommands)
foreach(line IN LISTS listing)
  if(line MATCHES "^  ([A-Za-z][A-Za-z0-9-]*) ")
    list(APPEND subcommands ${CMAKE_MATCH_1})
  elseif(NOT line MATCHES "^ ")
    break()
  endif()
endforeach()
if(listing AND NOT subcommands)
  message(FATAL_ERROR "${name}: no subcommand found in its --help")
endif()

# One section for the subcommands: usage, description and options of each.
file(READ "${INCLUDE}" include_text)
set(commands "")
foreach(sub IN LISTS subcommands)
  run_help2man("${help_prefix}${sub} --help" page)
  section_body("${page}" "DESCRIPTION" description)
  section_body("${page}" "OPTIONS" options)
  string(REPLACE "-" "\\-" usage "${name} ${help_prefix}${sub}")
  string(APPEND commands ".SS \"${usage}\"\n${description}\n${options}\n")
endforeach()
set(include_file "${OUTPUT}.h2m")
if(commands)
  file(WRITE "${include_file}" "${include_text}\n[COMMANDS]\n${commands}")
else()
  file(WRITE "${include_file}" "${include_text}")
endif()

# help2man reads SOURCE_DATE_EPOCH for the page's date when the builder sets it (reproducible).
run_help2man("${help_prefix}--help" page "--include=${include_file}")
string(REGEX REPLACE "\\.1\\.gz$" ".1" plain "${OUTPUT}")
file(WRITE "${plain}" "${page}")
# gzip -9n: maximum compression and no name or time stamp in the header (what lintian expects).
execute_process(COMMAND ${GZIP} -9nf "${plain}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${plain} failed")
endif()
file(REMOVE "${include_file}")
