#include "email.h"

#include <curl/curl.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

namespace rdv {
namespace {

// GMime keeps global tables (charsets, iconv cache, registered types):
// initialised once for the process, from whichever thread sends first.
void gmime_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Every GObject is owned by one of these; GMime's setters take their own
// reference, so ours is always dropped.
struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

template <class T>
GObjectPtr<T> adopt(T* p) {
  if (!p) throw std::bad_alloc();
  return GObjectPtr<T>(p);
}

// Header texts of ours cannot carry a line break or another control
// character: a subject or display name with CR LF would otherwise decode, in
// the reader's client, to text that looks like another header.
std::string one_line(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

bool is_token(std::string_view s, std::string_view also) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || also.find(c) != std::string_view::npos;
  });
}

// Printable ASCII without space, '<' or '>': safe between angle brackets.
bool is_bracketable(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '<' && c != '>';
  });
}

struct Mailbox {
  std::string name, address;
};

// "Name <address>" or "address"; the address must be plain.
Mailbox parse_from(const std::string& from) {
  Mailbox box{"", from};
  if (auto lt = from.find('<'); lt != std::string::npos) {
    auto gt = from.find('>', lt);
    if (gt == std::string::npos || from.find_first_not_of(" \t", gt + 1) != std::string::npos)
      throw std::invalid_argument("email: the sender is not one mailbox");
    box.name = one_line(from.substr(0, lt));
    box.address = from.substr(lt + 1, gt - lt - 1);
    auto first = box.name.find_first_not_of(' '), last = box.name.find_last_not_of(' ');
    box.name = first == std::string::npos ? "" : box.name.substr(first, last - first + 1);
    if (box.name.size() >= 2 && box.name.front() == '"' && box.name.back() == '"')
      box.name = box.name.substr(1, box.name.size() - 2);
  }
  if (!is_plain_mailbox(box.address))
    throw std::invalid_argument("email: the sender address is not a plain mailbox");
  return box;
}

void check_recipient(const std::string& to) {
  if (!is_plain_mailbox(to))
    throw std::invalid_argument("email: the recipient is not a plain mailbox");
}

void add_mailbox(InternetAddressList* list, const std::string& name, const std::string& address) {
  auto box =
      adopt(internet_address_mailbox_new(name.empty() ? nullptr : name.c_str(), address.c_str()));
  internet_address_set_charset(box.get(), "utf-8");
  internet_address_list_add(list, box.get());
}

// The body of a part, as is (bytes, no charset conversion), sent in base64.
void set_content(GMimePart* part, const std::string& body) {
  auto stream = adopt(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
  auto wrapper =
      adopt(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
}

// Not g_mime_text_part_set_text: it would convert to Latin-1 when it can.
GObjectPtr<GMimeTextPart> text_part(const char* subtype, const std::string& body) {
  auto part = adopt(g_mime_text_part_new_with_subtype(subtype));
  set_content(GMIME_PART(part.get()), body);
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  return part;
}

GObjectPtr<GMimeMultipart> multipart(const char* subtype, const std::string& boundary) {
  auto mp = adopt(g_mime_multipart_new_with_subtype(subtype));
  g_mime_multipart_set_boundary(mp.get(), boundary.c_str());
  return mp;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t len = std::min(size * n, u->data->size() - u->offset);
  std::memcpy(buffer, u->data->data() + u->offset, len);
  u->offset += len;
  return len;
}

}  // namespace

std::string address_of(const std::string& mailbox) {
  auto lt = mailbox.find('<');
  auto gt = mailbox.find('>', lt);
  if (lt == std::string::npos || gt == std::string::npos) return mailbox;
  return mailbox.substr(lt + 1, gt - lt - 1);
}

bool is_plain_mailbox(const std::string& address) {
  if (address.empty() || address.size() > 254) return false;
  auto at = address.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string::npos)
    return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || std::strchr("<>,;:\"()\\", c) != nullptr;
  });
}

