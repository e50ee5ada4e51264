// The scheduler and the notifier on a real SQLite file, with a real SMTP
// server, SMS gateway and webhook receiver, and a clock the tests move.
#include <gtest/gtest.h>
#include <sodium.h>

#include <thread>

#include "booking/bookings.h"
#include "domain/error.h"
#include "email.h"
#include "job_runner.h"
#include "notifier.h"
#include "recording_server.h"
#include "sms.h"
#include "smtp_sink.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/seed.h"
#include "support/temp_dir.h"
#include "sync/calendar_sync.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

Instant utc(const char* s) { return *parse_rfc3339(s); }

HttpClientPolicy loopback() {
  HttpClientPolicy p;
  p.allowed_private_hosts = {"127.0.0.1"};
  return p;
}

// One worker: its own connections to the database, its own channels.
struct Worker {
  Worker(const std::string& db, const Clock& clock, const LinkSigner& links,
         const std::string& smtp, const std::string& sms_url, const std::string& name)
      : store(db),
        email(smtp),
        sms(loopback(), sms_url, "gateway-token"),
        notifier(store, clock, links, &email, &sms,
                 NotifierOptions{"https://rdv.example.fr", "Rendez-vous <no-reply@rdv.example.fr>",
                                 loopback()}),
        runner(store, clock, notifier, name) {}
  SqliteStore store;
  SmtpChannel email;
  HttpSmsChannel sms;
  Notifier notifier;
  JobRunner runner;
};

class Notifications : public ::testing::Test {
 protected:
  Notifications() : db_(dir_.file("db.sqlite")), store_(db_), clock_(utc("2026-12-01T08:00:00Z")) {}

  // An organisation with a place, a service (its reminders given), an agent
  // with an email, and a weekly opening from `first_day` 09:00-12:00 Paris.
  void seed(const char* first_day, std::vector<int> reminders = {2880, 120}) {
    store_.write([&](StoreWriter& tx) {
      SeedOptions o;
      o.reminders = std::move(reminders);
      o.documents = {"Numéro d'allocataire"};
      o.agent_email = "karim@example.fr";
      o.day = first_day;
      auto seeded = testing::seed(tx, o);
      org_ = seeded.organisation;
      place_ = seeded.place;
      service_ = seeded.service;
      agent_ = seeded.agent;
    });
  }

  Booking book(const char* start, const std::string& first_name = "Léa") {
    BookingRequest r;
    r.service_id = service_;
    r.start = utc(start);
    r.resident = {first_name, "Dupont", "lea@example.fr", "+33612345678"};
    auto outcome = bookings_.book(
        r, std::nullopt, [](StoreReader&, const CreatedBooking&) { return BookingAnswer{}; });
    return *outcome.booking;
  }

  std::map<std::string, int> jobs_by_status() {
    std::map<std::string, int> out;
    store_.read([&](StoreReader& r) {
      for (auto& [kind, status, n] : r.jobs().counts())
        out[std::string(job_status_name(status))] += static_cast<int>(n);
    });
    return out;
  }

  TempDir dir_;
  std::string db_;
  SqliteStore store_;
  ManualClock clock_;
  LinkSigner links_{std::string(64, 'k')};
  Bookings bookings_{store_, clock_, links_, NotificationPolicy{true, true}};
  Id org_ = 0, place_ = 0, service_ = 0, agent_ = 0;
};

