// A host name this machine resolves to loopback addresses only (its own
// hostname, ip6-localhost...): the SSRF tests need a name, not a literal, whose
// spelling is harmless but whose addresses are not.
#pragma once

#include <netdb.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "net/ip_address.h"

namespace rdv::testing {

inline std::optional<std::string> loopback_name() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  for (std::string name : {std::string(host), std::string("ip6-localhost"),
                           std::string("ip6-loopback"), std::string("localhost6")}) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (name.empty() || getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) continue;
    bool loopback = found != nullptr;
    for (addrinfo* a = found; a; a = a->ai_next) {
      auto ip = IpAddress::from_sockaddr(a->ai_addr, a->ai_addrlen);
      loopback =
          loopback && ip && (*ip == IpAddress::v4(127, 0, 0, 1) || *ip == *IpAddress::parse("::1"));
    }
    freeaddrinfo(found);
    if (loopback) return name;
  }
  return std::nullopt;
}

}  // namespace rdv::testing
