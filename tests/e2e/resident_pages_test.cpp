// Residents' "Mes rendez-vous" (a sign-in link by email, no password) and the
// manage page's reminders, documents and video button: over real sockets
// with a real SMTP sink, and in process where the clock must move.
#include <gtest/gtest.h>

#include <regex>

#include "accounts/passwords.h"
#include "booking/retention.h"
#include "domain/text.h"
#include "page_browser.h"
#include "smtp_sink.h"
#include "support/in_process_app.h"
#include "support/wait.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

const std::string kLinkSubject = "Votre lien pour voir vos rendez-vous";
const std::string kBoundary = "----rdvTestBoundary4f2a";

// A multipart/form-data body as a browser sends the upload form.
std::string multipart(const std::map<std::string, std::string>& fields, const std::string& filename,
                      const std::string& type, const std::string& bytes) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"" +
          filename + "\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes + "\r\n--" + kBoundary +
          "--\r\n";
  return body;
}

// The value of cookie `name` set by a reply, or "".
std::string set_cookie_value(const Reply& r, const std::string& name) {
  auto it = r.headers.find("set-cookie");
  if (it == r.headers.end()) return "";
  std::smatch m;
  std::regex re("(^|\n)" + name + "=([^;\n]*)");
  return std::regex_search(it->second, m, re) ? std::string(m[2]) : "";
}

class ResidentPages : public ::testing::Test {
 protected:
  ResidentPages() : server_(options()), http_(server_.port()), world_(make_world(http_)) {}
  ServerOptions options() {
    ServerOptions o = mailing_to(smtp_);
    o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";  // the video provider's URL is checked
    o.env["RDV_DOCUMENTS_DIR"] = documents_dir();
    return o;
  }
  std::string documents_dir() const {
    return (std::filesystem::temp_directory_path() /
            ("rdv-resident-docs-" + std::to_string(getpid())))
        .string();
  }

