// An agent's own pages over real sockets: absences that close slots, the
// week with its openings, absences, group sessions and busy time, the feed's
// address, and the calendars they follow; a desk's printed confirmation and
// moving a booking for the visitor.
#include <gtest/gtest.h>

#include "file_server.h"
#include "smtp_sink.h"
#include "staff_browser.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class AgentPages : public ::testing::Test {
 protected:
  AgentPages()
      : server_([this] {
          ServerOptions o = mailing_to(smtp_);
          o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";  // the calendar host of the test
          return o;
        }()),
        http_(server_.port()),
        world_(make_world(http_)) {}

  // An account with this membership (and agenda), its password chosen
  // through the invitation mail; its browser signed in.
  Browser staff(const std::string& email, const json& membership, std::optional<long> agent = {}) {
    json body = {{"name", "Agent " + email}, {"email", email}, {"memberships", {membership}}};
    if (agent) body["agent_id"] = *agent;
    Browser browser(server_.port());
    sign_in_invited(browser, http_, smtp_, body, world_.admin_token);
    return browser;
  }
  json org_role(const std::string& role) {
    return {{"role", role}, {"organisation_id", world_.org}};
  }
  std::string service_week() {
    return http_.get("/services/" + std::to_string(world_.service) + "?semaine=" + world_.day).body;
  }
  // The actions of the forms of a page that match `pattern`.
  // The address shown in the read-only field of the feed.
  static std::string feed_of(const std::string& html) {
    std::smatch m;
    std::regex re("id=\"feed\"[^>]*value=\"([^\"]*)\"");
    return std::regex_search(html, m, re) ? unescape(m[1]) : "";
  }
  static std::vector<std::string> actions(const std::string& html, const std::string& pattern) {
    std::vector<std::string> out;
    std::regex re("action=\"(" + pattern + ")\"");
    for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it)
      out.push_back((*it)[1]);
    return out;
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(AgentPages, AnAbsenceClosesSlotsShowsInTheWeekAndOnlyTheAgentRemovesIt) {
  Browser sophie = staff("sophie.laurent@cenon.fr", org_role("agent"), world_.agent);
  ASSERT_NE(service_week().find(">9 h 30<"), std::string::npos);

  Reply page = sophie.get("/espace/absences");
  ASSERT_EQ(page.status, 200) << page.body;
  std::string csrf = input_value(page.body, "csrf");
  // Mistakes come back with what was typed and the message by its field.
  Reply wrong =
      sophie.post("/espace/absences", {{"csrf", csrf}, {"from", ""}, {"reason", "Formation RGPD"}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("Indiquez le premier jour d"), std::string::npos);
  EXPECT_EQ(input_value(wrong.body, "reason"), "Formation RGPD");
  EXPECT_NE(wrong.body.find("<title>Erreur : Mes absences"), std::string::npos);
  Reply backwards = sophie.post(
      "/espace/absences",
      {{"csrf", csrf}, {"from", world_.day}, {"from_time", "11:00"}, {"to_time", "10:00"}});
  EXPECT_EQ(backwards.status, 400);
  EXPECT_NE(backwards.body.find("La fin doit suivre le début"), std::string::npos);
  // Without the form's token: nothing is recorded.
  EXPECT_EQ(sophie.post("/espace/absences", {{"from", world_.day}}).status, 403);

  Reply added = sophie.post("/espace/absences", {{"csrf", csrf},
                                                 {"from", world_.day},
                                                 {"from_time", "09:00"},
                                                 {"to_time", "10:00"},
                                                 {"reason", "Formation RGPD"}});
  ASSERT_EQ(added.status, 303) << added.body;
  json absences =
      http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/absences", world_.admin_token)
          .json();
  ASSERT_EQ(absences.size(), 1u);
  EXPECT_EQ(absences[0]["start"], world_.day + "T09:00:00");
  EXPECT_EQ(absences[0]["reason"], "Formation RGPD");
  std::string week = service_week();
  EXPECT_EQ(week.find(">9 h 30<"), std::string::npos);
  EXPECT_NE(week.find(">10 h 00<"), std::string::npos);
  // A whole day, the next week, without hours.
  ASSERT_EQ(sophie
                .post("/espace/absences",
                      {{"csrf", csrf}, {"from", local_day_ahead(15)}, {"to", local_day_ahead(15)}})
                .status,
            303);

  // Her week shows the opening, the absence and the group session with its seats.
  for (const char* first : {"Ada", "Bob"})
    ASSERT_EQ(http_
                  .post("/api/v1/bookings", {{"service_id", world_.workshop},
                                             {"start", world_.at("14:00")},
                                             {"resident", resident(first)}})
                  .status,
              201);
  Reply mine = sophie.get("/espace?semaine=" + world_.day);
  ASSERT_EQ(mine.status, 200);
  std::string text = unescape(mine.body);
  EXPECT_NE(text.find("9 h 00 – 12 h 00</strong> – <span class=\"entry-kind\">Créneau ouvert"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Absence</span> : Formation RGPD"), std::string::npos);
  EXPECT_NE(text.find("2 inscrit(s) sur 6 places : Ada Dupont, Bob Dupont"), std::string::npos);

  Reply listed = sophie.get("/espace/absences");
  auto removals = actions(listed.body, "/espace/absences/\\d+/retirer");
  ASSERT_EQ(removals.size(), 2u);
  // A colleague cannot remove it: their own absences only.
  Reply colleague_agent =
      http_.post("/api/v1/organisations/" + std::to_string(world_.org) + "/agents",
                 {{"name", "Marc Petit"}}, world_.admin_token);
  ASSERT_EQ(colleague_agent.status, 201);
  Browser marc =
      staff("marc.petit@cenon.fr", org_role("agent"), colleague_agent.json()["id"].get<long>());
  Reply theirs = marc.get("/espace/absences");
  EXPECT_EQ(theirs.body.find("Formation RGPD"), std::string::npos);
  EXPECT_EQ(marc.post(removals.front(), {{"csrf", input_value(theirs.body, "csrf")}}).status, 404);
  EXPECT_EQ(
      http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/absences", world_.admin_token)
          .json()
          .size(),
      2u);

  ASSERT_EQ(sophie.post(removals.front(), {{"csrf", csrf}}).status, 303);
  EXPECT_NE(service_week().find(">9 h 30<"), std::string::npos);
}

TEST_F(AgentPages, TheFeedAddressCanBeRenewedAndFollowedCalendarsShowTheirState) {
  Browser sophie = staff("sophie.laurent@cenon.fr", org_role("agent"), world_.agent);
  Reply page = sophie.get("/espace/agendas");
  ASSERT_EQ(page.status, 200) << page.body;
  std::string feed = feed_of(page.body);
  ASSERT_NE(feed.find("/ical/agents/"), std::string::npos) << page.body;
  std::string path = feed.substr(feed.find("/ical/agents/"));
  EXPECT_EQ(http_.get(path).status, 200);
  std::string csrf = input_value(page.body, "csrf");
  ASSERT_EQ(sophie.post("/espace/agendas/adresse", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(http_.get(path).status, 404);  // the old address ends at once
  std::string renewed = feed_of(sophie.get("/espace/agendas").body);
  EXPECT_NE(renewed, feed);
  EXPECT_EQ(http_.get(renewed.substr(renewed.find("/ical/agents/"))).status, 200);

  // A calendar she follows: busy at 10:00 on the world's day.
  FileServer host;
  std::string d = world_.day;
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  host.put("/sophie.ics",
           "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
           "UID:dentist-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:" +
               d + "T100000\r\nDTEND;TZID=Europe/Paris:" + d +
               "T110000\r\nSUMMARY:Dentiste\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  Reply refused =
      sophie.post("/espace/agendas", {{"csrf", csrf}, {"url", "http://10.0.0.1/x.ics"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(input_value(refused.body, "url"), "http://10.0.0.1/x.ics");
  EXPECT_NE(refused.body.find("url-erreur"), std::string::npos);
  ASSERT_EQ(sophie
                .post("/espace/agendas",
                      {{"csrf", csrf}, {"url", host.url("/sophie.ics")}, {"purpose", "busy"}})
                .status,
            303);
  Reply followed = sophie.get("/espace/agendas?ajoute=1");
  EXPECT_NE(followed.body.find(host.url("/sophie.ics")), std::string::npos);
  EXPECT_NE(followed.body.find("Lu avec succès le"), std::string::npos) << followed.body;
  EXPECT_EQ(service_week().find(">10 h 00<"), std::string::npos);
  std::string week = unescape(sophie.get("/espace?semaine=" + world_.day).body);
  EXPECT_NE(week.find("10 h 00 – 11 h 00</strong> – <span class=\"entry-kind\">Occupé"),
            std::string::npos);
  EXPECT_EQ(week.find("Dentiste"), std::string::npos);  // the event's title stays hers

  // The host fails: the page says so; relisted once it answers again.
  host.put("/sophie.ics", "gone", 500);
  auto refresh = actions(followed.body, "/espace/agendas/\\d+/relire");
  ASSERT_EQ(refresh.size(), 1u);
  ASSERT_EQ(sophie.post(refresh[0], {{"csrf", csrf}}).status, 303);
  EXPECT_NE(sophie.get("/espace/agendas").body.find("La dernière lecture a échoué"),
            std::string::npos);
  EXPECT_EQ(service_week().find(">10 h 00<"), std::string::npos);  // the last good data stays

  auto remove = actions(followed.body, "/espace/agendas/\\d+/retirer");
  ASSERT_EQ(remove.size(), 1u);
  ASSERT_EQ(sophie.post(remove[0], {{"csrf", csrf}}).status, 303);
  EXPECT_NE(service_week().find(">10 h 00<"), std::string::npos);
  EXPECT_EQ(sophie.get("/espace/agendas").body.find(host.url("/sophie.ics")), std::string::npos);
}

TEST_F(AgentPages, ADeskPrintsTheConfirmationAndMovesTheBookingForTheVisitor) {
  Browser desk = staff("accueil@cenon.fr", org_role("desk"));
  // Booked on the visitor's behalf through the form, as desks do.
  Reply service =
      desk.get("/services/" + std::to_string(world_.service) + "?semaine=" + world_.day);
  auto slots = links(service.body, "/services/" + std::to_string(world_.service) + "/reserver");
  ASSERT_FALSE(slots.empty());
  Reply form = desk.get(slots.front());
  auto fields = booking_fields(form.body);
  as_desk_visitor(fields);
  Reply booked = desk.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  ASSERT_EQ(booked.status, 303) << booked.body;
  std::string id = Browser::location(booked).substr(16);

  Reply details = desk.get("/espace/rendez-vous/" + id);
  ASSERT_EQ(details.status, 200) << details.body;
  Reply print = desk.get("/espace/rendez-vous/" + id + "/confirmation");
  ASSERT_EQ(print.status, 200);
  std::string paper = unescape(print.body);
  EXPECT_NE(paper.find("à 9 h 00"), std::string::npos);
  EXPECT_NE(paper.find("Léa Dupont"), std::string::npos);
  // Not the visitor's manage link (staff would hold it for good): the
  // message they receive has it.
  EXPECT_EQ(paper.find("token="), std::string::npos);
  EXPECT_NE(paper.find("message de confirmation reçu par SMS"), std::string::npos);
  // The residents' move page is theirs only: without its link, nothing shows.
  Reply peek = http_.get("/rendez-vous/" + id + "/deplacer");
  EXPECT_EQ(peek.status, 404);
  EXPECT_EQ(unescape(peek.body).find("à 9 h 00"), std::string::npos);

  // Moving it: a week of free slots, one chosen, confirmed.
  Reply move = desk.get("/espace/rendez-vous/" + id + "/deplacer?semaine=" + world_.day);
  ASSERT_EQ(move.status, 200) << move.body;
  auto choices = links(move.body, "/espace/rendez-vous/" + id + "/deplacer?");
  ASSERT_GE(choices.size(), 3u);
  Reply chosen = desk.get(choices.back());
  ASSERT_EQ(chosen.status, 200);
  EXPECT_EQ(input_value(chosen.body, "token"), "");
  Reply moved = desk.post(
      "/espace/rendez-vous/" + id + "/deplacer",
      {{"csrf", input_value(chosen.body, "csrf")}, {"start", input_value(chosen.body, "start")}});
  ASSERT_EQ(moved.status, 303) << moved.body;
  EXPECT_NE(unescape(desk.get(Browser::location(moved)).body).find("Le rendez-vous est déplacé"),
            std::string::npos);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id, world_.admin_token).json()["start"],
            input_value(chosen.body, "start"));

  // Another desk (another account) neither prints nor moves it.
  Browser other = staff("accueil2@cenon.fr", org_role("desk"));
  EXPECT_EQ(other.get("/espace/rendez-vous/" + id + "/confirmation").status, 403);
  EXPECT_EQ(other.get("/espace/rendez-vous/" + id + "/deplacer").status, 403);
  Reply theirs = other.get("/espace");
  EXPECT_EQ(other
                .post("/espace/rendez-vous/" + id + "/deplacer",
                      {{"csrf", input_value(theirs.body, "csrf")}, {"start", world_.at("11:00")}})
                .status,
            403);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id, world_.admin_token).json()["start"],
            input_value(chosen.body, "start"));
}

}  // namespace
}  // namespace rdv::testing
