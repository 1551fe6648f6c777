#include "backends/view.hpp"

#include <fmt/format.h>

#include "src/output/diag.hpp"

namespace ks::backends {
namespace {

class View final : public Backend {
public:
  View(std::unique_ptr<Backend> inner, config::ViewSettings s) : inner_(std::move(inner)), s_(std::move(s)) {}

  std::string name() const override { return inner_->name(); }
  bool text_only() const override { return inner_->text_only(); }
  bool has_fields() const override { return inner_->has_fields(); }
  void check_writable() const override {
    refuse_if_read_only("write");
    inner_->check_writable();
  }
  bool namespaced() const override { return inner_->namespaced(); }

  std::vector<SecretInfo> list(const Query& q) override {
    std::vector<SecretInfo> out;
    for (auto& info : inner_->list(q)) {
      if (!q.unfiltered && !tags_visible(info.tags, s_)) continue;
      auto key = to_kestra_key(info.key);
      if (!key) continue;
      info.key = std::move(*key);
      out.push_back(std::move(info));
    }
    return out;
  }

  Secret get(const SecretRef& ref) override { return climb(ref, [&](const SecretRef& r) { return fetch(r); }); }

  std::pair<Secret, SecretInfo> get_detailed(const SecretRef& ref) override {
    return climb(ref, [&](const SecretRef& r) {
      auto [secret, info] = inner_->get_detailed(inner_ref(r));
      check_visible(info, r.key);
      info.key = r.key;
      return std::pair{std::move(secret), std::move(info)};
    });
  }

  // Batched in the provider, also when climbing: every ref at its own namespace in one call, then
  // the misses at their parents in the next, and so on (one round per namespace level).
  std::vector<Result<Secret>> get_many(std::span<const SecretRef> refs) override {
    if (has_tag_filters()) return Backend::get_many(refs);
    std::vector<Result<Secret>> out(refs.size(), Error(ErrorKind::internal, "not fetched"));
    std::vector<std::vector<std::optional<std::string>>> chains(refs.size());
    std::vector<size_t> pending;
    for (size_t i = 0; i < refs.size(); ++i) {
      const auto& r = refs[i];
      if (s_.filter_on_prefix && s_.keep_prefix && !to_kestra_key(r.key)) {
        out[i] = Error(ErrorKind::not_found, not_found_message(r.key));
        continue;
      }
      if (r.ns && r.inherit && inner_->namespaced())
        for (auto& ns : namespace_chain(*r.ns)) chains[i].emplace_back(std::move(ns));
      else
        chains[i].push_back(r.ns);
      pending.push_back(i);
    }
    for (size_t level = 0; !pending.empty(); ++level) {
      std::vector<SecretRef> batch;
      for (size_t i : pending) {
        SecretRef r = inner_ref(refs[i]);
        r.ns = chains[i][level];
        batch.push_back(std::move(r));
      }
      auto results = inner_->get_many(batch);
      std::vector<size_t> misses;
      for (size_t j = 0; j < pending.size(); ++j) {
        size_t i = pending[j];
        auto* e = std::get_if<Error>(&results[j]);
        if (e && e->kind() == ErrorKind::not_found && level + 1 < chains[i].size()) {
          misses.push_back(i);
          continue;
        }
        if (!e && level > 0) out::note(fmt::format("found '{}' in parent namespace {}", refs[i].key, *chains[i][level]));
        out[i] = std::move(results[j]);
      }
      pending = std::move(misses);
    }
    return out;
  }

  PutResult put(const SecretRef& ref, const Secret& value, const PutOptions& opts) override {
    refuse_if_read_only("put");
    PutOptions o = opts;
    o.tags = with_configured_tags(opts.tags);
    return inner_->put(inner_ref(ref), value, o);
  }

  Tags adopt(const std::string& name, const SecretRef& as, const Tags& tags, bool dry_run) override {
    refuse_if_read_only("adopt");
    SecretRef ref = as;
    if (!ref.key.empty()) ref = inner_ref(as);
    return inner_->adopt(name, ref, with_configured_tags(tags), dry_run);
  }

  DeleteResult remove(const SecretRef& ref, const DeleteOptions& opts) override {
    refuse_if_read_only("delete");
    ensure_visible(ref);
    return inner_->remove(inner_ref(ref), opts);
  }

  SecretInfo describe(const SecretRef& ref) override {
    SecretInfo info = inner_->describe(inner_ref(ref));
    check_visible(info, ref.key);
    info.key = ref.key;
    return info;
  }

  std::vector<VersionInfo> versions(const SecretRef& ref) override {
    ensure_visible(ref);
    return inner_->versions(inner_ref(ref));
  }

