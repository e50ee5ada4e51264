// The resident's path through the API, over real sockets against the binary.
#include <gtest/gtest.h>

#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class ResidentFlow : public ::testing::Test {
 protected:
  ResidentFlow() : http_(server_.port()), world_(make_world(http_)) {}

  // In-person slots of the day (a slot is listed once per mode it can be booked in).
  std::string slots_url(long service) const {
    return "/api/v1/slots?mode=in_person&service=" + std::to_string(service) +
           "&from=" + percent(world_.at("00:00")) + "&to=" + percent(world_.at("23:59"));
  }
  static std::string percent(std::string s) {
    std::string out;
    for (char c : s) out += c == '+' ? std::string("%2B") : std::string(1, c);
    return out;
  }
  std::vector<std::string> slot_starts(long service) const {
    std::vector<std::string> out;
    for (auto& s : http_.get(slots_url(service)).json()) out.push_back(s["start"]);
    return out;
  }
  Reply book(const std::string& start, long service = 0, const json& extra = json::object(),
             const std::map<std::string, std::string>& headers = {},
             const std::string& token = "") {
    json body = {{"service_id", service ? service : world_.service},
                 {"start", start},
                 {"resident", resident()}};
    body.update(extra);
    return http_.post("/api/v1/bookings", body, token, headers);
  }

  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(ResidentFlow, SearchFindsServicesWhateverTheAccentsAndCase) {
  auto found = http_.get("/api/v1/search?q=carte+grise").json();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["service"]["name"], "Carte grise");
  EXPECT_EQ(found[0]["places"][0]["city"], "Cenon");
  EXPECT_EQ(found[0]["next_slot"]["start"], world_.at("09:00"));

  found = http_.get("/api/v1/search?q=NUMERIQUE").json();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["service"]["name"], "Aide numérique (atelier collectif)");
  EXPECT_EQ(http_.get("/api/v1/search?q=num%C3%A9rique").json().size(), 1u);
  EXPECT_EQ(http_.get("/api/v1/search?q=cenon").json().size(), 2u);  // organisation name
  EXPECT_EQ(http_.get("/api/v1/search?q=carte&postcode=33").json().size(), 1u);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte&postcode=75").json().size(), 0u);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte&mode=video").json().size(), 0u);
  EXPECT_EQ(http_.get("/api/v1/search?q=carte&mode=phone").json().size(), 1u);
}

TEST_F(ResidentFlow, BookSeeCancelAndRebook) {
  auto starts = slot_starts(world_.service);
  ASSERT_EQ(starts.size(), 6u);  // 09:00 to 11:30
  EXPECT_EQ(starts[0], world_.at("09:00"));
  auto both_modes = http_
                        .get("/api/v1/slots?service=" + std::to_string(world_.service) + "&from=" +
                             percent(world_.at("09:00")) + "&to=" + percent(world_.at("09:01")))
                        .json();
  ASSERT_EQ(both_modes.size(), 2u);
  EXPECT_EQ(both_modes[0]["mode"], "in_person");
  EXPECT_EQ(both_modes[1]["mode"], "phone");

  Reply booked = book(world_.at("09:30"));
  ASSERT_EQ(booked.status, 201) << booked.body;
  json b = booked.json();
  EXPECT_EQ(b["status"], "confirmed");
  EXPECT_EQ(b["start"], world_.at("09:30"));
  EXPECT_EQ(b["end"], world_.at("10:00"));
  EXPECT_EQ(b["agent_id"], world_.agent);
  EXPECT_EQ(b["booked_by"], "resident");
  std::string token = b["manage_token"];
  EXPECT_GE(token.size(), 43u);
  std::string id = std::to_string(b["id"].get<long>());
  EXPECT_NE(b["manage_url"].get<std::string>().find("/rendez-vous/" + id + "?token=" + token),
            std::string::npos);

  EXPECT_EQ(slot_starts(world_.service).size(), 5u);
  EXPECT_EQ(book(world_.at("09:30")).error_code(), "slot_unavailable");

  // Reading the booking needs its token (or an authorised agent).
  Reply own = http_.get("/api/v1/bookings/" + id + "?token=" + token);
  ASSERT_EQ(own.status, 200);
  EXPECT_EQ(own.json()["resident"]["last_name"], "Dupont");
  EXPECT_FALSE(own.json().contains("manage_token"));
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id).status, 401);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id + "?token=wrong").status, 403);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id, world_.agent_token).status, 200);

  Reply cancelled =
      http_.post("/api/v1/bookings/" + id + "/cancel?token=" + token, {{"reason", "Empêchement"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["status"], "cancelled");
  Reply again = http_.post("/api/v1/bookings/" + id + "/cancel?token=" + token, json::object());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "already_cancelled");

  EXPECT_EQ(slot_starts(world_.service).size(), 6u);
  EXPECT_EQ(book(world_.at("09:30")).status, 201);
}

TEST_F(ResidentFlow, RescheduleIsAtomic) {
  json first = book(world_.at("09:00")).json();
  ASSERT_EQ(book(world_.at("09:30")).status, 201);
  std::string url = "/api/v1/bookings/" + std::to_string(first["id"].get<long>()) +
                    "/reschedule?token=" + first["manage_token"].get<std::string>();

  Reply refused = http_.post(url, {{"start", world_.at("09:30")}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), "slot_unavailable");
  auto starts = slot_starts(world_.service);
  EXPECT_EQ(std::count(starts.begin(), starts.end(), world_.at("09:00")), 0);

  Reply moved = http_.post(url, {{"start", world_.at("11:00")}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["start"], world_.at("11:00"));
  starts = slot_starts(world_.service);
  EXPECT_EQ(std::count(starts.begin(), starts.end(), world_.at("09:00")), 1);
  EXPECT_EQ(std::count(starts.begin(), starts.end(), world_.at("11:00")), 0);
}

TEST_F(ResidentFlow, IdempotentRetryBooksOnce) {
  std::map<std::string, std::string> key = {{"Idempotency-Key", "7d4c2f0e-retry"}};
  Reply first = book(world_.at("10:00"), 0, json::object(), key);
  ASSERT_EQ(first.status, 201);
  Reply retry = book(world_.at("10:00"), 0, json::object(), key);
  ASSERT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
  EXPECT_EQ(slot_starts(world_.service).size(), 5u);

  Reply other = book(world_.at("10:30"), 0, json::object(), key);
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.error_code(), "idempotency_key_reused");
  EXPECT_EQ(slot_starts(world_.service).size(), 5u);
}

