// The one Catch2 main of h2sim_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
