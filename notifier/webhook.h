// Webhooks: a JSON POST signed with HMAC-SHA256 over "timestamp.body", so a
// receiver can check who sent it and refuse replays of old deliveries.
#pragma once

#include <string>

#include "domain/time.h"
#include "net/http_client.h"

namespace rdv {

struct WebhookDelivery {
  std::string url, secret;
  std::string event;     // booking.created...
  std::string delivery;  // the idempotency key: receivers may use it to drop duplicates
  std::string body;      // JSON
};

// "t=<epoch seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>"
std::string webhook_signature(const std::string& secret, Instant at, const std::string& body);

// Throws unless the receiver answers 2xx.
void send_webhook(const HttpClientPolicy& policy, const WebhookDelivery& d, Instant now);

}  // namespace rdv
