// The /visio/ handler itself with a clock the test moves: the API runs in
// process (no socket), on a real SQLite file.
#include <gtest/gtest.h>

#include "support/in_process_app.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

Instant utc(const char* s) { return *parse_rfc3339(s); }

TEST(VisioClock, TheLinkRedirectsOnlyFromFifteenMinutesBeforeToTheEnd) {
  AppOptions options;
  options.public_url = "https://rdv.example.fr";
  InProcessApp api(utc("2026-12-01T08:00:00Z"), options);
  App& app = api.app;
  ManualClock& clock = api.clock;

  Id org = app.create_organisation({{"name", "France Services de Cenon"}})["id"];
  Id place = app.create_place(org, {{"name", "France Services Cenon"}})["id"];
  Id service = app.create_service(
      org, {{"name", "Entretien en visio"}, {"duration_minutes", 30}, {"modes", {"video"}}})["id"];
  Id agent = app.create_agent(org, {{"name", "Sophie Laurent"}})["id"];
  app.create_opening(agent, {{"place_id", place},
                             {"service_ids", {service}},
                             {"start", "2026-12-08T09:00"},
                             {"end", "2026-12-08T12:00"}});
  api.store().write([&](StoreWriter& tx) {
    tx.directory().update_organisation_video(
        org,
        {VideoProvider::kJitsi, "https://visio.example.fr", "rdv", "jitsi-secret-0123456789", 15});
  });
  Call booking;
  booking.body = {
      {"service_id", service},
      {"start", "2026-12-08T09:00:00+01:00"},
      {"mode", "video"},
      {"resident", {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"email", "lea@example.fr"}}}};
  HttpResponse booked = api.call("POST", "/api/v1/bookings", booking);
  ASSERT_EQ(booked.status, 201) << booked.body;
  json b = json::parse(booked.body);
  std::string url = b["video_url"];
  std::string path = url.substr(url.find("/visio/"));

  auto visit = [&](const char* at) {
    clock.set(utc(at));
    return api.call("GET", path);
  };
  HttpResponse early = visit("2026-12-08T07:44:59Z");  // 08:44:59 in Paris
  EXPECT_EQ(early.status, 200);
  EXPECT_NE(early.body.find("commence le 08/12/2026 à 09:00"), std::string::npos) << early.body;
  EXPECT_NE(early.body.find("15 minutes avant"), std::string::npos);
  HttpResponse open = visit("2026-12-08T07:45:00Z");
  EXPECT_EQ(open.status, 302);
  EXPECT_EQ(open.headers.at(0).first, "Location");
  EXPECT_EQ(open.headers.at(0).second.rfind("https://visio.example.fr/rdv", 0), 0u);
  EXPECT_EQ(visit("2026-12-08T08:29:59Z").status, 302);
  HttpResponse over = visit("2026-12-08T08:30:00Z");
  EXPECT_EQ(over.status, 410);
  EXPECT_NE(over.body.find("terminé"), std::string::npos);

  // Cancelled: no redirect even inside the window.
  clock.set(utc("2026-12-01T08:00:00Z"));
  std::string token = b["manage_token"];
  Call cancel;
  cancel.body = json::object();
  ASSERT_EQ(
      api.call("POST",
               "/api/v1/bookings/" + std::to_string(b["id"].get<Id>()) + "/cancel?token=" + token,
               cancel)
          .status,
      200);
  EXPECT_EQ(visit("2026-12-08T08:00:00Z").status, 410);
}

}  // namespace
}  // namespace rdv::testing
