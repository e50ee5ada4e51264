// The management API over HTTP: lists, changes and removals with the rules
// users expect, and the booking lists with their filters and pages.
#include <gtest/gtest.h>

#include "smtp_sink.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class Manage : public ::testing::Test {
 protected:
  Manage() : server_(mailing_to(smtp_)), http_(server_.port()), world_(make_world(http_)) {}

  Reply send(const std::string& method, const std::string& target, const json& body,
             const std::string& token) const {
    return http_.request(
        method, target, body.is_null() ? "" : body.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  }
  std::string org_path() const { return "/api/v1/organisations/" + std::to_string(world_.org); }
  std::string agent_path() const { return "/api/v1/agents/" + std::to_string(world_.agent); }
  long book(const std::string& hhmm, const std::string& token = "") {
    Reply r = http_.post(
        "/api/v1/bookings",
        {{"service_id", world_.service},
         {"start", world_.at(hhmm)},
         {"resident", resident()},
         {"mandate", token.empty() ? json(nullptr) : json{{"consent", true}, {"kind", "oral"}}}},
        token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json()["id"].get<long>() : 0;
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(Manage, ABookedServiceIsArchivedNotDeletedAndAnUnusedOneGoes) {
  long booking = book("09:00");
  Reply removed = send("DELETE", "/api/v1/services/" + std::to_string(world_.service), nullptr,
                       world_.admin_token);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.json()["archived"], true);
  // Its booking keeps it; nobody finds or books it any more.
  EXPECT_EQ(http_.get("/api/v1/bookings/" + std::to_string(booking), world_.agent_token).status,
            200);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte+grise").json().size(), 0u);
  EXPECT_EQ(http_.get("/api/v1/slots?service=" + std::to_string(world_.service)).json().size(), 0u);
  Reply refused = http_.post("/api/v1/bookings", {{"service_id", world_.service},
                                                  {"start", world_.at("10:00")},
                                                  {"resident", resident("Paul")}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(http_.get(org_path() + "/services").json().size(), 1u);  // the workshop
  EXPECT_EQ(http_.get(org_path() + "/services?archived=true", world_.admin_token).json().size(),
            2u);
  // Brought back.
  EXPECT_EQ(send("PATCH", "/api/v1/services/" + std::to_string(world_.service),
                 {{"archived", false}}, world_.admin_token)
                .json()["archived"],
            false);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte+grise").json().size(), 1u);

  long fresh = http_
                   .post(org_path() + "/services",
                         {{"name", "Passeport"}, {"duration_minutes", 20}}, world_.admin_token)
                   .json()["id"];
  EXPECT_EQ(send("DELETE", "/api/v1/services/" + std::to_string(fresh), nullptr, world_.admin_token)
                .status,
            204);
  EXPECT_EQ(http_.get("/api/v1/services/" + std::to_string(fresh)).status, 404);
}

TEST_F(Manage, ChangesKeepWhatIsNotSentAndAreCheckedLikeCreations) {
  std::string service = "/api/v1/services/" + std::to_string(world_.service);
  Reply changed =
      send("PATCH", service, {{"name", "Certificat d'immatriculation"}, {"duration_minutes", 45}},
           world_.admin_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["duration_minutes"], 45);
  EXPECT_EQ(changed.json()["keywords"], json::array({"immatriculation"}));  // kept
  EXPECT_EQ(http_.get("/api/v1/search?q=certificat").json().size(), 1u);    // found by its new name
  Reply bad = send("PATCH", service, {{"duration_minutes", 9000}}, world_.admin_token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_field(), "duration_minutes");
  EXPECT_EQ(send("PATCH", service, {{"name", "X"}}, world_.agent_token).status, 403);

  std::string place = "/api/v1/places/" + std::to_string(world_.place);
  Reply moved = send("PATCH", place, {{"address", "1 avenue Carnot"}}, world_.admin_token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["city"], "Cenon");
  EXPECT_EQ(moved.json()["address"], "1 avenue Carnot");
  // A place with openings is not removed; an unused one is.
  EXPECT_EQ(send("DELETE", place, nullptr, world_.admin_token).status, 409);
  long spare =
      http_.post(org_path() + "/places", {{"name", "Annexe"}}, world_.admin_token).json()["id"];
  EXPECT_EQ(
      send("DELETE", "/api/v1/places/" + std::to_string(spare), nullptr, world_.admin_token).status,
      204);
  EXPECT_EQ(http_.get(org_path() + "/places").json().size(), 1u);

  Reply org =
      send("PATCH", org_path(), {{"name", "France Services Cenon-Bas"}}, world_.admin_token);
  EXPECT_EQ(org.json()["name"], "France Services Cenon-Bas");
  EXPECT_EQ(org.json()["timezone"], "Europe/Paris");
  Reply agent = send("PATCH", agent_path(), {{"phone", "06 12 34 56 78"}}, world_.agent_token);
  EXPECT_EQ(agent.json()["phone"], "+33612345678");
}

TEST_F(Manage, RemovingAnOpeningKeepsItsBookingAndTellsTheAgent) {
  // An agent with an email, so that they can be told.
  EXPECT_EQ(send("PATCH", agent_path(), {{"email", "sophie.laurent@cenon.fr"}}, world_.admin_token)
                .status,
            200);
  long booking = book("09:30");
  ASSERT_TRUE(smtp_.wait_for(2));  // the confirmations to the resident and to the agent
  json openings = http_.get(agent_path() + "/openings", world_.agent_token).json();
  ASSERT_EQ(openings.size(), 2u);
  long weekly = openings[0]["id"];
  EXPECT_EQ(send("DELETE", agent_path() + "/openings/" + std::to_string(weekly), nullptr,
                 world_.agent_token)
                .status,
            204);
  EXPECT_EQ(http_.get(agent_path() + "/openings", world_.agent_token).json().size(), 1u);
  Reply kept = http_.get("/api/v1/bookings/" + std::to_string(booking), world_.agent_token);
  EXPECT_EQ(kept.json()["status"], "confirmed");
  ASSERT_TRUE(smtp_.wait_for(3));
  json told = smtp_.messages()[2];
  EXPECT_EQ(told["to"], "sophie.laurent@cenon.fr");
  EXPECT_NE(told["subject"].get<std::string>().find("À vérifier"), std::string::npos)
      << told["subject"];
  // Someone else's opening, or one that is gone: 404.
  EXPECT_EQ(send("DELETE", agent_path() + "/openings/" + std::to_string(weekly), nullptr,
                 world_.agent_token)
                .status,
            404);

  Reply absence = http_.post(agent_path() + "/absences",
                             {{"start", world_.day + "T11:00"}, {"end", world_.day + "T12:00"}},
                             world_.agent_token);
  ASSERT_EQ(absence.status, 201);
  EXPECT_EQ(http_.get(agent_path() + "/absences", world_.agent_token).json().size(), 1u);
  EXPECT_EQ(
      send("DELETE", agent_path() + "/absences/" + std::to_string(absence.json()["id"].get<long>()),
           nullptr, world_.agent_token)
          .status,
      204);
  EXPECT_EQ(http_.get(agent_path() + "/absences", world_.agent_token).json().size(), 0u);
}

TEST_F(Manage, ChangingAnOpeningKeepsTheBookingsItNoLongerCoversAndTellsTheAgent) {
  EXPECT_EQ(send("PATCH", agent_path(), {{"email", "sophie.laurent@cenon.fr"}}, world_.admin_token)
                .status,
            200);
  long early = book("09:00"), late = book("11:30");
  ASSERT_TRUE(smtp_.wait_for(4));  // two confirmations each to the resident and the agent
  json openings = http_.get(agent_path() + "/openings", world_.agent_token).json();
  std::string weekly = agent_path() + "/openings/" + std::to_string(openings[0]["id"].get<long>());

  // Mornings now end at 11:00: what is not sent stays (the weekly rule, the place).
  Reply changed = send("PATCH", weekly, {{"end", world_.day + "T11:00"}}, world_.agent_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["end"], world_.day + "T11:00:00");
  EXPECT_EQ(changed.json()["rrule"], "FREQ=WEEKLY");
  EXPECT_EQ(changed.json()["place_id"], world_.place);
  EXPECT_EQ(changed.json()["bookings_outside"], json::array({late}));
  EXPECT_EQ(
      http_.get("/api/v1/bookings/" + std::to_string(late), world_.agent_token).json()["status"],
      "confirmed");
  EXPECT_EQ(
      http_.get("/api/v1/bookings/" + std::to_string(early), world_.agent_token).json()["status"],
      "confirmed");
  ASSERT_TRUE(smtp_.wait_for(5));
  bool told = false;
  for (const json& m : smtp_.messages())
    told = told || (m["to"] == "sophie.laurent@cenon.fr" &&
                    m["subject"].get<std::string>().find("À vérifier") != std::string::npos);
  EXPECT_TRUE(told);
  // Without the phone, a visit by phone is outside too.
  Reply by_phone = http_.post("/api/v1/bookings", {{"service_id", world_.service},
                                                   {"start", world_.at("10:00")},
                                                   {"mode", "phone"},
                                                   {"resident", resident("Paul")}});
  ASSERT_EQ(by_phone.status, 201) << by_phone.body;
  Reply in_person = send("PATCH", weekly, {{"modes", {"in_person"}}}, world_.agent_token);
  ASSERT_EQ(in_person.status, 200) << in_person.body;
  EXPECT_EQ(in_person.json()["bookings_outside"],
            json::array({by_phone.json()["id"].get<long>(), late}));
  EXPECT_EQ(in_person.json()["end"], world_.day + "T11:00:00");  // kept from the last change
  // No slot after 11:00 any more.
  for (const json& slot :
       http_.get("/api/v1/slots?service=" + std::to_string(world_.service)).json())
    EXPECT_LT(slot["start"].get<std::string>().substr(11, 5), "11:00") << slot;

  // A change is checked like a creation, and changes nothing when refused.
  Reply refused = send("PATCH", weekly, {{"end", world_.day + "T08:00"}}, world_.agent_token);
  EXPECT_EQ(refused.status, 400);
  Reply unknown = send("PATCH", weekly, {{"colour", "blue"}}, world_.agent_token);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(http_.get(agent_path() + "/openings", world_.agent_token).json()[0]["end"],
            world_.day + "T11:00:00");
  // Another agent's opening: 404; someone else: 403.
  Reply colleague =
      http_.post(org_path() + "/agents", {{"name", "Marc Petit"}}, world_.admin_token);
  std::string marc = colleague.json()["api_token"];
  EXPECT_EQ(send("PATCH",
                 "/api/v1/agents/" + std::to_string(colleague.json()["id"].get<long>()) +
                     "/openings/" + std::to_string(openings[0]["id"].get<long>()),
                 {{"end", world_.day + "T10:00"}}, marc)
                .status,
            404);
  EXPECT_EQ(send("PATCH", weekly, {{"end", world_.day + "T10:00"}}, marc).status, 403);

  // Absences change the same way.
  Reply absence = http_.post(
      agent_path() + "/absences",
      {{"start", world_.day + "T14:00"}, {"end", world_.day + "T15:00"}, {"reason", "Formation"}},
      world_.agent_token);
  ASSERT_EQ(absence.status, 201);
  Reply moved =
      send("PATCH", agent_path() + "/absences/" + std::to_string(absence.json()["id"].get<long>()),
           {{"end", world_.day + "T16:00"}}, world_.agent_token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["end"], world_.day + "T16:00:00");
  EXPECT_EQ(moved.json()["reason"], "Formation");
}

TEST_F(Manage, BookingListsFilterAndPage) {
  Reply desk = http_.post(org_path() + "/users", {{"name", "Accueil"}, {"role", "desk"}},
                          world_.admin_token);
  std::string desk_token = desk.json()["api_token"];
  long first = book("09:00");
  long second = book("09:30", desk_token);
  long third = book("10:00");
  EXPECT_EQ(http_
                .post("/api/v1/bookings/" + std::to_string(third) + "/cancel", json::object(),
                      world_.agent_token)
                .status,
            200);

  // The agent's day, one by one.
  std::string day = agent_path() + "/bookings?from=" + world_.day +
                    "T00:00:00%2B01:00&to=" + world_.day + "T23:59:00%2B01:00&limit=2";
  Reply page = http_.get(day, world_.agent_token);
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.json()["items"].size(), 2u);
  EXPECT_EQ(page.json()["items"][0]["id"], first);
  EXPECT_EQ(page.json()["items"][1]["id"], second);
  std::string next = page.json()["next"];
  Reply rest = http_.get(day + "&after=" + next, world_.agent_token);
  ASSERT_EQ(rest.json()["items"].size(), 1u);
  EXPECT_EQ(rest.json()["items"][0]["id"], third);
  EXPECT_TRUE(rest.json()["next"].is_null());
  // Staff see the resident's contact in their lists.
  EXPECT_EQ(page.json()["items"][0]["resident"]["last_name"], "Dupont");

  Reply confirmed = http_.get(org_path() + "/bookings?status=confirmed", world_.admin_token);
  EXPECT_EQ(confirmed.json()["items"].size(), 2u);
  EXPECT_EQ(http_.get(org_path() + "/bookings?status=lost", world_.admin_token).error_field(),
            "status");
  EXPECT_EQ(http_.get(org_path() + "/bookings?after=xyz", world_.admin_token).error_field(),
            "after");
  // A desk's own bookings.
  Reply mine = http_.get("/api/v1/me/bookings", desk_token);
  ASSERT_EQ(mine.json()["items"].size(), 1u);
  EXPECT_EQ(mine.json()["items"][0]["id"], second);
  EXPECT_EQ(http_.get("/api/v1/me/bookings", world_.agent_token).json()["items"].size(), 0u);
}

TEST_F(Manage, TheBookingsOfSomeoneWhoLeftStayAndGoToAColleague) {
  long first = book("09:00"), second = book("10:00"), third = book("11:30");
  ASSERT_TRUE(smtp_.wait_for(3));  // the resident's confirmations
  Reply colleague =
      http_.post(org_path() + "/agents", {{"name", "Marc Petit"}, {"email", "marc.petit@cenon.fr"}},
                 world_.admin_token);
  long marc = colleague.json()["id"];
  std::string marc_token = colleague.json()["api_token"];
  // Marc works that morning until 11:00 only.
  ASSERT_EQ(http_
                .post("/api/v1/agents/" + std::to_string(marc) + "/openings",
                      {{"place_id", world_.place},
                       {"service_ids", {world_.service}},
                       {"start", world_.day + "T09:00"},
                       {"end", world_.day + "T11:00"}},
                      marc_token)
                .status,
            201);
  long sophie_account = http_.get("/api/v1/me", world_.agent_token).json()["id"];
  std::string feed = http_.post(agent_path() + "/feed-secret", json::object(), world_.agent_token)
                         .json()["ics_feed_url"];
  feed = feed.substr(feed.find("/ical/"));
  ASSERT_EQ(http_.get(feed).status, 200);
  ASSERT_EQ(http_
                .post("/api/v1/accounts/" + std::to_string(sophie_account) + "/deactivate",
                      json::object(), world_.admin_token)
                .status,
            200);
  // Her feed, with the residents' names, ends with her account.
  EXPECT_EQ(http_.get(feed).status, 404);
  auto path = [](long id) { return "/api/v1/bookings/" + std::to_string(id); };
  EXPECT_EQ(http_.get(path(first), world_.admin_token).json()["status"], "confirmed");
  // Sophie's openings offer nothing any more: every free slot is Marc's.
  Reply slots = http_.get("/api/v1/slots?service=" + std::to_string(world_.service));
  ASSERT_EQ(slots.status, 200);
  ASSERT_FALSE(slots.json().empty());
  for (const json& slot : slots.json()) EXPECT_EQ(slot["agent_id"], marc) << slot;

  // One booking, by an administrator; the agent himself may not.
  EXPECT_EQ(http_.post(path(first) + "/reassign", {{"agent_id", marc}}, marc_token).status, 403);
  Reply moved = http_.post(path(first) + "/reassign", {{"agent_id", marc}}, world_.admin_token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["agent_id"], marc);
  EXPECT_EQ(moved.json()["start"], world_.at("09:00"));
  Reply twice = http_.post(path(first) + "/reassign", {{"agent_id", marc}}, world_.admin_token);
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.error_field(), "agent_id");
  // Not to an agent of another organisation.
  long other_org =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Lormont"}}, world_.admin_token)
          .json()["id"];
  long stranger = http_
                      .post("/api/v1/organisations/" + std::to_string(other_org) + "/agents",
                            {{"name", "Jean Autre"}}, world_.admin_token)
                      .json()["id"];
  EXPECT_EQ(http_.post(path(second) + "/reassign", {{"agent_id", stranger}}, world_.admin_token)
                .error_field(),
            "agent_id");

  // The rest in one go: what Marc can take, and what is left, with why.
  Reply rest =
      http_.post(agent_path() + "/bookings/reassign", {{"to_agent_id", marc}}, world_.admin_token);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.json()["reassigned"], json::array({second}));
  ASSERT_EQ(rest.json()["left"].size(), 1u);
  EXPECT_EQ(rest.json()["left"][0]["id"], third);
  EXPECT_EQ(rest.json()["left"][0]["code"], "slot_unavailable");
  EXPECT_EQ(http_.get(path(third), world_.admin_token).json()["agent_id"], world_.agent);

  // Marc is told of his two new bookings; the resident, whose appointments
  // did not change, gets nothing more.
  ASSERT_TRUE(smtp_.wait_for(6));  // and Marc's invitation
  int to_marc = 0, to_resident = 0;
  for (const json& m : smtp_.messages()) {
    std::string subject = m["subject"];
    to_marc += m["to"] == "marc.petit@cenon.fr" && subject.rfind("Nouveau rendez-vous", 0) == 0;
    to_resident += m["to"] == "lea.dupont@example.fr";
  }
  EXPECT_EQ(to_marc, 2);
  EXPECT_EQ(to_resident, 3);
}

TEST_F(Manage, AResidentsDataIsExportedAndErasedOnRequest) {
  long first = book("09:00");
  long second = book("10:00");
  Reply other_org =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token);
  std::string other_admin =
      http_
          .post("/api/v1/organisations/" + std::to_string(other_org.json()["id"].get<long>()) +
                    "/users",
                {{"name", "Admin Bègles"}, {"role", "org_admin"}}, world_.admin_token)
          .json()["api_token"];
  json who = {{"email", "Lea.Dupont@example.fr"}};

  Reply exported = send("POST", "/api/v1/residents/export", who, world_.admin_token);
  ASSERT_EQ(exported.status, 200) << exported.body;
  ASSERT_EQ(exported.json()["bookings"].size(), 2u);
  EXPECT_EQ(exported.json()["bookings"][0]["resident"]["phone"], "+33612345678");
  EXPECT_EQ(exported.json()["bookings"][0]["service"], "Carte grise");
  // Another organisation's administrator gets nothing of it; an agent may not ask.
  EXPECT_EQ(send("POST", "/api/v1/residents/export", who, other_admin).json()["bookings"].size(),
            0u);
  EXPECT_EQ(send("POST", "/api/v1/residents/export", who, world_.agent_token).status, 403);
  EXPECT_EQ(
      send("POST", "/api/v1/residents/export", json::object(), world_.admin_token).error_field(),
      "email");

  Reply erased =
      send("POST", "/api/v1/residents/erase", {{"phone", "06 12 34 56 78"}}, world_.admin_token);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(erased.json()["bookings_erased"], 2);
  EXPECT_EQ(erased.json()["bookings_cancelled"], 2);
  for (long id : {first, second}) {
    json b = http_.get("/api/v1/bookings/" + std::to_string(id), world_.admin_token).json();
    EXPECT_EQ(b["status"], "cancelled");
    EXPECT_EQ(b["resident"]["last_name"], "");
    EXPECT_EQ(b["resident"]["email"], "");
  }
  EXPECT_EQ(
      send("POST", "/api/v1/residents/export", who, world_.admin_token).json()["bookings"].size(),
      0u);
  // The time is free again; the request is in the audit log, without the contact.
  EXPECT_EQ(http_
                .post("/api/v1/bookings", {{"service_id", world_.service},
                                           {"start", world_.at("09:00")},
                                           {"resident", resident("Paul")}})
                .status,
            201);
  Reply audit = http_.get("/api/v1/audit?action=erase_resident_data", world_.admin_token);
  EXPECT_NE(audit.body.find("POST /api/v1/residents/erase"), std::string::npos);
  EXPECT_EQ(audit.body.find("dupont"), std::string::npos);
  EXPECT_EQ(audit.body.find("+33612345678"), std::string::npos);
}

