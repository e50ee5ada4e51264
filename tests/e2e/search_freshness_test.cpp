// Whatever the search keeps in memory, it never shows a stale slot: a
// booking, a cancellation, an opening changed and a calendar refreshed on one
// instance are each visible in the very next search, on that instance and on
// another one sharing the database (SQLite file, or PostgreSQL under
// RDV_TEST_STORE=postgres). Both instances search before each change, so
// that anything they could remember is warm when the change comes.
#include <gtest/gtest.h>

#include <algorithm>

#include "file_server.h"
#include "http_client.h"
#include "server_process.h"
#include "world.h"

namespace rdv::testing {
namespace {

using json = nlohmann::json;

std::string enc(std::string s) {
  for (size_t i = 0; (i = s.find('+', i)) != std::string::npos;) s.replace(i, 1, "%2B");
  return s;
}

std::string ical_at(const World& w, const std::string& hhmm) {
  std::string d = w.day;
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  return d + "T" + hhmm.substr(0, 2) + hhmm.substr(3, 2) + "00";
}

std::string busy_event(const World& w, const std::string& from, const std::string& to) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
         "UID:meeting-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:" +
         ical_at(w, from) + "\r\nDTEND;TZID=Europe/Paris:" + ical_at(w, to) +
         "\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

class SearchFreshness : public ::testing::Test {
 protected:
  static ServerOptions options(const std::string& db) {
    ServerOptions o{db, {"--no-scheduler"}};
    o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";  // the calendar below is served on loopback
    return o;
  }

  // The starts ("09:00"...) of the day's free in-person slots, as `http` sees them.
  std::vector<std::string> starts(const HttpClient& http) {
    Reply r = http.get("/api/v1/slots?mode=in_person&service=" + std::to_string(world_.service) +
                       "&from=" + enc(world_.at("00:00")) + "&to=" + enc(world_.at("23:59")));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& s : r.json()) out.push_back(s["start"].get<std::string>().substr(11, 5));
    return out;
  }
  // Both instances answer `expected`, each in its next search.
  void both_show(const std::vector<std::string>& expected, const char* after) {
    EXPECT_EQ(starts(http_b_), expected) << "instance B, after " << after;
    EXPECT_EQ(starts(http_a_), expected) << "instance A, after " << after;
  }

  std::string db_ = fresh_test_db("");
  ServerProcess a_{options(db_)}, b_{options(db_)};
  HttpClient http_a_{a_.port()}, http_b_{b_.port()};
  World world_ = make_world(http_a_);
  FileServer calendar_;
};

TEST_F(SearchFreshness, EachChangeShowsInTheVeryNextSearchOnEveryInstance) {
  const std::vector<std::string> all = {"09:00", "09:30", "10:00", "10:30", "11:00", "11:30"};
  both_show(all, "set-up");

  // A booking takes its slot away...
  Reply booked = http_a_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("10:00")}, {"resident", resident()}});
  ASSERT_EQ(booked.status, 201) << booked.body;
  both_show({"09:00", "09:30", "10:30", "11:00", "11:30"}, "the booking");

  // ...and its cancellation gives it back.
  Reply cancelled =
      http_a_.post("/api/v1/bookings/" + std::to_string(booked.json()["id"].get<long>()) +
                       "/cancel?token=" + booked.json()["manage_token"].get<std::string>(),
                   json::object());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  both_show(all, "the cancellation");

  // The agent ends the opening an hour earlier.
  std::string openings = "/api/v1/agents/" + std::to_string(world_.agent) + "/openings";
  long opening = 0;
  for (const auto& o : http_a_.get(openings, world_.agent_token).json())
    if (o["service_ids"] == json::array({world_.service})) opening = o["id"];
  ASSERT_NE(opening, 0);
  Reply changed = http_a_.request(
      "PATCH", openings + "/" + std::to_string(opening),
      json{{"end", world_.day + "T11:00"}}.dump(),
      {{"authorization", "Bearer " + world_.agent_token}, {"content-type", "application/json"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  both_show({"09:00", "09:30", "10:00", "10:30"}, "the opening change");

  // A meeting in the agent's own calendar, read at subscription...
  calendar_.put("/agenda.ics", busy_event(world_, "09:00", "09:30"));
  Reply sub = http_a_.post("/api/v1/agents/" + std::to_string(world_.agent) + "/calendars",
                           {{"url", calendar_.url("/agenda.ics")}, {"purpose", "busy"}},
                           world_.agent_token);
  ASSERT_EQ(sub.status, 201) << sub.body;
  ASSERT_TRUE(sub.json()["last_error"].is_null()) << sub.body;
  both_show({"09:30", "10:00", "10:30"}, "the calendar subscription");

  // ...then moved in that calendar: one refresh and the search follows.
  calendar_.put("/agenda.ics", busy_event(world_, "10:30", "11:00"));
  Reply refreshed = http_a_.post("/api/v1/agents/" + std::to_string(world_.agent) + "/calendars/" +
                                     std::to_string(sub.json()["id"].get<long>()) + "/refresh",
                                 json::object(), world_.agent_token);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  both_show({"09:00", "09:30", "10:00"}, "the calendar refresh");

  // The calendar removed, its busy time goes from the search at once.
  Reply removed = http_a_.request("DELETE",
                                  "/api/v1/agents/" + std::to_string(world_.agent) + "/calendars/" +
                                      std::to_string(sub.json()["id"].get<long>()),
                                  "", {{"authorization", "Bearer " + world_.agent_token}});
  ASSERT_EQ(removed.status, 204) << removed.body;
  both_show({"09:00", "09:30", "10:00", "10:30"}, "the calendar removal");
}

}  // namespace
}  // namespace rdv::testing
