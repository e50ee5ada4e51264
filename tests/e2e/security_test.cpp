// The holes found by an attack on the running server, one class each, sent
// again over real sockets: every hostile input is refused with a 400 (or
// 403/409/415/429) naming its field, and nothing reaches the SMTP sink, the
// response headers or the log. (Calendar and webhook addresses: ssrf_test.cpp.)
#include <gtest/gtest.h>

#include "smtp_sink.h"
#include "support/file_text.h"
#include "support/run.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class Security : public ::testing::Test {
 protected:
  Security()
      : log_(std::filesystem::temp_directory_path() /
             ("rdv-security-" + std::to_string(::getpid()) + ".log")),
        server_(options(smtp_, log_.string())),
        http_(server_.port()),
        world_(make_world(http_)) {}
  ~Security() override { std::filesystem::remove(log_); }

  static ServerOptions options(const SmtpSink& smtp, const std::string& log) {
    ServerOptions o = mailing_to(smtp);
    o.env["RDV_OPEN_BOOKINGS_PER_CONTACT"] = "2";
    o.env["RDV_MAX_DOCUMENTS_PER_BOOKING"] = "2";
    o.env["RDV_MAX_DOCUMENT_MIB_PER_BOOKING"] = "1";
    o.env["RDV_DOCUMENT_RATE_LIMIT"] = "6";
    o.env["RDV_TRUSTED_PROXIES"] = "127.0.0.1";
    o.log_file = log;
    return o;
  }
  json booking(const std::string& hhmm, json who) const {
    return {{"service_id", world_.service}, {"start", world_.at(hhmm)}, {"resident", who}};
  }
  static void expect_refused(const Reply& r, int status, const std::string& code,
                             const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.error_code(), code) << r.body;
    if (!field.empty() && r.status == status) {
      EXPECT_EQ(r.error_field(), field) << r.body;
    }
  }
  std::string log_text() const { return file_text(log_); }

  std::filesystem::path log_;
  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(Security, TextBoundForOtherProtocolsIsCheckedWhereItEnters) {
  json base = resident();
  for (const char* email :
       {"lea@example.fr\r\nRCPT TO:<victim@evil.example>", "lea@example.fr>\r\nDATA\r\n.",
        "Léa <lea@example.fr>", "lea@example.fr, boss@evil.example", "lea@example.fr\nBcc: x@y.fr",
        "lea", "lea@example.fr\x7f"}) {
    json who = base;
    who["email"] = email;
    expect_refused(http_.post("/api/v1/bookings", booking("09:00", who)), 400, "invalid_input",
                   "resident.email");
  }
  for (const char* phone : {"0899123456", "+33 8 92 12 34 56", "123", "+33612345678\r\nX: y",
                            "06 12 34 56 78 <script>", "tel:+33612345678"}) {
    json who = base;
    who["phone"] = phone;
    expect_refused(http_.post("/api/v1/bookings", booking("09:00", who)), 400, "invalid_input",
                   "resident.phone");
  }
  for (const char* name : {"Léa\r\nSubject: faux", "Léa\x1b[31m", "Léa\u2028x"}) {
    json who = base;
    who["first_name"] = name;
    expect_refused(http_.post("/api/v1/bookings", booking("09:00", who)), 400, "invalid_input",
                   "resident.first_name");
  }
  // The national number is stored in E.164.
  json who = base;
  who["phone"] = "06 12 34 56 78";
  Reply ok = http_.post("/api/v1/bookings", booking("09:00", who));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json()["resident"]["phone"], "+33612345678");
  // Only that booking's message reached the SMTP server, to that one address.
  ASSERT_TRUE(smtp_.wait_for(1));
  std::this_thread::sleep_for(std::chrono::milliseconds{500});  // let a stray message arrive
  json mails = smtp_.messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["rcpt"], json::array({"lea.dupont@example.fr"}));

  // Video template: a line break cannot come back as a response header.
  std::string video = "/api/v1/organisations/" + std::to_string(world_.org) + "/video";
  for (const char* url : {"https://visio.example.fr/{room}\r\nSet-Cookie: a=b",
                          "https://visio.example.fr/{room}?x=1\nLocation: https://evil.example",
                          "https://visio.example.fr/ {room}", "javascript:alert(1)//{room}",
                          "https://visio.example.fr/{room}\t"})
    expect_refused(http_.request("PUT", video, json{{"provider", "template"}, {"url", url}}.dump(),
                                 {{"Content-Type", "application/json"},
                                  {"Authorization", "Bearer " + world_.admin_token}}),
                   400, "invalid_input", "url");
  // Overseas: national numbers are read with the region of the organisation's zone.
  Reply org = http_.post("/api/v1/organisations",
                         {{"name", "Mairie de Saint-Denis"}, {"timezone", "Indian/Reunion"}},
                         world_.admin_token);
  Reply agent = http_.post(
      "/api/v1/organisations/" + std::to_string(org.json()["id"].get<long>()) + "/agents",
      {{"name", "Agent Réunion"}, {"phone", "0692 12 34 56"}}, world_.admin_token);
  ASSERT_EQ(agent.status, 201) << agent.body;
  EXPECT_EQ(agent.json()["phone"], "+262692123456");
}

