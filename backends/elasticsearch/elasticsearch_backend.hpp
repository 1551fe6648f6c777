// The Elasticsearch backend (spec/providers.md §5, spec/kestra.md §7): Kestra's secrets index
// `<indice-prefix>secrets`, one document per secret with the id `<tenant>/<namespace>/<key>`, the
// value encrypted as Kestra's EncryptionService does (AES-GCM, base64(IV ‖ ciphertext ‖ tag); the
// empty value stored empty). Values are text only. Check-and-set writes use if_seq_no and
// if_primary_term, with Secret::version = "<seq_no>:<primary_term>". Delete is permanent; there are
// no versions. The index is created with the strict mapping before the first write.
#pragma once

#include <memory>

#include "backends/backend.hpp"
#include "backends/transport.hpp"
#include "src/config/settings.hpp"

namespace ks::backends {

std::unique_ptr<Backend> make_elasticsearch_backend(const config::ElasticsearchSettings& settings, const BackendOptions& opts,
                                                    const Context& ctx);

}  // namespace ks::backends
