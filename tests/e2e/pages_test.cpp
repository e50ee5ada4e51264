// The residents' pages over real sockets, as a browser without JavaScript
// uses them: forms that post, redirects after post, errors on the page.
#include <gtest/gtest.h>

#include <regex>

#include "page_browser.h"
#include "smtp_sink.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class Pages : public ::testing::Test {
 protected:
  Pages() : server_(mailing_to(smtp_)), http_(server_.port()), world_(make_world(http_)) {}

  // The booking form of the first free slot of the world's service on its day.
  std::string first_slot_form(Browser& b) {
    Reply service = b.get("/services/" + std::to_string(world_.service) + "?semaine=" + world_.day);
    EXPECT_EQ(service.status, 200) << service.body;
    auto slots = links(service.body, "/services/" + std::to_string(world_.service) + "/reserver");
    EXPECT_FALSE(slots.empty());
    return slots.empty() ? "" : slots.front();
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(Pages, AResidentFindsAServiceBooksMovesAndCancels) {
  Browser browser(server_.port());
  Reply home = browser.get("/");
  ASSERT_EQ(home.status, 200);
  EXPECT_EQ(home.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(home.body.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(home.body.find("Aller au contenu"), std::string::npos);

  Reply results = browser.get("/recherche?q=immatriculation&postcode=33");
  ASSERT_EQ(results.status, 200);
  EXPECT_NE(results.body.find("Carte grise"), std::string::npos);
  EXPECT_NE(results.body.find("France Services Cenon"), std::string::npos);
  auto services = links(results.body, "/services/");
  ASSERT_EQ(services.size(), 1u);

  std::string slot = first_slot_form(browser);
  Reply form = browser.get(slot);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_NE(form.body.find("Confirmer le rendez-vous"), std::string::npos);
  auto fields = booking_fields(form.body);
  ASSERT_EQ(fields["csrf"].size(), 64u);

  Reply booked = browser.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  ASSERT_EQ(booked.status, 303) << booked.body;
  std::string manage = Browser::location(booked);
  ASSERT_EQ(manage.rfind("/rendez-vous/", 0), 0u) << manage;
  // Sent twice (double click, back and resend): one booking, the same page.
  Reply again = browser.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  EXPECT_EQ(Browser::location(again), manage);
  // Someone else (another browser, the same network) sending the same form
  // does not get that booking's link: the key belongs to the first browser.
  Browser other(server_.port());
  auto copied = fields;
  copied["csrf"] = input_value(other.get(slot).body, "csrf");
  Reply stolen = other.post("/services/" + std::to_string(world_.service) + "/reserver", copied);
  EXPECT_NE(Browser::location(stolen), manage);
  EXPECT_EQ(stolen.body.find(manage.substr(manage.find("token="))), std::string::npos);

  Reply page = browser.get(manage);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Votre rendez-vous est confirmé"), std::string::npos);
  EXPECT_NE(page.body.find("à 9 h 00"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Léa Dupont"), std::string::npos);

  // The confirmation email's link opens the same page.
  ASSERT_TRUE(smtp_.wait_for(1));
  std::string text = smtp_.messages()[0]["text"];
  std::string token = manage.substr(manage.find("token=") + 6, 43);
  EXPECT_NE(text.find(manage.substr(0, manage.find('&'))), std::string::npos) << text;

  // Move it: the week of free slots, one chosen, confirmed.
  std::string id = manage.substr(13, manage.find('?') - 13);
  Reply move =
      browser.get("/rendez-vous/" + id + "/deplacer?token=" + token + "&semaine=" + world_.day);
  ASSERT_EQ(move.status, 200) << move.body;
  auto choices = links(move.body, "/rendez-vous/" + id + "/deplacer");
  ASSERT_GE(choices.size(), 3u);
  Reply chosen = browser.get(choices.back());
  ASSERT_EQ(chosen.status, 200);
  Reply moved = browser.post("/rendez-vous/" + id + "/deplacer",
                             {{"csrf", input_value(chosen.body, "csrf")},
                              {"token", token},
                              {"start", input_value(chosen.body, "start")}});
  ASSERT_EQ(moved.status, 303) << moved.body;
  Reply after_move = browser.get(Browser::location(moved));
  EXPECT_NE(after_move.body.find("Votre rendez-vous est déplacé"), std::string::npos);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id + "?token=" + token).json()["start"],
            input_value(chosen.body, "start"));

  // Cancel it.
  Reply cancelled =
      browser.post("/rendez-vous/" + id + "/annuler",
                   {{"csrf", input_value(after_move.body, "csrf")}, {"token", token}});
  ASSERT_EQ(cancelled.status, 303) << cancelled.body;
  Reply final_page = browser.get(Browser::location(cancelled));
  EXPECT_NE(final_page.body.find("Ce rendez-vous est annulé"), std::string::npos);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id + "?token=" + token).json()["status"], "cancelled");
}

TEST_F(Pages, AFormWithMistakesComesBackWithWhatWasTypedAndEachErrorByItsField) {
  Browser browser(server_.port());
  Reply form = browser.get(first_slot_form(browser));
  auto fields = booking_fields(form.body);
  fields["first_name"] = "";
  fields["email"] = "";
  fields["last_name"] = "Du<b>pont";
  Reply back = browser.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  EXPECT_EQ(back.status, 400);
  EXPECT_NE(back.body.find("Le formulaire contient 2 erreurs"), std::string::npos) << back.body;
  EXPECT_NE(back.body.find("Saisissez votre prénom."), std::string::npos);
  EXPECT_NE(back.body.find("href=\"#first_name\""), std::string::npos);
  EXPECT_NE(back.body.find("aria-describedby=\"first_name-erreur\""), std::string::npos);
  // What was typed stays, escaped.
  EXPECT_EQ(input_value(back.body, "last_name"), "Du<b>pont");
  EXPECT_EQ(back.body.find("Du<b>pont"), std::string::npos);
  // A mailbox the core refuses comes back next to its field.
  fields = booking_fields(back.body);
  fields["email"] = "pas-une-adresse";
  Reply refused = browser.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("adresse électronique valide"), std::string::npos);
  EXPECT_EQ(
      http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/bookings", world_.agent_token)
          .json()["items"]
          .size(),
      0u);
}

