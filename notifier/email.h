// Email: the MIME message (text, HTML and an iCalendar part that Outlook and
// Thunderbird show as an invitation) and its sending over SMTP with libcurl.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "domain/time.h"

namespace rdv {

struct EmailMessage {
  std::string from;  // "rendezvous <no-reply@example.fr>" or a plain address
  std::string to;    // a plain address, never "Name <address>" nor a list
  std::string subject;
  std::string text;
  std::string html;
  std::string calendar;         // iCalendar text, empty for none
  std::string calendar_method;  // PUBLISH, REQUEST, CANCEL
  std::string message_id;       // "<key@host>": the same on every attempt
  std::string unsubscribe_url;  // List-Unsubscribe (one click, RFC 8058)
};

// The RFC 5322 message composed by GMime: headers folded and RFC 2047
// encoded, CRLF line ends, parts in base64. Structure: multipart/alternative
// (text/plain, text/html, text/calendar;method=...), inside multipart/mixed
// with the .ics attached when there is a calendar. Throws
// std::invalid_argument when From or To is not a plain mailbox (see below),
// or the Message-ID, the calendar method or the unsubscribe URL could break
// out of their header.
std::string build_mime(const EmailMessage& m, Instant date, const std::string& boundary_seed);

class EmailChannel {
 public:
  virtual ~EmailChannel() = default;
  // Throws on failure; the job is retried.
  virtual void send(const EmailMessage& m) = 0;
};

// RDV_SMTP_URL: smtp://[user:password@]host[:port] (STARTTLS when offered) or
// smtps:// (TLS from the start). The password never reaches a log.
class SmtpChannel final : public EmailChannel {
 public:
  explicit SmtpChannel(std::string url);
  // Throws std::invalid_argument (no retry helps) for a From or To that is
  // not a plain mailbox, before any connection.
  void send(const EmailMessage& m) override;

 private:
  std::string url_;
};

// The address inside "Name <address>", or the text itself.
std::string address_of(const std::string& mailbox);

// A single address with nothing an SMTP command or a header could take for
// syntax: at most 254 bytes, exactly one '@' with text on both sides, no
// control character, space, '<', '>', ',', ';', ':', '"', '(', ')' or '\'.
bool is_plain_mailbox(const std::string& address);

}  // namespace rdv