  void restore(const SecretRef& ref) override {
    refuse_if_read_only("restore");
    inner_->restore(inner_ref(ref));
  }

  Probe probe() override { return inner_->probe(); }

private:
  // The configured `tags` and the filter-on-tags tags go on every write, else it would be invisible.
  Tags with_configured_tags(Tags tags) const {
    for (const auto& [k, v] : s_.tags) tags.try_emplace(k, v);
    for (const auto& [k, v] : s_.filter_on_tags) tags[k] = v;
    return tags;
  }

  bool has_tag_filters() const { return !s_.filter_on_tags.empty() || !s_.excluded_tags.empty(); }

  void refuse_if_read_only(const char* what) const {
    if (s_.read_only)
      throw Error(ErrorKind::read_only, fmt::format("{} refused: the {} backend is configured read-only", what, name()),
                  "read-only: true is set in kestra.secret (or its backend block)");
  }

  // Provider key for a Kestra key (filter-on-prefix without keep-prefix strips the prefix).
  SecretRef inner_ref(const SecretRef& r) const {
    SecretRef out = r;
    if (s_.filter_on_prefix && !s_.keep_prefix) out.key = *s_.filter_on_prefix + r.key;
    return out;
  }

  // Kestra key for a provider key; nullopt when filter-on-prefix hides it.
  std::optional<std::string> to_kestra_key(const std::string& key) const {
    if (!s_.filter_on_prefix) return key;
    const auto& p = *s_.filter_on_prefix;
    if (key.compare(0, p.size(), p) != 0) return std::nullopt;
    return s_.keep_prefix ? key : key.substr(p.size());
  }

  void check_visible(const SecretInfo& info, const std::string& key) const {
    if (!tags_visible(info.tags, s_) || !to_kestra_key(info.key))
      throw Error(ErrorKind::not_found, not_found_message(key));
  }

  void ensure_visible(const SecretRef& ref) {
    if (has_tag_filters()) check_visible(inner_->describe(inner_ref(ref)), ref.key);
    else if (!to_kestra_key(inner_ref(ref).key)) throw Error(ErrorKind::not_found, not_found_message(ref.key));
  }

  Secret fetch(const SecretRef& r) {
    if (s_.filter_on_prefix && s_.keep_prefix && !to_kestra_key(r.key))
      throw Error(ErrorKind::not_found, not_found_message(r.key));
    if (has_tag_filters()) return get_detailed_unclimbed(r);
    return inner_->get(inner_ref(r));
  }

  Secret get_detailed_unclimbed(const SecretRef& r) {
    auto [secret, info] = inner_->get_detailed(inner_ref(r));
    check_visible(info, r.key);
    return std::move(secret);
  }

  // Tries ref's namespace, then its parents (when the store has namespaces and inherit is set);
  // the first hit wins, and a miss everywhere is the not-found of the key.
  template <class F>
  auto climb(const SecretRef& ref, F&& once) -> decltype(once(ref)) {
    if (!ref.ns || !ref.inherit || !inner_->namespaced()) return once(ref);
    auto chain = namespace_chain(*ref.ns);
    for (size_t i = 0; i < chain.size(); ++i) {
      SecretRef r = ref;
      r.ns = chain[i];
      try {
        auto result = once(r);
        if (i > 0) out::note(fmt::format("found '{}' in parent namespace {}", ref.key, chain[i]));
        return result;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found || i + 1 == chain.size()) throw;
      }
    }
    throw Error(ErrorKind::not_found, not_found_message(ref.key));
  }

  std::unique_ptr<Backend> inner_;
  config::ViewSettings s_;
};

}  // namespace

bool tags_visible(const Tags& tags, const config::ViewSettings& s) {
  for (const auto& [k, v] : s.filter_on_tags) {
    auto it = tags.find(k);
    if (it == tags.end() || it->second != v) return false;
  }
  for (const auto& ex : s.excluded_tags) {
    auto it = tags.find(ex.name);
    if (it != tags.end() && (!ex.value || it->second == *ex.value)) return false;
  }
  return true;
}

std::vector<std::string> namespace_chain(const std::string& ns) {
  std::vector<std::string> out;
  std::string cur = ns;
  for (;;) {
    out.push_back(cur);
    auto dot = cur.rfind('.');
    if (dot == std::string::npos) break;
    cur.resize(dot);
  }
  return out;
}

std::unique_ptr<Backend> make_view(std::unique_ptr<Backend> inner, const config::ViewSettings& settings) {
  return std::make_unique<View>(std::move(inner), settings);
}

}  // namespace ks::backends