TEST_F(Pages, FormsFromAnotherSiteOrWithoutTheBrowsersTokenChangeNothing) {
  Browser browser(server_.port());
  Reply form = browser.get(first_slot_form(browser));
  auto fields = booking_fields(form.body);
  Browser stranger(server_.port());  // no cookie: another browser
  EXPECT_EQ(
      stranger.post("/services/" + std::to_string(world_.service) + "/reserver", fields).status,
      403);
  fields["csrf"] = std::string(64, '0');
  EXPECT_EQ(
      browser.post("/services/" + std::to_string(world_.service) + "/reserver", fields).status,
      403);
  EXPECT_EQ(
      http_.get("/api/v1/agents/" + std::to_string(world_.agent) + "/bookings", world_.agent_token)
          .json()["items"]
          .size(),
      0u);
  // A wrong link to a booking says so, in French.
  Reply wrong = browser.get("/rendez-vous/1?token=forged");
  EXPECT_EQ(wrong.status, 404);
  EXPECT_NE(unescape(wrong.body).find("Ce lien n'est pas valide"), std::string::npos);
}

TEST_F(Pages, ASlotTakenMeanwhileSaysSoAndOffersTheOthers) {
  Browser first(server_.port()), second(server_.port());
  std::string slot = first_slot_form(first);
  auto a = booking_fields(first.get(slot).body);
  auto b = booking_fields(second.get(slot).body);
  b["email"] = "paul@example.fr";
  ASSERT_EQ(first.post("/services/" + std::to_string(world_.service) + "/reserver", a).status, 303);
  Reply late = second.post("/services/" + std::to_string(world_.service) + "/reserver", b);
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(unescape(late.body).find("Ce créneau vient d'être pris"), std::string::npos);
  EXPECT_FALSE(
      links(late.body, "/services/" + std::to_string(world_.service) + "/reserver").empty());
}

