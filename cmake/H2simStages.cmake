# h2sim_stage(): one stage of the library (one folder under src/) as its own object library,
# which sees only the stages it is declared to depend on.
#
#   h2sim_stage(NAME
#     [DEPENDS stage ...]        stages whose headers NAME may include (and, through them,
#                                their own dependencies)
#     [HEADERS file ...]         public headers (include/h2sim/FILE) that belong to this stage
#     [LIBRARIES target ...]     third-party targets the stage uses
#     [SOURCES file ...])        sources; default: every src/NAME/*.cpp
#
# How a wrong-way include fails: a stage is not compiled with src/ on its include path.
# Instead each stage gets a view, build/stages/NAME/, holding a link NAME -> src/NAME and
# links h2sim/FILE -> include/h2sim/FILE for the public headers it owns. A stage's include
# path is its own view plus the views of the stages it depends on (transitively), so
# `#include "sim/kernel.hpp"` in src/compile/ or `#include "h2sim/simulate.hpp"` in src/io/
# is "No such file or directory" at compile time. docs/architecture.md draws the arrows.
#
# The stages' objects make up the one library, h2sim (see h2sim_library()).

set(H2SIM_STAGE_VIEWS ${PROJECT_BINARY_DIR}/stages)

# Flags every stage of the library is built with.
function(h2sim_stage_flags target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE ${H2SIM_WARNING_FLAGS})
  # Lanes must give the same bits as single runs: no contraction of a*b+c into FMA
  # (it differs between vector and scalar code), and never -ffast-math.
  target_compile_options(${target} PRIVATE -ffp-contract=off)
  if(NOT H2SIM_PORTABLE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
endfunction()

# A symbolic link, or a copy where the file system has none.
function(h2sim_view_link target link)
  if(NOT EXISTS ${link})
    file(CREATE_LINK ${target} ${link} SYMBOLIC COPY_ON_ERROR)
  endif()
endfunction()

function(h2sim_stage name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "DEPENDS;HEADERS;LIBRARIES;SOURCES")
  if(NOT ARG_SOURCES)
    file(GLOB ARG_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  endif()
  set(target h2sim_${name})
  add_library(${target} OBJECT ${ARG_SOURCES})

  set(view ${H2SIM_STAGE_VIEWS}/${name})
  file(MAKE_DIRECTORY ${view}/h2sim)
  h2sim_view_link(${PROJECT_SOURCE_DIR}/src/${name} ${view}/${name})
  foreach(header IN LISTS ARG_HEADERS)
    if(IS_ABSOLUTE ${header})
      get_filename_component(file ${header} NAME)
      h2sim_view_link(${header} ${view}/h2sim/${file})
    else()
      h2sim_view_link(${PROJECT_SOURCE_DIR}/include/h2sim/${header} ${view}/h2sim/${header})
    endif()
  endforeach()

  # PUBLIC: a stage that depends on this one sees this view and this one's dependencies.
  target_include_directories(${target} PUBLIC ${view})
  foreach(dependency IN LISTS ARG_DEPENDS)
    if(NOT TARGET h2sim_${dependency})
      message(FATAL_ERROR "stage ${name} depends on ${dependency}, which is not defined before it "
                          "(stages are declared bottom-up, so the arrows cannot form a cycle)")
    endif()
    target_link_libraries(${target} PUBLIC h2sim_${dependency})
  endforeach()
  target_link_libraries(${target} PUBLIC ${ARG_LIBRARIES})
  h2sim_stage_flags(${target})
  set_property(GLOBAL APPEND PROPERTY H2SIM_STAGE_TARGETS ${target})
endfunction()

# The library: every stage's objects in one target, h2sim::h2sim.
function(h2sim_library)
  get_property(stages GLOBAL PROPERTY H2SIM_STAGE_TARGETS)
  add_library(h2sim)
  foreach(stage IN LISTS stages)
    target_sources(h2sim PRIVATE $<TARGET_OBJECTS:${stage}>)
  endforeach()
  add_library(h2sim::h2sim ALIAS h2sim)
endfunction()
