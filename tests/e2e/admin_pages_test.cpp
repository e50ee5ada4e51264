// The administrators' and observers' pages over real sockets, as a browser
// without JavaScript uses them: an organisation's administrator signs in and
// manages places, services, people, the video provider and webhooks through
// forms; what they do shows in the API. Another organisation's administrator,
// an observer and a desk are refused and change nothing; observers see counts
// without anybody's data. The survey results, which need a clock moved past
// a visit, are checked in process at the end.
#include <gtest/gtest.h>

#include <regex>

#include "smtp_sink.h"
#include "staff_browser.h"
#include "support/in_process_app.h"
#include "support/wait.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class AdminPages : public ::testing::Test {
 protected:
  AdminPages() : server_(mailing_to(smtp_)), http_(server_.port()), world_(make_world(http_)) {}

  std::string org_api(long org = 0) const {
    return "/api/v1/organisations/" + std::to_string(org ? org : world_.org);
  }
  std::string org_page(const std::string& tail = "", long org = 0) const {
    return "/espace/admin/organisations/" + std::to_string(org ? org : world_.org) + tail;
  }
  // Invites a person through the API, sets their password from the mail and
  // signs them in through /connexion.
  void sign_in(Browser& b, const std::string& email, const std::string& role, long org = 0) {
    sign_in_invited(
        b, http_, smtp_,
        {{"name", "Personne " + role},
         {"email", email},
         {"memberships", {{{"role", role}, {"organisation_id", org ? org : world_.org}}}}},
        world_.admin_token);
  }
  // The form's csrf token, read from a page of ours.
  static std::string csrf_of(Browser& b, const std::string& page) {
    return input_value(b.get(page).body, "csrf");
  }
  json api_get(const std::string& path) {
    Reply r = http_.get(path, world_.admin_token);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return r.json();
  }
  static bool has(const std::string& html, const std::string& text) {
    return html.find(text) != std::string::npos;
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(AdminPages, AnOrganisationsAdministratorManagesItThroughTheForms) {
  Browser admin(server_.port());
  sign_in(admin, "direction@cenon.fr", "org_admin");
  EXPECT_TRUE(has(admin.get("/espace").body, "href=\"/espace/admin\""));
  Reply list = admin.get("/espace/admin");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(links(list.body, org_page()).size(), 1u);
  Reply page = admin.get(org_page());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "France Services Cenon"));
  EXPECT_TRUE(has(page.body, "Carte grise"));

  // A place, through the form; it shows in the API.
  std::string csrf = csrf_of(admin, org_page("/lieux/nouveau"));
  std::map<std::string, std::string> place = {
      {"csrf", csrf},
      {"name", "Mairie annexe du Bas-Cenon"},
      {"address", "1 avenue Jean Jaurès"},
      {"postcode", "33150"},
      {"city", "Cenon"},
      {"timezone", "Europe/Paris"},
      {"accessibility", "Plain-pied.\r\nBoucle magnétique."},
      {"opening_hours", "Du lundi au vendredi"},
      {"latitude", "44,86"},
      {"longitude", "-0,53"}};
  Reply added = admin.post(org_page("/lieux"), place);
  ASSERT_EQ(added.status, 303) << added.body;
  EXPECT_EQ(Browser::location(added), org_page("?fait=lieu-ajoute#lieux"));
  json places = api_get(org_api() + "/places");
  ASSERT_EQ(places.size(), 2u);
  json made = places[1];
  EXPECT_EQ(made["name"], "Mairie annexe du Bas-Cenon");
  EXPECT_EQ(made["accessibility"], "Plain-pied.\nBoucle magnétique.");
  EXPECT_DOUBLE_EQ(made["latitude"].get<double>(), 44.86);
  long new_place = made["id"];

  // Mistakes: the form comes back with what was typed and every message by its field.
  auto wrong = place;
  wrong["name"] = "";
  wrong["latitude"] = "nord";
  Reply refused = admin.post(org_page("/lieux"), wrong);
  EXPECT_EQ(refused.status, 400);
  std::string text = unescape(refused.body);
  EXPECT_TRUE(has(text, "<title>Erreur : Ajouter un lieu"));
  EXPECT_TRUE(has(text, "Le formulaire contient 2 erreurs"));
  EXPECT_TRUE(has(text, "id=\"name-erreur\">Indiquez le nom du lieu"));
  EXPECT_TRUE(has(text, "id=\"latitude-erreur\">Indiquez une latitude"));
  EXPECT_TRUE(has(text, "aria-invalid=\"true\""));
  EXPECT_EQ(input_value(refused.body, "latitude"), "nord");
  EXPECT_EQ(input_value(refused.body, "address"), "1 avenue Jean Jaurès");
  EXPECT_EQ(api_get(org_api() + "/places").size(), 2u);

  // Changed: the form shows what is stored.
  Reply edit = admin.get(org_page("/lieux/" + std::to_string(new_place)));
  ASSERT_EQ(edit.status, 200);
  EXPECT_EQ(input_value(edit.body, "city"), "Cenon");
  place["csrf"] = input_value(edit.body, "csrf");
  place["city"] = "Cenon-Bas";
  ASSERT_EQ(admin.post(org_page("/lieux/" + std::to_string(new_place)), place).status, 303);
  EXPECT_EQ(api_get("/api/v1/places/" + std::to_string(new_place))["city"], "Cenon-Bas");

  // A service, from the form as it comes (its defaults) plus what is typed.
  Reply service_form = admin.get(org_page("/demarches/nouvelle"));
  ASSERT_EQ(service_form.status, 200);
  std::map<std::string, std::string> service;
  for (const char* name : {"csrf", "slot_step_minutes", "capacity", "min_notice_minutes",
                           "horizon_days", "buffer_before_minutes", "buffer_after_minutes",
                           "cancel_until_minutes", "reminders_minutes"})
    service[name] = input_value(service_form.body, name);
  EXPECT_EQ(service["capacity"], "1");
  service["name"] = "Permis de conduire";
  service["description"] = "Demande de permis.";
  service["keywords"] = "permis, conduire";
  service["documents_to_bring"] = "Pièce d'identité\r\nPhoto";
  service["duration_minutes"] = "45";
  service["min_notice_minutes"] = "0";
  std::string body = form_encode(service) + "&modes=in_person&modes=phone&bookable_by=public" +
                     "&bookable_by=desk&bookable_by=agent";
  Reply svc = admin.post_encoded(org_page("/demarches"), body);
  ASSERT_EQ(svc.status, 303) << svc.body;
  json services = api_get(org_api() + "/services");
  json permis;
  for (const auto& s : services)
    if (s["name"] == "Permis de conduire") permis = s;
  ASSERT_FALSE(permis.is_null()) << services.dump();
  EXPECT_EQ(permis["duration_minutes"], 45);
  EXPECT_EQ(permis["keywords"], json::array({"permis", "conduire"}));
  EXPECT_EQ(permis["documents_to_bring"], json::array({"Pièce d'identité", "Photo"}));
  EXPECT_EQ(permis["modes"].size(), 2u);
  // Offered at the new place, residents find it.
  ASSERT_EQ(http_
                .post("/api/v1/agents/" + std::to_string(world_.agent) + "/openings",
                      {{"place_id", new_place},
                       {"service_ids", {permis["id"]}},
                       {"start", world_.day + "T09:00"},
                       {"end", world_.day + "T12:00"}},
                      world_.agent_token)
                .status,
            201);
  Reply search = http_.get("/recherche?q=permis&postcode=33");
  EXPECT_TRUE(has(search.body, "Permis de conduire")) << search.body;
  EXPECT_TRUE(has(search.body, "Mairie annexe du Bas-Cenon"));

  // Service mistakes: each by its field, what was typed kept.
  service["name"] = "";
  service["duration_minutes"] = "trois";
  Reply bad = admin.post_encoded(org_page("/demarches"), form_encode(service));
  EXPECT_EQ(bad.status, 400);
  text = unescape(bad.body);
  EXPECT_TRUE(has(text, "Indiquez le nom de la démarche"));
  EXPECT_TRUE(has(text, "Indiquez la durée en minutes"));
  EXPECT_TRUE(has(text, "Cochez au moins une façon de recevoir"));
  EXPECT_TRUE(has(text, "Cochez au moins une façon de réserver"));
  EXPECT_EQ(input_value(bad.body, "duration_minutes"), "trois");
  EXPECT_EQ(api_get(org_api() + "/services").size(), services.size());

  // A service removed: gone from the API.
  service["name"] = "Démarche éphémère";
  service["duration_minutes"] = "30";
  ASSERT_EQ(admin
                .post_encoded(org_page("/demarches"),
                              form_encode(service) + "&modes=phone" + "&bookable_by=public")
                .status,
            303);
  long ephemeral = 0;
  for (const auto& s : api_get(org_api() + "/services"))
    if (s["name"] == "Démarche éphémère") ephemeral = s["id"];
  ASSERT_NE(ephemeral, 0);
  csrf = csrf_of(admin, org_page());
  ASSERT_EQ(admin
                .post(org_page("/demarches/" + std::to_string(ephemeral) + "/supprimer"),
                      {{"csrf", csrf}})
                .status,
            303);
  EXPECT_EQ(http_.get("/api/v1/services/" + std::to_string(ephemeral)).status, 404);
  // A place in use stays, said on the page.
  Reply in_use =
      admin.post(org_page("/lieux/" + std::to_string(new_place) + "/supprimer"), {{"csrf", csrf}});
  EXPECT_EQ(Browser::location(in_use), org_page("?refus=lieu-utilise#lieux"));
  EXPECT_EQ(api_get(org_api() + "/places").size(), 2u);

  // People: invite an agent (mail received), with the roles this person may grant.
  Reply invite = admin.get(org_page("/personnes/inviter"));
  ASSERT_EQ(invite.status, 200);
  for (const char* role : {"agent", "desk", "org_admin", "observer"})
    EXPECT_TRUE(has(invite.body, std::string("value=\"") + role + "\"")) << role;
  EXPECT_FALSE(has(invite.body, "value=\"admin\""));
  std::map<std::string, std::string> person = {{"csrf", input_value(invite.body, "csrf")},
                                               {"name", "Paul Martin"},
                                               {"email", "pas-une-adresse"},
                                               {"role", "agent"}};
  Reply bad_person = admin.post(org_page("/personnes"), person);
  EXPECT_EQ(bad_person.status, 400);
  EXPECT_TRUE(has(unescape(bad_person.body), "Indiquez une adresse électronique valide"));
  EXPECT_EQ(input_value(bad_person.body, "name"), "Paul Martin");
  person["email"] = "paul.martin@cenon.fr";
  ASSERT_EQ(admin.post(org_page("/personnes"), person).status, 303);
  EXPECT_TRUE(has(mail_text_to(smtp_, "paul.martin@cenon.fr"), "token="));
  json accounts = api_get("/api/v1/accounts?organisation_id=" + std::to_string(world_.org));
  json paul;
  for (const auto& a : accounts["items"])
    if (a["email"] == "paul.martin@cenon.fr") paul = a;
  ASSERT_FALSE(paul.is_null());
  EXPECT_EQ(paul["memberships"][0]["role"], "agent");
  EXPECT_FALSE(paul["agent_id"].is_null());
  page = admin.get(org_page());
  EXPECT_TRUE(has(page.body, "Paul Martin"));
  std::string deactivate =
      org_page("/personnes/" + std::to_string(paul["id"].get<long>()) + "/desactiver");
  ASSERT_TRUE(has(page.body, deactivate));
  ASSERT_EQ(admin.post(deactivate, {{"csrf", input_value(page.body, "csrf")}}).status, 303);
  EXPECT_EQ(api_get("/api/v1/accounts/" + std::to_string(paul["id"].get<long>()))["status"],
            "deactivated");

  // The video provider: the secret is never shown back; empty keeps it.
  const std::string secret = "jitsi-app-secret-0123456789";
  Reply video = admin.get(org_page("/visio"));
  ASSERT_EQ(video.status, 200);
  std::map<std::string, std::string> jitsi = {{"csrf", input_value(video.body, "csrf")},
                                              {"provider", "jitsi"},
                                              {"url", "https://visio.example.fr"},
                                              {"app_id", "rendezvous"},
                                              {"secret", secret},
                                              {"open_minutes_before", "15"}};
  ASSERT_EQ(admin.post(org_page("/visio"), jitsi).status, 303);
  jitsi["secret"] = "";
  jitsi["open_minutes_before"] = "20";
  Reply kept = admin.post(org_page("/visio"), jitsi);  // Jitsi needs a secret: the stored one
  ASSERT_EQ(kept.status, 303) << kept.body;
  jitsi["url"] = "pas une adresse";
  jitsi["secret"] = "another-secret-0123456789";
  Reply bad_video = admin.post(org_page("/visio"), jitsi);
  EXPECT_EQ(bad_video.status, 400);
  EXPECT_FALSE(has(bad_video.body, "another-secret"));
  Reply video_again = admin.get(org_page("/visio"));
  EXPECT_EQ(input_value(video_again.body, "open_minutes_before"), "20");
  EXPECT_TRUE(has(video_again.body, "Une clé est enregistrée"));
  for (const std::string& p : {org_page(), org_page("/visio"), std::string("/espace/admin"),
                               std::string("/espace/statistiques")})
    EXPECT_FALSE(has(admin.get(p).body, secret)) << p;

  // Webhooks: added, listed without their secret, removed.
  Reply hook_form = admin.get(org_page("/webhooks/nouveau"));
  ASSERT_EQ(hook_form.status, 200);
  const std::string hook_secret = "webhook-secret-0123456789";
  std::string hook_body = form_encode(
      {{"csrf", input_value(hook_form.body, "csrf")}, {"url", ""}, {"secret", "court"}});
  Reply bad_hook = admin.post_encoded(org_page("/webhooks"), hook_body);
  EXPECT_EQ(bad_hook.status, 400);
  text = unescape(bad_hook.body);
  EXPECT_TRUE(has(text, "id=\"url-erreur\""));
  EXPECT_TRUE(has(text, "id=\"secret-erreur\""));
  EXPECT_TRUE(has(text, "id=\"events-erreur\""));
  hook_body = form_encode({{"csrf", input_value(hook_form.body, "csrf")},
                           {"url", "https://crm.example.fr/hook"},
                           {"secret", hook_secret}}) +
              "&events=booking.created&events=booking.cancelled";
  ASSERT_EQ(admin.post_encoded(org_page("/webhooks"), hook_body).status, 303);
  json hooks = api_get(org_api() + "/webhooks");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["events"], json::array({"booking.created", "booking.cancelled"}));
  page = admin.get(org_page());
  EXPECT_TRUE(has(page.body, "https://crm.example.fr/hook"));
  EXPECT_FALSE(has(page.body, hook_secret));
  ASSERT_EQ(
      admin
          .post(org_page("/webhooks/" + std::to_string(hooks[0]["id"].get<long>()) + "/supprimer"),
                {{"csrf", input_value(page.body, "csrf")}})
          .status,
      303);
  EXPECT_EQ(api_get(org_api() + "/webhooks").size(), 0u);

  // A form without the CSRF token changes nothing.
  auto no_token = place;
  no_token.erase("csrf");
  no_token["name"] = "Sans jeton";
  EXPECT_EQ(admin.post(org_page("/lieux"), no_token).status, 403);
  EXPECT_EQ(api_get(org_api() + "/places").size(), 2u);
}