std::string build_mime(const EmailMessage& m, Instant date, const std::string& boundary_seed) {
  Mailbox from = parse_from(m.from);
  check_recipient(m.to);
  std::string id = m.message_id;
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  if (!m.message_id.empty() && !is_bracketable(id))
    throw std::invalid_argument("email: the Message-ID is not one msg-id");
  if (!m.unsubscribe_url.empty() && !is_bracketable(m.unsubscribe_url))
    throw std::invalid_argument("email: the unsubscribe URL is not one URL");
  if (!m.calendar.empty() && !is_token(m.calendar_method, "-"))
    throw std::invalid_argument("email: the calendar method is not a token");
  // Boundaries: at most 70 characters (RFC 2046); base64 lines hold no '-',
  // so "--alt-..." cannot occur in a body.
  std::string seed = boundary_seed.substr(0, 60);
  for (char& c : seed)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';

  gmime_init_once();
  auto message = adopt(g_mime_message_new(TRUE));
  GMimeObject* headers = GMIME_OBJECT(message.get());
  add_mailbox(g_mime_message_get_from(message.get()), from.name, from.address);
  add_mailbox(g_mime_message_get_to(message.get()), "", m.to);
  g_mime_message_set_subject(message.get(), one_line(m.subject).c_str(), "utf-8");
  std::unique_ptr<GDateTime, decltype(&g_date_time_unref)> when(
      g_date_time_new_from_unix_utc(to_epoch(date)), &g_date_time_unref);
  if (!when) throw std::invalid_argument("email: date out of range");
  g_mime_message_set_date(message.get(), when.get());
  if (!id.empty()) g_mime_message_set_message_id(message.get(), id.c_str());
  g_mime_object_set_header(headers, "MIME-Version", "1.0", nullptr);
  g_mime_object_set_header(headers, "Auto-Submitted", "auto-generated", nullptr);
  if (!m.unsubscribe_url.empty()) {
    // Set raw: GMime would RFC 2047-encode a long URL to fold it, and no
    // client decodes encoded words in List-Unsubscribe.
    g_mime_object_set_header(headers, "List-Unsubscribe", "-", nullptr);
    GMimeHeader* h =
        g_mime_header_list_get_header(g_mime_object_get_header_list(headers), "List-Unsubscribe");
    g_mime_header_set_raw_value(h, (" <" + m.unsubscribe_url + ">\n").c_str());
    g_mime_object_set_header(headers, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click",
                             nullptr);
  }

  auto alternative = multipart("alternative", "alt-" + seed);
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("plain", m.text).get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("html", m.html).get()));
  if (m.calendar.empty()) {
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(alternative.get()));
  } else {
    auto calendar = text_part("calendar", m.calendar);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(calendar.get()), "method",
                                             m.calendar_method.c_str());
    g_mime_multipart_add(alternative.get(), GMIME_OBJECT(calendar.get()));
    auto ics = adopt(g_mime_part_new_with_type("application", "ics"));
    g_mime_object_set_disposition(GMIME_OBJECT(ics.get()), "attachment");
    g_mime_part_set_filename(ics.get(), "rendez-vous.ics");
    set_content(ics.get(), m.calendar);
    auto mixed = multipart("mixed", "mixed-" + seed);
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(alternative.get()));
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(ics.get()));
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(mixed.get()));
  }

  std::unique_ptr<GMimeFormatOptions, decltype(&g_mime_format_options_free)> format(
      g_mime_format_options_new(), &g_mime_format_options_free);
  g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);  // SMTP
  std::unique_ptr<char, decltype(&g_free)> text(g_mime_object_to_string(headers, format.get()),
                                                &g_free);
  if (!text) throw std::runtime_error("email: GMime could not write the message");
  return text.get();
}

SmtpChannel::SmtpChannel(std::string url) : url_(std::move(url)) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw std::runtime_error("libcurl could not be initialised");
}

void SmtpChannel::send(const EmailMessage& m) {
  // Checked before anything else: the envelope takes the plain addresses.
  std::string from = parse_from(m.from).address;
  check_recipient(m.to);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot start an SMTP transfer");
  std::string text = build_mime(
      m, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()),
      m.message_id);
  Upload upload{&text};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(
      curl_slist_append(nullptr, ("<" + m.to + ">").c_str()), &curl_slist_free_all);
  if (!rcpt) throw std::runtime_error("cannot start an SMTP transfer");
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) throw std::runtime_error(std::string("SMTP: ") + curl_easy_strerror(rc));
}

}  // namespace rdv
