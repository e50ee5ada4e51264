// SMS through an HTTP gateway: a JSON POST built from a template.
#pragma once

#include <string>

#include "net/http_client.h"

namespace rdv {

struct SmsMessage {
  std::string to;    // the resident's number as given
  std::string text;  // under 160 characters where possible
  std::string idempotency_key;
};

class SmsChannel {
 public:
  virtual ~SmsChannel() = default;
  virtual void send(const SmsMessage& m) = 0;  // throws on failure
};

// RDV_SMS_URL receives RDV_SMS_TEMPLATE, where {to}, {text} and {key} are
// replaced by JSON-escaped values; RDV_SMS_TOKEN, when set, goes as a bearer token.
class HttpSmsChannel final : public SmsChannel {
 public:
  static constexpr const char* kDefaultTemplate =
      R"({"to":"{to}","text":"{text}","idempotency_key":"{key}"})";
  HttpSmsChannel(HttpClientPolicy policy, std::string url, std::string token,
                 std::string body_template = kDefaultTemplate);
  void send(const SmsMessage& m) override;

 private:
  HttpClientPolicy policy_;
  std::string url_, token_, template_;
};

// The template with {to}, {text} and {key} replaced by JSON-escaped values.
std::string fill_sms_template(const std::string& body_template, const SmsMessage& m);

}  // namespace rdv
