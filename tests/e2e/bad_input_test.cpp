// Bad input of any kind gets a clear 4xx in the JSON error shape and changes nothing.
#include <gtest/gtest.h>

#include <sstream>

#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class BadInput : public ::testing::Test {
 protected:
  BadInput() : http_(server_.port()), world_(make_world(http_)) {}

  // Every refusal has the error shape and the expected status and code.
  void expect_error(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_TRUE(j["error"]["message"].is_string());
  }
  std::string openings() const {
    return "/api/v1/agents/" + std::to_string(world_.agent) + "/openings";
  }
  json opening(json overrides = json::object()) const {
    json o = {{"place_id", world_.place},
              {"service_ids", {world_.service}},
              {"start", world_.day + "T14:00"},
              {"end", world_.day + "T15:00"}};
    o.update(overrides);
    return o;
  }
  size_t slot_count() const {
    return http_
        .get("/api/v1/slots?mode=in_person&service=" + std::to_string(world_.service) +
             "&from=" + world_.day + "T00:00:00Z&to=" + world_.day + "T23:59:00Z")
        .json()
        .size();
  }

  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(BadInput, OpeningsWithBadTimesZonesOrRulesAreRefusedAndNothingChanges) {
  size_t before = slot_count();
  auto post = [&](const json& body) { return http_.post(openings(), body, world_.agent_token); };
  expect_error(post(opening({{"timezone", "Europe/Atlantis"}})), 400, "invalid_timezone");
  expect_error(post(opening({{"rrule", "FREQ=SOMETIMES"}})), 400, "invalid_rrule");
  expect_error(post(opening({{"rrule", "FREQ=MINUTELY"}})), 400, "invalid_rrule");
  // Rules that never (or no longer) give a date, or give one below a day,
  // would cost every slot search: refused.
  for (const char* rule :
       {"FREQ=MONTHLY;BYDAY=6MO", "FREQ=MONTHLY;BYDAY=-53MO", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTH=13", "FREQ=DAILY;BYHOUR=9", "FREQ=WEEKLY;INTERVAL=65537"})
    expect_error(post(opening({{"rrule", rule}})), 400, "invalid_rrule");
  expect_error(post(opening({{"end", world_.day + "T13:00"}})), 400, "invalid_time_range");
  expect_error(post(opening({{"start", "2027-03-28T02:30"}, {"end", "2027-03-28T03:30"}})), 400,
               "nonexistent_local_time");
  expect_error(post(opening({{"start", "demain 9h"}})), 400, "invalid_input");
  expect_error(post(opening({{"place_id", "3"}})), 400, "invalid_input");
  expect_error(post(opening({{"place_id", 99999}})), 400, "invalid_input");
  expect_error(post(opening({{"service_ids", {99999}}})), 400, "invalid_input");
  expect_error(post(opening({{"service_ids", json::array()}})), 400, "invalid_input");
  expect_error(post(opening({{"colour", "blue"}})), 400, "invalid_input");
  expect_error(post(opening({{"exdates", {"someday"}}})), 400, "invalid_input");
  EXPECT_EQ(slot_count(), before);
}

TEST_F(BadInput, MalformedBodiesAndWrongTypes) {
  auto raw_post = [&](const std::string& path, const std::string& body,
                      const std::string& type = "application/json") {
    return http_.request(
        "POST", path, body,
        {{"Content-Type", type}, {"Authorization", "Bearer " + world_.admin_token}});
  };
  expect_error(raw_post("/api/v1/organisations", "{\"name\": "), 400, "invalid_json");
  expect_error(raw_post("/api/v1/organisations", "[1,2]"), 400, "invalid_json");
  expect_error(raw_post("/api/v1/organisations", ""), 400, "invalid_json");
  expect_error(raw_post("/api/v1/organisations", "{\"name\": \"x\"}", "text/plain"), 415,
               "unsupported_media_type");
  expect_error(raw_post("/api/v1/organisations", "{\"name\": 12}"), 400, "invalid_input");
  expect_error(raw_post("/api/v1/organisations", "{\"name\": \"\\u00e9\xff\"}"), 400,
               "invalid_json");
  // The same key twice, at the top or nested, whatever the order of values.
  expect_error(raw_post("/api/v1/organisations", R"({"name":"A","name":"B"})"), 400,
               "invalid_json");
  expect_error(raw_post("/api/v1/bookings",
                        R"({"resident":{"email":"x1@example.org","email":"victim@example.org"}})"),
               400, "invalid_json");
  // Distinct keys pass.
  EXPECT_EQ(raw_post("/api/v1/organisations", R"({"name":"A","kind":"commune"})").status, 201);
  std::string org = "/api/v1/organisations/" + std::to_string(world_.org);
  expect_error(raw_post(org + "/services", R"({"name":"X","duration_minutes":"30"})"), 400,
               "invalid_input");
  expect_error(raw_post(org + "/services", R"({"name":"X","duration_minutes":3000})"), 400,
               "invalid_input");
  expect_error(raw_post(org + "/services", R"({"name":"X","duration_minutes":30,"modes":["fax"]})"),
               400, "invalid_input");
  expect_error(raw_post(org + "/services", R"({"name":"X","duration_minutes":30.5})"), 400,
               "invalid_input");
  expect_error(raw_post(org + "/places", R"({"name":"X","latitude":"north"})"), 400,
               "invalid_input");

  expect_error(
      http_.post("/api/v1/bookings",
                 {{"service_id", world_.service}, {"start", "tomorrow"}, {"resident", resident()}}),
      400, "invalid_input");
  expect_error(http_.post("/api/v1/bookings", {{"service_id", world_.service},
                                               {"start", world_.at("09:00")},
                                               {"resident", "Léa"}}),
               400, "invalid_input");
  expect_error(http_.post("/api/v1/bookings",
                          {{"service_id", world_.service}, {"start", world_.at("09:00")}}),
               400, "invalid_input");
  json bad_email = resident();
  bad_email["email"] = "not-an-email";
  expect_error(http_.post("/api/v1/bookings", {{"service_id", world_.service},
                                               {"start", world_.at("09:00")},
                                               {"resident", bad_email}}),
               400, "invalid_input");
  expect_error(http_.post("/api/v1/bookings", {{"service_id", world_.service},
                                               {"start", world_.at("09:07")},
                                               {"resident", resident()}}),
               409, "slot_unavailable");
  EXPECT_EQ(slot_count(), 6u);
}

TEST_F(BadInput, UnknownIdsAndRoutes) {
  expect_error(http_.get("/api/v1/services/99999"), 404, "not_found");
  expect_error(http_.get("/api/v1/services/abc"), 404, "not_found");
  expect_error(http_.get("/api/v1/bookings/99999?token=x"), 404, "not_found");
  expect_error(http_.get("/api/v1/slots?service=99999"), 404, "not_found");
  expect_error(http_.get("/api/v1/slots?service=abc"), 400, "invalid_input");
  expect_error(http_.get("/api/v1/slots"), 400, "invalid_input");
  expect_error(http_.get("/api/v1/slots?service=1&from=yesterday"), 400, "invalid_input");
  expect_error(
      http_.get("/api/v1/slots?service=1&from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z"), 400,
      "invalid_time_range");
  expect_error(
      http_.get("/api/v1/slots?service=1&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"), 400,
      "invalid_time_range");
  expect_error(http_.get("/api/v1/slots?service=1&mode=fax"), 400, "invalid_input");
  expect_error(http_.get("/api/v1/nope"), 404, "not_found");
  // Outside the API, people get a page.
  Reply page = http_.get("/nope");
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("Page introuvable"), std::string::npos);
  expect_error(http_.request("DELETE", "/api/v1/organisations", ""), 405, "method_not_allowed");
  expect_error(
      http_.post("/api/v1/organisations/99999/places", {{"name", "X"}}, world_.admin_token), 404,
      "not_found");
  expect_error(
      http_.post("/api/v1/bookings",
                 {{"service_id", 99999}, {"start", world_.at("09:00")}, {"resident", resident()}}),
      404, "not_found");
}

TEST_F(BadInput, BodiesOverOneMebibyteGet413) {
  std::string big = "{\"name\": \"" + std::string(1100 * 1024, 'a') + "\"}";
  Reply r = http_.request(
      "POST", "/api/v1/organisations", big,
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + world_.admin_token}});
  expect_error(r, 413, "payload_too_large");
  // The server is still fine.
  EXPECT_EQ(http_.get("/healthz").status, 200);
}

