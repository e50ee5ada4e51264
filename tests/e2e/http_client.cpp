#include "http_client.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace rdv::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
std::string error_member(const std::string& body, const char* name) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].contains(name))
    return j["error"][name].get<std::string>();
  return "";
}
}  // namespace

std::string Reply::error_code() const { return error_member(body, "code"); }
std::string Reply::error_field() const { return error_member(body, "field"); }

Reply HttpClient::request(const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers) const {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  Reply reply;
  reply.status = static_cast<int>(res.result_int());
  for (auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // A repeated header (Set-Cookie) keeps every value, one per line.
    auto [it, added] = reply.headers.emplace(name, std::string(f.value()));
    if (!added) it->second += "\n" + std::string(f.value());
  }
  reply.body = std::move(res.body());
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return reply;
}

Reply HttpClient::get(const std::string& target, const std::string& token) const {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return request("GET", target, "", h);
}

Reply HttpClient::post(const std::string& target, const nlohmann::json& body,
                       const std::string& token,
                       const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> h = headers;
  h["Content-Type"] = "application/json";
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return request("POST", target, body.dump(), h);
}

std::string HttpClient::raw_parts(const std::vector<std::string>& parts) const {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
  beast::error_code ec;
  for (const std::string& part : parts) net::write(socket, net::buffer(part), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = socket.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace rdv::testing
