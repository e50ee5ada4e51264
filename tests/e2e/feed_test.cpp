// What rendezvous publishes as iCalendar, read back by libical, Python's
// icalendar and khal.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "calendar/ics_import.h"
#include "support/run.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// RFC 5545, 3.1: every line ends with CRLF and holds at most 75 octets.
void expect_folded_lines(const std::string& text) {
  for (size_t pos = 0; pos < text.size();) {
    size_t lf = text.find('\n', pos);
    ASSERT_NE(lf, std::string::npos) << "no line end after " << text.substr(pos);
    std::string line = text.substr(pos, lf - pos);
    ASSERT_TRUE(!line.empty() && line.back() == '\r') << "no CRLF: " << line;
    EXPECT_LE(line.size() - 1, 75u) << line;
    pos = lf + 1;
  }
}

// The next day, at least two days ahead, on which Paris changes its clocks.
std::string next_paris_change_day() {
  auto paris = date::locate_zone("Europe/Paris");
  auto day =
      date::floor<date::days>(paris->to_local(std::chrono::system_clock::now())) + date::days{2};
  for (;; day += date::days{1}) {
    auto a = paris->to_sys(date::local_seconds{day} + std::chrono::hours{12});
    auto b = paris->to_sys(date::local_seconds{day - date::days{1}} + std::chrono::hours{12});
    if (paris->get_info(a).offset != paris->get_info(b).offset)
      return date::format("%Y-%m-%d", day);
  }
}

class Feeds : public ::testing::Test {
 protected:
  Feeds() : http_(server_.port()), world_(make_world(http_)) {
    Reply agent = http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/calendars",
                            world_.agent_token);
    EXPECT_EQ(agent.status, 200);
  }
  std::string feed_path(const std::string& url) const { return url.substr(url.find("/ical/")); }
  // Creates an agent and returns (feed URL path, token).
  std::string book(const std::string& start, const json& extra = json::object()) {
    json body = {{"service_id", world_.service}, {"start", start}, {"resident", resident()}};
    body.update(extra);
    Reply r = http_.post("/api/v1/bookings", body);
    EXPECT_EQ(r.status, 201) << r.body;
    last_booking_ = r.json();
    return r.body;
  }
  std::string feed_url() {
    Reply r = http_.post("/api/v1/agents/" + std::to_string(world_.agent) + "/feed-secret",
                         json::object(), world_.agent_token);
    EXPECT_EQ(r.status, 200);
    return feed_path(r.json()["ics_feed_url"]);
  }

  ServerProcess server_;
  HttpClient http_;
  World world_;
  json last_booking_;
};

// The text of an iCalendar file with its folded lines joined (RFC 5545 3.1).
std::string unfold(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  return text;
}

TEST_F(Feeds, AgentFeedFollowsBookingsWithStableUidAndGrowingSequence) {
  std::string feed = feed_url();
  book(world_.at("09:30"));
  long id = last_booking_["id"];
  std::string token = last_booking_["manage_token"];
  std::string uid = "UID:booking-" + std::to_string(id) + "@127.0.0.1";

  Reply r = http_.get(feed);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/calendar; charset=utf-8");
  EXPECT_NE(r.body.find(uid), std::string::npos);
  EXPECT_NE(r.body.find("SEQUENCE:0"), std::string::npos);
  EXPECT_NE(r.body.find("Carte grise — Léa Dupont"), std::string::npos);
  EXPECT_NE(r.body.find("TRANSP:TRANSPARENT"), std::string::npos);  // the openings
  expect_folded_lines(r.body);
  // The event links to the booking in the agent's space (no secret in it).
  EXPECT_NE(unfold(r.body).find("/espace/rendez-vous/" + std::to_string(id)), std::string::npos);

  // libical reads it back: the booking is a busy event at the booked time.
  auto cal = ImportedCalendar::parse(r.body, date::locate_zone("Europe/Paris"));
  bool found = false;
  for (auto& o :
       cal.occurrences({*parse_rfc3339(world_.at("00:00")), *parse_rfc3339(world_.at("23:59"))}))
    if (o.uid.rfind("booking-", 0) == 0) {
      found = true;
      EXPECT_TRUE(o.busy());
      EXPECT_EQ(o.range.start, *parse_rfc3339(world_.at("09:30")));
    }
  EXPECT_TRUE(found);

  std::string manage = "/api/v1/bookings/" + std::to_string(id);
  ASSERT_EQ(
      http_.post(manage + "/reschedule?token=" + token, {{"start", world_.at("11:00")}}).status,
      200);
  r = http_.get(feed);
  EXPECT_NE(r.body.find("SEQUENCE:1"), std::string::npos);
  ASSERT_EQ(http_.post(manage + "/cancel?token=" + token, json::object()).status, 200);
  r = http_.get(feed);
  EXPECT_NE(r.body.find(uid), std::string::npos);
  EXPECT_NE(r.body.find("STATUS:CANCELLED"), std::string::npos);
  EXPECT_NE(r.body.find("SEQUENCE:2"), std::string::npos);
}

