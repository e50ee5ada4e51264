// A calendar fetcher for tests that run the App in process without network.
#pragma once

#include "calendar/fetch.h"

namespace rdv::testing {

struct OfflineFetcher final : CalendarFetcher {
  FetchResponse fetch(const std::string&, const std::string&, const std::string&) override {
    throw FetchError("offline");
  }
};

}  // namespace rdv::testing
