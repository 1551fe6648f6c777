// The view decorator: read-only, tag filters, filter-on-prefix, namespaces, hidden = missing.
#include <doctest/doctest.h>

#include <map>

#include "backends/view.hpp"

using namespace ks;

namespace {

// An in-memory store with namespaces and tags that records the calls it receives.
class MemoryBackend final : public Backend {
public:
  struct Item { std::string value; Tags tags; };
  std::map<std::pair<std::string, std::string>, Item> items;  // (ns or "", key)
  std::vector<std::string> calls;
  PutOptions last_put;

  std::string name() const override { return "memory"; }
  std::vector<SecretInfo> list(const Query& q) override {
    calls.push_back("list");
    std::vector<SecretInfo> out;
    for (const auto& [id, item] : items) {
      if (q.ns && id.first != *q.ns) continue;
      SecretInfo i;
      i.key = id.second;
      i.name = id.second;
      i.tags = item.tags;
      if (!id.first.empty()) i.ns = id.first;
      out.push_back(i);
    }
    return out;
  }
  const Item& find(const SecretRef& r) {
    auto it = items.find({r.ns.value_or(""), r.key});
    if (it == items.end()) throw Error(ErrorKind::not_found, not_found_message(r.key));
    return it->second;
  }
  Secret get(const SecretRef& r) override {
    calls.push_back("get " + r.ns.value_or("-") + " " + r.key);
    return Secret::text(find(r).value);
  }
  PutResult put(const SecretRef& r, const Secret& v, const PutOptions& o) override {
    calls.push_back("put " + r.key);
    last_put = o;
    items[{r.ns.value_or(""), r.key}] = Item{v.printable(), o.tags};
    return {};
  }
  DeleteResult remove(const SecretRef& r, const DeleteOptions&) override {
    calls.push_back("remove " + r.key);
    find(r);
    items.erase({r.ns.value_or(""), r.key});
    return {};
  }
  SecretInfo describe(const SecretRef& r) override {
    calls.push_back("describe " + r.key);
    SecretInfo i;
    i.key = r.key;
    i.name = r.key;
    i.tags = find(r).tags;
    return i;
  }
  Probe probe() override { return {}; }
};

struct Fixture {
  MemoryBackend* mem = nullptr;
  std::unique_ptr<Backend> view;
  explicit Fixture(config::ViewSettings s, std::function<void(MemoryBackend&)> seed = {}) {
    auto m = std::make_unique<MemoryBackend>();
    mem = m.get();
    if (seed) seed(*m);
    view = backends::make_view(std::move(m), s);
  }
};

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::internal;
}

std::vector<std::string> keys(const std::vector<SecretInfo>& infos) {
  std::vector<std::string> out;
  for (const auto& i : infos) out.push_back(i.key);
  return out;
}

}  // namespace

TEST_CASE("view: read-only refuses every write before the backend sees it") {
  config::ViewSettings s;
  s.read_only = true;
  Fixture f(s, [](MemoryBackend& m) { m.items[{"", "db"}] = {"v", {}}; });
  CHECK(kind_of([&] { f.view->put({"db"}, Secret::text("x"), {}); }) == ErrorKind::read_only);
  CHECK(kind_of([&] { f.view->remove({"db"}, {}); }) == ErrorKind::read_only);
  CHECK(kind_of([&] { f.view->restore({"db"}); }) == ErrorKind::read_only);
  CHECK(f.mem->calls.empty());
  CHECK(f.view->get({"db"}).bytes == "v");  // reads still work
}