TEST_F(Security, StaffBookOnlyInTheirOwnOrganisations) {
  // Another organisation, with a service for desks and agents only.
  long other =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token)
          .json()["id"];
  std::string base = "/api/v1/organisations/" + std::to_string(other);
  long place = http_.post(base + "/places", {{"name", "Mairie"}}, world_.admin_token).json()["id"];
  long closed = http_
                    .post(base + "/services",
                          {{"name", "Instruction interne"},
                           {"duration_minutes", 30},
                           {"min_notice_minutes", 0},
                           {"bookable_by", {"agent"}}},
                          world_.admin_token)
                    .json()["id"];
  json agent = http_.post(base + "/agents", {{"name", "Julie Moreau"}}, world_.admin_token).json();
  http_.post("/api/v1/agents/" + std::to_string(agent["id"].get<long>()) + "/openings",
             {{"place_id", place},
              {"service_ids", {closed}},
              {"start", world_.day + "T09:00"},
              {"end", world_.day + "T12:00"}},
             agent["api_token"]);
  json org_admin = http_
                       .post("/api/v1/organisations/" + std::to_string(world_.org) + "/users",
                             {{"name", "Admin Cenon"}, {"role", "org_admin"}}, world_.admin_token)
                       .json();
  json desk = http_
                  .post("/api/v1/organisations/" + std::to_string(world_.org) + "/users",
                        {{"name", "Guichet Cenon"}, {"role", "desk"}}, world_.admin_token)
                  .json();
  json body = {{"service_id", closed}, {"start", world_.at("09:00")}, {"resident", resident()}};
  // The agent and the organisation administrator of Cenon cannot book at Bègles.
  expect_refused(http_.post("/api/v1/bookings", body, world_.agent_token), 403, "forbidden");
  expect_refused(http_.post("/api/v1/bookings", body, org_admin["api_token"]), 403, "forbidden");
  // Desks only where the service is open to desks; residents only where open to the public.
  body["mandate"] = {{"consent", true}, {"kind", "oral"}};
  expect_refused(http_.post("/api/v1/bookings", body, desk["api_token"]), 403, "forbidden");
  body.erase("mandate");
  expect_refused(http_.post("/api/v1/bookings", body), 403, "forbidden");
  // Bègles's own agent may.
  EXPECT_EQ(http_.post("/api/v1/bookings", body, agent["api_token"]).status, 201);
  // And Cenon's agent still books in Cenon.
  EXPECT_EQ(http_.post("/api/v1/bookings", booking("10:00", resident()), world_.agent_token).status,
            201);
}

TEST_F(Security, SecretsOfPathsNeverReachTheLog) {
  // Feed secrets written in other ways, a visio token, a manage token in the query.
  Reply agent = http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/calendars",
                          world_.agent_token);
  ASSERT_EQ(agent.status, 200);
  const std::string secret = "s3cretFeedValue0123456789";
  for (const std::string& path :
       {"/ical/agents/" + std::to_string(world_.agent) + "/" + secret + ".ics",
        "//ical//agents//" + std::to_string(world_.agent) + "//" + secret + ".ics",
        "/ical/agents/" + std::to_string(world_.agent) + "/" + secret + ".ics?x=" + secret,
        "/visio/" + secret, "/api/v1/surveys/" + secret, "/api/v1/bookings/1?token=" + secret,
        "/nothing/here/" + secret})
    http_.get(path);
  server_.terminate();
  std::string log = log_text();
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
  EXPECT_NE(log.find(R"("route":"/ical/agents/{agent}/{secret}","status":404)"), std::string::npos)
      << log;
  EXPECT_NE(log.find(R"("method":"GET","route":"/visio/{token}")"), std::string::npos) << log;
}

