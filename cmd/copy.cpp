// copy and diff: every visible secret of the source configuration against a second (destination)
// configuration's backend, with the destination's Kestra naming and tags (spec/cli.md, issue #20).
// Reads go through get_many on both sides (batched or concurrent in the providers); writes run on
// up to --concurrency destination sessions at once, one per thread (an http::Client is not
// thread-safe). Values stay in memory; reports carry keys and statuses only.
#include <algorithm>
#include <atomic>
#include <fmt/format.h>
#include <fnmatch.h>
#include <map>
#include <set>
#include <thread>

#include "cmd/commands.hpp"
#include "cmd/report.hpp"
#include "src/crypto/hash.hpp"
#include "src/output/diag.hpp"

namespace ks::cmd {
namespace {

using NsKey = std::pair<std::optional<std::string>, std::string>;

// The destination's environment: the process environment minus what configures the source
// (KESTRA_SECRET_…, KESTRA_ELASTICSEARCH_…, KESTRA_CONFIGURATION, MICRONAUT_CONFIG_FILES) and minus
// the SECRET_ variables, so an env destination is its file alone. Credentials (AWS_…, VAULT_…,
// GOOGLE_APPLICATION_CREDENTIALS, AZURE_…) stay: both sides may use the same identity.
Context destination_context(const Context& ctx) {
  Context d = ctx;
  for (auto it = d.env.begin(); it != d.env.end();) {
    const std::string& k = it->first;
    bool source_only = k.rfind("KESTRA_SECRET_", 0) == 0 || k.rfind("KESTRA_ELASTICSEARCH_", 0) == 0 ||
                       k.rfind("SECRET_", 0) == 0 || k == "KESTRA_CONFIGURATION" || k == "MICRONAUT_CONFIG_FILES";
    it = source_only ? d.env.erase(it) : std::next(it);
  }
  return d;
}

Session open_destination(const Globals& g, const CopyOptions& o, const Context& dctx) {
  Globals d = g;
  d.sources = config::Sources{};
  d.sources.files = {o.to};
  d.sources.sets = o.to_sets;
  try {
    return open_session(d, dctx);
  } catch (const Error& e) {
    throw Error(e.kind(), "destination (--to " + o.to + "): " + e.what(), e.hint());
  }
}

struct Item {
  SecretRef src;
  SecretRef dst;
  std::optional<Secret> value;        // the source's value, once read
  std::optional<std::string> current; // the destination's printable value, when it has the key
};

KeyReport row(const SecretRef& r, std::string status, int exit = 0, std::string message = {}) {
  return KeyReport{r.key, std::move(status), exit, std::move(message), r.ns};
}

KeyReport failed(const SecretRef& r, const Error& e) {
  return row(r, e.kind() == ErrorKind::conflict ? "refused" : "failed", exit_code(e.kind()), e.what());
}

// The source keys (after its filters, namespace and the glob) paired with their destination refs;
// keys that would land on the same destination key are refused, not guessed.
std::vector<Item> plan(Backend& src, const Backend& dst, const Globals& g, const std::optional<std::string>& pattern,
                       std::vector<KeyReport>& rows) {
  Query q;
  q.ns = g.ns;
  std::map<NsKey, std::vector<Item>> by_dst;
  for (auto& info : src.list(q)) {
    if (pattern && fnmatch(pattern->c_str(), info.key.c_str(), 0) != 0) continue;
    Item it;
    it.src = SecretRef{info.key, info.ns, std::nullopt, false};
    it.dst = SecretRef{info.key, info.ns ? info.ns : g.ns, std::nullopt, false};
    if (!dst.namespaced()) it.dst.ns.reset();
    by_dst[{it.dst.ns, it.dst.key}].push_back(std::move(it));
  }
  std::vector<Item> items;
  for (auto& [_, group] : by_dst) {
    if (group.size() == 1) {
      items.push_back(std::move(group[0]));
      continue;
    }
    for (const auto& it : group)
      rows.push_back(row(it.src, "refused", exit_code(ErrorKind::conflict),
                         fmt::format("{} source secrets map to the same destination key '{}'", group.size(), it.dst.key)));
  }
  return items;
}

// Reads every source value and the destination's current value of the keys it lists. Items whose
// read failed are reported and dropped.
std::vector<Item> read_both(Backend& src, Backend& dst, std::vector<Item> items, std::vector<KeyReport>& rows,
                            const std::optional<std::string>& ns) {
  std::vector<SecretRef> src_refs;
  for (const auto& it : items) src_refs.push_back(it.src);
  auto values = src.get_many(src_refs);

  Query q;
  q.ns = ns;
  std::set<NsKey> present;
  for (const auto& info : dst.list(q)) present.insert({dst.namespaced() ? info.ns : std::nullopt, info.key});
  std::vector<SecretRef> dst_refs;
  std::vector<size_t> dst_index;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!present.count({items[i].dst.ns, items[i].dst.key})) continue;
    dst_refs.push_back(items[i].dst);
    dst_index.push_back(i);
  }
  auto currents = dst.get_many(dst_refs);

  std::vector<std::optional<Error>> errors(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (auto* e = std::get_if<Error>(&values[i])) errors[i] = *e;
    else items[i].value = std::move(std::get<Secret>(values[i]));
  }
  for (size_t j = 0; j < dst_index.size(); ++j) {
    size_t i = dst_index[j];
    if (auto* e = std::get_if<Error>(&currents[j])) {
      if (e->kind() != ErrorKind::not_found && !errors[i]) errors[i] = Error(e->kind(), "destination: " + std::string(e->what()), e->hint());
    } else {
      items[i].current = std::get<Secret>(currents[j]).printable();
    }
  }
  std::vector<Item> ok;
  for (size_t i = 0; i < items.size(); ++i) {
    if (errors[i]) rows.push_back(failed(items[i].src, *errors[i]));
    else ok.push_back(std::move(items[i]));
  }
  return ok;
}