// A body is read whole however it arrives: with its header and the next
// request, chunked, or split across writes. The booking's unknown service
// (404, not a 400 for broken JSON) shows the handler got all of it.
TEST_F(BadInput, BodiesAreReadWholeHoweverTheyArrive) {
  std::string body =
      json{{"service_id", 99999}, {"start", world_.at("09:00")}, {"resident", resident()}}.dump();
  std::string head =
      "POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  std::string sized = head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  auto status_line_at = [](const std::string& reply, size_t from = 0) {
    return reply.find("HTTP/1.1 ", from);
  };

  std::string pipelined = http_.raw(sized + body + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(pipelined.rfind("HTTP/1.1 404", 0), 0u) << pipelined;
  EXPECT_NE(pipelined.find("\"not_found\""), std::string::npos) << pipelined;
  size_t second = status_line_at(pipelined, 1);
  ASSERT_NE(second, std::string::npos) << pipelined;
  EXPECT_EQ(pipelined.compare(second, 12, "HTTP/1.1 200"), 0) << pipelined;

  std::stringstream chunk_size;
  chunk_size << std::hex << body.size();
  std::string chunked = http_.raw(head + "Transfer-Encoding: chunked\r\n\r\n" + chunk_size.str() +
                                  "\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 404", 0), 0u) << chunked;

  size_t half = body.find("99999") + 2;  // in the middle of the service's number
  std::string split = http_.raw_parts({sized + body.substr(0, half), body.substr(half)});
  EXPECT_EQ(split.rfind("HTTP/1.1 404", 0), 0u) << split;
  EXPECT_NE(split.find("\"not_found\""), std::string::npos) << split;
}