TEST_F(AdminPages, OthersAreRefusedEverywhereAndNothingChanges) {
  long org_b =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token)
          .json()["id"];
  Browser stranger(server_.port()), observer(server_.port()), desk(server_.port());
  sign_in(stranger, "direction@begles.fr", "org_admin", org_b);
  sign_in(observer, "etudes@cenon.fr", "observer");
  sign_in(desk, "accueil@cenon.fr", "desk");
  ASSERT_EQ(stranger.get(org_page("", org_b)).status, 200);  // their own

  std::string place = "/lieux/" + std::to_string(world_.place);
  std::string service = "/demarches/" + std::to_string(world_.service);
  json accounts = api_get("/api/v1/accounts?organisation_id=" + std::to_string(world_.org));
  std::string person = "/personnes/" + std::to_string(accounts["items"][0]["id"].get<long>());
  ASSERT_EQ(http_
                .post(org_api() + "/webhooks",
                      {{"url", "https://crm.example.fr/hook"}, {"secret", "0123456789abcdef"}},
                      world_.admin_token)
                .status,
            201);
  std::string hook =
      "/webhooks/" + std::to_string(api_get(org_api() + "/webhooks")[0]["id"].get<long>());
  auto state = [&] {
    return api_get(org_api() + "/places").dump() + api_get(org_api() + "/services").dump() +
           api_get(org_api() + "/webhooks").dump() +
           api_get("/api/v1/accounts?organisation_id=" + std::to_string(world_.org)).dump();
  };
  std::string before = state();
  const std::string pages[] = {"",      "/lieux/nouveau",     place,    "/demarches/nouvelle",
                               service, "/personnes/inviter", "/visio", "/webhooks/nouveau"};
  const std::string forms[] = {"/lieux",
                               place,
                               place + "/supprimer",
                               "/demarches",
                               service,
                               service + "/supprimer",
                               "/personnes",
                               person + "/desactiver",
                               person + "/invitation",
                               "/visio",
                               "/webhooks",
                               hook + "/supprimer"};
  std::map<std::string, std::string> fields = {{"name", "Pris"},
                                               {"duration_minutes", "30"},
                                               {"email", "intrus@example.fr"},
                                               {"role", "org_admin"},
                                               {"provider", "template"},
                                               {"url", "https://intrus.example.fr/{room}"},
                                               {"secret", "0123456789abcdef"}};
  for (Browser* who : {&stranger, &observer, &desk}) {
    fields["csrf"] = csrf_of(*who, "/espace");
    ASSERT_EQ(fields["csrf"].size(), 64u);
    for (const std::string& p : pages) EXPECT_EQ(who->get(org_page() + p).status, 403) << p;
    for (const std::string& f : forms)
      EXPECT_EQ(who->post(org_page() + f, fields).status, 403) << f;
  }
  EXPECT_EQ(desk.get("/espace/admin").status, 403);
  EXPECT_EQ(desk.get("/espace/statistiques").status, 403);
  EXPECT_EQ(stranger.get("/espace/statistiques?organisation=" + std::to_string(world_.org))
                .body.find("France Services de Cenon"),
            std::string::npos);
  EXPECT_EQ(state(), before);

  // Anonymous visitors are sent to sign in, and come back.
  Browser anonymous(server_.port());
  Reply go = anonymous.get(org_page("/visio"));
  EXPECT_EQ(go.status, 303);
  EXPECT_EQ(Browser::location(go),
            "/connexion?next=" + std::string("%2Fespace%2Fadmin%2Forganisations%2F") +
                std::to_string(world_.org) + "%2Fvisio");
  EXPECT_EQ(anonymous.get("/espace/statistiques").status, 303);
}