TEST_F(Notifications, ConfirmationRescheduleAndCancellationUpdateBothCalendars) {
  seed("2026-12-08");
  SmtpSink smtp;
  RecordingServer gateway;
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");

  Booking b = book("2026-12-08T08:00:00Z");  // Tuesday 8 December, 09:00 in Paris
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(2));
  json mails = smtp.messages();
  ASSERT_EQ(mails.size(), 2u);
  std::string uid = "booking-" + std::to_string(b.id) + "@rdv.example.fr";
  json resident = mails[0]["to"] == "lea@example.fr" ? mails[0] : mails[1];
  json agent = mails[0]["to"] == "lea@example.fr" ? mails[1] : mails[0];
  EXPECT_EQ(resident["subject"],
            "Votre rendez-vous du mardi 8 décembre 2026 à 9 h 00 est confirmé");
  std::string text = resident["text"];
  EXPECT_NE(text.find("Bonjour Léa"), std::string::npos);
  EXPECT_NE(text.find("France Services Cenon, 2 avenue Jean Zay, 33150 Cenon"), std::string::npos);
  EXPECT_NE(text.find("- Numéro d'allocataire"), std::string::npos);
  std::string manage = "https://rdv.example.fr/rendez-vous/" + std::to_string(b.id) +
                       "?token=" + links_.manage_token(b.id);
  EXPECT_NE(text.find(manage), std::string::npos);
  EXPECT_NE(resident["html"].get<std::string>().find("<a href=\"" + manage + "\">"),
            std::string::npos);
  EXPECT_NE(resident["list_unsubscribe"].get<std::string>().find("/stop-reminders?token="),
            std::string::npos);
  EXPECT_EQ(resident["calendar"]["method"], "PUBLISH");
  EXPECT_EQ(resident["calendar"]["content_type_method"], "PUBLISH");
  EXPECT_EQ(resident["calendar"]["uid"], uid);
  EXPECT_EQ(resident["calendar"]["sequence"], 0);
  EXPECT_EQ(resident["attachments"], 1);
  EXPECT_EQ(agent["subject"],
            "Nouveau rendez-vous : Permanence CAF le mardi 8 décembre 2026 à 9 h 00 — Léa Dupont");
  EXPECT_EQ(agent["calendar"]["method"], "REQUEST");
  EXPECT_EQ(agent["calendar"]["uid"], uid);
  EXPECT_NE(agent["calendar"]["organizer"].get<std::string>().find("no-reply@rdv.example.fr"),
            std::string::npos);

  ASSERT_EQ(gateway.accepted().size(), 1u);
  json sms = json::parse(gateway.accepted()[0].body);
  EXPECT_EQ(sms["to"], "+33612345678");
  EXPECT_EQ(sms["text"],
            "RDV Permanence CAF confirmé le 08/12 à 9 h 00, France Services Cenon. Détails par "
            "courriel.");
  EXPECT_LE(sms["text"].get<std::string>().size(), 160u);
  EXPECT_EQ(*gateway.accepted()[0].header("authorization"), "Bearer gateway-token");

  bookings_.reschedule(b.id, utc("2026-12-08T09:30:00Z"), std::nullopt, Actor::kResident);
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(4));
  bookings_.cancel(b.id, Actor::kResident, "Empêchement");
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(6));
  mails = smtp.messages();
  ASSERT_EQ(mails.size(), 6u);
  std::map<std::string, std::vector<std::string>> methods;  // by recipient
  std::set<std::string> message_ids;
  for (auto& m : mails) {
    EXPECT_EQ(m["calendar"]["uid"], uid);
    methods[m["to"]].push_back(m["calendar"]["method"].get<std::string>() + ":" +
                               std::to_string(m["calendar"]["sequence"].get<int>()));
    message_ids.insert(m["message_id"].get<std::string>());
  }
  EXPECT_EQ(methods["lea@example.fr"],
            (std::vector<std::string>{"PUBLISH:0", "PUBLISH:1", "CANCEL:2"}));
  EXPECT_EQ(methods["karim@example.fr"],
            (std::vector<std::string>{"REQUEST:0", "REQUEST:1", "CANCEL:2"}));
  EXPECT_EQ(message_ids.size(), 6u);
  std::vector<std::string> resident_subjects;
  for (auto& m : mails)
    if (m["to"] == "lea@example.fr") resident_subjects.push_back(m["subject"]);
  EXPECT_EQ(resident_subjects,
            (std::vector<std::string>{
                "Votre rendez-vous du mardi 8 décembre 2026 à 9 h 00 est confirmé",
                "Votre rendez-vous est déplacé au mardi 8 décembre 2026 à 10 h 30",
                "Votre rendez-vous du mardi 8 décembre 2026 à 10 h 30 est annulé"}));
  EXPECT_EQ(gateway.accepted().size(), 3u);
}

