// The settings of the small HTTP servers the tests start (a calendar host, a
// webhook receiver, an OpenID Connect provider...): loopback, a free port.
#pragma once

#include "http_server.h"

namespace rdv::testing {

inline HttpServerOptions local_server_options(size_t worker_threads = 2) {
  HttpServerOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.worker_threads = worker_threads;
  return o;
}

}  // namespace rdv::testing