TEST_F(AdminPages, AnObserverSeesCountsAndNoPersonalData) {
  auto book = [&](const std::string& hhmm, const std::string& first, const std::string& token) {
    json person = resident(first);
    person["email"] = first + ".dupont@example.fr";
    Reply r = http_.post("/api/v1/bookings",
                         {{"service_id", world_.service},
                          {"start", world_.at(hhmm)},
                          {"resident", person},
                          {"notes", "Note privée de " + first}},
                         token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<long>();
  };
  book("09:00", "Lea", "");
  long cancelled = book("09:30", "Awa", "");
  book("10:00", "Jean", world_.agent_token);
  ASSERT_EQ(http_
                .post("/api/v1/bookings/" + std::to_string(cancelled) + "/cancel", json::object(),
                      world_.admin_token)
                .status,
            200);

  json stats = api_get(org_api() + "/stats");
  json carte;
  for (const auto& s : stats["services"])
    if (s["service_id"] == world_.service) carte = s["bookings"];
  EXPECT_EQ(carte["total"], 3) << stats.dump();
  EXPECT_EQ(carte["by_status"]["confirmed"], 2);
  EXPECT_EQ(carte["by_status"]["cancelled"], 1);
  EXPECT_EQ(carte["by_channel"]["resident"], 2);
  EXPECT_EQ(carte["by_channel"]["agent"], 1);
  EXPECT_EQ(stats["totals"]["total"], 3);

  Browser observer(server_.port());
  sign_in(observer, "etudes@cenon.fr", "observer");
  EXPECT_TRUE(has(observer.get("/espace").body, "href=\"/espace/admin\""));
  Reply list = observer.get("/espace/admin");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, "France Services de Cenon"));
  EXPECT_TRUE(links(list.body, org_page()).empty());  // statistics only
  Reply page = observer.get("/espace/statistiques");
  ASSERT_EQ(page.status, 200) << page.body;
  std::string html = unescape(page.body);
  // Carte grise: confirmed, cancelled, done, no-show, total; then by channel.
  EXPECT_TRUE(has(html,
                  "<tr class=\"stat-status\"><th scope=\"row\">Carte grise</th><td>2</td><td>1</td>"
                  "<td>0</td><td>0</td><td>3</td></tr>"))
      << html;
  EXPECT_TRUE(
      has(html,
          "<tr class=\"stat-channel\"><th scope=\"row\">Carte grise</th><td>2</td><td>0</td>"
          "<td>1</td></tr>"));
  for (const char* personal : {"Dupont", "dupont@example.fr", "+33612345678", "06 12",
                               "Note privée", "Lea", "Awa", "Jean", "Sophie Laurent"})
    EXPECT_FALSE(has(html, personal)) << personal;
  // A period before the bookings: none.
  Reply old = observer.get("/espace/statistiques?du=2020-01-01&au=2020-01-31");
  EXPECT_TRUE(has(unescape(old.body), "<th scope=\"row\">Carte grise</th><td>0</td><td>0</td>"));
  Reply bad = observer.get("/espace/statistiques?du=hier&au=2020-01-31");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(has(unescape(bad.body), "Indiquez la date de début"));
  EXPECT_EQ(observer.get("/espace/statistiques?du=2026-02-01&au=2026-01-01").status, 400);
  // The JSON route, for the observer's own session too.
  EXPECT_EQ(observer.get(org_api() + "/stats").status, 200);
  EXPECT_EQ(observer.get(org_page()).status, 403);
}