TEST_F(Notifications, RemindersFollowTheClockAcrossTheSpringChange) {
  clock_.set(utc("2027-03-20T08:00:00Z"));
  seed("2027-03-22");
  SmtpSink smtp;
  RecordingServer gateway;
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");
  // Monday 29 March 2027, 10:00 in Paris: already summer time (+02:00).
  Booking b = book("2027-03-29T08:00:00Z");
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(2));  // confirmations
  auto reminders = [&] {
    size_t n = 0;
    for (auto& m : smtp.messages()) n += m["subject"].get<std::string>().rfind("Rappel", 0) == 0;
    return n;
  };
  // 48 hours before is Saturday 27 March 08:00Z, 09:00 in Paris (still winter time).
  clock_.set(utc("2027-03-27T07:59:59Z"));
  worker.runner.run_due();
  EXPECT_EQ(reminders(), 0u);
  clock_.set(utc("2027-03-27T08:00:00Z"));
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(3));
  EXPECT_EQ(reminders(), 1u);
  json mails = smtp.messages();
  EXPECT_EQ(mails.back()["subject"], "Rappel : votre rendez-vous du lundi 29 mars 2027 à 10 h 00");
  EXPECT_EQ(gateway.accepted().size(), 2u);  // confirmation and reminder SMS
  // 2 hours before: 06:00Z on the Monday.
  clock_.set(utc("2027-03-29T05:59:00Z"));
  worker.runner.run_due();
  EXPECT_EQ(reminders(), 1u);
  clock_.set(utc("2027-03-29T06:00:00Z"));
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(4));
  EXPECT_EQ(reminders(), 2u);
  // After the visit (end + 2 h): the survey and the offer to book again.
  clock_.set(utc("2027-03-29T10:30:00Z"));
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(5));
  std::string last = smtp.messages().back()["text"];
  EXPECT_NE(last.find("https://rdv.example.fr/avis/" + links_.survey_token(b.id)),
            std::string::npos);
  EXPECT_NE(last.find("Prendre un nouveau rendez-vous"), std::string::npos);
}

TEST_F(Notifications, NoReminderForCancelledMovedOrOptedOutBookings) {
  seed("2026-12-08");
  SmtpSink smtp;
  RecordingServer gateway;
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");
  Booking cancelled = book("2026-12-08T08:00:00Z", "Anne");
  Booking opted_out = book("2026-12-08T08:30:00Z", "Bruno");
  Booking moved = book("2026-12-08T09:00:00Z", "Chloé");
  bookings_.cancel(cancelled.id, Actor::kResident, "");
  bookings_.stop_reminders(opted_out.id);
  bookings_.reschedule(moved.id, utc("2026-12-15T09:00:00Z"), std::nullopt, Actor::kResident);
  worker.runner.run_due();
  size_t before = smtp.count();
  // Past every reminder of the 8th (but not those of the moved booking on the 15th).
  clock_.set(utc("2026-12-08T07:59:00Z"));
  while (worker.runner.run_due() > 0) {
  }
  smtp.wait_for(before);
  for (auto& m : smtp.messages())
    EXPECT_NE(m["subject"].get<std::string>().rfind("Rappel", 0), 0u) << m["subject"];
  EXPECT_GE(jobs_by_status()["skipped"], 8);  // 2 reminders x 2 channels x 2 bookings, at least
}

TEST_F(Notifications, FailingServersAreRetriedByTwoWorkersWithoutLossOrDuplicate) {
  seed("2026-12-08", {});  // no reminders: only the notices are due
  int smtp_port = closed_port();
  RecordingServer gateway(2);  // the gateway fails twice
  std::string smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
  Worker first(db_, clock_, links_, smtp_url, gateway.url("/sms"), "w1");
  Worker second(db_, clock_, links_, smtp_url, gateway.url("/sms"), "w2");
  for (const char* start : {"2026-12-08T08:00:00Z", "2026-12-08T08:30:00Z", "2026-12-08T09:00:00Z"})
    book(start);

  std::unique_ptr<SmtpSink> smtp;
  for (int round = 0; round < 12; ++round) {
    if (round == 3) smtp = std::make_unique<SmtpSink>(smtp_port);  // the server comes back
    std::thread a([&] { first.runner.run_due(); });
    std::thread b([&] { second.runner.run_due(); });
    a.join();
    b.join();
    clock_.advance(std::chrono::minutes{30});
  }
  ASSERT_TRUE(smtp);
  ASSERT_TRUE(smtp->wait_for(6));
  json mails = smtp->messages();
  std::set<std::string> ids;
  for (auto& m : mails) ids.insert(m["message_id"].get<std::string>());
  EXPECT_EQ(mails.size(), 6u);  // 3 residents + 3 times the agent
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(gateway.accepted().size(), 3u);
  EXPECT_EQ(gateway.refused(), 2);
  std::set<std::string> sms_keys;
  for (auto& r : gateway.accepted()) sms_keys.insert(*r.header("idempotency-key"));
  EXPECT_EQ(sms_keys.size(), 3u);
  auto statuses = jobs_by_status();
  EXPECT_EQ(statuses["done"], 9);
  EXPECT_EQ(statuses["failed"], 0);
}