TEST_F(Feeds, SecretIsRequiredAndCanBeRotated) {
  std::string feed = feed_url();
  EXPECT_EQ(http_.get(feed).status, 200);
  std::string wrong = feed.substr(0, feed.rfind('/') + 1) + "guessed.ics";
  EXPECT_EQ(http_.get(wrong).status, 404);
  EXPECT_EQ(http_.get("/ical/agents/999/whatever.ics").status, 404);
  std::string rotated = feed_url();
  EXPECT_NE(rotated, feed);
  EXPECT_EQ(http_.get(feed).status, 404);
  EXPECT_EQ(http_.get(rotated).status, 200);
  EXPECT_EQ(
      http_.post("/api/v1/agents/" + std::to_string(world_.agent) + "/feed-secret", json::object())
          .status,
      401);
}

TEST_F(Feeds, PythonIcalendarAndKhalReadTheFeedAtTheRightLocalTimeOnAChangeDay) {
  // A service bookable far enough ahead, an opening on the next day Paris
  // changes its clocks, a booking at 10:00 local.
  std::string day = next_paris_change_day();
  Reply svc = http_.post("/api/v1/organisations/" + std::to_string(world_.org) + "/services",
                         {{"name", "Permanence CAF"},
                          {"duration_minutes", 30},
                          {"horizon_days", 400},
                          {"min_notice_minutes", 0},
                          {"documents_to_bring", {"Numéro d'allocataire"}}},
                         world_.admin_token);
  ASSERT_EQ(svc.status, 201);
  ASSERT_EQ(http_
                .post("/api/v1/agents/" + std::to_string(world_.agent) + "/openings",
                      {{"place_id", world_.place},
                       {"service_ids", {svc.json()["id"]}},
                       {"start", day + "T09:00"},
                       {"end", day + "T12:00"}},
                      world_.agent_token)
                .status,
            201);
  World change_day = world_;
  change_day.day = day;
  Reply booked = http_.post("/api/v1/bookings", {{"service_id", svc.json()["id"]},
                                                 {"start", change_day.at("10:00")},
                                                 {"resident", resident()}});
  ASSERT_EQ(booked.status, 201) << booked.body;
  std::string uid = "booking-" + std::to_string(booked.json()["id"].get<long>()) + "@127.0.0.1";

  std::string file =
      write_temp("rdv-feed-" + std::to_string(server_.port()) + ".ics", http_.get(feed_url()).body);
  auto [rc, lines] =
      run_command("/usr/bin/python3 " RDV_SOURCE_DIR "/tests/e2e/parse_ics.py " + file);
  ASSERT_EQ(rc, 0) << lines;
  EXPECT_NE(lines.find(uid + "|" + day + " 10:00|" + day + " 10:30|CONFIRMED|0|OPAQUE"),
            std::string::npos)
      << lines;

  // khal, with a minimal configuration in Europe/Paris.
  auto dir =
      std::filesystem::temp_directory_path() / ("rdv-khal-" + std::to_string(server_.port()));
  std::filesystem::create_directories(dir / "cal");
  std::ofstream(dir / "config")
      << "[calendars]\n[[rdv]]\npath = " << (dir / "cal").string()
      << "\n[locale]\nlocal_timezone = Europe/Paris\ndefault_timezone = Europe/Paris\n"
         "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
         "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n";
  auto [krc, kout] = run_command("khal -c " + (dir / "config").string() +
                                 " printics -f '{start} {end} {title}' " + file + " 2>&1");
  EXPECT_EQ(krc, 0) << kout;
  EXPECT_NE(kout.find(day + " 10:00 " + day + " 10:30 Permanence CAF — Léa Dupont"),
            std::string::npos)
      << kout;
  std::filesystem::remove_all(dir);
  std::filesystem::remove(file);
}

TEST_F(Feeds, ResidentGetsTheBookingAsPublishedEvent) {
  book(world_.at("10:00"));
  std::string ics_url = last_booking_["ics_url"];
  std::string path = ics_url.substr(ics_url.find("/api/"));
  Reply r = http_.get(path);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("METHOD:PUBLISH"), std::string::npos);
  EXPECT_NE(r.body.find("Rendez-vous : Carte grise (France Services de Cenon)"), std::string::npos);
  EXPECT_NE(r.headers["content-disposition"].find("rendez-vous.ics"), std::string::npos);
  expect_folded_lines(r.body);  // long lines: the manage link, the description
  // Its link opens the resident's page (as in the messages), not the API.
  std::string unfolded = unfold(r.body);
  std::string page = "/rendez-vous/" + std::to_string(last_booking_["id"].get<long>()) +
                     "?token=" + last_booking_["manage_token"].get<std::string>();
  EXPECT_NE(unfolded.find("\r\nURL:http://127.0.0.1:" + std::to_string(server_.port()) + page),
            std::string::npos)
      << unfolded;
  std::string file = write_temp("rdv-booking-" + std::to_string(server_.port()) + ".ics", r.body);
  auto [rc, lines] =
      run_command("/usr/bin/python3 " RDV_SOURCE_DIR "/tests/e2e/parse_ics.py " + file + " method");
  ASSERT_EQ(rc, 0) << lines;
  EXPECT_NE(lines.find("METHOD|PUBLISH"), std::string::npos);
  std::string id = std::to_string(last_booking_["id"].get<long>());
  EXPECT_NE(lines.find("booking-" + id + "@127.0.0.1|" + world_.day + " 10:00|"), std::string::npos)
      << lines;
  std::filesystem::remove(file);

  std::string bad = path.substr(0, path.find("token=") + 6) + "nope";
  EXPECT_EQ(http_.get(bad).status, 403);
  EXPECT_EQ(http_.get(path.substr(0, path.find('?'))).status, 401);
}

}  // namespace
}  // namespace rdv::testing
