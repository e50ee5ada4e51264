// Agents' calendars, end to end: subscriptions fetched from a local HTTP
// server, busy time that slots respect, availability events that become
// openings, bad files and refused addresses.
#include <gtest/gtest.h>

#include <filesystem>

#include "domain/time.h"
#include "file_server.h"
#include "support/file_text.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

std::string corpus_file(const std::string& name) {
  return file_text(std::string(RDV_SOURCE_DIR) + "/tests/data/ics-corpus/" + name);
}

std::string enc(std::string s) {
  std::string out;
  for (char c : s) out += c == '+' ? std::string("%2B") : std::string(1, c);
  return out;
}

Instant at(const std::string& rfc3339) { return *parse_rfc3339(rfc3339); }

// "20261207T090000" for the local day of the world and a time.
std::string ical_local(const World& w, const std::string& hhmm) {
  std::string d = w.day;
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  return d + "T" + hhmm.substr(0, 2) + hhmm.substr(3, 2) + "00";
}

std::string one_event(const std::string& uid, const std::string& summary, const std::string& start,
                      const std::string& end) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
         "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:" + start +
         "\r\nDTEND;TZID=Europe/Paris:" + end + "\r\nSUMMARY:" + summary +
         "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

class CalendarSync : public ::testing::Test {
 protected:
  CalendarSync() : server_(allowing_loopback()), http_(server_.port()), world_(make_world(http_)) {}

  static ServerOptions allowing_loopback() {
    ServerOptions o;
    o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";
    o.extra_args = {"--no-scheduler"};  // the tests refresh explicitly
    return o;
  }
  std::string agent_path(const std::string& rest = "") const {
    return "/api/v1/agents/" + std::to_string(world_.agent) + rest;
  }
  Reply subscribe(const std::string& url, const std::string& purpose = "busy") {
    return http_.post(agent_path("/calendars"), {{"url", url}, {"purpose", purpose}},
                      world_.agent_token);
  }
  Reply refresh(long id) {
    return http_.post(agent_path("/calendars/" + std::to_string(id) + "/refresh"), json::object(),
                      world_.agent_token);
  }
  json slots(long service, const std::string& from, const std::string& to) {
    return http_
        .get("/api/v1/slots?limit=2000&mode=in_person&service=" + std::to_string(service) +
             "&from=" + enc(from) + "&to=" + enc(to))
        .json();
  }
  json busy(const std::string& from, const std::string& to) {
    return http_.get(agent_path("/busy?from=" + enc(from) + "&to=" + enc(to)), world_.agent_token)
        .json();
  }
  int unsubscribe(long id) {
    return http_
        .request("DELETE", agent_path("/calendars/" + std::to_string(id)), "",
                 {{"Authorization", "Bearer " + world_.agent_token}})
        .status;
  }

  ServerProcess server_;
  HttpClient http_;
  World world_;
  FileServer files_;
};

