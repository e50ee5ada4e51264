// The MIME message, read back by GMime's parser (and once by Python's email
// package): folding and RFC 2047 words within their limits, no header
// injection through a subject or a display name, only plain addresses in To
// and in the SMTP envelope, the parts and the attachment as sent.
#include "email.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <vector>

#include "support/run.h"
#include "support/temp_dir.h"

namespace rdv {
namespace {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

Instant utc(const char* s) { return *parse_rfc3339(s); }

// The message as a mail client sees it.
GObjectPtr<GMimeMessage> parse(const std::string& raw) {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) throw std::runtime_error("GMime could not parse the message");
  return message;
}

// A part's body, transfer encoding undone, bytes as they are.
std::string decoded(GMimeObject* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(part));
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, out.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string mime_type(GMimeObject* part) {
  std::unique_ptr<char, decltype(&g_free)> type(
      g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part)), &g_free);
  return type.get();
}

// The header lines of the raw text, without their CRLF.
std::vector<std::string> header_lines(const std::string& raw) {
  std::vector<std::string> lines;
  for (size_t start = 0;;) {
    size_t end = raw.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    lines.push_back(raw.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// Names of the headers of the raw text, in order (folded lines are no header).
std::vector<std::string> header_names(const std::string& raw) {
  std::vector<std::string> names;
  for (const std::string& line : header_lines(raw))
    if (line[0] != ' ' && line[0] != '\t') names.push_back(line.substr(0, line.find(':')));
  return names;
}

EmailMessage sample() {
  EmailMessage m;
  m.from = "Rendez-vous <no-reply@rdv.example.fr>";
  m.to = "lea@example.fr";
  m.subject = "Votre rendez-vous du mardi 8 décembre 2026 à 9 h 00 est confirmé";
  m.text = "Bonjour Léa,\n\nVotre rendez-vous est confirmé.\n";
  m.html = "<!DOCTYPE html>\n<p>Bonjour Léa,</p>\n";
  m.message_id = "<booking.42.confirmation.resident@rdv.example.fr>";
  return m;
}

const char* const kCalendar =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:rdv-42@rdv.example."
    "fr\r\n"
    "SUMMARY:Permanence CAF — Évry\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

TEST(Email, LongFrenchSubjectIsFoldedIntoShortEncodedWordsAndDecodesBackExactly) {
  EmailMessage m = sample();
  // 200 characters (more bytes), ending with a letter.
  std::string phrase = "Réunion à l'état civil « déménagement » pour Loïc ";
  std::string subject;
  for (size_t i = 0, characters = 0; characters < 199; i = (i + 1) % phrase.size()) {
    subject += phrase[i];
    characters += (static_cast<unsigned char>(phrase[i]) & 0xC0) != 0x80;
  }
  while ((static_cast<unsigned char>(phrase[subject.size() % phrase.size()]) & 0xC0) == 0x80)
    subject += phrase[subject.size() % phrase.size()];  // the last character whole
  subject += "z";
  ASSERT_EQ(std::count_if(subject.begin(), subject.end(),
                          [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }),
            200);
  m.subject = subject;
  m.from = "Mairie d'Évry-Courcouronnes — état civil <no-reply@rdv.example.fr>";
  std::string raw = build_mime(m, utc("2026-12-01T10:00:00Z"), "seed");

  auto message = parse(raw);
  EXPECT_EQ(g_mime_message_get_subject(message.get()), subject);
  std::vector<std::string> lines = header_lines(raw);
  ASSERT_GT(lines.size(), 5u);
  for (const std::string& line : lines) EXPECT_LE(line.size(), 78u) << line;
  std::regex word(R"(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)");
  int words = 0;
  for (auto it = std::sregex_iterator(raw.begin(), raw.begin() + raw.find("\r\n\r\n"), word);
       it != std::sregex_iterator(); ++it, ++words)
    EXPECT_LE(it->str().size(), 75u) << it->str();
  EXPECT_GT(words, 3);  // the subject really was encoded, in several words
  InternetAddress* from =
      internet_address_list_get_address(g_mime_message_get_from(message.get()), 0);
  EXPECT_STREQ(internet_address_get_name(from), "Mairie d'Évry-Courcouronnes — état civil");

  // An independent reader agrees.
  testing::TempDir dir;
  std::ofstream(dir.file("m.eml"), std::ios::binary) << raw;
  EXPECT_EQ(
      testing::python("import email, email.policy; m = email.message_from_binary_file(open(\"" +
                      dir.file("m.eml") +
                      "\", \"rb\"), policy=email.policy.default); print(m[\"Subject\"])"),
      subject);
}

TEST(Email, LineBreaksInASubjectOrADisplayNameAddNoHeader) {
  EmailMessage m = sample();
  m.subject = "Essai\r\nBcc: spy@evil.example\r\n\r\nCorps";
  m.from = "Rendez-vous\r\nBcc: spy@evil.example <no-reply@rdv.example.fr>";
  std::string raw = build_mime(m, utc("2026-12-01T10:00:00Z"), "seed");

  auto message = parse(raw);
  EXPECT_EQ(g_mime_object_get_header(GMIME_OBJECT(message.get()), "Bcc"), nullptr);
  EXPECT_EQ(internet_address_list_length(g_mime_message_get_bcc(message.get())), 0);
  EXPECT_EQ(header_names(raw),
            (std::vector<std::string>{"Date", "From", "Subject", "To", "Message-Id", "MIME-Version",
                                      "Auto-Submitted", "Content-Type"}));
  // The breaks became spaces: nothing in the decoded text looks like a header.
  EXPECT_STREQ(g_mime_message_get_subject(message.get()), "Essai  Bcc: spy@evil.example    Corps");
  InternetAddressList* from = g_mime_message_get_from(message.get());
  ASSERT_EQ(internet_address_list_length(from), 1);
  InternetAddress* sender = internet_address_list_get_address(from, 0);
  EXPECT_STREQ(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(sender)),
               "no-reply@rdv.example.fr");
  EXPECT_STREQ(internet_address_get_name(sender), "Rendez-vous  Bcc: spy@evil.example");
  EXPECT_EQ(raw.find("\nBcc"), std::string::npos);
}

TEST(Email, ToHoldsTheAddressOnlyAndFromKeepsItsNameApart) {
  std::string raw = build_mime(sample(), utc("2026-12-01T10:00:00Z"), "seed");
  auto message = parse(raw);
  EXPECT_EQ(std::string(g_mime_object_get_header(GMIME_OBJECT(message.get()), "To")),
            "lea@example.fr");
  InternetAddressList* to = g_mime_message_get_to(message.get());
  ASSERT_EQ(internet_address_list_length(to), 1);
  InternetAddress* reader = internet_address_list_get_address(to, 0);
  const char* name = internet_address_get_name(reader);
  EXPECT_TRUE(name == nullptr || *name == '\0') << name;
  EXPECT_STREQ(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(reader)),
               "lea@example.fr");
  InternetAddress* sender =
      internet_address_list_get_address(g_mime_message_get_from(message.get()), 0);
  EXPECT_STREQ(internet_address_get_name(sender), "Rendez-vous");
  EXPECT_STREQ(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(sender)),
               "no-reply@rdv.example.fr");
}