TEST(Smtp, AuthenticatesWithTheCredentialsOfTheUrl) {
  SmtpSink smtp(0, "rdv:s3cret-mot-de-passe");
  EmailMessage m;
  m.from = "Rendez-vous <no-reply@rdv.example.fr>";
  m.to = "lea@example.fr";
  m.subject = "Essai";
  m.text = "Bonjour";
  m.html = "<p>Bonjour</p>";
  m.message_id = "<essai@rdv.example.fr>";
  std::string port = std::to_string(smtp.port());
  EXPECT_THROW(SmtpChannel("smtp://127.0.0.1:" + port).send(m), std::runtime_error);
  SmtpChannel("smtp://rdv:s3cret-mot-de-passe@127.0.0.1:" + port).send(m);
  ASSERT_TRUE(smtp.wait_for(1));
  EXPECT_EQ(smtp.messages()[0]["subject"], "Essai");
}

TEST_F(Notifications, WebhooksAreSignedAndRetried) {
  seed("2026-12-08", {});
  SmtpSink smtp;
  RecordingServer gateway;
  RecordingServer receiver(1);  // down once
  const std::string secret = "whsec-0123456789abcdef";
  store_.write([&](StoreWriter& tx) {
    tx.directory().insert_webhook({0,
                                   org_,
                                   receiver.url("/hooks/rdv"),
                                   secret,
                                   {WebhookEvent::kCreated, WebhookEvent::kCancelled}},
                                  clock_.now());
  });
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");
  Booking b = book("2026-12-08T08:00:00Z");
  worker.runner.run_due();
  EXPECT_EQ(receiver.refused(), 1);
  EXPECT_TRUE(receiver.accepted().empty());
  clock_.advance(std::chrono::minutes{2});
  worker.runner.run_due();
  std::vector<HttpRequest> hooks = receiver.accepted();
  ASSERT_EQ(hooks.size(), 1u);
  const HttpRequest& hook = hooks[0];
  // The receiver checks the signature with its own HMAC.
  std::string header = *hook.header("x-rdv-signature");
  std::string t = header.substr(2, header.find(',') - 2);
  std::string v1 = header.substr(header.find("v1=") + 3);
  std::string signed_text = t + "." + hook.body;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  EXPECT_EQ(v1, hex);
  EXPECT_EQ(std::stoll(t), to_epoch(clock_.now()));  // a receiver can refuse old timestamps
  json body = json::parse(hook.body);
  EXPECT_EQ(body["event"], "booking.created");
  EXPECT_EQ(body["booking"]["id"], b.id);
  EXPECT_EQ(body["booking"]["start"], "2026-12-08T09:00:00+01:00");
  EXPECT_FALSE(body["booking"].contains("resident"));  // no personal data
  EXPECT_EQ(*hook.header("x-rdv-delivery"), body["id"]);
  EXPECT_EQ(*hook.header("x-rdv-event"), "booking.created");
}

TEST_F(Notifications, AJobThatKeepsFailingEndsVisiblyFailed) {
  seed("2026-12-08", {});
  Worker worker(db_, clock_, links_, "smtp://127.0.0.1:" + std::to_string(closed_port()),
                "http://127.0.0.1:" + std::to_string(closed_port()) + "/sms", "w1");
  book("2026-12-08T08:00:00Z");
  for (int i = 0; i < 12; ++i) {
    worker.runner.run_due();
    clock_.advance(std::chrono::hours{2});
  }
  auto statuses = jobs_by_status();
  EXPECT_EQ(statuses["failed"], 3);  // resident email and SMS, agent email
  store_.read([&](StoreReader& r) {
    auto failed = r.jobs().with_status(JobStatus::kFailed, 10);
    ASSERT_EQ(failed.size(), 3u);
    for (const Job& j : failed) {
      EXPECT_EQ(j.attempts, j.max_attempts);
      EXPECT_FALSE(j.last_error.empty());
    }
  });
}