TEST_F(CalendarSync, NoOfferedSlotOverlapsTheCorpusBusyTime) {
  // A daily opening 07:00-21:00 for two weeks, then every corpus file as a busy calendar.
  ASSERT_EQ(http_
                .post(agent_path("/openings"),
                      {{"place_id", world_.place},
                       {"service_ids", {world_.service}},
                       {"start", world_.day + "T07:00"},
                       {"end", world_.day + "T21:00"},
                       {"rrule", "FREQ=DAILY;COUNT=14"}},
                      world_.agent_token)
                .status,
            201);
  std::string from = world_.at("00:00"), to = World{.day = local_day_ahead(8 + 14)}.at("00:00");
  size_t free_before = slots(world_.service, from, to).size();

  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(RDV_SOURCE_DIR) + "/tests/data/ics-corpus"))
    if (entry.path().extension() == ".ics") names.push_back(entry.path().filename().string());
  EXPECT_EQ(names.size(), 19u);

  // An agent holds at most ten calendars: the corpus goes ten files at a time.
  size_t busy_from_calendars = 0;
  bool fewer_slots = false;
  for (size_t first = 0; first < names.size(); first += 10) {
    std::vector<long> ids;
    for (size_t i = first; i < std::min(names.size(), first + 10); ++i) {
      files_.put("/" + names[i], corpus_file(names[i]));
      Reply r = subscribe(files_.url("/" + names[i]));
      ASSERT_EQ(r.status, 201) << r.body;
      EXPECT_TRUE(r.json()["last_error"].is_null()) << names[i] << ": " << r.body;
      EXPECT_FALSE(r.json()["last_success_at"].is_null()) << names[i];
      ids.push_back(r.json()["id"]);
    }
    std::vector<TimeRange> from_calendars;
    for (auto& b : busy(from, to))
      if (b["source"] == "calendar") from_calendars.push_back({at(b["start"]), at(b["end"])});
    busy_from_calendars += from_calendars.size();

    json offered = slots(world_.service, from, to);
    EXPECT_GT(offered.size(), 0u);
    fewer_slots = fewer_slots || offered.size() < free_before;
    for (auto& s : offered) {
      TimeRange slot{at(s["start"]), at(s["end"])};
      for (const TimeRange& b : from_calendars)
        ASSERT_FALSE(slot.overlaps(b)) << s.dump() << " overlaps a busy event";
    }
    for (long id : ids) ASSERT_EQ(unsubscribe(id), 204);
  }
  // Weekly and daily series of the corpus still run: the stand-up on weekdays,
  // the Paris Wednesdays, the all-day Tuesdays...
  EXPECT_GE(busy_from_calendars, 10u);
  EXPECT_TRUE(fewer_slots);
}

TEST_F(CalendarSync, AvailabilityEventsBecomeOpeningsAndFollowChanges) {
  std::string slots_from = world_.at("00:00"), slots_to = world_.at("23:59");
  auto starts = [&] {
    std::vector<std::string> out;
    for (auto& s : slots(world_.service, slots_from, slots_to)) out.push_back(s["start"]);
    return out;
  };
  auto base = starts();  // the world's own opening: 09:00-12:00
  // The agent's calendar: a "Permanence" for Carte grise in the afternoon, and
  // a meeting that is not an opening.
  std::string text = one_event("perm-1", "Permanence Carte grise", ical_local(world_, "14:00"),
                               ical_local(world_, "15:00"));
  files_.put("/agenda.ics", text);
  Reply sub = subscribe(files_.url("/agenda.ics"), "availability");
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_TRUE(sub.json()["last_error"].is_null()) << sub.body;
  auto with_calendar = starts();
  EXPECT_EQ(with_calendar.size(), base.size() + 2);
  EXPECT_EQ(std::count(with_calendar.begin(), with_calendar.end(), world_.at("14:30")), 1);

  Reply booked = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("14:30")}, {"resident", resident()}});
  ASSERT_EQ(booked.status, 201) << booked.body;

  // The agent moves the permanence to 16:00: within one refresh, slots follow.
  files_.put("/agenda.ics", one_event("perm-1", "Permanence Carte grise",
                                      ical_local(world_, "16:00"), ical_local(world_, "17:00")));
  ASSERT_EQ(refresh(sub.json()["id"]).status, 200);
  auto moved = starts();
  EXPECT_EQ(std::count(moved.begin(), moved.end(), world_.at("14:00")), 0);
  EXPECT_EQ(std::count(moved.begin(), moved.end(), world_.at("16:30")), 1);
  // The booking made on the old opening stays.
  Reply kept = http_.get("/api/v1/bookings/" + std::to_string(booked.json()["id"].get<long>()) +
                         "?token=" + booked.json()["manage_token"].get<std::string>());
  EXPECT_EQ(kept.json()["status"], "confirmed");

  // Deleted in the calendar: gone from the slots.
  files_.put("/agenda.ics", one_event("other", "Réunion d'équipe", ical_local(world_, "16:00"),
                                      ical_local(world_, "17:00")));
  ASSERT_EQ(refresh(sub.json()["id"]).status, 200);
  EXPECT_EQ(starts(), base);
}