TEST_F(Manage, ColleaguesSeeEachOthersAgendaReadOnlyWhereTheOrganisationAllowsIt) {
  book("09:00");
  Reply marc = http_.post(org_path() + "/agents", {{"name", "Marc Petit"}}, world_.admin_token);
  std::string colleague = marc.json()["api_token"];
  std::string week =
      "?from=" + world_.day + "T00:00:00%2B01:00&to=" + world_.day + "T23:59:00%2B01:00";
  const std::vector<std::string> views = {"/openings", "/absences", "/busy" + week};
  for (const std::string& view : views)
    EXPECT_EQ(http_.get(agent_path() + view, colleague).status, 403) << view;
  Reply allowed = send("PATCH", org_path(), {{"colleagues_see_agendas", true}}, world_.admin_token);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(allowed.json()["colleagues_see_agendas"], true);
  for (const std::string& view : views)
    EXPECT_EQ(http_.get(agent_path() + view, colleague).status, 200) << view;
  Reply busy = http_.get(agent_path() + "/busy" + week, colleague);
  EXPECT_EQ(busy.body.find("Dupont"), std::string::npos);  // times, not residents
  // Read-only: no bookings (residents' data), no change.
  EXPECT_EQ(http_.get(agent_path() + "/bookings", colleague).status, 403);
  EXPECT_EQ(send("PATCH", agent_path(), {{"name", "X"}}, colleague).status, 403);
  EXPECT_EQ(http_
                .post(agent_path() + "/absences",
                      {{"start", world_.day + "T11:00"}, {"end", world_.day + "T12:00"}}, colleague)
                .status,
            403);
  // Another organisation's agent still sees nothing.
  long other =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token)
          .json()["id"];
  std::string stranger = http_
                             .post("/api/v1/organisations/" + std::to_string(other) + "/agents",
                                   {{"name", "Inès"}}, world_.admin_token)
                             .json()["api_token"];
  EXPECT_EQ(http_.get(agent_path() + "/openings", stranger).status, 403);
}

