#include "email.h"

#include <curl/curl.h>
#include <sodium.h>

#include <cstring>
#include <memory>

namespace rdv {
namespace {

std::string base64(const std::string& data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  std::string wrapped;  // lines of 76 characters
  for (size_t i = 0; i < out.size(); i += 76) wrapped += out.substr(i, 76) + "\r\n";
  return wrapped;
}

// RFC 2047 for a header holding UTF-8.
std::string encoded_word(const std::string& text) {
  bool ascii = true;
  for (unsigned char c : text) ascii = ascii && c >= 32 && c < 127;
  if (ascii) return text;
  std::string b = base64(text);
  std::string flat;
  for (char c : b)
    if (c != '\r' && c != '\n') flat += c;
  return "=?UTF-8?B?" + flat + "?=";
}

// A header value cannot carry line breaks (header injection).
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

std::string part(const std::string& type, const std::string& body, const std::string& extra = "") {
  return "Content-Type: " + type + "\r\n" + extra + "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64(body);
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

std::string build_mime(const EmailMessage& m, Instant date, const std::string& boundary_seed) {
  std::string mixed = "mixed-" + boundary_seed, alt = "alt-" + boundary_seed;
  std::string from_name = m.from.substr(0, m.from.find('<'));
  while (!from_name.empty() && from_name.back() == ' ') from_name.pop_back();
  std::string out;
  out += "From: " + (from_name.empty() ? "" : encoded_word(from_name) + " ") + "<" +
         address_of(m.from) + ">\r\n";
  out += "To: <" + one_line(m.to) + ">\r\n";
  out += "Subject: " + encoded_word(one_line(m.subject)) + "\r\n";
  out += "Date: " + date::format("%a, %d %b %Y %H:%M:%S +0000", date) + "\r\n";
  out += "Message-ID: " + one_line(m.message_id) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  if (!m.unsubscribe_url.empty()) {
    out += "List-Unsubscribe: <" + one_line(m.unsubscribe_url) + ">\r\n";
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  std::string alternative = "--" + alt + "\r\n" + part("text/plain; charset=UTF-8", m.text) + "--" +
                            alt + "\r\n" + part("text/html; charset=UTF-8", m.html);
  if (!m.calendar.empty())
    alternative += "--" + alt + "\r\n" +
                   part("text/calendar; charset=UTF-8; method=" + m.calendar_method, m.calendar);
  alternative += "--" + alt + "--\r\n";
  if (m.calendar.empty()) {
    out += "Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n" + alternative;
    return out;
  }
  out += "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n\r\n";
  out += "--" + mixed + "\r\nContent-Type: multipart/alternative; boundary=\"" + alt +
         "\"\r\n\r\n" + alternative;
  out += "--" + mixed + "\r\n" +
         part("application/ics; name=\"rendez-vous.ics\"", m.calendar,
              "Content-Disposition: attachment; filename=\"rendez-vous.ics\"\r\n");
  out += "--" + mixed + "--\r\n";
  return out;
}

SmtpChannel::SmtpChannel(std::string url) : url_(std::move(url)) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw std::runtime_error("libcurl could not be initialised");
}

void SmtpChannel::send(const EmailMessage& m) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot start an SMTP transfer");
  std::string seed = m.message_id;
  for (char& c : seed)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  std::string text = build_mime(
      m, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()),
      seed);
  Upload upload{&text};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(
      curl_slist_append(nullptr, ("<" + address_of(m.to) + ">").c_str()), &curl_slist_free_all);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + address_of(m.from) + ">").c_str());
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