TEST_F(Security, OtherSitesCannotPostJsonAsFormsOrText) {
  std::string body = booking("09:00", resident()).dump();
  for (const char* type :
       {"text/plain", "text/plain;charset=json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonp", ""})
    expect_refused(http_.request("POST", "/api/v1/bookings", body,
                                 *type ? std::map<std::string, std::string>{{"Content-Type", type}}
                                       : std::map<std::string, std::string>{}),
                   415, "unsupported_media_type");
  Reply page = http_.get("/visio/not-a-token");
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.headers["content-security-policy"].find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_NE(page.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.headers["referrer-policy"], "same-origin");
  EXPECT_EQ(http_.get("/healthz").headers["referrer-policy"], "same-origin");
  // Nothing was booked by all this.
  EXPECT_EQ(http_.post("/api/v1/bookings", booking("09:00", resident())).status, 201);
}

TEST_F(Security, AnonymousClientsHaveBoundedResources) {
  // Open bookings per contact and service (2 here).
  EXPECT_EQ(http_.post("/api/v1/bookings", booking("09:00", resident())).status, 201);
  Reply second = http_.post("/api/v1/bookings", booking("09:30", resident()));
  ASSERT_EQ(second.status, 201);
  json same_person = resident();
  same_person["email"] = "LEA.DUPONT@example.fr";
  same_person["email"] = "lea.dupont@EXAMPLE.FR";
  same_person["phone"] = "06 12 34 56 78";
  expect_refused(http_.post("/api/v1/bookings", booking("10:00", same_person)), 409,
                 "too_many_bookings");

  // Documents per booking: 2 files, 1 MiB in all; uploads rate limited (6 a minute).
  std::string docs = "/api/v1/bookings/" + std::to_string(second.json()["id"].get<long>()) +
                     "/documents?token=" + second.json()["manage_token"].get<std::string>();
  auto upload = [&](size_t size) {
    std::string pdf = "%PDF-1.4\n" + std::string(size, 'x');
    return http_.request("POST", docs, pdf, {{"Content-Type", "application/pdf"}});
  };
  EXPECT_EQ(upload(600 << 10).status, 201);
  expect_refused(upload(600 << 10), 409, "document_limit");  // more than 1 MiB in all
  EXPECT_EQ(upload(1000).status, 201);
  expect_refused(upload(1000), 409, "document_limit");  // a third file
  EXPECT_EQ(http_
                .get(docs.substr(0, docs.find('?')) +
                     "?token=" + second.json()["manage_token"].get<std::string>())
                .json()
                .size(),
            2u);
  int limited = 0;
  for (int i = 0; i < 6; ++i) limited += upload(10).status == 429;
  EXPECT_GE(limited, 3);  // 6 a minute: the 4 above and 2 of these pass at most
  Reply refused = upload(10);
  EXPECT_EQ(refused.status, 429);
  EXPECT_FALSE(refused.headers["retry-after"].empty());
}

TEST_F(Security, IdempotencyKeysKeepNoTokenAndAreScopedByClient) {
  std::string body = booking("09:00", resident()).dump();
  auto post = [&](const std::string& client) {
    return http_.request("POST", "/api/v1/bookings", body,
                         {{"Content-Type", "application/json"},
                          {"Idempotency-Key", "same-key-123"},
                          {"X-Forwarded-For", client}});
  };
  Reply first = post("203.0.113.7");
  ASSERT_EQ(first.status, 201) << first.body;
  Reply replay = post("203.0.113.7");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.headers["idempotent-replayed"], "true");
  EXPECT_EQ(replay.json()["manage_token"], first.json()["manage_token"]);
  // Another client with the same key gets no replay of someone else's booking.
  Reply other = post("198.51.100.20");
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.error_code(), "slot_unavailable");
  EXPECT_EQ(other.body.find(first.json()["manage_token"].get<std::string>()), std::string::npos);
  // The database holds no manage token and no resident data for idempotency.
  server_.terminate();
  const std::string& db = server_.db();
  auto dump = run_command(testing_postgres() ? "pg_dump --data-only '" + db + "'"
                                             : "sqlite3 " + db.substr(7) + " .dump");
  ASSERT_EQ(dump.first, 0) << dump.second;
  EXPECT_EQ(dump.second.find(first.json()["manage_token"].get<std::string>()), std::string::npos);
  EXPECT_EQ(dump.second.find("same-key-123"), std::string::npos);
}

}  // namespace
}  // namespace rdv::testing