TEST_F(Manage, WebhooksAreChangedAndRemovedByTheirOrganisationOnly) {
  Reply hook = http_.post(org_path() + "/webhooks",
                          {{"url", "https://crm.example.fr/hook"}, {"secret", "0123456789abcdef"}},
                          world_.admin_token);
  ASSERT_EQ(hook.status, 201);
  std::string path = org_path() + "/webhooks/" + std::to_string(hook.json()["id"].get<long>());
  Reply changed = send("PATCH", path, {{"events", {"booking.cancelled"}}}, world_.admin_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["events"], json::array({"booking.cancelled"}));
  EXPECT_EQ(changed.json()["url"], "https://crm.example.fr/hook");  // kept
  EXPECT_FALSE(changed.json().contains("secret"));
  EXPECT_EQ(send("PATCH", path, {{"url", "http://127.0.0.1/x"}}, world_.admin_token).error_field(),
            "url");
  EXPECT_EQ(send("PATCH", path, {{"secret", "short"}}, world_.admin_token).error_field(), "secret");
  EXPECT_EQ(send("PATCH", path, {{"events", json::array()}}, world_.admin_token).error_field(),
            "events");
  EXPECT_EQ(send("PATCH", path, {{"events", {"booking.done"}}}, world_.agent_token).status, 403);
  EXPECT_EQ(http_.get(org_path() + "/webhooks", world_.admin_token).json()[0]["events"],
            json::array({"booking.cancelled"}));
  EXPECT_EQ(send("DELETE", path, nullptr, world_.agent_token).status, 403);
  EXPECT_EQ(send("DELETE", path, nullptr, world_.admin_token).status, 204);
  EXPECT_EQ(http_.get(org_path() + "/webhooks", world_.admin_token).json().size(), 0u);
  EXPECT_EQ(send("DELETE", path, nullptr, world_.admin_token).status, 404);
}

