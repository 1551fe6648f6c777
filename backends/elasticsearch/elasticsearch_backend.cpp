// PLACEHOLDER until the elasticsearch backend lands: a data command is exit 3, never a stub that pretends.
#include "backends/elasticsearch/elasticsearch_backend.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_elasticsearch_backend(const config::ElasticsearchSettings&, const BackendOptions&, const Context&) {
  throw Error(ErrorKind::config, "this build cannot serve the elasticsearch backend yet",
              "check-config validates its configuration; the backends available are: env, aws-secret-manager");
}

}  // namespace ks::backends