TEST(Email, PartsAttachmentAndHeadersAreThereAndDecodeToWhatWasGiven) {
  EmailMessage m = sample();
  m.calendar = kCalendar;
  m.calendar_method = "REQUEST";
  // A real stop-reminders URL is longer than a header line: it stays whole.
  m.unsubscribe_url =
      "https://rdv.example.fr/api/v1/bookings/42/stop-reminders?token=" + std::string(86, 'k');
  std::string raw = build_mime(m, utc("2026-12-01T10:00:00Z"), m.message_id);
  EXPECT_EQ(raw.find("\r\n\r\n") != std::string::npos, true);
  for (size_t i = raw.find('\n'); i != std::string::npos; i = raw.find('\n', i + 1))
    ASSERT_EQ(raw[i - 1], '\r') << "bare LF at " << i;  // SMTP wants CRLF

  auto message = parse(raw);
  GMimeObject* headers = GMIME_OBJECT(message.get());
  EXPECT_STREQ(g_mime_message_get_message_id(message.get()),
               "booking.42.confirmation.resident@rdv.example.fr");
  EXPECT_STREQ(g_mime_object_get_header(headers, "Date"), "Tue, 01 Dec 2026 10:00:00 +0000");
  EXPECT_STREQ(g_mime_object_get_header(headers, "MIME-Version"), "1.0");
  EXPECT_STREQ(g_mime_object_get_header(headers, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(g_mime_object_get_header(headers, "List-Unsubscribe"), "<" + m.unsubscribe_url + ">");
  EXPECT_STREQ(g_mime_object_get_header(headers, "List-Unsubscribe-Post"),
               "List-Unsubscribe=One-Click");
  EXPECT_NE(raw.find("\r\nList-Unsubscribe: <" + m.unsubscribe_url + ">\r\n"), std::string::npos);

  GMimeObject* top = g_mime_message_get_mime_part(message.get());
  ASSERT_EQ(mime_type(top), "multipart/mixed");
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(top)), 2);
  GMimeObject* alternative = g_mime_multipart_get_part(GMIME_MULTIPART(top), 0);
  ASSERT_EQ(mime_type(alternative), "multipart/alternative");
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(alternative)), 3);
  GMimeObject* plain = g_mime_multipart_get_part(GMIME_MULTIPART(alternative), 0);
  GMimeObject* html = g_mime_multipart_get_part(GMIME_MULTIPART(alternative), 1);
  GMimeObject* calendar = g_mime_multipart_get_part(GMIME_MULTIPART(alternative), 2);
  EXPECT_EQ(mime_type(plain), "text/plain");
  EXPECT_EQ(mime_type(html), "text/html");
  EXPECT_EQ(mime_type(calendar), "text/calendar");
  EXPECT_STREQ(g_mime_object_get_content_type_parameter(calendar, "method"), "REQUEST");
  for (GMimeObject* part : {plain, html, calendar})
    EXPECT_STREQ(g_mime_object_get_content_type_parameter(part, "charset"), "utf-8");
  EXPECT_EQ(decoded(plain), m.text);
  EXPECT_EQ(decoded(html), m.html);
  EXPECT_EQ(decoded(calendar), m.calendar);

  GMimeObject* ics = g_mime_multipart_get_part(GMIME_MULTIPART(top), 1);
  EXPECT_EQ(mime_type(ics), "application/ics");
  EXPECT_STREQ(g_mime_object_get_disposition(ics), "attachment");
  EXPECT_STREQ(g_mime_part_get_filename(GMIME_PART(ics)), "rendez-vous.ics");
  EXPECT_EQ(decoded(ics), m.calendar);
}