TEST_F(Manage, AnOrganisationClosesArchivedWithItsHistoryOrRemovedWithout) {
  // Nothing names a new organisation: it goes.
  long empty =
      http_.post("/api/v1/organisations", {{"name", "Syndicat dissous"}}, world_.admin_token)
          .json()["id"];
  std::string empty_path = "/api/v1/organisations/" + std::to_string(empty);
  EXPECT_EQ(send("DELETE", empty_path, nullptr, world_.admin_token).status, 204);
  EXPECT_EQ(http_.get(empty_path).status, 404);

  // The world's has places, services, agents and a booking: archived.
  long booking = book("09:00");
  EXPECT_EQ(send("DELETE", org_path(), nullptr, world_.agent_token).status, 403);
  Reply closed = send("DELETE", org_path(), nullptr, world_.admin_token);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json()["archived"], true);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte+grise").json().size(), 0u);
  EXPECT_EQ(http_
                .post("/api/v1/bookings", {{"service_id", world_.service},
                                           {"start", world_.at("10:00")},
                                           {"resident", resident("Paul")}})
                .status,
            409);
  auto listed = [&](const std::string& query, const std::string& token) {
    json page = http_.get("/api/v1/organisations" + query, token).json();
    for (const json& o : page["items"])
      if (o["id"] == world_.org) return true;
    return false;
  };
  EXPECT_FALSE(listed("", ""));
  EXPECT_TRUE(listed("?archived=true", world_.admin_token));
  // Nothing new opens in it, and only its territory's administrators reopen it.
  EXPECT_EQ(http_
                .post(org_path() + "/services", {{"name", "Nouveau"}, {"duration_minutes", 20}},
                      world_.admin_token)
                .status,
            409);
  EXPECT_EQ(send("PATCH", "/api/v1/services/" + std::to_string(world_.service),
                 {{"archived", false}}, world_.admin_token)
                .status,
            409);
  std::string org_admin =
      http_
          .post(org_path() + "/users", {{"name", "Direction"}, {"role", "org_admin"}},
                world_.admin_token)
          .json()["api_token"];
  EXPECT_EQ(send("PATCH", org_path(), {{"archived", false}}, org_admin).status, 403);
  // Its bookings and history stay.
  EXPECT_EQ(
      http_.get("/api/v1/bookings/" + std::to_string(booking), world_.agent_token).json()["status"],
      "confirmed");
  // Reopened, its services come back one by one.
  Reply reopened = send("PATCH", org_path(), {{"archived", false}}, world_.admin_token);
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()["archived"], false);
  EXPECT_TRUE(listed("", ""));
  EXPECT_EQ(http_.get("/api/v1/search?q=carte+grise").json().size(), 0u);
  EXPECT_EQ(send("PATCH", "/api/v1/services/" + std::to_string(world_.service),
                 {{"archived", false}}, world_.admin_token)
                .status,
            200);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte+grise").json().size(), 1u);
}

