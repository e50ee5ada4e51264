#include "sms.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace rdv {
namespace {

std::string json_escaped(const std::string& s) {
  std::string quoted =
      nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

std::string fill_sms_template(const std::string& body_template, const SmsMessage& m) {
  std::string out;
  for (size_t i = 0; i < body_template.size();) {
    bool replaced = false;
    for (auto [name, value] : {std::pair<const char*, const std::string*>{"{to}", &m.to},
                               {"{text}", &m.text},
                               {"{key}", &m.idempotency_key}}) {
      std::string_view n(name);
      if (body_template.compare(i, n.size(), n) == 0) {
        out += json_escaped(*value);
        i += n.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += body_template[i++];
  }
  return out;
}

HttpSmsChannel::HttpSmsChannel(HttpClientPolicy policy, std::string url, std::string token,
                               std::string body_template)
    : policy_(std::move(policy)),
      url_(std::move(url)),
      token_(std::move(token)),
      template_(std::move(body_template)) {}

void HttpSmsChannel::send(const SmsMessage& m) {
  OutgoingRequest r;
  r.method = "POST";
  r.url = url_;
  r.headers = {"Content-Type: application/json", "Idempotency-Key: " + m.idempotency_key};
  if (!token_.empty()) r.headers.push_back("Authorization: Bearer " + token_);
  r.body = fill_sms_template(template_, m);
  IncomingResponse response = send_http(policy_, r);
  if (response.status < 200 || response.status >= 300)
    throw std::runtime_error("SMS gateway answered HTTP " + std::to_string(response.status));
}

}  // namespace rdv