TEST(Email, WithoutCalendarTheMessageIsTextAndHtmlAlternatives) {
  EmailMessage m = sample();
  std::string raw = build_mime(m, utc("2026-12-01T10:00:00Z"), "seed");
  auto message = parse(raw);
  GMimeObject* top = g_mime_message_get_mime_part(message.get());
  ASSERT_EQ(mime_type(top), "multipart/alternative");
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(top)), 2);
  EXPECT_EQ(decoded(g_mime_multipart_get_part(GMIME_MULTIPART(top), 0)), m.text);
  EXPECT_EQ(decoded(g_mime_multipart_get_part(GMIME_MULTIPART(top), 1)), m.html);
  EXPECT_EQ(g_mime_object_get_header(GMIME_OBJECT(message.get()), "List-Unsubscribe"), nullptr);
}

TEST(Email, OnlyPlainMailboxesAreAddresses) {
  for (const char* good : {"lea@example.fr", "lea.dupont+rdv@mairie-evry.fr", "a@b"})
    EXPECT_TRUE(is_plain_mailbox(good)) << good;
  for (std::string bad :
       {"", "lea", "@example.fr", "lea@", "a@b@c", "Léa <lea@example.fr>", "lea@example.fr>",
        "<lea@example.fr", "a@b.fr, c@d.fr", "a@b.fr;c@d.fr", "lea @example.fr",
        "lea@example.fr\r\nRCPT TO:<x@evil.example>", "lea@exa\tmple.fr", "lea@example.fr\x7f",
        "\"a\"@b.fr", "a(b)@c.fr", "a\\b@c.fr", "group:a@b.fr"})
    EXPECT_FALSE(is_plain_mailbox(bad)) << bad;
  EXPECT_TRUE(is_plain_mailbox(std::string(64, 'a') + "@" + std::string(189, 'b')));   // 254
  EXPECT_FALSE(is_plain_mailbox(std::string(64, 'a') + "@" + std::string(190, 'b')));  // 255
}

