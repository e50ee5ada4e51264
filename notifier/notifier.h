// Runs the outbox's jobs: renders each message from the booking as it is now,
// checks it is still wanted (no reminder for a cancelled, moved or past
// visit, or after an opt-out) and sends it on its channel.
#pragma once

#include <string>

#include "crypto/link_tokens.h"
#include "domain/clock.h"
#include "email.h"
#include "job_runner.h"
#include "messages.h"
#include "net/http_client.h"
#include "sms.h"
#include "storage/store.h"

namespace rdv {

struct NotifierOptions {
  std::string public_url = "http://127.0.0.1:8080";
  std::string from = "Rendez-vous <no-reply@localhost>";
  HttpClientPolicy http;  // for webhooks
};

class Notifier final : public JobHandler {
 public:
  // `email` and `sms` may be null when not configured.
  Notifier(Store& store, const Clock& clock, const LinkSigner& links, EmailChannel* email,
           SmsChannel* sms, NotifierOptions options);
  JobResult run(const Job& job) override;

 private:
  JobResult run_webhook(const Job& job);
  JobResult run_account_link(const Job& job);
  JobResult run_resident_link(const Job& job);
  // An email from us: `id_local` makes its Message-ID (the same on every
  // attempt) with the public URL's host.
  EmailMessage email(const std::string& id_local, const std::string& to,
                     const RenderedEmail& text) const;

  Store& store_;
  const Clock& clock_;
  const LinkSigner& links_;
  EmailChannel* email_;
  SmsChannel* sms_;
  NotifierOptions options_;
};

}  // namespace rdv
