// TEMPORARY during development: weak fallback for the admin family.
#include "commands/registry.h"
namespace vireo::commands {
__attribute__((weak)) void RegisterAdminFamily(server::CommandTable&) {}
}
