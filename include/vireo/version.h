// Vireo's version and the Redis version whose behaviour it matches.
#pragma once

#define VIREO_VERSION "0.1.0"
// Reported as redis_version in INFO and HELLO so clients enable the same
// features they would for the reference server.
#define VIREO_REDIS_VERSION "7.0.15"