TEST_F(Manage, AnEmptyTerritoryIsRemovedAndAnAgentIsReadByItsColleagues) {
  long territory =
      http_.post("/api/v1/territories", {{"name", "Hauts-de-Garonne"}}, world_.admin_token)
          .json()["id"];
  std::string path = "/api/v1/territories/" + std::to_string(territory);
  ASSERT_EQ(
      send("PUT", org_path() + "/territory", {{"territory_id", territory}}, world_.admin_token)
          .status,
      200);
  Reply read = http_.get(path, world_.agent_token);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["organisation_ids"], json::array({world_.org}));
  EXPECT_EQ(send("DELETE", path, nullptr, world_.agent_token).status, 403);
  EXPECT_EQ(send("DELETE", path, nullptr, world_.admin_token).status, 409);  // not empty
  ASSERT_EQ(send("PUT", org_path() + "/territory", {{"territory_id", nullptr}}, world_.admin_token)
                .status,
            200);
  EXPECT_EQ(send("DELETE", path, nullptr, world_.admin_token).status, 204);
  EXPECT_EQ(http_.get(path, world_.agent_token).status, 404);

  Reply agent = http_.get(agent_path(), world_.agent_token);
  ASSERT_EQ(agent.status, 200) << agent.body;
  EXPECT_EQ(agent.json()["name"], "Sophie Laurent");
  long other =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Lormont"}}, world_.admin_token)
          .json()["id"];
  std::string stranger = http_
                             .post("/api/v1/organisations/" + std::to_string(other) + "/agents",
                                   {{"name", "Jean Autre"}}, world_.admin_token)
                             .json()["api_token"];
  EXPECT_EQ(http_.get(agent_path(), stranger).status, 403);
}