bool same(const std::string& a, const std::string& b) { return crypto::sha256(a) == crypto::sha256(b); }

// The value written for the destination: the bytes `get` prints on the source; with --fields, a
// JSON object becomes named fields in a field store.
Secret written_value(const Backend& dst, const std::string& printable, bool fields) {
  if (fields && dst.has_fields()) {
    auto doc = nlohmann::json::parse(printable, nullptr, false);
    if (doc.is_object()) return object_secret(dst, std::move(doc));
  }
  return Secret::text(printable);
}

struct Write {
  size_t row;          // index into rows
  SecretRef ref;
  Secret value;
};

// Runs the writes on up to `workers` destination sessions, each on a thread of its own.
void run_writes(std::vector<Write>& writes, std::vector<KeyReport>& rows, Backend& first, const Globals& g,
                const CopyOptions& o, const Context& dctx) {
  size_t workers = std::min<size_t>(std::max(1, g.concurrency), writes.size());
  std::vector<Session> extra;
  std::vector<Backend*> backends{&first};
  for (size_t w = 1; w < workers; ++w) {
    extra.push_back(open_destination(g, o, dctx));
    backends.push_back(extra.back().backend.get());
  }
  std::atomic<size_t> next{0};
  auto work = [&](Backend* b) {
    for (size_t i; (i = next.fetch_add(1)) < writes.size();) {
      auto& w = writes[i];
      PutOptions opts;
      opts.likely_new = rows[w.row].status == "created";
      try {
        b->put(w.ref, w.value, opts);
      } catch (const Error& e) {
        rows[w.row] = failed(w.ref, e);
      } catch (const std::exception& e) {
        rows[w.row] = row(w.ref, "failed", exit_code(ErrorKind::internal), e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, backends[w]);
  work(backends[0]);
  for (auto& t : threads) t.join();
}

}  // namespace

int run_copy(const Globals& g, const CopyOptions& o, const Context& ctx) {
  if (o.overwrite && o.skip_existing) throw Error(ErrorKind::usage, "--overwrite and --skip-existing exclude each other");
  Session src = open_session(g, ctx);
  Context dctx = destination_context(ctx);
  Session dst = open_destination(g, o, dctx);
  dst.backend->check_writable();

  std::vector<KeyReport> rows;
  auto items = read_both(*src.backend, *dst.backend, plan(*src.backend, *dst.backend, g, o.pattern, rows), rows, g.ns);
  std::vector<Write> writes;
  for (auto& it : items) {
    std::string bytes = it.value->printable();
    it.value.reset();
    // Compared with what the destination would hold (with --fields: the fields' sorted JSON).
    Secret written = written_value(*dst.backend, bytes, o.fields);
    if (it.current && same(*it.current, written.printable())) {
      rows.push_back(row(it.dst, "unchanged"));
      continue;
    }
    if (it.current && o.skip_existing) {
      rows.push_back(row(it.dst, "skipped", 0, "exists with another value (--skip-existing)"));
      continue;
    }
    if (it.current && !o.overwrite) {
      rows.push_back(row(it.dst, "refused", exit_code(ErrorKind::conflict),
                         "the destination holds another value (--overwrite replaces it, --skip-existing keeps it)"));
      continue;
    }
    if (dst.backend->text_only() && !is_valid_utf8(bytes)) {
      rows.push_back(row(it.dst, "failed", exit_code(ErrorKind::usage),
                         fmt::format("not valid UTF-8, and {} stores only text", dst.backend->name())));
      continue;
    }
    rows.push_back(row(it.dst, it.current ? "updated" : "created", 0, o.dry_run ? "dry-run: not written" : ""));
    if (!o.dry_run) writes.push_back({rows.size() - 1, it.dst, std::move(written)});
  }
  if (!writes.empty()) run_writes(writes, rows, *dst.backend, g, o, dctx);
  std::stable_sort(rows.begin(), rows.end(), [](const KeyReport& a, const KeyReport& b) {
    return std::tie(a.key, a.ns) < std::tie(b.key, b.ns);
  });
  return print_report(g, rows);
}

int run_diff(const Globals& g, const CopyOptions& o, const Context& ctx) {
  Session src = open_session(g, ctx);
  Context dctx = destination_context(ctx);
  Session dst = open_destination(g, o, dctx);

  std::vector<KeyReport> rows;
  auto planned = plan(*src.backend, *dst.backend, g, o.pattern, rows);
  std::set<NsKey> in_source;
  for (const auto& it : planned) in_source.insert({it.dst.ns, it.dst.key});
  for (const auto& r : rows) in_source.insert({r.ns, r.key});
  auto items = read_both(*src.backend, *dst.backend, std::move(planned), rows, g.ns);
  for (auto& it : items) {
    if (!it.current) rows.push_back(row(it.dst, "only-source"));
    else rows.push_back(row(it.dst, same(*it.current, it.value->printable()) ? "equal" : "different"));
    it.value.reset();
  }
  Query q;
  q.ns = g.ns;
  for (const auto& info : dst.backend->list(q)) {
    if (o.pattern && fnmatch(o.pattern->c_str(), info.key.c_str(), 0) != 0) continue;
    SecretRef r{info.key, dst.backend->namespaced() ? info.ns : std::nullopt};
    if (!in_source.count({r.ns, r.key})) rows.push_back(row(r, "only-destination"));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const KeyReport& a, const KeyReport& b) {
    return std::tie(a.key, a.ns) < std::tie(b.key, b.ns);
  });
  return print_diff(g, rows);
}

}  // namespace ks::cmd