TEST_F(Notifications, SummarySurveyAndAnonymousStatistics) {
  seed("2026-12-08", {});
  SmtpSink smtp;
  RecordingServer gateway;
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");
  Booking b = book("2026-12-08T08:00:00Z");
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(2));
  clock_.set(utc("2026-12-08T09:00:00Z"));
  bookings_.record_summary(b.id, "Dossier de prime d'activité complété ; pièce manquante : RIB.");
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(3));
  json summary = smtp.messages().back();
  EXPECT_EQ(summary["subject"], "Compte rendu de votre rendez-vous du mardi 8 décembre 2026");
  std::string text = summary["text"];
  EXPECT_NE(text.find("pièce manquante : RIB"), std::string::npos);
  std::string marker = "/avis/";
  std::string token = text.substr(text.find(marker) + marker.size());
  token = token.substr(0, token.find_first_of(" \n"));
  ASSERT_EQ(links_.survey_booking(token), b.id);
  // The after-visit message is not sent on top of the summary.
  clock_.set(utc("2026-12-08T11:00:00Z"));
  worker.runner.run_due();
  EXPECT_EQ(smtp.count(), 3u);

  bookings_.answer_survey(b.id, {4, true, "Très bon accueil"});
  EXPECT_THROW(bookings_.answer_survey(b.id, {5, true, ""}), ClientError);
  EXPECT_THROW(bookings_.answer_survey(b.id, {9, true, ""}), ClientError);
  store_.read([&](StoreReader& r) {
    auto stats = r.bookings().survey_stats(org_);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].service_id, service_);
    EXPECT_EQ(stats[0].answers, 1);
    EXPECT_DOUBLE_EQ(stats[0].average_rating, 4.0);
    EXPECT_EQ(stats[0].solved, 1);
  });
}

// The agent's calendar host, as the sync sees it: serves whatever the test says.
class CalendarHost final : public CalendarFetcher {
 public:
  std::string text;
  FetchResponse fetch(const std::string&, const std::string&, const std::string&) override {
    return {false, text, "", ""};
  }
};

std::string permanence(const char* start, const char* end) {
  return std::string("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n") +
         (start ? std::string("BEGIN:VEVENT\r\nUID:p1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:") +
                      start + "\r\nDTEND:" + end + "\r\nSUMMARY:Permanence CAF\r\nEND:VEVENT\r\n"
                : "") +
         "END:VCALENDAR\r\n";
}

TEST_F(Notifications, AgentIsToldWhenTheirCalendarDropsTheOpeningOfABooking) {
  seed("2030-01-01", {});  // the seeded opening is far away: the calendar gives this one
  SmtpSink smtp;
  RecordingServer gateway;
  Worker worker(db_, clock_, links_, smtp.url(), gateway.url("/sms"), "w1");
  CalendarHost host;
  CalendarSyncOptions options;
  options.notifications = {true, true};
  CalendarSync sync(store_, clock_, host, options);
  host.text = permanence("20261210T090000Z", "20261210T100000Z");
  ExternalCalendar cal =
      sync.subscribe(agent_, "https://agenda.example.fr/karim.ics", CalendarPurpose::kAvailability);
  ASSERT_TRUE(cal.last_error.empty()) << cal.last_error;
  Booking b = book("2026-12-10T09:30:00Z");
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(2));

  host.text = permanence(nullptr, nullptr);  // the agent deleted the permanence
  sync.refresh(cal.id);
  sync.refresh(cal.id);  // told once, not at every refresh
  worker.runner.run_due();
  ASSERT_TRUE(smtp.wait_for(3));
  json mails = smtp.messages();
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(mails[2]["to"], "karim@example.fr");
  EXPECT_EQ(mails[2]["subject"].get<std::string>().rfind("À vérifier : Permanence CAF", 0), 0u);
  store_.read(
      [&](StoreReader& r) { EXPECT_EQ(r.booking(b.id)->status, BookingStatus::kConfirmed); });
}

}  // namespace
}  // namespace rdv::testing