TEST(Email, BuildingAndSendingRefuseARecipientThatIsNotOnePlainMailbox) {
  // Port 1: were the channel to get as far as connecting, it would throw a
  // runtime_error; invalid_argument shows it refused before.
  SmtpChannel channel("smtp://127.0.0.1:1");
  for (const char* to : {"victim@example.fr>\r\nRCPT TO:<other@evil.example", "a@b.fr, c@d.fr",
                         "Léa Dupont <lea@example.fr>", "victim@example.fr\n"}) {
    EmailMessage m = sample();
    m.to = to;
    for (int sending = 0; sending < 2; ++sending) {
      try {
        if (sending)
          channel.send(m);
        else
          build_mime(m, utc("2026-12-01T10:00:00Z"), "seed");
        ADD_FAILURE() << "accepted " << to;
      } catch (const std::invalid_argument& e) {
        // The message may reach a log: it does not repeat what was refused.
        EXPECT_EQ(std::string(e.what()).find("example"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(Email, BuildingAndSendingRefuseASenderThatIsNotOnePlainMailbox) {
  SmtpChannel channel("smtp://127.0.0.1:1");
  for (const char* from : {"Rendez-vous <no-reply@rdv.example.fr>, other@evil.example",
                           "Rendez-vous <no-reply@rdv.example.fr\r\nRCPT TO:<x@evil.example>>",
                           "no-reply", "Rendez-vous <a@b.fr> <c@d.fr>", "a@b.fr c@d.fr"}) {
    EmailMessage m = sample();
    m.from = from;
    EXPECT_THROW(build_mime(m, utc("2026-12-01T10:00:00Z"), "seed"), std::invalid_argument) << from;
    EXPECT_THROW(channel.send(m), std::invalid_argument) << from;
  }
}

TEST(Email, HeaderValuesOfOursCannotLeaveTheirHeader) {
  EmailMessage m = sample();
  m.message_id = "<a@b>\r\nBcc: spy@evil.example";
  EXPECT_THROW(build_mime(m, utc("2026-12-01T10:00:00Z"), "s"), std::invalid_argument);
  m = sample();
  m.unsubscribe_url = "https://rdv.example.fr/x>\r\nBcc: spy@evil.example";
  EXPECT_THROW(build_mime(m, utc("2026-12-01T10:00:00Z"), "s"), std::invalid_argument);
  m = sample();
  m.calendar = kCalendar;
  m.calendar_method = "REQUEST\r\nBcc: spy@evil.example";
  EXPECT_THROW(build_mime(m, utc("2026-12-01T10:00:00Z"), "s"), std::invalid_argument);
}

}  // namespace
}  // namespace rdv