  json book(long service, const std::string& start, const std::string& email,
            const std::string& mode = "in_person") {
    Reply r = http_.post(
        "/api/v1/bookings",
        {{"service_id", service},
         {"start", start},
         {"mode", mode},
         {"resident", {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"email", email}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  std::string manage_path(const json& b) const {
    return "/rendez-vous/" + std::to_string(b["id"].get<long>()) +
           "?token=" + b["manage_token"].get<std::string>();
  }
  // The sign-in links mailed to `to` so far.
  std::vector<std::string> links_mailed_to(const std::string& to) {
    std::vector<std::string> out;
    std::regex link(R"(/mes-rendez-vous/connexion\?token=[A-Za-z0-9_-]+)");
    for (const json& m : smtp_.messages()) {
      // Sent to the address as typed: the mailbox's domain in lower case.
      if (lower_ascii(m["to"].get<std::string>()) != to || m["subject"] != kLinkSubject) continue;
      std::string text = m["text"];
      std::smatch found;
      if (std::regex_search(text, found, link)) out.push_back(found[0]);
    }
    return out;
  }
  Reply ask_link(Browser& b, const std::string& email) {
    Reply form = b.get("/mes-rendez-vous");
    EXPECT_EQ(form.status, 200);
    return b.post("/mes-rendez-vous",
                  {{"csrf", input_value(form.body, "csrf")}, {"email", email}, {"phone", ""}});
  }
  // A video service with an opening on the world's day, 12:00 to 13:00.
  long video_service() {
    std::string org = "/api/v1/organisations/" + std::to_string(world_.org);
    Reply video = http_.request(
        "PUT", org + "/video",
        json{{"provider", "jitsi"},
             {"url", "https://visio.example.fr"},
             {"app_id", "rendezvous"},
             {"secret", "jitsi-app-secret-0123456789"}}
            .dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + world_.admin_token}});
    EXPECT_EQ(video.status, 200) << video.body;
    long id = http_
                  .post(org + "/services",
                        {{"name", "Entretien en visio"},
                         {"duration_minutes", 30},
                         {"min_notice_minutes", 0},
                         {"modes", {"video"}},
                         {"documents_to_bring", {"Avis d'imposition"}}},
                        world_.admin_token)
                  .json()["id"];
    EXPECT_EQ(http_
                  .post("/api/v1/agents/" + std::to_string(world_.agent) + "/openings",
                        {{"place_id", world_.place},
                         {"service_ids", {id}},
                         {"start", world_.day + "T12:00"},
                         {"end", world_.day + "T13:00"}},
                        world_.agent_token)
                  .status,
              201);
    return id;
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(ResidentPages, AResidentSeesExactlyHerBookingsThroughAMailedLink) {
  json first = book(world_.service, world_.at("09:00"), "lea.dupont@example.fr");
  json second = book(world_.workshop, world_.at("14:00"), "lea.dupont@example.fr");
  json other = book(world_.service, world_.at("10:00"), "awa.kone@example.fr");

  Browser browser(server_.port());
  Reply home = browser.get("/");
  EXPECT_NE(home.body.find("href=\"/mes-rendez-vous\""), std::string::npos);
  // Typed with capitals: the same mailbox as the bookings'.
  Reply asked = ask_link(browser, "Lea.Dupont@Example.FR");
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_NE(asked.body.find("Vérifiez votre messagerie"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return !links_mailed_to("lea.dupont@example.fr").empty(); }));
  std::string link = links_mailed_to("lea.dupont@example.fr").front();

  // Following the link only shows a button (mail scanners follow links).
  Reply confirm = browser.get(link);
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  EXPECT_EQ(confirm.headers["referrer-policy"], "same-origin");
  EXPECT_EQ(browser.get("/mes-rendez-vous").body.find("/rendez-vous/"), std::string::npos);
  std::string token = link.substr(link.find("token=") + 6);
  // Without the form's CSRF token, nothing opens and the link still works.
  EXPECT_EQ(browser.post("/mes-rendez-vous/connexion", {{"token", token}}).status, 403);
  Reply opened = browser.post("/mes-rendez-vous/connexion",
                              {{"csrf", input_value(confirm.body, "csrf")}, {"token", token}});
  ASSERT_EQ(opened.status, 303) << opened.body;
  EXPECT_EQ(Browser::location(opened), "/mes-rendez-vous");
  std::string cookie = opened.headers["set-cookie"];
  EXPECT_EQ(cookie.rfind("rdv_resident=", 0), 0u) << cookie;  // http: no __Host- nor Secure
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Max-Age=3600"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  std::string session = set_cookie_value(opened, "rdv_resident");
  EXPECT_EQ(session.size(), 43u);

  Reply mine = browser.get("/mes-rendez-vous");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.headers["cache-control"], "no-store");
  auto manage_links = links(mine.body, "/rendez-vous/");
  ASSERT_EQ(manage_links.size(), 2u) << mine.body;
  EXPECT_EQ(manage_links[0], manage_path(first));  // coming first, soonest first
  EXPECT_EQ(manage_links[1], manage_path(second));
  EXPECT_EQ(mine.body.find("/rendez-vous/" + std::to_string(other["id"].get<long>())),
            std::string::npos);
  EXPECT_NE(mine.body.find("Carte grise"), std::string::npos);
  EXPECT_NE(mine.body.find("Se déconnecter"), std::string::npos);
  for (const std::string& l : manage_links) {
    Reply page = browser.get(l);
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Mon rendez-vous"), std::string::npos);
  }

  // The link served once.
  Browser elsewhere(server_.port());
  Reply again = elsewhere.get(link);
  EXPECT_EQ(again.status, 410);
  EXPECT_NE(again.body.find("Ce lien a expiré : demandez-en un nouveau"), std::string::npos);
  EXPECT_NE(again.body.find("href=\"/mes-rendez-vous\""), std::string::npos);
  Reply form = elsewhere.get("/mes-rendez-vous");
  EXPECT_EQ(elsewhere
                .post("/mes-rendez-vous/connexion",
                      {{"csrf", input_value(form.body, "csrf")}, {"token", token}})
                .status,
            410);

  // Signing out ends the session in the store, not only in this browser.
  EXPECT_EQ(browser.post("/mes-rendez-vous/deconnexion", {}).status, 403);
  EXPECT_NE(browser.get("/mes-rendez-vous").body.find("/rendez-vous/"), std::string::npos);
  Reply out =
      browser.post("/mes-rendez-vous/deconnexion", {{"csrf", input_value(mine.body, "csrf")}});
  ASSERT_EQ(out.status, 303);
  EXPECT_NE(out.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  Reply stale =
      http_.request("GET", "/mes-rendez-vous", "", {{"Cookie", "rdv_resident=" + session}});
  EXPECT_EQ(stale.status, 303);
  EXPECT_EQ(stale.body.find("/rendez-vous/"), std::string::npos);
  EXPECT_EQ(Browser::location(stale), "/mes-rendez-vous?expire=1");
}

TEST_F(ResidentPages, AnUnknownAddressGetsTheSameAnswerAndNoMail) {
  book(world_.service, world_.at("09:00"), "lea.dupont@example.fr");
  Browser browser(server_.port());
  Reply unknown = ask_link(browser, "inconnu@example.fr");
  Reply known = ask_link(browser, "lea.dupont@example.fr");
  ASSERT_EQ(unknown.status, 200);
  ASSERT_EQ(known.status, 200);
  auto without = [](std::string body, const std::string& address) {
    return body.replace(body.find(address), address.size(), "ADRESSE");
  };
  EXPECT_EQ(without(unknown.body, "inconnu@example.fr"),
            without(known.body, "lea.dupont@example.fr"));
  // The known one's link was sent: the unknown one would have been by now.
  ASSERT_TRUE(wait_until([&] { return !links_mailed_to("lea.dupont@example.fr").empty(); }));
  for (const json& m : smtp_.messages()) EXPECT_NE(m["to"], "inconnu@example.fr");
}

TEST_F(ResidentPages, TheRequestFormSaysWhatIsWrongInFrench) {
  Browser browser(server_.port());
  Reply form = browser.get("/mes-rendez-vous");
  std::string csrf = input_value(form.body, "csrf");
  // No SMS gateway in this server: only email.
  EXPECT_NE(form.body.find("ne peut être envoyé que par courriel"), std::string::npos);
  EXPECT_EQ(form.body.find("name=\"phone\""), std::string::npos);

  Reply empty = browser.post("/mes-rendez-vous", {{"csrf", csrf}, {"email", ""}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body.find("<title>Erreur : "), std::string::npos);
  EXPECT_NE(empty.body.find("Le formulaire contient une erreur"), std::string::npos);
  EXPECT_NE(empty.body.find("href=\"#email\""), std::string::npos);
  EXPECT_NE(empty.body.find("aria-invalid=\"true\""), std::string::npos);
  Reply bad = browser.post("/mes-rendez-vous", {{"csrf", csrf}, {"email", "lea@"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Saisissez une adresse électronique valide"), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"lea@\""), std::string::npos);  // what was typed is kept
  Reply phone = browser.post("/mes-rendez-vous", {{"csrf", csrf}, {"phone", "0612345678"}});
  EXPECT_EQ(phone.status, 400);
  EXPECT_NE(phone.body.find("ne peut être envoyé que par courriel"), std::string::npos);

  book(world_.service, world_.at("09:00"), "lea.dupont@example.fr");
  Reply forged = browser.post("/mes-rendez-vous", {{"email", "lea.dupont@example.fr"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_NE(forged.body.find("Formulaire expiré"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several scheduler ticks
  EXPECT_TRUE(links_mailed_to("lea.dupont@example.fr").empty());
}

TEST_F(ResidentPages, RemindersAreStoppedFromTheManagePage) {
  json b = book(world_.service, world_.at("09:00"), "lea.dupont@example.fr");
  std::string api = "/api/v1/bookings/" + std::to_string(b["id"].get<long>()) +
                    "?token=" + b["manage_token"].get<std::string>();
  std::string action = "/rendez-vous/" + std::to_string(b["id"].get<long>()) + "/rappels";
  Browser browser(server_.port());
  Reply page = browser.get(manage_path(b));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"rappels\""), std::string::npos);
  EXPECT_NE(page.body.find("action=\"" + action + "\""), std::string::npos);

  Reply forged = browser.post(action, {{"token", b["manage_token"]}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(http_.get(api).json()["reminders_opt_out"].get<bool>());
  EXPECT_EQ(
      browser.post(action, {{"token", "bogus"}, {"csrf", input_value(page.body, "csrf")}}).status,
      404);

  Reply stopped = browser.post(
      action, {{"token", b["manage_token"]}, {"csrf", input_value(page.body, "csrf")}});
  ASSERT_EQ(stopped.status, 303) << stopped.body;
  EXPECT_TRUE(http_.get(api).json()["reminders_opt_out"].get<bool>());
  std::string back = Browser::location(stopped);
  EXPECT_EQ(back, manage_path(b) + "#rappels");
  Reply after = browser.get(back.substr(0, back.find('#')));  // browsers keep the fragment
  EXPECT_NE(after.body.find("Les rappels sont désactivés"), std::string::npos);
  EXPECT_EQ(after.body.find("Ne plus recevoir de rappels"), std::string::npos);

  // The confirmation's stop link opens this page; mail clients keep the API's one-click POST.
  ASSERT_TRUE(wait_until([&] {
    for (const json& m : smtp_.messages())
      if (m["to"] == "lea.dupont@example.fr") return true;
    return false;
  }));
  for (const json& m : smtp_.messages()) {
    if (m["to"] != "lea.dupont@example.fr") continue;
    std::string text = m["text"];
    EXPECT_NE(text.find(manage_path(b) + "#rappels"), std::string::npos) << text;
    EXPECT_NE(text.find("/mes-rendez-vous"), std::string::npos);
    EXPECT_NE(m["list_unsubscribe"].get<std::string>().find("/stop-reminders?token="),
              std::string::npos);
  }
}

TEST_F(ResidentPages, DocumentsAreSentFromTheManagePageWithTheApisRules) {
  long service = video_service();
  json b = book(service, world_.at("12:00"), "lea.dupont@example.fr", "video");
  std::string id = std::to_string(b["id"].get<long>());
  std::string token = b["manage_token"];
  std::string listing = "/api/v1/bookings/" + id + "/documents?token=" + token;
  std::string action = "/rendez-vous/" + id + "/documents";

  Reply page = http_.get(manage_path(b));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  EXPECT_NE(page.body.find("type=\"file\""), std::string::npos);
  EXPECT_NE(page.body.find("Fichiers PDF, PNG ou JPEG, de 10 Mo au plus chacun"),
            std::string::npos);
  std::string csrf_cookie = set_cookie_value(page, "rdv_csrf");
  std::string csrf = input_value(page.body, "csrf");
  auto upload = [&](const std::map<std::string, std::string>& fields, const std::string& name,
                    const std::string& type, const std::string& bytes) {
    return http_.request("POST", action, multipart(fields, name, type, bytes),
                         {{"Content-Type", "multipart/form-data; boundary=" + kBoundary},
                          {"Cookie", "rdv_csrf=" + csrf_cookie}});
  };
  std::map<std::string, std::string> fields = {{"csrf", csrf}, {"token", token}};

  Reply sent = upload(fields, "Avis d'impôt.pdf", "application/pdf", "%PDF-1.4\n1 0 obj\n");
  ASSERT_EQ(sent.status, 303) << sent.body;
  json docs = http_.get(listing).json();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["filename"], "Avis d'impôt.pdf");
  EXPECT_EQ(docs[0]["content_type"], "application/pdf");
  EXPECT_EQ(docs[0]["size"], 17);
  std::string back = Browser::location(sent);
  Reply shown = http_.get(back.substr(0, back.find('#')));
  EXPECT_NE(shown.body.find("Votre document est envoyé"), std::string::npos);
  EXPECT_NE(shown.body.find("Avis d&apos;impôt.pdf (17 octets)"), std::string::npos) << shown.body;

  // A PNG named .pdf, a file too big, a form without its CSRF token: refused, nothing stored.
  Reply png = upload(fields, "photo.pdf", "application/pdf", "\x89PNG\r\n\x1a\n0000");
  EXPECT_EQ(png.status, 400);
  EXPECT_NE(png.body.find("<title>Erreur : "), std::string::npos);
  EXPECT_NE(png.body.find("Ce type de fichier n&apos;est pas accepté"), std::string::npos);
  EXPECT_NE(png.body.find("href=\"#fichier\""), std::string::npos);
  EXPECT_NE(png.body.find("aria-invalid=\"true\""), std::string::npos);
  Reply big =
      upload(fields, "gros.pdf", "application/pdf", "%PDF-" + std::string((10u << 20) - 4, 'x'));
  EXPECT_EQ(big.status, 400) << big.body.substr(0, 300);
  EXPECT_NE(big.body.find("Ce fichier est trop gros : 10 Mo au plus"), std::string::npos);
  Reply forged = upload({{"token", token}}, "b.pdf", "application/pdf", "%PDF-1.4\n");
  EXPECT_EQ(forged.status, 403);
  EXPECT_NE(forged.body.find("Formulaire expiré"), std::string::npos);
  Reply garbled = http_.request("POST", action, "--nope\r\n",
                                {{"Content-Type", "multipart/form-data; boundary=" + kBoundary},
                                 {"Cookie", "rdv_csrf=" + csrf_cookie}});
  EXPECT_EQ(garbled.status, 400);
  EXPECT_EQ(garbled.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(http_.get(listing).json().size(), 1u);
  std::error_code ignored;
  std::filesystem::remove_all(documents_dir(), ignored);
}

// In process, with a clock the test moves.
class ResidentPagesClock : public ::testing::Test {
 protected:
  static AppOptions https_options() {
    AppOptions o;
    o.public_url = "https://rdv.example.fr";
    o.notifications.email = true;
    return o;
  }
  ResidentPagesClock() : api_(*parse_rfc3339("2026-12-01T08:00:00Z"), https_options()) {
    App& app = api_.app;
    org_ = app.create_organisation({{"name", "France Services de Cenon"}})["id"];
    Id place = app.create_place(org_, {{"name", "France Services Cenon"}})["id"];
    service_ = app.create_service(
        org_,
        {{"name", "Entretien en visio"}, {"duration_minutes", 30}, {"modes", {"video"}}})["id"];
    Id agent = app.create_agent(org_, {{"name", "Sophie Laurent"}})["id"];
    app.create_opening(agent, {{"place_id", place},
                               {"service_ids", {service_}},
                               {"start", "2026-12-08T09:00"},
                               {"end", "2026-12-08T12:00"}});
    api_.store().write([&](StoreWriter& tx) {
      tx.directory().update_organisation_video(
          org_, {VideoProvider::kJitsi, "https://visio.example.fr", "rdv",
                 "jitsi-secret-0123456789", 15});
    });
    Call booking;
    booking.body = {
        {"service_id", service_},
        {"start", "2026-12-08T09:00:00+01:00"},
        {"mode", "video"},
        {"resident",
         {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"email", "lea@example.fr"}}}};
    HttpResponse booked = api_.call("POST", "/api/v1/bookings", booking);
    EXPECT_EQ(booked.status, 201) << booked.body;
    booking_ = json::parse(booked.body);
  }
  static std::string header(const HttpResponse& r, const std::string& name) {
    std::string out;
    for (const auto& [n, v] : r.headers)
      if (n == name) out += (out.empty() ? "" : "\n") + v;
    return out;
  }
  // A browser's CSRF cookie and field, from the sign-in link form.
  std::pair<std::string, std::string> csrf() {
    HttpResponse form = api_.call("GET", "/mes-rendez-vous");
    std::string cookie = header(form, "Set-Cookie");
    return {cookie.substr(0, cookie.find(';')), input_value(form.body, "csrf")};
  }
  // The tokens of the sign-in links waiting in the outbox (made from their
  // id, as the notifier makes them: the outbox holds no token).
  std::vector<std::pair<Id, std::string>> queued_links() {
    std::vector<std::pair<Id, std::string>> out;
    api_.store().read([&](StoreReader& s) {
      for (const Job& j : s.jobs().with_status(JobStatus::kPending, 100)) {
        json p = json::parse(j.payload);
        if (p.contains("resident_link_id"))
          out.push_back({p["resident_link_id"].get<Id>(),
                         api_.links.resident_link_token(p["resident_link_id"].get<Id>())});
      }
    });
    return out;
  }

  InProcessApp api_;
  Id org_ = 0, service_ = 0;
  json booking_;
};

TEST_F(ResidentPagesClock, ALinkServesThirtyMinutesAFewTimesAnHourAndIsPurged) {
  auto [cookie, field] = csrf();
  auto ask = [&, cookie = cookie, field = field] {
    Call c;
    c.cookie = cookie;
    c.form = "csrf=" + field + "&email=lea%40example.fr";
    return api_.call("POST", "/mes-rendez-vous", c);
  };
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ask().status, 200);
  auto links = queued_links();
  EXPECT_EQ(links.size(), 3u);  // a few per hour and contact, whatever the answer says
  ASSERT_FALSE(links.empty());
  std::string path = "/mes-rendez-vous/connexion?token=" + links[0].second;

  api_.clock.set(*parse_rfc3339("2026-12-01T08:29:00Z"));
  EXPECT_EQ(api_.call("GET", path).status, 200);
  Call confirm;
  confirm.cookie = cookie;
  confirm.form = "csrf=" + field + "&token=" + links[1].second;
  HttpResponse opened = api_.call("POST", "/mes-rendez-vous/connexion", confirm);
  ASSERT_EQ(opened.status, 303) << opened.body;
  std::string set = header(opened, "Set-Cookie");
  // https: the __Host- prefix and Secure.
  EXPECT_EQ(set.rfind("__Host-rdv_resident=", 0), 0u) << set;
  EXPECT_NE(set.find("; Secure"), std::string::npos);
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Lax"), std::string::npos);
  Call mine;
  mine.cookie = set.substr(0, set.find(';'));
  HttpResponse list = api_.call("GET", "/mes-rendez-vous", mine);
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("/rendez-vous/" + std::to_string(booking_["id"].get<Id>())),
            std::string::npos);

  // Thirty minutes on, the link is expired; an hour on, the session too.
  api_.clock.set(*parse_rfc3339("2026-12-01T08:30:00Z"));
  HttpResponse expired = api_.call("GET", path);
  EXPECT_EQ(expired.status, 410);
  EXPECT_NE(expired.body.find("Ce lien a expiré : demandez-en un nouveau"), std::string::npos);
  confirm.form = "csrf=" + field + "&token=" + links[0].second;
  EXPECT_EQ(api_.call("POST", "/mes-rendez-vous/connexion", confirm).status, 410);
  api_.clock.set(*parse_rfc3339("2026-12-01T09:29:00Z"));
  EXPECT_EQ(api_.call("GET", "/mes-rendez-vous", mine).status, 303);

  // Retention forgets expired links and sessions.
  apply_retention(api_.store(), api_.clock, RetentionPolicy{});
  api_.store().read([&](StoreReader& s) {
    for (const auto& [id, token] : links) {
      EXPECT_FALSE(s.residents().link(id));
      EXPECT_FALSE(s.residents().link_by_hash(token_hash(token)));
    }
  });
}

// On https every cookie of ours is a __Host- one (only this host may set
// it) and Secure: the form token's, a staff session's, a resident's.
TEST_F(ResidentPagesClock, OnHttpsTheCookiesAreHostOnesAndSecure) {
  auto [cookie, field] = csrf();
  EXPECT_EQ(cookie.rfind("__Host-rdv_csrf=", 0), 0u) << cookie;
  // A staff member signs in on the page.
  Id account = api_.app.create_user(
      org_,
      {{"name", "Nadia Benali"}, {"email", "nadia.benali@cenon.fr"}, {"role", "org_admin"}})["id"];
  api_.store().write([&](StoreWriter& tx) {
    tx.accounts().set_password_hash(account, hash_password("Garonne-en-crue-1875"));
    auto a = tx.accounts().account(account);
    a->status = AccountStatus::kActive;
    tx.accounts().update_account(*a);
  });
  Call signin;
  signin.cookie = cookie;
  signin.form = "csrf=" + field + "&email=nadia.benali%40cenon.fr&password=Garonne-en-crue-1875";
  HttpResponse in = api_.call("POST", "/connexion", signin);
  ASSERT_EQ(in.status, 303) << in.body;
  std::string session = header(in, "Set-Cookie");
  EXPECT_EQ(session.rfind("__Host-rdv_session=", 0), 0u) << session;
  EXPECT_NE(session.find("; Secure"), std::string::npos);
  // The unprefixed names, which a sibling subdomain could plant, are ignored.
  Call planted;
  planted.cookie = "rdv_session=" + session.substr(19, session.find(';') - 19);
  EXPECT_EQ(api_.call("GET", "/espace", planted).status, 303);  // sent to sign in
  Call own;
  own.cookie = session.substr(0, session.find(';'));
  EXPECT_EQ(api_.call("GET", "/espace", own).status, 200);
  Call forged;
  forged.cookie = "rdv_csrf=" + cookie.substr(cookie.find('=') + 1);
  forged.form = "csrf=" + field + "&email=lea%40example.fr";
  EXPECT_EQ(api_.call("POST", "/mes-rendez-vous", forged).status, 403);
}

TEST_F(ResidentPagesClock, TheVideoButtonShowsOnlyInTheJoinWindow) {
  std::string page = "/rendez-vous/" + std::to_string(booking_["id"].get<Id>()) +
                     "?token=" + booking_["manage_token"].get<std::string>();
  auto at = [&](const char* when) {
    api_.clock.set(*parse_rfc3339(when));
    HttpResponse r = api_.call("GET", page);
    EXPECT_EQ(r.status, 200);
    return r.body;
  };
  const std::string button = ">Rejoindre la visio</a>";
  std::string early = at("2026-12-08T07:44:59Z");  // 08:44:59 in Paris
  EXPECT_EQ(early.find(button), std::string::npos);
  EXPECT_NE(early.find("à partir du mardi 8 décembre à 8 h 45"), std::string::npos) << early;
  std::string open = at("2026-12-08T07:45:00Z");
  EXPECT_NE(open.find("href=\"https://rdv.example.fr/visio/"), std::string::npos) << open;
  EXPECT_NE(open.find(button), std::string::npos);
  std::string over = at("2026-12-08T08:30:00Z");
  EXPECT_EQ(over.find(button), std::string::npos);
  EXPECT_EQ(over.find("à partir du"), std::string::npos);
}

}  // namespace
}  // namespace rdv::testing
