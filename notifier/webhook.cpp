#include "webhook.h"

#include <stdexcept>

#include "crypto/link_tokens.h"

namespace rdv {

std::string webhook_signature(const std::string& secret, Instant at, const std::string& body) {
  std::string t = std::to_string(to_epoch(at));
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, t + "." + body);
}

void send_webhook(const HttpClientPolicy& policy, const WebhookDelivery& d, Instant now) {
  OutgoingRequest r;
  r.method = "POST";
  r.url = d.url;
  r.body = d.body;
  r.headers = {"Content-Type: application/json", "X-Rdv-Event: " + d.event,
               "X-Rdv-Delivery: " + d.delivery,
               "X-Rdv-Signature: " + webhook_signature(d.secret, now, d.body)};
  IncomingResponse response = send_http(policy, r);
  if (response.status < 200 || response.status >= 300)
    throw std::runtime_error("webhook receiver answered HTTP " + std::to_string(response.status));
}

}  // namespace rdv
