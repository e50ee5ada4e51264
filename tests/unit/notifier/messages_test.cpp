// The words of messages: text typed by people (a resident's notes or cancel
// reason, an agent's summary) never becomes a link nor markup in the HTML;
// the service's own links do; the French subjects are unchanged.
#include "messages.h"

#include <gtest/gtest.h>

#include <regex>
#include <vector>

namespace rdv {
namespace {

const std::string kTyped =
    "voir http://evil.example/x et <script>alert(1)</script> "
    "https://rdv.example.fr/api/v1/bookings/42?token=t0k3n&next=http://evil.example/y";

// A booking, its service, place, organisation and agent, with what people
// typed everywhere they can.
struct World {
  Organisation organisation{1, "France Services de Cenon", "france_services", "Europe/Paris", {}};
  std::optional<Place> place;
  Service service;
  Agent agent{7, "Karim Benali", "karim@example.fr", "", "", {1}};
  Booking booking;

  World() {
    Place p;
    p.name = "France Services Cenon";
    p.address = "2 avenue Jean Zay";
    p.postcode = "33150";
    p.city = "Cenon";
    p.timezone = "Europe/Paris";
    place = p;
    service.name = "Permanence CAF";
    booking.id = 42;
    booking.start = *parse_rfc3339("2026-12-08T08:00:00Z");
    booking.end = *parse_rfc3339("2026-12-08T08:30:00Z");
    booking.resident = {"Léa", "Dupont", "lea@example.fr", "+33612345678"};
    booking.notes = kTyped;
    booking.cancel_reason = kTyped;
    booking.summary = "Dossier vu.\n" + kTyped + "\nhttp://evil.example/z";
  }

  MessageContext context() const {
    return {booking,
            service,
            organisation,
            place,
            agent,
            zone_named("Europe/Paris"),
            "https://rdv.example.fr/api/v1/bookings/42?token=t0k3n",
            "https://rdv.example.fr/api/v1/bookings/42/stop-reminders?token=t0k3n",
            "https://rdv.example.fr/api/v1/surveys/s0rv3y",
            "https://rdv.example.fr/api/v1/search?q=Permanence%20CAF",
            "https://rdv.example.fr/visio/v1s10"};
  }
};

// The targets of every <a href="..."> of an HTML text.
std::vector<std::string> links_of(const std::string& html) {
  std::vector<std::string> out;
  std::regex a(R"re(<a href="([^"]*)">)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), a); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1]);
  return out;
}

void expect_nothing_typed_is_markup(const RenderedEmail& e) {
  EXPECT_EQ(e.html.find("evil.example\">"), std::string::npos) << e.html;
  for (const std::string& href : links_of(e.html))
    EXPECT_EQ(href.find("evil"), std::string::npos) << href;
  EXPECT_EQ(e.html.find("<script"), std::string::npos) << e.html;
  EXPECT_NE(e.html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << e.html;
  // The text part keeps what was typed, as text.
  EXPECT_NE(e.text.find("http://evil.example/x"), std::string::npos);
}

TEST(Messages, TextTypedByResidentsAndAgentsNeverBecomesALink) {
  World w;
  MessageContext c = w.context();
  for (MessageEvent event : {MessageEvent::kCancellation, MessageEvent::kSummary}) {
    SCOPED_TRACE(std::string(message_event_name(event)));
    expect_nothing_typed_is_markup(resident_email(event, c));
  }
  for (MessageEvent event : {MessageEvent::kConfirmation, MessageEvent::kCancellation,
                             MessageEvent::kReschedule, MessageEvent::kOpeningLost}) {
    SCOPED_TRACE(std::string(message_event_name(event)));
    expect_nothing_typed_is_markup(agent_email(event, c));
  }
}

TEST(Messages, TheServiceLinksStayLinks) {
  World w;
  MessageContext c = w.context();
  RenderedEmail summary = resident_email(MessageEvent::kSummary, c);
  EXPECT_EQ(links_of(summary.html), (std::vector<std::string>{c.survey_url, c.rebook_url}));
  RenderedEmail confirmation = resident_email(MessageEvent::kConfirmation, c);
  EXPECT_EQ(links_of(confirmation.html),
            (std::vector<std::string>{c.manage_url, c.stop_reminders_url}));
  EXPECT_NE(confirmation.html.find("<a href=\"" + c.manage_url + "\">" + c.manage_url + "</a>"),
            std::string::npos);

  w.booking.mode = Mode::kVideo;
  MessageContext video = w.context();
  EXPECT_EQ(
      links_of(resident_email(MessageEvent::kReminder, video).html),
      (std::vector<std::string>{video.video_url, video.manage_url, video.stop_reminders_url}));
}

TEST(Messages, SubjectsAreTheFrenchOnesOfBefore) {
  World w;
  MessageContext c = w.context();
  EXPECT_EQ(resident_email(MessageEvent::kConfirmation, c).subject,
            "Votre rendez-vous du mardi 8 décembre 2026 à 9 h 00 est confirmé");
  EXPECT_EQ(resident_email(MessageEvent::kSummary, c).subject,
            "Compte rendu de votre rendez-vous du mardi 8 décembre 2026");
  EXPECT_EQ(agent_email(MessageEvent::kCancellation, c).subject,
            "Rendez-vous annulé : Permanence CAF le mardi 8 décembre 2026 à 9 h 00 — Léa Dupont");
}

}  // namespace
}  // namespace rdv
