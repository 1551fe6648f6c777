#include "cmd/globals.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "backends/registry.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {

Session open_session(const Globals& g, const Context& ctx) {
  Session s;
  s.cfg = config::load(g.sources, ctx);
  out::note("configuration: " + s.cfg.source + "; backend: " + s.cfg.type);
  backends::BackendOptions opts;
  opts.timeout_seconds = g.timeout;
  opts.concurrency = g.concurrency;
  opts.ca_file = g.ca_file;
  opts.verbose = g.verbose;
  opts.tenant = g.tenant;
  s.backend = backends::make_backend(s.cfg, g.sources, opts, ctx);
  return s;
}

void write_stdout(const std::string& bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0)
    throw Error(ErrorKind::internal, std::string("cannot write standard output: ") + std::strerror(errno));
}

void write_json(const nlohmann::json& doc) {
  write_stdout(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Secret object_secret(const Backend& b, nlohmann::json doc) {
  if (!b.has_fields()) return Secret::text(doc.dump());
  Secret s;
  s.fields = std::move(doc);
  return s;
}

nlohmann::json opt(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace ks::cmd