TEST_F(CalendarSync, ACalendarChangesItsPurposeOrAddressAndIsReadAgain) {
  std::string from = world_.at("00:00"), to = world_.at("23:59");
  auto count_at = [&](const std::string& start) {
    int n = 0;
    for (auto& s : slots(world_.service, from, to)) n += s["start"] == start;
    return n;
  };
  files_.put("/perm.ics", one_event("perm-1", "Permanence Carte grise", ical_local(world_, "14:00"),
                                    ical_local(world_, "15:00")));
  Reply sub = subscribe(files_.url("/perm.ics"), "busy");
  ASSERT_EQ(sub.status, 201) << sub.body;
  std::string path = agent_path("/calendars/" + std::to_string(sub.json()["id"].get<long>()));
  auto patch = [&](const json& body) {
    return http_.request(
        "PATCH", path, body.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + world_.agent_token}});
  };
  EXPECT_EQ(count_at(world_.at("14:00")), 0);  // busy time, not an opening
  EXPECT_EQ(busy(from, to).size(), 1u);

  // The same calendar now says when the agent receives.
  Reply now_availability = patch({{"purpose", "availability"}});
  ASSERT_EQ(now_availability.status, 200) << now_availability.body;
  EXPECT_EQ(now_availability.json()["purpose"], "availability");
  EXPECT_EQ(count_at(world_.at("14:00")), 1);
  EXPECT_EQ(busy(from, to).size(), 0u);

  // Another address: what came from the old one goes at once.
  files_.put("/other.ics", one_event("perm-2", "Permanence Carte grise",
                                     ical_local(world_, "16:00"), ical_local(world_, "17:00")));
  Reply moved = patch({{"url", files_.url("/other.ics")}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(count_at(world_.at("14:00")), 0);
  EXPECT_EQ(count_at(world_.at("16:00")), 1);

  // Refused changes change nothing.
  EXPECT_EQ(patch({{"purpose", "holidays"}}).error_field(), "purpose");
  EXPECT_EQ(patch({{"url", "http://10.0.0.1/x.ics"}}).status, 400);
  EXPECT_EQ(count_at(world_.at("16:00")), 1);

  // The organisation's administrators see every calendar, and which ones fail.
  std::string org_calendars = "/api/v1/organisations/" + std::to_string(world_.org) + "/calendars";
  EXPECT_EQ(http_.get(org_calendars, world_.admin_token).json().size(), 1u);
  EXPECT_EQ(http_.get(org_calendars + "?failing=true", world_.admin_token).json().size(), 0u);
  ASSERT_EQ(patch({{"url", files_.url("/missing.ics")}}).status, 200);
  json failing = http_.get(org_calendars + "?failing=true", world_.admin_token).json();
  ASSERT_EQ(failing.size(), 1u);
  EXPECT_FALSE(failing[0]["last_error"].is_null());
  EXPECT_EQ(failing[0]["agent_id"], world_.agent);
  EXPECT_EQ(http_.get(org_calendars, world_.agent_token).status, 403);
}

TEST_F(CalendarSync, BadFilesAreReportedAndTheLastGoodDataIsKept) {
  files_.put("/cal.ics", one_event("b1", "Rendez-vous médecin", ical_local(world_, "10:00"),
                                   ical_local(world_, "11:00")));
  Reply sub = subscribe(files_.url("/cal.ics"));
  ASSERT_EQ(sub.status, 201);
  long id = sub.json()["id"];
  std::string good_at = sub.json()["last_success_at"];
  auto ten_is_offered = [&] {
    for (auto& s : slots(world_.service, world_.at("00:00"), world_.at("23:59")))
      if (s["start"] == world_.at("10:00")) return true;
    return false;
  };
  EXPECT_FALSE(ten_is_offered());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"<html><body>Session expirée</body></html>", "not an iCalendar"},
      {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026", "truncated"},
      {"BEGIN:VCALENDAR\r\n" + std::string(6 << 20, 'x') + "\r\nEND:VCALENDAR\r\n", "larger than"},
  };
  for (const auto& [body, why] : bad) {
    files_.put("/cal.ics", body);
    Reply r = refresh(id);
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.json()["last_error"].get<std::string>().find(why), std::string::npos) << r.body;
    EXPECT_EQ(r.json()["last_success_at"], good_at);
    EXPECT_FALSE(ten_is_offered());
  }
  files_.put("/cal.ics", "gone", 404);
  EXPECT_NE(refresh(id).json()["last_error"].get<std::string>().find("404"), std::string::npos);
  EXPECT_FALSE(ten_is_offered());

  // Back to a good file without that event: the error clears, 10:00 is free.
  files_.put("/cal.ics",
             one_event("b2", "Autre", ical_local(world_, "18:00"), ical_local(world_, "19:00")));
  Reply fixed = refresh(id);
  EXPECT_TRUE(fixed.json()["last_error"].is_null());
  EXPECT_TRUE(ten_is_offered());
}

