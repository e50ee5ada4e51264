// Video visits over HTTP: the organisation's provider, the /visio/ links of
// the resident and the agent, and documents uploaded before the visit.
#include <gtest/gtest.h>

#include <future>

#include "held_host.h"
#include "recording_server.h"
#include "support/run.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class Video : public ::testing::Test {
 protected:
  Video() : server_(options()), http_(server_.port()), world_(make_world(http_)) {
    Reply svc = http_.post(org_path("/services"),
                           {{"name", "Entretien en visio"},
                            {"duration_minutes", 30},
                            {"min_notice_minutes", 0},
                            {"modes", {"video"}},
                            {"documents_to_bring", {"Avis d'imposition"}}},
                           world_.admin_token);
    service_ = svc.json()["id"];
  }
  static ServerOptions options() {
    ServerOptions o;
    o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";
    o.env["RDV_READ_THREADS"] = "1";  // a link waiting on the provider must not take it
    return o;
  }
  std::string org_path(const std::string& rest) const {
    return "/api/v1/organisations/" + std::to_string(world_.org) + rest;
  }
  Reply set_video(const json& settings) {
    return http_.request(
        "PUT", org_path("/video"), settings.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + world_.admin_token}});
  }
  Reply set_jitsi(int open_minutes_before) {
    return set_video({{"provider", "jitsi"},
                      {"url", "https://visio.example.fr"},
                      {"app_id", "rendezvous"},
                      {"secret", "jitsi-app-secret-0123456789"},
                      {"open_minutes_before", open_minutes_before}});
  }
  // An opening from now (to the minute, Paris time) for three hours.
  void open_now() {
    auto paris = date::locate_zone("Europe/Paris");
    auto now = date::floor<std::chrono::minutes>(paris->to_local(std::chrono::system_clock::now()));
    ASSERT_EQ(http_
                  .post("/api/v1/agents/" + std::to_string(world_.agent) + "/openings",
                        {{"place_id", world_.place},
                         {"service_ids", {service_}},
                         {"start", date::format("%Y-%m-%dT%H:%M", now)},
                         {"end", date::format("%Y-%m-%dT%H:%M", now + std::chrono::hours{3})}},
                        world_.agent_token)
                  .status,
              201);
  }
  // Books the first video slot starting two minutes from now or later (one
  // starting this very minute could begin before the test cancels it, and a
  // started visit is no longer cancelled); returns the booking.
  json book_soon() {
    json slots = http_.get("/api/v1/slots?mode=video&service=" + std::to_string(service_)).json();
    auto soonest = std::chrono::system_clock::now() + std::chrono::minutes{2};
    json chosen;
    for (const json& slot : slots)
      if (chosen.is_null() && *parse_rfc3339(slot["start"].get<std::string>()) >= soonest)
        chosen = slot;
    EXPECT_FALSE(chosen.is_null()) << slots.dump();
    Reply r = http_.post("/api/v1/bookings", {{"service_id", service_},
                                              {"start", chosen["start"]},
                                              {"mode", "video"},
                                              {"resident", resident()}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  std::string path_of(const std::string& url) const { return url.substr(url.find("/visio/")); }

  ServerProcess server_;
  HttpClient http_;
  World world_;
  long service_ = 0;
};

TEST_F(Video, NoVideoBookingWithoutAProvider) {
  open_now();
  json slots = http_.get("/api/v1/slots?mode=video&service=" + std::to_string(service_)).json();
  ASSERT_FALSE(slots.empty());
  Reply r = http_.post("/api/v1/bookings", {{"service_id", service_},
                                            {"start", slots[0]["start"]},
                                            {"mode", "video"},
                                            {"resident", resident()}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("video"), std::string::npos);
  EXPECT_EQ(
      set_video({{"provider", "jitsi"}, {"url", "https://visio.example.fr"}, {"secret", "short"}})
          .status,
      400);
  EXPECT_EQ(set_video({{"provider", "zoom"}}).status, 400);
}

TEST_F(Video, JitsiLinksOpenAroundTheVisitForTheResidentAndTheAgent) {
  ASSERT_EQ(set_jitsi(60).status, 200);
  open_now();
  json b = book_soon();
  std::string resident_link = path_of(b["video_url"]);
  Reply go = http_.get(resident_link);
  ASSERT_EQ(go.status, 302) << go.body;
  std::string location = go.headers["location"];
  ASSERT_EQ(location.rfind("https://visio.example.fr/rdv", 0), 0u) << location;
  std::string jwt = location.substr(location.find("jwt=") + 4);
  std::string payload = jwt.substr(jwt.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  auto claim = [&](const std::string& p, const std::string& expr) {
    return python("import base64, json; c = json.loads(base64.urlsafe_b64decode(\"" + p +
                  "\" + \"=\" * (-len(\"" + p + "\") % 4))); print(" + expr + ")");
  };
  EXPECT_EQ(claim(payload, "c[\"moderator\"], c[\"context\"][\"user\"][\"name\"]"),
            "False Léa Dupont");

  // The agent's own link makes them moderator of the same room.
  Reply as_agent =
      http_.get("/api/v1/bookings/" + std::to_string(b["id"].get<long>()), world_.agent_token);
  std::string agent_link = path_of(as_agent.json()["video_url"]);
  EXPECT_NE(agent_link, resident_link);
  std::string agent_location = http_.get(agent_link).headers["location"];
  EXPECT_EQ(agent_location.substr(0, agent_location.find('?')),
            location.substr(0, location.find('?')));
  std::string agent_jwt = agent_location.substr(agent_location.find("jwt=") + 4);
  std::string agent_payload = agent_jwt.substr(agent_jwt.find('.') + 1);
  agent_payload = agent_payload.substr(0, agent_payload.find('.'));
  EXPECT_EQ(claim(agent_payload, "c[\"moderator\"]"), "True");

  // Once cancelled, no more redirect.
  ASSERT_EQ(http_
                .post("/api/v1/bookings/" + std::to_string(b["id"].get<long>()) + "/cancel",
                      json::object(), world_.agent_token)
                .status,
            200);
  Reply cancelled = http_.get(resident_link);
  EXPECT_EQ(cancelled.status, 410);
  EXPECT_NE(cancelled.body.find("annulé"), std::string::npos);
  EXPECT_EQ(http_.get("/visio/1-r-forged").status, 404);
}

TEST_F(Video, TooEarlyShowsWhenTheVisitStarts) {
  ASSERT_EQ(set_jitsi(15).status, 200);
  ASSERT_EQ(http_
                .post("/api/v1/agents/" + std::to_string(world_.agent) + "/openings",
                      {{"place_id", world_.place},
                       {"service_ids", {service_}},
                       {"start", world_.day + "T14:00"},
                       {"end", world_.day + "T15:00"}},
                      world_.agent_token)
                .status,
            201);
  Reply b = http_.post("/api/v1/bookings", {{"service_id", service_},
                                            {"start", world_.at("14:00")},
                                            {"mode", "video"},
                                            {"resident", resident()}});
  ASSERT_EQ(b.status, 201) << b.body;
  Reply page = http_.get(path_of(b.json()["video_url"]));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("commence le"), std::string::npos);
  EXPECT_NE(page.body.find("14:00"), std::string::npos);
  EXPECT_NE(page.body.find("<li>Avis d&#39;imposition</li>"), std::string::npos);
  // The resident's .ics carries the link.
  std::string ics = http_
                        .get(b.json()["ics_url"].get<std::string>().substr(
                            b.json()["ics_url"].get<std::string>().find("/api/")))
                        .body;
  EXPECT_NE(ics.find("/visio/"), std::string::npos);
}

// The link waits on BigBlueButton's create call: with the server's only read
// thread free, searches go on meanwhile.
TEST_F(Video, ALinkWaitingOnBigBlueButtonDoesNotHoldUpSearches) {
  HeldHost bbb("<response><returncode>SUCCESS</returncode></response>");
  ASSERT_EQ(set_video({{"provider", "bbb"},
                       {"url", bbb.url("/bigbluebutton/api")},
                       {"secret", "639259d4-9dd8-4b25-bf01-95f9567eaf4b"},
                       {"open_minutes_before", 60}})
                .status,
            200);
  open_now();
  json b = book_soon();
  auto go = std::async(std::launch::async, [&] { return http_.get(path_of(b["video_url"])); });
  ASSERT_TRUE(bbb.holds(1));
  auto search = std::async(std::launch::async, [&] {
    return http_.get("/api/v1/slots?mode=video&service=" + std::to_string(service_));
  });
  EXPECT_EQ(within_seconds(search, bbb).status, 200);
  bbb.release();
  EXPECT_EQ(go.get().status, 302);
}

TEST_F(Video, BigBlueButtonMeetingIsCreatedOnDemand) {
  RecordingServer bbb(0, "<response><returncode>SUCCESS</returncode></response>");
  const std::string secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";
  ASSERT_EQ(set_video({{"provider", "bbb"},
                       {"url", bbb.url("/bigbluebutton/api")},
                       {"secret", secret},
                       {"open_minutes_before", 60}})
                .status,
            200);
  open_now();
  json b = book_soon();
  Reply go = http_.get(path_of(b["video_url"]));
  ASSERT_EQ(go.status, 302) << go.body;
  std::string location = go.headers["location"];
  EXPECT_EQ(location.rfind(bbb.url("/bigbluebutton/api/join?"), 0), 0u) << location;
  std::vector<HttpRequest> calls = bbb.accepted();
  ASSERT_EQ(calls.size(), 1u);
  const HttpRequest& create = calls[0];
  EXPECT_EQ(create.path, "/bigbluebutton/api/create");
  // The checksum, as BigBlueButton's documentation computes it (raw query string).
  std::string raw = location.substr(location.find('?') + 1);
  std::string join_query = raw.substr(0, raw.find("&checksum="));
  EXPECT_EQ(raw.substr(raw.find("&checksum=") + 10),
            python("import hashlib; print(hashlib.sha1(b\"join\" + \"" + join_query +
                   "\".encode() + b\"" + secret + "\").hexdigest())"));
  EXPECT_NE(join_query.find("role=VIEWER"), std::string::npos);
  EXPECT_EQ(create.query.at("meetingID"),
            location.substr(location.find("meetingID=") + 10,
                            location.find('&', location.find("meetingID=")) -
                                location.find("meetingID=") - 10));
}

TEST_F(Video, TemplateProvider) {
  ASSERT_EQ(set_video({{"provider", "template"},
                       {"url", "https://salle.example.fr/{room}?jeton={token}"},
                       {"open_minutes_before", 60}})
                .status,
            200);
  open_now();
  json b = book_soon();
  std::string link = path_of(b["video_url"]);
  Reply go = http_.get(link);
  ASSERT_EQ(go.status, 302);
  EXPECT_EQ(go.headers["location"].rfind("https://salle.example.fr/rdv", 0), 0u);
  EXPECT_NE(go.headers["location"].find("?jeton=" + link.substr(7)), std::string::npos);
}

TEST_F(Video, DocumentsBeforeTheVisitAreForTheAgentOnly) {
  ASSERT_EQ(set_jitsi(15).status, 200);
  Reply b = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("09:00")}, {"resident", resident()}});
  ASSERT_EQ(b.status, 201);
  std::string id = std::to_string(b.json()["id"].get<long>());
  std::string token = b.json()["manage_token"];
  std::string docs = "/api/v1/bookings/" + id + "/documents";
  std::string pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
  auto upload = [&](const std::string& body, const std::string& type, const std::string& t) {
    return http_.request("POST", docs + "?token=" + t, body,
                         {{"Content-Type", type}, {"X-Filename", "avis-imposition.pdf"}});
  };
  Reply up = upload(pdf, "application/pdf", token);
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.json()["filename"], "avis-imposition.pdf");
  // A name that would show "...exe.pdf" turned around (U+202E), with another
  // extension: the agent sees the sniffed type's extension, no control.
  Reply disguised = http_.request("POST", docs + "?token=" + token, pdf,
                                  {{"Content-Type", "application/pdf"},
                                   {"X-Filename",
                                    "facture\xE2\x80\xAE"
                                    "fdp.exe"}});
  ASSERT_EQ(disguised.status, 201) << disguised.body;
  EXPECT_EQ(disguised.json()["filename"], "facturefdp.pdf");
  EXPECT_EQ(upload(pdf, "application/pdf", "forged").status, 403);
  EXPECT_EQ(upload("MZ\x90\x00 not a pdf", "application/pdf", token).status, 415);
  EXPECT_EQ(upload(pdf, "text/html", token).status, 415);
  EXPECT_EQ(upload("%PDF-" + std::string((10 << 20) + 10, 'x'), "application/pdf", token).status,
            413);
  EXPECT_EQ(http_.get("/healthz").status, 200);

  Reply listed = http_.get(docs + "?token=" + token);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json().size(), 2u);
  std::string one = docs + "/" + std::to_string(listed.json()[0]["id"].get<long>());
  Reply download = http_.get(one, world_.agent_token);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, pdf);
  EXPECT_EQ(download.headers["content-type"], "application/pdf");
  EXPECT_NE(download.headers["content-disposition"].find("attachment"), std::string::npos);
  EXPECT_EQ(http_.get(one + "?token=" + token).status, 401);  // not even the resident downloads
  Reply other = http_.post("/api/v1/organisations/" + std::to_string(world_.org) + "/agents",
                           {{"name", "Autre agent"}}, world_.admin_token);
  EXPECT_EQ(http_.get(one, other.json()["api_token"]).status, 403);
  EXPECT_EQ(http_.get(one, world_.admin_token).status, 403);  // the agent's only

  ASSERT_EQ(http_.post("/api/v1/bookings/" + id + "/cancel?token=" + token, json::object()).status,
            200);
  EXPECT_EQ(upload(pdf, "application/pdf", token).status, 409);
}

}  // namespace
}  // namespace rdv::testing
