// SHA-256 as lowercase hex: the password hashes of ACL users (Redis's
// ACLHashPassword) and the "#<hash>" lines CONFIG REWRITE / ACL SAVE write.
#pragma once

#include <string>
#include <string_view>

namespace vireo::base {

// The 64 lowercase hex digits of SHA-256(data).
std::string Sha256Hex(std::string_view data);

}  // namespace vireo::base