// Older software writes Latin-1 or Windows-1252 whatever it declares. The
// file is read and kept as UTF-8, so PostgreSQL (which refuses other bytes
// in text) keeps it as SQLite does, and the next refresh reuses it.
TEST_F(CalendarSync, ALatin1FileIsReadAndKeptAsText) {
  files_.put("/latin1.ics", one_event("l1",
                                      "R\xE9union \x93pr\xE9"
                                      "fecture\x94",
                                      ical_local(world_, "10:00"), ical_local(world_, "11:00")));
  Reply sub = subscribe(files_.url("/latin1.ics"));
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_TRUE(sub.json()["last_error"].is_null()) << sub.body;
  auto ten_is_offered = [&] {
    for (auto& s : slots(world_.service, world_.at("00:00"), world_.at("23:59")))
      if (s["start"] == world_.at("10:00")) return true;
    return false;
  };
  EXPECT_FALSE(ten_is_offered());
  Reply again = refresh(sub.json()["id"]);  // 304: the stored copy is parsed again
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.json()["last_error"].is_null()) << again.body;
  EXPECT_EQ(files_.not_modified("/latin1.ics"), 1);
  EXPECT_FALSE(ten_is_offered());
}

TEST_F(CalendarSync, RefreshUsesConditionalRequests) {
  files_.put("/cal.ics",
             one_event("b1", "Occupé", ical_local(world_, "10:00"), ical_local(world_, "11:00")));
  Reply sub = subscribe(files_.url("/cal.ics"));
  ASSERT_EQ(sub.status, 201);
  refresh(sub.json()["id"]);
  EXPECT_EQ(files_.hits("/cal.ics"), 2);
  EXPECT_EQ(files_.not_modified("/cal.ics"), 1);
  EXPECT_EQ(http_.get(agent_path("/calendars"), world_.agent_token).json().size(), 1u);
  EXPECT_EQ(http_
                .request("DELETE",
                         agent_path("/calendars/" + std::to_string(sub.json()["id"].get<long>())),
                         "", {{"Authorization", "Bearer " + world_.agent_token}})
                .status,
            204);
  EXPECT_EQ(http_.get(agent_path("/calendars"), world_.agent_token).json().size(), 0u);
}

