#include "html_page.h"

#include "domain/text.h"

namespace rdv {

HttpResponse html_page(int status, const std::string& title, const std::string& body_html) {
  return {status,
          "text/html; charset=utf-8",
          "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
              escape_html(title) +
              "</title></head>\n<body style=\"font-family:sans-serif;max-width:40em;margin:2em "
              "auto\">\n<h1>" +
              escape_html(title) + "</h1>\n" + body_html + "</body></html>\n",
          {}};
}

}  // namespace rdv
