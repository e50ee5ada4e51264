#include "html_page.h"

#include "render.h"

namespace rdv {

HttpResponse html_page(int status, const std::string& title, const std::string& body_html) {
  PageData d;
  d.set("body", body_html);  // trusted markup: its data went through escape_html
  return render_page(status, title, "raw", d);
}

}  // namespace rdv
