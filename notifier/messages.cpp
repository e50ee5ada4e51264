#include "messages.h"

#include <algorithm>
#include <vector>

#include "domain/text.h"

namespace rdv {
namespace {

std::string when(const MessageContext& c) {
  return french_date(c.booking.start, c.zone) + " à " + french_time(c.booking.start, c.zone);
}

std::string short_when(const MessageContext& c) {
  return date::format("%d/%m", to_local(c.booking.start, c.zone)) + " à " +
         french_time(c.booking.start, c.zone);
}

std::string where(const MessageContext& c) {
  const Booking& b = c.booking;
  if (b.mode == Mode::kPhone)
    return "Par téléphone : l'agent vous appellera au " + b.resident.phone + ".";
  if (b.mode == Mode::kVideo)
    return "En visio : " + c.video_url + "\n(le lien s'ouvre " +
           std::to_string(c.organisation.video.open_minutes_before) + " minutes avant le début)";
  if (!c.place) return "";
  std::string s = "Lieu : " + place_line(*c.place) + ".";
  if (!c.place->accessibility.empty()) s += "\nAccessibilité : " + c.place->accessibility;
  return s;
}

std::string documents(const MessageContext& c) {
  if (c.service.documents_to_bring.empty()) return "";
  std::string s = "\nPièces à apporter :\n";
  for (const auto& d : c.service.documents_to_bring) s += "- " + d + "\n";
  return s;
}

std::string footer() {
  return "\nCe message est envoyé automatiquement par le service de prise de rendez-vous ; "
         "merci de ne pas y répondre.\n";
}

// The service's own URLs for this message: the only text made a link. Text
// typed by people (notes, a cancel reason, a summary) stays text even when it
// looks like a URL, so that no one can put a link in a message of ours.
std::vector<std::string> own_links(const MessageContext& c) {
  std::vector<std::string> links;
  for (const std::string* url : {&c.manage_url, &c.stop_reminders_url, &c.survey_url, &c.rebook_url,
                                 &c.video_url, &c.my_bookings_url})
    if (!url->empty()) links.push_back(*url);
  // Longest first: where one is a prefix of another, the whole one wins.
  std::sort(links.begin(), links.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return links;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A line in HTML: escaped, with exact whole-word occurrences of `links` made
// <a href>. "https://own/x?token=t&evil" is no occurrence of "https://own/x?token=t".
std::string line_html(const std::string& line, const std::vector<std::string>& links) {
  std::string html;
  size_t plain = 0;  // start of the text not yet written
  for (size_t i = 0; i < line.size(); ++i) {
    if (i > 0 && !is_blank(line[i - 1])) continue;
    for (const std::string& url : links) {
      size_t end = i + url.size();
      if (line.compare(i, url.size(), url) != 0 || (end < line.size() && !is_blank(line[end])))
        continue;
      html += escape_html(line.substr(plain, i - plain)) + "<a href=\"" + escape_html(url) + "\">" +
              escape_html(url) + "</a>";
      plain = end;
      i = end - 1;
      break;
    }
  }
  return html + escape_html(line.substr(plain));
}

// The HTML twin of a text: paragraphs and line breaks, the service's links
// made links.
std::string to_html(const std::string& subject, const std::string& text,
                    const std::vector<std::string>& links) {
  std::string body;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    body += line.empty() ? "<br>\n"
                         : "<p style=\"margin:0 0 6px\">" + line_html(line, links) + "</p>\n";
    start = end + 1;
  }
  return "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>" +
         escape_html(subject) + "</title></head>\n<body style=\"font-family:sans-serif\">\n" +
         body + "</body></html>\n";
}

RenderedEmail email(const MessageContext& c, std::string subject, std::string text) {
  std::string html = to_html(subject, text, own_links(c));
  return {std::move(subject), std::move(text), std::move(html)};
}

}  // namespace

RenderedEmail account_link_email(bool invitation, const std::string& name, const std::string& url,
                                 Instant expires, Zone zone) {
  std::string until = french_date(expires, zone) + " à " + french_time(expires, zone);
  std::string subject =
      invitation ? "Votre accès au service de rendez-vous" : "Choisir un nouveau mot de passe";
  std::string text =
      "Bonjour " + name + ",\n\n" +
      (invitation ? "Un compte a été créé pour vous sur le service de prise de rendez-vous. "
                    "Pour l'utiliser, choisissez votre mot de passe :\n"
                  : "Une demande de nouveau mot de passe a été faite pour votre compte. "
                    "Pour choisir un nouveau mot de passe :\n") +
      url + "\n\nCe lien ne sert qu'une fois et reste valable jusqu'au " + until + ".\n" +
      (invitation ? "" : "Si vous n'avez rien demandé, ignorez ce message : rien ne change.\n") +
      footer();
  std::string html = to_html(subject, text, {url});
  return {std::move(subject), std::move(text), std::move(html)};
}

RenderedEmail resident_link_email(const std::string& url, int minutes) {
  std::string subject = "Votre lien pour voir vos rendez-vous";
  std::string text =
      "Bonjour,\n\nVous avez demandé à voir vos rendez-vous. Pour les afficher :\n" + url +
      "\n\nCe lien ne sert qu'une fois, pendant " + std::to_string(minutes) +
      " minutes.\nSi vous n'avez rien demandé, ignorez ce message : rien ne change.\n" + footer();
  std::string html = to_html(subject, text, {url});
  return {std::move(subject), std::move(text), std::move(html)};
}

std::string resident_link_sms(const std::string& url, int minutes) {
  return "Vos rendez-vous, lien valable " + std::to_string(minutes) + " min : " + url;
}

namespace {

// Cuts a UTF-8 text to at most `max` bytes without splitting a character.
std::string cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

RenderedEmail resident_email(MessageEvent event, const MessageContext& c) {
  const Booking& b = c.booking;
  std::string hello = "Bonjour " + b.resident.first_name + ",\n\n";
  std::string what = "« " + c.service.name + " » (" + c.organisation.name + ")";
  std::string manage = "\nPour annuler ou déplacer ce rendez-vous : " + c.manage_url + "\n";
  std::string stop =
      "Ne plus recevoir de rappels pour ce rendez-vous : " + c.stop_reminders_url + "\n";
  std::string survey =
      "\nVotre avis nous aide à améliorer le service (1 minute) : " + c.survey_url + "\n";
  std::string rebook = "Prendre un nouveau rendez-vous : " + c.rebook_url + "\n";
  std::string mine =
      c.my_bookings_url.empty() ? "" : "Tous vos rendez-vous : " + c.my_bookings_url + "\n";
  if (event == MessageEvent::kConfirmation)
    return email(c, "Votre rendez-vous du " + when(c) + " est confirmé",
                 hello + "Votre rendez-vous " + what + " est confirmé le " + when(c) + " (" +
                     std::to_string(c.service.duration_minutes) + " min).\n" + where(c) + "\n" +
                     documents(c) + manage + stop + mine + footer());
  if (event == MessageEvent::kReminder)
    return email(c, "Rappel : votre rendez-vous du " + when(c),
                 hello + "Nous vous rappelons votre rendez-vous " + what + " le " + when(c) +
                     ".\n" + where(c) + "\n" + documents(c) + manage + stop + footer());
  if (event == MessageEvent::kCancellation)
    return email(c, "Votre rendez-vous du " + when(c) + " est annulé",
                 hello + "Votre rendez-vous " + what + " du " + when(c) + " est annulé.\n" +
                     (b.cancel_reason.empty() ? "" : "Motif : " + b.cancel_reason + "\n") + "\n" +
                     rebook + footer());
  if (event == MessageEvent::kReschedule)
    return email(c, "Votre rendez-vous est déplacé au " + when(c),
                 hello + "Votre rendez-vous " + what + " est déplacé au " + when(c) + ".\n" +
                     where(c) + "\n" + documents(c) + manage + stop + footer());
  if (event == MessageEvent::kAfterVisit)
    return email(c, "Votre avis sur votre rendez-vous du " + french_date(b.start, c.zone),
                 hello + "Merci d'être venu(e) à votre rendez-vous " + what + ".\n" + survey +
                     rebook + footer());
  if (event == MessageEvent::kSummary)
    return email(c, "Compte rendu de votre rendez-vous du " + french_date(b.start, c.zone),
                 hello + "Voici le compte rendu de votre rendez-vous " + what + " du " + when(c) +
                     " :\n\n" + b.summary + "\n" + survey + rebook + footer());
  throw std::invalid_argument("unknown message " + std::string(message_event_name(event)));
}

RenderedEmail agent_email(MessageEvent event, const MessageContext& c) {
  const Booking& b = c.booking;
  std::string resident = b.resident.first_name + " " + b.resident.last_name;
  std::string about = c.service.name + " le " + when(c) + " — " + resident;
  std::string details = "Usager : " + resident + "\n" +
                        (b.resident.phone.empty() ? "" : "Téléphone : " + b.resident.phone + "\n") +
                        (b.resident.email.empty() ? "" : "Courriel : " + b.resident.email + "\n") +
                        where(c) + "\n" + (b.notes.empty() ? "" : "Notes : " + b.notes + "\n");
  std::string on_behalf =
      b.booked_by == BookedBy::kDesk
          ? "Ce rendez-vous a été pris par un guichet pour le compte de l'usager "
            "(mandat enregistré).\n"
          : "";
  std::string hello = "Bonjour " + c.agent.name + ",\n\n";
  if (event == MessageEvent::kConfirmation)
    return email(
        c, "Nouveau rendez-vous : " + about,
        hello + "Un rendez-vous a été pris avec vous.\n" + on_behalf + "\n" + details + footer());
  if (event == MessageEvent::kCancellation)
    return email(c, "Rendez-vous annulé : " + about,
                 hello + "Ce rendez-vous est annulé" +
                     (b.cancel_reason.empty() ? "" : " (motif : " + b.cancel_reason + ")") +
                     ".\n\n" + details + footer());
  if (event == MessageEvent::kReschedule)
    return email(c, "Rendez-vous déplacé : " + about,
                 hello + "Ce rendez-vous est déplacé au " + when(c) + ".\n\n" + details + footer());
  if (event == MessageEvent::kOpeningLost)
    return email(c, "À vérifier : " + about,
                 hello +
                     "La plage d'ouverture de ce rendez-vous n'est plus dans votre agenda. "
                     "Le rendez-vous est maintenu : si vous ne pouvez pas recevoir l'usager, "
                     "annulez-le ou déplacez-le pour qu'il soit prévenu.\n\n" +
                     details + footer());
  throw std::invalid_argument("unknown agent message " + std::string(message_event_name(event)));
}

std::string resident_sms(MessageEvent event, const MessageContext& c) {
  std::string service = cut(c.service.name, 40);
  std::string place = c.booking.mode == Mode::kPhone ? "par téléphone"
                      : c.place                      ? cut(c.place->name, 40)
                                                     : "";
  std::string text;
  if (event == MessageEvent::kConfirmation)
    text = "RDV " + service + " confirmé le " + short_when(c) + ", " + place +
           ". Détails par courriel.";
  else if (event == MessageEvent::kReminder)
    text = "Rappel : RDV " + service + " le " + short_when(c) + ", " + place + ".";
  else if (event == MessageEvent::kCancellation)
    text = "Votre RDV " + service + " du " + short_when(c) + " est annulé.";
  else if (event == MessageEvent::kReschedule)
    text = "Votre RDV " + service + " est déplacé au " + short_when(c) + ", " + place + ".";
  else
    throw std::invalid_argument("unknown SMS " + std::string(message_event_name(event)));
  return cut(text, 160);
}

}  // namespace rdv