// The survey results on the organisation's page and the statistics: with
// a clock moved past the visit, in process.
TEST(AdminPagesSurvey, ResultsShowOnThePages) {
  InProcessApp api(*parse_rfc3339("2026-12-01T08:00:00Z"));
  App& app = api.app;
  const std::string admin = "admin-token-0123456789abcdefghijkl";
  app.bootstrap_admin(admin);
  Id org = app.create_organisation({{"name", "Mairie de Bègles"}})["id"];
  Id place = app.create_place(org, {{"name", "Mairie"}})["id"];
  Id service =
      app.create_service(org, {{"name", "Carte d'identité"}, {"duration_minutes", 30}})["id"];
  json agent = app.create_agent(org, {{"name", "Julie Moreau"}});
  app.create_opening(agent["id"], {{"place_id", place},
                                   {"service_ids", {service}},
                                   {"start", "2026-12-08T09:00"},
                                   {"end", "2026-12-08T10:00"}});
  std::string observer =
      app.create_user(org, {{"name", "Études"}, {"role", "observer"}})["api_token"];
  for (const char* start : {"2026-12-08T09:00:00+01:00", "2026-12-08T09:30:00+01:00"}) {
    HttpResponse booked = api.call(
        "POST", "/api/v1/bookings",
        {json{{"service_id", service},
              {"start", start},
              {"resident",
               {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"phone", "+33612345678"}}}}});
    ASSERT_EQ(booked.status, 201) << booked.body;
    Id id = json::parse(booked.body)["id"];
    api.clock.set(*parse_rfc3339("2026-12-08T09:00:00Z"));
    ASSERT_EQ(api.call("POST", "/api/v1/bookings/" + std::to_string(id) + "/status",
                       {json{{"status", "done"}}, agent["api_token"].get<std::string>()})
                  .status,
              200);
    bool solved = std::string(start).find("09:00") != std::string::npos;
    ASSERT_EQ(api.call("POST", "/api/v1/surveys/" + api.links.survey_token(id),
                       {json{{"rating", solved ? 5 : 2}, {"solved", solved}}})
                  .status,
              201);
    api.clock.set(*parse_rfc3339("2026-12-01T08:00:00Z"));
  }
  std::string org_path = "/espace/admin/organisations/" + std::to_string(org);
  HttpResponse page = api.call("GET", org_path, {nullptr, admin});
  ASSERT_EQ(page.status, 200) << page.body;
  std::string html = unescape(page.body);
  EXPECT_NE(
      html.find("<th scope=\"row\">Carte d'identité</th><td>2</td><td>3,5 sur 5</td><td>50 %</td>"),
      std::string::npos)
      << html;
  HttpResponse stats =
      api.call("GET", "/espace/statistiques?du=2026-11-01&au=2026-12-31", {nullptr, observer});
  ASSERT_EQ(stats.status, 200) << stats.body;
  html = unescape(stats.body);
  EXPECT_NE(
      html.find("<th scope=\"row\">Carte d'identité</th><td>2</td><td>3,5 sur 5</td><td>50 %</td>"),
      std::string::npos);
  EXPECT_NE(html.find("<tr class=\"stat-status\"><th scope=\"row\">Carte d'identité</th><td>0</td>"
                      "<td>0</td><td>2</td><td>0</td><td>2</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("Dupont"), std::string::npos);
  EXPECT_EQ(api.call("GET", org_path, {nullptr, observer}).status, 403);
}

}  // namespace
}  // namespace rdv::testing
