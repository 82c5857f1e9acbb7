// libFuzzer target for cluster/bus_message: one cluster bus packet, the
// bytes any peer (or anything that reaches the bus port) can send a node.
//
// The input is decoded twice: as it is (framing included: signature and
// totlen as clusterReadHandler checks them), and as a copy whose signature
// and totlen are patched to fit, so mutations reach the per-type checks
// instead of dying at the frame check. Invariants (abort on violation):
//  - PeekFrame's kReady means a totlen within the input, at least a header;
//  - Decode fails with a message, or accepts only a whole frame of
//    protocol version 1;
//  - what it accepts encodes to a packet that decodes to the same Message
//    (the unknown extension types excepted: they are not re-encoded), and
//    encoding that again gives the same bytes.
// Each decode works on an exact-size heap block, so ASan sees any read past
// the packet.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/bus_message.h"
#include "fuzz_check.h"

namespace bus = vireo::cluster;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("bus_fuzz", cond)

namespace {

void CheckOne(std::string_view in) {
  uint32_t totlen = 0;
  bus::Frame fr = bus::PeekFrame(in, &totlen);
  if (fr == bus::Frame::kReady) FUZZ_CHECK(totlen <= in.size() && totlen >= bus::kHeaderLen);

  bus::Message m;
  std::string err;
  if (!bus::Decode(in, &m, &err)) {
    FUZZ_CHECK(!err.empty());
    return;
  }
  FUZZ_CHECK(fr == bus::Frame::kReady && totlen == in.size());
  FUZZ_CHECK(m.ver == bus::kProtoVer);
  FUZZ_CHECK(m.sender.size() == bus::kNameLen);
  FUZZ_CHECK(m.slaveof.empty() || m.slaveof.size() == bus::kNameLen);
  FUZZ_CHECK(m.myip.size() < bus::kIpLen);

  std::string enc = bus::Encode(m);
  bus::Message back;
  FUZZ_CHECK(bus::Decode(enc, &back, &err));
  m.unknown_ext_types.clear();
  FUZZ_CHECK(back == m);
  FUZZ_CHECK(bus::Encode(back) == enc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  CheckOne(std::string_view(reinterpret_cast<const char*>(blob.data()), size));

  if (size >= 8 && size <= UINT32_MAX) {
    std::vector<uint8_t> fixed(data, data + size);
    memcpy(fixed.data(), "RCmb", 4);
    auto n = static_cast<uint32_t>(size);
    uint8_t be[4] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
    memcpy(fixed.data() + 4, be, 4);
    CheckOne(std::string_view(reinterpret_cast<const char*>(fixed.data()), size));
  }
  return 0;
}