TEST_F(CalendarSync, BusyViewCombinesEverySource) {
  files_.put("/cal.ics", one_event("ext-1", "Formation", ical_local(world_, "11:00"),
                                   ical_local(world_, "12:00")));
  ASSERT_EQ(subscribe(files_.url("/cal.ics")).status, 201);
  ASSERT_EQ(http_
                .post(agent_path("/absences"),
                      {{"start", world_.day + "T16:00"}, {"end", world_.day + "T17:00"}},
                      world_.agent_token)
                .status,
            201);
  Reply b = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("09:00")}, {"resident", resident()}});
  ASSERT_EQ(b.status, 201);
  json list = busy(world_.at("00:00"), world_.at("23:59"));
  ASSERT_EQ(list.size(), 3u) << list.dump();
  EXPECT_EQ(list[0]["source"], "booking");
  EXPECT_EQ(list[0]["start"], world_.at("09:00"));
  EXPECT_EQ(list[1]["source"], "calendar");
  EXPECT_EQ(list[1]["uid"], "ext-1");
  EXPECT_EQ(list[2]["source"], "absence");
  // Past windows too, and only for the agent and their administrators.
  EXPECT_EQ(http_
                .get(agent_path("/busy?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z"),
                     world_.agent_token)
                .status,
            200);
  EXPECT_EQ(http_
                .get(agent_path("/busy?from=" + enc(world_.at("00:00")) +
                                "&to=" + enc(world_.at("23:59"))))
                .status,
            401);
  EXPECT_EQ(http_.get(agent_path("/busy?from=x&to=y"), world_.agent_token).status, 400);
}

// A hostile feed: a "permanence" every second. The import does not expand it
// (it once made 100,000 openings per subscription) and says why.
TEST_F(CalendarSync, EventsRepeatingEverySecondMakeNoOpeningAndAWarning) {
  auto starts = [&] {
    std::vector<std::string> out;
    for (auto& s : slots(world_.service, world_.at("00:00"), world_.at("23:59")))
      out.push_back(s["start"]);
    return out;
  };
  auto base = starts();
  std::string every_second = one_event("perm-s", "Permanence Carte grise",
                                       ical_local(world_, "14:00"), ical_local(world_, "15:00"));
  every_second.insert(every_second.find("END:VEVENT"), "RRULE:FREQ=SECONDLY\r\n");
  files_.put("/seconds.ics", every_second);
  Reply sub = subscribe(files_.url("/seconds.ics"), "availability");
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_TRUE(sub.json()["last_error"].is_null()) << sub.body;
  ASSERT_EQ(sub.json()["warnings"].size(), 1u) << sub.body;
  EXPECT_NE(sub.json()["warnings"][0].get<std::string>().find("more often than daily: ignored"),
            std::string::npos)
      << sub.body;
  EXPECT_EQ(starts(), base);  // not even 14:00

  // In a busy calendar, the first occurrence stays busy, alone.
  std::string every_minute =
      one_event("busy-m", "Réunion", ical_local(world_, "10:00"), ical_local(world_, "10:30"));
  every_minute.insert(every_minute.find("END:VEVENT"), "RRULE:FREQ=MINUTELY\r\n");
  files_.put("/minutes.ics", every_minute);
  Reply busy_sub = subscribe(files_.url("/minutes.ics"));
  ASSERT_EQ(busy_sub.status, 201) << busy_sub.body;
  EXPECT_EQ(busy_sub.json()["warnings"].size(), 1u) << busy_sub.body;
  std::vector<std::string> from_calendar;
  for (auto& b : busy(world_.at("00:00"), world_.at("23:59")))
    if (b["source"] == "calendar") from_calendar.push_back(b["start"]);
  EXPECT_EQ(from_calendar, std::vector<std::string>{world_.at("10:00")});
}

TEST_F(CalendarSync, AnAgentHasAtMostTenCalendars) {
  auto url = [&](int i) {
    std::string path = "/cal" + std::to_string(i) + ".ics";
    files_.put(path, one_event("b" + std::to_string(i), "Occupé", ical_local(world_, "10:00"),
                               ical_local(world_, "11:00")));
    return files_.url(path);
  };
  std::vector<long> ids;
  for (int i = 0; i < 10; ++i) {
    Reply r = subscribe(url(i));
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"]);
  }
  Reply eleventh = subscribe(url(10));
  EXPECT_EQ(eleventh.status, 400) << eleventh.body;
  EXPECT_EQ(eleventh.error_field(), "url");
  EXPECT_EQ(files_.hits("/cal10.ics"), 0);
  EXPECT_EQ(http_.get(agent_path("/calendars"), world_.agent_token).json().size(), 10u);
  ASSERT_EQ(unsubscribe(ids.back()), 204);
  EXPECT_EQ(subscribe(url(10)).status, 201);
}