TEST_CASE("view: filter-on-tags needs every tag; excluded-tags hides on any; hidden equals missing") {
  config::ViewSettings s;
  s.filter_on_tags = {{"app", "kestra"}, {"env", "prod"}};
  s.excluded_tags = {{"retired", "true"}, {"legacy", std::nullopt}};
  Fixture f(s, [](MemoryBackend& m) {
    m.items[{"", "ok"}] = {"1", {{"app", "kestra"}, {"env", "prod"}}};
    m.items[{"", "partial"}] = {"2", {{"app", "kestra"}}};
    m.items[{"", "wrongval"}] = {"3", {{"app", "kestra"}, {"env", "dev"}}};
    m.items[{"", "retired"}] = {"4", {{"app", "kestra"}, {"env", "prod"}, {"retired", "true"}}};
    m.items[{"", "retired-no"}] = {"5", {{"app", "kestra"}, {"env", "prod"}, {"retired", "false"}}};
    m.items[{"", "legacy"}] = {"6", {{"app", "kestra"}, {"env", "prod"}, {"legacy", "anything"}}};
  });
  CHECK(keys(f.view->list({})) == std::vector<std::string>{"ok", "retired-no"});
  CHECK(f.view->get({"ok"}).bytes == "1");
  for (const char* hidden : {"partial", "wrongval", "retired", "legacy"}) {
    CAPTURE(hidden);
    CHECK(kind_of([&] { f.view->get({hidden}); }) == ErrorKind::not_found);
    CHECK(kind_of([&] { f.view->describe({hidden}); }) == ErrorKind::not_found);
    CHECK(kind_of([&] { f.view->remove({hidden}, {}); }) == ErrorKind::not_found);
  }
  CHECK(f.mem->items.count({"", "partial"}) == 1);  // the refused delete removed nothing
}

TEST_CASE("view: writes carry the configured tags and the filter tags, so they stay visible") {
  config::ViewSettings s;
  s.tags = {{"team", "data"}};
  s.filter_on_tags = {{"app", "kestra"}};
  Fixture f(s);
  PutOptions o;
  o.tags = {{"team", "override"}, {"extra", "1"}};
  f.view->put({"k"}, Secret::text("v"), o);
  CHECK(f.mem->last_put.tags == Tags{{"app", "kestra"}, {"extra", "1"}, {"team", "override"}});
  CHECK(f.view->get({"k"}).bytes == "v");
}

TEST_CASE("view: filter-on-prefix strips the prefix unless keep-prefix") {
  config::ViewSettings s;
  s.filter_on_prefix = "prod_";
  auto seed = [](MemoryBackend& m) {
    m.items[{"", "prod_db"}] = {"p", {}};
    m.items[{"", "dev_db"}] = {"d", {}};
  };
  Fixture strip(s, seed);
  CHECK(keys(strip.view->list({})) == std::vector<std::string>{"db"});
  CHECK(strip.view->get({"db"}).bytes == "p");
  CHECK(kind_of([&] { strip.view->get({"dev_db"}); }) == ErrorKind::not_found);
  strip.view->put({"api"}, Secret::text("a"), {});
  CHECK(strip.mem->items.count({"", "prod_api"}) == 1);

  s.keep_prefix = true;
  Fixture keep(s, seed);
  CHECK(keys(keep.view->list({})) == std::vector<std::string>{"prod_db"});
  CHECK(keep.view->get({"prod_db"}).bytes == "p");
  CHECK(kind_of([&] { keep.view->get({"dev_db"}); }) == ErrorKind::not_found);
  CHECK(kind_of([&] { keep.view->get({"db"}); }) == ErrorKind::not_found);
}

TEST_CASE("view: get climbs a.b.c -> a.b -> a, and --no-inherit stops it") {
  Fixture f({}, [](MemoryBackend& m) {
    m.items[{"company", "db"}] = {"from-company", {}};
    m.items[{"company.team", "api"}] = {"from-team", {}};
  });
  SecretRef r{"db", std::string("company.team.project")};
  CHECK(f.view->get(r).bytes == "from-company");
  CHECK(f.mem->calls == std::vector<std::string>{"get company.team.project db", "get company.team db", "get company db"});
  CHECK(f.view->get({"api", std::string("company.team.x")}).bytes == "from-team");
  r.inherit = false;
  CHECK(kind_of([&] { f.view->get(r); }) == ErrorKind::not_found);
  CHECK(kind_of([&] { f.view->get({"nope", std::string("a.b")}); }) == ErrorKind::not_found);
  CHECK(backends::namespace_chain("a.b.c") == std::vector<std::string>{"a.b.c", "a.b", "a"});
  CHECK(backends::namespace_chain("solo") == std::vector<std::string>{"solo"});
}