TEST_F(BadInput, GarbageOnTheSocketGets400AndTheServerSurvives) {
  std::string reply = http_.raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_NE(reply.find("400"), std::string::npos) << reply;
  reply = http_.raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
  EXPECT_NE(reply.find("400"), std::string::npos) << reply;
  EXPECT_EQ(http_.get("/healthz").status, 200);
}

// Framing that a proxy in front could read otherwise is refused, and the
// bytes after it never run as a second request (request smuggling).
TEST_F(BadInput, AmbiguousTransferEncodingIsRefusedAndNothingIsSmuggled) {
  const std::string smuggled = "helloGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const char* coding : {"chunked, identity", "identity", "xchunked", "foo", "gzip, chunked"}) {
    std::string reply =
        http_.raw(std::string("POST /api/v1/search HTTP/1.1\r\nHost: x\r\n") +
                  "Transfer-Encoding: " + coding + "\r\nContent-Length: 5\r\n\r\n" + smuggled);
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << coding << ": " << reply;
    EXPECT_EQ(reply.find("HTTP/1.1 200"), std::string::npos) << coding << ": " << reply;
    EXPECT_NE(reply.find("Content-Security-Policy"), std::string::npos) << reply;
  }
  std::string unknown = http_.raw(
      "POST /api/v1/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled);
  EXPECT_EQ(unknown.rfind("HTTP/1.1 501", 0), 0u) << unknown;
  EXPECT_EQ(unknown.find("HTTP/1.1 200"), std::string::npos) << unknown;
  EXPECT_EQ(http_.get("/healthz").status, 200);
}

}  // namespace
}  // namespace rdv::testing