// Daily series, `count` of them an hour apart from 08:00, every day for years.
std::string daily_events(int count, const std::string& summary, const std::string& first_day) {
  std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n";
  for (int i = 0; i < count; ++i) {
    std::string hour = (8 + i < 10 ? "0" : "") + std::to_string(8 + i);
    text += "BEGIN:VEVENT\r\nUID:d" + std::to_string(i) +
            "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:" + first_day + "T" + hour +
            "0000\r\nDURATION:PT30M\r\nSUMMARY:" + summary +
            "\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n";
  }
  return text + "END:VCALENDAR\r\n";
}

TEST_F(CalendarSync, OneCalendarMakesAtMost2000OpeningsAnd5000BusyPeriods) {
  std::string today = local_day_ahead(0);
  today.erase(std::remove(today.begin(), today.end(), '-'), today.end());
  // Six daily permanences for the year ahead: about 2,200 openings.
  files_.put("/many.ics", daily_events(6, "Permanence Carte grise", today));
  Reply openings = subscribe(files_.url("/many.ics"), "availability");
  ASSERT_EQ(openings.status, 201) << openings.body;
  EXPECT_EQ(openings.json()["warnings"], json::array({"more than 2000 openings: the later ones "
                                                      "are ignored"}));
  // Seven daily meetings over the two years kept: about 5,300 busy periods.
  files_.put("/busy.ics", daily_events(7, "Réunion", today));
  Reply busy_sub = subscribe(files_.url("/busy.ics"));
  ASSERT_EQ(busy_sub.status, 201) << busy_sub.body;
  EXPECT_EQ(busy_sub.json()["warnings"],
            json::array({"more than 5000 busy periods: the later ones are ignored"}));
  // What is kept is the nearest: on the world's day the meetings (on the hour)
  // still block the slots, those of the world's opening and the permanences'.
  json offered = slots(world_.service, world_.at("00:00"), world_.at("23:59"));
  EXPECT_FALSE(offered.empty());
  for (auto& s : offered) EXPECT_EQ(s["start"].get<std::string>().substr(13, 3), ":30") << s.dump();
}

TEST(CalendarSyncSecurity, PrivateAddressesAndOtherSchemesAreRefused) {
  ServerProcess server;  // no RDV_FETCH_ALLOW
  HttpClient http(server.port());
  World w = make_world(http);
  FileServer files;
  files.put("/cal.ics", one_event("x", "Occupé", "20300101T100000", "20300101T110000"));
  std::string calendars = "/api/v1/agents/" + std::to_string(w.agent) + "/calendars";
  // A literal loopback address is refused at subscription, before any connection.
  Reply r = http.post(calendars, {{"url", files.url("/cal.ics")}}, w.agent_token);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["field"], "url");
  EXPECT_EQ(http.get(calendars, w.agent_token).json().size(), 0u);
  EXPECT_EQ(files.hits("/cal.ics"), 0);
  for (const char* url :
       {"file:///etc/passwd", "ftp://example.org/cal.ics", "gopher://x", "not a url", ""})
    EXPECT_EQ(http.post(calendars, {{"url", url}}, w.agent_token).status, 400) << url;
  Reply both =
      http.post(calendars, {{"url", files.url("/cal.ics")}, {"purpose", "both"}}, w.agent_token);
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(both.error_field(), "purpose");
  EXPECT_EQ(http.post(calendars, {{"url", files.url("/cal.ics")}}).status, 401);
}

}  // namespace
}  // namespace rdv::testing