TEST_F(Manage, AnAgentOfTwoOrganisationsIsManagedOnlyByWhoAdministersBoth) {
  long other =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Lormont"}}, world_.admin_token)
          .json()["id"];
  Reply shared = http_.post("/api/v1/accounts",
                            {{"name", "Awa Diallo"},
                             {"email", "awa.diallo@cenon.fr"},
                             {"memberships",
                              {{{"role", "agent"}, {"organisation_id", world_.org}},
                               {{"role", "agent"}, {"organisation_id", other}}}}},
                            world_.admin_token);
  ASSERT_EQ(shared.status, 201) << shared.body;
  std::string agent = "/api/v1/agents/" + std::to_string(shared.json()["agent_id"].get<long>());
  std::string other_admin =
      http_
          .post("/api/v1/organisations/" + std::to_string(other) + "/users",
                {{"name", "Direction Lormont"}, {"role", "org_admin"}}, world_.admin_token)
          .json()["api_token"];
  // The other organisation's administrator reads her agenda...
  EXPECT_EQ(http_.get(agent + "/openings", other_admin).status, 200);
  // ...but changes nothing that concerns Cenon too, nor reads its residents.
  EXPECT_EQ(send("PATCH", agent, {{"email", "awa@lormont.example"}}, other_admin).status, 403);
  EXPECT_EQ(
      http_
          .post(agent + "/absences",
                {{"start", world_.day + "T14:00"}, {"end", world_.day + "T15:00"}}, other_admin)
          .status,
      403);
  EXPECT_EQ(http_.get(agent + "/bookings", other_admin).status, 403);
  // Who administers both does.
  EXPECT_EQ(send("PATCH", agent, {{"phone", "0556000000"}}, world_.admin_token).status, 200);
}

}  // namespace
}  // namespace rdv::testing