TEST_F(Pages, AnAgentSignsInAndSeesTheirWeek) {
  // Sophie gets a nominative account for her agenda, with a password.
  Reply invited =
      http_.post("/api/v1/accounts",
                 {{"name", "Sophie Laurent"},
                  {"email", "sophie.laurent@cenon.fr"},
                  {"agent_id", world_.agent},
                  {"memberships", {{{"role", "agent"}, {"organisation_id", world_.org}}}}},
                 world_.admin_token);
  ASSERT_EQ(invited.status, 201) << invited.body;
  // The invitation comes by email.
  ASSERT_TRUE(smtp_.wait_for(1));
  std::string text = smtp_.messages()[0]["text"];
  ASSERT_NE(text.find("token="), std::string::npos) << text;
  std::string token = text.substr(text.find("token=") + 6, 43);
  const std::string password = "Tramway-ligne-A-Cenon";
  ASSERT_EQ(http_.post("/api/v1/auth/password", {{"token", token}, {"password", password}}).status,
            200);

  Browser browser(server_.port());
  Reply away = browser.get("/espace");
  EXPECT_EQ(away.status, 303);
  EXPECT_EQ(Browser::location(away), "/connexion?next=%2Fespace");
  Reply form = browser.get("/connexion?next=/espace");
  ASSERT_EQ(form.status, 200);
  std::string csrf = input_value(form.body, "csrf");
  Reply wrong = browser.post("/connexion", {{"csrf", csrf},
                                            {"next", "/espace"},
                                            {"email", "sophie.laurent@cenon.fr"},
                                            {"password", "pas-le-bon-mot-de-passe"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("Adresse électronique ou mot de passe incorrect."), std::string::npos);
  EXPECT_EQ(input_value(wrong.body, "email"), "sophie.laurent@cenon.fr");

  // A booking made meanwhile shows in her week.
  ASSERT_EQ(http_
                .post("/api/v1/bookings", {{"service_id", world_.service},
                                           {"start", world_.at("10:00")},
                                           {"resident", resident()}})
                .status,
            201);
  Reply signed_in = browser.post("/connexion", {{"csrf", csrf},
                                                {"next", "//evil.example/"},
                                                {"email", "sophie.laurent@cenon.fr"},
                                                {"password", password}});
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(Browser::location(signed_in), "/espace");  // never another site
  Reply week = browser.get("/espace?semaine=" + world_.day);
  ASSERT_EQ(week.status, 200);
  EXPECT_NE(week.body.find("10 h 00"), std::string::npos) << week.body;
  EXPECT_NE(week.body.find("Léa Dupont"), std::string::npos);

  // She opens a one-off afternoon slot, which residents see at once, then
  // removes it.
  Reply openings = browser.get("/espace/creneaux");
  ASSERT_EQ(openings.status, 200) << openings.body;
  std::string oc = input_value(openings.body, "csrf");
  Reply missing = browser.post("/espace/creneaux", {{"csrf", oc}, {"day", world_.day}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("Cochez au moins une démarche."), std::string::npos);
  Reply opened = browser.post("/espace/creneaux", {{"csrf", oc},
                                                   {"place", std::to_string(world_.place)},
                                                   {"service", std::to_string(world_.service)},
                                                   {"day", world_.day},
                                                   {"start", "16:00"},
                                                   {"end", "17:00"}});
  ASSERT_EQ(opened.status, 303) << opened.body;
  Reply service =
      http_.get("/services/" + std::to_string(world_.service) + "?semaine=" + world_.day);
  EXPECT_NE(service.body.find(">16 h 00<"), std::string::npos);
  Reply listed = browser.get("/espace/creneaux?ajoute=1");
  std::regex remove_action("action=\"(/espace/creneaux/\\d+/retirer)\"");
  std::vector<std::string> removals;
  for (std::sregex_iterator it(listed.body.begin(), listed.body.end(), remove_action), end;
       it != end; ++it)
    removals.push_back((*it)[1]);
  ASSERT_EQ(removals.size(), 3u);  // the world's two and hers
  ASSERT_EQ(browser.post(removals.back(), {{"csrf", oc}}).status, 303);
  service = http_.get("/services/" + std::to_string(world_.service) + "?semaine=" + world_.day);
  EXPECT_EQ(service.body.find(">16 h 00<"), std::string::npos);

  // Signing out ends the session.
  Reply out = browser.post("/deconnexion", {{"csrf", input_value(week.body, "csrf")}});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(browser.get("/espace").status, 303);
}

TEST_F(Pages, ADeskBooksOnBehalfOfAVisitorWithTheMandate) {
  Reply invited =
      http_.post("/api/v1/accounts",
                 {{"name", "Accueil Cenon"},
                  {"email", "accueil@cenon.fr"},
                  {"memberships", {{{"role", "desk"}, {"organisation_id", world_.org}}}}},
                 world_.admin_token);
  ASSERT_EQ(invited.status, 201) << invited.body;
  ASSERT_TRUE(smtp_.wait_for(1));
  std::string text = smtp_.messages()[0]["text"];
  std::string token = text.substr(text.find("token=") + 6, 43);
  const std::string password = "Guichet-France-Services-33";
  ASSERT_EQ(http_.post("/api/v1/auth/password", {{"token", token}, {"password", password}}).status,
            200);
  Browser desk(server_.port());
  Reply signin = desk.get("/connexion");
  ASSERT_EQ(desk.post("/connexion", {{"csrf", input_value(signin.body, "csrf")},
                                     {"email", "accueil@cenon.fr"},
                                     {"password", password}})
                .status,
            303);

  EXPECT_NE(desk.get("/espace").body.find("Prendre rendez-vous pour un visiteur"),
            std::string::npos);
  std::string slot = first_slot_form(desk);
  Reply form = desk.get(slot);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("Mandat du visiteur"), std::string::npos);
  auto fields = booking_fields(form.body);
  fields["email"] = "";
  fields["phone"] = "06 12 34 56 78";
  // Without the visitor's agreement: refused, said by its field.
  Reply refused = desk.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(unescape(refused.body).find("Cochez l'accord de la personne"), std::string::npos);
  fields = booking_fields(refused.body);
  as_desk_visitor(fields);
  Reply booked = desk.post("/services/" + std::to_string(world_.service) + "/reserver", fields);
  ASSERT_EQ(booked.status, 303) << booked.body;
  // The desk's browser does not keep the visitor's link: the visitor gets it.
  std::string done = Browser::location(booked);
  ASSERT_EQ(done.rfind("/espace?reserve=", 0), 0u) << done;
  std::string id = done.substr(16);
  EXPECT_NE(desk.get(done).body.find("Le rendez-vous est pris"), std::string::npos);
  json b = http_.get("/api/v1/bookings/" + id, world_.admin_token).json();
  EXPECT_EQ(b["booked_by"], "desk");
  EXPECT_EQ(b["mandate"]["kind"], "oral");
  EXPECT_EQ(b["mandate"]["identity_check"], "passport");
  EXPECT_EQ(b["mandate"]["procedures"], json::array({"Carte grise"}));
  EXPECT_EQ(b["resident"]["phone"], "+33612345678");

  // The desk sees the bookings it made, and cancels one for the visitor.
  Reply page = desk.get("/espace");
  EXPECT_NE(page.body.find("Léa Dupont"), std::string::npos);
  std::string cancel = "/espace/rendez-vous/" + id + "/annuler";
  ASSERT_NE(page.body.find(cancel), std::string::npos);
  Reply cancelled = desk.post(cancel, {{"csrf", input_value(page.body, "csrf")}});
  ASSERT_EQ(cancelled.status, 303) << cancelled.body;
  EXPECT_EQ(http_.get("/api/v1/bookings/" + id, world_.admin_token).json()["status"], "cancelled");
}

}  // namespace
}  // namespace rdv::testing