TEST_F(ResidentFlow, GroupSessionShowsRemainingSeats) {
  auto slots = http_.get(slots_url(world_.workshop)).json();
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0]["remaining"], 6);
  ASSERT_EQ(book(world_.at("14:00"), world_.workshop).status, 201);
  ASSERT_EQ(book(world_.at("14:00"), world_.workshop, {{"resident", resident("Amina")}}).status,
            201);
  EXPECT_EQ(http_.get(slots_url(world_.workshop)).json()[0]["remaining"], 4);
  // The afternoon session leaves the morning's individual slots alone.
  EXPECT_EQ(slot_starts(world_.service).size(), 6u);
}

TEST_F(ResidentFlow, PhoneAppointmentNeedsAPhoneNumber) {
  json no_phone = resident();
  no_phone.erase("phone");
  Reply r = book(world_.at("09:00"), 0, {{"mode", "phone"}, {"resident", no_phone}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("phone"), std::string::npos);
  EXPECT_EQ(book(world_.at("09:00"), 0, {{"mode", "phone"}}).status, 201);
  EXPECT_EQ(book(world_.at("09:30"), 0, {{"mode", "video"}}).status, 400);  // not offered
}

TEST_F(ResidentFlow, DeskBooksOnBehalfWithAMandate) {
  Reply desk =
      http_.post("/api/v1/organisations/" + std::to_string(world_.org) + "/users",
                 {{"role", "desk"}, {"name", "Accueil France Services"}}, world_.admin_token);
  ASSERT_EQ(desk.status, 201);
  std::string desk_token = desk.json()["api_token"];

  Reply without = book(world_.at("09:00"), 0, json::object(), {}, desk_token);
  EXPECT_EQ(without.status, 400);
  EXPECT_NE(without.body.find("mandate"), std::string::npos);

  json mandate = {{"consent", true}, {"kind", "oral"}, {"reference", "dossier 2026-118"}};
  Reply with = book(world_.at("09:00"), 0, {{"mandate", mandate}}, {}, desk_token);
  ASSERT_EQ(with.status, 201) << with.body;
  EXPECT_EQ(with.json()["booked_by"], "desk");
  EXPECT_EQ(with.json()["mandate"]["kind"], "oral");

  // A resident cannot claim a mandate.
  EXPECT_EQ(book(world_.at("09:30"), 0, {{"mandate", mandate}}).status, 400);
}

TEST_F(ResidentFlow, OnlyTheAgentAndTheirAdministratorsManageTheirAgenda) {
  std::string openings = "/api/v1/agents/" + std::to_string(world_.agent) + "/openings";
  json opening = {{"place_id", world_.place},
                  {"service_ids", {world_.service}},
                  {"start", world_.day + "T15:00"},
                  {"end", world_.day + "T16:00"}};
  EXPECT_EQ(http_.post(openings, opening).status, 401);
  EXPECT_EQ(http_.post(openings, opening, "not-a-token").status, 401);

  Reply other = http_.post("/api/v1/organisations/" + std::to_string(world_.org) + "/agents",
                           {{"name", "Karim Benali"}}, world_.admin_token);
  EXPECT_EQ(http_.post(openings, opening, other.json()["api_token"]).status, 403);
  // Another organisation's administrator cannot either.
  Reply org2 =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token);
  Reply admin2 = http_.post(
      "/api/v1/organisations/" + std::to_string(org2.json()["id"].get<long>()) + "/users",
      {{"role", "org_admin"}, {"name", "DGS"}}, world_.admin_token);
  EXPECT_EQ(http_.post(openings, opening, admin2.json()["api_token"]).status, 403);
  EXPECT_EQ(http_
                .post("/api/v1/organisations/" + std::to_string(world_.org) + "/places",
                      {{"name", "Annexe"}}, admin2.json()["api_token"])
                .status,
            403);
  // Agents cannot create organisations.
  EXPECT_EQ(http_.post("/api/v1/organisations", {{"name", "X"}}, world_.agent_token).status, 403);

  EXPECT_EQ(http_.post(openings, opening, world_.agent_token).status, 201);
  EXPECT_EQ(slot_starts(world_.service).size(), 8u);
}

TEST_F(ResidentFlow, AbsenceRemovesSlots) {
  std::string absences = "/api/v1/agents/" + std::to_string(world_.agent) + "/absences";
  Reply r = http_.post(absences,
                       {{"start", world_.day + "T10:00"},
                        {"end", world_.day + "T11:00"},
                        {"reason", "Réunion d'équipe"},
                        {"rrule", "FREQ=WEEKLY"}},
                       world_.agent_token);
  ASSERT_EQ(r.status, 201) << r.body;
  auto starts = slot_starts(world_.service);
  EXPECT_EQ(starts.size(), 4u);
  EXPECT_EQ(std::count(starts.begin(), starts.end(), world_.at("10:00")), 0);
  EXPECT_EQ(book(world_.at("10:30")).error_code(), "slot_unavailable");
}

}  // namespace
}  // namespace rdv::testing
